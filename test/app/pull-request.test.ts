import { afterEach, describe, expect, it } from 'vitest';
import { record, COURSE_YAML, ORG, REPO, SHA, courseScope, githubNock, payload, serveCommit, testApp, resetGithub, unexpected, checkSuiteRerequest } from '../helpers/github.ts';
import { tempStore } from '../helpers/store.ts';
import { PEOPLE, serveDirectory } from '../helpers/ta.ts';

const SHA2 = 'b2c3d4e5f60718293a4b5c6d7e8f901234567890';
const CHECK_NAME = 'Rubrica · Semana 1 — Fundamentos de Git y estructuración';

afterEach(() => {
  // Cleaned before asserting: a failure here must not leak interceptors into the next test.
  expect(resetGithub()).toEqual([]);
});

function prEvent(action: 'opened' | 'synchronize', sha = SHA, change: (p: any) => void = () => {}) {
  const p = payload(`pull_request.${action}`);
  p.pull_request.head.sha = sha;
  change(p);
  return p;
}

describe('a pull request of a student repository', () => {
  it('is graded and gets one scored comment with the score, the table and a link to the check run', async () => {
    const { probot, rubrica } = await testApp();
    const scope = courseScope(githubNock());
    await serveCommit(scope);
    const created: any[] = [];
    const comments: any[] = [];
    scope
      .post(`/repos/${ORG}/${REPO}/check-runs`)
      .reply(201, { id: 601, html_url: `https://github.com/${ORG}/${REPO}/runs/601` })
      .get(`/repos/${ORG}/${REPO}/issues/7/comments`)
      .query(true)
      .reply(200, [{ id: 1, user: { login: 'ana-estudiante' }, body: '<!-- rubrica:week=1 --> no soy el bot' }])
      .post(`/repos/${ORG}/${REPO}/issues/7/comments`)
      .reply(201, { id: 7001 });
    record(scope, 'POST', `/repos/${ORG}/${REPO}/check-runs`, created);
    record(scope, 'POST', `/repos/${ORG}/${REPO}/issues/7/comments`, comments);

    await probot.receive({ id: 'pr-1', name: 'pull_request', payload: prEvent('opened') });
    await rubrica.queue.idle();

    expect(scope.pendingMocks()).toEqual([]);
    // The check run is created completed (no PATCH is mocked: none is made).
    expect(created).toEqual([
      {
        name: CHECK_NAME,
        head_sha: SHA,
        external_id: 'rubrica:week=1;delivered=2026-09-08T15:01:00.000Z',
        status: 'completed',
        conclusion: 'success',
        started_at: expect.any(String),
        completed_at: expect.any(String),
        output: { title: '100/100', summary: expect.stringContaining('| ✅ | README con secciones básicas | 25 / 25 |'), text: expect.any(String), annotations: [] },
      },
    ]);
    expect(comments).toHaveLength(1);
    const body: string = comments[0].body;
    expect(body.startsWith('<!-- rubrica:week=1 -->')).toBe(true);
    expect(body).toContain('## Rubrica · Semana 1 — Fundamentos de Git y estructuración');
    expect(body).toContain('**100 / 100 — aprobado** (aprobación: 60) · commit a1b2c3d');
    expect(body).toContain('| ✅ | README con secciones básicas | 25 / 25 |');
    expect(body).toContain(`[Ver el detalle](https://github.com/${ORG}/${REPO}/runs/601)`);
  });

  it('a new push edits the same comment in place, never a second one', async () => {
    const { probot, rubrica } = await testApp();
    const scope = courseScope(githubNock());
    await serveCommit(scope);
    const created: any[] = [];
    record(scope, 'POST', `/repos/${ORG}/${REPO}/check-runs`, created);
    scope
      .post(`/repos/${ORG}/${REPO}/check-runs`)
      .reply(201, { id: 602 })
      .get(`/repos/${ORG}/${REPO}/issues/7/comments`)
      .query(true)
      .reply(200, [])
      .post(`/repos/${ORG}/${REPO}/issues/7/comments`)
      .reply(201, { id: 7002 });
    await probot.receive({ id: 'pr-2a', name: 'pull_request', payload: prEvent('opened') });
    await rubrica.queue.idle();
    expect(scope.pendingMocks()).toEqual([]);

    // The student pushes again: a new commit, worse README.
    const edits: any[] = [];
    courseScope(scope);
    await serveCommit(scope, { 'README.md': '# Solo título\n' }, ['feat: uno'], SHA2);
    scope
      .post(`/repos/${ORG}/${REPO}/check-runs`, (b) => b.head_sha === SHA2)
      .reply(201, { id: 603 })
      .patch(`/repos/${ORG}/${REPO}/issues/comments/7002`)
      .reply(200, { id: 7002 });
    record(scope, 'PATCH', `/repos/${ORG}/${REPO}/issues/comments/7002`, edits);
    await probot.receive({ id: 'pr-2b', name: 'pull_request', payload: prEvent('synchronize', SHA2) });
    await rubrica.queue.idle();

    expect(scope.pendingMocks()).toEqual([]);
    // One completed check run per commit, each in one write.
    expect(created.map((c) => [c.head_sha, c.status, c.conclusion])).toEqual([
      [SHA, 'completed', 'success'],
      [SHA2, 'completed', 'failure'],
    ]);
    expect(edits).toHaveLength(1);
    expect(edits[0].body).toContain('commit b2c3d4e');
    expect(edits[0].body).toContain('### Qué hacer primero');
  });

  it('the same commit by push and by pull request is graded once, and the pull request still gets its comment', async () => {
    // Both deliveries arrive while nothing is graded yet (a webhook-only process records them),
    // so the pull request's job merges into the waiting push job; then a worker grades it.
    const store = await tempStore();
    const webhooks = await testApp({ store, work: false });
    const scope = courseScope(githubNock());
    await serveCommit(scope);
    const checkRuns: any[] = [];
    const comments: any[] = [];
    record(scope, 'POST', `/repos/${ORG}/${REPO}/check-runs`, checkRuns);
    record(scope, 'POST', `/repos/${ORG}/${REPO}/issues/7/comments`, comments);
    scope
      .post(`/repos/${ORG}/${REPO}/check-runs`)
      .reply(201, { id: 604, html_url: `https://github.com/${ORG}/${REPO}/runs/604` })
      .get(`/repos/${ORG}/${REPO}/issues/7/comments`)
      .query(true)
      .reply(200, [])
      .post(`/repos/${ORG}/${REPO}/issues/7/comments`)
      .reply(201, { id: 7003 });
    await webhooks.probot.receive({ id: 'both-push', name: 'push', payload: payload('push') });
    await webhooks.probot.receive({ id: 'both-pr', name: 'pull_request', payload: prEvent('opened') });
    const jobs = await store.queue.jobs();
    expect(jobs.map((j) => [j.deliveryId, j.state, j.outcome]).sort()).toEqual([
      ['both-pr', 'done', 'merged'],
      ['both-push', 'queued', null],
    ]);
    expect(jobs.find((j) => j.deliveryId === 'both-push')!.request.pullRequest).toEqual({ number: 7, author: 'ana', fork: false });

    const { rubrica } = await testApp({ store });
    await rubrica.queue.idle();
    expect(scope.pendingMocks()).toEqual([]);
    // One grading (one course read, one download, one check run) and the pull request's comment.
    expect(checkRuns).toHaveLength(1);
    expect(checkRuns[0]).toMatchObject({ head_sha: SHA, status: 'completed', conclusion: 'success', output: { title: '100/100' } });
    expect(comments).toHaveLength(1);
    expect(comments[0].body).toContain('**100 / 100 — aprobado** (aprobación: 60) · commit a1b2c3d');
    expect(comments[0].body).toContain(`[Ver el detalle](https://github.com/${ORG}/${REPO}/runs/604)`);
    expect(await store.record.gradings()).toHaveLength(1);
    await rubrica.queue.close();
  });

  it('a pull request for a commit its push already graded is not graded again: it only gets its comment', async () => {
    const { probot, rubrica } = await testApp();
    const scope = courseScope(githubNock());
    await serveCommit(scope);
    const checkRuns: any[] = [];
    const comments: any[] = [];
    record(scope, 'POST', `/repos/${ORG}/${REPO}/check-runs`, checkRuns);
    record(scope, 'POST', `/repos/${ORG}/${REPO}/issues/7/comments`, comments);
    scope.post(`/repos/${ORG}/${REPO}/check-runs`).reply(201, { id: 606, html_url: `https://github.com/${ORG}/${REPO}/runs/606` });
    await probot.receive({ id: 'then-push', name: 'push', payload: payload('push') });
    await rubrica.queue.idle();
    expect(scope.pendingMocks()).toEqual([]);

    // The pull request comes after the push was graded: the course is read again, nothing downloaded or graded.
    courseScope(scope)
      .get(`/repos/${ORG}/${REPO}/issues/7/comments`)
      .query(true)
      .reply(200, [])
      .post(`/repos/${ORG}/${REPO}/issues/7/comments`)
      .reply(201, { id: 7006 });
    await probot.receive({ id: 'then-pr', name: 'pull_request', payload: prEvent('opened') });
    await rubrica.queue.idle();
    expect(scope.pendingMocks()).toEqual([]);
    expect(checkRuns).toHaveLength(1);
    expect(checkRuns[0]).toMatchObject({ status: 'completed', conclusion: 'success', output: { title: '100/100' } });
    expect(comments).toHaveLength(1);
    expect(comments[0].body).toContain('**100 / 100 — aprobado** (aprobación: 60) · commit a1b2c3d');
    expect(comments[0].body).toContain(`[Ver el detalle](https://github.com/${ORG}/${REPO}/runs/606)`);
    expect(await rubrica.store.record.gradings()).toHaveLength(1);
  });

  it('a label semana-3 grades week 3, whatever the calendar says', async () => {
    const { probot, rubrica } = await testApp();
    const scope = courseScope(githubNock());
    await serveCommit(scope);
    const created: any[] = [];
    scope
      .post(`/repos/${ORG}/${REPO}/check-runs`)
      .reply(201, { id: 605 })
      .get(`/repos/${ORG}/${REPO}/issues/7/comments`)
      .query(true)
      .reply(200, [])
      .post(`/repos/${ORG}/${REPO}/issues/7/comments`, (b) => b.body.startsWith('<!-- rubrica:week=3 -->'))
      .reply(201, { id: 7004 });
    record(scope, 'POST', `/repos/${ORG}/${REPO}/check-runs`, created);
    await probot.receive({ id: 'pr-label', name: 'pull_request', payload: prEvent('opened', SHA, (p) => (p.pull_request.labels = [{ name: 'semana-3' }])) });
    await rubrica.queue.idle();
    expect(scope.pendingMocks()).toEqual([]);
    expect(created).toHaveLength(1);
    expect(created[0].name).toMatch(/^Rubrica · Semana 3 — /);
    expect(created[0].external_id).toMatch(/^rubrica:week=3;/);
    // Week 3's rubric on a week-1 repository: graded, completed in the same one write, and failing.
    expect(created[0]).toMatchObject({ head_sha: SHA, status: 'completed', conclusion: 'failure', output: { title: '0/100', summary: expect.stringContaining('### Qué hacer primero') } });
  });

  it('a closed pull request is not graded', async () => {
    const { probot, rubrica } = await testApp();
    githubNock();
    await probot.receive({ id: 'pr-closed', name: 'pull_request', payload: prEvent('synchronize', SHA, (p) => (p.pull_request.state = 'closed')) });
    await rubrica.queue.idle();
    // Nothing was queued, and (no interceptor being registered) nothing was asked of GitHub.
    expect(await rubrica.store.queue.jobs()).toEqual([]);
    expect(unexpected).toEqual([]);
  });
});

