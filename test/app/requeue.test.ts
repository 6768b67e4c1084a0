import { afterEach, describe, expect, it } from 'vitest';
import { requeueFailed } from '../../src/services/ta-actions.ts';
import { flakyDocker } from '../helpers/containers.ts';
import { ORG, REPO, SHA, courseScope, githubNock, payload, record, resetGithub, serveCommit, serveHistory, testApp } from '../helpers/github.ts';

const apps: Awaited<ReturnType<typeof testApp>>[] = [];
afterEach(async () => {
  for (const a of apps.splice(0)) await a.rubrica.queue.close();
  expect(resetGithub()).toEqual([]);
});

describe('requeueing a failed job from the dashboard', () => {
  it('grades it again once Docker is back: the neutral "our problem" check run becomes the grade, and the requeue is recorded', async () => {
    const docker = flakyDocker(3);
    const a = await testApp({ sandbox: docker });
    apps.push(a);
    const scope = courseScope(githubNock());
    for (let i = 0; i < 3; i++) serveHistory(scope);
    courseScope(scope);
    courseScope(scope);
    const creates: any[] = [];
    scope.post(`/repos/${ORG}/${REPO}/check-runs`).reply(201, { id: 803 });
    record(scope, 'POST', `/repos/${ORG}/${REPO}/check-runs`, creates);
    await a.probot.receive({ id: 'docker-down', name: 'push', payload: payload('push') });
    await a.rubrica.queue.idle();
    expect(creates.map((c) => c.output.title)).toEqual(['No se pudo corregir (problema nuestro)']);
    const [failed] = await a.rubrica.store.queue.jobs({ state: 'failed' });
    expect(failed).toBeDefined();
    // No course in the record yet (nothing was graded): the course's failed jobs are found by their organization.
    const deps = { store: a.rubrica.store, now: () => new Date('2026-09-08T16:00:00Z') };

    courseScope(scope);
    await serveCommit(scope);
    const patches: any[] = [];
    scope.patch(`/repos/${ORG}/${REPO}/check-runs/803`).reply(200, { id: 803 });
    record(scope, 'PATCH', `/repos/${ORG}/${REPO}/check-runs/803`, patches);
    expect(await requeueFailed(deps, ORG, 'profe-duena', failed!.id)).toEqual({ ok: true, done: 'requeued 1', count: 1 });
    await a.rubrica.queue.idle();
    expect(scope.pendingMocks()).toEqual([]);
    expect(docker.opens).toBe(4);
    expect(patches).toEqual([expect.objectContaining({ status: 'completed', conclusion: 'success', output: expect.objectContaining({ title: '100/100' }) })]);
    expect(creates).toHaveLength(1);
    expect((await a.rubrica.store.record.gradings()).map((g) => [g.sha, g.score])).toEqual([[SHA, 100]]);
    expect(await a.rubrica.store.queue.job(failed!.id)).toMatchObject({ state: 'done', outcome: 'graded' });
    expect(await a.rubrica.store.actions.list(ORG)).toEqual([expect.objectContaining({ by: 'profe-duena', at: '2026-09-08T16:00:00.000Z', action: 'requeue', detail: { jobs: [failed!.id], requeued: 1 } })]);
  });
});
