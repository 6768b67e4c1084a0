import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { BrowserContext, Page } from 'playwright-core';
import { Probot } from 'probot';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseCourseFile } from '../../src/course/load.ts';
import type { GradingRequest } from '../../src/events/requests.ts';
import { loadPack } from '../../src/rubrics/load.ts';
import type { Store, StoredGrading } from '../../src/store/store.ts';
import { membershipViaApp } from '../../src/web/github.ts';
import { dashboardHandler } from '../../src/web/handler.ts';
import { launchBrowser, screenshots } from '../helpers/browser.ts';
import { classGrading, recordAll, type CriterionSpec } from '../helpers/dashboard.ts';
import { FakeGitHubWeb } from '../helpers/fake-github-web.ts';
import { COURSE_YAML, PRIVATE_KEY } from '../helpers/github.ts';
import { tempStore } from '../helpers/store.ts';

/**
 * The TA queue, operations, a student's week to change and the regrade before/after, in
 * a real browser (Debian's chromium through playwright-core) against the real dashboard
 * handler and store; GitHub's sign-in and TA lookups are the same stand-in the other
 * dashboard tests use. Screenshots go to test-results/screenshots/ (helpers/browser.ts) beside theirs.
 */
const ORG = 'clase-mlops';
const TEAM = 'mlops-tas';
const TA = { login: 'ayudante-ana', id: 501 };
const PACK = await loadPack('mlops');
const WEEK5 = PACK.weeks.get(5)!;
const MANUAL = WEEK5.criteria.find((c) => c.manual)!;
const AUTOMATIC = WEEK5.criteria.filter((c) => !c.manual);
const setup = await parseCourseFile(COURSE_YAML);
if (setup.status !== 'ready') throw new Error('the test course must be valid');

let store: Store;
let fake: FakeGitHubWeb;
let context: BrowserContext;
let browser: Awaited<ReturnType<typeof launchBrowser>>;
let server: Server;
let origin: string;

/** A week-5 grading of the MLOps pack: the automatic criteria at `share` of their points, the manual one pending. */
function week5(repoId: number, login: string, share: number, extra: { pullRequest?: number; jobId?: string } = {}): StoredGrading {
  const criteria: CriterionSpec[] = WEEK5.criteria.map((c) =>
    c.manual ? { id: c.id, max: c.points, score: null, status: 'pending' } : { id: c.id, max: c.points, score: c.points * share, status: share === 1 ? 'passed' : share === 0 ? 'failed' : 'partial', ...(share < 1 ? { message: 'falta algo' } : {}) },
  );
  return classGrading({ org: ORG, repoId, login, week: 5, criteria, deliveredAt: '2026-10-09T15:00:00.000Z', ...extra });
}

const failedRequest = (i: number): GradingRequest => ({ deliveryId: `fail-${i}`, installationId: 1, owner: ORG, repo: `entrega-caida-${i}`, repoId: 300 + i, topics: [], sha: String(i).padStart(40, 'f'), deliveredAt: '2026-10-09T15:00:00.000Z', trigger: 'push', unit: 'week-5' });

