import nock from 'nock';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { record, ORG, REPO, SHA, courseScope, githubNock, payload, serveCommit, testApp, WEEK1_REPO, WEEK1_COMMITS, COURSE_YAML, unexpected } from '../helpers/github.ts';

const CHECK_NAME = 'Rubrica · Semana 1 — Fundamentos de Git y estructuración';

beforeEach(() => {
  nock.cleanAll();
});

afterEach(() => {
  expect(unexpected).toEqual([]);
  nock.cleanAll();
});

describe('a push to a student repository', () => {
  it('is graded: a check run is created in progress, then completed with the score, table and conclusion', async () => {
    const { probot, rubrica } = await testApp();
    const created: any[] = [];
    const updated: any[] = [];
    const scope = courseScope(githubNock());
    await serveCommit(scope);
    scope
      .post(`/repos/${ORG}/${REPO}/check-runs`)
      .reply(201, { id: 555, html_url: `https://github.com/${ORG}/${REPO}/runs/555` })
      .patch(`/repos/${ORG}/${REPO}/check-runs/555`)
      .reply(200, { id: 555 });
    record(scope, 'PATCH', `/repos/${ORG}/${REPO}/check-runs/555`, updated);
    record(scope, 'POST', `/repos/${ORG}/${REPO}/check-runs`, created);

    await probot.receive({ id: 'delivery-push-1', name: 'push', payload: payload('push') });
    await rubrica.queue.idle();

    expect(scope.pendingMocks()).toEqual([]);
    expect(created).toEqual([
      {
        name: CHECK_NAME,
        head_sha: SHA,
        external_id: 'rubrica:week=1;delivered=2026-09-08T15:00:00.000Z',
        status: 'in_progress',
        started_at: expect.any(String),
      },
    ]);
    expect(updated).toHaveLength(1);
    const done = updated[0];
    expect(done).toMatchObject({ name: CHECK_NAME, status: 'completed', conclusion: 'success', output: { title: '100/100' } });
    expect(done.output.summary).toContain('| ✅ | Estructura de carpetas correcta | 25 / 25 |');
    expect(done.output.summary).toContain('| ✅ | Commits con formato convencional | 25 / 25 |');
    expect(done.output.annotations).toEqual([]);
  });

  it('scores partial work with what to fix first and concludes failure below the pass mark', async () => {
    const { probot, rubrica } = await testApp();
    const updated: any[] = [];
    const scope = courseScope(githubNock());
    const files = { 'README.md': '# Hola\n', 'src/a.py': 'print(1)\n' };
    await serveCommit(scope, files, ['primer commit', 'fix: algo']);
    scope
      .post(`/repos/${ORG}/${REPO}/check-runs`)
      .reply(201, { id: 556 })
      .patch(`/repos/${ORG}/${REPO}/check-runs/556`)
      .reply(200, { id: 556 });
    record(scope, 'PATCH', `/repos/${ORG}/${REPO}/check-runs/556`, updated);

    await probot.receive({ id: 'delivery-push-2', name: 'push', payload: payload('push') });
    await rubrica.queue.idle();

    expect(scope.pendingMocks()).toEqual([]);
    const [done] = updated;
    expect(done.conclusion).toBe('failure');
    const [score, max] = done.output.title.split('/').map(Number);
    expect(max).toBe(100);
    expect(score).toBeLessThan(60);
    expect(done.output.summary).toContain('### Qué hacer primero');
    expect(done.output.summary).toContain('mkdir -p');
  });

  it('a redelivery of the same delivery is graded once', async () => {
    const { probot, rubrica } = await testApp();
    const scope = courseScope(githubNock());
    await serveCommit(scope);
    const creates: unknown[] = [];
    record(scope, 'POST', `/repos/${ORG}/${REPO}/check-runs`, creates);
    scope
      .post(`/repos/${ORG}/${REPO}/check-runs`)
      .reply(201, { id: 557 })
      .patch(`/repos/${ORG}/${REPO}/check-runs/557`)
      .reply(200, {});
    await probot.receive({ id: 'same-delivery', name: 'push', payload: payload('push') });
    await probot.receive({ id: 'same-delivery', name: 'push', payload: payload('push') });
    await rubrica.queue.idle();
    expect(scope.pendingMocks()).toEqual([]);
    expect(creates).toHaveLength(1);
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
    expect(nock.pendingMocks()).toEqual([]);
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

  it('a repository recognised by topic is graded', async () => {
    const { probot, rubrica } = await testApp();
    const scope = courseScope(githubNock(), COURSE_YAML.replace('  prefix: mlops-', '  topic: mlops-2026'));
    const p = payload('push');
    p.repository.name = REPO;
    p.repository.topics = ['mlops-2026'];
    await serveCommit(scope, WEEK1_REPO, WEEK1_COMMITS);
    const updated: any[] = [];
    scope.post(`/repos/${ORG}/${REPO}/check-runs`).reply(201, { id: 558 }).patch(`/repos/${ORG}/${REPO}/check-runs/558`).reply(200, {});
    record(scope, 'PATCH', `/repos/${ORG}/${REPO}/check-runs/558`, updated);
    await probot.receive({ id: 'by-topic', name: 'push', payload: p });
    await rubrica.queue.idle();
    expect(scope.pendingMocks()).toEqual([]);
    expect(updated[0].output.title).toBe('100/100');
  });
});

describe('course choices', () => {
  it('a course that asks for commit comments gets one on a push without a pull request', async () => {
    const { probot, rubrica } = await testApp();
    const scope = courseScope(githubNock(), COURSE_YAML + 'comments: { commits: true }\n');
    await serveCommit(scope);
    const comments: any[] = [];
    scope
      .post(`/repos/${ORG}/${REPO}/check-runs`)
      .reply(201, { id: 559, html_url: `https://github.com/${ORG}/${REPO}/runs/559` })
      .patch(`/repos/${ORG}/${REPO}/check-runs/559`)
      .reply(200, {})
      .post(`/repos/${ORG}/${REPO}/commits/${SHA}/comments`)
      .reply(201, { id: 1 });
    record(scope, 'POST', `/repos/${ORG}/${REPO}/commits/${SHA}/comments`, comments);
    await probot.receive({ id: 'commit-comment', name: 'push', payload: payload('push') });
    await rubrica.queue.idle();
    expect(scope.pendingMocks()).toEqual([]);
    expect(comments).toHaveLength(1);
    expect(comments[0].body).toContain('**100 / 100** · aprobado');
  });

  it('an English course with belowPassMark: neutral reports in English and concludes neutral', async () => {
    const { probot, rubrica } = await testApp();
    const scope = courseScope(githubNock(), COURSE_YAML.replace('locale: es', 'locale: en') + 'belowPassMark: neutral\n');
    await serveCommit(scope, { 'README.md': '# Hi\n' }, ['wip']);
    const updated: any[] = [];
    scope.post(`/repos/${ORG}/${REPO}/check-runs`).reply(201, { id: 560 }).patch(`/repos/${ORG}/${REPO}/check-runs/560`).reply(200, {});
    record(scope, 'PATCH', `/repos/${ORG}/${REPO}/check-runs/560`, updated);
    await probot.receive({ id: 'english', name: 'push', payload: payload('push') });
    await rubrica.queue.idle();
    expect(scope.pendingMocks()).toEqual([]);
    expect(updated[0]).toMatchObject({ name: 'Rubrica · Week 1 — Git fundamentals and project structure', conclusion: 'neutral' });
    expect(updated[0].output.summary).toContain('### What to do first');
  });
});
