import { applyTaChange, latestGradingOfUnit, reviewAnsweredReply, type RecordCommand } from '../commands/apply.ts';
import { unitKey, weekUnit } from '../course/unit.ts';
import { validateCommand } from '../commands/parse.ts';
import { republished } from '../commands/run.ts';
import { t, type Text } from '../core/text.ts';
import type { ParsedPublication } from '../outbox/publications.ts';
import { courseOf, type ServiceDeps } from './course.ts';

/** What a dashboard action did: done (and how many things it changed), or why not (in both languages). */
export type ActionResult = { readonly ok: true; readonly done: string; readonly count?: number } | { readonly ok: false; readonly error: Text };

/** Who acts on which student's week. */
export interface ActionTarget {
  readonly org: string;
  readonly repoId: number;
  readonly week: number;
  /** The TA's login (the dashboard's session). */
  readonly by: string;
}

/** Scores a criterion a TA grades (✋), as `/rubrica manual` does. */
export function scoreCriterion(deps: ServiceDeps, target: ActionTarget, criterion: string, points: number, reason: string): Promise<ActionResult> {
  return recordChange(deps, target, { kind: 'manual', criterion, points, reason });
}

/** Replaces a criterion's score, as `/rubrica override` does. */
export function overrideCriterion(deps: ServiceDeps, target: ActionTarget, criterion: string, points: number, reason: string): Promise<ActionResult> {
  return recordChange(deps, target, { kind: 'override', criterion, points, reason });
}

/** Undoes a criterion's override or manual score, as `/rubrica clear` does. */
export function clearCriterion(deps: ServiceDeps, target: ActionTarget, criterion: string): Promise<ActionResult> {
  return recordChange(deps, target, { kind: 'clear', criterion });
}

/** Extends a student's deadline for a week, as `/rubrica extend` does. */
export function extendDeadline(deps: ServiceDeps, target: ActionTarget, minutes: number, reason?: string): Promise<ActionResult> {
  return recordChange(deps, target, { kind: 'extend', minutes, ...(reason ? { reason } : {}) });
}

/**
 * The one way a dashboard action changes a student's record: validated against the
 * week's rubric as a command is, applied by the TA commands' own applyTaChange (who,
 * when, the automatic points), logged as a dashboard action, and the week published
 * again through the outbox (check run, scored comment, the answered review's reply).
 */
async function recordChange(deps: ServiceDeps, target: ActionTarget, command: RecordCommand): Promise<ActionResult> {
  const course = await courseOf(deps, target.org);
  const rubric = course?.pack.weeks.get(target.week);
  if (!course || !rubric || target.week < 1 || target.week > course.config.weeks) return { ok: false, error: t(`El curso no tiene la semana ${target.week}.`, `The course has no week ${target.week}.`) };
  if ('minutes' in command && !(Number.isInteger(command.minutes) && command.minutes > 0)) return { ok: false, error: t('La prórroga tiene que ser de más de cero minutos.', 'The extension must be longer than zero minutes.') };
  // Only a repository this course graded: a repository id of another course is not this course's to change.
  if (!(await isCourseRepository(deps, target.org, target.repoId))) return { ok: false, error: t('Ese repositorio no es de este curso.', 'That repository is not one of this course.') };
  const invalid = validateCommand(command, rubric);
  if (invalid) return { ok: false, error: invalid };
  const at = deps.now().toISOString();
  // The dashboard acts on a weekly course's weeks.
  const unit = unitKey(weekUnit(target.week));
  const shown = await latestGradingOfUnit(deps.store, target.repoId, unit);
  const applied = await applyTaChange(deps.store, course.config, { org: target.org, course: course.config.id, repoId: target.repoId, unit, by: target.by, at }, command, shown);
  if ('error' in applied) return { ok: false, error: applied.error };
  await deps.store.actions.add({ org: target.org, by: target.by, at, action: command.kind, detail: { repoId: target.repoId, week: target.week, ...command } });
  const out: ParsedPublication[] = [];
  // The week's check run and the scored comment of the pull request it came by, as they stand now (an extension changed its lateness).
  const now = shown && (await deps.store.record.gradingOfJob(shown.jobId));
  if (now) out.push(...(await republished(deps, course.config, course.pack, rubric, now, now.pullRequest)));
  if (applied.closed) out.push(reviewAnsweredReply(applied.closed, command.kind === 'extend' ? 'answered' : command.kind, { by: target.by, ...('reason' in command && command.reason ? { text: command.reason } : {}), ...('points' in command ? { points: command.points } : {}) }, course.config));
  await publish(deps, out);
  return { ok: true, done: applied.done };
}

/** Answers a student's review request in the dashboard: closed with the TA's words, and the student told on their pull request. */
export async function answerReview(deps: ServiceDeps, org: string, id: string, by: string, answer: string): Promise<ActionResult> {
  const text = answer.trim().slice(0, 2000);
  if (!text) return { ok: false, error: t('Falta la respuesta: el estudiante la lee.', 'The answer is missing: the student reads it.') };
  const request = await deps.store.reviews.get(id);
  if (!request || request.org.toLowerCase() !== org.toLowerCase()) return { ok: false, error: t('No existe ese pedido de revisión.', 'There is no such review request.') };
  const course = await courseOf(deps, request.org);
  if (!course) return { ok: false, error: t('El curso no está registrado.', 'The course is not recorded.') };
  const at = deps.now().toISOString();
  const closed = await deps.store.reviews.close({ id }, { by, at, how: 'answered', text });
  if (!closed) return { ok: false, error: t('Ese pedido ya estaba respondido.', 'That request was already answered.') };
  await deps.store.actions.add({ org: request.org, by, at, action: 'answer-review', detail: { id, repoId: request.repoId, week: request.week, criterion: request.criterion } });
  await publish(deps, [reviewAnsweredReply(closed, 'answered', { by, text }, course.config)]);
  return { ok: true, done: `answered ${request.criterion} (w${request.week})` };
}

/** Grades failed jobs again: one of the course's, or all of them. */
export async function requeueFailed(deps: ServiceDeps, org: string, by: string, jobId?: string): Promise<ActionResult> {
  const failed = (await deps.store.queue.jobs({ state: 'failed', limit: 10_000 })).filter((j) => j.kind === 'grade' && j.request.owner.toLowerCase() === org.toLowerCase() && (jobId === undefined || j.id === jobId));
  if (jobId !== undefined && failed.length === 0) return { ok: false, error: t('Ese trabajo no existe o ya no está fallido.', 'That job does not exist or has not failed.') };
  let count = 0;
  for (const job of failed) count += await deps.store.queue.requeue(job.id);
  const at = deps.now().toISOString();
  await deps.store.actions.add({ org, by, at, action: 'requeue', detail: { jobs: failed.map((j) => j.id), requeued: count } });
  return { ok: true, done: `requeued ${count}`, count };
}

/** Whether the course has graded this repository (every grading of it is of one organization). */
export async function isCourseRepository(deps: ServiceDeps, org: string, repoId: number): Promise<boolean> {
  const gradings = await deps.store.record.gradingRecords({ repoId, replaced: true });
  return gradings.length > 0 && gradings.every((g) => g.org.toLowerCase() === org.toLowerCase());
}

/** Publications join the outbox (the one writer to GitHub), in order. */
async function publish(deps: ServiceDeps, out: readonly ParsedPublication[]): Promise<void> {
  if (out.length) await deps.store.db.transaction((tx) => deps.store.outbox.add(tx, out));
}
