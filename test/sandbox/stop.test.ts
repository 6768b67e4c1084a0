import type { ChildProcess } from 'node:child_process';
import { createHmac, generateKeyPairSync, randomUUID } from 'node:crypto';
import { promises as fs, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { dirname, join } from 'node:path';
import type { Readable } from 'node:stream';
import { pack as tarPack } from 'tar-stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeGitHub, type FakeGitHub } from '../../bench/fake-github.ts';
import { GradingQueue } from '../../src/jobs/queue.ts';
import { DEFAULT_LIMITS } from '../../src/sandbox/limits.ts';
import { DockerSandboxProvider, SANDBOX_LABEL } from '../../src/sandbox/sandbox.ts';
import { stopWorkers } from '../../src/stop.ts';
import { Store } from '../../src/store/store.ts';
import { containersOfProcess, runningContainerOf } from '../helpers/containers.ts';
import { exited, launch, ROOT, type Launched } from '../helpers/processes.ts';
import { BACKENDS } from '../helpers/store.ts';
import { WEEK1_COMMITS, WEEK1_REPO } from '../fixtures/github-repo.ts';
import { tempDir } from '../fixtures/repos.ts';

/**
 * `npm start`'s process (bin/serve.js) and `rubrica worker` stopped with SIGTERM in
 * the middle of a grading, as `docker compose down` or systemd stop them, with GitHub
 * faked over real HTTP on loopback: no container is left, nothing is published, the
 * process exits 0 within its grace, and the job goes back to the queue at once (the
 * next worker takes it without waiting out the 30 s lease).
 */
const ORG = 'clase-mlops';
const SECRET = 'stop-test-secret';
const PRIVATE_KEY = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ type: 'pkcs1', format: 'pem' }).toString();
const GRACE_SECONDS = 2;
const provider = new DockerSandboxProvider();
const children: ChildProcess[] = [];

/** Week 6 of the MLOps pack on a repository whose conftest never finishes importing: a grading that runs for minutes. */
const HANGING_REPO = { ...WEEK1_REPO, 'tests/conftest.py': 'import time\nwhile True:\n    time.sleep(1)\n' };

function courseYaml(): string {
  // Week 6 today: week 1 began on the Monday five weeks before this week's.
  const now = new Date();
  const monday = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate() - ((now.getUTCDay() + 6) % 7) - 35));
  return `pack: mlops\nstart: ${monday.toISOString().slice(0, 10)}\ntimezone: UTC\nweeks: 10\nstudents:\n  prefix: mlops-\ntas: mlops-tas\nlocale: es\n`;
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as { port: number };
  await new Promise((r) => server.close(r));
  return port;
}

const node = (args: string[], env: NodeJS.ProcessEnv) => launch(process.execPath, args, env, children);

async function waitForWebhooks(url: string, child: Launched): Promise<void> {
  for (let i = 0; i < 600; i++) {
    if (child.exitCode !== null) throw new Error(`the app exited while starting:\n${child.output()}`);
    const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', 'x-github-event': 'ping', 'x-github-delivery': randomUUID(), 'x-hub-signature-256': `sha256=${'0'.repeat(64)}` }, body: '{}' }).catch(() => undefined);
    await res?.arrayBuffer();
    if (res?.status === 400) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`the app never answered on ${url}:\n${child.output()}`);
}

async function push(url: string, repo: string): Promise<void> {
  const payload = JSON.parse(readFileSync(join(ROOT, 'test/fixtures/payloads/push.json'), 'utf8'));
  const sha = randomUUID().replace(/-/g, '').padEnd(40, '0').slice(0, 40);
  Object.assign(payload, { after: sha, installation: { id: 4242, node_id: 'stop-test' } });
  payload.head_commit.id = sha;
  Object.assign(payload.repository, { id: 9_000_001, name: repo, full_name: `${ORG}/${repo}`, pushed_at: Math.floor(Date.now() / 1000) });
  payload.repository.owner.login = ORG;
  const body = JSON.stringify(payload);
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-github-event': 'push', 'x-github-delivery': randomUUID(), 'x-hub-signature-256': `sha256=${createHmac('sha256', SECRET).update(body).digest('hex')}` },
    body,
  });
  await res.arrayBuffer();
  expect(res.status).toBe(200);
}

