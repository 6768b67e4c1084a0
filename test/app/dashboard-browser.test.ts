import { promises as fs } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import type { BrowserContext, Page } from 'playwright-core';
import { launchBrowser } from '../helpers/browser.ts';
import { Probot } from 'probot';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { replaceRoster } from '../../src/store/roster.ts';
import type { Store } from '../../src/store/store.ts';
import { membershipViaApp } from '../../src/web/github.ts';
import { dashboardHandler } from '../../src/web/handler.ts';
import { classGrading, recordAll, syntheticClass } from '../helpers/dashboard.ts';
import { FakeGitHubWeb } from '../helpers/fake-github-web.ts';
import { PRIVATE_KEY } from '../helpers/github.ts';
import { tempStore } from '../helpers/store.ts';

/**
 * The dashboard in a real browser (Debian's chromium, headless, driven by playwright-core):
 * "Sign in with GitHub" against a stand-in for GitHub's OAuth pages and API over real HTTP
 * (GHE-style addresses), the TA rule asked through a real Probot's installation auth, and
 * the pages read from a real store. Screenshots of each page at desktop and phone widths
 * go to test-results/screenshots/ (CI keeps them).
 */
const SHOTS = join(process.cwd(), 'test-results', 'screenshots');
const ORG = 'clase-mlops';
const OTHER = 'otra-clase';
const TA = { login: 'ayudante-ana', id: 501 };
const OWNER = { login: 'profe-pablo', id: 502 };
const STUDENT = { login: 'alumna-ada', id: 503 };
const OTHER_TA = { login: 'ayudante-otro', id: 504 };

let store: Store;
let fake: FakeGitHubWeb;
let context: BrowserContext;
let browser: Awaited<ReturnType<typeof launchBrowser>> | undefined;
let server: Server;
let origin: string;
let attacker: Server;
let attackerOrigin: string;

const late = { deadline: '2026-03-15T23:59:00.000Z', effectiveDeadline: '2026-03-15T23:59:00.000Z', minutesLate: 1500, daysLate: 2, penaltyFraction: 0.2, status: 'late' } as const;

beforeAll(async () => {
  await fs.mkdir(SHOTS, { recursive: true });
  fake = await new FakeGitHubWeb().start();
  fake.addTa(ORG, 'ayudantes', TA.login);
  fake.owners.set(ORG, new Set([OWNER.login]));
  fake.addTa(OTHER, 'equipo', OTHER_TA.login);
  store = await tempStore();
  await store.record.saveCourse(ORG, { id: 'default', weeks: 4, units: Array.from({ length: 4 }, (_, i) => `week-${i + 1}`), counts: 'best', config: { tas: 'ayudantes', locale: 'es', timezone: 'America/Santiago' } });
  await store.record.saveCourse(OTHER, { id: 'default', weeks: 2, units: Array.from({ length: 2 }, (_, i) => `week-${i + 1}`), counts: 'best', config: { tas: 'equipo', locale: 'en' } });
  const full = [{ id: 'estructura', max: 60, score: 60, status: 'passed' }, { id: 'tests', max: 40, score: 20, status: 'partial', message: 'los tests fallan: <script>alert(1)</script>', details: '$ pytest\n<img src=x onerror=alert(2)>\n1 failed' }] as const;
  await recordAll(store, [
    // alumna-ada: week 1 on time 80; week 2 late (80 − 20% of 100); week 3 a TA override; week 4 nothing.
    classGrading({ org: ORG, repoId: 11, login: STUDENT.login, week: 1, criteria: full, pullRequest: 3, checkRunUrl: 'https://github.example.edu/clase-mlops/entrega-alumna-ada/runs/77' }),
    classGrading({ org: ORG, repoId: 11, login: STUDENT.login, week: 2, criteria: full, late, penalty: 20 }),
    classGrading({ org: ORG, repoId: 11, login: STUDENT.login, week: 3, criteria: [{ id: 'estructura', max: 60, score: 0, status: 'failed', message: 'no encontré dvc.yaml' }, { id: 'tests', max: 40, score: 40, status: 'passed' }] }),
    // beto: week 1 pending a manual criterion; week 2 a criterion not graded (our error).
    classGrading({ org: ORG, repoId: 12, login: 'beto', week: 1, criteria: [{ id: 'estructura', max: 60, score: 60, status: 'passed' }, { id: 'informe', max: 40, score: null, status: 'pending' }] }),
    classGrading({ org: ORG, repoId: 12, login: 'beto', week: 2, criteria: [{ id: 'estructura', max: 60, score: 60, status: 'passed' }, { id: 'tests', max: 40, score: null, status: 'error', message: 'la imagen no tiene pytest' }] }),
    ...syntheticClass(ORG, 24, 4).map((g) => ({ ...g, repoId: g.repoId + 100 })),
    classGrading({ org: OTHER, repoId: 900, login: 'secreto-de-otra', week: 1, criteria: full }),
  ]);
  await store.tas.saveOverride({ org: ORG, course: 'default', repoId: 11, unit: 'week-3', criterion: 'estructura', action: 'override', points: 50, reason: 'dvc.yaml estaba en otra carpeta', by: TA.login, at: '2026-03-25T10:00:00.000Z', automaticPoints: 0 });
  await replaceRoster(store.db, ORG, [{ line: 2, login: STUDENT.login, identifier: '1', name: 'Ada Lovelace', email: null, section: 'A', githubId: null }, { line: 3, login: 'beto', identifier: '2', name: 'Beto Díaz', email: null, section: 'B', githubId: null }], 'roster.csv');

  const app = new Probot({ appId: 1, privateKey: PRIVATE_KEY, baseUrl: `${fake.origin}/api/v3`, logLevel: 'fatal' });
  const handler = dashboardHandler({
    store,
    membership: membershipViaApp(app, store),
    oauth: { clientId: fake.clientId, clientSecret: fake.clientSecret, webUrl: fake.origin, apiUrl: `${fake.origin}/api/v3` },
    accessTtlMs: 1_500,
  });
  server = createServer((req, res) => void handler(req, res).then((done) => done || res.writeHead(404).end()));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  // Another site (localhost is not 127.0.0.1) with a form aimed at the dashboard.
  attacker = createServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'text/html' }).end(`<form id="f" method="post" action="${origin}/dashboard/sign-out"><input name="_csrf" value="guess"><button>go</button></form>`);
  });
  await new Promise<void>((resolve) => attacker.listen(0, '127.0.0.1', resolve));
  attackerOrigin = `http://localhost:${(attacker.address() as AddressInfo).port}`;

  browser = await launchBrowser();
  context = browser.context;
});

