// A deadline rush, end to end: the app (`node src/main.ts`) over real HTTP, GitHub faked
// on loopback (bench/fake-github.ts), real containers. N repositories push within S
// seconds; the bench prints how fast webhooks are answered, how long the queue takes to
// drain against its floor (GitHub's write budget or the containers, whichever is slower),
// whether any job was lost or graded twice, and the app's peak memory. A second burst
// kills the app halfway (SIGKILL) and restarts it on the same data. A benchmark, not a
// test: it prints figures and exits 0 unless the harness itself breaks.
//   npm run bench:burst [-- --repos 300 --seconds 60 --no-kill]
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { createHash, createHmac, generateKeyPairSync, randomBytes, randomUUID } from 'node:crypto';
import { closeSync, existsSync, mkdtempSync, openSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { parse as parseYaml } from 'yaml';
import { courseMomentAt, localDate } from '../src/course/calendar.ts';
import { CourseConfigSchema } from '../src/course/config.ts';
import { commitsFromApi, tarballSnapshot } from '../src/github/tarball.ts';
import { grade } from '../src/grading/grade.ts';
import { loadPack } from '../src/rubrics/load.ts';
import { DockerSandboxProvider, SANDBOX_LABEL } from '../src/sandbox/sandbox.ts';
import { SqliteDatabase } from '../src/store/sqlite.ts';
import { Store } from '../src/store/store.ts';
import { apiCommits, COURSE_YAML, SHA, tarball, WEEK1_COMMITS, WEEK1_REPO } from '../test/fixtures/github-repo.ts';
import { startFakeGitHub, type FakeGitHub } from './fake-github.ts';

const ROOT = resolve(fileURLToPath(new URL('..', import.meta.url)));
const { values } = parseArgs({
  options: {
    repos: { type: 'string', default: '300' },
    seconds: { type: 'string', default: '60' },
    'no-kill': { type: 'boolean', default: false },
    'measure-runs': { type: 'string', default: '3' },
  },
});
const REPOS = Math.max(2, Number(values.repos));
const SECONDS = Math.max(1, Number(values.seconds));
const KILL = !values['no-kill'];
const MEASURE_RUNS = Math.max(1, Number(values['measure-runs']));
const CONCURRENCY = Number(process.env.RUBRICA_CONCURRENCY) || 2;
const WRITES_PER_SECOND = 1; // GitHub's content-write guidance per installation (src/github/budget.ts)
const ORG = 'clase-mlops';
const INSTALLATION = 777_001;
const TZ = 'America/Argentina/Buenos_Aires';
const SECRET = randomBytes(24).toString('hex');
const PRIVATE_KEY = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ type: 'pkcs1', format: 'pem' }).toString();
const PUSH_TEMPLATE = JSON.parse(readFileSync(join(ROOT, 'test/fixtures/payloads/push.json'), 'utf8')) as Record<string, any>;
const RESULTS = '/tmp/rubrica-burst.json';

const log = (line: string) => console.log(`[${new Date().toISOString().slice(11, 19)}] ${line}`);
const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

// ── Small figures ───────────────────────────────────────────────────────────

function quantile(xs: readonly number[], q: number): number {
  if (!xs.length) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil(q * s.length) - 1))]!;
}
const mean = (xs: readonly number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
const round = (x: number, d = 1) => (Number.isFinite(x) ? Math.round(x * 10 ** d) / 10 ** d : null);
const mb = (kb: number) => `${(kb / 1024).toFixed(0)} MB`;
const countBy = <T>(xs: readonly T[], key: (x: T) => string) => {
  const out: Record<string, number> = {};
  for (const x of xs) out[key(x)] = (out[key(x)] ?? 0) + 1;
  return out;
};

// ── The course: week 1 is now ───────────────────────────────────────────────

/** The course file with `start:` on this week's Monday in Buenos Aires, so every push lands in week 1. */
function courseYamlForNow(now = new Date()): string {
  const today = localDate(now, TZ);
  const [y, m, d] = today.split('-').map(Number) as [number, number, number];
  const day = new Date(Date.UTC(y, m - 1, d));
  const sinceMonday = (day.getUTCDay() + 6) % 7;
  const monday = new Date(day.getTime() - (sinceMonday - 0) * 86_400_000).toISOString().slice(0, 10);
  const yaml = COURSE_YAML.replace(/^start: .*$/m, `start: ${monday}`);
  const config = CourseConfigSchema.parse(parseYaml(yaml));
  for (const at of [now, new Date(now.getTime() + 45 * 60_000)]) {
    const moment = courseMomentAt(config, at);
    if (moment.status !== 'week' || moment.week !== 1) {
      log(`warning: at ${at.toISOString()} the course is ${JSON.stringify(moment)}, not week 1 (run away from Sunday midnight in ${TZ})`);
    }
  }
  return yaml;
}

// ── Container throughput ────────────────────────────────────────────────────

interface Throughput {
  readonly image: string;
  readonly runsMs: number[];
  readonly meanS: number;
  readonly score: string;
  /** Two gradings at once, twice: seconds per grading at concurrency 2 (for reading the floor). */
  readonly pairedPerGradingS: number;
}

async function measureThroughput(): Promise<Throughput> {
  const pack = await loadPack('mlops');
  const week = pack.weeks.get(1)!;
  const image = process.env.RUBRICA_RUNNER_IMAGE ?? pack.runner.image;
  const gz = await tarball(WEEK1_REPO, SHA);
  const history = { commit: SHA, commits: commitsFromApi(apiCommits(WEEK1_COMMITS, SHA)) };
  const docker = new DockerSandboxProvider();
  const once = async (tag: string) => {
    const started = performance.now();
    const g = await grade({ pack, week, source: tarballSnapshot(gz, `bench@${tag}`, history), jobId: `bench-burst-${tag}`, image }, docker);
    return { ms: performance.now() - started, g };
  };
  await once('warm'); // the image's layers into the page cache, as on a server that has graded before
  const runsMs: number[] = [];
  let score = '';
  for (let i = 0; i < MEASURE_RUNS; i++) {
    const { ms, g } = await once(`seq${i}`);
    runsMs.push(ms);
    score = `${g.score}/${g.maxScore}`;
  }
  const pairStarted = performance.now();
  for (let i = 0; i < 2; i++) await Promise.all([once(`par${i}a`), once(`par${i}b`)]);
  const pairedPerGradingS = (performance.now() - pairStarted) / 1000 / 4;
  return { image, runsMs, meanS: mean(runsMs) / 1000, score, pairedPerGradingS };
}

// ── The app as a child process ──────────────────────────────────────────────

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as { port: number }).port;
  await new Promise<void>((r) => server.close(() => r()));
  return port;
}