let fake: FakeGitHub;
let keyPath: string;

beforeAll(async () => {
  fake = await startFakeGitHub({ courseYaml: courseYaml(), files: HANGING_REPO, commits: WEEK1_COMMITS });
  keyPath = join(await tempDir('key'), 'app.pem');
  await fs.writeFile(keyPath, PRIVATE_KEY);
});

afterAll(async () => {
  for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  await Promise.all(children.map(exited));
  const left = (await Promise.all(children.map((c) => containersOfProcess(provider, c.pid!)))).flat();
  await Promise.all(left.map((c) => provider.docker.getContainer(c.id).remove({ force: true }).catch(() => undefined)));
  await fake?.close();
  expect(left).toEqual([]);
});

// Each backend stops the app with one signal and the worker with the other, so both
// meet both; SQLite (always run) gives the app SIGINT, whose handler Probot also installs.
const SIGNALS = { sqlite: ['SIGINT', 'SIGTERM'], postgres: ['SIGTERM', 'SIGINT'] } as const;

describe.each(BACKENDS)('stopping graders mid-grading ($name store)', (backend) => {
  const [appSignal, workerSignal] = SIGNALS[backend.name];
  it(`npm start (${appSignal}), then a rubrica worker on the same store (${workerSignal}): no container left, nothing published, the job handed on at once`, async () => {
    const { db, url, reopen } = await backend.fresh();
    await db.close();
    const port = await freePort();
    const webhooks = `http://127.0.0.1:${port}/api/github/webhooks`;
    const common: NodeJS.ProcessEnv = {
      PATH: process.env.PATH,
      APP_ID: '123',
      WEBHOOK_SECRET: SECRET,
      GHE_HOST: fake.host,
      GHE_PROTOCOL: 'http',
      NODE_ENV: 'production',
      LOG_LEVEL: 'info',
      RUBRICA_CONCURRENCY: '1',
      RUBRICA_STOP_GRACE_SECONDS: String(GRACE_SECONDS),
      ...(backend.name === 'sqlite' ? { RUBRICA_DATA_DIR: dirname(url) } : { DATABASE_URL: url }),
      ...(process.env.DOCKER_HOST ? { DOCKER_HOST: process.env.DOCKER_HOST } : {}),
      ...(process.env.RUBRICA_RUNNER_IMAGE ? { RUBRICA_RUNNER_IMAGE: process.env.RUBRICA_RUNNER_IMAGE } : {}),
    };
    const app = node(['bin/serve.js'], { ...common, PRIVATE_KEY, PORT: String(port), HOST: '127.0.0.1' });
    await waitForWebhooks(webhooks, app);
    const repo = `mlops-stop-${backend.name}`;
    await push(webhooks, repo);
    await runningContainerOf(provider, app.pid!);

    let sent = Date.now();
    app.kill(appSignal);
    expect(await exited(app), app.output()).toEqual({ code: 0, signal: null });
    const appStopMs = Date.now() - sent;
    expect(appStopMs).toBeLessThan((GRACE_SECONDS + 8) * 1000);
    expect(await containersOfProcess(provider, app.pid!)).toEqual([]);
    expect(app.output()).toContain('stopped before its jobs finished');

    const store = await Store.open(reopen());
    const leases = () => store.db.all<{ state: string; lease_until: number }>('SELECT state, lease_until FROM jobs');
    // Released, not left to run out: lease_until 0 is free now.
    expect(await leases()).toEqual([{ state: 'running', lease_until: 0 }]);

    // The same credentials from a file (PRIVATE_KEY_PATH); it takes the job at once, not after 30 s.
    sent = Date.now();
    const worker = node(['bin/rubrica.js', 'worker'], { ...common, PRIVATE_KEY_PATH: keyPath });
    await runningContainerOf(provider, worker.pid!, 25_000);
    const takenAfterMs = Date.now() - sent;

    sent = Date.now();
    worker.kill(workerSignal);
    expect(await exited(worker), worker.output()).toEqual({ code: 0, signal: null });
    const workerStopMs = Date.now() - sent;
    expect(workerStopMs).toBeLessThan((GRACE_SECONDS + 8) * 1000);
    expect(await containersOfProcess(provider, worker.pid!)).toEqual([]);
    expect(await leases()).toEqual([{ state: 'running', lease_until: 0 }]);
    // Neither grading cut short reached GitHub.
    expect([...fake.checkRuns.values()].filter((r) => r.repo === repo)).toEqual([]);
    await store.close();
    console.log(`${backend.name}: app stopped ${appStopMs} ms after ${appSignal}, worker took the job ${takenAfterMs} ms after starting, stopped ${workerStopMs} ms after ${workerSignal} (grace ${GRACE_SECONDS} s)`);
  });
});

