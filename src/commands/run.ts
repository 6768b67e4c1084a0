import { courseMomentAt, weekNamedBy } from '../course/calendar.ts';
import type { CourseConfig } from '../course/config.ts';
import { studentOf } from '../course/load.ts';
import { literal, say, t } from '../core/text.ts';
import type { CommandRequest, GradingRequest } from '../events/requests.ts';
import { statusOf, type RepoRef } from '../github/api.ts';
import { taStatus } from '../github/teams.ts';
import { measuredLateness } from '../grading/late.ts';
import { checkRunName } from '../report/markdown.ts';
import { inline } from '../report/markup.ts';
import type { Pack, Week } from '../rubrics/load.ts';
import type { StoredGrading } from '../store/store.ts';
import { commentPublication, gradedCheckRun, publicationOf, whereOf, type JobDeps } from '../jobs/grading-job.ts';
import type { ParsedPublication } from '../outbox/publications.ts';
import { LeaseLost } from '../jobs/lease.ts';
import { RetryLater, type JobResult, type QueuedJob } from '../jobs/queue.ts';
import { helpMessage, parseCommands, validateCommand, type Command } from './parse.ts';

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
  const { config, pack } = setup;
  if (studentOf(config, { name: r.repo, topics: r.topics }) === null) return finish(log, out, 'not-a-student-repo');
  const locale = config.locale;

  if (r.action !== 'created') return tamperCheck(r, deps, config, pack, log, out);

  const author = r.comment.author;
  const status = await taStatus(octokit, r.owner, config.tas, author);
  if (status === 'none' || status === 'pending') {
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

  const { data: pr } = await octokit.rest.pulls.get({ ...ref, pull_number: r.pullRequest.number });
  const named = weekNamedBy((pr.labels ?? []).map((l) => l.name ?? ''), pr.head.ref);
  const latest = await deps.store.record.latestGradingOfPullRequest(r.repoId, r.pullRequest.number);
  const calendar = courseMomentAt(config, new Date(r.deliveredAt));
  const defaultWeek = named ?? latest?.week ?? (calendar.status === 'week' ? calendar.week : undefined);

  const errors: string[] = [];
  const done: string[] = [];
  const replies: string[] = [];
  const touched = new Set<number>();
  const regrades = new Set<number>();
  const parsed = parseCommands(r.comment.body);
  const applied: { command: Command; week: number }[] = [];
  for (const line of parsed) {
    if (!line.ok) {
      errors.push(`${literal(line.raw.slice(0, 120))} — ${say(line.error, locale)}`);
      continue;
    }
    const week = line.command.week ?? defaultWeek;
    const rubric = week === undefined ? undefined : pack.weeks.get(week);
    if (week === undefined || !rubric || week < 1 || week > config.weeks) {
      errors.push(`${literal(line.raw.slice(0, 120))} — ${say(t(`no sé de qué semana es este pull request: añade \`--semana N\` (1 a ${config.weeks}).`, `I can't tell this pull request's week: add \`--week N\` (1 to ${config.weeks}).`), locale)}`);
      continue;
    }
    const invalid = validateCommand(line.command, rubric);
    if (invalid) {
      errors.push(`${literal(line.raw.slice(0, 120))} — ${say(invalid, locale)}`);
      continue;
    }
    applied.push({ command: line.command, week });
  }

  // Accepted commands are acknowledged at once, before the slower republishing.
  if (applied.length) out.push({ kind: 'reaction', ...whereOf(r), commentId: r.comment.id, content: '+1' });

  for (const { command, week } of applied) {
    const rubric = pack.weeks.get(week)!;
    const graded = await gradingShown(deps, r, week);
    const base = { org: r.owner, repoId: r.repoId, week, by: author, at: r.deliveredAt, commentId: r.comment.id };
    if (command.kind === 'override' || command.kind === 'manual') {
      const automatic = graded?.criteria.find((c) => c.id === command.criterion)?.score ?? null;
      await deps.store.tas.saveOverride({ ...base, action: command.kind, criterion: command.criterion, points: command.points, reason: command.reason, automaticPoints: automatic });
      done.push(`${command.kind} ${command.criterion} ${command.points} (w${week})`);
      touched.add(week);
    } else if (command.kind === 'clear') {
      const current = (await deps.store.tas.overrides({ repoId: r.repoId, week })).find((o) => o.criterion === command.criterion);
      if (!current) {
        errors.push(say(t(`\`${command.criterion}\` no tiene un ajuste en la semana ${week}: no hay nada que quitar.`, `\`${command.criterion}\` has no override in week ${week}: nothing to clear.`), locale));
        continue;
      }
      await deps.store.tas.saveOverride({ ...base, action: 'clear', criterion: command.criterion, automaticPoints: current.automaticPoints });
      done.push(`clear ${command.criterion} (w${week})`);
      touched.add(week);
    } else if (command.kind === 'extend') {
      await deps.store.record.saveExtension({ org: r.owner, repoId: r.repoId, week, minutes: command.minutes, grantedBy: author, grantedAt: r.deliveredAt, ...(command.reason ? { reason: command.reason } : {}) });
      // Lateness is a record too: every grading of the week is measured again against the new deadline.
      for (const g of await deps.store.record.gradings({ repoId: r.repoId, week })) {
        const measured = measuredLateness(config, week, new Date(g.deliveredAt), command.minutes, g.score, g.maxScore);
        await deps.store.record.updateLateness(g.jobId, measured.late, measured.penalty, measured.finalScore);
      }
      done.push(`extend ${command.minutes}m (w${week})`);
      touched.add(week);
    } else if (command.kind === 'regrade') {
      regrades.add(week);
      done.push(`regrade (w${week})`);
    } else {
      replies.push(say(helpMessage(rubric), locale));
    }
  }

  for (const week of regrades) {
    await deps.enqueueGrading({
      deliveryId: `${r.deliveryId}:regrade:${week}`,
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
      week,
    });
  }
  const unpublished: number[] = [];
  for (const week of touched) {
    if (regrades.has(week)) continue; // the regrade publishes with the change
    if (!(await republish(r, config, pack, pack.weeks.get(week)!, deps, out))) unpublished.push(week);
  }

  if (errors.length) {
    const valid = defaultWeek !== undefined && pack.weeks.get(defaultWeek) ? say(helpMessage(pack.weeks.get(defaultWeek)!), locale) : '';
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
    replies.push(say(t(`Registrado. Todavía no hay una corrección de la semana ${unpublished.join(', ')} en este pull request: el cambio se aplicará cuando se corrija.`, `Recorded. There is no grading of week ${unpublished.join(', ')} on this pull request yet: the change applies when it is graded.`), locale));
  }
  for (const text of replies) reply(out, r, text);
  // A comment none of whose commands took effect is no override to guard against tampering.
  if (applied.length === 0) await deps.store.tas.setCommandOutcome(r.comment.id, 'rejected');
  return finish(log, out, errors.length ? (done.length ? 'partly-applied' : 'rejected') : 'applied', { author, status, done, errors: errors.length });
}