interface MemoryPeak {
  hwmKb: number;
  rssMaxKb: number;
  samples: number;
}

class AppProcess {
  readonly child: ChildProcess;
  readonly pid: number;
  readonly logPath: string;
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  readonly memory: MemoryPeak = { hwmKb: 0, rssMaxKb: 0, samples: 0 };
  private readonly sampler: NodeJS.Timeout;
  alive = true;

  constructor(env: NodeJS.ProcessEnv, logPath: string) {
    this.logPath = logPath;
    const fd = openSync(logPath, 'a');
    this.child = spawn(process.execPath, ['--import', './bench/loop-probe.ts', 'src/main.ts'], { cwd: ROOT, env, stdio: ['ignore', fd, fd] });
    closeSync(fd);
    if (this.child.pid === undefined) throw new Error('could not start the app');
    this.pid = this.child.pid;
    this.exited = new Promise((resolve) => this.child.once('exit', (code, signal) => {
      this.alive = false;
      resolve({ code, signal });
    }));
    this.sampler = setInterval(() => this.sample(), 1_000);
    this.sampler.unref();
  }

  /** VmHWM (the kernel's own peak) and VmRSS, from /proc. */
  sample(): void {
    if (!this.alive) return;
    try {
      const status = readFileSync(`/proc/${this.pid}/status`, 'utf8');
      const kb = (key: string) => Number(new RegExp(`^${key}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? 0);
      this.memory.hwmKb = Math.max(this.memory.hwmKb, kb('VmHWM'));
      this.memory.rssMaxKb = Math.max(this.memory.rssMaxKb, kb('VmRSS'));
      this.memory.samples++;
    } catch {
      // gone between the check and the read
    }
  }

  async stop(signal: NodeJS.Signals = 'SIGINT', graceMs = 15_000): Promise<void> {
    this.sample();
    clearInterval(this.sampler);
    if (!this.alive) return;
    this.child.kill(signal);
    const timeout = sleep(graceMs).then(() => 'timeout' as const);
    if ((await Promise.race([this.exited, timeout])) === 'timeout') {
      this.child.kill('SIGKILL');
      await this.exited;
    }
  }

  kill(): Promise<unknown> {
    this.sample();
    clearInterval(this.sampler);
    this.child.kill('SIGKILL');
    return this.exited;
  }
}

function appEnv(config: { port: number; ghe: string; dataDir: string }): NodeJS.ProcessEnv {
  // Only what the app needs: none of the bench's own environment beyond PATH (and how to reach Docker).
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    APP_ID: '123',
    PRIVATE_KEY,
    WEBHOOK_SECRET: SECRET,
    PORT: String(config.port),
    HOST: '127.0.0.1',
    GHE_HOST: config.ghe,
    GHE_PROTOCOL: 'http',
    RUBRICA_DATA_DIR: config.dataDir,
    LOG_LEVEL: 'warn',
    RUBRICA_CONCURRENCY: String(CONCURRENCY),
    NODE_ENV: 'production',
  };
  for (const key of ['DOCKER_HOST', 'DOCKER_TLS_VERIFY', 'DOCKER_CERT_PATH', 'RUBRICA_RUNNER_IMAGE']) if (process.env[key]) env[key] = process.env[key];
  // Profiling the app, not configuring it: `RUBRICA_BENCH_NODE_OPTIONS='--cpu-prof'` reaches its node.
  if (process.env.RUBRICA_BENCH_NODE_OPTIONS) env.NODE_OPTIONS = process.env.RUBRICA_BENCH_NODE_OPTIONS;
  env.RUBRICA_LOOP_PROBE = join(config.dataDir, 'event-loop.jsonl');
  return env;
}

/** Ready once the webhook path answers a bad signature with 400. */
async function waitReady(url: string, app: AppProcess, timeoutMs = 60_000): Promise<number> {
  const started = performance.now();
  while (performance.now() - started < timeoutMs) {
    if (!app.alive) throw new Error(`the app exited while starting; see ${app.logPath}:\n${readFileSync(app.logPath, 'utf8').slice(-3000)}`);
    try {
      const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', 'x-github-event': 'ping', 'x-github-delivery': randomUUID(), 'x-hub-signature-256': `sha256=${'0'.repeat(64)}` }, body: '{}', signal: AbortSignal.timeout(2_000) });
      await res.arrayBuffer();
      if (res.status === 400) return performance.now() - started;
    } catch {
      // not listening yet
    }
    await sleep(100);
  }
  throw new Error(`the app did not answer on ${url} within ${timeoutMs} ms; see ${app.logPath}`);
}

// ── Webhooks ────────────────────────────────────────────────────────────────

interface Delivery {
  readonly index: number;
  readonly repo: string;
  readonly repoId: number;
  readonly sha: string;
  readonly deliveryId: string;
  readonly body: string;
  readonly signature: string;
  firstSentAt?: number;
  acceptedAt?: number;
  status?: number;
  attempts: number;
  /** Answer latencies (ms) of every attempt that got an HTTP answer. */
  answersMs: number[];
  errors: string[];
}

function makeDelivery(index: number, repo: string, repoId: number, burst: number): Delivery {
  const sha = createHash('sha1').update(`burst${burst}:${repo}:${randomUUID()}`).digest('hex');
  const p = structuredClone(PUSH_TEMPLATE);
  p.after = sha;
  p.head_commit.id = sha;
  p.compare = `https://github.com/${ORG}/${repo}/compare/${'0'.repeat(12)}...${sha.slice(0, 12)}`;
  p.repository.id = repoId;
  p.repository.name = repo;
  p.repository.full_name = `${ORG}/${repo}`;
  p.repository.owner.login = ORG;
  p.installation = { id: INSTALLATION, node_id: 'bench' };
  // pushed_at is set at send time (now, in seconds), like GitHub's
  return { index, repo, repoId, sha, deliveryId: randomUUID(), body: JSON.stringify(p), signature: '', attempts: 0, answersMs: [], errors: [] };
}

function sign(d: Delivery): { body: string; signature: string } {
  // GitHub's Redeliver resends the same payload (same delivery id, same pushed_at).
  if (d.signature) return { body: d.body, signature: d.signature };
  const p = JSON.parse(d.body);
  p.repository.pushed_at = Math.floor(Date.now() / 1000);
  const body = JSON.stringify(p);
  Object.assign(d, { body, signature: `sha256=${createHmac('sha256', SECRET).update(body).digest('hex')}` });
  return { body: d.body, signature: d.signature };
}

/** Sends a delivery; connection failures and 5xx are redelivered every 500 ms until answered. */
async function deliver(d: Delivery, url: string, counters: { redelivered: number }, deadline: number): Promise<void> {
  for (;;) {
    const { body, signature } = sign(d);
    const started = performance.now();
    d.firstSentAt ??= Date.now();
    if (d.attempts > 0) counters.redelivered++;
    d.attempts++;
    try {
      const res = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'user-agent': 'GitHub-Hookshot/bench', 'x-github-event': 'push', 'x-github-delivery': d.deliveryId, 'x-github-hook-installation-target-id': '123', 'x-hub-signature-256': signature },
        body,
        signal: AbortSignal.timeout(30_000),
      });
      await res.arrayBuffer();
      d.answersMs.push(performance.now() - started);
      d.status = res.status;
      if (res.status < 500) {
        if (res.ok) d.acceptedAt = Date.now();
        return;
      }
      d.errors.push(`HTTP ${res.status}`);
    } catch (error) {
      const cause = (error as { cause?: { code?: string; message?: string } }).cause;
      d.errors.push(cause?.code ?? cause?.message ?? (error as Error).message);
    }
    if (Date.now() > deadline) return;
    await sleep(500);
  }
}

// ── One burst ───────────────────────────────────────────────────────────────

interface BurstOptions {
  readonly label: string;
  readonly burst: number;
  readonly firstRepo: number;
  readonly kill: boolean;
  readonly courseYaml: string;
  readonly throughput: Throughput;
}

function jobStates(dbPath: string): Record<string, number> {
  const db = new DatabaseSync(dbPath, { readOnly: true, timeout: 5_000 });
  try {
    const rows = db.prepare(`SELECT state, COUNT(*) AS n FROM jobs GROUP BY state`).all() as { state: string; n: number }[];
    return Object.fromEntries(rows.map((r) => [r.state, Number(r.n)]));
  } finally {
    db.close();
  }
}

function gradingsCount(dbPath: string): number {
  const db = new DatabaseSync(dbPath, { readOnly: true, timeout: 5_000 });
  try {
    return Number((db.prepare(`SELECT COUNT(*) AS n FROM gradings`).get() as { n: number }).n);
  } finally {
    db.close();
  }
}

function ourContainers(pids: readonly number[]): string[] {
  const out = execFileSync('docker', ['ps', '-a', '--no-trunc', '--filter', `label=${SANDBOX_LABEL}`, '--format', `{{.ID}} {{.Label "${SANDBOX_LABEL}.owner"}}`], { encoding: 'utf8' });
  return out
    .split('\n')
    .filter(Boolean)
    .filter((line) => pids.some((pid) => line.split(' ')[1]?.endsWith(`:${pid}`)))
    .map((line) => line.split(' ')[0]!);
}

const allAppPids: number[] = [];
let currentApps: AppProcess[] = [];
let currentFake: FakeGitHub | undefined;

async function runBurst(o: BurstOptions) {
  log(`── ${o.label}: ${REPOS} repositories pushing within ${SECONDS} s${o.kill ? ', SIGKILL halfway' : ''}`);
  const dataDir = mkdtempSync(join(tmpdir(), `rubrica-burst${o.burst}-`));
  const dbPath = join(dataDir, 'rubrica.sqlite');
  const fake = await startFakeGitHub({ courseYaml: o.courseYaml });
  currentFake = fake;
  const port = await freePort();
  const url = `http://127.0.0.1:${port}/api/github/webhooks`;
  const env = appEnv({ port, ghe: fake.host, dataDir });
  const apps: AppProcess[] = [];
  currentApps = apps;
  const launch = () => {
    const app = new AppProcess(env, join(dataDir, `app-${apps.length + 1}.log`));
    apps.push(app);
    allAppPids.push(app.pid);
    return app;
  };
  let app = launch();
  const startupMs = await waitReady(url, app);
  log(`app pid ${app.pid} ready in ${startupMs.toFixed(0)} ms on :${port} (GitHub at ${fake.host}, data ${dataDir})`);

  const deliveries = Array.from({ length: REPOS }, (_, i) => {
    const n = o.firstRepo + i;
    return makeDelivery(i, `mlops-student${String(n).padStart(3, '0')}`, 900_000 + n, o.burst);
  });
  const byRepo = new Map(deliveries.map((d) => [d.repo, d]));
  // The moment every repository first had a completed check run.
  const firstCompleted = new Map<string, number>();
  fake.onCompleted = (run, at) => {
    if (byRepo.has(run.repo) && !firstCompleted.has(run.repo)) firstCompleted.set(run.repo, at);
  };

  // Evenly over the window, each moved by up to ±40% of the spacing.
  const spacing = (SECONDS * 1000) / REPOS;
  const offsets = deliveries.map((_, i) => Math.max(0, i * spacing + (Math.random() - 0.5) * 0.8 * spacing)).sort((a, b) => a - b);
  const counters = { redelivered: 0 };
  const estimatedFloorS = Math.max((REPOS * o.throughput.meanS) / CONCURRENCY, REPOS / WRITES_PER_SECOND);
  const timeoutMs = Math.max(3 * estimatedFloorS, 900) * 1000;
  const t0 = Date.now();
  const deadline = t0 + timeoutMs;

  let kill: Record<string, unknown> | undefined;
  let killing: Promise<void> | undefined;
  const killHalfway = async () => {
    const victim = app;
    const killedAt = Date.now();
    await victim.kill();
    const states = jobStates(dbPath);
    const gradingsAtKill = gradingsCount(dbPath);
    const containersAtKill = ourContainers([victim.pid]).length;
    const fetchedNotCompleted = [...new Set(fake.fetches.filter((f) => f.at <= killedAt).map((f) => f.repo))].filter((r) => !firstCompleted.has(r)).length;
    app = launch();
    await waitReady(url, app);
    const downMs = Date.now() - killedAt;
    kill = {
      atS: round((killedAt - t0) / 1000),
      sentBeforeKill: deliveries.filter((d) => d.firstSentAt !== undefined && d.firstSentAt <= killedAt).length,
      jobsRunningAtKill: states.running ?? 0,
      jobsQueuedAtKill: states.queued ?? 0,
      jobStatesAtKill: states,
      gradingsRecordedAtKill: gradingsAtKill,
      completedCheckRunsAtKill: [...firstCompleted.values()].filter((t) => t <= killedAt).length,
      fetchedButNotPublishedAtKill: fetchedNotCompleted,
      containersLeftByKilledApp: containersAtKill,
      downMs,
      newPid: app.pid,
    };
    log(`SIGKILLed pid ${victim.pid} at +${((killedAt - t0) / 1000).toFixed(1)} s: ${states.running ?? 0} jobs running, ${states.queued ?? 0} queued, ${containersAtKill} containers left; restarted as pid ${app.pid}, answering again after ${downMs} ms`);
  };

  const half = Math.floor(REPOS / 2);
  const sends = deliveries.map(
    (d, i) =>
      new Promise<void>((resolveSend) => {
        setTimeout(() => {
          void deliver(d, url, counters, deadline).then(() => {
            if (o.kill && i === half - 1 && !killing) killing = killHalfway();
            resolveSend();
          });
        }, offsets[i]);
      }),
  );
  const progress = setInterval(() => {
    const sent = deliveries.filter((d) => d.firstSentAt).length;
    log(`  +${((Date.now() - t0) / 1000).toFixed(0)} s: ${sent} sent, ${deliveries.filter((d) => d.acceptedAt).length} accepted, ${firstCompleted.size} completed, ${fake.writes.length} writes`);
  }, 30_000);
  await Promise.all(sends);
  await killing;
  const sentS = (Date.now() - t0) / 1000;
  log(`all ${REPOS} webhooks answered after ${sentS.toFixed(1)} s (${counters.redelivered} redelivered); waiting for the check runs (timeout ${(timeoutMs / 1000).toFixed(0)} s)`);

  const accepted = deliveries.filter((d) => d.acceptedAt !== undefined);
  let timedOut = false;
  while (accepted.some((d) => !firstCompleted.has(d.repo))) {
    if (Date.now() > deadline) {
      timedOut = true;
      break;
    }
    if (!app.alive) {
      log(`the app exited unexpectedly; see ${app.logPath}`);
      break;
    }
    await sleep(250);
  }
  // Then until the store says nothing waits or runs (a second grading would show up here).
  const idleBy = Date.now() + 60_000;
  let states = jobStates(dbPath);
  while (app.alive && ((states.queued ?? 0) > 0 || (states.running ?? 0) > 0) && Date.now() < idleBy) {
    await sleep(500);
    states = jobStates(dbPath);
  }
  clearInterval(progress);
  await sleep(1_500); // a late write would still be counted
  for (const a of apps) a.sample();
  await app.stop('SIGINT');
  const leftover = ourContainers(apps.map((a) => a.pid));

  // The record, read with the app stopped.
  const store = await Store.open(new SqliteDatabase(dbPath));
  const gradings = await store.record.gradings();
  const counts = await store.queue.counts();
  const jobs = await store.queue.jobs({ limit: 100_000 });
  const budgetWrites = await store.budget.writesSpent(INSTALLATION);
  await store.close();

  // ── Figures
  const repos = new Set(deliveries.map((d) => d.repo));
  const gradingsPerRepo = countBy(gradings.filter((g) => repos.has(g.repo)), (g) => g.repo);
  const completedRunsPerRepo: Record<string, number> = {};
  let completedMoreThanOnce = 0;
  for (const run of fake.checkRuns.values()) {
    if (run.status === 'completed' || run.completions > 0) completedRunsPerRepo[run.repo] = (completedRunsPerRepo[run.repo] ?? 0) + 1;
    if (run.completions > 1) completedMoreThanOnce++;
  }
  const lost = accepted.filter((d) => !firstCompleted.has(d.repo)).map((d) => d.repo);
  const twice = [...repos].filter((r) => (gradingsPerRepo[r] ?? 0) > 1 || (completedRunsPerRepo[r] ?? 0) > 1);
  const ungradedInRecord = accepted.filter((d) => !gradingsPerRepo[d.repo]).map((d) => d.repo);
  const answers = deliveries.flatMap((d) => d.answersMs);
  const firstSent = Math.min(...deliveries.map((d) => d.firstSentAt ?? Infinity));
  const lastCompleted = Math.max(...firstCompleted.values());
  const drainS = (lastCompleted - firstSent) / 1000;
  const writes = [...fake.writes].sort((a, b) => a.at - b.at);
  const gaps = writes.slice(1).map((w, i) => w.at - writes[i]!.at);
  const writeFloorS = writes.length / WRITES_PER_SECOND;
  const containerFloorS = (REPOS * o.throughput.meanS) / CONCURRENCY;
  const floorS = Math.max(writeFloorS, containerFloorS);
  const completions = [...firstCompleted.values()].sort((a, b) => a - b);
  // Two stages: the record fills at container speed, GitHub at its write budget's.
  const ours = gradings.filter((g) => repos.has(g.repo));
  const lastRecorded = ours.length ? Math.max(...ours.map((g) => Date.parse(g.gradedAt))) : NaN;
  const recordedS = (lastRecorded - firstSent) / 1000;
  const writesOfOurs = writes.filter((w) => w.repo !== undefined && repos.has(w.repo));
  const gradingsTotal = gradings.length;
  const outcomes = countBy(jobs, (j) => `${j.kind}:${j.state}:${j.outcome ?? '-'}`);
  const fetchesPerRepo = countBy(fake.fetches, (f) => f.repo);
  // Per repository: from its tarball fetch (the grading starting) to its completed check run.
  const fetchToDone = deliveries
    .map((d) => {
      const f = fake.fetches.find((x) => x.repo === d.repo);
      const c = firstCompleted.get(d.repo);
      return f && c ? c - f.at : undefined;
    })
    .filter((x): x is number => x !== undefined);
  const logs = apps.map((a) => summarizeLog(a.logPath));
  const loop = summarizeLoop(join(dataDir, 'event-loop.jsonl'), firstSent, lastCompleted);

  const figures = {
    label: o.label,
    repos: REPOS,
    windowS: SECONDS,
    concurrency: CONCURRENCY,
    dataDir,
    appStartupMs: Math.round(startupMs),
    webhooks: {
      sent: deliveries.filter((d) => d.firstSentAt).length,
      accepted: accepted.length,
      notAccepted: deliveries.filter((d) => d.acceptedAt === undefined).map((d) => ({ repo: d.repo, status: d.status ?? null, errors: d.errors.slice(-3) })),
      statuses: countBy(deliveries, (d) => String(d.status ?? 'none')),
      redelivered: counters.redelivered,
      sentOverS: round(sentS),
      answerMs: { p50: round(quantile(answers, 0.5)), p99: round(quantile(answers, 0.99)), max: round(Math.max(...answers)), n: answers.length },
    },
    drainS: round(drainS),
    recordedS: round(recordedS),
    stages: {
      recordedS: round(recordedS),
      recordedOverContainerFloor: round(recordedS / containerFloorS, 2),
      recordedTarget: 1.3,
      publishedS: round(drainS),
      publishedOverWriteFloor: round(drainS / writeFloorS, 2),
      publishedTarget: 1.05,
      writesPerGradingMax: Math.max(0, ...Object.values(countBy(writesOfOurs, (w) => w.repo!))),
    },
    timedOut,
    lastCompletionsS: completions.length ? { first: round((completions[0]! - firstSent) / 1000), median: round((quantile(completions, 0.5) - firstSent) / 1000) } : null,
    fetchToCompletedS: { p50: round(quantile(fetchToDone, 0.5) / 1000), p90: round(quantile(fetchToDone, 0.9) / 1000), max: round(Math.max(...fetchToDone) / 1000) },
    lost: { count: lost.length, repos: lost.slice(0, 20) },
    ungradedInRecord: { count: ungradedInRecord.length, repos: ungradedInRecord.slice(0, 20) },
    gradedTwice: {
      count: twice.length,
      repos: twice.slice(0, 20).map((r) => ({ repo: r, gradings: gradingsPerRepo[r] ?? 0, completedCheckRuns: completedRunsPerRepo[r] ?? 0 })),
      checkRunsCompletedMoreThanOnce: completedMoreThanOnce,
      tarballsFetchedMoreThanOnce: Object.values(fetchesPerRepo).filter((n) => n > 1).length,
    },
    gradings: gradingsTotal,
    jobs: { states: counts, outcomes, retried: jobs.filter((j) => j.attempts > 1).length },
    writes: {
      total: writes.length,
      perGrading: round(writes.length / Math.max(1, gradingsTotal), 2),
      byKind: countBy(writes, (w) => w.kind),
      storeBudgetWrites: budgetWrites,
      gapsMs: { min: round(Math.min(...gaps), 0), p10: round(quantile(gaps, 0.1), 0), p50: round(quantile(gaps, 0.5), 0), p90: round(quantile(gaps, 0.9), 0), max: round(Math.max(...gaps), 0), under900: gaps.filter((g) => g < 900).length },
      firstS: writes.length ? round((writes[0]!.at - firstSent) / 1000) : null,
      lastS: writes.length ? round((writes.at(-1)!.at - firstSent) / 1000) : null,
      checkRunsCreatedNotCompleted: [...fake.checkRuns.values()].filter((r) => r.status !== 'completed').length,
    },
    reads: Object.fromEntries(fake.reads),
    tokens: fake.tokens.count,
    floor: {
      writeFloorS: round(writeFloorS),
      containerFloorS: round(containerFloorS),
      floorS: round(floorS),
      boundBy: writeFloorS >= containerFloorS ? 'writes' : 'containers',
      drainOverFloor: round(drainS / floorS, 2),
      target: 1.2,
    },
    memory: {
      peakMb: round(Math.max(...apps.map((a) => Math.max(a.memory.hwmKb, a.memory.rssMaxKb))) / 1024),
      perProcess: apps.map((a) => ({ pid: a.pid, vmHwmMb: round(a.memory.hwmKb / 1024), vmRssMaxMb: round(a.memory.rssMaxKb / 1024), samples: a.memory.samples })),
    },
    kill: kill ?? null,
    unknownRoutes: Object.fromEntries(fake.unknown),
    leftoverContainers: leftover.length,
    appLogs: logs,
    eventLoop: loop,
  };
  if (leftover.length) execFileSync('docker', ['rm', '-f', ...leftover], { stdio: 'ignore' });
  fake.onCompleted = undefined;
  await fake.close();
  currentFake = undefined;
  currentApps = [];
  printBurst(figures, o);
  return figures;
}

/** The app's event-loop delay (bench/loop-probe.ts), second by second, over the burst. */
function summarizeLoop(path: string, from: number, to: number) {
  if (!existsSync(path)) return null;
  const seconds = readFileSync(path, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as { at: number; p50: number; p99: number; max: number; utilization: number })
    .filter((s) => s.at >= from && s.at <= to + 1_000);
  const p99s = seconds.map((s) => s.p99);
  return {
    seconds: seconds.length,
    p99OfSecondsMs: { p50: round(quantile(p99s, 0.5)), p90: round(quantile(p99s, 0.9)), max: round(Math.max(...p99s)) },
    maxMs: round(Math.max(...seconds.map((s) => s.max))),
    secondsOver50Ms: seconds.filter((s) => s.max > 50).length,
    utilization: { mean: round(mean(seconds.map((s) => s.utilization)), 3), max: round(Math.max(...seconds.map((s) => s.utilization)), 3) },
  };
}

/** Warnings and errors of the app's JSON log, counted by message. */
function summarizeLog(path: string) {
  if (!existsSync(path)) return { path, warn: 0, error: 0, top: [] as string[] };
  const lines = readFileSync(path, 'utf8').split('\n').filter(Boolean);
  let warn = 0;
  let error = 0;
  const messages: Record<string, number> = {};
  for (const line of lines) {
    try {
      const entry = JSON.parse(line) as { level?: number; msg?: string; err?: { message?: string } };
      if ((entry.level ?? 0) >= 50) error++;
      else if ((entry.level ?? 0) >= 40) warn++;
      const key = `${entry.msg ?? ''}${entry.err?.message ? ` (${entry.err.message.slice(0, 120)})` : ''}`;
      messages[key] = (messages[key] ?? 0) + 1;
    } catch {
      messages[line.slice(0, 160)] = (messages[line.slice(0, 160)] ?? 0) + 1;
    }
  }
  const top = Object.entries(messages)
    .sort((a, b) => b[1] - a[1])
    .slice(0, 6)
    .map(([m, n]) => `${n}× ${m}`);
  return { path, warn, error, top };
}

type Figures = Awaited<ReturnType<typeof runBurst>>;

function printBurst(f: Figures, o: BurstOptions) {
  const w = f.webhooks;
  const lines = [
    ``,
    `${o.label} — ${f.repos} repos within ${f.windowS} s, concurrency ${f.concurrency}`,
    `  webhooks: ${w.sent} sent, ${w.accepted} accepted (statuses ${JSON.stringify(w.statuses)}), ${w.redelivered} redelivered; answer p50 ${w.answerMs.p50} ms, p99 ${w.answerMs.p99} ms, max ${w.answerMs.max} ms`,
    `  drain (first webhook → last completed check run): ${f.drainS} s${f.timedOut ? ' (TIMED OUT)' : ''}; first completed at +${f.lastCompletionsS?.first} s, median at +${f.lastCompletionsS?.median} s`,
    `  two stages: every grading recorded at +${f.stages.recordedS} s = ${f.stages.recordedOverContainerFloor} × the container floor (target ≤ ${f.stages.recordedTarget}); published at +${f.stages.publishedS} s = ${f.stages.publishedOverWriteFloor} × the write floor (target ≤ ${f.stages.publishedTarget}); at most ${f.stages.writesPerGradingMax} write(s) for one repository`,
    `  tarball fetch → completed check run: p50 ${f.fetchToCompletedS.p50} s, p90 ${f.fetchToCompletedS.p90} s, max ${f.fetchToCompletedS.max} s`,
    `  jobs lost: ${f.lost.count}${f.lost.count ? ` (${f.lost.repos.join(', ')})` : ''}; accepted but no grading in the record: ${f.ungradedInRecord.count}`,
    `  graded twice: ${f.gradedTwice.count}${f.gradedTwice.count ? ` ${JSON.stringify(f.gradedTwice.repos)}` : ''}; check runs completed more than once: ${f.gradedTwice.checkRunsCompletedMoreThanOnce}; tarballs fetched more than once: ${f.gradedTwice.tarballsFetchedMoreThanOnce}`,
    `  record: ${f.gradings} gradings; jobs ${JSON.stringify(f.jobs.states)}; outcomes ${JSON.stringify(f.jobs.outcomes)}; retried ${f.jobs.retried}`,
    `  writes: ${f.writes.total} (${f.writes.perGrading} per grading) ${JSON.stringify(f.writes.byKind)}; store budget counted ${f.writes.storeBudgetWrites}; first at +${f.writes.firstS} s, last at +${f.writes.lastS} s`,
    `    gaps between writes (ms): min ${f.writes.gapsMs.min}, p10 ${f.writes.gapsMs.p10}, p50 ${f.writes.gapsMs.p50}, p90 ${f.writes.gapsMs.p90}, max ${f.writes.gapsMs.max}; ${f.writes.gapsMs.under900} under 900 ms; check runs left not completed: ${f.writes.checkRunsCreatedNotCompleted}`,
    `  reads: ${JSON.stringify(f.reads)}; installation tokens: ${f.tokens}`,
    `  floor: writes ${f.floor.writeFloorS} s (${f.writes.total} writes ÷ ${WRITES_PER_SECOND}/s), containers ${f.floor.containerFloorS} s (${f.repos} × ${o.throughput.meanS.toFixed(2)} s ÷ ${f.concurrency}) → floor ${f.floor.floorS} s (${f.floor.boundBy}); drain ÷ floor = ${f.floor.drainOverFloor} (target ≤ ${f.floor.target})`,
    `  app peak memory: ${f.memory.peakMb} MB (${f.memory.perProcess.map((p) => `pid ${p.pid}: VmHWM ${p.vmHwmMb} MB, max VmRSS ${p.vmRssMaxMb} MB, ${p.samples} samples`).join('; ')})`,
  ];
  if (f.eventLoop) {
    const e = f.eventLoop;
    lines.push(`  app event loop (${e.seconds} s sampled): delay p99 per second p50 ${e.p99OfSecondsMs.p50} / p90 ${e.p99OfSecondsMs.p90} / max ${e.p99OfSecondsMs.max} ms; worst ${e.maxMs} ms; ${e.secondsOver50Ms} seconds with a delay over 50 ms; utilization mean ${e.utilization.mean}, max ${e.utilization.max}`);
  }
  if (f.kill) {
    const k = f.kill as Record<string, unknown>;
    lines.push(
      `  kill at +${k.atS} s after ${k.sentBeforeKill} webhooks: ${k.jobsRunningAtKill} jobs in flight (running), ${k.jobsQueuedAtKill} queued, ${k.gradingsRecordedAtKill} gradings recorded, ${k.completedCheckRunsAtKill} check runs completed, ${k.fetchedButNotPublishedAtKill} fetched but unpublished, ${k.containersLeftByKilledApp} containers left; answering again after ${k.downMs} ms`,
      `  lost/twice above are counted from the record (gradings table) and the fake GitHub (check runs), across both processes`,
    );
  }
  if (Object.keys(f.unknownRoutes).length) lines.push(`  unknown routes (404): ${JSON.stringify(f.unknownRoutes)}`);
  lines.push(`  leftover sandbox containers after stop: ${f.leftoverContainers}`);
  for (const l of f.appLogs) lines.push(`  app log ${l.path}: ${l.warn} warnings, ${l.error} errors (the bad-signature ones are the bench's readiness probe)${l.top.length ? `\n    ${l.top.join('\n    ')}` : ''}`);
  console.log(lines.join('\n'));
}

// ── Main ────────────────────────────────────────────────────────────────────

async function cleanup() {
  for (const a of currentApps) if (a.alive) await a.kill().catch(() => undefined);
  await currentFake?.close().catch(() => undefined);
  try {
    const left = ourContainers([...allAppPids, process.pid]);
    if (left.length) execFileSync('docker', ['rm', '-f', ...left], { stdio: 'ignore' });
  } catch {
    // Docker gone: nothing to remove
  }
}
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    log(`${signal}: stopping the app and cleaning up`);
    void cleanup().finally(() => process.exit(130));
  });
}

