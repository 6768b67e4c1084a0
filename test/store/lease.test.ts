import { afterEach, describe, expect, it } from 'vitest';
import type { GradingRequest } from '../../src/events/requests.ts';
import { LeaseLost } from '../../src/jobs/lease.ts';
import { GradingQueue, type QueuedJob } from '../../src/jobs/queue.ts';
import { Store } from '../../src/store/store.ts';
import { BACKENDS } from '../helpers/store.ts';

const opened: Store[] = [];
const queues: GradingQueue[] = [];
afterEach(async () => {
  await Promise.all(queues.splice(0).map((q) => q.close()));
  await Promise.all(opened.splice(0).map((s) => s.close().catch(() => undefined)));
});

function request(over: Partial<GradingRequest> = {}): GradingRequest {
  return { deliveryId: `d-${Math.random().toString(36).slice(2)}`, installationId: 1, owner: 'clase', repo: 'mlops-ana', repoId: 10, topics: [], sha: 'a'.repeat(40), deliveredAt: '2026-09-08T15:00:00.000Z', trigger: 'push', ...over };
}

/** The store as one worker sees it, with its heartbeat replaced (a network partition, a broken connection). */
function withHeartbeat(store: Store, heartbeat: Store['queue']['heartbeat']): Store {
  const queue = new Proxy(store.queue, {
    get(target, property) {
      if (property === 'heartbeat') return heartbeat;
      const value = Reflect.get(target, property, target);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
  return new Proxy(store, { get: (target, property) => (property === 'queue' ? queue : Reflect.get(target, property, target)) });
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A grading of `job`, as the grading job records it. */
function gradingOf(job: QueuedJob) {
  return {
    jobId: job.id, installationId: 1, org: 'clase', repoId: 10, repo: 'mlops-ana', students: ['ana'], course: 'default', unit: 'week-1', week: 1, sha: job.request.sha,
    deliveredAt: job.request.deliveredAt, gradedAt: new Date().toISOString(), trigger: 'push' as const, packName: 'mlops', packHash: 'h', image: 'img', imageId: 'sha256:1',
    score: 100, maxScore: 100, pendingPoints: 0, errorPoints: 0, criteria: [], late: { deadline: '', effectiveDeadline: '', minutesLate: 0, daysLate: 0, penaltyFraction: 0, status: 'on-time' as const },
    penalty: 0, finalScore: 100, grade: { week: 1, score: 100, maxScore: 100 } as never,
  };
}

describe.each(BACKENDS)('a job keeps its lease, on $name', (backend) => {
  async function stores() {
    const { db, reopen } = await backend.fresh();
    const a = await Store.open(db);
    const b = await Store.open(reopen());
    opened.push(a, b);
    return { a, b };
  }

  it('200 ms lease, 800 ms job, a failing heartbeat and a second queue: the job is recorded once, by the worker that holds it', async () => {
    const { a, b } = await stores();
    const { jobId } = await a.queue.enqueue(request(), { maxAttempts: 5 });
    const events: string[] = [];
    // The job ignores its signal on purpose: the store must refuse the stale worker's write anyway.
    const work = (name: string) => async (job: QueuedJob) => {
      events.push(`${name} starts #${job.attempt}`);
      await sleep(800);
      await a.record.recordGrading(gradingOf(job), job.lease.lease);
      events.push(`${name} recorded #${job.attempt}`);
      return 'graded';
    };
    const failing = new GradingQueue(withHeartbeat(a, async () => { throw new Error('connection reset'); }), work('failing'), { concurrency: 1, retryDelaysMs: [10], leaseMs: 200, pollMs: 10 });
    queues.push(failing);
    await failing.start();
    await sleep(300); // the failing worker holds the job; its lease runs out unrenewed
    const healthy = new GradingQueue(b, work('healthy'), { concurrency: 1, retryDelaysMs: [10], leaseMs: 200, pollMs: 10 });
    queues.push(healthy);
    await healthy.start();
    await sleep(1_500);
    await Promise.all([failing.close(), healthy.close()]);

    expect(events).toEqual(['failing starts #1', 'healthy starts #2', 'healthy recorded #2']);
    expect((await a.record.gradings()).map((g) => g.jobId)).toEqual([jobId]);
    expect(await a.queue.job(jobId)).toMatchObject({ state: 'done', outcome: 'graded', attempts: 2 });
  });

  it('a heartbeat the store refuses aborts the job’s signal, and the job stops before its next write', async () => {
    const { a } = await stores();
    const { jobId } = await a.queue.enqueue(request(), { maxAttempts: 3 });
    let seen: { aborted: boolean; reason?: unknown; wrote: boolean } | undefined;
    const queue = new GradingQueue(
      withHeartbeat(a, async () => false),
      async (job) => {
        const aborted = new Promise<void>((resolve) => job.lease.signal.addEventListener('abort', () => resolve()));
        await Promise.race([aborted, sleep(2_000)]);
        seen = { aborted: job.lease.signal.aborted, reason: job.lease.signal.reason, wrote: false };
        job.lease.assertHeld(); // throws: nothing below runs
        seen.wrote = true;
        return 'graded';
      },
      { concurrency: 1, retryDelaysMs: [10], leaseMs: 300, pollMs: 10 },
    );
    queues.push(queue);
    const started = performance.now();
    await queue.start();
    while (!seen) await sleep(10);
    // The first renewal (a third of the lease) is refused: the job learns it then, not at the end.
    expect(performance.now() - started).toBeLessThan(600);
    expect(seen).toMatchObject({ aborted: true, wrote: false });
    expect(seen.reason).toBeInstanceOf(LeaseLost);
    await queue.close();
    // The job is not ended by the worker that lost it: it stays for the next claim.
    expect(await a.queue.job(jobId)).toMatchObject({ state: 'running', attempts: 1, outcome: null });
  });

  it('a heartbeat that throws aborts the signal as well', async () => {
    const { a } = await stores();
    await a.queue.enqueue(request(), { maxAttempts: 3 });
    let reason: unknown;
    const queue = new GradingQueue(
      withHeartbeat(a, async () => { throw new Error('the database is unreachable'); }),
      async (job) => {
        await new Promise<void>((resolve) => job.lease.signal.addEventListener('abort', () => resolve()));
        reason = job.lease.signal.reason;
        job.lease.assertHeld();
        return 'graded';
      },
      { concurrency: 1, retryDelaysMs: [10], leaseMs: 300, pollMs: 10 },
    );
    queues.push(queue);
    await queue.start();
    while (!reason) await sleep(10);
    expect((reason as Error).message).toContain('the database is unreachable');
  });

  it('a process frozen past its lease (the event loop blocked) finds its lease untrusted at once, before any write', async () => {
    const { a } = await stores();
    const { jobId } = await a.queue.enqueue(request(), { maxAttempts: 3 });
    let verdict: string | undefined;
    const queue = new GradingQueue(
      a,
      async (job) => {
        const until = Date.now() + 450; // longer than the 300 ms lease: no timer, no heartbeat runs meanwhile
        while (Date.now() < until);
        try {
          job.lease.assertHeld();
          verdict = 'held';
        } catch (error) {
          verdict = (error as Error).name;
          throw error;
        }
        return 'graded';
      },
      { concurrency: 1, retryDelaysMs: [10], leaseMs: 300, pollMs: 10 },
    );
    queues.push(queue);
    await queue.start();
    while (!verdict) await sleep(10);
    expect(verdict).toBe('LeaseLost');
    await queue.close();
    expect((await a.queue.job(jobId))?.state).toBe('running');
  });

  it('a grading recorded under a lease another claim has taken is refused', async () => {
    let now = 1_000_000;
    const { db } = await backend.fresh();
    const store = await Store.open(db, { clock: () => now });
    opened.push(store);
    await store.queue.enqueue(request(), { maxAttempts: 3 });
    const first = (await store.queue.claim('same-worker', 1_000))!;
    now += 1_001;
    // The same worker claims it again (it was frozen, then its own pump found the lease expired): a new token.
    const second = (await store.queue.claim('same-worker', 1_000))!;
    expect(second.lease!.token).not.toBe(first.lease!.token);
    const job = { id: first.id, request: first.request } as QueuedJob;
    await expect(store.record.recordGrading(gradingOf(job), first.lease!)).rejects.toBeInstanceOf(LeaseLost);
    expect(await store.record.recordGrading(gradingOf(job), second.lease!)).toBe(true);
    expect(await store.record.gradings()).toHaveLength(1);
  });
});
