import { createHmac } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createNodeMiddleware, Probot } from 'probot';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createRubrica } from '../../src/app.ts';
import { TEST_OCTOKIT, APP_ID, ORG, PRIVATE_KEY, REPO, courseScope, githubNock, payload, resetGithub, serveCommit, unexpected } from '../helpers/github.ts';
import { tempStore } from '../helpers/store.ts';

/**
 * The whole way: a signed webhook over real HTTP into Probot's server, the job
 * recorded in the durable queue, the commit graded in a real container, the check run
 * created completed on (nock's) GitHub in one write. Prints the time from sending the
 * webhook to that write.
 */
const SECRET = 'e2e-webhook-secret';
let server: Server;
let url: string;
let rubrica: ReturnType<ReturnType<typeof createRubrica>['rubrica']>;

beforeAll(async () => {
  process.env.APP_ID = String(APP_ID);
  const probot = new Probot({
    appId: APP_ID,
    privateKey: PRIVATE_KEY,
    secret: SECRET,
    logLevel: 'fatal',
    Octokit: TEST_OCTOKIT,
  });
  // A store of its own (never the default data folder), and GitHub's write spacing off as in testApp().
  const app = createRubrica({
    appSlug: 'rubrica',
    concurrency: 2,
    courseTtlMs: 60_000,
    now: () => new Date('2026-09-08T15:01:00Z'),
    store: await tempStore(),
    writeSpacing: { writeMs: 0, notifyMs: 0 },
    pollMs: 20,
  });
  const middleware = await createNodeMiddleware(app.appFn, { probot, webhooksPath: '/api/github/webhooks' });
  rubrica = app.rubrica();
  await rubrica!.ready;
  server = createServer((req, res) => {
    void middleware(req, res, () => {
      res.writeHead(404).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/github/webhooks`;
});

afterAll(async () => {
  await new Promise((resolve) => server.close(resolve));
});

afterEach(() => {
  // Each test asserts its own unexpected requests; whatever it left is removed before the next.
  resetGithub();
});

async function send(event: string, id: string, body: unknown, signature?: string) {
  const text = JSON.stringify(body);
  return fetch(url, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      'x-github-event': event,
      'x-github-delivery': id,
      'x-hub-signature-256': signature ?? `sha256=${createHmac('sha256', SECRET).update(text).digest('hex')}`,
    },
    body: text,
  });
}

describe('end to end over HTTP', () => {
  it('refuses a webhook with a bad signature and grades nothing', async () => {
    githubNock();
    const res = await send('push', 'forged', payload('push'), 'sha256=' + '0'.repeat(64));
    expect(res.status).toBe(400);
    await rubrica!.queue.idle();
    expect(unexpected).toEqual([]);
  });

  it('a signed push is answered at once and its check run completes with the grade (week 1, several runs)', async () => {
    const scope = githubNock();
    courseScope(scope);
    const runs = 5;
    const answerMs: number[] = [];
    const toCompletedMs: number[] = [];
    for (let i = 0; i < runs; i++) {
      const sha = `${String(i).padStart(2, '0')}${'e'.repeat(38)}`;
      const completed: any[] = [];
      await serveCommit(scope, undefined, undefined, sha);
      // The only write of a grading: the check run created already completed (no PATCH is mocked).
      scope.post(`/repos/${ORG}/${REPO}/check-runs`, (b) => b.head_sha === sha).reply(201, { id: 900 + i });
      const done = new Promise<number>((resolve) => {
        scope.on('request', (req: { method?: string; url?: string }, _interceptor: unknown, body: string) => {
          if (req.method !== 'POST' || !req.url?.endsWith(`/repos/${ORG}/${REPO}/check-runs`)) return;
          const run = JSON.parse(body);
          if (run.head_sha !== sha) return;
          completed.push(run);
          if (run.status === 'completed') resolve(performance.now());
        });
      });
      const p = payload('push');
      p.after = sha;
      const started = performance.now();
      const res = await send('push', `e2e-${i}`, p);
      answerMs.push(performance.now() - started);
      expect(res.status).toBe(200);
      toCompletedMs.push((await done) - started);
      await rubrica!.queue.idle();
      expect(completed).toHaveLength(1);
      expect(completed[0]).toMatchObject({ head_sha: sha, status: 'completed', conclusion: 'success', external_id: 'rubrica:week=1;delivered=2026-09-08T15:00:00.000Z', output: { title: '100/100', annotations: [] } });
    }
    expect(scope.pendingMocks()).toEqual([]);
    expect(unexpected).toEqual([]);
    const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
    console.log(
      `end-to-end, week 1, ${runs} runs: webhook answered in median ${median(answerMs).toFixed(1)} ms; ` +
        `webhook → completed check run median ${median(toCompletedMs).toFixed(0)} ms (all: ${toCompletedMs.map((x) => x.toFixed(0)).join(', ')})`,
    );
  });
});
