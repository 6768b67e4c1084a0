import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { GradingQueue } from '../../src/jobs/queue.ts';
import { Store } from '../../src/store/store.ts';
import { BACKENDS } from '../helpers/store.ts';

const WORKER = fileURLToPath(new URL('../helpers/crash-worker.ts', import.meta.url));
const opened: Store[] = [];
afterEach(async () => {
  await Promise.all(opened.splice(0).map((s) => s.close().catch(() => undefined)));
});

describe.each(BACKENDS)('a worker killed mid-job, on $name', (backend) => {
  it('leaves its job to the restarted worker, which completes it once', async () => {
    const { db, reopen, url } = await backend.fresh();
    const store = await Store.open(db);
    opened.push(store);
    const { jobId } = await store.queue.enqueue(
      { deliveryId: 'crash-1', installationId: 1, owner: 'clase', repo: 'mlops-ana', repoId: 1, topics: [], sha: 'c'.repeat(40), deliveredAt: new Date().toISOString(), trigger: 'push' },
      { maxAttempts: 3 },
    );

    // A real process takes the job (a 60 s lease) and is killed with SIGKILL while grading.
    const child = spawn(process.execPath, [WORKER, url], { stdio: ['ignore', 'pipe', 'inherit'] });
    const started = await new Promise<string>((resolve, reject) => {
      let out = '';
      child.stdout.on('data', (chunk: Buffer) => {
        out += chunk.toString();
        if (out.includes('\n')) resolve(out.trim());
      });
      child.on('exit', (code) => reject(new Error(`worker exited early (${code})`)));
    });
    expect(started).toBe(`started ${jobId} attempt 1`);
    expect(await store.queue.job(jobId)).toMatchObject({ state: 'running', attempts: 1 });
    const exited = new Promise((resolve) => child.on('exit', resolve));
    child.kill('SIGKILL');
    await exited;

    // The restarted worker sees the owner's process is gone and takes the job back at once.
    const restarted = await Store.open(reopen());
    opened.push(restarted);
    const graded: string[] = [];
    // Its own lease is 10 minutes: only recognising the dead owner lets it finish within the test's time.
    const queue = new GradingQueue(restarted, async (job) => (graded.push(`${job.id}#${job.attempt}`), 'graded'), { concurrency: 1, retryDelaysMs: [10, 10], pollMs: 10, leaseMs: 600_000 });
    await queue.start();
    await queue.idle();
    await queue.close();
    expect(graded).toEqual([`${jobId}#2`]);
    expect(await restarted.queue.job(jobId)).toMatchObject({ state: 'done', outcome: 'graded', attempts: 2 });
    expect((await restarted.queue.counts()).done).toBe(1);
  });
});
