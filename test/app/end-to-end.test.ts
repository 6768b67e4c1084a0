import { createHmac } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import nock from 'nock';
import { createNodeMiddleware, Probot, ProbotOctokit } from 'probot';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRubrica } from '../../src/app.ts';
import { APP_ID, ORG, PRIVATE_KEY, REPO, courseScope, githubNock, payload, record, serveCommit, unexpected } from '../helpers/github.ts';

/**
 * The whole way: a signed webhook over real HTTP into Probot's server, the job
 * queued, the commit graded in a real container, the check run completed on
 * (nock's) GitHub. Prints the time from sending the webhook to the completed check run.
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
    Octokit: ProbotOctokit.defaults({ retry: { retryAfterBaseValue: 1 }, throttle: { enabled: false } }),
  });
  const app = createRubrica({ appSlug: 'rubrica', concurrency: 2, courseTtlMs: 60_000, now: () => new Date('2026-09-08T15:01:00Z') });
  const middleware = await createNodeMiddleware(app.appFn, { probot, webhooksPath: '/api/github/webhooks' });
  rubrica = app.rubrica();
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
  nock.cleanAll();
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
      scope.post(`/repos/${ORG}/${REPO}/check-runs`).reply(201, { id: 900 + i }).patch(`/repos/${ORG}/${REPO}/check-runs/${900 + i}`).reply(200, {});
      const done = new Promise<number>((resolve) => {
        scope.on('request', (req: { method?: string; url?: string }) => {
          if (req.method === 'PATCH' && req.url?.endsWith(`/check-runs/${900 + i}`)) resolve(performance.now());
        });
      });
      record(scope, 'PATCH', `/repos/${ORG}/${REPO}/check-runs/${900 + i}`, completed);
      const p = payload('push');
      p.after = sha;
      const started = performance.now();
      const res = await send('push', `e2e-${i}`, p);
      answerMs.push(performance.now() - started);
      expect(res.status).toBe(200);
      toCompletedMs.push((await done) - started);
      await rubrica!.queue.idle();
      expect(completed).toHaveLength(1);
      expect(completed[0]).toMatchObject({ status: 'completed', conclusion: 'success', output: { title: '100/100' } });
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
