import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import nock from 'nock';
import { Probot } from 'probot';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRubrica } from '../../src/app.ts';
import type { SandboxProvider } from '../../src/sandbox/sandbox.ts';
import type { Store } from '../../src/store/store.ts';
import { newSession, seal, sessionKey } from '../../src/web/session.ts';
import { classGrading, recordAll } from '../helpers/dashboard.ts';
import { API, APP_ID, PRIVATE_KEY, TEST_OCTOKIT } from '../helpers/github.ts';
import { tempStore } from '../helpers/store.ts';

/**
 * The app mounts the dashboard on its HTTP server beside /admin, and asks GitHub (nock)
 * who may see a course through its own installation, as TA commands do.
 */
const oauth = { clientId: 'Iv1.wiring', clientSecret: 'wiring-secret', webUrl: 'https://github.com', apiUrl: API };
let store: Store;
let server: Server;
let base: string;
let close: () => Promise<void>;

beforeAll(async () => {
  store = await tempStore();
  await store.record.saveCourse('clase', { id: 'default', weeks: 1, units: Array.from({ length: 1 }, (_, i) => `week-${i + 1}`), counts: 'best', config: { tas: 'ayudantes', locale: 'es' } });
  await recordAll(store, [classGrading({ org: 'clase', repoId: 1, login: 'ada', week: 1, criteria: [{ id: 'a', max: 10, score: 9, status: 'passed' }] })]);
  const handlers: ((req: IncomingMessage, res: ServerResponse) => Promise<boolean | void> | boolean | void)[] = [];
  const probot = new Probot({ appId: APP_ID, privateKey: PRIVATE_KEY, logLevel: 'fatal', Octokit: TEST_OCTOKIT });
  const sandbox = { open: async () => { throw new Error('no grading here'); } } as unknown as SandboxProvider;
  const { appFn, rubrica } = createRubrica({ store, sandbox, work: false, appSlug: 'rubrica', oauth, adminToken: 't0ken' });
  await probot.load(appFn, { cwd: process.cwd(), addHandler: (h: (typeof handlers)[number]) => void handlers.push(h) });
  await rubrica()!.ready;
  close = () => rubrica()!.queue.close();
  server = createServer(async (req, res) => {
    for (const h of handlers) if (await h(req, res)) return;
    res.writeHead(404).end('probot');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  nock.disableNetConnect();
  nock.enableNetConnect('127.0.0.1');
});

afterAll(async () => {
  nock.cleanAll();
  nock.enableNetConnect();
  await close?.();
  await new Promise((r) => server.close(r));
  await store.close();
});

describe('the app serves the dashboard', () => {
  it('at /dashboard, beside the /admin door', async () => {
    const res = await fetch(`${base}/dashboard/sign-in`, { headers: { 'accept-language': 'es' } });
    expect(res.status).toBe(200);
    expect(await res.text()).toContain('Entrar con GitHub');
    expect((await fetch(`${base}/admin/jobs`)).status).toBe(401);
    expect((await fetch(`${base}/elsewhere`)).status).toBe(404);
  });

  it("asks GitHub through the org's installation whether the user is on the TA team", async () => {
    const github = nock(API)
      .get('/orgs/clase/installation').reply(200, { id: 4242 })
      .post('/app/installations/4242/access_tokens').reply(201, { token: 'ghs_x', expires_at: new Date(Date.now() + 3_600_000).toISOString() })
      .get('/orgs/clase/teams/ayudantes/memberships/ana').reply(200, { state: 'active', role: 'member' })
      .get('/orgs/clase/teams/ayudantes/memberships/ada').reply(404, { message: 'Not Found' })
      .get('/orgs/clase/memberships/ada').reply(200, { state: 'active', role: 'member' });
    const key = sessionKey(oauth.clientSecret, oauth.clientId);
    const as = (login: string) => ({ cookie: `rubrica_session=${seal(key, newSession({ login, id: 1 }, Date.now()))}` });
    const ta = await fetch(`${base}/dashboard/clase`, { headers: as('ana') });
    expect(ta.status).toBe(200);
    expect(await ta.text()).toContain('ada');
    const student = await fetch(`${base}/dashboard/clase`, { headers: as('ada') });
    expect(student.status).toBe(403);
    expect(github.isDone()).toBe(true);
  });
});
