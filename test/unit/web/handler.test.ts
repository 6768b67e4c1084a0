import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TaStatus } from '../../../src/github/teams.ts';
import type { Store } from '../../../src/store/store.ts';
import { dashboardHandler } from '../../../src/web/handler.ts';
import { newSession, seal, sessionKey, type Session } from '../../../src/web/session.ts';
import { classGrading, recordAll } from '../../helpers/dashboard.ts';
import { tempStore } from '../../helpers/store.ts';

/** The handler's pipeline over real HTTP with a real store; GitHub's answer is a table. */
const oauth = { clientId: 'Iv1.unit', clientSecret: 'unit-secret', webUrl: 'https://github.example.edu', apiUrl: 'https://github.example.edu/api/v3' };
const key = sessionKey(oauth.clientSecret, oauth.clientId);
const statuses = new Map<string, TaStatus | Error>([['ana', 'ta'], ['ada', 'none']]);
let store: Store;
let server: Server;
let secureServer: Server;
let base: string;
let secureBase: string;

const sessions = new Map<string, Session>();
const as = (login: string) => {
  let s = sessions.get(login);
  if (!s) sessions.set(login, (s = newSession({ login, id: login.length }, Date.now())));
  return { cookie: `rubrica_session=${seal(key, s)}`, csrf: s.csrf };
};

async function listen(publicUrl?: string): Promise<[Server, string]> {
  const handler = dashboardHandler({
    store,
    oauth,
    publicUrl,
    membership: async (_org, login) => {
      const s = statuses.get(login) ?? 'none';
      if (s instanceof Error) throw s;
      return s;
    },
  });
  const s = createServer((req, res) => void handler(req, res).then((handled) => handled || res.writeHead(418).end()));
  await new Promise<void>((resolve) => s.listen(0, '127.0.0.1', resolve));
  return [s, `http://127.0.0.1:${(s.address() as AddressInfo).port}`];
}

beforeAll(async () => {
  store = await tempStore();
  await store.record.saveCourse('clase', { id: 'default', weeks: 2, units: Array.from({ length: 2 }, (_, i) => `week-${i + 1}`), counts: 'best', config: { tas: 'ayudantes', locale: 'en' } });
  await recordAll(store, [classGrading({ org: 'clase', repoId: 5, login: 'ada', week: 1, criteria: [{ id: 'a', max: 10, score: 7, status: 'partial', message: 'secreto-de-ada' }] })]);
  [server, base] = await listen();
  [secureServer, secureBase] = await listen('https://rubrica.example.edu');
});

afterAll(async () => {
  await Promise.all([server, secureServer].map((s) => new Promise((r) => s.close(r))));
  await store.close();
});

