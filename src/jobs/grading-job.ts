import type { Logger } from 'pino';
import { courseMomentAt, deadlineOf, type CourseMoment } from '../course/calendar.ts';
import type { CourseConfig } from '../course/config.ts';
import { studentOf } from '../course/load.ts';
import { isInfrastructureError } from '../core/errors.ts';
import { say, t, type Locale, type Text } from '../core/text.ts';
import { checkRunExternalId, type GradingRequest } from '../events/requests.ts';
import {
  completeCheckRun,
  completedCheckRun,
  createCheckRun,
  fetchSnapshot,
  markInProgress,
  statusOf,
  upsertIssueComment,
  type Octokit,
  type RepoRef,
} from '../github/api.ts';
import type { Grade } from '../grading/grade.ts';
import { checkRunName, checkRunOutput, commentMarker, conclusionOf, pullRequestComment } from '../report/markdown.ts';
import type { Pack, Week } from '../rubrics/load.ts';
import type { SnapshotSource } from '../sandbox/snapshot.ts';
import type { ReportStore } from '../store/memory.ts';
import type { CourseDirectory } from './courses.ts';
import { RetryLater, type QueuedJob } from './queue.ts';

export interface JobDeps {
  octokitFor(installationId: number): Promise<Octokit>;
  readonly courses: CourseDirectory;
  grade(request: { pack: Pack; week: Week; source: SnapshotSource; jobId: string }): Promise<Grade>;
  readonly store: ReportStore;
  readonly log: Logger;
  /** `<app-slug>[bot]`: the author of our comments. */
  readonly botLogin: string;
  now(): Date;
}

/** How a job ended, for the one log line it leaves. */
export type JobOutcome =
  | 'graded'
  | 'already-graded'
  | 'not-configured'
  | 'not-a-student-repo'
  | 'outside-course'
  | 'unknown-week'
  | 'gone'
  | 'retrying'
  | 'infrastructure-error';

/**
 * One grading, start to end: course → week → check run → snapshot → grade → check run
 * and comment. Failures of ours are retried by the queue (the check run stays in
 * progress) and, once retries are spent, end as a neutral check run that says so —
 * never as a score.
 */
export async function runGradingJob(job: QueuedJob, deps: JobDeps): Promise<JobOutcome> {
  const r = job.request;
  const started = performance.now();
  const log = deps.log.child({ deliveryId: r.deliveryId, repo: `${r.owner}/${r.repo}`, sha: r.sha, trigger: r.trigger, attempt: job.attempt });
  const state: JobState = {};
  const finish = (outcome: JobOutcome, extra: Record<string, unknown> = {}) => {
    log.info({ outcome, week: state.week, ms: Math.round(performance.now() - started), ...state.timings, ...extra }, `job ${outcome}`);
    return outcome;
  };
  let octokit: Octokit | undefined;
  try {
    octokit = await deps.octokitFor(r.installationId);
    return finish(...(await gradeAndPublish(r, octokit, deps, state)));
  } catch (error) {
    const status = statusOf(error);
    if (status === 401 || status === 404 || status === 410) {
      // The repository was deleted or the app uninstalled meanwhile: nothing left to tell.
      return finish('gone', { status });
    }
    const retryable = isInfrastructureError(error) || status === undefined || status >= 500 || status === 429 || status === 403;
    if (retryable && !job.lastAttempt) {
      log.warn({ err: describe(error), week: state.week }, 'failure of ours; the job will be retried');
      finish('retrying');
      throw new RetryLater(error);
    }
    log.error({ err: describe(error), week: state.week }, 'grading failed on our side; shown to the student as not graded');
    if (octokit) await reportInfrastructureFailure(octokit, r, state, error).catch((e: unknown) => log.error({ err: describe(e) }, 'could not report the failure'));
    return finish('infrastructure-error');
  }
}

interface JobState {
  week?: number;
  locale?: Locale;
  checkRun?: { id: number; url?: string };
  name?: string;
  timings?: Record<string, number>;
}

