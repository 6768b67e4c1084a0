import { generateKeyPairSync } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import nock from 'nock';
import { Probot, ProbotOctokit } from 'probot';
import { pack as tarPack } from 'tar-stream';
import { createRubrica, type RubricaOptions } from '../../src/app.ts';

/**
 * GitHub, faked with nock at the HTTP level (Probot's Octokit speaks to it over fetch),
 * around a real Probot and the real grading core: Docker and the runner image are real.
 */
export const ORG = 'clase-mlops';
export const REPO = 'mlops-ana';
export const SHA = 'a1b2c3d4e5f60718293a4b5c6d7e8f9012345678';
export const INSTALLATION = 4242;
export const APP_ID = 123;
export const API = 'https://api.github.com';

export const PRIVATE_KEY = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ type: 'pkcs1', format: 'pem' }).toString();

export function payload<T = any>(name: string): T {
  return JSON.parse(readFileSync(new URL(`../fixtures/payloads/${name}.json`, import.meta.url), 'utf8')) as T;
}

/** Probot with GitHub's retries on (fast) and its write spacing off, so tests take milliseconds. */
export async function testApp(options: RubricaOptions = {}) {
  process.env.APP_ID = String(APP_ID);
  const probot = new Probot({
    appId: APP_ID,
    privateKey: PRIVATE_KEY,
    logLevel: (process.env.TEST_LOG_LEVEL as 'info') ?? 'fatal',
    Octokit: ProbotOctokit.defaults({ retry: { retryAfterBaseValue: 1 }, throttle: { enabled: false } }),
  });
  const { appFn, rubrica } = createRubrica({
    appSlug: 'rubrica',
    concurrency: 2,
    retryDelaysMs: [10, 10],
    courseTtlMs: 0,
    now: () => new Date('2026-09-08T15:01:00Z'),
    ...options,
  });
  await probot.load(appFn);
  return { probot, rubrica: rubrica()! };
}

/** Requests to GitHub that no interceptor expected: every test asserts there were none. */
export const unexpected: string[] = [];
nock.emitter.on('no match', (req: { method?: string; path?: string; href?: string; options?: { method?: string; path?: string; host?: string } }) => {
  const where = `${req.href ?? ''} ${req.path ?? req.options?.path ?? ''} ${req.options?.host ?? ''}`;
  // Requests to the Docker engine's socket pass through (net connect allowed); only GitHub's count.
  if (where.includes('api.github.com')) unexpected.push(`${req.method ?? req.options?.method} ${req.path ?? req.href ?? req.options?.path}`);
});

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

export const COURSE_YAML = `pack: mlops
start: 2026-09-07
timezone: America/Argentina/Buenos_Aires
weeks: 10
students:
  prefix: mlops-
tas: mlops-tas
locale: es
`;

const COURSE_PATH = /^\/repos\/clase-mlops\/\.github\/contents\/\.github(%2F|\/)rubrica\.yml/;

/** The installation token and the organization's course file. */
export function courseScope(scope: nock.Scope, yaml: string | null = COURSE_YAML): nock.Scope {
  scope.post(`/app/installations/${INSTALLATION}/access_tokens`).optionally().times(20).reply(201, { token: 'ghs_test', expires_at: '2099-01-01T00:00:00Z', permissions: {} });
  if (yaml === null) {
    scope.get(COURSE_PATH).reply(404, { message: 'Not Found' });
    return scope;
  }
  return scope.get(COURSE_PATH).reply(200, { type: 'file', encoding: 'base64', sha: 'cfg1', path: '.github/rubrica.yml', content: Buffer.from(yaml).toString('base64') });
}

export type Tree = Record<string, string | { symlink: string }>;

/** A tarball as GitHub serves it: gzipped, under one top folder `owner-repo-sha/`. */
export async function tarball(files: Tree, sha = SHA): Promise<Buffer> {
  const tar = tarPack();
  const top = `${ORG}-${REPO}-${sha.slice(0, 7)}/`;
  const chunks: Buffer[] = [];
  tar.on('data', (c) => void chunks.push(c as Buffer));
  const ended = new Promise<void>((resolve) => tar.on('end', () => resolve()));
  tar.entry({ name: 'pax_global_header', type: 'pax-global-header', pax: { comment: sha } } as never);
  tar.entry({ name: top, type: 'directory' });
  const dirs = new Set<string>();
  for (const [path, content] of Object.entries(files).sort()) {
    const parts = path.split('/');
    for (let i = 1; i < parts.length; i++) {
      const dir = parts.slice(0, i).join('/');
      if (!dirs.has(dir)) {
        dirs.add(dir);
        tar.entry({ name: `${top}${dir}/`, type: 'directory' });
      }
    }
    if (typeof content === 'string') tar.entry({ name: top + path, type: 'file', mode: 0o644 }, content);
    else tar.entry({ name: top + path, type: 'symlink', linkname: content.symlink });
  }
  tar.finalize();
  await ended;
  return gzipSync(Buffer.concat(chunks));
}

/** GitHub's commit list for a history, newest first. */
export function apiCommits(messages: readonly string[], head = SHA) {
  return messages
    .map((message, i) => ({
      sha: i === messages.length - 1 ? head : `${String(i).padStart(2, '0')}${'0'.repeat(38)}`,
      parents: i === 0 ? [] : [{ sha: 'x' }],
      commit: { message, author: { name: 'Ana Estudiante', date: `2026-09-0${(i % 8) + 1}T12:00:00Z` } },
    }))
    .reverse();
}

/** A week-1 repository of the MLOps course that meets every criterion. */
export const WEEK1_REPO: Tree = {
  'README.md': '# Proyecto MLOps\n\n## Descripción\nPredice.\n\n## Instalación\npip install -r requirements.txt\n\n## Uso\npython main.py\n\n## Estructura\nsrc, data, models.\n',
  '.gitignore': '__pycache__/\n*.py[cod]\n.venv/\n.env\n.ipynb_checkpoints/\n*.egg-info/\ndata/processed/\n',
  'src/proyecto/__init__.py': '',
  'data/raw/.gitkeep': '',
  'models/.gitkeep': '',
  'tests/test_ok.py': 'def test_ok():\n    assert True\n',
  'configs/config.yaml': 'seed: 42\n',
  'docs/.gitkeep': '',
};

export const WEEK1_COMMITS = ['chore: estructura inicial', 'docs: README', 'feat: carga de datos', 'test: prueba básica', 'chore: gitignore'];

/** Serves the commit's files and history. */
export async function serveCommit(scope: nock.Scope, files: Tree = WEEK1_REPO, messages: readonly string[] = WEEK1_COMMITS, sha = SHA) {
  const gz = await tarball(files, sha);
  scope.get(`/repos/${ORG}/${REPO}/tarball/${sha}`).reply(200, gz, { 'content-type': 'application/x-gzip' });
  scope.get(`/repos/${ORG}/${REPO}/commits`).query((q) => q.sha === sha).reply(200, apiCommits(messages, sha));
  return scope;
}
