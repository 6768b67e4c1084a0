import type { Logger } from 'pino';
import { deadlineOfUnit, type CourseMoment } from '../course/calendar.ts';
import type { AssignmentConfig, CourseConfig } from '../course/config.ts';
import { courseUnits, membershipOf, rubricOf, unitAt } from '../course/load.ts';
import { parseUnitKey, unitOfGrade, weekNumberOf } from '../course/unit.ts';
import { isInfrastructureError } from '../core/errors.ts';
import { literal, plain, say, t, type Locale, type Text } from '../core/text.ts';
import { inline } from '../report/markup.ts';
import { checkRunExternalId, type GradingRequest } from '../events/requests.ts';
import { fetchSnapshot, statusOf, type Octokit, type RepoRef } from '../github/api.ts';
import type { Grade, GradeRequest } from '../grading/grade.ts';
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
import { studentsOf } from './members.ts';
import { notGradedCheckRun, notTheStudents } from './pull-request-origin.ts';
import { RetryLater, type JobResult, type QueuedJob } from './queue.ts';

export interface JobDeps {
  /** A client for the installation's reads (jobs never write to GitHub: the outbox does). */
  octokitFor(installationId: number, lease?: JobLease): Promise<Octokit>;
  readonly courses: CourseDirectory;
  grade(request: { pack: Pack; week: Week; source: SnapshotSource; jobId: string; install?: GradeRequest['install'] }): Promise<Grade>;
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
  | 'ambiguous-course'
  | 'unknown-unit'
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
    log.info({ outcome, unit: state.unit, ms: Math.round(performance.now() - started), ...state.timings, publications: made.publications?.length ?? 0, ...extra }, `job ${outcome}`);
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
      log.warn({ err: describe(error), unit: state.unit }, 'failure of ours; the job will be retried');
      finish(['retrying']);
      throw new RetryLater(error);
    }
    log.error({ err: describe(error), unit: state.unit }, 'grading failed on our side; shown to the student as not graded');
    return finish(['infrastructure-error', {}, { publications: [infrastructureFailure(r, state, error)] }], true);
  }
}

/** Whether results shown after the deadline are shown: the unit's deadline is past (a unit the course no longer has: yes). */
function revealed(config: CourseConfig, unit: string, now: Date): boolean {
  const u = parseUnitKey(unit);
  const deadline = u ? deadlineOfUnit(config, u) : undefined;
  return deadline === undefined || now.getTime() > deadline.getTime();
}

/** What a job step decided: its outcome, log fields, and what it made. */
type Step = [JobOutcome, Record<string, unknown>?, { grading?: StoredGrading; publications?: ParsedPublication[] }?];

interface JobState {
  unit?: string;
  locale?: Locale;
  checkRunId?: number;
  name?: string;
  timings?: Record<string, number>;
}

/** Where a request's check run and comments go. */
export function whereOf(r: Pick<GradingRequest, 'installationId' | 'owner' | 'repo' | 'repoId'>) {
  return { installationId: r.installationId, owner: r.owner, repo: r.repo, repoId: r.repoId };
}