beforeAll(async () => {
  fake = await new FakeGitHubWeb().start();
  fake.addTa(ORG, TEAM, TA.login);
  store = await tempStore();
  const config = setup.courses[0]!.config;
  await store.record.saveCourse(ORG, { id: config.id, weeks: config.weeks, units: Array.from({ length: config.weeks }, (_, i) => `week-${i + 1}`), counts: config.counts, config });
  await recordAll(store, [
    week5(11, 'alumna-ada', 1, { pullRequest: 3 }),
    week5(12, 'beto', 0.5),
    week5(13, 'carla', 0),
  ]);
  // Ada asks for a review of an automatic criterion; her words are kept, and shown, as text.
  await store.reviews.record({ org: ORG, installationId: 1, repoId: 11, repo: 'entrega-alumna-ada', pullRequest: 3, week: 5, criterion: AUTOMATIC[0]!.id, reason: 'Mi captura está en docs/ <img src=x onerror=alert(1)>', student: 'alumna-ada', commentId: 9001, at: '2026-10-10T12:00:00.000Z' });
  // Someone edited a TA's command comment on Beto's pull request.
  await store.tas.recordCommand({ commentId: 9100, org: ORG, repoId: 12, pullRequest: 4, author: TA.login, body: '/rubrica override x 1 y', outcome: 'accepted', at: '2026-10-11T10:00:00.000Z' });
  await store.tas.recordTampering({ repoId: 12, pullRequest: 4, commentId: 9100, action: 'edited', by: 'beto', author: TA.login, at: '2026-10-11T11:00:00.000Z' });
  // Two gradings failed on our side.
  for (const i of [1, 2]) await store.queue.enqueue(failedRequest(i), { maxAttempts: 1 });
  for (let i = 0; i < 2; i++) {
    const job = (await store.queue.claim('test-worker', 60_000))!;
    await store.queue.finish(job.lease!, 'failed', 'infrastructure-error', 'Docker no respondió (connect ECONNREFUSED /var/run/docker.sock)');
  }
  // GitHub asked us to wait: the outbox holds a check run back.
  await store.db.transaction((tx) => store.outbox.add(tx, [{ kind: 'check-run', installationId: 1, owner: ORG, repo: 'entrega-beto', repoId: 12, sha: 'b'.repeat(40), unit: 'week-5', name: 'Semana 5', status: 'completed', conclusion: 'success', output: { title: '50/100', summary: 's', annotations: [] } }]));
  await store.budget.pause(1, Date.now() + 40 * 60_000);

  const app = new Probot({ appId: 1, privateKey: PRIVATE_KEY, baseUrl: `${fake.origin}/api/v3`, logLevel: 'fatal' });
  const handler = dashboardHandler({
    store,
    membership: membershipViaApp(app, store),
    oauth: { clientId: fake.clientId, clientSecret: fake.clientSecret, webUrl: fake.origin, apiUrl: `${fake.origin}/api/v3` },
    concurrency: 2,
  });
  server = createServer((req, res) => void handler(req, res).then((done) => done || res.writeHead(404).end()));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  browser = await launchBrowser();
  context = browser.context;
});

afterAll(async () => {
  await browser?.close();
  await new Promise((resolve) => (server ? server.close(resolve) : resolve(undefined)));
  await fake?.close();
  await store?.close();
});

async function signIn(page: Page, path: string): Promise<void> {
  fake.signInAs = TA;
  await page.goto(`${origin}${path}`);
  if (page.url().includes('/dashboard/sign-in')) {
    await page.click('#sign-in');
    await page.waitForLoadState('load');
  }
  expect(page.url()).toBe(`${origin}${path}`);
}

/** Submits a form by its button and waits for the page it leads to. */
async function submit(page: Page, button: ReturnType<Page['locator']>): Promise<number> {
  const [response] = await Promise.all([page.waitForNavigation(), button.click()]);
  return response!.status();
}