async function gradeAndPublish(r: GradingRequest, octokit: Octokit, deps: JobDeps, state: JobState): Promise<[JobOutcome, Record<string, unknown>?]> {
  const ref: RepoRef = { owner: r.owner, repo: r.repo };
  const setup = await deps.courses.get(octokit, r.owner);
  if (setup.status !== 'ready') {
    await deps.courses.tellInstructors(octokit, r.owner, setup);
    await completedCheckRun(octokit, ref, {
      name: 'Rubrica',
      sha: r.sha,
      conclusion: 'neutral',
      title: 'Corrección no configurada / Grading is not configured',
      summary: [
        'Rubrica todavía no corrige en este curso: la configuración del curso falta o tiene errores, y el equipo docente ya fue avisado. No tienes que hacer nada; tu push quedará corregido cuando la arreglen y vuelvas a hacer push (o pulses «Re-run»).',
        '',
        "Rubrica is not grading this course yet: the course configuration is missing or has errors, and your instructors have been told. Nothing to do on your side; push again (or press “Re-run”) once they fix it.",
      ].join('\n'),
    });
    return ['not-configured', { problem: setup.status }];
  }
  const { config, pack } = setup;
  const student = studentOf(config, { name: r.repo, topics: r.topics });
  if (student === null) return ['not-a-student-repo'];
  const locale = config.locale;
  state.locale = locale;

  // The week: named by the pull request or the re-run check run, else the calendar at delivery.
  let week = r.week;
  let deliveredAt = r.deliveredAt;
  if (week === undefined && r.trigger === 'rerun') {
    const previous = await deps.store.latestGradeForCommit(r.repoId, r.sha);
    if (previous) ({ week, deliveredAt } = previous);
  }
  if (week === undefined) {
    const moment = courseMomentAt(config, new Date(deliveredAt));
    if (moment.status !== 'week') {
      await completedCheckRun(octokit, ref, { name: 'Rubrica', sha: r.sha, conclusion: 'neutral', ...outsideCourse(moment, locale) });
      return ['outside-course', { moment: moment.status }];
    }
    week = moment.week;
  }
  state.week = week;
  const rubric = pack.weeks.get(week);
  if (week < 1 || week > config.weeks || !rubric) {
    await completedCheckRun(octokit, ref, {
      name: 'Rubrica',
      sha: r.sha,
      conclusion: 'neutral',
      title: say(t(`La semana ${week} no existe`, `Week ${week} does not exist`), locale),
      summary: say(
        t(
          `Este pull request nombra la semana ${week} (etiqueta o rama), pero el curso tiene las semanas 1 a ${config.weeks}. Corrige la etiqueta \`semana-N\` o el nombre de la rama.`,
          `This pull request names week ${week} (label or branch), but the course has weeks 1 to ${config.weeks}. Fix the \`week-N\` label or the branch name.`,
        ),
        locale,
      ),
    });
    return ['unknown-week'];
  }
  const name = checkRunName({ week, title: rubric.title }, locale);
  state.name = name;

  const previous = await deps.store.gradeFor(r.repoId, r.sha, week);
  if (previous && r.trigger !== 'rerun') {
    // The same commit came by push and by pull request: graded once, commented where due.
    if (r.pullRequest && config.comments.pullRequests) await publishComment(octokit, ref, r, config, previous.grade, previous.checkRunUrl, deps, deps.now());
    return ['already-graded'];
  }

  const externalId = checkRunExternalId(week, deliveredAt);
  const known = r.checkRunId !== undefined ? { id: r.checkRunId } : await deps.store.checkRunFor(r.repoId, r.sha, week);
  if (known) {
    await markInProgress(octokit, ref, known.id, name);
    state.checkRun = known;
  } else {
    state.checkRun = await createCheckRun(octokit, ref, { name, sha: r.sha, externalId, status: 'in_progress' });
    await deps.store.saveCheckRun(r.repoId, r.sha, week, state.checkRun);
  }

  const fetchStarted = performance.now();
  const source = await fetchSnapshot(octokit, ref, r.sha);
  const fetchMs = Math.round(performance.now() - fetchStarted);
  const grade = await deps.grade({ pack, week: rubric, source, jobId: `gh-${r.repoId}-${r.sha.slice(0, 12)}-w${week}` });
  state.timings = { fetchMs, gradeMs: grade.timings.totalMs };

  const now = deps.now();
  const reveal = now.getTime() > deadlineOf(config, week).getTime();
  const output = checkRunOutput(grade, { locale, reveal });
  const publishStarted = performance.now();
  await completeCheckRun(octokit, ref, state.checkRun.id, { name, conclusion: conclusionOf(grade, config.belowPassMark), output });
  await deps.store.saveGrade({ repoId: r.repoId, sha: r.sha, week, deliveredAt, grade, checkRunId: state.checkRun.id, ...(state.checkRun.url ? { checkRunUrl: state.checkRun.url } : {}) });
  if (r.pullRequest && config.comments.pullRequests) {
    await publishComment(octokit, ref, r, config, grade, state.checkRun.url, deps, now);
  } else if (!r.pullRequest && config.comments.commits && r.trigger === 'push') {
    const body = pullRequestComment(grade, { locale, reveal, commit: r.sha, ...(state.checkRun.url ? { checkRunUrl: state.checkRun.url } : {}) });
    await octokit.rest.repos.createCommitComment({ ...ref, commit_sha: r.sha, body });
  }
  state.timings.publishMs = Math.round(performance.now() - publishStarted);
  return ['graded', { score: grade.score, maxScore: grade.maxScore, annotations: output.annotations.length, student }];
}

