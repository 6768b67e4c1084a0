import { afterEach, describe, expect, it } from 'vitest';
import { record, COURSE_YAML, ORG, REPO, SHA, WEEK1_COMMITS, courseScope, githubNock, payload, serveCommit, testApp, resetGithub } from '../helpers/github.ts';

afterEach(() => {
  // Cleaned before asserting: a failure here must not leak interceptors into the next test.
  expect(resetGithub()).toEqual([]);
});

const NOT_CONFIGURED = 'Corrección no configurada / Grading is not configured';

describe('the course configuration', () => {
  it('missing: the instructors get one issue in the .github repository; each student push a neutral check run', async () => {
    const { probot, rubrica } = await testApp();
    const scope = courseScope(githubNock(), null);
    const issues: any[] = [];
    const checks: any[] = [];
    scope
      .get(`/repos/${ORG}/.github`)
      .reply(200, { name: '.github', default_branch: 'main' })
      .get(`/repos/${ORG}/.github/issues`)
      .query({ state: 'open', creator: 'rubrica[bot]', per_page: '100' })
      .reply(200, [])
      .post(`/repos/${ORG}/.github/issues`)
      .reply(201, { number: 1 })
      .post(`/repos/${ORG}/${REPO}/check-runs`)
      .reply(201, { id: 701 });
    record(scope, 'POST', `/repos/${ORG}/${REPO}/check-runs`, checks);
    record(scope, 'POST', `/repos/${ORG}/.github/issues`, issues);
    await probot.receive({ id: 'cfg-missing-1', name: 'push', payload: payload('push') });
    await rubrica.queue.idle();
    expect(scope.pendingMocks()).toEqual([]);
    expect(issues).toHaveLength(1);
    expect(issues[0].title).toContain('la configuración del curso necesita atención');
    expect(issues[0].body).toContain('`clase-mlops/.github` → `.github/rubrica.yml`');
    // One write: the check run is created completed (no PATCH follows, none is mocked).
    expect(checks).toEqual([
      {
        name: 'Rubrica',
        head_sha: SHA,
        status: 'completed',
        conclusion: 'neutral',
        completed_at: expect.any(String),
        output: { title: NOT_CONFIGURED, summary: expect.stringContaining('el equipo docente ya fue avisado') },
      },
    ]);

    // A second push: told once already, so only the student's neutral check run.
    courseScope(scope, null)
      .get(`/repos/${ORG}/.github`)
      .reply(200, { name: '.github' })
      .post(`/repos/${ORG}/${REPO}/check-runs`)
      .reply(201, { id: 702 });
    const second = payload('push');
    second.after = 'c'.repeat(40);
    await probot.receive({ id: 'cfg-missing-2', name: 'push', payload: second });
    await rubrica.queue.idle();
    expect(scope.pendingMocks()).toEqual([]);
    expect(issues).toHaveLength(1);
    expect(checks).toHaveLength(2);
  });

  it('invalid: never graded with defaults; the issue names file, line and field, and an open issue of ours is edited, not duplicated', async () => {
    const { probot, rubrica } = await testApp();
    const broken = COURSE_YAML.replace('weeks: 10', 'weeks: diez').replace('locale: es', 'locale: es\nlate:\n  graceMinute: 10');
    const scope = courseScope(githubNock(), broken);
    const edits: any[] = [];
    scope
      .get(`/repos/${ORG}/.github/issues`)
      .query(true)
      .reply(200, [
        { number: 3, title: 'otro', body: 'no es nuestro' },
        { number: 4, title: 'viejo', body: '<!-- rubrica:course-config -->\nun problema anterior' },
      ])
      .patch(`/repos/${ORG}/.github/issues/4`)
      .reply(200, { number: 4 })
      .post(`/repos/${ORG}/${REPO}/check-runs`, (b) => b.conclusion === 'neutral' && b.output.title === NOT_CONFIGURED)
      .reply(201, { id: 703 });
    record(scope, 'PATCH', `/repos/${ORG}/.github/issues/4`, edits);
    await probot.receive({ id: 'cfg-invalid', name: 'push', payload: payload('push') });
    await rubrica.queue.idle();
    expect(scope.pendingMocks()).toEqual([]);
    expect(edits).toHaveLength(1);
    expect(edits[0].body).toMatch(/\.github\/rubrica\.yml:4:\d+: weeks: /);
    expect(edits[0].body).toMatch(/\.github\/rubrica\.yml:10:3: late: 'graceMinute' is not a field here; did you mean 'graceMinutes'\?/);
  });

  it('naming a pack that does not exist is a configuration problem, not a crash', async () => {
    const { probot, rubrica } = await testApp();
    const scope = courseScope(githubNock(), COURSE_YAML.replace('pack: mlops', 'pack: devops'));
    const issues: any[] = [];
    scope
      .get(`/repos/${ORG}/.github/issues`)
      .query(true)
      .reply(200, [])
      .post(`/repos/${ORG}/.github/issues`)
      .reply(201, { number: 5 })
      .post(`/repos/${ORG}/${REPO}/check-runs`)
      .reply(201, { id: 704 });
    record(scope, 'POST', `/repos/${ORG}/.github/issues`, issues);
    await probot.receive({ id: 'cfg-pack', name: 'push', payload: payload('push') });
    await rubrica.queue.idle();
    expect(scope.pendingMocks()).toEqual([]);
    expect(issues[0].body).toContain('pack: No rubric pack "devops"; available: ');
    expect(issues[0].body).toContain('mlops');
  });

  it('a rubrica.yml in the student’s repository is never read: the organization’s course decides', async () => {
    const { probot, rubrica } = await testApp();
    const scope = courseScope(githubNock());
    // The student's own file would switch the course to English and to week 2.
    await serveCommit(scope, {
      ...{ 'README.md': '# x\n' },
      '.github/rubrica.yml': 'pack: annotated\nstart: 2020-01-06\ntimezone: UTC\nweeks: 1\nstudents: { prefix: mlops- }\ntas: yo\nlocale: en\n',
    }, WEEK1_COMMITS);
    const created: any[] = [];
    scope.post(`/repos/${ORG}/${REPO}/check-runs`).reply(201, { id: 705 });
    record(scope, 'POST', `/repos/${ORG}/${REPO}/check-runs`, created);
    await probot.receive({ id: 'student-cfg', name: 'push', payload: payload('push') });
    await rubrica.queue.idle();
    expect(scope.pendingMocks()).toEqual([]);
    // Graded in one write with the organization's course: Spanish, week 1 of the mlops pack (not the student's English week of "annotated").
    expect(created).toHaveLength(1);
    expect(created[0]).toMatchObject({
      name: 'Rubrica · Semana 1 — Fundamentos de Git y estructuración',
      status: 'completed',
      external_id: 'rubrica:week=1;delivered=2026-09-08T15:00:00.000Z',
      output: { title: expect.stringMatching(/^\d+\/100$/), summary: expect.stringContaining('### Qué hacer primero') },
    });
    // Only the organization's .github repository was asked for a course file (unexpected is checked after each test).
  });

  it.each([
    ['before the course starts', '2026-08-31T15:00:00Z', 'El curso todavía no empezó', 'El curso empieza el 2026-09-07'],
    ['after the course ends', '2026-12-20T15:00:00Z', 'El curso terminó', 'El curso terminó el 2026-11-15'],
    ['during a break', '2026-10-14T15:00:00Z', 'Receso: Semana de parciales', 'el curso sigue el 2026-10-19'],
  ])('a push %s gets a neutral check run that says so', async (_label, when, title, summary) => {
    // The delivery is GitHub's push time; our clock is a minute later.
    const { probot, rubrica } = await testApp({ now: () => new Date(Date.parse(when) + 60_000) });
    const withBreak = COURSE_YAML + 'breaks:\n  - { from: 2026-10-12, to: 2026-10-18, name: Semana de parciales }\n';
    const scope = courseScope(githubNock(), _label === 'during a break' ? withBreak : COURSE_YAML);
    const created: any[] = [];
    scope.post(`/repos/${ORG}/${REPO}/check-runs`).reply(201, { id: 706 });
    record(scope, 'POST', `/repos/${ORG}/${REPO}/check-runs`, created);
    const p = payload('push');
    p.repository.pushed_at = Date.parse(when) / 1000;
    await probot.receive({ id: `outside-${_label}`, name: 'push', payload: p });
    await rubrica.queue.idle();
    expect(scope.pendingMocks()).toEqual([]);
    expect(created).toEqual([
      expect.objectContaining({ name: 'Rubrica', conclusion: 'neutral', status: 'completed', output: { title, summary: expect.stringContaining(summary) } }),
    ]);
  });
});
