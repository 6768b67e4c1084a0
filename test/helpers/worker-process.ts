import { spawn, type ChildProcess } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { startFakeGitHub, type FakeGitHub } from '../../bench/fake-github.ts';
import { Store } from '../../src/store/store.ts';
import { COURSE_YAML } from '../fixtures/github-repo.ts';
import type { Backend } from './store.ts';

/**
 * `rubrica worker` as a real process against a fake GitHub on loopback
 * (bench/fake-github.ts): for tests that freeze, thaw and kill workers.
 */
const BIN = fileURLToPath(new URL('../../bin/rubrica.js', import.meta.url));
const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const PRIVATE_KEY = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ type: 'pkcs1', format: 'pem' }).toString();

/** The course file with `start:` on this week's Monday (UTC), so a push now is in week 1. */
export function courseYamlForNow(now = new Date()): string {
  const day = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate()));
  const monday = new Date(day.getTime() - ((day.getUTCDay() + 6) % 7) * 86_400_000).toISOString().slice(0, 10);
  return COURSE_YAML.replace(/^start: .*$/m, `start: ${monday}`).replace(/^timezone: .*$/m, 'timezone: UTC');
}

export interface WorkerProcess {
  readonly child: ChildProcess;
  readonly pid: number;
  /** Everything it logged so far (pino JSON lines). */
  readonly output: () => string;
  /** Resolves once its log has a line matching `pattern`. */
  waitFor(pattern: RegExp, timeoutMs?: number): Promise<void>;
  readonly exited: Promise<number | null>;
}

/** Starts `rubrica worker` on the store `target` (a SQLite path or a postgres URL). */
export function startWorker(target: string, ghe: string, env: Record<string, string> = {}): WorkerProcess {
  const store = target.startsWith('postgres') ? { DATABASE_URL: target } : { RUBRICA_DATA_DIR: target.replace(/\/rubrica\.sqlite$/, '') };
  const child = spawn(process.execPath, [BIN, 'worker'], {
    cwd: ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: {
      PATH: process.env.PATH ?? '/usr/bin:/bin',
      APP_ID: '123',
      PRIVATE_KEY,
      GHE_HOST: ghe,
      GHE_PROTOCOL: 'http',
      LOG_LEVEL: 'info',
      RUBRICA_CONCURRENCY: '1',
      ...(process.env.DOCKER_HOST ? { DOCKER_HOST: process.env.DOCKER_HOST } : {}),
      ...(process.env.RUBRICA_RUNNER_IMAGE ? { RUBRICA_RUNNER_IMAGE: process.env.RUBRICA_RUNNER_IMAGE } : {}),
      ...store,
      ...env,
    },
  });
  let out = '';
  const waiters: { pattern: RegExp; resolve: () => void }[] = [];
  const onData = (chunk: Buffer) => {
    out += chunk.toString();
    for (const w of [...waiters]) if (w.pattern.test(out)) (waiters.splice(waiters.indexOf(w), 1), w.resolve());
  };
  child.stdout!.on('data', onData);
  child.stderr!.on('data', onData);
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return {
    child,
    pid: child.pid!,
    output: () => out,
    exited,
    waitFor(pattern, timeoutMs = 60_000) {
      if (pattern.test(out)) return Promise.resolve();
      return new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`worker ${child.pid} did not log ${pattern} within ${timeoutMs} ms:\n${out.slice(-3000)}`)), timeoutMs);
        waiters.push({ pattern, resolve: () => (clearTimeout(timer), resolve()) });
      });
    },
  };
}

/** Stops a worker (thawing it first if it is frozen) and waits for it to exit. */
export async function stopWorker(w: WorkerProcess): Promise<void> {
  if (w.child.exitCode !== null || w.child.signalCode !== null) return;
  w.child.kill('SIGCONT');
  w.child.kill('SIGTERM');
  const timer = setTimeout(() => w.child.kill('SIGKILL'), 20_000);
  await w.exited;
  clearTimeout(timer);
}

/**
 * What a test of real workers starts — stores, fake GitHubs, worker processes — all
 * stopped by `stop()` in its afterEach, in that order (workers first, thawed if frozen).
 */
export function workerRig() {
  const workers: WorkerProcess[] = [];
  const fakes: FakeGitHub[] = [];
  const stores: Store[] = [];
  return {
    async store(backend: Backend): Promise<{ store: Store; url: string }> {
      const { db, url } = await backend.fresh();
      const store = await Store.open(db);
      stores.push(store);
      return { store, url };
    },
    async github(): Promise<FakeGitHub> {
      const fake = await startFakeGitHub({ courseYaml: courseYamlForNow() });
      fakes.push(fake);
      return fake;
    },
    worker(target: string, ghe: string, env: Record<string, string> = {}): WorkerProcess {
      const w = startWorker(target, ghe, env);
      workers.push(w);
      return w;
    },
    async stop(): Promise<void> {
      await Promise.all(workers.splice(0).map(stopWorker));
      await Promise.all(fakes.splice(0).map((f) => f.close()));
      await Promise.all(stores.splice(0).map((s) => s.close().catch(() => undefined)));
    },
  };
}