describe('the dashboard handler', () => {
  it('leaves other paths to the app, and answers its own with a restrictive CSP', async () => {
    expect((await fetch(`${base}/admin/jobs`)).status).toBe(418);
    expect((await fetch(`${base}/dashboardx`)).status).toBe(418);
    const res = await fetch(`${base}/dashboard/sign-in`);
    expect(res.status).toBe(200);
    const csp = res.headers.get('content-security-policy')!;
    expect(csp).toContain("default-src 'none'");
    expect(csp).toContain("script-src 'self'");
    expect(csp).not.toContain('unsafe-inline');
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).toContain("form-action 'self';");
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    expect(res.headers.get('cache-control')).toBe('no-store');
  });

  it('sends the signed-out to sign in, and never on to another site afterwards', async () => {
    const res = await fetch(`${base}/dashboard/clase`, { redirect: 'manual' });
    expect(res.status).toBe(303);
    expect(res.headers.get('location')).toBe('/dashboard/sign-in?next=%2Fdashboard%2Fclase');
    const go = await fetch(`${base}/dashboard/sign-in?go=1&next=${encodeURIComponent('https://evil.example/x')}`, { redirect: 'manual' });
    const authorize = new URL(go.headers.get('location')!);
    expect(authorize.origin).toBe('https://github.example.edu');
    expect(authorize.pathname).toBe('/login/oauth/authorize');
    const state = decodeURIComponent(/rubrica_oauth=([^;]+)/.exec(go.headers.get('set-cookie')!)![1]!);
    expect(JSON.parse(Buffer.from(state.split('.')[0]!, 'base64url').toString()).next).toBe('/dashboard');
  });

  it('refuses a callback whose state is not this browser’s', async () => {
    const res = await fetch(`${base}/dashboard/callback?code=c&state=forged`);
    expect(res.status).toBe(400);
  });

  it('shows a TA the course, and gives a student a 403 with no data', async () => {
    const ta = await fetch(`${base}/dashboard/clase`, { headers: { cookie: as('ana').cookie } });
    expect(ta.status).toBe(200);
    expect(await ta.text()).toContain('ada');
    for (const path of ['/dashboard/clase', '/dashboard/clase/repos/5', '/dashboard/clase/weeks/1', '/dashboard/clase/export/grades.csv']) {
      const res = await fetch(`${base}${path}`, { headers: { cookie: as('ada').cookie } });
      expect(res.status).toBe(403);
      const html = await res.text();
      expect(html).toContain('No access');
      expect(html).not.toContain('secreto-de-ada');
      expect(html).not.toContain('heatmap');
    }
  });

  it('says GitHub could not be asked (503), neither granting nor refusing', async () => {
    statuses.set('beto', Object.assign(new Error('Server Error'), { status: 502 }));
    const res = await fetch(`${base}/dashboard/clase`, { headers: { cookie: as('beto').cookie } });
    expect(res.status).toBe(503);
    expect(await res.text()).not.toContain('ada');
  });

  it('refuses a POST without the session’s token or from another origin, and takes it with both', async () => {
    const { cookie, csrf } = as('ana');
    const post = (body: string, headers: Record<string, string> = {}) => fetch(`${base}/dashboard/sign-out`, { method: 'POST', redirect: 'manual', headers: { cookie, 'content-type': 'application/x-www-form-urlencoded', ...headers }, body });
    expect((await post('')).status).toBe(403);
    expect((await post(`_csrf=${csrf}x`)).status).toBe(403);
    expect((await post(`_csrf=${csrf}`, { origin: 'https://evil.example' })).status).toBe(403);
    expect((await post(`_csrf=${csrf}`, { 'sec-fetch-site': 'cross-site' })).status).toBe(403);
    expect((await fetch(`${base}/dashboard/sign-out`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: `_csrf=${csrf}` })).status).toBe(403);
    const ok = await post(`_csrf=${csrf}`, { origin: base });
    expect(ok.status).toBe(200);
    expect(ok.headers.get('set-cookie')).toMatch(/^rubrica_session=; Path=\/dashboard; Max-Age=0; HttpOnly; SameSite=Lax$/);
  });

  it('marks cookies Secure behind HTTPS', async () => {
    const res = await fetch(`${secureBase}/dashboard/sign-in?go=1`, { redirect: 'manual' });
    expect(res.headers.get('set-cookie')).toMatch(/; Secure$/);
    expect(new URL(res.headers.get('location')!).searchParams.get('redirect_uri')).toBe('https://rubrica.example.edu/dashboard/callback');
  });

  it('says so when sign-in is not set up', async () => {
    const handler = dashboardHandler({ store, membership: async () => 'ta' });
    const s = createServer((req, res) => void handler(req, res));
    await new Promise<void>((resolve) => s.listen(0, '127.0.0.1', resolve));
    const res = await fetch(`http://127.0.0.1:${(s.address() as AddressInfo).port}/dashboard/sign-in`, { headers: { 'accept-language': 'en' } });
    expect(res.status).toBe(503);
    expect(await res.text()).toContain('GITHUB_CLIENT_ID');
    await new Promise((r) => s.close(r));
  });
});
