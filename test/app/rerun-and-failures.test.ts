import Docker from 'dockerode';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { InfrastructureError } from '../../src/core/errors.ts';
import { DockerSandboxProvider } from '../../src/sandbox/sandbox.ts';
import { flakyDocker, gatedDocker } from '../helpers/containers.ts';
import { commentEvent, deliver, paths, pullResponse, serveDirectory } from '../helpers/ta.ts';
import { record, COURSE_YAML, ORG, REPO, SHA, courseScope, githubNock, payload, serveCommit, serveHistory, testApp, resetGithub, unexpected, checkSuiteRerequest } from '../helpers/github.ts';

const PACKS = fileURLToPath(new URL('../fixtures/packs/', import.meta.url));
const CHECK_NAME = 'Rubrica · Semana 1 — Fundamentos de Git y estructuración';

afterEach(() => {
  // Cleaned before asserting: a failure here must not leak interceptors into the next test.
  expect(resetGithub()).toEqual([]);
});


describe('re-runs', () => {
  it('"Re-run" on the check run grades the same commit and week again, into the same check run, in one write', async () => {
    const { probot, rubrica } = await testApp();
    const scope = courseScope(githubNock());
    await serveCommit(scope);
    const updates: any[] = [];
    // No POST is mocked: the re-run never creates a second check run.
    scope.patch(`/repos/${ORG}/${REPO}/check-runs/9001`).reply(200, {});
    record(scope, 'PATCH', `/repos/${ORG}/${REPO}/check-runs/9001`, updates);
    await probot.receive({ id: 'rerun-1', name: 'check_run', payload: payload('check_run.rerequested') });
    await rubrica.queue.idle();
    expect(scope.pendingMocks()).toEqual([]);
    // One PATCH, straight to completed (no "in progress" before it).
    expect(updates).toEqual([
      {
        name: CHECK_NAME,
        status: 'completed',
        conclusion: 'success',
        completed_at: expect.any(String),
        output: { title: '100/100', summary: expect.stringContaining('| ✅ | Estructura de carpetas correcta | 25 / 25 |'), text: expect.any(String), annotations: [] },
      },
    ]);
    // The week and delivery time come from the check run's external_id.
    const [grading] = await rubrica.store.record.gradings();
    expect(grading).toMatchObject({ week: 1, deliveredAt: '2026-09-08T15:00:00.000Z', trigger: 'rerun', checkRunId: 9001 });
  });

  it('"Re-run" of a check run that carries no week (grading was not configured at push time) is dated by the push, not by the re-run', async () => {
    let now = new Date('2026-09-08T15:01:00Z');
    const { probot, rubrica } = await testApp({ now: () => now });
    const scope = courseScope(githubNock(), null);
    scope
      .get(`/repos/${ORG}/.github`)
      .reply(200, { name: '.github', default_branch: 'main' })
      .get(`/repos/${ORG}/.github/issues`)
      .query(true)
      .reply(200, [])
      .post(`/repos/${ORG}/.github/issues`)
      .reply(201, { number: 1 })
      .post(`/repos/${ORG}/${REPO}/check-runs`)
      .reply(201, { id: 701 });
    await probot.receive({ id: 'push-unconfigured', name: 'push', payload: payload('push') }); // pushed at 2026-09-08T15:00:00Z, week 1
    await rubrica.queue.idle();
    expect(scope.pendingMocks()).toEqual([]);
    expect(await rubrica.store.record.gradings()).toEqual([]);

    // The course file is fixed a week later, after week 1's deadline; the student presses Re-run on the neutral check run.
    now = new Date('2026-09-15T15:00:00Z');
    courseScope(scope);
    await serveCommit(scope);
    const created: any[] = [];
    scope.post(`/repos/${ORG}/${REPO}/check-runs`).reply(201, { id: 702 });
    record(scope, 'POST', `/repos/${ORG}/${REPO}/check-runs`, created);
    const rerun = payload('check_run.rerequested');
    rerun.check_run.id = 701;
    rerun.check_run.external_id = null;
    await probot.receive({ id: 'rerun-unconfigured', name: 'check_run', payload: rerun });
    await rubrica.queue.idle();
    expect(scope.pendingMocks()).toEqual([]);
    expect(await rubrica.store.record.gradings()).toEqual([expect.objectContaining({ week: 1, trigger: 'rerun', deliveredAt: '2026-09-08T15:00:00.000Z', late: expect.objectContaining({ status: 'on-time' }), finalScore: 100 })]);
    expect(created).toEqual([expect.objectContaining({ external_id: 'rubrica:week=1;delivered=2026-09-08T15:00:00.000Z', conclusion: 'success' })]);
  });

  it("another app's check run is not ours to re-run", async () => {
    const { probot, rubrica } = await testApp();
    githubNock();
    const p = payload('check_run.rerequested');
    p.check_run.app.id = 999;
    await probot.receive({ id: 'rerun-other', name: 'check_run', payload: p });
    await rubrica.queue.idle();
    // Nothing was queued, and (no interceptor being registered) nothing was asked of GitHub.
    expect(await rubrica.store.queue.jobs()).toEqual([]);
    expect(unexpected).toEqual([]);
  });
});

