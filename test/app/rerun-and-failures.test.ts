import Docker from 'dockerode';
import nock from 'nock';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { InfrastructureError } from '../../src/core/errors.ts';
import { t } from '../../src/core/text.ts';
import { DockerSandboxProvider, type SandboxProvider } from '../../src/sandbox/sandbox.ts';
import { record, COURSE_YAML, ORG, REPO, SHA, courseScope, githubNock, payload, serveCommit, testApp, unexpected } from '../helpers/github.ts';

const PACKS = fileURLToPath(new URL('../fixtures/packs/', import.meta.url));
const CHECK_NAME = 'Rubrica · Semana 1 — Fundamentos de Git y estructuración';

afterEach(() => {
  expect(unexpected).toEqual([]);
  nock.cleanAll();
});

/** A Docker engine that is down for the first `failures` jobs, then back. */
function flakyDocker(failures: number): SandboxProvider & { opens: number } {
  const real = new DockerSandboxProvider();
  const provider = {
    opens: 0,
    async open(options: Parameters<SandboxProvider['open']>[0]) {
      provider.opens++;
      if (provider.opens <= failures) {
        // The real adapter against a socket nobody listens on: the error it raises when Docker is down.
        return new DockerSandboxProvider(new Docker({ socketPath: '/nonexistent/docker.sock' })).open(options);
      }
      return real.open(options);
    },
  };
  return provider;
}

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

  it("another app's check run is not ours to re-run", async () => {
    const { probot, rubrica } = await testApp();
    githubNock();
    const p = payload('check_run.rerequested');
    p.check_run.app.id = 999;
    await probot.receive({ id: 'rerun-other', name: 'check_run', payload: p });
    await rubrica.queue.idle();
    expect(nock.pendingMocks()).toEqual([]);
  });
});

describe('failures of ours', () => {
  it('GitHub answers 500, then succeeds: the write is retried and the grade published once', async () => {
    const { probot, rubrica } = await testApp();
    const scope = courseScope(githubNock());
    await serveCommit(scope);
    const creates: any[] = [];
    scope
      .post(`/repos/${ORG}/${REPO}/check-runs`)
      .reply(500, { message: 'Server Error' })
      .post(`/repos/${ORG}/${REPO}/check-runs`)
      .reply(502, 'Bad Gateway')
      .post(`/repos/${ORG}/${REPO}/check-runs`)
      .reply(201, { id: 801 });
    record(scope, 'POST', `/repos/${ORG}/${REPO}/check-runs`, creates);
    await probot.receive({ id: 'gh-500', name: 'push', payload: payload('push') });
    await rubrica.queue.idle();
    expect(scope.pendingMocks()).toEqual([]);
    // The 500, the 502 and the retry that succeeds carry the same completed check run; it is published once
    // (the commit was downloaded and graded once: the retries are of the write, not of the job).
    expect(creates).toHaveLength(3);
    expect(creates[1]).toEqual(creates[0]);
    expect(creates[2]).toEqual(creates[0]);
    expect(creates[2]).toMatchObject({ name: CHECK_NAME, head_sha: SHA, status: 'completed', conclusion: 'success', output: { title: '100/100' } });
    expect(await rubrica.store.record.gradings()).toHaveLength(1);
  });

  it('Docker down: the job waits and is graded when Docker is back, never a zero', async () => {
    const docker = flakyDocker(1);
    const { probot, rubrica } = await testApp({ sandbox: docker });
    const scope = courseScope(githubNock());
    await serveCommit(scope);
    await serveCommit(scope); // the retry downloads the commit again
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
    for (let i = 0; i < 3; i++) await serveCommit(scope);
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
    for (let i = 0; i < 3; i++) await serveCommit(scope);
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
    scope
      .get(`/repos/${ORG}/${REPO}/tarball/${SHA}`)
      .reply(404, { message: 'Not Found' })
      .get(`/repos/${ORG}/${REPO}/commits`)
      .query(true)
      .optionally()
      .reply(404, { message: 'Not Found' });
    await probot.receive({ id: 'deleted', name: 'push', payload: payload('push') });
    await rubrica.queue.idle();
    expect(scope.pendingMocks()).toEqual([]);
    const [job] = await rubrica.store.queue.jobs();
    expect(job).toMatchObject({ state: 'done', outcome: 'gone', attempts: 1 });
  });
});

describe('GitHub limits', () => {
  it('more than 50 annotations go out in batches of 50: the first with the completed check run, one update each after', async () => {
    const { probot, rubrica } = await testApp({ rubricsDir: PACKS });
    const scope = courseScope(githubNock(), COURSE_YAML.replace('pack: mlops', 'pack: annotated').replace('weeks: 10', 'weeks: 1'));
    const files: Record<string, string> = { 'README.md': '# x\n' };
    for (let i = 0; i < 120; i++) files[`src/mod_${String(i).padStart(3, '0')}.py`] = `import os\nAPI_KEY = "sk-${i}"\n`;
    await serveCommit(scope, files, ['feat: todo']);
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
});

// Keeps the InfrastructureError import honest: the flaky provider raises exactly this kind.
it('the Docker-down error is an InfrastructureError (what the retries key on)', async () => {
  const down = new DockerSandboxProvider(new Docker({ socketPath: '/nonexistent/docker.sock' }));
  await expect(down.open({ image: 'x', limits: (await import('../../src/sandbox/limits.ts')).DEFAULT_LIMITS, jobId: 'down' })).rejects.toBeInstanceOf(InfrastructureError);
  expect(t('a', 'b').en).toBe('b');
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
    const suite = payload('check_run.rerequested');
    await probot.receive({
      id: 'suite-rerun',
      name: 'check_suite',
      payload: { action: 'rerequested', check_suite: { id: 5, head_sha: SHA, app: { id: 123 }, pull_requests: [] }, repository: suite.repository, installation: suite.installation, sender: suite.sender } as never,
    });
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
