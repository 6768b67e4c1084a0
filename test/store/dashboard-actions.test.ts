import { weekUnit } from '../../src/course/unit.ts';
import { afterEach, describe, expect, it } from 'vitest';
import { parseCourseFile } from '../../src/course/load.ts';
import type { Grade } from '../../src/grading/grade.ts';
import { measuredLateness } from '../../src/grading/late.ts';
import type { ParsedPublication } from '../../src/outbox/publications.ts';
import { GITHUB_LIMITS } from '../../src/outbox/budget.ts';
import { loadPack } from '../../src/rubrics/load.ts';
import { discardRegrade, publishRegrade, regradeSummary, startRegrade } from '../../src/services/regrade.ts';
import { operations, taQueue } from '../../src/services/pages.ts';
import { answerReview, clearCriterion, extendDeadline, overrideCriterion, requeueFailed, scoreCriterion } from '../../src/services/ta-actions.ts';
import { Store, type StoredGrading } from '../../src/store/store.ts';
import { COURSE_YAML } from '../fixtures/github-repo.ts';
import { result } from '../helpers/grade.ts';
import { BACKENDS } from '../helpers/store.ts';

const ORG = 'clase-mlops';
const TA = 'profe-ta';
const PACK = await loadPack('mlops');
const setup = await parseCourseFile(COURSE_YAML);
if (setup.status !== 'ready') throw new Error('the test course must be valid');
const CONFIG = setup.courses[0]!.config;
const WEEK5 = PACK.weeks.get(5)!;
const MANUAL = WEEK5.criteria.find((c) => c.manual)!;
const AUTOMATIC = WEEK5.criteria.find((c) => !c.manual)!;
/** Week 5 is due on 2026-10-11 at 23:59 in Buenos Aires: a push the day before is on time, one two days after is late. */
const ON_TIME = '2026-10-10T15:00:00.000Z';
const TWO_DAYS_LATE = '2026-10-14T03:30:00.000Z';

const opened: Store[] = [];
afterEach(async () => {
  await Promise.all(opened.splice(0).map((s) => s.close().catch(() => undefined)));
});

let clock = Date.parse('2026-10-20T12:00:00.000Z');
async function fresh(backend: (typeof BACKENDS)[number]) {
  const { db } = await backend.fresh();
  const store = await Store.open(db, { clock: () => clock });
  opened.push(store);
  await store.record.saveCourse(ORG, { id: CONFIG.id, weeks: CONFIG.weeks, units: Array.from({ length: CONFIG.weeks }, (_, i) => `week-${i + 1}`), counts: CONFIG.counts, config: CONFIG });
  return { store, deps: { store, now: () => new Date(clock) } };
}

let n = 0;
/** A recorded week-5 grading: every automatic criterion at `automatic` of its points, the manual one pending. */
function grading(repoId: number, login: string, options: { automatic?: number; deliveredAt?: string; pullRequest?: number; sha?: string; packHash?: string } = {}): StoredGrading {
  n++;
  const deliveredAt = options.deliveredAt ?? ON_TIME;
  const criteria = WEEK5.criteria.map((c) => (c.manual ? { id: c.id, maxScore: c.points, score: null, status: 'pending' as const } : { id: c.id, maxScore: c.points, score: c.points * (options.automatic ?? 1), status: (options.automatic ?? 1) === 1 ? ('passed' as const) : ('partial' as const) }));
  const score = criteria.reduce((s, c) => s + (c.score ?? 0), 0);
  const maxScore = criteria.reduce((s, c) => s + c.maxScore, 0);
  const measured = measuredLateness(CONFIG, weekUnit(5), new Date(deliveredAt), 0, score, maxScore);
  const grade: Grade = {
    week: 5, title: WEEK5.title, score, maxScore, pendingPoints: MANUAL.points, errorPoints: 0, passMark: maxScore * 0.6, passed: score >= maxScore * 0.6,
    criteria: criteria.map((c) => result(c.id, c.score, c.maxScore, c.status)),
    pack: 'mlops', packHash: options.packHash ?? 'hash-1', commit: null, image: 'rubrica/runner-mlops:1', imageId: 'sha256:1', skipped: [],
    timings: { totalMs: 1, containerMs: 1, copyMs: 1, inspectMs: 1, commandsMs: 0 },
  };
  return {
    jobId: `job-${n}`, installationId: 7, org: ORG, repoId, repo: `mlops-${login}`, students: [login], course: 'default', unit: 'week-5', week: 5, sha: options.sha ?? String(n).padStart(40, 'a'), deliveredAt, gradedAt: new Date(Date.parse(deliveredAt) + 60_000).toISOString(),
    trigger: options.pullRequest ? 'pull_request' : 'push', ...(options.pullRequest ? { pullRequest: options.pullRequest } : {}), packName: 'mlops', packHash: options.packHash ?? 'hash-1', image: 'rubrica/runner-mlops:1', imageId: 'sha256:1',
    score, maxScore, pendingPoints: MANUAL.points, errorPoints: 0, criteria, late: measured.late, penalty: measured.penalty, finalScore: measured.finalScore, grade,
  };
}