afterAll(async () => {
  await browser?.close();
  await Promise.all([server, attacker].map((s) => s && new Promise((resolve) => s.close(resolve))));
  await fake?.close();
  await store?.close();
});

/** Signs in as `user` through the whole OAuth flow, starting from `path`. */
async function signIn(page: Page, user: { login: string; id: number }, path = `/dashboard/${ORG}`): Promise<void> {
  await context.clearCookies();
  fake.signInAs = user;
  await page.goto(`${origin}${path}`);
  await page.click('#sign-in');
  await page.waitForLoadState('load');
}

async function shoot(page: Page, name: string): Promise<void> {
  for (const [width, label] of [[1280, 'desktop'], [390, 'phone']] as const) {
    await page.setViewportSize({ width, height: label === 'phone' ? 844 : 900 });
    await page.screenshot({ path: join(SHOTS, `${name}-${label}.png`), fullPage: label === 'phone' ? false : true });
  }
  await page.setViewportSize({ width: 1280, height: 900 });
}

describe('signing in with GitHub', () => {
  it('takes a TA through GitHub and back to the overview, with the right cells', async () => {
    const page = await context.newPage();
    const errors: string[] = [];
    page.on('console', (m) => m.type() === 'error' && errors.push(m.text()));
    await context.clearCookies();
    await page.goto(`${origin}/dashboard/${ORG}`);
    expect(page.url()).toContain('/dashboard/sign-in?next=');
    await shoot(page, 'sign-in');
    fake.signInAs = TA;
    await page.click('#sign-in');
    await page.waitForLoadState('load');
    expect(page.url()).toBe(`${origin}/dashboard/${ORG}`);

    const authorize = fake.requests.find((r) => r.startsWith('GET /login/oauth/authorize'))!;
    const asked = new URL(authorize.slice(4), fake.origin).searchParams;
    expect(asked.get('client_id')).toBe(fake.clientId);
    expect(asked.get('redirect_uri')).toBe(`${origin}/dashboard/callback`);
    expect(asked.get('state')).toMatch(/^[A-Za-z0-9_-]{20,}$/);
    expect(fake.count('POST /login/oauth/access_token')).toBe(1);
    expect(fake.count(`GET /api/v3/orgs/${ORG}/teams/ayudantes/memberships/${TA.login}`)).toBeGreaterThanOrEqual(1);

    const cookie = (await context.cookies()).find((c) => c.name === 'rubrica_session')!;
    expect(cookie).toMatchObject({ httpOnly: true, sameSite: 'Lax', path: '/dashboard' });
    expect(cookie.value).not.toContain('ghu_');

    const row = (login: string) => page.locator('#heatmap tbody tr', { has: page.locator(`th:has-text("${login}")`) });
    const cells = async (login: string) => row(login).locator('td').allTextContents();
    expect(await cells(STUDENT.login)).toEqual(['80', '60◷, atrasada', '90✎, corregida por un ayudante', '·Sin entrega', '230']);
    expect(await cells('beto')).toEqual(['60?, criterio manual pendiente', '60⚠, falló de nuestro lado', '·Sin entrega', '·Sin entrega', '120']);
    expect(await row(STUDENT.login).locator('td').nth(0).getAttribute('class')).toBe('b4');
    expect(await row(STUDENT.login).locator('td').nth(1).getAttribute('class')).toBe('b3');
    expect(await row('beto').locator('td').nth(1).getAttribute('class')).toBe('b3 ours');
    await expect(row(STUDENT.login).locator('th').textContent()).resolves.toContain('Ada Lovelace');
    expect(await page.locator('#heatmap tbody tr').count()).toBe(26);
    // Another course's students never appear.
    expect(await page.content()).not.toContain('secreto-de-otra');
    await shoot(page, 'overview');

    // Filter by section (the form works without script), then sort by week 1, highest first.
    await page.selectOption('#section', 'A');
    await page.click('.filters button');
    await page.waitForLoadState('load');
    expect(await page.locator('#heatmap tbody tr').count()).toBe(1);
    await page.fill('#q', '');
    await page.selectOption('#section', '');
    await page.click('.filters button');
    await page.waitForLoadState('load');
    await page.click('#heatmap thead th:nth-child(2) a');
    await page.click('#heatmap thead th:nth-child(2) a');
    await page.waitForLoadState('load');
    expect(await page.locator('#heatmap thead th:nth-child(2)').getAttribute('aria-sort')).toBe('descending');
    const week1 = (await page.locator('#heatmap tbody tr td:nth-child(2)').allTextContents()).map((t) => Number.parseFloat(t)).filter((n) => !Number.isNaN(n));
    expect(week1).toEqual([...week1].sort((a, b) => b - a));
    expect(errors).toEqual([]);
    await page.close();
  });

  it("shows a student's every grading, with the override, lateness and links, and student text inert", async () => {
    const page = await context.newPage();
    let alerted = false;
    page.on('dialog', (d) => ((alerted = true), void d.dismiss()));
    await signIn(page, TA, `/dashboard/${ORG}/repos/11`);
    expect(page.url()).toBe(`${origin}/dashboard/${ORG}/repos/11`);
    const text = await page.textContent('main');
    expect(text).toContain('ayudante-ana puso 50 (automático: 0)');
    expect(text).toContain('dvc.yaml estaba en otra carpeta');
    expect(text).toContain('Puntaje 90 de 100; cuenta 90 (✎ automático: 40)');
    expect(text).toContain('atrasada 2 día(s): −20 puntos');
    expect(text).toContain('los tests fallan: <script>alert(1)</script>');
    expect(await page.locator('main script, main img').count()).toBe(0);
    expect(await page.locator('a', { hasText: 'Pull request #3' }).getAttribute('href')).toBe(`${fake.origin}/${ORG}/entrega-alumna-ada/pull/3`);
    expect(await page.locator('a', { hasText: 'Check run' }).first().getAttribute('href')).toBe('https://github.example.edu/clase-mlops/entrega-alumna-ada/runs/77');
    await page.locator('details summary').first().click();
    expect(await page.locator('details pre').first().textContent()).toContain('<img src=x onerror=alert(2)>');
    expect(alerted).toBe(false);
    await shoot(page, 'student');

    await page.goto(`${origin}/dashboard/${ORG}/weeks/1`);
    expect(await page.locator('svg[role="img"] rect.o-passed').count()).toBeGreaterThan(0);
    const rates = await page.locator('table.rates tbody tr').allTextContents();
    expect(rates.length).toBeGreaterThanOrEqual(3);
    expect(await page.textContent('table.failures')).toContain('los tests fallan');
    await shoot(page, 'week');

    const csv = await page.evaluate(async (url) => (await fetch(url)).text(), `${origin}/dashboard/${ORG}/export/grades.csv`);
    expect(csv.split('\r\n')[0]).toContain('week_1');
    expect(csv).toContain(STUDENT.login);
    await page.close();
  });

  it('is usable with a keyboard: Tab per student, arrows between cells, Enter opens the week', async () => {
    const page = await context.newPage();
    await signIn(page, TA);
    await page.locator('#heatmap tbody th a', { hasText: STUDENT.login }).focus();
    await page.keyboard.press('ArrowRight');
    expect(await page.evaluate(() => document.activeElement?.getAttribute('href'))).toBe(`/dashboard/${ORG}/repos/11#week-1`);
    await page.keyboard.press('ArrowDown');
    await page.keyboard.press('ArrowRight');
    expect(await page.evaluate(() => document.activeElement?.getAttribute('href'))).toBe(`/dashboard/${ORG}/repos/12#week-2`);
    await page.keyboard.press('Enter');
    await page.waitForURL(`${origin}/dashboard/${ORG}/repos/12#week-2`);
    expect(await page.textContent('h1')).toContain('beto');
    // Tab goes from a student's name to the next student's, not through 4 cells.
    await page.goBack();
    await page.locator('#heatmap tbody th a', { hasText: STUDENT.login }).focus();
    await page.keyboard.press('Tab');
    expect(await page.evaluate(() => document.activeElement?.textContent)).toBe('beto');
    await page.close();
  });

  it('lets an organization owner in too', async () => {
    const page = await context.newPage();
    await signIn(page, OWNER);
    expect(await page.locator('#heatmap').count()).toBe(1);
    await page.close();
  });
});

