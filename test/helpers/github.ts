import { generateKeyPairSync } from 'node:crypto';
import { readFileSync } from 'node:fs';
import nock from 'nock';
import { Probot, ProbotOctokit } from 'probot';
import { createRubrica, type RubricaOptions } from '../../src/app.ts';
import { tempStore } from './store.ts';
import { COURSE_YAML, ORG, REPO, SHA, WEEK1_COMMITS, WEEK1_REPO, apiCommits, tarball, type Tree } from '../fixtures/github-repo.ts';

// The nock-free parts (the repository as GitHub serves it) live in test/fixtures/github-repo.ts.
export { COURSE_YAML, ORG, REPO, SHA, WEEK1_COMMITS, WEEK1_REPO, apiCommits, tarball, type Tree } from '../fixtures/github-repo.ts';

/**
 * GitHub, faked with nock at the HTTP level (Probot's Octokit speaks to it over fetch),
 * around a real Probot and the real grading core: Docker and the runner image are real.
 */
export const INSTALLATION = 4242;
export const APP_ID = 123;
export const API = 'https://api.github.com';

export const PRIVATE_KEY = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ type: 'pkcs1', format: 'pem' }).toString();

export function payload<T = any>(name: string): T {
  return JSON.parse(readFileSync(new URL(`../fixtures/payloads/${name}.json`, import.meta.url), 'utf8')) as T;
}

/**
 * Probot's Octokit with GitHub's retries on (fast) and its write spacing off. A plain
 * `defaults({ throttle: { enabled: false } })` does not reach it: Probot merges its own
 * throttle options over an object default, so the flag is set in a function default.
 */
export const TEST_OCTOKIT = ProbotOctokit.defaults((options: Record<string, any>) => ({
  ...options,
  retry: { retryAfterBaseValue: 1 },
  throttle: { ...options.throttle, enabled: false },
})) as typeof ProbotOctokit;

/** Probot with GitHub's retries on (fast) and its write spacing off, so tests take milliseconds. */
export async function testApp(options: RubricaOptions = {}) {
  process.env.APP_ID = String(APP_ID);
  const probot = new Probot({
    appId: APP_ID,
    privateKey: PRIVATE_KEY,
    logLevel: (process.env.TEST_LOG_LEVEL as 'info') ?? 'fatal',
    Octokit: TEST_OCTOKIT,
  });
  const { appFn, rubrica } = createRubrica({
    appSlug: 'rubrica',
    concurrency: 2,
    retryDelaysMs: [10, 10],
    outboxRetryDelaysMs: [10, 10],
    courseTtlMs: 0,
    now: () => new Date('2026-09-08T15:01:00Z'),
    writeSpacing: { writeMs: 0, notifyMs: 0 },
    pollMs: 20,
    store: options.store ?? (await tempStore()),
    ...options,
  });
  // Without a server, Probot's load() hands the app an addHandler that throws; a server
  // would mount the admin routes, which these tests do not use.
  await probot.load(appFn, { cwd: process.cwd(), addHandler: () => {} });
  const app = rubrica()!;
  await app.ready;
  return { probot, rubrica: app };
}

/** Requests to GitHub that no interceptor expected: every test asserts there were none. */
export const unexpected: string[] = [];
// nock 15 hands over the fetch Request (`url`); href/path/options are the older request shapes.
nock.emitter.on('no match', (req: { method?: string; url?: string; path?: string; href?: string; options?: { method?: string; path?: string; host?: string } }) => {
  const where = `${req.url ?? ''} ${req.href ?? ''} ${req.path ?? req.options?.path ?? ''} ${req.options?.host ?? ''}`;
  // Requests to the Docker engine's socket pass through (net connect allowed); only GitHub's count.
  if (where.includes('api.github.com')) unexpected.push(`${req.method ?? req.options?.method} ${req.url ?? req.path ?? req.href ?? req.options?.path}`);
});

/**
 * Ends a test's fake GitHub: every interceptor is removed first, so a failing test
 * leaves nothing behind for the next one, then the requests no interceptor expected are
 * handed back for the test file's afterEach to assert there were none.
 */
export function resetGithub(): string[] {
  const missed = unexpected.splice(0);
  nock.cleanAll();
  return missed;
}

export function githubNock() {
  unexpected.length = 0;
  nock.disableNetConnect();
  // The Docker engine's socket and our own server are local.
  nock.enableNetConnect((host) => host.startsWith('localhost') || host.startsWith('127.0.0.1'));
  return nock(API);
}

/**
 * Collects the JSON bodies of the requests `scope` answered for one method and path.
 * (nock's reply functions hang with fetch, so bodies are read from its events.)
 */
export function record(scope: nock.Scope, method: string, path: string, into: any[]): void {
  scope.on('request', (req: { method?: string; url?: string; path?: string }, _interceptor: unknown, body: string) => {
    const url = new URL(req.url ?? `${API}${req.path}`);
    if (req.method === method && url.pathname === path) into.push(body ? JSON.parse(body) : undefined);
  });
}

/** check_suite.rerequested ("Re-run all") for our app's suite on `sha`: the check run fixture's repository and installation. */
export function checkSuiteRerequest(sha: string, suiteId = 5) {
  const run = payload('check_run.rerequested');
  return { action: 'rerequested', check_suite: { id: suiteId, head_sha: sha, app: { id: APP_ID }, pull_requests: [] }, repository: run.repository, installation: run.installation, sender: run.sender } as never;
}

const COURSE_PATH = /^\/repos\/clase-mlops\/\.github\/contents\/\.github(%2F|\/)rubrica\.yml/;

/** The installation token and the organization's course file. */
export function courseScope(scope: nock.Scope, yaml: string | null = COURSE_YAML, options: { times?: number } = {}): nock.Scope {
  scope.post(`/app/installations/${INSTALLATION}/access_tokens`).optionally().times(20).reply(201, { token: 'ghs_test', expires_at: '2099-01-01T00:00:00Z', permissions: {} });
  if (yaml === null) {
    scope.get(COURSE_PATH).reply(404, { message: 'Not Found' });
    return scope;
  }
  // `times`: read that many times at most, none required (a job retried reads it again).
  const get = options.times ? scope.get(COURSE_PATH).optionally().times(options.times) : scope.get(COURSE_PATH);
  return get.reply(200, { type: 'file', encoding: 'base64', sha: 'cfg1', path: '.github/rubrica.yml', content: Buffer.from(yaml).toString('base64') });
}

/** Serves the commit's files and history. */
export async function serveCommit(scope: nock.Scope, files: Tree = WEEK1_REPO, messages: readonly string[] = WEEK1_COMMITS, sha = SHA) {
  const gz = await tarball(files, sha);
  scope.get(`/repos/${ORG}/${REPO}/tarball/${sha}`).reply(200, gz, { 'content-type': 'application/x-gzip' });
  return serveHistory(scope, messages, sha);
}

/** Serves the commit's history only: an attempt that never reaches the download (the tarball streams once a container is up). */
export function serveHistory(scope: nock.Scope, messages: readonly string[] = WEEK1_COMMITS, sha = SHA) {
  scope.get(`/repos/${ORG}/${REPO}/commits`).query((q) => q.sha === sha).reply(200, apiCommits(messages, sha));
  return scope;
}