const review = (repoId: number, criterion: string, commentId: number, extra: { week?: number; student?: string } = {}) => ({
  org: ORG, installationId: 7, repoId, repo: `mlops-${extra.student ?? 'ana'}`, pullRequest: 3, week: extra.week ?? 5, criterion, reason: 'mi captura está en docs/ **y** @someone', student: extra.student ?? 'ana', commentId, at: new Date(clock).toISOString(),
});

/** What the outbox holds, oldest first. */
async function outbox(store: Store): Promise<ParsedPublication[]> {
  return (await store.outbox.list()).map((r) => r.publication);
}

describe.each(BACKENDS)('the dashboard actions and review requests on $name', (backend) => {
  it('one open review request per criterion and week; a comment records once; closing says who, when and how', async () => {
    const { store } = await fresh(backend);
    const first = await store.reviews.record(review(1, MANUAL.id, 100));
    expect(first.status).toBe('recorded');
    expect((await store.reviews.record(review(1, MANUAL.id, 100))).status).toBe('already-recorded');
    const again = await store.reviews.record(review(1, MANUAL.id, 101));
    expect(again).toMatchObject({ status: 'already-open', request: { id: first.request.id, commentId: 100 } });
    // Another criterion, week or repository is another request.
    expect((await store.reviews.record(review(1, AUTOMATIC.id, 101))).status).toBe('recorded');
    expect((await store.reviews.record(review(1, MANUAL.id, 102, { week: 4 }))).status).toBe('recorded');
    expect((await store.reviews.record(review(2, MANUAL.id, 103, { student: 'bo' }))).status).toBe('recorded');
    expect(await store.reviews.list({ org: ORG, state: 'open' })).toHaveLength(4);

    const closed = await store.reviews.close({ repoId: 1, week: 5, criterion: MANUAL.id }, { by: TA, at: '2026-10-21T10:00:00.000Z', how: 'manual', text: 'bien' });
    expect(closed).toMatchObject({ state: 'closed', answeredBy: TA, answeredAt: '2026-10-21T10:00:00.000Z', answeredHow: 'manual', answer: 'bien', reason: 'mi captura está en docs/ **y** @someone' });
    expect(await store.reviews.close({ repoId: 1, week: 5, criterion: MANUAL.id }, { by: TA, at: '2026-10-21T10:00:00.000Z', how: 'clear' })).toBeUndefined();
    // Once answered, the student may ask again.
    expect((await store.reviews.record(review(1, MANUAL.id, 104))).status).toBe('recorded');
  });

  it('a manual score from the dashboard: recorded with who and when, the review closed, the week published again, the queue emptied', async () => {
    const { store, deps } = await fresh(backend);
    const g = grading(1, 'ana', { pullRequest: 3 });
    await store.record.recordGrading(g);
    await store.reviews.record(review(1, MANUAL.id, 100));
    let queue = await taQueue(deps, ORG);
    expect(queue.manual.map((m) => [m.repo, m.week, m.criterion])).toEqual([['mlops-ana', 5, MANUAL.id]]);
    expect(queue.reviews.map((r) => [r.criterion, r.score, r.maxScore])).toEqual([[MANUAL.id, null, MANUAL.points]]);

    // Wrong criterion kinds and points are refused as the command would be; nothing is recorded.
    const wrong = await scoreCriterion(deps, { org: ORG, repoId: 1, week: 5, by: TA }, AUTOMATIC.id, 1, 'x');
    expect(wrong.ok).toBe(false);
    expect((await scoreCriterion(deps, { org: ORG, repoId: 1, week: 5, by: TA }, MANUAL.id, MANUAL.points + 1, 'x')).ok).toBe(false);
    expect((await scoreCriterion(deps, { org: ORG, repoId: 1, week: 11, by: TA }, MANUAL.id, 1, 'x')).ok).toBe(false);
    // Another course's repository, or one never graded, is not this course's to change (by its id in a forged form).
    await store.record.recordGrading({ ...grading(9, 'zoe'), org: 'otra-clase' });
    expect(await scoreCriterion(deps, { org: ORG, repoId: 9, week: 5, by: TA }, MANUAL.id, 1, 'x')).toMatchObject({ ok: false, error: { en: 'That repository is not one of this course.' } });
    expect((await scoreCriterion(deps, { org: ORG, repoId: 404, week: 5, by: TA }, MANUAL.id, 1, 'x')).ok).toBe(false);
    expect(await store.tas.overrides({})).toEqual([]);
    expect(await outbox(store)).toEqual([]);

    clock += 60_000;
    const done = await scoreCriterion(deps, { org: ORG, repoId: 1, week: 5, by: TA }, MANUAL.id, 12, 'Buen análisis');
    expect(done).toEqual({ ok: true, done: `manual ${MANUAL.id} 12 (week-5)` });
    expect(await store.tas.overrides({ repoId: 1, week: 5 })).toEqual([expect.objectContaining({ criterion: MANUAL.id, points: 12, reason: 'Buen análisis', by: TA, at: new Date(clock).toISOString(), automaticPoints: null })]);
    expect(await store.actions.list(ORG)).toEqual([expect.objectContaining({ by: TA, at: new Date(clock).toISOString(), action: 'manual' })]);
    const published = await outbox(store);
    expect(published.map((p) => p.kind)).toEqual(['check-run', 'pr-comment', 'reply']);
    const checkRun = published[0] as Extract<ParsedPublication, { kind: 'check-run' }>;
    const maxScore = g.maxScore;
    expect(checkRun.output.title).toBe(`${g.score + 12}/${maxScore}`);
    const reply = published[2] as Extract<ParsedPublication, { kind: 'reply' }>;
    expect(reply.pullRequest).toBe(3);
    expect(reply.body.startsWith('@ana, tu pedido de revisión de `')).toBe(true);
    expect(reply.body).toContain('`Buen análisis`');

    queue = await taQueue(deps, ORG);
    expect(queue.manual).toEqual([]);
    expect(queue.reviews).toEqual([]);
    expect((await store.reviews.list({ repoId: 1 }))[0]).toMatchObject({ state: 'closed', answeredBy: TA, answeredHow: 'manual' });
  });

  it('override, clear and answer from the dashboard; clear without an override is refused', async () => {
    const { store, deps } = await fresh(backend);
    await store.record.recordGrading(grading(1, 'ana'));
    const target = { org: ORG, repoId: 1, week: 5, by: TA };
    expect((await clearCriterion(deps, target, AUTOMATIC.id)).ok).toBe(false);
    expect((await overrideCriterion(deps, target, AUTOMATIC.id, 1, 'copiado')).ok).toBe(true);
    expect((await store.tas.overrides({ repoId: 1 }))[0]).toMatchObject({ criterion: AUTOMATIC.id, points: 1, automaticPoints: AUTOMATIC.points, by: TA });
    expect((await clearCriterion(deps, target, AUTOMATIC.id)).ok).toBe(true);
    expect(await store.tas.overrides({ repoId: 1 })).toEqual([]);
    // A push without a pull request: only the check run is published again; the cleared one replaces the override's, still waiting.
    const waiting = await outbox(store);
    expect(waiting.map((p) => p.kind)).toEqual(['check-run']);
    const g = (await store.record.gradings({ repoId: 1 }))[0]!;
    expect((waiting[0] as Extract<ParsedPublication, { kind: 'check-run' }>).output.title).toBe(`${g.score}/${g.maxScore}`);

    const asked = await store.reviews.record(review(1, AUTOMATIC.id, 200));
    expect((await answerReview(deps, 'other-org', asked.request.id, TA, 'no')).ok).toBe(false);
    expect((await answerReview(deps, ORG, asked.request.id, TA, '   ')).ok).toBe(false);
    expect(await answerReview(deps, ORG, asked.request.id, TA, 'La nota está bien: <b>falta</b> el test')).toEqual({ ok: true, done: `answered ${AUTOMATIC.id} (w5)` });
    expect((await answerReview(deps, ORG, asked.request.id, TA, 'otra vez')).ok).toBe(false);
    const reply = (await outbox(store)).at(-1) as Extract<ParsedPublication, { kind: 'reply' }>;
    expect(reply.kind).toBe('reply');
    expect(reply.body).toContain('`La nota está bien: <b>falta</b> el test`');
    expect((await store.actions.list(ORG)).map((a) => a.action).sort()).toEqual(['answer-review', 'clear', 'override']);
  });

  it('an extension measures the week again: a late grading is on time, and published so', async () => {
    const { store, deps } = await fresh(backend);
    const g = grading(1, 'ana', { deliveredAt: TWO_DAYS_LATE });
    await store.record.recordGrading(g);
    expect(g.late.status).toBe('late');
    expect((await extendDeadline(deps, { org: ORG, repoId: 1, week: 5, by: TA }, 0)).ok).toBe(false);
    expect((await extendDeadline(deps, { org: ORG, repoId: 1, week: 5, by: TA }, 3 * 24 * 60, 'enfermedad')).ok).toBe(true);
    expect(await store.record.extensionFor(1, 'week-5')).toMatchObject({ minutes: 3 * 24 * 60, grantedBy: TA, grantedAt: new Date(clock).toISOString(), reason: 'enfermedad' });
    const now = await store.record.gradingOfJob(g.jobId);
    expect(now).toMatchObject({ late: { status: 'on-time' }, penalty: 0, finalScore: g.score });
    expect((await outbox(store)).map((p) => p.kind)).toEqual(['check-run']);
  });

  it('requeue: one failed job or all of the course, recorded with who and when; operations show them and the rubric versions', async () => {
    const { store, deps } = await fresh(backend);
    const request = (i: number, owner = ORG) => ({ deliveryId: `d-${i}`, installationId: 7, owner, repo: `mlops-s${i}`, repoId: 100 + i, topics: [], sha: String(i).padStart(40, 'c'), deliveredAt: ON_TIME, trigger: 'push' as const });
    for (const i of [1, 2, 3]) await store.queue.enqueue(request(i, i === 3 ? 'other-org' : ORG), { maxAttempts: 1 });
    for (let i = 0; i < 3; i++) {
      const job = (await store.queue.claim('w', 60_000))!;
      await store.queue.finish(job.lease!, 'failed', 'infrastructure-error', 'Docker is down');
    }
    await store.record.recordGrading(grading(1, 'ana', { packHash: 'hash-1' }));
    await store.record.recordGrading(grading(2, 'bo', { packHash: 'hash-2' }));
    let ops = await operations(deps, ORG, { concurrency: 2, limits: GITHUB_LIMITS });
    expect(ops.failed.map((f) => f.repo).sort()).toEqual([`${ORG}/mlops-s1`, `${ORG}/mlops-s2`]);
    expect(ops.failed[0]).toMatchObject({ error: 'Docker is down', outcome: 'infrastructure-error' });
    expect(ops.rubricVersions.map((v) => [v.week, v.packHash, v.gradings, v.counted])).toEqual([[5, 'hash-1', 1, 1], [5, 'hash-2', 1, 1]]);
    expect(ops).toMatchObject({ waiting: 0, running: 0, drainAt: null });

    const one = ops.failed[0]!.id;
    expect(await requeueFailed(deps, ORG, TA, one)).toEqual({ ok: true, done: 'requeued 1', count: 1 });
    expect((await requeueFailed(deps, ORG, TA, one)).ok).toBe(false);
    ops = await operations(deps, ORG, { concurrency: 2, limits: GITHUB_LIMITS });
    expect(ops.failed).toHaveLength(1);
    expect(ops.waiting).toBe(1);
    expect(await requeueFailed(deps, ORG, TA)).toEqual({ ok: true, done: 'requeued 1', count: 1 });
    // The other course's failed job is not this course's to requeue.
    expect((await store.queue.jobs({ state: 'failed' })).map((j) => j.request.owner)).toEqual(['other-org']);
    expect((await store.actions.list(ORG)).map((a) => [a.action, a.by, a.detail.requeued])).toEqual([['requeue', TA, 1], ['requeue', TA, 1]]);

    // The drain estimate: one grading took 30 s; three jobs wait (one of another course, sharing the workers) with 2 workers.
    const graded = (await store.queue.claim('w', 60_000))!;
    clock += 30_000;
    await store.queue.completeJob(graded.lease!, { state: 'done', outcome: 'graded' });
    for (const i of [4, 5]) await store.queue.enqueue(request(i, i === 5 ? 'other-org' : ORG), { maxAttempts: 1 });
    ops = await operations(deps, ORG, { concurrency: 2, limits: GITHUB_LIMITS });
    expect(ops).toMatchObject({ waiting: 2, running: 0, typicalJobMs: 30_000, drainAt: clock + 2 * 30_000 });
  });

  it('a regrade holds what its jobs make until published (the new gradings count, their publications go out) or discarded (nothing changes)', async () => {
    const { store, deps } = await fresh(backend);
    // Ana pushed twice (the best counts), Bo once through a pull request.
    const anaBest = grading(1, 'ana', { automatic: 1 });
    const anaWorse = grading(1, 'ana', { automatic: 0.5 });
    const bo = grading(2, 'bo', { automatic: 0.5, pullRequest: 4 });
    for (const g of [anaBest, anaWorse, bo]) await store.record.recordGrading(g);

    const started = await startRegrade(deps, ORG, 5, TA);
    if (!started.ok) throw new Error('the regrade should start');
    expect((await startRegrade(deps, ORG, 5, TA)).ok).toBe(false);
    const jobs = await store.queue.jobs({ state: 'queued' });
    expect(jobs.map((j) => [j.request.repoId, j.sha, j.request.unit, j.request.trigger, j.request.hold]).sort()).toEqual([
      [1, anaBest.sha, 'week-5', 'rerun', started.regrade.id],
      [2, bo.sha, 'week-5', 'rerun', started.regrade.id],
    ]);
    expect(jobs.find((j) => j.request.repoId === 2)!.request.pullRequest).toEqual({ number: 4 });
    // Held jobs never get a "queued" check run either.
    clock += 10 * 60_000;
    expect(await store.queue.longWaiting(1000)).toEqual([]);
    expect(await publishRegrade(deps, ORG, started.regrade.id, TA)).toMatchObject({ ok: false });

    // The fixed rubric: Ana's automatic criteria now score half, Bo's in full.
    for (let i = 0; i < 2; i++) {
      const job = (await store.queue.claim('w', 60_000))!;
      const before = job.request.repoId === 1 ? anaBest : bo;
      const after: StoredGrading = { ...grading(before.repoId, before.students[0]!, { automatic: before === anaBest ? 0.5 : 1, sha: before.sha, packHash: 'hash-2', ...(before.pullRequest ? { pullRequest: before.pullRequest } : {}) }), jobId: job.id };
      const publications: ParsedPublication[] = [{ kind: 'check-run', installationId: 7, owner: ORG, repo: before.repo, repoId: before.repoId, sha: before.sha, unit: 'week-5', name: 'Semana 5', status: 'completed', conclusion: 'success', output: { title: `${after.score}/${after.maxScore}`, summary: 's', annotations: [] } }];
      await store.queue.completeJob(job.lease!, { state: 'done', outcome: 'graded', grading: after, publications, held: true });
    }
    // Nothing reached the record or the outbox.
    expect((await store.record.gradings({ org: ORG })).map((g) => g.jobId).sort()).toEqual([anaBest.jobId, anaWorse.jobId, bo.jobId].sort());
    expect(await outbox(store)).toEqual([]);

    const summary = (await regradeSummary(deps, started.regrade.id))!;
    expect(summary.unfinished).toBe(0);
    expect(summary.changed).toBe(2);
    const automaticIds = WEEK5.criteria.filter((c) => !c.manual).map((c) => c.id);
    expect(summary.changes.map((c) => [c.repo, c.before, c.after, c.criteria.map((x) => x.id), c.rubricBefore, c.rubricAfter])).toEqual([
      ['mlops-ana', anaBest.finalScore, anaWorse.finalScore, automaticIds, 'hash-1', 'hash-2'],
      ['mlops-bo', bo.finalScore, anaBest.finalScore, automaticIds, 'hash-1', 'hash-2'],
    ]);

    clock += 60_000;
    expect(await publishRegrade(deps, ORG, started.regrade.id, TA)).toEqual({ ok: true, done: 'published regrade of week 5' });
    expect((await publishRegrade(deps, ORG, started.regrade.id, TA)).ok).toBe(false);
    expect((await discardRegrade(deps, ORG, started.regrade.id, TA)).ok).toBe(false);
    expect(await store.regrades.get(started.regrade.id)).toMatchObject({ state: 'published', decidedBy: TA, decidedAt: new Date(clock).toISOString() });
    // The regraded commits' earlier gradings are replaced (still in the record); Ana's other push still competes.
    const inForce = await store.record.gradings({ org: ORG });
    expect(inForce.map((g) => [g.repoId, g.packHash, g.finalScore]).sort()).toEqual([[1, 'hash-1', anaWorse.finalScore], [1, 'hash-2', anaWorse.finalScore], [2, 'hash-2', anaBest.finalScore]].sort());
    expect(await store.record.gradings({ org: ORG, replaced: true })).toHaveLength(5);
    expect((await outbox(store)).map((p) => [p.kind, 'repoId' in p ? p.repoId : null])).toEqual([['check-run', 1], ['check-run', 2]]);

    // A second regrade, discarded: nothing changes.
    const second = await startRegrade(deps, ORG, 5, TA);
    if (!second.ok) throw new Error('the second regrade should start');
    const job = (await store.queue.claim('w', 60_000))!;
    await store.queue.completeJob(job.lease!, { state: 'done', outcome: 'graded', grading: { ...grading(job.request.repoId, 'x', { sha: job.sha, automatic: 0 }), jobId: job.id }, publications: [], held: true });
    expect(await discardRegrade(deps, ORG, second.regrade.id, TA)).toEqual({ ok: true, done: 'discarded regrade of week 5' });
    expect((await store.queue.jobs({ state: 'queued' }))).toEqual([]);
    expect((await store.record.gradings({ org: ORG })).map((g) => g.jobId).sort()).toEqual(inForce.map((g) => g.jobId).sort());
    expect(await outbox(store)).toHaveLength(2);
    expect((await store.actions.list(ORG)).map((a) => a.action).sort()).toEqual(['regrade', 'regrade', 'regrade-discard', 'regrade-publish']);
  });
});
