import type { Logger } from 'pino';
import { courseMomentAt, deadlineOf, type CourseMoment } from '../course/calendar.ts';
import type { CourseConfig } from '../course/config.ts';
import { loginFromName, studentOf } from '../course/load.ts';
import { isInfrastructureError } from '../core/errors.ts';
import { say, t, type Locale, type Text } from '../core/text.ts';
import { checkRunExternalId, type GradingRequest } from '../events/requests.ts';
import {
  completeCheckRun,
  completedCheckRun,
  createCompletedCheckRun,
  fetchSnapshot,
  repositoryStudents,
  statusOf,
  upsertIssueComment,
  type Octokit,
  type RepoRef,
} from '../github/api.ts';
import type { Grade } from '../grading/grade.ts';
import { checkRunName, checkRunOutput, commentMarker, conclusionOf, overrideNotes, pullRequestComment, type LateVerdict } from '../report/markdown.ts';
import { gradeWithOverrides } from '../grading/overrides.ts';
import { finalScore, lateness } from '../grading/late.ts';
import type { Pack, Week } from '../rubrics/load.ts';
import type { SnapshotSource } from '../sandbox/snapshot.ts';
import type { StoredGrading, Store } from '../store/store.ts';
import type { CourseDirectory } from './courses.ts';
import { notGradedCheckRun, notTheStudents } from './pull-request-origin.ts';
import { RetryLater, type QueuedJob } from './queue.ts';

