import { createHmac } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createNodeMiddleware, Probot } from 'probot';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { adminHandler } from '../../src/admin.ts';
import { createRubrica } from '../../src/app.ts';
import { APP_ID, ORG, PRIVATE_KEY, TEST_OCTOKIT, courseScope, githubNock, record, resetGithub, unexpected } from '../helpers/github.ts';
import { COURSE_PACKS, GROUP, GROUP_REPO, GROUP_REPO_ID, TWO_COURSES_YAML, pushTo, serveGroup, serveRepoCommit } from '../helpers/courses.ts';
import { tempStore } from '../helpers/store.ts';

/**
 * A group repository of an assignment course, over real HTTP: a signed push webhook into
 * Probot's server, graded in a real container as the first delivery of the final
 * project, and the course's gradebook read back over HTTP from /admin with a row for
 * each member of the group.
 */
const SECRET = 'course-shapes-secret';
const TOKEN = 'admin-token-for-course-shapes';
const SHA = '4444444444444444444444444444444444444444';
let server: Server;
let base: string;
let rubrica: ReturnType<ReturnType<typeof createRubrica>['rubrica']>;

beforeAll(async () => {
  process.env.APP_ID = String(APP_ID);
  const probot = new Probot({ appId: APP_ID, privateKey: PRIVATE_KEY, secret: SECRET, logLevel: 'fatal', Octokit: TEST_OCTOKIT });
  const store = await tempStore();
  const app = createRubrica({
    appSlug: 'rubrica',
    concurrency: 1,
    courseTtlMs: 60_000,
    rubricsDir: COURSE_PACKS,
    now: () => new Date('2026-09-08T15:01:00Z'),
    store,
    writeSpacing: { writeMs: 0, notifyMs: 0 },
    pollMs: 20,
  });
  const middleware = await createNodeMiddleware(app.appFn, { probot, webhooksPath: '/api/github/webhooks' });
  rubrica = app.rubrica();
  await rubrica!.ready;
  const admin = adminHandler(store, TOKEN);
  server = createServer((req, res) => {
    void (async () => {
      if (await admin(req, res)) return;
      await middleware(req, res, () => res.writeHead(404).end());
    })();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await rubrica!.queue.close();
  await new Promise((resolve) => server.close(resolve));
  resetGithub();
});

function sendWebhook(event: string, id: string, body: unknown) {
  const text = JSON.stringify(body);
  return fetch(`${base}/api/github/webhooks`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-github-event': event, 'x-github-delivery': id, 'x-hub-signature-256': `sha256=${createHmac('sha256', SECRET).update(text).digest('hex')}` },
    body: text,
  });
}

describe('a group repository of an assignment course, over HTTP', () => {
  it('is graded as the final project’s first delivery, and the course gradebook at /admin gives each member the grade', async () => {
    const scope = githubNock();
    courseScope(scope, TWO_COURSES_YAML);
    await serveRepoCommit(scope, GROUP_REPO, SHA, { 'README.md': '# Grupo 3\n', 'src/app.py': 'x = 1\n' });
    serveGroup(scope);
    const runs: any[] = [];
    scope.post(`/repos/${ORG}/${GROUP_REPO}/check-runs`).reply(201, { id: 1001 });
    record(scope, 'POST', `/repos/${ORG}/${GROUP_REPO}/check-runs`, runs);

    const started = performance.now();
    const res = await sendWebhook('push', 'http-group-push', pushTo(GROUP_REPO, GROUP_REPO_ID, SHA, '2026-09-08T15:00:00Z'));
    expect(res.status).toBe(200);
    await rubrica!.queue.idle();
    const elapsed = performance.now() - started;
    expect(scope.pendingMocks()).toEqual([]);
    expect(unexpected).toEqual([]);
    expect(runs).toEqual([expect.objectContaining({ head_sha: SHA, name: 'Rubrica · final · first — Trabajo práctico final', conclusion: 'success', external_id: 'rubrica:unit=final/first;delivered=2026-09-08T15:00:00.000Z' })]);
    expect(runs[0].output.title).toBe('60/60');

    const auth = { authorization: `Bearer ${TOKEN}` };
    const csv = await fetch(`${base}/admin/grades.csv?org=${ORG}&course=amq2`, { headers: auth });
    expect(csv.status).toBe(200);
    expect(csv.headers.get('content-disposition')).toContain(`${ORG}-amq2-grades.csv`);
    expect((await csv.text()).split('\r\n')).toEqual(['login,repo,final/first,final/final,late_penalty,total', `${GROUP[0]},${GROUP_REPO},60,,0,60`, `${GROUP[1]},${GROUP_REPO},60,,0,60`, '']);
    // One unit, criterion by criterion: the first delivery's two criteria only.
    const detail = await fetch(`${base}/admin/grades.csv?org=${ORG}&course=amq2&unit=final/first`, { headers: auth });
    expect((await detail.text()).split('\r\n')[0]).toBe('login,repo,sha,delivered_at,status,readme,src,score,late_penalty,final');
    // A unit or course written wrong is refused, not echoed.
    expect((await fetch(`${base}/admin/grades.csv?org=${ORG}&course=amq2&unit=..%2Fx`, { headers: auth })).status).toBe(400);
    expect((await fetch(`${base}/admin/grades.csv?org=${ORG}&course=AMQ2%0A`, { headers: auth })).status).toBe(400);
    const courses = await (await fetch(`${base}/admin/courses`, { headers: auth })).json();
    expect(courses).toEqual({ courses: [expect.objectContaining({ org: ORG, course: 'amq2', weeks: 8, units: ['final/first', 'final/final'], counts: 'best' })], ambiguous: [] });
    console.log(`course shapes over HTTP: group push → graded and recorded in ${elapsed.toFixed(0)} ms`);
  });
});