describe('who is refused', () => {
  it('gives a student a 403 page with no data', async () => {
    const page = await context.newPage();
    await signIn(page, STUDENT);
    const response = await page.reload();
    expect(response!.status()).toBe(403);
    const html = await page.content();
    expect(await page.textContent('h1')).toBe('Sin acceso');
    expect(html).toContain(STUDENT.login);
    for (const leak of ['beto', 'Ada Lovelace', 'heatmap', '80']) expect(html).not.toContain(leak);
    expect((await page.goto(`${origin}/dashboard/${ORG}/repos/11`))!.status()).toBe(403);
    expect((await page.goto(`${origin}/dashboard/${ORG}/export/grades.csv`))!.status()).toBe(403);
    // Outside a course the page speaks the browser's language (this one asks for English).
    await page.goto(`${origin}/dashboard`);
    expect(await page.textContent('main')).toContain('You are not on the teaching team of any recorded course.');
    await page.goto(`${origin}/dashboard/${ORG}`);
    await shoot(page, 'refused');
    await page.close();
  });

  it("refuses a TA of another course, and shows them only their own", async () => {
    const page = await context.newPage();
    await signIn(page, OTHER_TA);
    expect(await page.textContent('h1')).toBe('Sin acceso');
    await page.goto(`${origin}/dashboard`);
    expect(await page.locator('.courses a').allTextContents()).toEqual([OTHER]);
    await page.close();
  });

  it('asks GitHub again after a few minutes: a TA taken off the team loses access', async () => {
    const page = await context.newPage();
    fake.addTa(ORG, 'ayudantes', 'ayudante-temporal');
    await signIn(page, { login: 'ayudante-temporal', id: 600 });
    expect(await page.locator('#heatmap').count()).toBe(1);
    fake.removeTa(ORG, 'ayudantes', 'ayudante-temporal');
    // Within the answer's lifetime the page still opens; after it, GitHub is asked again.
    await new Promise((resolve) => setTimeout(resolve, 1_700));
    expect((await page.reload())!.status()).toBe(403);
    await page.close();
  });
});

describe('CSRF', () => {
  it('refuses a forged POST from another site and one without the token, and keeps the session', async () => {
    const page = await context.newPage();
    await signIn(page, TA);
    const forged = await context.newPage();
    await forged.goto(attackerOrigin);
    const [answer] = await Promise.all([forged.waitForNavigation(), forged.click('#f button')]);
    expect(answer!.status()).toBe(403);
    expect(await forged.textContent('h1')).toBe('Request refused');
    await forged.close();
    // Same origin, signed in, but no token: refused too.
    const status = await page.evaluate(async (url) => (await fetch(url, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: '_csrf=wrong' })).status, `${origin}/dashboard/sign-out`);
    expect(status).toBe(403);
    expect((await page.reload())!.status()).toBe(200);
    expect(await page.locator('#heatmap').count()).toBe(1);

    // The real form (with the session's token) signs out.
    await page.click('.signout button');
    await page.waitForLoadState('load');
    expect(await page.textContent('h1')).toBe('You are signed out.');
    await page.goto(`${origin}/dashboard/${ORG}`);
    expect(page.url()).toContain('/dashboard/sign-in');
    await page.close();
  });
});