describe('failures of ours', () => {
  it('GitHub answers 500 and 502, then succeeds: the same write is retried and the grade published and recorded once', async () => {
    const { probot, rubrica } = await testApp();
    const scope = courseScope(githubNock(), COURSE_YAML, { times: 5 });
    await serveCommit(scope);
    const creates: any[] = [];
    const failures = [500, 502];
    let created = 0;
    // However the retries are shared between Octokit's own and the job's, each POST is answered in turn.
    scope
      .post(`/repos/${ORG}/${REPO}/check-runs`)
      .times(10)
      .optionally()
      .reply(() => {
        const status = failures.shift();
        if (status) return [status, { message: 'Server Error' }];
        created++;
        return [201, { id: 801 }];
      });
    record(scope, 'POST', `/repos/${ORG}/${REPO}/check-runs`, creates);
    await probot.receive({ id: 'gh-500', name: 'push', payload: payload('push') });
    await rubrica.queue.idle();
    expect(scope.pendingMocks()).toEqual([]);
    expect(failures).toEqual([]); // both failures were met
    expect(created).toBe(1);
    // Every attempt carried the same completed check run (the commit was downloaded and graded once: the tarball is served once).
    expect(creates.length).toBeGreaterThan(2);
    for (const c of creates) expect(c).toEqual(creates[0]);
    expect(creates[0]).toMatchObject({ name: CHECK_NAME, head_sha: SHA, status: 'completed', conclusion: 'success', output: { title: '100/100' } });
    expect(await rubrica.store.record.gradings()).toEqual([expect.objectContaining({ sha: SHA, score: 100, checkRunId: 801 })]);
    expect((await rubrica.store.queue.jobs())[0]).toMatchObject({ state: 'done', outcome: 'graded' });
  });

  it('Docker down: the job waits and is graded when Docker is back, never a zero', async () => {
    const docker = flakyDocker(1);
    const { probot, rubrica } = await testApp({ sandbox: docker });
    const scope = courseScope(githubNock());
    serveHistory(scope); // with Docker down, the tarball is never downloaded
    await serveCommit(scope); // the retry downloads the commit
    const creates: any[] = [];
    scope.post(`/repos/${ORG}/${REPO}/check-runs`).reply(201, { id: 802 });
    record(scope, 'POST', `/repos/${ORG}/${REPO}/check-runs`, creates);
    courseScope(scope);
    await probot.receive({ id: 'docker-flaky', name: 'push', payload: payload('push') });
    await rubrica.queue.idle();
    expect(scope.pendingMocks()).toEqual([]);
    expect(docker.opens).toBe(2);
    // Nothing is written while the job waits to be retried: the retry creates the check run completed with the grade, in one write.
    expect(creates).toHaveLength(1);
    expect(creates[0]).toMatchObject({ name: CHECK_NAME, head_sha: SHA, status: 'completed', conclusion: 'success', output: { title: '100/100' } });
  });

  it('Docker down through every retry: a neutral check run that says it is our problem', async () => {
    const docker = flakyDocker(99);
    const { probot, rubrica } = await testApp({ sandbox: docker });
    const scope = courseScope(githubNock());
    for (let i = 0; i < 3; i++) serveHistory(scope); // no container, no download
    courseScope(scope);
    courseScope(scope);
    const creates: any[] = [];
    scope.post(`/repos/${ORG}/${REPO}/check-runs`).reply(201, { id: 803 });
    record(scope, 'POST', `/repos/${ORG}/${REPO}/check-runs`, creates);
    await probot.receive({ id: 'docker-down', name: 'push', payload: payload('push') });
    await rubrica.queue.idle();
    expect(scope.pendingMocks()).toEqual([]);
    expect(docker.opens).toBe(3);
    // Nothing during the retries; after the last attempt, one completed neutral check run (no PATCH).
    expect(creates).toEqual([
      {
        name: CHECK_NAME,
        head_sha: SHA,
        external_id: 'rubrica:week=1;delivered=2026-09-08T15:00:00.000Z',
        status: 'completed',
        conclusion: 'neutral',
        completed_at: expect.any(String),
        output: { title: 'No se pudo corregir (problema nuestro)', summary: expect.any(String) },
      },
    ]);
    const summary: string = creates[0].output.summary;
    expect(summary).toContain('El motor de Docker del corrector no responde');
    expect(summary).toContain('no cuenta como nota');
    expect(JSON.stringify(creates)).not.toMatch(/"title":"\d+\/100"/);
    expect(await rubrica.store.record.gradings()).toEqual([]);
    const [job] = await rubrica.store.queue.jobs();
    expect(job).toMatchObject({ state: 'failed', outcome: 'infrastructure-error', attempts: 3 });
  });

  it('a re-run with Docker down through every retry ends in the same check run, neutral: no second check run', async () => {
    const docker = flakyDocker(99);
    const { probot, rubrica } = await testApp({ sandbox: docker });
    const scope = courseScope(githubNock());
    for (let i = 0; i < 3; i++) serveHistory(scope); // no container, no download
    courseScope(scope);
    courseScope(scope);
    const updates: any[] = [];
    scope.patch(`/repos/${ORG}/${REPO}/check-runs/9001`).reply(200, {});
    record(scope, 'PATCH', `/repos/${ORG}/${REPO}/check-runs/9001`, updates);
    await probot.receive({ id: 'rerun-docker-down', name: 'check_run', payload: payload('check_run.rerequested') });
    await rubrica.queue.idle();
    expect(scope.pendingMocks()).toEqual([]);
    expect(updates).toEqual([expect.objectContaining({ status: 'completed', conclusion: 'neutral', output: expect.objectContaining({ title: 'No se pudo corregir (problema nuestro)' }) })]);
    expect((await rubrica.store.queue.jobs())[0]).toMatchObject({ state: 'failed', attempts: 3 });
  });

  it('the repository deleted while the job runs: the job ends quietly', async () => {
    const { probot, rubrica } = await testApp();
    const scope = courseScope(githubNock());
    // No check run is mocked: nothing was written before the download, and nothing is written after it fails.
    // The history still answers; the tarball, streamed once the container is up, is gone.
    scope
      .get(`/repos/${ORG}/${REPO}/commits`)
      .query(true)
      .reply(200, [])
      .get(`/repos/${ORG}/${REPO}/tarball/${SHA}`)
      .reply(404, { message: 'Not Found' });
    await probot.receive({ id: 'deleted', name: 'push', payload: payload('push') });
    await rubrica.queue.idle();
    expect(scope.pendingMocks()).toEqual([]);
    const [job] = await rubrica.store.queue.jobs();
    expect(job).toMatchObject({ state: 'done', outcome: 'gone', attempts: 1 });
  });
});

