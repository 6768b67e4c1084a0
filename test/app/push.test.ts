import nock from 'nock';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { record, ORG, REPO, SHA, courseScope, githubNock, payload, serveCommit, testApp, WEEK1_REPO, WEEK1_COMMITS, COURSE_YAML, resetGithub, unexpected } from '../helpers/github.ts';

const CHECK_NAME = 'Rubrica · Semana 1 — Fundamentos de Git y estructuración';
const ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$/;

beforeEach(() => {
  nock.cleanAll();
});

afterEach(() => {
  // Cleaned before asserting: a failure here must not leak interceptors into the next test.
  expect(resetGithub()).toEqual([]);
});

describe('a push to a student repository', () => {
  it('is graded: the check run is created completed in one write, with the score, table and conclusion', async () => {
    const { probot, rubrica } = await testApp();
    const created: any[] = [];
    const scope = courseScope(githubNock());
    await serveCommit(scope);
    scope.post(`/repos/${ORG}/${REPO}/check-runs`).reply(201, { id: 555, html_url: `https://github.com/${ORG}/${REPO}/runs/555` });
    record(scope, 'POST', `/repos/${ORG}/${REPO}/check-runs`, created);
    // No PATCH is mocked: any update of the check run would be an unexpected request.

    await probot.receive({ id: 'delivery-push-1', name: 'push', payload: payload('push') });
    await rubrica.queue.idle();

    expect(scope.pendingMocks()).toEqual([]);
    expect(created).toEqual([
      {
        name: CHECK_NAME,
        head_sha: SHA,
        external_id: 'rubrica:week=1;delivered=2026-09-08T15:00:00.000Z',
        status: 'completed',
        conclusion: 'success',
        started_at: expect.stringMatching(ISO),
        completed_at: expect.stringMatching(ISO),
        output: { title: '100/100', summary: expect.any(String), text: expect.any(String), annotations: [] },
      },
    ]);
    const done = created[0];
    expect(Date.parse(done.completed_at)).toBeGreaterThanOrEqual(Date.parse(done.started_at));
    // On time (week 1, before its deadline): the score line, then the course grade so far (the MLOps
    // pack has a final grade; only week 1 is in it yet, and it is full marks), then the table; no lateness line.
    expect(done.output.summary.startsWith('**100 / 100 — aprobado** (aprobación: 60)\n\n🎓 Nota del curso hasta ahora: 100 de 100 (se aprueba con 60).\n\n|')).toBe(true);
    expect(done.output.summary).not.toContain('⏰');
    expect(done.output.summary).toContain('| ✅ | Estructura de carpetas correcta | 25 / 25 |');
    expect(done.output.summary).toContain('| ✅ | Commits con formato convencional | 25 / 25 |');
    expect(done.output.summary).not.toContain('### Qué hacer primero');
  });

  it('a grading costs one write', async () => {
    const { probot, rubrica } = await testApp();
    const scope = courseScope(githubNock());
    await serveCommit(scope);
    scope.post(`/repos/${ORG}/${REPO}/check-runs`).reply(201, { id: 561 });
    // Every request nock sees — answered or not — except the app's own installation token.
    const writes: string[] = [];
    const count = (method: string | undefined, path: string) => {
      if ((method ?? 'GET').toUpperCase() !== 'GET' && !/\/app\/installations\/\d+\/access_tokens/.test(path)) writes.push(`${method} ${path}`);
    };
    scope.on('request', (req: { method?: string; url?: string; path?: string }) => count(req.method, new URL(req.url ?? `https://api.github.com${req.path}`).pathname));
    // Requests no interceptor answered count too (the Docker engine's socket, also seen here, does not).
    // (nock hands over a fetch Request, with `url`; older shapes carry href/path/options.)
    const unmatched = (req: { method?: string; url?: string; path?: string; href?: string; options?: { method?: string; path?: string; host?: string } }) => {
      const where = `${req.url ?? ''} ${req.href ?? ''} ${req.path ?? req.options?.path ?? ''} ${req.options?.host ?? ''}`;
      if (where.includes('api.github.com')) count(req.method ?? req.options?.method, req.url ? new URL(req.url).pathname : where.trim());
    };
    nock.emitter.on('no match', unmatched);
    try {
      await probot.receive({ id: 'one-write', name: 'push', payload: payload('push') });
      await rubrica.queue.idle();
    } finally {
      nock.emitter.removeListener('no match', unmatched);
    }
    expect(scope.pendingMocks()).toEqual([]);
    expect(writes).toEqual([`POST /repos/${ORG}/${REPO}/check-runs`]);
    expect(writes).toHaveLength(1);
  });

  it('scores partial work with what to fix first and concludes failure below the pass mark', async () => {
    const { probot, rubrica } = await testApp();
    const created: any[] = [];
    const scope = courseScope(githubNock());
    const files = { 'README.md': '# Hola\n', 'src/a.py': 'print(1)\n' };
    await serveCommit(scope, files, ['primer commit', 'fix: algo']);
    scope.post(`/repos/${ORG}/${REPO}/check-runs`).reply(201, { id: 556 });
    record(scope, 'POST', `/repos/${ORG}/${REPO}/check-runs`, created);

    await probot.receive({ id: 'delivery-push-2', name: 'push', payload: payload('push') });
    await rubrica.queue.idle();

    expect(scope.pendingMocks()).toEqual([]);
    expect(created).toHaveLength(1);
    const [done] = created;
    expect(done).toMatchObject({ name: CHECK_NAME, head_sha: SHA, status: 'completed', conclusion: 'failure' });
    // A Spanish course writes decimals with a comma: "8,3/100".
    const [shown, max] = done.output.title.split('/');
    expect(max).toBe('100');
    expect(Number(shown!.replace(',', '.'))).toBeLessThan(60);
    expect(done.output.summary.startsWith(`**${shown} / 100 — no aprobado** (aprobación: 60)`)).toBe(true);
    expect(done.output.summary).toContain('### Qué hacer primero');
    expect(done.output.summary).toContain('mkdir -p');
  });

  it('a redelivery of the same delivery is graded once', async () => {
    const { probot, rubrica } = await testApp();
    const scope = courseScope(githubNock());
    await serveCommit(scope);
    const creates: any[] = [];
    record(scope, 'POST', `/repos/${ORG}/${REPO}/check-runs`, creates);
    scope.post(`/repos/${ORG}/${REPO}/check-runs`).reply(201, { id: 557 });
    await probot.receive({ id: 'same-delivery', name: 'push', payload: payload('push') });
    await probot.receive({ id: 'same-delivery', name: 'push', payload: payload('push') });
    await rubrica.queue.idle();
    expect(scope.pendingMocks()).toEqual([]);
    expect(creates).toHaveLength(1);
    expect(creates[0]).toMatchObject({ head_sha: SHA, status: 'completed', conclusion: 'success', output: { title: '100/100' } });
  });

  it.each([
    ['a branch deletion', (p: any) => Object.assign(p, { deleted: true, after: '0'.repeat(40) })],
    ['a tag', (p: any) => Object.assign(p, { ref: 'refs/tags/v1' })],
    ['a branch other than the default', (p: any) => Object.assign(p, { ref: 'refs/heads/experimento' })],
    ['an archived repository', (p: any) => Object.assign(p.repository, { archived: true }) && p],
    ['a template repository', (p: any) => Object.assign(p.repository, { is_template: true }) && p],
    ['the organization’s .github repository', (p: any) => Object.assign(p.repository, { name: '.github', full_name: `${ORG}/.github` }) && p],
    ['a push by the app itself', (p: any) => Object.assign(p, { sender: { login: 'rubrica[bot]', type: 'Bot' } })],
  ])('%s is not graded (no call to GitHub)', async (_label, change) => {
    const { probot, rubrica } = await testApp();
    githubNock(); // any request would fail the test: none is allowed
    await probot.receive({ id: `skip-${_label}`, name: 'push', payload: change(payload('push')) });
    await rubrica.queue.idle();
    // Nothing was queued, and (no interceptor being registered) nothing was asked of GitHub.
    expect(await rubrica.store.queue.jobs()).toEqual([]);
    expect(unexpected).toEqual([]);
  });

  it('a repository that is not a student’s (no prefix) reads the course file and writes nothing', async () => {
    const { probot, rubrica } = await testApp();
    const scope = courseScope(githubNock());
    const p = payload('push');
    p.repository.name = 'apuntes-del-curso';
    p.repository.full_name = `${ORG}/apuntes-del-curso`;
    await probot.receive({ id: 'not-student', name: 'push', payload: p });
    await rubrica.queue.idle();
    expect(scope.pendingMocks()).toEqual([]);
  });

  it('a repository recognised by topic is graded, its students read from its direct collaborators', async () => {
    const { probot, rubrica } = await testApp();
    const scope = courseScope(githubNock(), COURSE_YAML.replace('  prefix: mlops-', '  topic: mlops-2026'));
    const p = payload('push');
    p.repository.name = REPO;
    p.repository.topics = ['mlops-2026'];
    await serveCommit(scope, WEEK1_REPO, WEEK1_COMMITS);
    const created: any[] = [];
    scope
      .get(`/repos/${ORG}/${REPO}/collaborators`)
      .query({ affiliation: 'direct', per_page: '100' })
      .reply(200, [
        { login: 'ana', type: 'User', permissions: { admin: false } },
        { login: 'profe', type: 'User', permissions: { admin: true } },
        { login: 'ci-helper[bot]', type: 'Bot', permissions: { admin: false } },
      ])
      .post(`/repos/${ORG}/${REPO}/check-runs`)
      .reply(201, { id: 558 });
    record(scope, 'POST', `/repos/${ORG}/${REPO}/check-runs`, created);
    await probot.receive({ id: 'by-topic', name: 'push', payload: p });
    await rubrica.queue.idle();
    expect(scope.pendingMocks()).toEqual([]);
    expect(created).toHaveLength(1);
    expect(created[0]).toMatchObject({ name: CHECK_NAME, head_sha: SHA, status: 'completed', conclusion: 'success', output: { title: '100/100' } });
    // Admins (instructors) and bots are not students.
    const gradings = await rubrica.store.record.gradings({ org: ORG });
    expect(gradings.map((g) => g.students)).toEqual([['ana']]);
  });
});

