import Docker from 'dockerode';
import nock from 'nock';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { InfrastructureError } from '../../src/core/errors.ts';
import { t } from '../../src/core/text.ts';
import { DockerSandboxProvider, type SandboxProvider } from '../../src/sandbox/sandbox.ts';
import { record, COURSE_YAML, ORG, REPO, SHA, courseScope, githubNock, payload, serveCommit, testApp, unexpected } from '../helpers/github.ts';

const PACKS = fileURLToPath(new URL('../fixtures/packs/', import.meta.url));

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
  it('"Re-run" on the check run grades the same commit and week again, into the same check run', async () => {
    const { probot, rubrica } = await testApp();
    const scope = courseScope(githubNock());
    await serveCommit(scope);
    const updates: any[] = [];
    scope.patch(`/repos/${ORG}/${REPO}/check-runs/9001`).times(2).reply(200, {});
    record(scope, 'PATCH', `/repos/${ORG}/${REPO}/check-runs/9001`, updates);
    await probot.receive({ id: 'rerun-1', name: 'check_run', payload: payload('check_run.rerequested') });
    await rubrica.queue.idle();
    expect(scope.pendingMocks()).toEqual([]);
    expect(updates.map((u) => u.status)).toEqual(['in_progress', 'completed']);
    expect(updates[1]).toMatchObject({ name: 'Rubrica · Semana 1 — Fundamentos de Git y estructuración', conclusion: 'success', output: { title: '100/100' } });
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
    const completions: any[] = [];
    scope
      .post(`/repos/${ORG}/${REPO}/check-runs`)
      .reply(500, { message: 'Server Error' })
      .post(`/repos/${ORG}/${REPO}/check-runs`)
      .reply(201, { id: 801 })
      .patch(`/repos/${ORG}/${REPO}/check-runs/801`)
      .reply(502, 'Bad Gateway')
      .patch(`/repos/${ORG}/${REPO}/check-runs/801`)
      .reply(200, {});
    record(scope, 'PATCH', `/repos/${ORG}/${REPO}/check-runs/801`, completions);
    await probot.receive({ id: 'gh-500', name: 'push', payload: payload('push') });
    await rubrica.queue.idle();
    expect(scope.pendingMocks()).toEqual([]);
    // The 502 and its retry carry the same completion; the grade is published once.
    expect(completions).toHaveLength(2);
    expect(completions[1]).toEqual(completions[0]);
    expect(completions[1]).toMatchObject({ conclusion: 'success', output: { title: '100/100' } });
  });

  it('Docker down: the job waits and is graded when Docker is back, never a zero', async () => {
    const docker = flakyDocker(1);
    const { probot, rubrica } = await testApp({ sandbox: docker });
    const scope = courseScope(githubNock());
    await serveCommit(scope);
    await serveCommit(scope); // the retry downloads the commit again
    const updates: any[] = [];
    scope
      .post(`/repos/${ORG}/${REPO}/check-runs`)
      .reply(201, { id: 802 })
      .patch(`/repos/${ORG}/${REPO}/check-runs/802`)
      .times(2)
      .reply(200, {});
    record(scope, 'PATCH', `/repos/${ORG}/${REPO}/check-runs/802`, updates);
    courseScope(scope);
    await probot.receive({ id: 'docker-flaky', name: 'push', payload: payload('push') });
    await rubrica.queue.idle();
    expect(scope.pendingMocks()).toEqual([]);
    expect(docker.opens).toBe(2);
    // The retry finds the check run it created: marked in progress again, then completed with the grade.
    expect(updates.map((u) => u.status)).toEqual(['in_progress', 'completed']);
    expect(updates[1]).toMatchObject({ conclusion: 'success', output: { title: '100/100' } });
  });

  it('Docker down through every retry: a neutral check run that says it is our problem', async () => {
    const docker = flakyDocker(99);
    const { probot, rubrica } = await testApp({ sandbox: docker });
    const scope = courseScope(githubNock());
    for (let i = 0; i < 3; i++) await serveCommit(scope);
    courseScope(scope);
    courseScope(scope);
    const updates: any[] = [];
    scope
      .post(`/repos/${ORG}/${REPO}/check-runs`)
      .reply(201, { id: 803 })
      .patch(`/repos/${ORG}/${REPO}/check-runs/803`)
      .times(3)
      .reply(200, {});
    record(scope, 'PATCH', `/repos/${ORG}/${REPO}/check-runs/803`, updates);
    await probot.receive({ id: 'docker-down', name: 'push', payload: payload('push') });
    await rubrica.queue.idle();
    expect(scope.pendingMocks()).toEqual([]);
    expect(docker.opens).toBe(3);
    const last = updates.at(-1);
    expect(last).toMatchObject({ status: 'completed', conclusion: 'neutral', output: { title: 'No se pudo corregir (problema nuestro)' } });
    expect(last.output.summary).toContain('El motor de Docker del corrector no responde');
    expect(last.output.summary).toContain('no cuenta como nota');
    expect(JSON.stringify(updates)).not.toMatch(/"title":"\d+\/100"/);
  });

  it('the repository deleted while the job runs: the job ends quietly', async () => {
    const { probot, rubrica } = await testApp();
    const scope = courseScope(githubNock());
    scope
      .post(`/repos/${ORG}/${REPO}/check-runs`)
      .reply(201, { id: 804 })
      .get(`/repos/${ORG}/${REPO}/tarball/${SHA}`)
      .reply(404, { message: 'Not Found' })
      .get(`/repos/${ORG}/${REPO}/commits`)
      .query(true)
      .optionally()
      .reply(404, { message: 'Not Found' });
    await probot.receive({ id: 'deleted', name: 'push', payload: payload('push') });
    await rubrica.queue.idle();
    expect(scope.pendingMocks()).toEqual([]);
  });
});