/** The annotated pack's course: one week whose check annotates every file with a key in it. */
const ANNOTATED_COURSE = COURSE_YAML.replace('pack: mlops', 'pack: annotated').replace('weeks: 10', 'weeks: 1');
/** A repository with 120 files the annotated pack objects to: 120 annotations, more than GitHub takes in one request. */
function annotatedFiles(): Record<string, string> {
  const files: Record<string, string> = { 'README.md': '# x\n' };
  for (let i = 0; i < 120; i++) files[`src/mod_${String(i).padStart(3, '0')}.py`] = `import os\nAPI_KEY = "sk-${i}"\n`;
  return files;
}

/**
 * The updates that complete an existing check run with 120 annotations: the first
 * completes it with 50 (GitHub's limit per request), each further one only adds
 * up to 50 more under the same title and summary, and together they carry all 120.
 */
function expectCompletedInBatches(updates: any[]) {
  expect(updates.map((u) => u.output.annotations.length)).toEqual([50, 50, 20]);
  expect(updates[0]).toMatchObject({ status: 'completed', conclusion: expect.any(String), output: { title: expect.any(String), summary: expect.any(String) } });
  for (const u of updates.slice(1)) {
    expect(Object.keys(u).sort()).toEqual(['output']);
    expect(u.output).toMatchObject({ title: updates[0].output.title, summary: updates[0].output.summary });
  }
  expect(new Set(updates.flatMap((u) => u.output.annotations.map((a: any) => a.path))).size).toBe(120);
}

