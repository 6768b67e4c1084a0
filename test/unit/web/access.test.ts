import { describe, expect, it } from 'vitest';
import type { TaStatus } from '../../../src/github/teams.ts';
import { CourseAccess, isTeachingStaff } from '../../../src/web/access.ts';
import { cookie, newSession, seal, sessionKey, unseal } from '../../../src/web/session.ts';

describe('who may see a course', () => {
  it('lets in TAs and org owners only: a pending invitation or a plain member gets nothing', () => {
    expect((['ta', 'org-owner', 'pending', 'none'] as TaStatus[]).map(isTeachingStaff)).toEqual([true, true, false, false]);
  });

  it("reuses GitHub's answer for the TTL, then asks again (a TA taken off the team loses access)", async () => {
    let now = 0;
    let answer: TaStatus = 'ta';
    const asked: string[] = [];
    const access = new CourseAccess(async (org, login) => (asked.push(`${org}/${login}`), answer), { ttlMs: 180_000, now: () => now });
    expect(await access.allowed('Clase', 'Ana')).toBe(true);
    answer = 'none';
    now = 179_000;
    expect(await access.allowed('clase', 'ana')).toBe(true);
    expect(asked).toEqual(['Clase/Ana']);
    now = 180_000;
    expect(await access.allowed('clase', 'ana')).toBe(false);
    expect(asked).toHaveLength(2);
  });

  it('asks once for concurrent pages, and never caches a failure as an answer', async () => {
    let calls = 0;
    let fail = true;
    const access = new CourseAccess(async () => {
      calls++;
      await new Promise((r) => setTimeout(r, 5));
      if (fail) throw Object.assign(new Error('Server Error'), { status: 502 });
      return 'org-owner';
    });
    const both = await Promise.allSettled([access.allowed('o', 'u'), access.allowed('o', 'u')]);
    expect(both.map((r) => r.status)).toEqual(['rejected', 'rejected']);
    expect(calls).toBe(1);
    fail = false;
    expect(await access.allowed('o', 'u')).toBe(true);
    expect(calls).toBe(2);
  });

  it('forgets a user at sign-in and sign-out, so GitHub is asked afresh', async () => {
    let calls = 0;
    const access = new CourseAccess(async () => (calls++, 'ta'));
    await access.allowed('a', 'ana');
    await access.allowed('b', 'ana');
    await access.allowed('a', 'beto');
    access.forget('ANA');
    await access.allowed('a', 'ana');
    await access.allowed('a', 'beto');
    expect(calls).toBe(4);
  });
});

describe('the session cookie', () => {
  const key = sessionKey('client-secret', 'Iv1.x');

  it('is signed: a changed byte or another key is refused', () => {
    const sealed = seal(key, newSession({ login: 'ana', id: 7 }, 1_000_000));
    expect(unseal<{ login: string }>(key, sealed)?.login).toBe('ana');
    const [body, mac] = sealed.split('.');
    const forged = Buffer.from(JSON.stringify({ ...JSON.parse(Buffer.from(body!, 'base64url').toString()), login: 'profe' })).toString('base64url');
    expect(unseal(key, `${forged}.${mac}`)).toBeUndefined();
    expect(unseal(sessionKey('another-secret', 'Iv1.x'), sealed)).toBeUndefined();
    expect(unseal(key, 'garbage')).toBeUndefined();
  });

  it('is HttpOnly and SameSite, and Secure only behind HTTPS', () => {
    expect(cookie('s', 'v', { secure: false, maxAge: 60 })).toBe('s=v; Path=/dashboard; Max-Age=60; HttpOnly; SameSite=Lax');
    expect(cookie('s', 'v', { secure: true, maxAge: 60 })).toMatch(/; HttpOnly; SameSite=Lax; Secure$/);
  });

  it('carries no GitHub token, and a fresh CSRF token each sign-in', () => {
    const a = newSession({ login: 'ana', id: 7 }, 0);
    const b = newSession({ login: 'ana', id: 7 }, 0);
    expect(Object.keys(a).sort()).toEqual(['csrf', 'expiresAt', 'issuedAt', 'login', 'userId']);
    expect(a.csrf).not.toBe(b.csrf);
    expect(a.csrf.length).toBeGreaterThanOrEqual(32);
  });
});

describe('where sign-in goes', () => {
  it("is github.com by default and the GitHub Enterprise Server's host with GHE_HOST; off without the client id and secret", async () => {
    const { oauthFromEnv, authorizeUrl } = await import('../../../src/web/oauth.ts');
    expect(oauthFromEnv({ GITHUB_CLIENT_ID: 'Iv1.a' })).toBeUndefined();
    expect(oauthFromEnv({ GITHUB_CLIENT_ID: 'Iv1.a', GITHUB_CLIENT_SECRET: 's' })).toEqual({ clientId: 'Iv1.a', clientSecret: 's', webUrl: 'https://github.com', apiUrl: 'https://api.github.com' });
    const ghe = oauthFromEnv({ GITHUB_CLIENT_ID: 'Iv1.a', GITHUB_CLIENT_SECRET: 's', GHE_HOST: 'github.example.edu' })!;
    expect(ghe).toMatchObject({ webUrl: 'https://github.example.edu', apiUrl: 'https://github.example.edu/api/v3' });
    const url = new URL(authorizeUrl(ghe, 'https://rubrica.example.edu/dashboard/callback', 'st4te'));
    expect(`${url.origin}${url.pathname}`).toBe('https://github.example.edu/login/oauth/authorize');
    expect(Object.fromEntries(url.searchParams)).toEqual({ client_id: 'Iv1.a', redirect_uri: 'https://rubrica.example.edu/dashboard/callback', state: 'st4te', allow_signup: 'false' });
  });
});