async function publishComment(octokit: Octokit, ref: RepoRef, r: GradingRequest, config: CourseConfig, grade: Grade, checkRunUrl: string | undefined, deps: JobDeps, now: Date) {
  const pr = r.pullRequest!.number;
  const reveal = now.getTime() > deadlineOf(config, grade.week).getTime();
  const body = pullRequestComment(grade, { locale: config.locale, reveal, commit: r.sha, ...(checkRunUrl ? { checkRunUrl } : {}) });
  const commentId = await deps.store.commentFor(r.repoId, pr, grade.week);
  const result = await upsertIssueComment(octokit, ref, pr, body, {
    ...(commentId !== undefined ? { commentId } : {}),
    marker: commentMarker(grade.week),
    botLogin: deps.botLogin,
  });
  await deps.store.saveComment(r.repoId, pr, grade.week, result.id);
}

function outsideCourse(moment: Exclude<CourseMoment, { status: 'week' }>, locale: Locale): { title: string; summary: string } {
  const text: { title: Text; summary: Text } =
    moment.status === 'before'
      ? {
          title: t('El curso todavía no empezó', 'The course has not started yet'),
          summary: t(`El curso empieza el ${moment.startsOn}; desde ese día cada push se corrige con la rúbrica de su semana.`, `The course starts on ${moment.startsOn}; from then on every push is graded against its week's rubric.`),
        }
      : moment.status === 'after'
        ? {
            title: t('El curso terminó', 'The course has ended'),
            summary: t(`El curso terminó el ${moment.endedOn}; este push no se corrige. Si crees que es un error, habla con tu equipo docente.`, `The course ended on ${moment.endedOn}; this push is not graded. If you think this is a mistake, talk to your instructors.`),
          }
        : {
            title: t(`Receso${moment.name ? `: ${moment.name}` : ''}`, `Break${moment.name ? `: ${moment.name}` : ''}`),
            summary: t(`Esta semana no hay entrega; el curso sigue el ${moment.resumesOn}. Para entregar una semana concreta, abre un pull request con la etiqueta \`semana-N\`.`, `There is nothing due this week; the course resumes on ${moment.resumesOn}. To hand in a given week, open a pull request labelled \`week-N\`.`),
          };
  return { title: say(text.title, locale), summary: say(text.summary, locale) };
}

async function reportInfrastructureFailure(octokit: Octokit, r: GradingRequest, state: JobState, error: unknown) {
  const locale = state.locale ?? 'es';
  const reason = isInfrastructureError(error) ? error.text : t('GitHub o el corrector no respondieron.', 'GitHub or the grader did not answer.');
  const title = say(t('No se pudo corregir (problema nuestro)', 'Could not grade (our problem)'), locale);
  const summary = say(
    t(
      `${reason.es}\n\nNo es un problema de tu entrega y no cuenta como nota. El equipo docente lo ve; pulsa «Re-run» más tarde o vuelve a hacer push.`,
      `${reason.en}\n\nThis is not a problem with your work and does not count as a grade. Your instructors can see it; press “Re-run” later or push again.`,
    ),
    locale,
  );
  const ref = { owner: r.owner, repo: r.repo };
  if (state.checkRun) {
    await octokit.rest.checks.update({ ...ref, check_run_id: state.checkRun.id, status: 'completed', conclusion: 'neutral', completed_at: new Date().toISOString(), output: { title, summary } });
  } else {
    await completedCheckRun(octokit, ref, { name: state.name ?? 'Rubrica', sha: r.sha, conclusion: 'neutral', title, summary, ...(state.week ? { externalId: checkRunExternalId(state.week, r.deliveredAt) } : {}) });
  }
}

function describe(error: unknown): Record<string, unknown> {
  if (error instanceof Error) return { name: error.name, message: error.message, status: statusOf(error), code: (error as { code?: string }).code };
  return { message: String(error) };
}