export interface JobDeps {
  octokitFor(installationId: number): Promise<Octokit>;
  readonly courses: CourseDirectory;
  grade(request: { pack: Pack; week: Week; source: SnapshotSource; jobId: string }): Promise<Grade>;
  readonly store: Store;
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
  | 'not-graded'
  | 'outside-course'
  | 'unknown-week'
  | 'gone'
  | 'retrying'
  | 'superseded-notice'
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
    if (job.kind === 'supersede-notice') return finish(...(await tellSuperseded(job, octokit)));
    return finish(...(await gradeAndPublish(job, octokit, deps, state)));
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

async function gradeAndPublish(job: QueuedJob, octokit: Octokit, deps: JobDeps, state: JobState): Promise<[JobOutcome, Record<string, unknown>?]> {
  const r = job.request;
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
  // The course's naming gives the login; a repository recognised by topic names its students by its collaborators.
  const namedLogin = loginFromName(config, r.repo);
  const locale = config.locale;
  state.locale = locale;
  // A pull request from a fork or by an outsider is no hand-in: a neutral check run says so, nothing is recorded.
  const deliveries = r.trigger === 'push' ? [] : await deps.store.deliveriesOf(r.repoId, r.sha);
  const outsider = await notTheStudents(octokit, ref, config, r, deliveries, namedLogin);
  if (outsider) {
    await completedCheckRun(octokit, ref, { name: 'Rubrica', sha: r.sha, conclusion: 'neutral', ...notGradedCheckRun(outsider, locale) });
    return ['not-graded', { reason: outsider.reason }];
  }

  // The week: named by the pull request or the re-run check run, else the calendar at delivery.
  let week = r.week;
  let deliveredAt = r.deliveredAt;
  if (r.trigger === 'rerun') {
    // A re-run or regrade is dated by its own commit's delivery, never by another commit's nor by the re-run's.
    const previous = week === undefined ? await deps.store.latestGradingOf(r.repoId, r.sha) : undefined;
    if (previous) ({ week, deliveredAt } = previous);
    deliveredAt = deliveries[0]?.deliveredAt ?? deliveredAt;
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
  // A check run this commit and week already has (re-run, a queued one): graded into, also when grading fails for good.
  const known = r.checkRunId !== undefined ? { id: r.checkRunId } : (await deps.store.checkRunFor(r.repoId, r.sha, week)) ?? (job.checkRunId ? { id: job.checkRunId } : undefined);
  if (known) state.checkRun = known;

  // A job resumed after a crash finds its own grading and only publishes it.
  const own = await deps.store.gradingOfJob(job.id);
  const previous = own ? undefined : await deps.store.latestGradingOf(r.repoId, r.sha, week);
  if (previous && r.trigger !== 'rerun') {
    // The same commit came by push and by pull request: graded once, commented where due.
    if (r.pullRequest && config.comments.pullRequests) {
      const view = await publicationOf(deps, config, previous, r.pullRequest.number);
      await publishComment(octokit, ref, r, config, view.grade, previous.checkRunUrl, deps, deps.now(), view.verdict, view.taNotes);
    }
    return ['already-graded'];
  }

  let graded: StoredGrading;
  if (own) {
    graded = own;
  } else {
    const fetchStarted = performance.now();
    const [source, students] = await Promise.all([fetchSnapshot(octokit, ref, r.sha), namedLogin ? [namedLogin] : repositoryStudents(octokit, ref)]);
    const fetchMs = Math.round(performance.now() - fetchStarted);
    const grade = await deps.grade({ pack, week: rubric, source, jobId: `gh-${r.repoId}-${r.sha.slice(0, 12)}-w${week}` });
    state.timings = { fetchMs, gradeMs: grade.timings.totalMs };
    const extension = await deps.store.extensionFor(r.repoId, week);
    const late = lateness(config, week, new Date(deliveredAt), extension?.minutes ?? 0);
    const { penalty, finalScore: final } = finalScore(grade.score, grade.maxScore, late);
    graded = {
      jobId: job.id,
      installationId: r.installationId,
      org: r.owner,
      repoId: r.repoId,
      repo: r.repo,
      students,
      week,
      sha: r.sha,
      deliveredAt,
      gradedAt: deps.now().toISOString(),
      trigger: r.trigger,
      ...(r.pullRequest ? { pullRequest: r.pullRequest.number } : {}),
      packName: grade.pack,
      packHash: grade.packHash,
      image: grade.image,
      imageId: grade.imageId,
      score: grade.score,
      maxScore: grade.maxScore,
      pendingPoints: grade.pendingPoints,
      errorPoints: grade.errorPoints,
      criteria: grade.criteria.map((c) => ({ id: c.id, maxScore: c.maxScore, score: c.score, status: c.status })),
      late,
      penalty,
      finalScore: final,
      grade,
    };
    // Recorded before anything is published: a crash from here on publishes this grading, never a second one.
    await deps.store.recordGrading(graded);
    await deps.store.saveCourse(r.owner, { weeks: config.weeks, counts: config.counts, config });
  }
  const view = await publicationOf(deps, config, graded, r.pullRequest?.number);
  const { grade, verdict, conclusion } = view;

  const now = deps.now();
  const reveal = now.getTime() > deadlineOf(config, week).getTime();
  const output = checkRunOutput(grade, { locale, reveal, late: verdict, taNotes: view.taNotes });
  const publishStarted = performance.now();
  // One write when the job starts promptly: the check run is created already completed.
  if (known) await completeCheckRun(octokit, ref, known.id, { name, conclusion, output });
  const checkRun = known ?? (await createCompletedCheckRun(octokit, ref, { name, sha: r.sha, externalId: checkRunExternalId(week, deliveredAt), conclusion, output }));
  state.checkRun = checkRun;
  await deps.store.saveCheckRun(r.repoId, r.sha, week, checkRun);
  await deps.store.markPublished(job.id, checkRun);
  if (r.pullRequest && config.comments.pullRequests) {
    await publishComment(octokit, ref, r, config, grade, checkRun.url, deps, now, verdict, view.taNotes);
  } else if (!r.pullRequest && config.comments.commits && r.trigger === 'push') {
    const body = pullRequestComment(grade, { locale, reveal, late: verdict, commit: r.sha, ...(checkRun.url ? { checkRunUrl: checkRun.url } : {}) });
    await octokit.rest.repos.createCommitComment({ ...ref, commit_sha: r.sha, body });
  }
  state.timings = { ...state.timings, publishMs: Math.round(performance.now() - publishStarted) };
  return ['graded', { score: grade.score, maxScore: grade.maxScore, penalty: verdict.penalty, finalScore: verdict.finalScore, overrides: grade.criteria.filter((c) => c.override).length, annotations: output.annotations.length, student, resumed: Boolean(own) }];
}

/** A commit whose waiting job a newer push replaced, and which already showed a check run: say by which commit. */
async function tellSuperseded(job: QueuedJob, octokit: Octokit): Promise<[JobOutcome, Record<string, unknown>?]> {
  const r = job.request;
  if (!r.checkRunId || !r.supersededBy) return ['superseded-notice'];
  await completeAsSuperseded(octokit, { owner: r.owner, repo: r.repo }, r.checkRunId, r.supersededBy);
  return ['superseded-notice', { supersededBy: r.supersededBy }];
}

/** Ends a waiting commit's check run: a newer push replaced it before it was graded. */
export async function completeAsSuperseded(octokit: Octokit, ref: RepoRef, checkRunId: number, bySha: string): Promise<void> {
  const by = bySha.slice(0, 7);
  await octokit.rest.checks.update({
    ...ref,
    check_run_id: checkRunId,
    status: 'completed',
    conclusion: 'skipped',
    completed_at: new Date().toISOString(),
    output: {
      title: `Reemplazado por ${by} / Superseded by ${by}`,
      summary: `Llegó un push más nuevo (${bySha}) antes de que este commit se corrigiera: se corrige ese, que incluye este trabajo.\n\nA newer push (${bySha}) arrived before this commit was graded: that one is graded, and it includes this work.`,
    },
  });
}

/**
 * How a recorded grading is shown: with the TAs' overrides for its week (the late
 * penalty applied to the overridden score), and notes for TAs.
 */
export async function publicationOf(deps: Pick<JobDeps, 'store'>, config: CourseConfig, graded: StoredGrading, pullRequest?: number) {
  const overrides = await deps.store.overrides({ repoId: graded.repoId, week: graded.week });
  const grade = gradeWithOverrides(graded.grade, overrides);
  // The penalty is taken from the score as it stands, TAs' overrides included.
  const verdict: LateVerdict = { late: graded.late, ...finalScore(grade.score, grade.maxScore, graded.late), timeZone: config.timezone };
  const conclusion = conclusionOf(grade, config.belowPassMark, verdict);
  const es = config.locale === 'es';
  const tampering = pullRequest === undefined ? [] : await deps.store.tamperingOf(graded.repoId, pullRequest);
  const taNotes = [
    ...overrideNotes(grade, config.locale),
    ...tampering.map((t) =>
      es
        ? `⚠️ Un comentario con comandos de ${t.author} fue ${t.action === 'edited' ? 'editado' : 'borrado'} por ${t.by} (${t.at.slice(0, 16).replace('T', ' ')} UTC). No cambió nada: el registro conserva el comando original.`
        : `⚠️ A comment with commands by ${t.author} was ${t.action} by ${t.by} (${t.at.slice(0, 16).replace('T', ' ')} UTC). Nothing changed: the record keeps the original command.`,
    ),
  ];
  return { grade, verdict, conclusion, taNotes };
}

export async function publishComment(octokit: Octokit, ref: RepoRef, r: Pick<GradingRequest, 'pullRequest' | 'repoId' | 'sha'>, config: CourseConfig, grade: Grade, checkRunUrl: string | undefined, deps: Pick<JobDeps, 'store' | 'botLogin'>, now: Date, late?: LateVerdict, taNotes?: readonly string[]) {
  const pr = r.pullRequest!.number;
  const reveal = now.getTime() > deadlineOf(config, grade.week).getTime();
  const body = pullRequestComment(grade, { locale: config.locale, reveal, commit: r.sha, ...(late ? { late } : {}), ...(taNotes?.length ? { taNotes } : {}), ...(checkRunUrl ? { checkRunUrl } : {}) });
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