/** A check run without a grade (not configured, outside the course): neutral, named Rubrica, of no unit. */
function neutralCheckRun(r: GradingRequest, text: { title: string; summary: string }): ParsedPublication {
  return { kind: 'check-run', ...whereOf(r), sha: r.sha, unit: '', name: 'Rubrica', status: 'completed', conclusion: 'neutral', output: { ...text, annotations: [] } };
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
  const membership = membershipOf(setup.courses, { name: r.repo, topics: r.topics });
  if (membership.status === 'none') return ['not-a-student-repo'];
  if (membership.status === 'ambiguous') {
    // Never graded with a guess: the instructors see it in the log and at /admin/courses.
    deps.courses.reportAmbiguous(r.owner, r.repo, membership.courses);
    return ['ambiguous-course', { courses: membership.courses }, { publications: [neutralCheckRun(r, ambiguousCourse(membership.courses))] }];
  }
  const course = membership.course;
  const { config } = course;
  const { namedLogin, assignment } = membership;
  const student = namedLogin ?? membership.group ?? r.repo;
  const locale = config.locale;
  state.locale = locale;
  // A pull request from a fork or by an outsider is no hand-in: a neutral check run says so, nothing is recorded.
  const deliveries = r.trigger === 'push' ? [] : await deps.store.queue.deliveriesOf(r.repoId, r.sha);
  const outsider = await notTheStudents(octokit, ref, config, r, deliveries, namedLogin);
  if (outsider) {
    return ['not-graded', { reason: outsider.reason }, { publications: [neutralCheckRun(r, notGradedCheckRun(outsider, locale))] }];
  }

  // The unit: named by the pull request or the re-run check run, else the course at delivery
  // (the calendar's week; an assignment's open delivery).
  let unit = r.unit;
  let deliveredAt = r.deliveredAt;
  if (r.trigger === 'rerun') {
    // A re-run or regrade is dated by its own commit's delivery, never by another commit's nor by the re-run's.
    const previous = unit === undefined ? await deps.store.record.latestGradingOf(r.repoId, r.sha) : undefined;
    if (previous) ({ unit, deliveredAt } = previous);
    deliveredAt = deliveries[0]?.deliveredAt ?? deliveredAt;
  }
  if (unit === undefined) {
    const at = unitAt(membership, new Date(deliveredAt));
    if ('outside' in at) return ['outside-course', { moment: at.outside.status }, { publications: [neutralCheckRun(r, outsideCourse(at.outside, locale))] }];
    unit = at.unit;
  }
  state.unit = unit;
  const rubric = rubricOf(course, assignment, unit);
  if (!rubric) return ['unknown-unit', {}, { publications: [neutralCheckRun(r, unknownUnit(unit, config, assignment, locale))] }];
  const name = checkRunName(rubric, locale);
  state.name = name;
  // A check run named for this job (a re-run's, a long wait's "queued" one) is graded into; else the outbox finds the commit and unit's.
  const checkRunId = r.checkRunId ?? job.checkRunId;
  if (checkRunId !== undefined) state.checkRunId = checkRunId;

  const previous = await deps.store.record.latestGradingOf(r.repoId, r.sha, unit);
  if (previous && r.trigger !== 'rerun') {
    // The same commit came by push and by pull request: graded once, commented where due.
    if (!(r.pullRequest && config.comments.pullRequests)) return ['already-graded'];
    const view = await publicationOf(deps, config, previous, r.pullRequest.number, course.pack);
    return ['already-graded', {}, { publications: [commentPublication(r, config, previous.sha, view, deps.now())] }];
  }

  const fetchStarted = performance.now();
  const [source, students] = await Promise.all([fetchSnapshot(octokit, ref, r.sha), studentsOf(octokit, ref, membership)]);
  const fetchMs = Math.round(performance.now() - fetchStarted);
  const jobId = `gh-${r.repoId}-${r.sha.slice(0, 12)}-${unit.replace('/', '.')}`;
  // The course's install phase, its wheels cached per organization, course and index.
  const grade = await deps.grade({ pack: course.pack, week: rubric, source, jobId, ...(config.install ? { install: { settings: config.install, course: `${r.owner}/${config.id}` } } : {}) });
  state.timings = { fetchMs, gradeMs: grade.timings.totalMs, ...(grade.timings.installMs !== undefined ? { installMs: grade.timings.installMs } : {}) };
  if (grade.environment) {
    // The course's to fix, not the student's: what to add to the runner image, for the instructors.
    deps.log.warn(
      { org: r.owner, unit, image: grade.image, runnerImageLacks: grade.environment.missing },
      `course ${r.owner}: the runner image lacks modules students declare (${grade.environment.missing.map((m) => m.distribution).join(', ')}); their criteria are not graded until it has them`,
    );
  }
  // Frozen or partitioned meanwhile, this job may be another worker's by now: it stops here.
  job.lease.assertHeld();
  const extension = await deps.store.record.extensionFor(r.repoId, unit);
  const { late, penalty, finalScore: final } = measuredLateness(config, parseUnitKey(unit)!, new Date(deliveredAt), extension?.minutes ?? 0, grade.score, grade.maxScore);
  const maxGroup = assignment?.group?.maxSize;
  if (maxGroup !== undefined && students.length > maxGroup) {
    deps.log.warn({ repo: `${r.owner}/${r.repo}`, outcome: 'group-too-large', members: students.length, maxSize: maxGroup }, `the group has ${students.length} members, over the assignment's ${maxGroup}: graded, for the instructors to look at`);
  }
  const graded: StoredGrading = {
    jobId: job.id,
    installationId: r.installationId,
    org: r.owner,
    course: config.id,
    repoId: r.repoId,
    repo: r.repo,
    students,
    unit,
    week: weekNumberOf(unit),
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
  await deps.store.record.saveCourse(r.owner, { id: config.id, weeks: config.weeks, units: courseUnits(config), counts: config.counts, config });
  const view = await publicationOf(deps, config, graded, r.pullRequest?.number, course.pack);
  const now = deps.now();
  const publications: ParsedPublication[] = [gradedCheckRun(r, config, graded, view, now, checkRunId)];
  if (r.pullRequest && config.comments.pullRequests) {
    publications.push(commentPublication(r, config, r.sha, view, now));
  } else if (!r.pullRequest && config.comments.commits && r.trigger === 'push') {
    const reveal = revealed(config, unit, now);
    publications.push({ kind: 'commit-comment', ...whereOf(r), sha: r.sha, unit, grade: view.grade, render: { locale, reveal, late: view.verdict, ...standingOption(view) } });
  }
  // The grading and its publications are recorded with the job's end, in one transaction under its lease.
  return [
    'graded',
    { score: view.grade.score, maxScore: view.grade.maxScore, penalty: view.verdict.penalty, finalScore: view.verdict.finalScore, overrides: view.grade.criteria.filter((c) => c.override).length, student, ...installLogged(grade) },
    { grading: graded, publications },
  ];
}

/** The install phase in the job's log line: how many packages, or why pip refused. */
function installLogged(grade: Grade): Record<string, unknown> {
  if (!grade.install) return {};
  return { install: grade.install.status === 'installed' ? `${grade.install.packages.length} installed` : `failed: ${grade.install.reason}` };
}

/** A commit whose waiting job a newer push replaced, and which already showed a check run: say by which commit. */
function tellSuperseded(job: QueuedJob): Step {
  const r = job.request;
  if (!r.checkRunId || !r.supersededBy) return ['superseded-notice'];
  return ['superseded-notice', { supersededBy: r.supersededBy }, { publications: [supersededPublication(r, r.checkRunId, r.supersededBy)] }];
}

/** Ends a waiting commit's check run: a newer push replaced it before it was graded. */
export function supersededPublication(r: Pick<GradingRequest, 'installationId' | 'owner' | 'repo' | 'repoId' | 'sha'> & { readonly unit?: string }, checkRunId: number, bySha: string): ParsedPublication {
  const by = bySha.slice(0, 7);
  return {
    kind: 'check-run',
    ...whereOf(r),
    sha: r.sha,
    unit: r.unit ?? '',
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
  const reveal = revealed(config, graded.unit, now);
  const output = checkRunOutput(view.grade, { locale: config.locale, reveal, late: view.verdict, taNotes: view.taNotes, ...standingOption(view) });
  return {
    kind: 'check-run',
    ...whereOf(r),
    sha: graded.sha,
    unit: graded.unit,
    name: name ?? checkRunName({ week: graded.week, unit: graded.unit, title: view.grade.title }, config.locale),
    externalId: checkRunExternalId(graded.unit, graded.deliveredAt),
    ...(checkRunId !== undefined ? { checkRunId } : {}),
    status: 'completed',
    conclusion: view.conclusion,
    output: { title: output.title, summary: output.summary, text: output.text, annotations: [...output.annotations] },
    gradingJobId: graded.jobId,
  };
}

/** The scored comment of a pull request and week (rendered when sent, with its check run's link). */
export function commentPublication(r: Pick<GradingRequest, 'installationId' | 'owner' | 'repo' | 'repoId' | 'pullRequest'>, config: CourseConfig, sha: string, view: Publication, now: Date): ParsedPublication {
  const unit = unitOfGrade(view.grade);
  const reveal = revealed(config, unit, now);
  return {
    kind: 'pr-comment',
    ...whereOf(r),
    pullRequest: r.pullRequest!.number,
    unit,
    sha,
    marker: commentMarker(unit),
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
  const overrides = await deps.store.tas.overrides({ repoId: graded.repoId, unit: graded.unit });
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
  const recorded = await deps.store.record.gradings({ org: graded.org, course: graded.course, repoId: graded.repoId });
  // This grading is recorded with the job's end: it is added here, once. It stands for its
  // commit: the commit's earlier gradings of the unit (a regrade replaces them) are left out.
  const gradings = [...recorded.filter((g) => g.jobId !== graded.jobId && !(g.sha === graded.sha && g.unit === graded.unit)), graded];
  const overrides = await deps.store.tas.overrides({ org: graded.org, course: graded.course, repoId: graded.repoId });
  const units = courseUnits(config);
  const weeks = units.filter((u) => weekNumberOf(u) > 0).length;
  const assignments = units.filter((u) => weekNumberOf(u) === 0);
  const [row] = gradebook({ weeks, assignments, rule: config.counts, gradings, overrides, final: { spec: pack.final, criteriaOf: unitCriteria(pack.weeks, pack.assignments), due: dueBy(config, deps.now()) } });
  return row?.final;
}

/** A pull request (label or branch) or re-run names a unit this repository's course does not grade it for. */
function unknownUnit(unit: string, config: CourseConfig, assignment: AssignmentConfig | undefined, locale: Locale): { title: string; summary: string } {
  const week = weekNumberOf(unit);
  if (week > 0 && !assignment) {
    return {
      title: say(t(`La semana ${week} no existe`, `Week ${week} does not exist`), locale),
      summary: say(
        t(
          `Este pull request nombra la semana ${week} (etiqueta o rama), pero el curso tiene las semanas 1 a ${config.weeks}. Corrige la etiqueta \`semana-N\` o el nombre de la rama.`,
          `This pull request names week ${week} (label or branch), but the course has weeks 1 to ${config.weeks}. Fix the \`week-N\` label or the branch name.`,
        ),
        locale,
      ),
    };
  }
  const units = courseUnits(config).filter((u) => (assignment ? u === assignment.id || u.startsWith(`${assignment.id}/`) : weekNumberOf(u) > 0));
  return {
    // The unit comes from a label or branch a student named: shown as code, never as markup.
    title: plain(say(t(`Este repositorio no tiene la entrega ${unit}`, `This repository has no ${unit} to hand in`), locale)),
    summary: inline(say(
      t(
        `Lo que nombra este pull request (etiqueta o rama) no es una entrega de este repositorio; las suyas son: ${units.map(literal).join(', ')}. Quita la etiqueta o cambia el nombre de la rama.`,
        `What this pull request names (label or branch) is not a hand-in of this repository; its own are: ${units.map(literal).join(', ')}. Remove the label or rename the branch.`,
      ),
      locale,
    )),
  };
}

/** A repository two courses' prefixes or topics claim: not graded, and the instructors are told. */
function ambiguousCourse(courses: readonly string[]): { title: string; summary: string } {
  const names = courses.map(literal).join(', ');
  return {
    title: 'No se corrige: el repositorio es de más de un curso / Not graded: the repository matches several courses',
    summary: inline([
      `El nombre o los topics de este repositorio coinciden con varios cursos de la organización (${names}), así que Rubrica no lo corrige con una suposición. El equipo docente ya fue avisado; tu push queda registrado por GitHub y se corregirá cuando lo resuelvan (o pulses «Re-run»).`,
      '',
      `This repository's name or topics match several of the organization's courses (${names}), so Rubrica does not grade it on a guess. Your instructors have been told; push again (or press “Re-run”) once they fix it.`,
    ].join('\n')),
  };
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
    unit: state.unit ?? '',
    name: state.name ?? 'Rubrica',
    ...(state.unit ? { externalId: checkRunExternalId(state.unit, r.deliveredAt) } : {}),
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