describe('GitHub limits', () => {
  it('more than 50 annotations go out in batches of 50, one update each', async () => {
    const { probot, rubrica } = await testApp({ rubricsDir: PACKS });
    const scope = courseScope(githubNock(), COURSE_YAML.replace('pack: mlops', 'pack: annotated').replace('weeks: 10', 'weeks: 1'));
    const files: Record<string, string> = { 'README.md': '# x\n' };
    for (let i = 0; i < 120; i++) files[`src/mod_${String(i).padStart(3, '0')}.py`] = `import os\nAPI_KEY = "sk-${i}"\n`;
    await serveCommit(scope, files, ['feat: todo']);
    const updates: any[] = [];
    scope
      .post(`/repos/${ORG}/${REPO}/check-runs`)
      .reply(201, { id: 805 })
      .patch(`/repos/${ORG}/${REPO}/check-runs/805`)
      .times(3)
      .reply(200, {});
    record(scope, 'PATCH', `/repos/${ORG}/${REPO}/check-runs/805`, updates);
    await probot.receive({ id: 'annotations', name: 'push', payload: payload('push') });
    await rubrica.queue.idle();
    expect(scope.pendingMocks()).toEqual([]);
    expect(updates.map((u) => u.output.annotations.length)).toEqual([50, 50, 20]);
    expect(updates[0]).toMatchObject({ status: 'completed', conclusion: 'failure', output: { title: '40/100' } });
    expect(updates[1].status).toBeUndefined();
    const all = updates.flatMap((u) => u.output.annotations);
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
      .times(3)
      .reply(200, {});
    record(scope, 'POST', `/repos/${ORG}/${REPO}/check-runs`, created);
    record(scope, 'PATCH', `/repos/${ORG}/${REPO}/check-runs/810`, updates);
    await probot.receive({ id: 'suite-first', name: 'push', payload: payload('push') });
    await rubrica.queue.idle();
    const suite = payload('check_run.rerequested');
    await probot.receive({
      id: 'suite-rerun',
      name: 'check_suite',
      payload: { action: 'rerequested', check_suite: { id: 5, head_sha: SHA, app: { id: 123 }, pull_requests: [] }, repository: suite.repository, installation: suite.installation, sender: suite.sender } as never,
    });
    await rubrica.queue.idle();
    expect(scope.pendingMocks()).toEqual([]);
    expect(created).toHaveLength(1);
    expect(updates.map((u) => u.status)).toEqual(['completed', 'in_progress', 'completed']);
    expect(updates[2]).toMatchObject({ name: 'Rubrica · Semana 1 — Fundamentos de Git y estructuración', output: { title: '100/100' } });
  });
});