describe.each(BACKENDS)('stopWorkers, in this process ($name store)', (backend) => {
  const request = (n: number) => ({ deliveryId: `stop-${n}-${randomUUID()}`, installationId: 1, owner: ORG, repo: `mlops-stop-${n}`, repoId: 7_000 + n, topics: [], sha: randomUUID().replace(/-/g, '').padEnd(40, '0').slice(0, 40), deliveredAt: new Date().toISOString(), trigger: 'push' as const });
  const running = async (store: Store, jobId: string) => {
    while ((await store.queue.job(jobId))?.state !== 'running') await new Promise((r) => setTimeout(r, 10));
  };

  it('lets a job that ends within the grace finish and record its end', async () => {
    const { db, reopen } = await backend.fresh();
    const store = await Store.open(db);
    const queue = new GradingQueue(store, () => new Promise((r) => setTimeout(() => r('graded'), 400)), { concurrency: 1, retryDelaysMs: [10], pollMs: 10 });
    const { jobId } = await store.queue.enqueue(request(1), { maxAttempts: 2 });
    await queue.start();
    await running(store, jobId);
    expect(await stopWorkers({ queue, store, sandbox: provider }, { graceMs: 5_000 })).toEqual({ finished: true, removed: 0, released: 0 });
    const after = await Store.open(reopen());
    expect(await after.queue.job(jobId)).toMatchObject({ state: 'done', outcome: 'graded', attempts: 1 });
    await after.close();
  });

  it('past the grace: removes the container, the job never gets past its sandbox, and its lease is free at once', async () => {
    const { db, reopen } = await backend.fresh();
    const store = await Store.open(db);
    const sandbox = new DockerSandboxProvider();
    const label = `stopw-${randomUUID().slice(0, 8)}`;
    let pastSandbox = false;
    const queue = new GradingQueue(
      store,
      async () => {
        const box = await sandbox.open({ image: process.env.RUBRICA_RUNNER_IMAGE ?? 'rubrica/runner-mlops:1', limits: DEFAULT_LIMITS, jobId: label });
        try {
          const empty = tarPack();
          empty.finalize();
          await box.unpack(empty as unknown as Readable);
          await box.run({ run: 'sleep 600', timeoutSeconds: 600, requires: [], reports: [] });
          return 'graded';
        } finally {
          pastSandbox = true;
          await box.close();
        }
      },
      { concurrency: 1, retryDelaysMs: [10], pollMs: 10, leaseMs: 30_000 },
    );
    const { jobId } = await store.queue.enqueue(request(2), { maxAttempts: 2 });
    await queue.start();
    await running(store, jobId);
    const ours = async () => provider.docker.listContainers({ all: true, filters: { label: [`${SANDBOX_LABEL}.job=${label}`] } });
    const sleeping = async () => {
      const [c] = await ours();
      return c?.State === 'running' && (await provider.docker.getContainer(c.Id).top()).Processes.some((p: string[]) => p.join(' ').includes('sleep 600'));
    };
    for (let i = 0; i < 600 && !(await sleeping()); i++) await new Promise((r) => setTimeout(r, 100));
    expect(await sleeping()).toBe(true);

    expect(await stopWorkers({ queue, store, sandbox }, { graceMs: 500 })).toEqual({ finished: false, removed: 1, released: 1 });
    expect(await ours()).toEqual([]);
    await new Promise((r) => setTimeout(r, 500));
    expect(pastSandbox).toBe(false);
    const after = await Store.open(reopen());
    // Another worker claims it now, not when the 30 s lease would have run out.
    expect(await after.queue.claim('next-worker', 30_000)).toMatchObject({ id: jobId, attempts: 2 });
    await after.close();
  });
});
