import type { Logger } from 'pino';
import { courseMomentAt, deadlineOf, type CourseMoment } from '../course/calendar.ts';
import type { CourseConfig } from '../course/config.ts';
import { loginFromName, studentOf } from '../course/load.ts';
import { isInfrastructureError } from '../core/errors.ts';
import { say, t, type Locale, type Text } from '../core/text.ts';
import { checkRunExternalId, type GradingRequest } from '../events/requests.ts';
import { fetchSnapshot, repositoryStudents, statusOf, type Octokit, type RepoRef } from '../github/api.ts';
import type { Grade } from '../grading/grade.ts';
import type { ParsedPublication } from '../outbox/publications.ts';
import { checkRunName, checkRunOutput, commentMarker, conclusionOf, overrideNotes, type LateVerdict, type RenderOptions } from '../report/markdown.ts';
import { gradeWithOverrides } from '../grading/overrides.ts';
import type { FinalGrade } from '../grading/final-grade.ts';
import { dueBy, finalScore, measuredLateness } from '../grading/late.ts';
import { gradebook } from '../report/gradebook.ts';
import { unitCriteria, type Pack, type Week } from '../rubrics/load.ts';
import type { SnapshotSource } from '../sandbox/snapshot.ts';
import type { StoredGrading, Store } from '../store/store.ts';
import type { CourseDirectory } from './courses.ts';
import { LeaseLost, type JobLease } from './lease.ts';
import { notGradedCheckRun, notTheStudents } from './pull-request-origin.ts';
import { RetryLater, type JobResult, type QueuedJob } from './queue.ts';