describe('a pull request that is not the student’s own hand-in', () => {
  /** Delivers the pull request and returns the check runs it created; nothing else is served (no tarball: nothing is graded). */
  async function notGraded(change: (p: any) => void) {
    const { probot, rubrica } = await testApp();
    const scope = courseScope(githubNock());
    serveDirectory();
    const created: any[] = [];
    scope.post(`/repos/${ORG}/${REPO}/check-runs`).reply(201, { id: 650 });
    record(scope, 'POST', `/repos/${ORG}/${REPO}/check-runs`, created);
    await probot.receive({ id: 'pr-foreign', name: 'pull_request', payload: prEvent('opened', SHA, change) });
    await rubrica.queue.idle();
    expect(scope.pendingMocks()).toEqual([]);
    expect(await rubrica.store.record.gradings()).toEqual([]);
    expect((await rubrica.store.queue.jobs())[0]).toMatchObject({ state: 'done', outcome: 'not-graded' });
    return { created, probot, rubrica, scope };
  }

  it('from a fork: a neutral check run says it is not graded and how to hand in; no grade is recorded, no comment', async () => {
    const { created } = await notGraded((p) => {
      p.pull_request.head.repo = { ...p.pull_request.head.repo, id: 999001, full_name: `otra-persona/${REPO}` };
    });
    expect(created).toEqual([expect.objectContaining({ name: 'Rubrica', head_sha: SHA, status: 'completed', conclusion: 'neutral', output: expect.objectContaining({ title: expect.stringContaining('fork') }) })]);
    expect(created[0].output.summary).toContain('rama de este repositorio');
  });

  it('from a fork since deleted (no head repository): not graded either', async () => {
    const { created } = await notGraded((p) => {
      p.pull_request.head.repo = null;
    });
    expect(created).toEqual([expect.objectContaining({ conclusion: 'neutral', output: expect.objectContaining({ title: expect.stringContaining('fork') }) })]);
  });

  it('opened by a classmate (in the course, neither the student nor a TA): not graded, the check run names who opened it without pinging', async () => {
    const { created } = await notGraded((p) => {
      p.pull_request.user = { ...p.pull_request.user, login: PEOPLE.parentOnly };
    });
    expect(created).toEqual([expect.objectContaining({ name: 'Rubrica', conclusion: 'neutral' })]);
    expect(created[0].output.summary).toContain(`\`${PEOPLE.parentOnly}\``);
    expect(created[0].output.summary).not.toContain(`@${PEOPLE.parentOnly}`);
  });

  it("re-running a fork pull request's commit (Re-run all) does not grade it into the record either", async () => {
    const { probot, rubrica, scope, created } = await notGraded((p) => {
      p.pull_request.head.repo = { ...p.pull_request.head.repo, id: 999001 };
    });
    courseScope(scope);
    scope.post(`/repos/${ORG}/${REPO}/check-runs`).reply(201, { id: 651 });
    await probot.receive({ id: 'suite-fork', name: 'check_suite', payload: checkSuiteRerequest(SHA, 6) });
    await rubrica.queue.idle();
    expect(scope.pendingMocks()).toEqual([]);
    expect(created).toHaveLength(2);
    expect(created[1]).toMatchObject({ conclusion: 'neutral', output: { title: expect.stringContaining('fork') } });
    expect(await rubrica.store.record.gradings()).toEqual([]);
  });

  it('in a repository recognised by topic, the students are its collaborators: one of them is graded, anyone else is not', async () => {
    const { probot, rubrica } = await testApp();
    const scope = courseScope(githubNock(), COURSE_YAML.replace('  prefix: mlops-', '  topic: mlops-2026'), { times: 4 });
    serveDirectory();
    scope
      .get(`/repos/${ORG}/${REPO}/collaborators`)
      .query({ affiliation: 'direct', per_page: '100' })
      .times(3)
      .optionally()
      .reply(200, [{ login: 'ana', type: 'User', permissions: { admin: false } }]);
    const created: any[] = [];
    record(scope, 'POST', `/repos/${ORG}/${REPO}/check-runs`, created);
    scope.post(`/repos/${ORG}/${REPO}/check-runs`).reply(201, { id: 660 });
    const byTopic = (user: string, sha: string) => prEvent('opened', sha, (p) => {
      p.repository.topics = ['mlops-2026'];
      p.pull_request.user = { ...p.pull_request.user, login: user };
    });
    await probot.receive({ id: 'topic-outsider', name: 'pull_request', payload: byTopic(PEOPLE.parentOnly, SHA2) });
    await rubrica.queue.idle();
    expect(created).toEqual([expect.objectContaining({ head_sha: SHA2, conclusion: 'neutral', output: expect.objectContaining({ title: expect.stringContaining('otra persona') }) })]);

    await serveCommit(scope);
    scope
      .post(`/repos/${ORG}/${REPO}/check-runs`)
      .reply(201, { id: 661 })
      .get(`/repos/${ORG}/${REPO}/issues/7/comments`)
      .query(true)
      .reply(200, [])
      .post(`/repos/${ORG}/${REPO}/issues/7/comments`)
      .reply(201, { id: 7003 });
    await probot.receive({ id: 'topic-student', name: 'pull_request', payload: byTopic('ana', SHA) });
    await rubrica.queue.idle();
    expect(scope.pendingMocks()).toEqual([]);
    expect(await rubrica.store.record.gradings()).toEqual([expect.objectContaining({ sha: SHA, students: ['ana'], score: 100 })]);
  });

  it("opened by a TA (a member of the TA team's child team): graded into the student's record as usual", async () => {
    const { probot, rubrica } = await testApp();
    const scope = courseScope(githubNock());
    serveDirectory();
    await serveCommit(scope);
    scope
      .post(`/repos/${ORG}/${REPO}/check-runs`)
      .reply(201, { id: 652 })
      .get(`/repos/${ORG}/${REPO}/issues/7/comments`)
      .query(true)
      .reply(200, [])
      .post(`/repos/${ORG}/${REPO}/issues/7/comments`)
      .reply(201, { id: 7002 });
    await probot.receive({ id: 'pr-by-ta', name: 'pull_request', payload: prEvent('opened', SHA, (p) => (p.pull_request.user = { ...p.pull_request.user, login: PEOPLE.labTa })) });
    await rubrica.queue.idle();
    expect(scope.pendingMocks()).toEqual([]);
    expect(await rubrica.store.record.gradings()).toEqual([expect.objectContaining({ sha: SHA, week: 1, score: 100, trigger: 'pull_request' })]);
  });
});
