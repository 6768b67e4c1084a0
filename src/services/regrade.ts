import { unitKey, weekUnit } from '../course/unit.ts';
import type { GradingRequest } from '../events/requests.ts';
import type { JobState, Regrade } from '../store/store.ts';
import { t } from '../core/text.ts';
import type { ActionResult } from './ta-actions.ts';
import { courseCounts, courseOf, type ServiceDeps } from './course.ts';

/** How many attempts a regrade's job gets (the queue's default: one try and two retries). */
const REGRADE_ATTEMPTS = 3;

/**
 * Regrades a week for the whole class (after a rubric fix): each student's counted
 * grading of the week is graded again on the same commit, dated by its own delivery. The
 * jobs' gradings and publications are held (src/store/regrades.ts) until the instructor
 * publishes or discards; nothing reaches the record or GitHub before.
 */
export async function startRegrade(deps: ServiceDeps, org: string, week: number, by: string): Promise<{ ok: true; regrade: Regrade } | { ok: false; error: ReturnType<typeof t> }> {
  const course = await courseOf(deps, org);
  if (!course || !course.pack.weeks.get(week) || week < 1 || week > course.config.weeks) return { ok: false, error: t(`El curso no tiene la semana ${week}.`, `The course has no week ${week}.`) };
  const running = (await deps.store.regrades.list({ org })).find((r) => r.week === week && r.state === 'running');
  if (running) return { ok: false, error: t(`La semana ${week} ya se está recorrigiendo: publícala o descártala primero.`, `Week ${week} is already being regraded: publish or discard that first.`) };
  // The grading each student's week counts now, as the gradebook counts it.
  const counted = (await courseCounts(deps, org, week)).counted.map((e) => e.record);
  // Each repository's topics, as GitHub last delivered them (a course recognising students by topic needs them).
  const topics = new Map<number, readonly string[]>();
  for (const g of counted) topics.set(g.repoId, (await deps.store.queue.job(g.jobId))?.request.topics ?? []);
  const at = deps.now().toISOString();
  const regrade = await deps.store.regrades.start({ org, week, by, at }, counted.map((g) => ({ repoId: g.repoId, beforeJobId: g.jobId })), async (tx, regradeId, item) => {
    const g = counted.find((c) => c.repoId === item.repoId)!;
    const request: GradingRequest = {
      deliveryId: `regrade:${regradeId}:${g.repoId}`,
      installationId: g.installationId,
      owner: g.org,
      repo: g.repo,
      repoId: g.repoId,
      topics: topics.get(g.repoId) ?? [],
      sha: g.sha,
      deliveredAt: g.deliveredAt,
      trigger: 'rerun',
      unit: unitKey(weekUnit(week)),
      hold: regradeId,
      ...(g.pullRequest !== undefined ? { pullRequest: { number: g.pullRequest } } : {}),
    };
    return (await deps.store.queue.enqueueIn(tx, request, { maxAttempts: REGRADE_ATTEMPTS })).jobId;
  });
  await deps.store.actions.add({ org, by, at, action: 'regrade', detail: { regrade: regrade.id, week, students: counted.length } });
  return { ok: true, regrade };
}

/** One student's line of a regrade's before/after summary. */
export interface RegradeChange {
  readonly repoId: number;
  readonly repo: string;
  readonly students: readonly string[];
  readonly sha: string;
  /** The regrade's job: waiting, running, done or failed (a failed one can be requeued). */
  readonly job: JobState | 'missing';
  readonly before: number | null;
  /** null until graded (or when the job made no grading). */
  readonly after: number | null;
  readonly maxScore: number;
  /** Criteria whose score or status differs: id, before, after. */
  readonly criteria: readonly { readonly id: string; readonly before: number | null; readonly after: number | null }[];
  readonly rubricBefore: string;
  readonly rubricAfter: string | null;
}

