import { afterEach, describe, expect, it } from 'vitest';
import type { GradingRequest } from '../../src/events/requests.ts';
import { GradingQueue, RetryLater, type QueuedJob } from '../../src/jobs/queue.ts';
import { MIGRATIONS, migrate } from '../../src/store/migrations.ts';
import { GITHUB_LIMITS } from '../../src/outbox/budget.ts';
import { Store } from '../../src/store/store.ts';
import { BACKENDS } from '../helpers/store.ts';

function request(over: Partial<GradingRequest> = {}): GradingRequest {
  return {
    deliveryId: `d-${Math.random().toString(36).slice(2)}`,
    installationId: 1,
    owner: 'clase',
    repo: 'mlops-ana',
    repoId: 10,
    topics: [],
    sha: 'a'.repeat(40),
    deliveredAt: '2026-09-08T15:00:00.000Z',
    trigger: 'push',
    ...over,
  };
}

const sha = (c: string) => c.repeat(40);
const opened: Store[] = [];
afterEach(async () => {
  await Promise.all(opened.splice(0).map((s) => s.close().catch(() => undefined)));
});

describe.each(BACKENDS)('the store on $name', (backend) => {
  async function fresh(clock?: () => number) {
    const { db, reopen } = await backend.fresh();
    const store = await Store.open(db, clock ? { clock } : {});
    opened.push(store);
    return { store, reopen: async () => { const s = await Store.open(reopen(), clock ? { clock } : {}); opened.push(s); return s; } };
  }

  it('applies its migrations once and records their versions', async () => {
    const { store, reopen } = await fresh();
    expect(await migrate(store.db)).toEqual([]);
    const again = await reopen();
    const rows = await again.db.all<{ version: number }>('SELECT version FROM schema_migrations ORDER BY version');
    expect(rows.map((r) => Number(r.version))).toEqual(MIGRATIONS.map((m) => m.version));
  });

  it("a commit's deliveries are its pushes and pull requests (merged ones too), earliest first, never its re-runs", async () => {
    const { store } = await fresh();
    const c = sha('c');
    await store.queue.enqueue(request({ sha: c, trigger: 'rerun', deliveredAt: '2026-09-07T09:00:00.000Z' }), { maxAttempts: 3 });
    expect(await store.queue.deliveriesOf(10, c)).toEqual([]);
    await store.queue.enqueue(request({ sha: c, trigger: 'pull_request', pullRequest: { number: 7 }, deliveredAt: '2026-09-09T12:00:00.000Z' }), { maxAttempts: 3 });
    expect((await store.queue.deliveriesOf(10, c)).map((d) => [d.trigger, d.deliveredAt])).toEqual([['pull_request', '2026-09-09T12:00:00.000Z']]);
    // The push of the same commit merges into the waiting job; its earlier delivery still counts.
    expect(await store.queue.enqueue(request({ sha: c, deliveredAt: '2026-09-08T15:00:00.000Z' }), { maxAttempts: 3 })).toMatchObject({ status: 'merged' });
    expect((await store.queue.deliveriesOf(10, c)).map((d) => [d.trigger, d.deliveredAt])).toEqual([
      ['push', '2026-09-08T15:00:00.000Z'],
      ['pull_request', '2026-09-09T12:00:00.000Z'],
    ]);
    expect(await store.queue.deliveriesOf(11, c)).toEqual([]);
    expect(await store.queue.deliveriesOf(10, sha('d'))).toEqual([]);
  });

  it('one job per repository, commit and week: the same commit for another week, or in another repository, is a job of its own', async () => {
    const { store } = await fresh();
    const c = sha('e');
    const pr = (number: number, week: number, over: Partial<GradingRequest> = {}) => request({ sha: c, trigger: 'pull_request', pullRequest: { number }, unit: `week-${week}`, ...over });
    const week2 = await store.queue.enqueue(pr(7, 2), { maxAttempts: 3 });
    const week3 = await store.queue.enqueue(pr(8, 3), { maxAttempts: 3 });
    const otherRepo = await store.queue.enqueue(pr(7, 2, { repoId: 11, repo: 'mlops-bea' }), { maxAttempts: 3 });
    expect([week2.status, week3.status, otherRepo.status]).toEqual(['queued', 'queued', 'queued']);
    expect(new Set([week2.jobId, week3.jobId, otherRepo.jobId]).size).toBe(3);
    // The same repository, commit and week (another pull request naming it) is the waiting job.
    expect(await store.queue.enqueue(pr(9, 2), { maxAttempts: 3 })).toEqual({ status: 'merged', jobId: week2.jobId });
    expect(await store.queue.enqueue(pr(9, 2, { repoId: 11, repo: 'mlops-bea' }), { maxAttempts: 3 })).toEqual({ status: 'merged', jobId: otherRepo.jobId });
    expect((await store.queue.counts()).queued).toBe(3);
  });

  it('a redelivered webhook is the same job', async () => {
    const { store } = await fresh();
    const r = request();
    const first = await store.queue.enqueue(r, { maxAttempts: 3 });
    const second = await store.queue.enqueue(r, { maxAttempts: 3 });
    expect(first.status).toBe('queued');
    expect(second).toEqual({ status: 'duplicate-delivery', jobId: first.jobId });
    expect((await store.queue.counts()).queued).toBe(1);
  });

  it('a push and its pull request for the same commit merge into one waiting job, which keeps the PR for its comment', async () => {
    const { store } = await fresh();
    const push = await store.queue.enqueue(request(), { maxAttempts: 3 });
    const pr = await store.queue.enqueue(request({ trigger: 'pull_request', pullRequest: { number: 7 } }), { maxAttempts: 3 });
    expect(pr).toEqual({ status: 'merged', jobId: push.jobId });
    expect((await store.queue.counts()).queued).toBe(1);
    const job = await store.queue.claim('w1', 10_000);
    expect(job?.request.pullRequest).toEqual({ number: 7 });
  });

  it('a newer push supersedes the older one still waiting; an older one arriving late is superseded at once', async () => {
    const { store } = await fresh();
    const old = await store.queue.enqueue(request({ sha: sha('1'), deliveredAt: '2026-09-08T15:00:00.000Z' }), { maxAttempts: 3 });
    const newer = await store.queue.enqueue(request({ sha: sha('2'), deliveredAt: '2026-09-08T15:01:00.000Z' }), { maxAttempts: 3 });
    expect(newer).toEqual({ status: 'queued', jobId: expect.any(String), superseded: [old.jobId] });
    expect(await store.queue.job(old.jobId)).toMatchObject({ state: 'superseded', supersededBy: sha('2') });
    const late = await store.queue.enqueue(request({ sha: sha('0'), deliveredAt: '2026-09-08T14:59:00.000Z' }), { maxAttempts: 3 });
    expect(late).toMatchObject({ status: 'superseded', by: sha('2') });
    // Another repository, or a pull request, is another lane.
    expect((await store.queue.enqueue(request({ repoId: 11, sha: sha('3') }), { maxAttempts: 3 })).status).toBe('queued');
    expect((await store.queue.enqueue(request({ sha: sha('4'), trigger: 'pull_request', pullRequest: { number: 1 } }), { maxAttempts: 3 })).status).toBe('queued');
    expect((await store.queue.counts()).queued).toBe(3);
  });

  it('a running job is not superseded, and a superseded job that showed a check run gets a notice job', async () => {
    const { store } = await fresh();
    const a = await store.queue.enqueue(request({ sha: sha('1') }), { maxAttempts: 3 });
    await store.queue.claim('w1', 10_000);
    const b = await store.queue.enqueue(request({ sha: sha('2'), deliveredAt: '2026-09-08T15:02:00.000Z' }), { maxAttempts: 3 });
    expect(b).toMatchObject({ status: 'queued', superseded: [] });
    expect((await store.queue.job(a.jobId))?.state).toBe('running');
    await store.queue.setJobCheckRun(b.jobId, 4242);
    await store.queue.enqueue(request({ sha: sha('3'), deliveredAt: '2026-09-08T15:03:00.000Z' }), { maxAttempts: 3 });
    const notices = (await store.queue.jobs({ state: 'queued' })).filter((j) => j.kind === 'supersede-notice');
    expect(notices).toHaveLength(1);
    expect(notices[0]!.request).toMatchObject({ checkRunId: 4242, supersededBy: sha('3'), sha: sha('2') });
  });

  it('a job whose worker stopped heartbeating is taken by another worker once the lease runs out; the first can no longer end it', async () => {
    let now = 1_000_000;
    const { store } = await fresh(() => now);
    const { jobId } = await store.queue.enqueue(request(), { maxAttempts: 3 });
    const first = await store.queue.claim('dead-worker', 30_000);
    expect(first?.id).toBe(jobId);
    expect(await store.queue.claim('other', 30_000)).toBeUndefined();
    now += 30_001;
    const second = await store.queue.claim('other', 30_000);
    expect(second).toMatchObject({ id: jobId, attempts: 2 });
    expect(await store.queue.finish(first!.lease!, 'done', 'graded')).toBe(false);
    expect(await store.queue.holds(first!.lease!)).toBe(false);
    expect(await store.queue.heartbeat(first!.lease!, 30_000)).toBe(false);
    expect(await store.queue.finish(second!.lease!, 'done', 'graded')).toBe(true);
    expect(await store.queue.job(jobId)).toMatchObject({ state: 'done', outcome: 'graded' });
  });

  it('jobs of a dead process are released at once; attempts spent by crashes end as failed and can be requeued', async () => {
    let now = 1_000_000;
    const { store } = await fresh(() => now);
    const { jobId } = await store.queue.enqueue(request(), { maxAttempts: 2 });
    await store.queue.claim('gone', 60_000);
    expect(await store.queue.releaseOwners((o) => o === 'gone')).toBe(1);
    expect((await store.queue.claim('w2', 60_000))?.attempts).toBe(2);
    await store.queue.releaseOwners(() => true);
    expect(await store.queue.claim('w3', 60_000)).toBeUndefined();
    expect(await store.queue.job(jobId)).toMatchObject({ state: 'failed', outcome: 'infrastructure-error' });
    expect(await store.queue.requeue()).toBe(1);
    expect(await store.queue.claim('w4', 60_000)).toMatchObject({ id: jobId, attempts: 1 });
  });

  it('a retried job waits for its delay; jobs for a commit being graded wait for it', async () => {
    let now = 1_000_000;
    const { store } = await fresh(() => now);
    const { jobId } = await store.queue.enqueue(request(), { maxAttempts: 3 });
    const claimed = await store.queue.claim('w', 60_000);
    // The same commit by a re-run (its own job) waits while the first runs.
    await store.queue.enqueue(request({ trigger: 'rerun', deliveryId: 'rerun-1' }), { maxAttempts: 3 });
    expect(await store.queue.claim('w', 60_000)).toMatchObject({ request: { trigger: 'rerun' } });
    expect(await store.queue.retryLater(claimed!.lease!, 5_000, 'docker down')).toBe(true);
    expect(await store.queue.claim('w', 60_000)).toBeUndefined();
    now += 5_000;
    expect(await store.queue.claim('w', 60_000)).toMatchObject({ id: jobId, attempts: 2, lastError: 'docker down' });
  });

  it('a job retried while the same commit arrived again hands over to the waiting one (with its pull request)', async () => {
    const { store } = await fresh();
    const first = await store.queue.enqueue(request({ trigger: 'pull_request', pullRequest: { number: 3 } }), { maxAttempts: 3 });
    const claimed = await store.queue.claim('w', 60_000);
    const again = await store.queue.enqueue(request(), { maxAttempts: 3 });
    expect(again.status).toBe('queued');
    expect(await store.queue.retryLater(claimed!.lease!, 0, 'docker down')).toBe(true);
    expect(await store.queue.job(first.jobId)).toMatchObject({ state: 'done', outcome: 'merged' });
    expect(await store.queue.claim('w', 60_000)).toMatchObject({ id: again.jobId, request: { pullRequest: { number: 3 } } });
  });

  it('records a grading once per job', async () => {
    const { store } = await fresh();
    const g = grading('job-1');
    expect(await store.record.recordGrading(g)).toBe(true);
    expect(await store.record.recordGrading({ ...g, score: 0 })).toBe(false);
    const [kept] = await store.record.gradings({ org: 'clase' });
    expect(kept).toMatchObject({ jobId: 'job-1', score: 75, finalScore: 65, late: { daysLate: 1 }, students: ['ana'], criteria: [{ id: 'a', score: 75 }] });
    expect((await store.record.latestGradingOf(10, sha('a'), 'week-1'))?.grade.score).toBe(75);
  });

  it('spaces an installation’s writes 1 s apart and comments 3 s apart, across two store handles', async () => {
    const { store, reopen } = await fresh(() => 5_000);
    const other = await reopen();
    const limits = { ...GITHUB_LIMITS, writeMs: 1_000, notifyMs: 3_000 };
    const reserve = (s: Store, installation: number, notifies: boolean) => s.budget.reserve(installation, { endpoint: 'POST /repos/{owner}/{repo}/issues/{issue_number}/comments', creates: true, notifies }, limits);
    const slots = await Promise.all([reserve(store, 1, false), reserve(other, 1, false), reserve(store, 1, true), reserve(other, 1, true)]);
    const sorted = [...slots].sort((a, b) => a - b);
    expect(new Set(slots).size).toBe(4);
    for (let i = 1; i < sorted.length; i++) expect(sorted[i]! - sorted[i - 1]!).toBeGreaterThanOrEqual(1_000);
    // The two comments are at least 3 s apart.
    expect(Math.abs(slots[3]! - slots[2]!)).toBeGreaterThanOrEqual(3_000);
    // Another installation has its own lane.
    expect(await reserve(store, 2, false)).toBe(5_000);
    expect(await store.budget.writesSpent(1)).toBe(4);
  });

  it('two workers with their own connections never run the same job', async () => {
    const { store, reopen } = await fresh();
    const other = await reopen();
    const ran: { id: string; by: string }[] = [];
    const work = (by: string) => async (job: QueuedJob) => {
      ran.push({ id: job.id, by });
      await new Promise((r) => setTimeout(r, 5 + Math.random() * 15));
      return 'graded';
    };
    const a = new GradingQueue(store, work('a'), { concurrency: 2, retryDelaysMs: [], pollMs: 5 });
    const b = new GradingQueue(other, work('b'), { concurrency: 2, retryDelaysMs: [], pollMs: 5 });
    const ids: string[] = [];
    for (let i = 0; i < 40; i++) ids.push((await store.queue.enqueue(request({ repoId: 100 + i, sha: sha(String(i % 10)) }), { maxAttempts: 1 })).jobId);
    await Promise.all([a.start(), b.start()]);
    await a.idle();
    await Promise.all([a.close(), b.close()]);
    expect(ran.map((r) => r.id).sort()).toEqual([...ids].sort());
    expect(new Set(ran.map((r) => r.by))).toEqual(new Set(['a', 'b']));
    expect((await store.queue.counts()).done).toBe(40);
  });

  it('a failure of ours retries with backoff and then ends as failed, visible and requeueable; a crash ends as failed at once', async () => {
    const { store } = await fresh();
    let calls = 0;
    const queue = new GradingQueue(
      store,
      async (job) => {
        calls++;
        if (job.request.repo === 'buggy') throw new Error('a bug of ours');
        if (!job.lastAttempt) throw new RetryLater(new Error('docker down'));
        return 'infrastructure-error';
      },
      { concurrency: 1, retryDelaysMs: [10, 20], pollMs: 5 },
    );
    await queue.start();
    const { jobId } = await queue.enqueue(request());
    const crash = await queue.enqueue(request({ repo: 'buggy', repoId: 99 }));
    await queue.idle();
    await queue.close();
    expect(calls).toBe(4);
    expect(await store.queue.job(jobId)).toMatchObject({ state: 'failed', attempts: 3, outcome: 'infrastructure-error', lastError: 'docker down' });
    expect(await store.queue.job(crash.jobId)).toMatchObject({ state: 'failed', attempts: 1, outcome: 'crashed', lastError: 'a bug of ours' });
    expect((await store.queue.jobs({ state: 'failed' })).map((j) => j.id).sort()).toEqual([jobId, crash.jobId].sort());
  });
});

function grading(jobId: string) {
  return {
    jobId,
    installationId: 1,
    org: 'clase',
    repoId: 10,
    repo: 'mlops-ana',
    students: ['ana'],
    course: 'default',
    unit: 'week-1',
    week: 1,
    sha: sha('a'),
    deliveredAt: '2026-09-14T03:30:00.000Z',
    gradedAt: '2026-09-14T03:30:05.000Z',
    trigger: 'push' as const,
    packName: 'mlops',
    packHash: 'h',
    image: 'img',
    imageId: 'sha256:1',
    score: 75,
    maxScore: 100,
    pendingPoints: 0,
    errorPoints: 0,
    criteria: [{ id: 'a', maxScore: 100, score: 75, status: 'partial' as const }],
    late: { deadline: '2026-09-14T02:59:00.000Z', effectiveDeadline: '2026-09-14T02:59:00.000Z', minutesLate: 31, daysLate: 1, penaltyFraction: 0.1, status: 'late' as const },
    penalty: 10,
    finalScore: 65,
    grade: { week: 1, score: 75, maxScore: 100 } as never,
  };
}
