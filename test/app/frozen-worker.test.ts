import { afterEach, describe, expect, it } from 'vitest';
import { SHA } from '../fixtures/github-repo.ts';
import { BACKENDS } from '../helpers/store.ts';
import { workerRig } from '../helpers/worker-process.ts';

/**
 * Issue 12's first finding, as an operator saw it: a worker frozen (SIGSTOP) while it
 * grades, another worker taking the job over once the lease runs out, then the first
 * thawed. Real processes, real containers, the real store; GitHub faked over HTTP.
 */
const LEASE_MS = 3_000;
const rig = workerRig();
afterEach(() => rig.stop());

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe.each(BACKENDS)('a worker frozen past its lease, on $name', (backend) => {
  it('another takes the job over and publishes; the thawed one publishes nothing: one check run', async () => {
    const { store, url } = await rig.store(backend);
    const fake = await rig.github();
    // The first download is held: the first worker is frozen right there, mid-job.
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    let downloads = 0;
    fake.beforeTarball = async () => {
      if (++downloads === 1) await held;
    };

    const { jobId } = await store.queue.enqueue(
      { deliveryId: 'frozen-1', installationId: 77, owner: 'clase-mlops', repo: 'mlops-ana', repoId: 1, topics: [], sha: SHA, deliveredAt: new Date().toISOString(), trigger: 'push' },
      { maxAttempts: 3 },
    );
    const first = rig.worker(url, fake.host, { RUBRICA_LEASE_MS: String(LEASE_MS) });
    while (downloads === 0) await sleep(20);
    first.child.kill('SIGSTOP');
    release();
    expect(await store.queue.job(jobId)).toMatchObject({ state: 'running', attempts: 1 });

    // The frozen worker's lease runs out; a second worker takes the job and publishes it.
    await sleep(LEASE_MS + 500);
    const second = rig.worker(url, fake.host, { RUBRICA_LEASE_MS: String(LEASE_MS) });
    for (let i = 0; i < 600 && fake.checkRuns.size === 0; i++) await sleep(100);
    expect(await store.queue.job(jobId)).toMatchObject({ state: 'done', outcome: 'graded', attempts: 2 });
    expect(fake.checkRuns.size).toBe(1);

    // Thawed, the first worker finds its lease gone and stops without writing.
    first.child.kill('SIGCONT');
    await first.waitFor(/outcome: "lease-lost"|"outcome":"lease-lost"/, 30_000);
    await sleep(1_500);
    expect([...fake.checkRuns.values()].map((r) => ({ sha: r.headSha, status: r.status, completions: r.completions }))).toEqual([{ sha: SHA, status: 'completed', completions: 1 }]);
    expect(fake.writes.map((w) => w.kind)).toEqual(['check-run.create']);
    expect((await store.record.gradings()).map((g) => g.jobId)).toEqual([jobId]);
    // One publication, made by the job that held the lease, sent once.
    expect((await store.outbox.ofJob(jobId)).map((p) => [p.kind, p.state, p.attempts])).toEqual([['check-run', 'sent', 1]]);
    expect(await store.queue.job(jobId)).toMatchObject({ state: 'done', attempts: 2 });
  });
});