describe('the TA queue and its actions', () => {
  it('lists manual criteria, review requests and tampering; a manual score is applied, recorded with who and when, and then visible', async () => {
    const page = await context.newPage();
    let alerted = false;
    page.on('dialog', (d) => ((alerted = true), void d.dismiss()));
    const errors: string[] = [];
    page.on('console', (m) => m.type() === 'error' && errors.push(m.text()));
    await signIn(page, `/dashboard/${ORG}/queue`);
    const cards = page.locator('#manual-title + ul .card');
    expect(await cards.count()).toBe(3);
    expect(await page.locator('#reviews-title + ul .card').count()).toBe(1);
    expect(await page.textContent('#reviews-title + ul blockquote')).toBe('Mi captura está en docs/ <img src=x onerror=alert(1)>');
    expect(await page.locator('main img').count()).toBe(0);
    expect(await page.textContent('#tampering-title + ul')).toContain(`beto editó un comentario de ${TA.login}`);
    await screenshots(page, 'ta-queue');

    // Points over the criterion's maximum are refused, with the reason; nothing changes.
    const ada = page.locator('.card', { hasText: 'alumna-ada' }).first();
    await ada.locator('input[name="points"]').fill(String(MANUAL.points + 1));
    await ada.locator('input[name="reason"]').fill('demasiado');
    expect(await submit(page, ada.locator('button'))).toBe(400);
    expect(await page.textContent('.flash.error')).toContain(`vale de 0 a ${MANUAL.points}`);
    expect(await store.tas.overrides({ repoId: 11 })).toEqual([]);

    const before = Date.now();
    const again = page.locator('.card', { hasText: 'alumna-ada' }).first();
    await again.locator('input[name="points"]').fill('12,5');
    await again.locator('input[name="reason"]').fill('Comparación clara de los runs');
    expect(await submit(page, again.locator('button'))).toBe(200);
    expect(page.url()).toBe(`${origin}/dashboard/${ORG}/queue?done=manual`);
    expect(await page.textContent('.flash.done')).toBe('Puntuado y publicado de nuevo.');
    expect(await page.locator('#manual-title + ul .card').count()).toBe(2);
    expect(await page.locator('#manual-title + ul').textContent()).not.toContain('alumna-ada');
    const [override] = await store.tas.overrides({ repoId: 11, week: 5 });
    expect(override).toMatchObject({ criterion: MANUAL.id, points: 12.5, reason: 'Comparación clara de los runs', by: TA.login });
    expect(Date.parse(override!.at)).toBeGreaterThanOrEqual(before - 1000);
    // Published again through the outbox: the check run and the pull request's scored comment.
    expect((await store.outbox.list()).map((r) => [r.kind, 'repoId' in r.publication ? r.publication.repoId : null])).toEqual([['check-run', 12], ['check-run', 11], ['pr-comment', 11]]);

    // The student's page shows it, and leads to changing the week's grade.
    await page.goto(`${origin}/dashboard/${ORG}/repos/11`);
    expect(await page.textContent('main')).toContain(`${TA.login} puso 12.5`);
    expect(await page.locator('#week-5 a', { hasText: 'Cambiar la nota' }).getAttribute('href')).toBe(`/dashboard/${ORG}/repos/11/weeks/5/change`);
    expect(alerted).toBe(false);
    // The one refused form's 400 is the only error the browser saw (no script or style was blocked).
    expect(errors).toEqual(['Failed to load resource: the server responded with a status of 400 (Bad Request)']);
    await page.close();
  });

  it('answers a review request: closed, the student told through the outbox, gone from the queue', async () => {
    const page = await context.newPage();
    await signIn(page, `/dashboard/${ORG}/queue`);
    const card = page.locator('#reviews-title + ul .card').first();
    await page.click('#reviews-title + ul .card a.button');
    expect(page.url()).toBe(`${origin}/dashboard/${ORG}/repos/11/weeks/5/change`);
    expect(await page.textContent(`#c-${AUTOMATIC[0]!.id}`)).toContain('Pedido de revisión abierto de alumna-ada');
    await screenshots(page, 'change-grade');
    await page.goBack();
    await card.locator('input[name="answer"]').fill('Revisado: la captura no muestra las métricas');
    expect(await submit(page, card.locator('button'))).toBe(200);
    expect(await page.textContent('.flash.done')).toContain('Respondido');
    expect(await page.locator('#reviews-title + ul .card').count()).toBe(0);
    const reply = (await store.outbox.list()).at(-1)!.publication;
    expect(reply).toMatchObject({ kind: 'reply', repoId: 11, pullRequest: 3 });
    expect((reply as { body: string }).body).toContain('`Revisado: la captura no muestra las métricas`');
    await page.close();
  });

  it('overrides, clears and extends on the change page', async () => {
    const page = await context.newPage();
    await signIn(page, `/dashboard/${ORG}/repos/12/weeks/5/change`);
    const row = page.locator(`#c-${AUTOMATIC[1]!.id}`);
    await row.locator('input[name="points"]').fill('1');
    await row.locator('input[name="reason"]').fill('copiado');
    expect(await submit(page, row.locator('form').first().locator('button'))).toBe(200);
    expect(await page.textContent('.flash.done')).toBe('Ajustado y publicado de nuevo.');
    expect(await page.locator(`#c-${AUTOMATIC[1]!.id} td.num`).textContent()).toContain(`1 / ${AUTOMATIC[1]!.points}`);
    expect(await page.locator(`#c-${AUTOMATIC[1]!.id} .badge`).textContent()).toBe(`ajustado por ${TA.login} (automático: ${AUTOMATIC[1]!.points / 2})`);
    expect(await submit(page, page.locator(`#c-${AUTOMATIC[1]!.id} button.secondary`))).toBe(200);
    expect(await page.locator(`#c-${AUTOMATIC[1]!.id} .badge`).count()).toBe(0);
    await page.fill('input[name="duration"]', '2d');
    await page.fill('section input[name="reason"]', 'enfermedad');
    expect(await submit(page, page.locator('section button'))).toBe(200);
    expect(await page.textContent('main')).toContain(`Prórroga actual: 2880 min, de ${TA.login}`);
    expect(await store.record.extensionFor(12, 'week-5')).toMatchObject({ minutes: 2880, grantedBy: TA.login, reason: 'enfermedad' });
    expect((await store.actions.list(ORG)).map((a) => a.action)).toEqual(expect.arrayContaining(['manual', 'answer-review', 'override', 'clear', 'extend']));
    await page.close();
  });
});

