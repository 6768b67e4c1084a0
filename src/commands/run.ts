import { weekNamedBy } from '../course/calendar.ts';
import type { CourseConfig } from '../course/config.ts';
import { courseUnits, loginFromName, membershipOf, rubricOf, unitAt, type Membership } from '../course/load.ts';
import { parseUnitKey, unitKey, unitLabel, weekNumberOf, weekUnit } from '../course/unit.ts';
import { literal, say, t } from '../core/text.ts';
import type { CommandRequest, GradingRequest } from '../events/requests.ts';
import { repositoryStudents, statusOf, type Octokit, type RepoRef } from '../github/api.ts';
import { taStatus } from '../github/teams.ts';
import { checkRunName } from '../report/markdown.ts';
import { inline } from '../report/markup.ts';
import type { Pack, Week } from '../rubrics/load.ts';
import type { StoredGrading } from '../store/store.ts';
import { commentPublication, gradedCheckRun, publicationOf, whereOf, type JobDeps } from '../jobs/grading-job.ts';
import type { ParsedPublication } from '../outbox/publications.ts';
import { LeaseLost } from '../jobs/lease.ts';
import { RetryLater, type JobResult, type QueuedJob } from '../jobs/queue.ts';
import { applyTaChange, latestGradingOfUnit, reviewAnsweredReply } from './apply.ts';
import { helpMessage, kindOf, parseCommands, validateCommand, type Command, type ParsedLine } from './parse.ts';

/** A non-TA's refused commands on one pull request are answered at most once in this long. */
export const REFUSAL_REPLY_EVERY_MS = 5 * 60_000;

export interface CommandDeps extends JobDeps {
  /** Queues a grading (`/rubrica regrade`). */
  enqueueGrading(request: GradingRequest): Promise<unknown>;
}

/**
 * A TA's commands in a pull-request comment, carried out: who wrote it is checked
 * with GitHub now (an active member of the TA team, child teams included, or an active
 * organization owner; never the TA team's parent team); accepted
 * commands get a reaction at once, are recorded (who, when, which comment, old and
 * new points, the reason), and the week's check run and scored comment are published
 * again. Anyone else gets a polite reply and nothing changes.
 */
export async function runCommandJob(job: QueuedJob, deps: CommandDeps): Promise<JobResult> {
  try {
    return await carryOut(job, deps);
  } catch (error) {
    if (error instanceof LeaseLost || job.lease.signal.aborted) throw error;
    // GitHub down or rate limiting: the same command is tried again (its effects are idempotent); a bug of ours is not.
    const status = statusOf(error);
    if ((status === undefined || status >= 500 || status === 429 || status === 403) && !job.lastAttempt && !(error instanceof TypeError)) throw new RetryLater(error);
    throw error;
  }
}