export interface JobDeps {
  /** A client for the installation's reads (jobs never write to GitHub: the outbox does). */
  octokitFor(installationId: number, lease?: JobLease): Promise<Octokit>;
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
 * One grading, start to end: course → week → snapshot → grade → the grading and what
 * to tell GitHub (check run, comment), recorded together once the sandbox is done;
 * the outbox publishes them at GitHub's pace. Failures of ours are retried by the
 * queue and, once retries are spent, end as a neutral check run that says so —
 * never as a score.
 */
export async function runGradingJob(job: QueuedJob, deps: JobDeps): Promise<JobResult> {
  const r = job.request;
  const started = performance.now();
  const log = deps.log.child({ deliveryId: r.deliveryId, repo: `${r.owner}/${r.repo}`, sha: r.sha, trigger: r.trigger, attempt: job.attempt });
  const state: JobState = {};
  const finish = ([outcome, extra = {}, made = {}]: Step, failed = false): JobResult => {
    log.info({ outcome, week: state.week, ms: Math.round(performance.now() - started), ...state.timings, publications: made.publications?.length ?? 0, ...extra }, `job ${outcome}`);
    return { outcome, state: failed ? 'failed' : 'done', ...made };
  };
  try {
    const octokit = await deps.octokitFor(r.installationId, job.lease);
    if (job.kind === 'supersede-notice') return finish(tellSuperseded(job));
    return finish(await gradeAndPublish(job, octokit, deps, state));
  } catch (error) {
    // Another worker has the job: nothing more is written, not even a failure.
    if (error instanceof LeaseLost || job.lease.signal.aborted) throw error;
    const status = statusOf(error);
    if (status === 401 || status === 404 || status === 410) {
      // The repository was deleted or the app uninstalled meanwhile: nothing left to tell.
      return finish(['gone', { status }]);
    }
    const retryable = isInfrastructureError(error) || status === undefined || status >= 500 || status === 429 || status === 403;
    if (retryable && !job.lastAttempt) {
      log.warn({ err: describe(error), week: state.week }, 'failure of ours; the job will be retried');
      finish(['retrying']);
      throw new RetryLater(error);
    }
    log.error({ err: describe(error), week: state.week }, 'grading failed on our side; shown to the student as not graded');
    return finish(['infrastructure-error', {}, { publications: [infrastructureFailure(r, state, error)] }], true);
  }
}

/** What a job step decided: its outcome, log fields, and what it made. */
type Step = [JobOutcome, Record<string, unknown>?, { grading?: StoredGrading; publications?: ParsedPublication[] }?];

interface JobState {
  week?: number;
  locale?: Locale;
  checkRunId?: number;
  name?: string;
  timings?: Record<string, number>;
}

/** Where a request's check run and comments go. */
export function whereOf(r: Pick<GradingRequest, 'installationId' | 'owner' | 'repo' | 'repoId'>) {
  return { installationId: r.installationId, owner: r.owner, repo: r.repo, repoId: r.repoId };
}

/** A check run without a grade (not configured, outside the course): neutral, named Rubrica, of no week. */
function neutralCheckRun(r: GradingRequest, text: { title: string; summary: string }): ParsedPublication {
  return { kind: 'check-run', ...whereOf(r), sha: r.sha, week: 0, name: 'Rubrica', status: 'completed', conclusion: 'neutral', output: { ...text, annotations: [] } };
}

async function gradeAndPublish(job: QueuedJob, octokit: Octokit, deps: JobDeps, state: JobState): Promise<Step> {
  const r = job.request;
  const ref: RepoRef = { owner: r.owner, repo: r.repo };
  const setup = await deps.courses.get(octokit, r.owner);
  if (setup.status !== 'ready') {
    const toInstructors = deps.courses.tellInstructors(r.installationId, r.owner, setup);
    const toStudent = neutralCheckRun(r, {
      title: 'Corrección no configurada / Grading is not configured',
      summary: [
        'Rubrica todavía no corrige en este curso: la configuración del curso falta o tiene errores, y el equipo docente ya fue avisado. No tienes que hacer nada; tu push quedará corregido cuando la arreglen y vuelvas a hacer push (o pulses «Re-run»).',
        '',
        "Rubrica is not grading this course yet: the course configuration is missing or has errors, and your instructors have been told. Nothing to do on your side; push again (or press “Re-run”) once they fix it.",
      ].join('\n'),
    });
    return ['not-configured', { problem: setup.status }, { publications: [...(toInstructors ? [toInstructors] : []), toStudent] }];
  }
  const { config, pack } = setup;
  const student = studentOf(config, { name: r.repo, topics: r.topics });
  if (student === null) return ['not-a-student-repo'];
  // The course's naming gives the login; a repository recognised by topic names its students by its collaborators.
  const namedLogin = loginFromName(config, r.repo);
  const locale = config.locale;
  state.locale = locale;
  // A pull request from a fork or by an outsider is no hand-in: a neutral check run says so, nothing is recorded.
  const deliveries = r.trigger === 'push' ? [] : await deps.store.queue.deliveriesOf(r.repoId, r.sha);
  const outsider = await notTheStudents(octokit, ref, config, r, deliveries, namedLogin);
  if (outsider) {
    return ['not-graded', { reason: outsider.reason }, { publications: [neutralCheckRun(r, notGradedCheckRun(outsider, locale))] }];
  }

  // The week: named by the pull request or the re-run check run, else the calendar at delivery.
  let week = r.week;
  let deliveredAt = r.deliveredAt;
  if (r.trigger === 'rerun') {
    // A re-run or regrade is dated by its own commit's delivery, never by another commit's nor by the re-run's.
    const previous = week === undefined ? await deps.store.record.latestGradingOf(r.repoId, r.sha) : undefined;
    if (previous) ({ week, deliveredAt } = previous);
    deliveredAt = deliveries[0]?.deliveredAt ?? deliveredAt;
  }
  if (week === undefined) {
    const moment = courseMomentAt(config, new Date(deliveredAt));
    if (moment.status !== 'week') return ['outside-course', { moment: moment.status }, { publications: [neutralCheckRun(r, outsideCourse(moment, locale))] }];
    week = moment.week;
  }
  state.week = week;
  const rubric = pack.weeks.get(week);
  if (week < 1 || week > config.weeks || !rubric) {
    const text = {
      title: say(t(`La semana ${week} no existe`, `Week ${week} does not exist`), locale),
      summary: say(
        t(
          `Este pull request nombra la semana ${week} (etiqueta o rama), pero el curso tiene las semanas 1 a ${config.weeks}. Corrige la etiqueta \`semana-N\` o el nombre de la rama.`,
          `This pull request names week ${week} (label or branch), but the course has weeks 1 to ${config.weeks}. Fix the \`week-N\` label or the branch name.`,
        ),
        locale,
      ),
    };
    return ['unknown-week', {}, { publications: [neutralCheckRun(r, text)] }];
  }
  const name = checkRunName({ week, title: rubric.title }, locale);
  state.name = name;
  // A check run named for this job (a re-run's, a long wait's "queued" one) is graded into; else the outbox finds the commit and week's.
  const checkRunId = r.checkRunId ?? job.checkRunId;
  if (checkRunId !== undefined) state.checkRunId = checkRunId;

  const previous = await deps.store.record.latestGradingOf(r.repoId, r.sha, week);
  if (previous && r.trigger !== 'rerun') {
    // The same commit came by push and by pull request: graded once, commented where due.
    if (!(r.pullRequest && config.comments.pullRequests)) return ['already-graded'];
    const view = await publicationOf(deps, config, previous, r.pullRequest.number, pack);
    return ['already-graded', {}, { publications: [commentPublication(r, config, previous.sha, view, deps.now())] }];
  }

  const fetchStarted = performance.now();
  const [source, students] = await Promise.all([fetchSnapshot(octokit, ref, r.sha), namedLogin ? [namedLogin] : repositoryStudents(octokit, ref)]);
  const fetchMs = Math.round(performance.now() - fetchStarted);
  const grade = await deps.grade({ pack, week: rubric, source, jobId: `gh-${r.repoId}-${r.sha.slice(0, 12)}-w${week}` });
  state.timings = { fetchMs, gradeMs: grade.timings.totalMs };
  // Frozen or partitioned meanwhile, this job may be another worker's by now: it stops here.
  job.lease.assertHeld();
  const extension = await deps.store.record.extensionFor(r.repoId, week);
  const { late, penalty, finalScore: final } = measuredLateness(config, week, new Date(deliveredAt), extension?.minutes ?? 0, grade.score, grade.maxScore);
  const graded: StoredGrading = {
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
  await deps.store.record.saveCourse(r.owner, { weeks: config.weeks, counts: config.counts, config });
  const view = await publicationOf(deps, config, graded, r.pullRequest?.number, pack);
  const now = deps.now();
  const publications: ParsedPublication[] = [gradedCheckRun(r, config, graded, view, now, checkRunId)];
  if (r.pullRequest && config.comments.pullRequests) {
    publications.push(commentPublication(r, config, r.sha, view, now));
  } else if (!r.pullRequest && config.comments.commits && r.trigger === 'push') {
    const reveal = now.getTime() > deadlineOf(config, week).getTime();
    publications.push({ kind: 'commit-comment', ...whereOf(r), sha: r.sha, week, grade: view.grade, render: { locale, reveal, late: view.verdict, ...standingOption(view) } });
  }
  // The grading and its publications are recorded with the job's end, in one transaction under its lease.
  return [
    'graded',
    { score: view.grade.score, maxScore: view.grade.maxScore, penalty: view.verdict.penalty, finalScore: view.verdict.finalScore, overrides: view.grade.criteria.filter((c) => c.override).length, student },
    { grading: graded, publications },
  ];
}

/** A commit whose waiting job a newer push replaced, and which already showed a check run: say by which commit. */
function tellSuperseded(job: QueuedJob): Step {
  const r = job.request;
  if (!r.checkRunId || !r.supersededBy) return ['superseded-notice'];
  return ['superseded-notice', { supersededBy: r.supersededBy }, { publications: [supersededPublication(r, r.checkRunId, r.supersededBy)] }];
}

/** Ends a waiting commit's check run: a newer push replaced it before it was graded. */
export function supersededPublication(r: Pick<GradingRequest, 'installationId' | 'owner' | 'repo' | 'repoId' | 'sha' | 'week'>, checkRunId: number, bySha: string): ParsedPublication {
  const by = bySha.slice(0, 7);
  return {
    kind: 'check-run',
    ...whereOf(r),
    sha: r.sha,
    week: r.week ?? 0,
    name: 'Rubrica',
    checkRunId,
    status: 'completed',
    conclusion: 'skipped',
    output: {
      title: `Reemplazado por ${by} / Superseded by ${by}`,
      summary: `Llegó un push más nuevo (${bySha}) antes de que este commit se corrigiera: se corrige ese, que incluye este trabajo.\n\nA newer push (${bySha}) arrived before this commit was graded: that one is graded, and it includes this work.`,
      annotations: [],
    },
  };
}

/** A recorded grading's check run, as it stands (overrides, lateness): completes `checkRunId` when given. */
export function gradedCheckRun(r: Pick<GradingRequest, 'installationId' | 'owner' | 'repo' | 'repoId'>, config: CourseConfig, graded: StoredGrading, view: Publication, now: Date, checkRunId?: number, name?: string): ParsedPublication {
  const reveal = now.getTime() > deadlineOf(config, graded.week).getTime();
  const output = checkRunOutput(view.grade, { locale: config.locale, reveal, late: view.verdict, taNotes: view.taNotes, ...standingOption(view) });
  return {
    kind: 'check-run',
    ...whereOf(r),
    sha: graded.sha,
    week: graded.week,
    name: name ?? checkRunName({ week: graded.week, title: view.grade.title }, config.locale),
    externalId: checkRunExternalId(graded.week, graded.deliveredAt),
    ...(checkRunId !== undefined ? { checkRunId } : {}),
    status: 'completed',
    conclusion: view.conclusion,
    output: { title: output.title, summary: output.summary, text: output.text, annotations: [...output.annotations] },
    gradingJobId: graded.jobId,
  };
}

/** The scored comment of a pull request and week (rendered when sent, with its check run's link). */
export function commentPublication(r: Pick<GradingRequest, 'installationId' | 'owner' | 'repo' | 'repoId' | 'pullRequest'>, config: CourseConfig, sha: string, view: Publication, now: Date): ParsedPublication {
  const week = view.grade.week;
  const reveal = now.getTime() > deadlineOf(config, week).getTime();
  return {
    kind: 'pr-comment',
    ...whereOf(r),
    pullRequest: r.pullRequest!.number,
    week,
    sha,
    marker: commentMarker(week),
    grade: view.grade,
    render: { locale: config.locale, reveal, late: view.verdict, ...(view.taNotes.length ? { taNotes: view.taNotes } : {}), ...standingOption(view) },
  };
}

/** The course grade so far as the renderings take it (what a student reads of it). */
function standingOption(view: Publication): { standing?: RenderOptions['standing'] } {
  if (!view.standing) return {};
  const { grade, scale, passGrade, passed, level, pendingPoints } = view.standing;
  return { standing: { grade, scale, pendingPoints, ...(passGrade !== undefined ? { passGrade } : {}), ...(passed !== undefined ? { passed } : {}), ...(level !== undefined ? { level } : {}) } };
}

/** How a recorded grading is shown: see publicationOf. */
export type Publication = Awaited<ReturnType<typeof publicationOf>>;

/**
 * How a recorded grading is shown: with the TAs' overrides for its week (the late
 * penalty applied to the overridden score), and notes for TAs.
 */
export async function publicationOf(deps: Pick<JobDeps, 'store' | 'now'>, config: CourseConfig, graded: StoredGrading, pullRequest?: number, pack?: Pack) {
  const overrides = await deps.store.tas.overrides({ repoId: graded.repoId, week: graded.week });
  const grade = gradeWithOverrides(graded.grade, overrides);
  // The penalty is taken from the score as it stands, TAs' overrides included.
  const verdict: LateVerdict = { late: graded.late, ...finalScore(grade.score, grade.maxScore, graded.late), timeZone: config.timezone };
  const conclusion = conclusionOf(grade, config.belowPassMark, verdict);
  const es = config.locale === 'es';
  const tampering = pullRequest === undefined ? [] : await deps.store.tas.tamperingOf(graded.repoId, pullRequest);
  const taNotes = [
    ...overrideNotes(grade, config.locale),
    ...tampering.map((t) =>
      es
        ? `⚠️ Un comentario con comandos de ${t.author} fue ${t.action === 'edited' ? 'editado' : 'borrado'} por ${t.by} (${t.at.slice(0, 16).replace('T', ' ')} UTC). No cambió nada: el registro conserva el comando original.`
        : `⚠️ A comment with commands by ${t.author} was ${t.action} by ${t.by} (${t.at.slice(0, 16).replace('T', ' ')} UTC). Nothing changed: the record keeps the original command.`,
    ),
  ];
  const standing = pack ? await standingOf(deps, config, graded, pack) : undefined;
  return { grade, verdict, conclusion, taNotes, ...(standing ? { standing } : {}) };
}

/**
 * The student's course grade so far, when the pack defines a final grade: this grading
 * with the repository's other counted ones (TAs' overrides and lateness applied), weeks
 * not yet due weighing nothing.
 */
async function standingOf(deps: Pick<JobDeps, 'store' | 'now'>, config: CourseConfig, graded: StoredGrading, pack: Pack): Promise<FinalGrade | undefined> {
  if (!pack.final) return undefined;
  const recorded = await deps.store.record.gradings({ org: graded.org, repoId: graded.repoId });
  // This grading is recorded with the job's end: it is added here, once.
  const gradings = [...recorded.filter((g) => g.jobId !== graded.jobId), graded];
  const overrides = await deps.store.tas.overrides({ org: graded.org, repoId: graded.repoId });
  const [row] = gradebook({ weeks: config.weeks, rule: config.counts, gradings, overrides, final: { spec: pack.final, criteriaOf: unitCriteria(pack.weeks), due: dueBy(config, deps.now()) } });
  return row?.final;
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

/** The neutral check run of a grading that failed on our side for good: it says so, and is not a grade. */
function infrastructureFailure(r: GradingRequest, state: JobState, error: unknown): ParsedPublication {
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
  return {
    kind: 'check-run',
    ...whereOf(r),
    sha: r.sha,
    week: state.week ?? 0,
    name: state.name ?? 'Rubrica',
    ...(state.week ? { externalId: checkRunExternalId(state.week, r.deliveredAt) } : {}),
    ...(state.checkRunId !== undefined ? { checkRunId: state.checkRunId } : {}),
    status: 'completed',
    conclusion: 'neutral',
    output: { title, summary, annotations: [] },
  };
}

function describe(error: unknown): Record<string, unknown> {
  if (error instanceof Error) return { name: error.name, message: error.message, status: statusOf(error), code: (error as { code?: string }).code };
  return { message: String(error) };
}