describe('GitHub limits', () => {
  it('more than 50 annotations go out in batches of 50: the first with the completed check run, one update each after', async () => {
    const { probot, rubrica } = await testApp({ rubricsDir: PACKS });
    const scope = courseScope(githubNock(), ANNOTATED_COURSE);
    await serveCommit(scope, annotatedFiles(), ['feat: todo']);
    const creates: any[] = [];
    const updates: any[] = [];
    scope
      .post(`/repos/${ORG}/${REPO}/check-runs`)
      .reply(201, { id: 805 })
      .patch(`/repos/${ORG}/${REPO}/check-runs/805`)
      .times(2)
      .reply(200, {});
    record(scope, 'POST', `/repos/${ORG}/${REPO}/check-runs`, creates);
    record(scope, 'PATCH', `/repos/${ORG}/${REPO}/check-runs/805`, updates);
    await probot.receive({ id: 'annotations', name: 'push', payload: payload('push') });
    await rubrica.queue.idle();
    expect(scope.pendingMocks()).toEqual([]);
    expect(creates).toHaveLength(1);
    expect(creates[0]).toMatchObject({ status: 'completed', conclusion: 'failure', output: { title: '40/100' } });
    expect(creates[0].output.annotations).toHaveLength(50);
    expect(updates.map((u) => u.output.annotations.length)).toEqual([50, 20]);
    // The further batches only add annotations: same title and summary, no status or conclusion.
    for (const u of updates) {
      expect(Object.keys(u).sort()).toEqual(['output']);
      expect(u.output).toMatchObject({ title: '40/100', summary: creates[0].output.summary });
    }
    const all = [creates[0], ...updates].flatMap((u) => u.output.annotations);
    expect(new Set(all.map((a: any) => a.path)).size).toBe(120);
    expect(all[0]).toEqual({ path: 'src/mod_000.py', start_line: 2, end_line: 2, annotation_level: 'warning', title: 'Sin claves en el código', message: 'Esto no debería estar aquí: una clave de API.' });
  });

  it('a re-run with more than 50 annotations completes the same check run in batches of 50', async () => {
    const { probot, rubrica } = await testApp({ rubricsDir: PACKS });
    const scope = courseScope(githubNock(), ANNOTATED_COURSE);
    await serveCommit(scope, annotatedFiles(), ['feat: todo']);
    const updates: any[] = [];
    scope.patch(`/repos/${ORG}/${REPO}/check-runs/9001`).times(3).reply(200, {});
    record(scope, 'PATCH', `/repos/${ORG}/${REPO}/check-runs/9001`, updates);
    await probot.receive({ id: 'rerun-annotated', name: 'check_run', payload: payload('check_run.rerequested') });
    await rubrica.queue.idle();
    expect(scope.pendingMocks()).toEqual([]);
    expectCompletedInBatches(updates);
  });

  it('a queued check run completed with more than 50 annotations gets them all, in batches of 50', async () => {
    const { provider, release } = gatedDocker();
    const { probot, rubrica } = await testApp({ rubricsDir: PACKS, sandbox: provider, concurrency: 1, queuedNoticeAfterMs: 60, courseTtlMs: 60_000 });
    const scope = courseScope(githubNock(), ANNOTATED_COURSE);
    const [A, B] = ['a'.repeat(40), 'b'.repeat(40)];
    await serveCommit(scope, { 'README.md': '# x\n' }, ['feat: todo'], A);
    await serveCommit(scope, annotatedFiles(), ['feat: todo'], B);
    const queued: any[] = [];
    const updates: any[] = [];
    scope
      .post(`/repos/${ORG}/${REPO}/check-runs`, (b) => b.head_sha === B && b.status === 'queued')
      .reply(201, { id: 830 })
      .post(`/repos/${ORG}/${REPO}/check-runs`, (b) => b.head_sha === A)
      .reply(201, { id: 831 })
      .patch(`/repos/${ORG}/${REPO}/check-runs/830`)
      .times(3)
      .reply(200, {});
    record(scope, 'POST', `/repos/${ORG}/${REPO}/check-runs`, queued);
    record(scope, 'PATCH', `/repos/${ORG}/${REPO}/check-runs/830`, updates);
    const pushOf = (sha: string, pushedAt: number) => {
      const p = payload('push');
      Object.assign(p, { after: sha, head_commit: { ...p.head_commit, id: sha } });
      p.repository.pushed_at = pushedAt;
      return p;
    };
    // A is held at the sandbox; B waits behind it long enough for a queued check run.
    await probot.receive({ id: 'queued-a', name: 'push', payload: pushOf(A, 1788879600) });
    await probot.receive({ id: 'queued-b', name: 'push', payload: pushOf(B, 1788879610) });
    for (let i = 0; i < 400 && !(await rubrica.store.queue.jobs()).some((j) => j.sha === B && j.checkRunId === 830); i++) await new Promise((r) => setTimeout(r, 25));
    expect(queued.filter((q) => q.status === 'queued')).toHaveLength(1);
    release();
    await rubrica.queue.idle();
    expect(scope.pendingMocks()).toEqual([]);
    expectCompletedInBatches(updates);
    expect(await rubrica.store.record.gradings()).toEqual(expect.arrayContaining([expect.objectContaining({ sha: B, checkRunId: 830 })]));
  });

  it("a TA's override republishes a check run with more than 50 annotations in batches of 50", async () => {
    const { probot, rubrica } = await testApp({ rubricsDir: PACKS });
    const scope = courseScope(githubNock(), ANNOTATED_COURSE);
    serveDirectory();
    await serveCommit(scope, annotatedFiles(), ['feat: todo']);
    scope
      .post(`/repos/${ORG}/${REPO}/check-runs`)
      .reply(201, { id: 840 })
      .patch(paths.checkRun(840))
      .times(2)
      .reply(200, {})
      .get(paths.issueComments)
      .query(true)
      .reply(200, [])
      .post(paths.issueComments)
      .reply(201, { id: 7001 });
    await probot.receive({ id: 'pr-annotated', name: 'pull_request', payload: payload('pull_request.opened') });
    await rubrica.queue.idle();
    expect(scope.pendingMocks()).toEqual([]);

    const updates: any[] = [];
    record(scope, 'PATCH', paths.checkRun(840), updates);
    courseScope(scope, ANNOTATED_COURSE);
    scope
      .get(paths.pull)
      .reply(200, pullResponse())
      .post(paths.reactions(), { content: '+1' })
      .reply(201, { id: 1, content: '+1' })
      .patch(paths.checkRun(840))
      .times(3)
      .reply(200, {})
      .patch(paths.comment(7001))
      .reply(200, { id: 7001 });
    await deliver({ probot, rubrica }, 'override-annotated', commentEvent('created', '/rubrica override readme 30 El README está vacío'));
    expect(scope.pendingMocks()).toEqual([]);
    expect(await rubrica.store.tas.overrides()).toEqual([expect.objectContaining({ criterion: 'readme', points: 30 })]);
    expectCompletedInBatches(updates);
  });
});

