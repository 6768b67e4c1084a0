// GitHub Enterprise's API, faked over real HTTP on loopback for bench/burst.ts.
// The app is started with GHE_HOST=127.0.0.1:<port> and GHE_PROTOCOL=http, so Probot's
// Octokit (fetch, throttling, retries: all real) talks to this server under /api/v3.
// No nock here: nock patches Node's http, which the benchmark must not do.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { apiCommits, tarball, WEEK1_COMMITS, WEEK1_REPO, type Tree } from '../test/fixtures/github-repo.ts';

/** A request that spends GitHub's write budget (every non-GET except installation tokens). */
export interface WriteRecord {
  readonly at: number;
  readonly method: string;
  readonly path: string;
  /** `check-run.create`, `check-run.update`, `comment.create`, … */
  readonly kind: string;
  readonly repo?: string;
}

/** A check run's state as the fake GitHub keeps it. */
export interface CheckRunRecord {
  readonly id: number;
  readonly repo: string;
  readonly headSha: string;
  readonly name: string;
  readonly externalId: string | null;
  status: string;
  conclusion: string | null;
  title: string | null;
  readonly createdAt: number;
  completedAt: number | null;
  /** How many writes (create or update) put it in `completed`. */
  completions: number;
  updates: number;
}

export interface CheckRunEvent {
  readonly at: number;
  readonly repo: string;
  readonly id: number;
  readonly headSha: string;
  readonly action: 'create' | 'update';
  readonly status: string | null;
  readonly conclusion: string | null;
}

export interface FakeGitHubOptions {
  /** The organization's course file (`.github/rubrica.yml`). */
  readonly courseYaml: string;
  readonly files?: Tree;
  readonly commits?: readonly string[];
  readonly appSlug?: string;
}

export interface FakeGitHub {
  readonly port: number;
  /** `127.0.0.1:<port>`: the app's GHE_HOST. */
  readonly host: string;
  readonly writes: WriteRecord[];
  readonly checkRuns: Map<number, CheckRunRecord>;
  readonly checkRunEvents: CheckRunEvent[];
  readonly comments: { at: number; repo: string; path: string }[];
  /** Unknown routes (404), `METHOD path` → count. */
  readonly unknown: Map<string, number>;
  /** GET requests by route kind (tarball, commits, course, app, …). */
  readonly reads: Map<string, number>;
  /** Tarball downloads (a grading starting), in order. */
  readonly fetches: { at: number; repo: string; sha: string }[];
  readonly tokens: { count: number };
  /** Called on every check run write that leaves it completed. */
  onCompleted?: (run: CheckRunRecord, at: number) => void;
  /** Awaited before a tarball is served (a test holds a grading at its download). */
  beforeTarball?: (repo: string, sha: string) => Promise<void>;
  /**
   * Asked before every write: an answer makes GitHub refuse it (a secondary rate limit:
   * 403 with `retry-after`), and the write does not happen.
   */
  refuseWrite?: (method: string, path: string) => { status: number; headers?: Record<string, string>; message: string } | undefined;
  /** Awaited after a check run is created and before GitHub answers (a test kills the app meanwhile). */
  beforeAnswer?: (run: CheckRunRecord) => Promise<void>;
  /** Writes refused by `refuseWrite`. */
  readonly refused: WriteRecord[];
  /** Forgets everything recorded (a second burst starts clean). */
  reset(): void;
  close(): Promise<void>;
}

const API = '/api/v3';