try {
  const courseYaml = courseYamlForNow();
  log(`course starts ${/^start: (.*)$/m.exec(courseYaml)?.[1]} (${TZ}): now is week 1`);
  log(`measuring container throughput: ${MEASURE_RUNS} sequential week-1 gradings (after one warm-up), then 2×2 in parallel`);
  const throughput = await measureThroughput();
  log(`image ${throughput.image}: ${throughput.runsMs.map((ms) => (ms / 1000).toFixed(2)).join(', ')} s → mean t = ${throughput.meanS.toFixed(2)} s (score ${throughput.score}); two at a time: ${throughput.pairedPerGradingS.toFixed(2)} s per grading`);

  const results: Figures[] = [];
  results.push(await runBurst({ label: 'burst 1 (no failures)', burst: 1, firstRepo: 1, kill: false, courseYaml, throughput }));
  if (KILL) results.push(await runBurst({ label: 'burst 2 (SIGKILL halfway, restart on the same data)', burst: 2, firstRepo: REPOS + 1, kill: true, courseYaml, throughput }));

  const summary = {
    date: new Date().toISOString(),
    repos: REPOS,
    windowS: SECONDS,
    concurrency: CONCURRENCY,
    cores: (await import('node:os')).availableParallelism(),
    throughput: { image: throughput.image, sequentialRunsS: throughput.runsMs.map((ms) => round(ms / 1000, 2)), meanGradingS: round(throughput.meanS, 2), twoAtATimePerGradingS: round(throughput.pairedPerGradingS, 2), score: throughput.score },
    bursts: results,
  };
  writeFileSync(RESULTS, `${JSON.stringify(summary, null, 2)}\n`);
  const row = (f: Figures) =>
    `${f.label.padEnd(52)} answer p50/p99/max ${f.webhooks.answerMs.p50}/${f.webhooks.answerMs.p99}/${f.webhooks.answerMs.max} ms | drain ${f.drainS} s | floor ${f.floor.floorS} s (${f.floor.boundBy}) | drain/floor ${f.floor.drainOverFloor} | lost ${f.lost.count} | twice ${f.gradedTwice.count} | writes ${f.writes.total} (${f.writes.perGrading}/grading) | peak ${f.memory.peakMb} MB` +
    (f.kill ? ` | in flight at kill ${(f.kill as { jobsRunningAtKill: number }).jobsRunningAtKill} | redelivered ${f.webhooks.redelivered}` : '');
  console.log(
    [
      '',
      '══ summary ══',
      `t = ${throughput.meanS.toFixed(2)} s per week-1 grading (sequential mean of ${MEASURE_RUNS}); concurrency ${CONCURRENCY}; container floor ${round((REPOS * throughput.meanS) / CONCURRENCY)} s for ${REPOS} repos; write budget ${WRITES_PER_SECOND}/s`,
      ...results.map(row),
      `figures written to ${RESULTS}`,
    ].join('\n'),
  );
} catch (error) {
  console.error('the benchmark harness failed:', error);
  process.exitCode = 1;
} finally {
  await cleanup();
  const left = execFileSync('docker', ['ps', '-aq', '--filter', `label=${SANDBOX_LABEL}`], { encoding: 'utf8' }).trim();
  const ours = ourContainers([...allAppPids, process.pid]);
  log(`sandbox containers left: ${ours.length} of ours${left ? `, ${left.split('\n').length} labelled ${SANDBOX_LABEL} in total (others' tests may be running)` : ''}`);
}