export interface RegradeSummary {
  readonly regrade: Regrade;
  /** Jobs still waiting or running: publishing waits for them. */
  readonly unfinished: number;
  readonly changes: readonly RegradeChange[];
  /** How many students' scores or criteria changed. */
  readonly changed: number;
}

/** The before/after of a regrade: per student the counted score then and the new one, and which criteria changed. */
export async function regradeSummary(deps: ServiceDeps, id: string): Promise<RegradeSummary | undefined> {
  const regrade = await deps.store.regrades.get(id);
  if (!regrade) return undefined;
  const changes: RegradeChange[] = [];
  for (const item of await deps.store.regrades.items(id)) {
    const before = await deps.store.record.gradingOfJob(item.beforeJobId);
    const job = await deps.store.queue.job(item.jobId);
    const after = item.grading;
    if (!before) continue;
    const afterOf = new Map((after?.criteria ?? []).map((c) => [c.id, c]));
    const ids = [...new Set([...before.criteria.map((c) => c.id), ...afterOf.keys()])];
    const criteria = after
      ? ids
          .map((cid) => ({ id: cid, b: before.criteria.find((c) => c.id === cid), a: afterOf.get(cid) }))
          .filter(({ b, a }) => b?.score !== a?.score || b?.status !== a?.status)
          .map(({ id: cid, b, a }) => ({ id: cid, before: b?.score ?? null, after: a?.score ?? null }))
      : [];
    changes.push({
      repoId: item.repoId,
      repo: before.repo,
      students: before.students,
      sha: before.sha,
      job: job?.state ?? 'missing',
      before: before.finalScore,
      after: after ? after.finalScore : null,
      maxScore: after?.maxScore ?? before.maxScore,
      criteria,
      rubricBefore: before.packHash,
      rubricAfter: after?.packHash ?? null,
    });
  }
  changes.sort((a, b) => a.repo.localeCompare(b.repo));
  return { regrade, unfinished: await deps.store.regrades.unfinished(deps.store.db, id), changes, changed: changes.filter((c) => c.criteria.length > 0 || (c.after !== null && c.after !== c.before)).length };
}

/** Publishes a regrade: the new gradings count and are published through the outbox. */
export async function publishRegrade(deps: ServiceDeps, org: string, id: string, by: string): Promise<ActionResult> {
  const regrade = await deps.store.regrades.get(id);
  if (!regrade || regrade.org.toLowerCase() !== org.toLowerCase()) return { ok: false, error: t('No existe esa recorrección.', 'There is no such regrade.') };
  const at = deps.now().toISOString();
  const result = await deps.store.regrades.publish(id, { by, at });
  if (result === 'unfinished') return { ok: false, error: t('Todavía hay estudiantes corrigiéndose: espera a que terminen (o reencola los fallidos).', 'Some students are still being graded: wait for them to finish (or requeue the failed ones).') };
  if (result === 'already-decided') return { ok: false, error: t('Esa recorrección ya se publicó o descartó.', 'That regrade was already published or discarded.') };
  await deps.store.actions.add({ org: regrade.org, by, at, action: 'regrade-publish', detail: { regrade: id, week: regrade.week } });
  return { ok: true, done: `published regrade of week ${regrade.week}` };
}

/** Discards a regrade: nothing changes, nothing is published. */
export async function discardRegrade(deps: ServiceDeps, org: string, id: string, by: string): Promise<ActionResult> {
  const regrade = await deps.store.regrades.get(id);
  if (!regrade || regrade.org.toLowerCase() !== org.toLowerCase()) return { ok: false, error: t('No existe esa recorrección.', 'There is no such regrade.') };
  const at = deps.now().toISOString();
  if (!(await deps.store.regrades.discard(id, { by, at }))) return { ok: false, error: t('Esa recorrección ya se publicó o descartó.', 'That regrade was already published or discarded.') };
  await deps.store.actions.add({ org: regrade.org, by, at, action: 'regrade-discard', detail: { regrade: id, week: regrade.week } });
  return { ok: true, done: `discarded regrade of week ${regrade.week}` };
}