export async function startFakeGitHub(options: FakeGitHubOptions): Promise<FakeGitHub> {
  const files = options.files ?? WEEK1_REPO;
  const messages = options.commits ?? WEEK1_COMMITS;
  const courseContent = Buffer.from(options.courseYaml).toString('base64');
  const tarballs = new Map<string, Promise<Buffer>>();
  let nextCheckRun = 1_000;
  let nextComment = 50_000;
  let port = 0;

  const fake: FakeGitHub = {
    port: 0,
    host: '',
    writes: [],
    checkRuns: new Map(),
    checkRunEvents: [],
    comments: [],
    unknown: new Map(),
    reads: new Map(),
    fetches: [],
    tokens: { count: 0 },
    refused: [],
    reset() {
      this.refused.length = 0;
      this.writes.length = 0;
      this.checkRuns.clear();
      this.checkRunEvents.length = 0;
      this.comments.length = 0;
      this.unknown.clear();
      this.reads.clear();
      this.fetches.length = 0;
      this.tokens.count = 0;
      tarballs.clear();
    },
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };

  const json = (res: ServerResponse, status: number, body: unknown) => {
    const text = JSON.stringify(body);
    res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(text) });
    res.end(text);
  };
  const read = (kind: string) => fake.reads.set(kind, (fake.reads.get(kind) ?? 0) + 1);
  const write = (method: string, path: string, kind: string, repo?: string) => {
    fake.writes.push({ at: Date.now(), method, path, kind, ...(repo ? { repo } : {}) });
  };
  const notFound = (res: ServerResponse, method: string, path: string) => {
    // Ids and shas vary; group by shape.
    const key = `${method} ${path.replace(/\/[0-9a-f]{40}\b/g, '/:sha').replace(/\/\d+\b/g, '/:id')}`;
    fake.unknown.set(key, (fake.unknown.get(key) ?? 0) + 1);
    json(res, 404, { message: 'Not Found', documentation_url: 'https://docs.github.com/rest' });
  };
  const completed = (run: CheckRunRecord, at: number) => {
    run.completions++;
    run.completedAt = at;
    fake.onCompleted?.(run, at);
  };

  async function handle(req: IncomingMessage, res: ServerResponse, body: string) {
    const method = (req.method ?? 'GET').toUpperCase();
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const raw = url.pathname;
    if (!raw.startsWith(API)) return notFound(res, method, raw);
    const path = raw.slice(API.length) || '/';
    const data = body ? (JSON.parse(body) as Record<string, any>) : {};
    let m: RegExpExecArray | null;

    if (method === 'POST' && (m = /^\/app\/installations\/(\d+)\/access_tokens$/.exec(path))) {
      fake.tokens.count++;
      return json(res, 201, { token: `ghs_fake_${m[1]}`, expires_at: '2099-01-01T00:00:00Z', permissions: { checks: 'write', contents: 'read', metadata: 'read', pull_requests: 'write', issues: 'write' }, repository_selection: 'all' });
    }
    if (method === 'GET' && path === '/app') {
      read('app');
      return json(res, 200, { id: 123, slug: options.appSlug ?? 'rubrica', name: 'Rubrica', owner: { login: 'rubrica-dev' } });
    }
    if (method === 'GET' && (m = /^\/repos\/([^/]+)\/\.github\/contents\/\.github(?:%2F|\/)rubrica\.yml$/i.exec(path))) {
      read('course-file');
      return json(res, 200, { type: 'file', encoding: 'base64', sha: 'cfg-burst', path: '.github/rubrica.yml', name: 'rubrica.yml', size: options.courseYaml.length, content: courseContent });
    }
    if (method === 'GET' && (m = /^\/repos\/([^/]+)\/([^/]+)\/tarball\/([^/]+)$/.exec(path))) {
      read('tarball');
      const sha = decodeURIComponent(m[3]!);
      fake.fetches.push({ at: Date.now(), repo: m[2]!, sha });
      await fake.beforeTarball?.(m[2]!, sha);
      let gz = tarballs.get(sha);
      if (!gz) tarballs.set(sha, (gz = tarball(files, sha)));
      const buf = await gz;
      res.writeHead(200, { 'content-type': 'application/x-gzip', 'content-length': buf.length, 'content-disposition': `attachment; filename=${m[1]}-${m[2]}-${sha.slice(0, 7)}.tar.gz` });
      return res.end(buf);
    }
    if (method === 'GET' && (m = /^\/repos\/([^/]+)\/([^/]+)\/commits$/.exec(path))) {
      read('commits');
      const sha = url.searchParams.get('sha') ?? 'HEAD';
      return json(res, 200, apiCommits(messages, sha));
    }
    if (method !== 'GET' && !path.startsWith('/app/')) {
      const refusal = fake.refuseWrite?.(method, path);
      if (refusal) {
        fake.refused.push({ at: Date.now(), method, path, kind: 'refused' });
        const text = JSON.stringify({ message: refusal.message, documentation_url: 'https://docs.github.com/rest/overview/rate-limits-for-the-rest-api' });
        res.writeHead(refusal.status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(text), ...refusal.headers });
        return res.end(text);
      }
    }
    if (method === 'GET' && (m = /^\/repos\/([^/]+)\/([^/]+)\/commits\/([^/]+)\/check-runs$/.exec(path))) {
      read('check-runs');
      const repo = m[2]!;
      const sha = decodeURIComponent(m[3]!);
      const name = url.searchParams.get('check_name');
      const runs = [...fake.checkRuns.values()].filter((r) => r.repo === repo && r.headSha === sha && (!name || r.name === name));
      return json(res, 200, { total_count: runs.length, check_runs: runs.map((r) => ({ id: r.id, name: r.name, head_sha: r.headSha, status: r.status, conclusion: r.conclusion, external_id: r.externalId, html_url: `http://${fake.host}/${m![1]}/${repo}/runs/${r.id}` })) });
    }
    if (method === 'POST' && (m = /^\/repos\/([^/]+)\/([^/]+)\/check-runs$/.exec(path))) {
      const repo = m[2]!;
      const at = Date.now();
      write(method, path, 'check-run.create', repo);
      const id = nextCheckRun++;
      const run: CheckRunRecord = {
        id,
        repo,
        headSha: String(data.head_sha ?? ''),
        name: String(data.name ?? ''),
        externalId: data.external_id ?? null,
        status: String(data.status ?? 'queued'),
        conclusion: data.conclusion ?? null,
        title: data.output?.title ?? null,
        createdAt: at,
        completedAt: null,
        completions: 0,
        updates: 0,
      };
      fake.checkRuns.set(id, run);
      fake.checkRunEvents.push({ at, repo, id, headSha: run.headSha, action: 'create', status: run.status, conclusion: run.conclusion });
      if (run.status === 'completed') completed(run, at);
      await fake.beforeAnswer?.(run);
      return json(res, 201, { id, head_sha: run.headSha, status: run.status, conclusion: run.conclusion, name: data.name, external_id: data.external_id ?? null, html_url: `http://${fake.host}/${m[1]}/${repo}/runs/${id}`, url: `http://${fake.host}${API}${path}/${id}` });
    }
    if (method === 'PATCH' && (m = /^\/repos\/([^/]+)\/([^/]+)\/check-runs\/(\d+)$/.exec(path))) {
      const repo = m[2]!;
      const at = Date.now();
      write(method, path, 'check-run.update', repo);
      const run = fake.checkRuns.get(Number(m[3]));
      if (!run) return notFound(res, method, raw);
      run.updates++;
      const wasCompleted = run.status === 'completed';
      if (data.status) run.status = String(data.status);
      if (data.conclusion !== undefined) run.conclusion = data.conclusion;
      if (data.output?.title) run.title = data.output.title;
      fake.checkRunEvents.push({ at, repo, id: run.id, headSha: run.headSha, action: 'update', status: data.status ?? null, conclusion: data.conclusion ?? null });
      // An update that only adds annotations to a completed run does not complete it again.
      if (data.status === 'completed' || (data.conclusion && !wasCompleted)) completed(run, at);
      return json(res, 200, { id: run.id, head_sha: run.headSha, status: run.status, conclusion: run.conclusion, html_url: `http://${fake.host}/${m[1]}/${repo}/runs/${run.id}` });
    }
    if (method === 'POST' && (m = /^\/repos\/([^/]+)\/([^/]+)\/(?:commits\/[^/]+|issues\/\d+)\/comments$/.exec(path))) {
      const repo = m[2]!;
      write(method, path, 'comment.create', repo);
      fake.comments.push({ at: Date.now(), repo, path });
      const id = nextComment++;
      return json(res, 201, { id, body: data.body, html_url: `http://${fake.host}/${m[1]}/${repo}#comment-${id}`, user: { login: `${options.appSlug ?? 'rubrica'}[bot]`, type: 'Bot' } });
    }
    if (method === 'PATCH' && (m = /^\/repos\/([^/]+)\/([^/]+)\/issues\/comments\/(\d+)$/.exec(path))) {
      write(method, path, 'comment.update', m[2]);
      return json(res, 200, { id: Number(m[3]), body: data.body });
    }
    if (method !== 'GET') {
      // Unknown writes still spend the budget on the real GitHub.
      write(method, path, 'unknown');
    }
    return notFound(res, method, raw);
  }

  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      handle(req, res, Buffer.concat(chunks).toString('utf8')).catch((error: unknown) => {
        if (!res.headersSent) json(res, 500, { message: (error as Error).message });
        else res.destroy();
      });
    });
  });
  server.keepAliveTimeout = 30_000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.address() as AddressInfo).port;
  Object.assign(fake, { port, host: `127.0.0.1:${port}` });
  return fake;
}