/** The week's check run and scored comment, published again with the overrides in force. */
async function republish(r: CommandRequest, config: CourseConfig, pack: Pack, rubric: Week, deps: CommandDeps, out: ParsedPublication[]): Promise<boolean> {
  const week = rubric.week;
  const graded = await gradingShown(deps, r, week);
  if (!graded) return false;
  const view = await publicationOf(deps, config, graded, r.pullRequest.number, pack);
  const now = deps.now();
  out.push(gradedCheckRun(r, config, graded, view, now, graded.checkRunId, checkRunName({ week, title: rubric.title }, config.locale)));
  if (config.comments.pullRequests) out.push(commentPublication(r, config, graded.sha, view, now));
  return true;
}

/**
 * An edit or deletion of a comment we acted on. By its author: nothing to do. By
 * anyone else: nothing changes (the record keeps the original), the tampering is
 * logged and shown to TAs in the scored comment.
 */
async function tamperCheck(r: CommandRequest, deps: CommandDeps, config: CourseConfig, pack: Pack, log: JobDeps['log'], out: ParsedPublication[]): Promise<JobResult> {
  const recorded = await deps.store.tas.commandOf(r.comment.id);
  if (!recorded || recorded.outcome !== 'accepted') return finish(log, out, 'not-a-command');
  if (r.sender === recorded.author) return finish(log, out, 'edited-by-author');
  log.warn({ author: recorded.author, by: r.sender, outcome: 'tampering' }, `a TA's command comment was ${r.action} by someone else; nothing changes`);
  await deps.store.tas.recordTampering({ repoId: r.repoId, pullRequest: r.pullRequest.number, commentId: r.comment.id, action: r.action === 'edited' ? 'edited' : 'deleted', by: r.sender, author: recorded.author, at: r.deliveredAt });
  const latest = await deps.store.record.latestGradingOfPullRequest(r.repoId, r.pullRequest.number);
  if (latest && pack.weeks.get(latest.week)) await republish(r, config, pack, pack.weeks.get(latest.week)!, deps, out);
  return finish(log, out, 'tampering-flagged', { by: r.sender });
}

/** The grading a week's check run and comment show: this pull request's latest, else the repository's latest for the week. */
async function gradingShown(deps: CommandDeps, r: CommandRequest, week: number): Promise<StoredGrading | undefined> {
  const ofPullRequest = await deps.store.record.latestGradingOfPullRequest(r.repoId, r.pullRequest.number, week);
  if (ofPullRequest) return ofPullRequest;
  return [...(await deps.store.record.gradings({ repoId: r.repoId, week }))].sort((a, b) => a.gradedAt.localeCompare(b.gradedAt)).at(-1);
}

function reply(out: ParsedPublication[], r: CommandRequest, body: string) {
  out.push({ kind: 'reply', ...whereOf(r), pullRequest: r.pullRequest.number, body });
}


function finish(log: JobDeps['log'], publications: ParsedPublication[], outcome: string, extra: Record<string, unknown> = {}): JobResult {
  log.info({ outcome, publications: publications.length, ...extra }, `command ${outcome}`);
  return { outcome, publications };
}