// The flaky provider above stands for Docker down only if the real adapter raises what the retries key on.
it('the Docker-down error is an InfrastructureError that tells the student it is the grader’s Docker', async () => {
  const down = new DockerSandboxProvider(new Docker({ socketPath: '/nonexistent/docker.sock' }));
  const error = await down.open({ image: 'x', limits: (await import('../../src/sandbox/limits.ts')).DEFAULT_LIMITS, jobId: 'down' }).catch((e: unknown) => e);
  expect(error).toBeInstanceOf(InfrastructureError);
  expect((error as InfrastructureError).text.es).toContain('Docker');
});

describe('re-run all (check suite)', () => {
  it('regrades the suite’s commit with the week and delivery time it was first graded with', async () => {
    const { probot, rubrica } = await testApp();
    const scope = courseScope(githubNock());
    await serveCommit(scope);
    await serveCommit(scope);
    courseScope(scope);
    const created: any[] = [];
    const updates: any[] = [];
    scope
      .post(`/repos/${ORG}/${REPO}/check-runs`)
      .reply(201, { id: 810 })
      .patch(`/repos/${ORG}/${REPO}/check-runs/810`)
      .reply(200, {});
    record(scope, 'POST', `/repos/${ORG}/${REPO}/check-runs`, created);
    record(scope, 'PATCH', `/repos/${ORG}/${REPO}/check-runs/810`, updates);
    await probot.receive({ id: 'suite-first', name: 'push', payload: payload('push') });
    await rubrica.queue.idle();
    // The push: one write, the check run created completed.
    expect(created).toHaveLength(1);
    expect(created[0]).toMatchObject({ name: CHECK_NAME, status: 'completed', conclusion: 'success', external_id: 'rubrica:week=1;delivered=2026-09-08T15:00:00.000Z', output: { title: '100/100' } });
    expect(updates).toEqual([]);
    await probot.receive({ id: 'suite-rerun', name: 'check_suite', payload: checkSuiteRerequest(SHA) });
    await rubrica.queue.idle();
    expect(scope.pendingMocks()).toEqual([]);
    // The re-run: the check run the store remembers is completed again with one PATCH, no new check run.
    expect(created).toHaveLength(1);
    expect(updates).toHaveLength(1);
    expect(updates[0]).toMatchObject({ name: CHECK_NAME, status: 'completed', conclusion: 'success', output: { title: '100/100' } });
    expect(updates[0].output.annotations).toEqual([]);
    // Same week, same delivery time (the push's, not the re-run's 15:01).
    const gradings = await rubrica.store.record.gradings();
    expect(gradings.map((g) => [g.trigger, g.week, g.deliveredAt, g.checkRunId]).sort()).toEqual([
      ['push', 1, '2026-09-08T15:00:00.000Z', 810],
      ['rerun', 1, '2026-09-08T15:00:00.000Z', 810],
    ]);
  });
});