describe('course choices', () => {
  it('a course that asks for commit comments gets one on a push without a pull request', async () => {
    const { probot, rubrica } = await testApp();
    const scope = courseScope(githubNock(), COURSE_YAML + 'comments: { commits: true }\n');
    await serveCommit(scope);
    const created: any[] = [];
    const comments: any[] = [];
    scope
      .post(`/repos/${ORG}/${REPO}/check-runs`)
      .reply(201, { id: 559, html_url: `https://github.com/${ORG}/${REPO}/runs/559` })
      .post(`/repos/${ORG}/${REPO}/commits/${SHA}/comments`)
      .reply(201, { id: 1 });
    record(scope, 'POST', `/repos/${ORG}/${REPO}/check-runs`, created);
    record(scope, 'POST', `/repos/${ORG}/${REPO}/commits/${SHA}/comments`, comments);
    await probot.receive({ id: 'commit-comment', name: 'push', payload: payload('push') });
    await rubrica.queue.idle();
    expect(scope.pendingMocks()).toEqual([]);
    expect(created).toHaveLength(1);
    expect(created[0]).toMatchObject({ status: 'completed', conclusion: 'success', output: { title: '100/100' } });
    expect(comments).toHaveLength(1);
    expect(comments[0].body).toContain('**100 / 100 — aprobado** (aprobación: 60)');
    expect(comments[0].body).toContain(`(https://github.com/${ORG}/${REPO}/runs/559)`);
  });

  it('an English course with belowPassMark: neutral reports in English and concludes neutral', async () => {
    const { probot, rubrica } = await testApp();
    const scope = courseScope(githubNock(), COURSE_YAML.replace('locale: es', 'locale: en') + 'belowPassMark: neutral\n');
    await serveCommit(scope, { 'README.md': '# Hi\n' }, ['wip']);
    const created: any[] = [];
    scope.post(`/repos/${ORG}/${REPO}/check-runs`).reply(201, { id: 560 });
    record(scope, 'POST', `/repos/${ORG}/${REPO}/check-runs`, created);
    await probot.receive({ id: 'english', name: 'push', payload: payload('push') });
    await rubrica.queue.idle();
    expect(scope.pendingMocks()).toEqual([]);
    expect(created).toHaveLength(1);
    expect(created[0]).toMatchObject({ name: 'Rubrica · Week 1 — Git fundamentals and project structure', status: 'completed', conclusion: 'neutral' });
    expect(created[0].output.summary).toContain('pass mark: 60');
    expect(created[0].output.summary).toContain('### What to do first');
  });
});