async function carryOut(job: QueuedJob, deps: CommandDeps): Promise<JobResult> {
  if (job.payload.kind !== 'ta-command') throw new Error(`a ${job.payload.kind} job is not a command`);
  const r: CommandRequest = job.payload.request;
  // What to tell GitHub: recorded with the job's end, sent by the outbox in this order.
  const out: ParsedPublication[] = [];
  const log = deps.log.child({ deliveryId: r.deliveryId, repo: `${r.owner}/${r.repo}`, pr: r.pullRequest.number, comment: r.comment.id, action: r.action });
  const octokit = await deps.octokitFor(r.installationId, job.lease);
  const ref: RepoRef = { owner: r.owner, repo: r.repo };
  const setup = await deps.courses.get(octokit, r.owner);
  if (setup.status !== 'ready') return finish(log, out, 'not-configured');
  const member = membershipOf(setup.courses, { name: r.repo, topics: r.topics });
  if (member.status !== 'member') return finish(log, out, member.status === 'ambiguous' ? 'ambiguous-course' : 'not-a-student-repo');
  // The repository's course decides everything: its TA team, its rubrics, its locale.
  const { config } = member.course;
  const locale = config.locale;
  const rubricFor = (unit: string | undefined) => (unit === undefined ? undefined : rubricOf(member.course, member.assignment, unit));

  if (r.action !== 'created') return tamperCheck(r, deps, config, member.course.pack, rubricFor, log, out);

  const author = r.comment.author;
  const status = await taStatus(octokit, r.owner, config.tas, author);
  const parsed = parseCommands(r.comment.body);
  if (status === 'none' || status === 'pending') {
    // A student may ask for a review on their own pull request; every other command is the teaching team's.
    if (parsed.some((line) => kindOf(line) === 'review') && (await isTheStudent(octokit, ref, config, r.repo, author))) {
      return studentReview(r, deps, octokit, member, parsed, log, out);
    }
    // Logged for the teaching team; the student is told only that TAs can.
    log.warn({ author, status, outcome: 'refused' }, 'a command by someone who is not a TA');
    const refusal = { commentId: r.comment.id, org: r.owner, repoId: r.repoId, pullRequest: r.pullRequest.number, author, body: r.comment.body, outcome: `refused:${status}`, at: r.deliveredAt };
    await deps.store.tas.recordCommand(refusal);
    // One answer per author and pull request per few minutes: each reply costs a notifying write on the installation's shared lane.
    const since = new Date(new Date(r.deliveredAt).getTime() - REFUSAL_REPLY_EVERY_MS).toISOString();
    if (await deps.store.tas.refusalAnsweredBefore(refusal, since)) {
      await deps.store.tas.setCommandOutcome(r.comment.id, `refused-unanswered:${status}`);
      return finish(log, out, 'refused', { author, status, answered: false });
    }
    reply(out, r, say(t(`@${author}, solo el equipo docente del curso puede usar los comandos de Rubrica. No cambió nada. Si crees que tu nota tiene un error, díselo a tu ayudante.`, `@${author}, only the course's teaching team can use Rubrica's commands. Nothing changed. If you think your grade is wrong, tell your TA.`), locale));
    return finish(log, out, 'refused', { author, status });
  }
  const first = await deps.store.tas.recordCommand({ commentId: r.comment.id, org: r.owner, repoId: r.repoId, pullRequest: r.pullRequest.number, author, body: r.comment.body, outcome: 'accepted', at: r.deliveredAt });
  if (!first) {
    const previous = await deps.store.tas.commandOf(r.comment.id);
    // A resumed job carries on (its effects are idempotent); another delivery of a comment already done does not.
    if (previous && previous.outcome !== 'accepted') return finish(log, out, 'already-done');
  }

  const { pr, defaultUnit } = await pullRequestUnit(octokit, ref, r, deps, member);

  const errors: string[] = [];
  const done: string[] = [];
  const replies: string[] = [];
  const touched = new Set<string>();
  const regrades = new Set<string>();
  const applied: { command: Command; unit: string; rubric: Week }[] = [];
  for (const line of parsed) {
    if (!line.ok) {
      errors.push(`${literal(line.raw.slice(0, 120))} — ${say(line.error, locale)}`);
      continue;
    }
    const unit = line.command.week !== undefined ? unitKey(weekUnit(line.command.week)) : defaultUnit;
    const rubric = rubricFor(unit);
    if (unit === undefined || !rubric) {
      const units = courseUnits(config).filter((u) => rubricFor(u));
      errors.push(
        `${literal(line.raw.slice(0, 120))} — ${say(
          member.assignment
            ? t(`este repositorio es de la entrega ${literal(member.assignment.id)}: sus unidades son ${units.map(literal).join(', ')} (\`--semana\` no aplica).`, `this repository is assignment ${literal(member.assignment.id)}'s: its units are ${units.map(literal).join(', ')} (\`--week\` does not apply).`)
            : t(`no sé de qué semana es este pull request: añade \`--semana N\` (1 a ${config.weeks}).`, `I can't tell this pull request's week: add \`--week N\` (1 to ${config.weeks}).`),
          locale,
        )}`,
      );
      continue;
    }
    const invalid = validateCommand(line.command, rubric);
    if (invalid) {
      errors.push(`${literal(line.raw.slice(0, 120))} — ${say(invalid, locale)}`);
      continue;
    }
    applied.push({ command: line.command, unit, rubric });
  }

  // Accepted commands are acknowledged at once, before the slower republishing.
  if (applied.length) out.push({ kind: 'reaction', ...whereOf(r), commentId: r.comment.id, content: '+1' });

  for (const { command, unit, rubric } of applied) {
    if (command.kind === 'regrade') {
      regrades.add(unit);
      done.push(`regrade (${unit})`);
    } else if (command.kind === 'help') {
      replies.push(say(helpMessage(rubric), locale));
    } else if (command.kind === 'review') {
      errors.push(say(t('`/rubrica revisar` es para que un estudiante pida una revisión; para cambiar una nota, usa `/rubrica ajustar` o `/rubrica puntuar`.', '`/rubrica review` is for a student to ask for a review; to change a score, use `/rubrica override` or `/rubrica manual`.'), locale));
    } else {
      const change = { org: r.owner, course: config.id, repoId: r.repoId, unit, by: author, at: r.deliveredAt, commentId: r.comment.id };
      const result = await applyTaChange(deps.store, config, change, command, await gradingShown(deps, r, unit));
      if ('error' in result) {
        errors.push(say(result.error, locale));
        continue;
      }
      done.push(result.done);
      touched.add(unit);
      // The student who asked for this review is told, on the pull request they asked on.
      if (result.closed) out.push(reviewAnsweredReply(result.closed, command.kind === 'extend' ? 'answered' : command.kind, { by: author, ...('reason' in command && command.reason ? { text: command.reason } : {}), ...('points' in command ? { points: command.points } : {}) }, config));
    }
  }

  for (const unit of regrades) {
    await deps.enqueueGrading({
      // A week keeps the delivery id it always had (`…:regrade:3`).
      deliveryId: `${r.deliveryId}:regrade:${weekNumberOf(unit) || unit}`,
      installationId: r.installationId,
      owner: r.owner,
      repo: r.repo,
      repoId: r.repoId,
      topics: r.topics,
      sha: pr.head.sha,
      // The grading job dates the head by its own delivery (see runGradingJob); a head GitHub never delivered to us, by this command.
      deliveredAt: r.deliveredAt,
      trigger: 'rerun',
      // Its origin decides, as for the pull request's own events, whether it is the student's hand-in.
      pullRequest: { number: r.pullRequest.number, fork: !pr.head.repo || pr.head.repo.id !== r.repoId, ...(pr.user ? { author: pr.user.login } : {}) },
      unit,
    });
  }
  const unpublished: string[] = [];
  for (const unit of touched) {
    if (regrades.has(unit)) continue; // the regrade publishes with the change
    if (!(await republish(r, config, member.course.pack, rubricFor(unit)!, deps, out))) unpublished.push(unit);
  }

  if (errors.length) {
    const shown = rubricFor(defaultUnit);
    const valid = shown ? say(helpMessage(shown), locale) : '';
    replies.unshift(
      [
        say(t(`@${author}, ${errors.length === 1 ? 'un comando no se aplicó' : `${errors.length} comandos no se aplicaron`}${done.length ? ' (los demás sí)' : ''}:`, `@${author}, ${errors.length === 1 ? 'one command was not applied' : `${errors.length} commands were not applied`}${done.length ? ' (the others were)' : ''}:`), locale),
        '',
        // Each error quotes the comment's own line: rendered inert, like every text we publish.
        ...errors.map((e) => `- ${inline(e)}`),
        ...(valid ? ['', '<details><summary>' + say(t('Comandos y criterios', 'Commands and criteria'), locale) + '</summary>', '', valid, '', '</details>'] : []),
      ].join('\n'),
    );
  }
  if (unpublished.length) {
    const weeks = unpublished.map(weekNumberOf);
    replies.push(
      weeks.every((w) => w > 0)
        ? say(t(`Registrado. Todavía no hay una corrección de la semana ${weeks.join(', ')} en este pull request: el cambio se aplicará cuando se corrija.`, `Recorded. There is no grading of week ${weeks.join(', ')} on this pull request yet: the change applies when it is graded.`), locale)
        : say(t(`Registrado. Todavía no hay una corrección de ${unpublished.map(literal).join(', ')} en este pull request: el cambio se aplicará cuando se corrija.`, `Recorded. There is no grading of ${unpublished.map(literal).join(', ')} on this pull request yet: the change applies when it is graded.`), locale),
    );
  }
  for (const text of replies) reply(out, r, text);
  // A comment none of whose commands took effect is no override to guard against tampering.
  if (applied.length === 0) await deps.store.tas.setCommandOutcome(r.comment.id, 'rejected');
  return finish(log, out, errors.length ? (done.length ? 'partly-applied' : 'rejected') : 'applied', { author, status, done, errors: errors.length });
}

type Member = Extract<Membership, { status: 'member' }>;

/** The pull request, and the unit its commands act on unless they name one: its label or branch (weeks), its latest grading, else the course's at this moment. */
async function pullRequestUnit(octokit: Octokit, ref: RepoRef, r: CommandRequest, deps: CommandDeps, member: Member) {
  const { data: pr } = await octokit.rest.pulls.get({ ...ref, pull_number: r.pullRequest.number });
  const named = weekNamedBy((pr.labels ?? []).map((l) => l.name ?? ''), pr.head.ref);
  const latest = await deps.store.record.latestGradingOfPullRequest(r.repoId, r.pullRequest.number);
  const now = unitAt(member, new Date(r.deliveredAt));
  const defaultUnit = (named !== undefined && !member.assignment ? unitKey(weekUnit(named)) : undefined) ?? latest?.unit ?? ('unit' in now ? now.unit : undefined);
  return { pr, defaultUnit };
}

/** Whether `login` is the repository's student: named by the course's prefix, else one of its collaborators. */
async function isTheStudent(octokit: Octokit, ref: RepoRef, config: CourseConfig, repo: string, login: string): Promise<boolean> {
  const named = loginFromName(config, repo);
  const students = named ? [named] : await repositoryStudents(octokit, ref);
  return students.some((s) => s.toLowerCase() === login.toLowerCase());
}

/**
 * A student's `/rubrica review` lines on their own pull request: each recorded (at most
 * one open per criterion and week) and acknowledged in one reply; the TA queue shows
 * them. What the student wrote is kept as written and never echoed.
 */
async function studentReview(r: CommandRequest, deps: CommandDeps, octokit: Octokit, member: Member, parsed: readonly ParsedLine[], log: JobDeps['log'], out: ParsedPublication[]): Promise<JobResult> {
  const { config } = member.course;
  const author = r.comment.author;
  const locale = config.locale;
  const ref: RepoRef = { owner: r.owner, repo: r.repo };
  // Kept as any command comment is: an edit by someone else later changes nothing.
  await deps.store.tas.recordCommand({ commentId: r.comment.id, org: r.owner, repoId: r.repoId, pullRequest: r.pullRequest.number, author, body: r.comment.body, outcome: 'review', at: r.deliveredAt });
  const { pr, defaultUnit } = await pullRequestUnit(octokit, ref, r, deps, member);
  const own = pr.user?.login.toLowerCase() === author.toLowerCase() && pr.head.repo?.id === r.repoId;
  if (!own) {
    reply(out, r, say(t(`@${author}, pide la revisión en tu propio pull request (abierto por ti desde una rama de este repositorio). No se registró nada.`, `@${author}, ask for a review on your own pull request (opened by you from a branch of this repository). Nothing was recorded.`), locale));
    return finish(log, out, 'review-refused', { author, reason: 'not-own-pull-request' });
  }
  const lines: string[] = [];
  let recorded = 0;
  for (const line of parsed) {
    const quoted = literal(line.raw.slice(0, 120));
    if (kindOf(line) !== 'review') {
      lines.push(`${quoted} — ${say(t('solo el equipo docente puede usar este comando.', 'only the teaching team can use this command.'), locale)}`);
      continue;
    }
    if (!line.ok || line.command.kind !== 'review') {
      lines.push(`${quoted} — ${say(line.ok ? t('no se entiende.', 'not understood.') : line.error, locale)}`);
      continue;
    }
    const unit = line.command.week !== undefined ? unitKey(weekUnit(line.command.week)) : defaultUnit;
    const rubric = unit === undefined ? undefined : rubricOf(member.course, member.assignment, unit);
    if (unit === undefined || !rubric) {
      lines.push(`${quoted} — ${say(t(`no sé de qué semana es: añade \`--semana N\` (1 a ${config.weeks}).`, `I can't tell which week: add \`--week N\` (1 to ${config.weeks}).`), locale)}`);
      continue;
    }
    // Review requests are kept by week (0 for an assignment's units).
    const week = weekNumberOf(unit);
    const label = unitLabel(unit, locale);
    const invalid = validateCommand(line.command, rubric);
    if (invalid) {
      lines.push(`${quoted} — ${say(invalid, locale)}`);
      continue;
    }
    const result = await deps.store.reviews.record({ org: r.owner, installationId: r.installationId, repoId: r.repoId, repo: r.repo, pullRequest: r.pullRequest.number, week, criterion: line.command.criterion, reason: line.command.reason, student: author, commentId: r.comment.id, at: r.deliveredAt });
    const what = literal(line.command.criterion);
    if (result.status === 'already-open') {
      lines.push(say(t(`Ya tienes un pedido abierto de ${what} en ${label} (del ${result.request.at.slice(0, 10)}): un TA lo responderá; no hace falta otro.`, `You already have an open request for ${what} in ${label} (from ${result.request.at.slice(0, 10)}): a TA will answer it; no need for another.`), locale));
    } else {
      recorded++;
      lines.push(say(t(`Registré tu pedido de revisión de ${what} (${label}). Un TA lo verá y te responderá aquí.`, `Recorded your review request of ${what} (${label}). A TA will see it and answer here.`), locale));
    }
  }
  if (!recorded) {
    // Nothing recorded (repeats, mistakes): answered at most once per few minutes, like any refusal, so a flood cannot eat the shared write lane.
    await deps.store.tas.setCommandOutcome(r.comment.id, 'refused:review');
    const since = new Date(new Date(r.deliveredAt).getTime() - REFUSAL_REPLY_EVERY_MS).toISOString();
    if (await deps.store.tas.refusalAnsweredBefore({ commentId: r.comment.id, repoId: r.repoId, pullRequest: r.pullRequest.number, author, at: r.deliveredAt }, since)) {
      await deps.store.tas.setCommandOutcome(r.comment.id, 'refused-unanswered:review');
      return finish(log, out, 'review-rejected', { author, recorded, answered: false });
    }
  }
  reply(out, r, [`@${author}:`, '', ...lines.map((l) => `- ${inline(l)}`)].join('\n'));
  if (recorded) await deps.store.tas.setCommandOutcome(r.comment.id, 'review');
  return finish(log, out, recorded ? 'review-recorded' : 'review-rejected', { author, recorded });
}

/** The unit's check run and scored comment, published again with the overrides in force. */
async function republish(r: CommandRequest, config: CourseConfig, pack: Pack, rubric: Week, deps: CommandDeps, out: ParsedPublication[]): Promise<boolean> {
  const graded = await gradingShown(deps, r, rubric.unit);
  if (!graded) return false;
  out.push(...(await republished(deps, config, pack, rubric, graded, r.pullRequest.number)));
  return true;
}

/**
 * What shows a grading again as it stands (overrides, lateness): its check run, and the
 * scored comment of `pullRequest` when the course writes them. The TA commands and the
 * dashboard's actions both publish a changed unit this way.
 */
export async function republished(deps: Pick<JobDeps, 'store' | 'now'>, config: CourseConfig, pack: Pack, rubric: Week, graded: StoredGrading, pullRequest?: number): Promise<ParsedPublication[]> {
  const where = { installationId: graded.installationId, owner: graded.org, repo: graded.repo, repoId: graded.repoId };
  const view = await publicationOf(deps, config, graded, pullRequest, pack);
  const now = deps.now();
  const out = [gradedCheckRun(where, config, graded, view, now, graded.checkRunId, checkRunName(rubric, config.locale))];
  if (pullRequest !== undefined && config.comments.pullRequests) out.push(commentPublication({ ...where, pullRequest: { number: pullRequest } }, config, graded.sha, view, now));
  return out;
}


/**
 * An edit or deletion of a comment we acted on. By its author: nothing to do. By
 * anyone else: nothing changes (the record keeps the original), the tampering is
 * logged and shown to TAs in the scored comment.
 */
async function tamperCheck(r: CommandRequest, deps: CommandDeps, config: CourseConfig, pack: Pack, rubricFor: (unit: string | undefined) => Week | undefined, log: JobDeps['log'], out: ParsedPublication[]): Promise<JobResult> {
  const recorded = await deps.store.tas.commandOf(r.comment.id);
  if (!recorded || recorded.outcome !== 'accepted') return finish(log, out, 'not-a-command');
  if (r.sender === recorded.author) return finish(log, out, 'edited-by-author');
  log.warn({ author: recorded.author, by: r.sender, outcome: 'tampering' }, `a TA's command comment was ${r.action} by someone else; nothing changes`);
  await deps.store.tas.recordTampering({ repoId: r.repoId, pullRequest: r.pullRequest.number, commentId: r.comment.id, action: r.action === 'edited' ? 'edited' : 'deleted', by: r.sender, author: recorded.author, at: r.deliveredAt });
  const latest = await deps.store.record.latestGradingOfPullRequest(r.repoId, r.pullRequest.number);
  const rubric = rubricFor(latest?.unit);
  if (rubric) await republish(r, config, pack, rubric, deps, out);
  return finish(log, out, 'tampering-flagged', { by: r.sender });
}

/** The grading a unit's check run and comment show: this pull request's latest, else the repository's latest for the unit. */
async function gradingShown(deps: CommandDeps, r: CommandRequest, unit: string): Promise<StoredGrading | undefined> {
  const ofPullRequest = await deps.store.record.latestGradingOfPullRequest(r.repoId, r.pullRequest.number, unit);
  if (ofPullRequest) return ofPullRequest;
  return latestGradingOfUnit(deps.store, r.repoId, unit);
}

function reply(out: ParsedPublication[], r: CommandRequest, body: string) {
  out.push({ kind: 'reply', ...whereOf(r), pullRequest: r.pullRequest.number, body });
}


function finish(log: JobDeps['log'], publications: ParsedPublication[], outcome: string, extra: Record<string, unknown> = {}): JobResult {
  log.info({ outcome, publications: publications.length, ...extra }, `command ${outcome}`);
  return { outcome, publications };
}

