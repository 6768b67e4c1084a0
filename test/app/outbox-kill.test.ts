import { afterEach, describe, expect, it } from 'vitest';
import { BACKENDS } from '../helpers/store.ts';
import { workerRig } from '../helpers/worker-process.ts';

/**
 * The outbox survives a kill: a real `rubrica worker` killed with SIGKILL while
 * GitHub is answering one of its check runs (created on GitHub, not yet recorded
 * here), then a second worker on the same store. Every publication goes out once.
 */
const rig = workerRig();
afterEach(() => rig.stop());

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const REPOS = 5;

describe.each(BACKENDS)('an outbox killed mid-send, on $name', (backend) => {
  it('is drained by the next worker: each check run created once, nothing lost', async () => {
    const { store, url } = await rig.store(backend);
    const fake = await rig.github();
    // GitHub creates the third check run, and its answer is held: the worker is killed waiting for it.
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    let creates = 0;
    fake.beforeAnswer = async () => {
      if (++creates === 3) await held;
    };
    const shas = Array.from({ length: REPOS }, (_, i) => `${i + 1}`.repeat(40));
    for (const [i, sha] of shas.entries()) {
      await store.queue.enqueue({ deliveryId: `kill-${i}`, installationId: 77, owner: 'clase-mlops', repo: `mlops-s${i}`, repoId: 100 + i, topics: [], sha, deliveredAt: new Date().toISOString(), trigger: 'push' }, { maxAttempts: 3 });
    }
    const env = { RUBRICA_WRITE_MS: '50', RUBRICA_NOTIFY_MS: '50' };
    const first = rig.worker(url, fake.host, env);
    while (creates < 3) await sleep(20);
    first.child.kill('SIGKILL');
    await first.exited;
    release();
    const atKill = await store.outbox.counts();
    expect(atKill.sending).toBe(1); // the one GitHub created but the worker never heard back about

    const second = rig.worker(url, fake.host, env);
    for (let i = 0; i < 900; i++) {
      const jobs = await store.queue.counts();
      const outbox = await store.outbox.counts();
      if (jobs.queued + jobs.running === 0 && outbox.waiting + outbox.sending === 0) break;
      await sleep(100);
    }
    const runs = [...fake.checkRuns.values()];
    expect(runs.map((r) => r.headSha).sort()).toEqual([...shas].sort());
    expect(runs.every((r) => r.status === 'completed' && r.completions === 1)).toBe(true);
    expect(fake.writes.filter((w) => w.kind === 'check-run.create')).toHaveLength(REPOS);
    expect(fake.writes).toHaveLength(REPOS);
    expect(await store.outbox.counts()).toMatchObject({ sent: REPOS, failed: 0, waiting: 0, sending: 0 });
    expect((await store.queue.counts()).done).toBe(REPOS);
    // The interrupted publication was found on GitHub on its second try, not created again.
    const resumed = (await store.outbox.list({ states: ['sent'] })).filter((p) => p.attempts === 2);
    expect(resumed).toHaveLength(1);
    expect(resumed[0]!.result).toMatchObject({ checkRunId: expect.any(Number) });
    // Every grading knows its check run.
    expect((await store.record.gradings()).filter((g) => g.checkRunId === undefined)).toEqual([]);
  });
});
