import { afterEach, describe, expect, it } from 'vitest';
import { gatedDocker } from '../helpers/containers.ts';
import { ORG, REPO, courseScope, githubNock, payload, record, serveCommit, testApp, resetGithub } from '../helpers/github.ts';

afterEach(() => {
  // Cleaned before asserting: a failure here must not leak interceptors into the next test.
  expect(resetGithub()).toEqual([]);
});

const sha = (c: string) => c.repeat(40);
function push(commit: string, pushedAt: number) {
  const p = payload('push');
  p.after = commit;
  p.head_commit.id = commit;
  p.repository.pushed_at = pushedAt;
  return p;
}

async function until(predicate: () => boolean | Promise<boolean>, what: string) {
  for (let i = 0; i < 600; i++) {
    if (await predicate()) return;
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error(`timed out waiting for ${what}`);
}

describe('the queue under load, seen from GitHub', () => {
  it('a long wait gets a queued check run while the lane is idle; a newer push supersedes the waiting commit, whose check run names it', async () => {
    const { provider, release } = gatedDocker();
    const { probot, rubrica } = await testApp({ sandbox: provider, concurrency: 1, queuedNoticeAfterMs: 60, courseTtlMs: 60_000 });
    const scope = courseScope(githubNock());
    const [A, B, C] = [sha('a'), sha('b'), sha('c')];
    await serveCommit(scope, undefined, undefined, A);
    await serveCommit(scope, undefined, undefined, C);
    const created: any[] = [];
    const patched: Record<number, any[]> = { 701: [], 702: [] };
    record(scope, 'POST', `/repos/${ORG}/${REPO}/check-runs`, created);
    record(scope, 'PATCH', `/repos/${ORG}/${REPO}/check-runs/701`, patched[701]!);
    record(scope, 'PATCH', `/repos/${ORG}/${REPO}/check-runs/702`, patched[702]!);
    scope.post(`/repos/${ORG}/${REPO}/check-runs`).reply(201, { id: 701 }).post(`/repos/${ORG}/${REPO}/check-runs`).reply(201, { id: 702 }).post(`/repos/${ORG}/${REPO}/check-runs`).reply(201, { id: 703 });
    scope.patch(`/repos/${ORG}/${REPO}/check-runs/701`).reply(200, {}).patch(`/repos/${ORG}/${REPO}/check-runs/702`).reply(200, {});

    // A is being graded (held at the sandbox); B waits behind it and gets a queued check run.
    await probot.receive({ id: 'push-a', name: 'push', payload: push(A, 1788879600) });
    await until(async () => (await rubrica.store.queue.jobs()).some((j) => j.sha === A && j.state === 'running'), 'A to be taken by the worker');
    await probot.receive({ id: 'push-b', name: 'push', payload: push(B, 1788879610) });
    await until(() => created.length === 1, "B's queued check run");
    await until(async () => (await rubrica.store.queue.jobs()).some((j) => j.sha === B && j.checkRunId === 701), "B's queued check run recorded");
    expect(created[0]).toMatchObject({ head_sha: B, status: 'queued', name: 'Rubrica · Semana 1 — Fundamentos de Git y estructuración', external_id: 'rubrica:week=1;delivered=2026-09-08T15:00:10.000Z', output: { title: 'En cola' } });
    expect(created[0].output.summary).toContain('Hay 1 entregas antes que la tuya');

    // C supersedes B, which is still waiting; C waits too and gets its own queued check run.
    await probot.receive({ id: 'push-c', name: 'push', payload: push(C, 1788879620) });
    await until(() => created.length === 2, "C's queued check run");
    expect(created[1]).toMatchObject({ head_sha: C, status: 'queued' });

    release();
    await rubrica.queue.idle();
    expect(scope.pendingMocks()).toEqual([]);
    // A: one write, created completed. B: its queued check run names the commit that replaced it. C: its queued check run completed.
    expect(created[2]).toMatchObject({ head_sha: A, status: 'completed', conclusion: 'success', output: { title: '100/100' } });
    expect(patched[701]).toEqual([expect.objectContaining({ status: 'completed', conclusion: 'skipped', output: expect.objectContaining({ title: `Reemplazado por ${C.slice(0, 7)} / Superseded by ${C.slice(0, 7)}` }) })]);
    expect(patched[702]).toEqual([expect.objectContaining({ status: 'completed', conclusion: 'success', output: expect.objectContaining({ title: '100/100' }) })]);

    const jobs = await rubrica.store.queue.jobs();
    expect(jobs.find((j) => j.sha === B && j.kind === 'grade')).toMatchObject({ state: 'superseded', supersededBy: C });
    const gradings = await rubrica.store.record.gradings({ org: ORG });
    expect(gradings.map((g) => g.sha).sort()).toEqual([A, C]);
    expect(gradings.find((g) => g.sha === C)).toMatchObject({ checkRunId: 702, students: ['ana'], deliveredAt: '2026-09-08T15:00:20.000Z', late: { status: 'on-time' } });
  });
});