describe('operations', () => {
  it('shows failed jobs, the queue, held-back publications and rubric versions; a requeue is applied and then visible', async () => {
    const page = await context.newPage();
    await signIn(page, `/dashboard/${ORG}/operations`);
    expect(await page.locator('table.jobs tbody tr[id^="job-"]').count()).toBe(2);
    expect(await page.textContent('#failed-title + form + .table-wrap')).toContain('Docker no respondió');
    expect(await page.textContent('#held-title + .table-wrap')).toContain('GitHub pidió esperar');
    expect(await page.textContent('#rubrics-title + .table-wrap')).toContain('c0ffee123456');
    expect(await page.textContent('#waiting')).toBe('0');
    await screenshots(page, 'operations');

    // A POST without the session's token is refused, and requeues nothing.
    const forged = await page.evaluate(async (url) => (await fetch(url, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: '_csrf=guess' })).status, `${origin}/dashboard/${ORG}/jobs/requeue`);
    expect(forged).toBe(403);
    expect(await store.queue.jobs({ state: 'failed' })).toHaveLength(2);

    const first = page.locator('table.jobs tbody tr[id^="job-"]').first();
    const jobId = (await first.getAttribute('id'))!.slice('job-'.length);
    expect(await submit(page, first.locator('button'))).toBe(200);
    expect(await page.textContent('.flash.done')).toBe('1 trabajo(s) en cola otra vez.');
    expect(await page.locator('table.jobs tbody tr[id^="job-"]').count()).toBe(1);
    expect(await page.textContent('#waiting')).toBe('1');
    expect((await store.queue.job(jobId))!.state).toBe('queued');
    expect(await submit(page, page.locator('#requeue-all'))).toBe(200);
    expect(await page.textContent('#failed-title + p')).toBe('Ningún trabajo fallido.');
    expect(await page.textContent('#waiting')).toBe('2');
    const requeues = (await store.actions.list(ORG)).filter((a) => a.action === 'requeue');
    expect(requeues.map((a) => a.by)).toEqual([TA.login, TA.login]);
    await page.close();
  });

  it('regrades a week: the before/after waits for the jobs, then shows what changed, and Publish makes it count', async () => {
    const page = await context.newPage();
    await signIn(page, `/dashboard/${ORG}/operations`);
    // The requeued failures of the previous test are not this regrade's: leave them out of the way.
    for (const j of await store.queue.jobs({ state: 'queued' })) await store.db.run(`UPDATE jobs SET state = 'dropped' WHERE id = ?`, [j.id]);
    await page.selectOption('#regrade-week', '5');
    expect(await submit(page, page.locator('#regrade-title + p + form button'))).toBe(200);
    expect(page.url()).toMatch(new RegExp(`/dashboard/${ORG}/regrades/[0-9a-f-]{36}$`));
    expect(await page.textContent('main')).toContain('Faltan 3 estudiante(s) por corregir');
    expect(await page.locator('#publish').isDisabled()).toBe(true);

    // A worker grades each counted commit with the fixed rubric: Carla's automatic criteria now pass in half.
    for (let i = 0; i < 3; i++) {
      const job = (await store.queue.claim('test-worker', 60_000))!;
      const before = (await store.record.gradings({ repoId: job.repoId, week: 5 }))[0]!;
      const login = before.students[0]!;
      const share = login === 'carla' ? 0.5 : login === 'beto' ? 0.5 : 1;
      const after = { ...week5(before.repoId, login, share, { jobId: job.id }), packHash: 'f1xed0000000' };
      await store.queue.completeJob(job.lease!, { state: 'done', outcome: 'graded', grading: after, publications: [], held: true });
    }
    await page.reload();
    expect(await page.textContent('#regrade-changed')).toBe('Cambia la nota o algún criterio de 1 de 3 estudiante(s).');
    const carla = page.locator('table.regrade tr', { hasText: 'carla' });
    expect(await carla.getAttribute('class')).toBe('changed');
    expect(await carla.locator('td').nth(0).textContent()).toBe('0');
    expect(await carla.locator('td').nth(2).textContent()).toContain(`${AUTOMATIC[0]!.id} 0 → ${AUTOMATIC[0]!.points / 2}`);
    expect(await page.locator('#publish').isDisabled()).toBe(false);
    await screenshots(page, 'regrade');

    expect(await submit(page, page.locator('#publish'))).toBe(200);
    expect(await page.textContent('.flash.done')).toContain('Recorrección publicada');
    expect(await page.textContent('#regrade-state')).toContain(`publicada por ${TA.login}`);
    expect(await page.locator('#publish').count()).toBe(0);
    const counted = (await store.record.gradings({ repoId: 13, week: 5 })).map((g) => g.packHash);
    expect(counted).toEqual(['f1xed0000000']);
    await page.goto(`${origin}/dashboard/${ORG}/operations`);
    expect(await page.textContent('#rubrics-title + .table-wrap')).toContain('f1xed0000000');
    await page.close();
  });
});
