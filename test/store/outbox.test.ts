import { afterEach, describe, expect, it } from 'vitest';
import { startFakeGitHub, type FakeGitHub } from '../../bench/fake-github.ts';
import type { Octokit } from '../../src/github/api.ts';
import { budgetedWrites } from '../../src/github/budget.ts';
import { RubricaOctokit } from '../../src/github/octokit.ts';
import { GITHUB_LIMITS, type WriteLimits } from '../../src/outbox/budget.ts';
import { Outbox } from '../../src/outbox/outbox.ts';
import { outboxPlan } from '../../src/outbox/plan.ts';
import type { ParsedPublication } from '../../src/outbox/publications.ts';
import { Store } from '../../src/store/store.ts';
import { BACKENDS } from '../helpers/store.ts';

const stores: Store[] = [];
const fakes: FakeGitHub[] = [];
const outboxes: Outbox[] = [];
afterEach(async () => {
  await Promise.all(outboxes.splice(0).map((o) => o.close()));
  await Promise.all(fakes.splice(0).map((f) => f.close()));
  await Promise.all(stores.splice(0).map((s) => s.close().catch(() => undefined)));
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const INSTALLATION = 9;

function checkRun(i: number, over: Partial<Extract<ParsedPublication, { kind: 'check-run' }>> = {}): ParsedPublication {
  return {
    kind: 'check-run', installationId: INSTALLATION, owner: 'clase-mlops', repo: `mlops-s${i}`, repoId: 500 + i, sha: String(i % 10).repeat(39) + String(i).slice(-1), unit: 'week-1',
    name: 'Rubrica · Semana 1', externalId: `rubrica:week=1;delivered=2026-09-08T15:00:00.000Z`, status: 'completed', conclusion: 'success',
    output: { title: '100/100', summary: 'ok', text: '', annotations: [] }, ...over,
  };
}

/** The production Octokit (throttling on, Probot's own limiter included) against the fake GitHub, under the shared budget. */
function client(fake: FakeGitHub, store: Store, limits: WriteLimits) {
  return async (id: number, guard: Parameters<typeof budgetedWrites>[4]) =>
    budgetedWrites(new RubricaOctokit({ auth: { token: 'ghs_test' }, baseUrl: `http://${fake.host}/api/v3`, log: { debug() {}, info() {}, warn() {}, error() {} } as never }) as unknown as Octokit, id, store, limits, guard);
}

async function drained(store: Store, timeoutMs = 60_000) {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const c = await store.outbox.counts();
    if (c.waiting + c.sending === 0) return c;
    if (Date.now() > until) throw new Error(`outbox not drained: ${JSON.stringify(c)}`);
    await sleep(25);
  }
}

describe.each(BACKENDS)('the outbox on $name', (backend) => {
  async function setUp(limits: WriteLimits) {
    const { db } = await backend.fresh();
    const store = await Store.open(db);
    stores.push(store);
    const fake = await startFakeGitHub({ courseYaml: '' });
    fakes.push(fake);
    const outbox = new Outbox({ store, octokitFor: client(fake, store, limits), botLogin: async () => 'rubrica[bot]', pollMs: 20, retryDelaysMs: [20, 20] });
    outboxes.push(outbox);
    return { store, fake, outbox };
  }

  it('GitHub’s hourly limit running out mid-rush (403 with retry-after): the installation waits as told, and every publication goes out once', async () => {
    const limits = { ...GITHUB_LIMITS, writeMs: 30, notifyMs: 30 };
    const { store, fake, outbox } = await setUp(limits);
    // GitHub's side of it: after 6 content-creating requests the hour is spent; it refuses with retry-after: 2 for 2 s.
    let accepted = 0;
    let refusingUntil = 0;
    fake.refuseWrite = (method) => {
      if (method !== 'POST') return undefined;
      if (Date.now() < refusingUntil || (accepted >= 6 && refusingUntil === 0)) {
        if (refusingUntil === 0) refusingUntil = Date.now() + 2_000;
        return { status: 403, headers: { 'retry-after': '2' }, message: 'You have exceeded a secondary rate limit. Please wait a few minutes before you try again.' };
      }
      accepted++;
      return undefined;
    };
    const rush = Array.from({ length: 12 }, (_, i) => checkRun(i));
    await store.outbox.enqueue(rush);
    await outbox.start();
    while (fake.refused.length === 0) await sleep(10);
    // While held back, instructors see why and until when.
    await sleep(100);
    const plan = await outboxPlan(store, limits);
    expect(plan.length).toBe(6);
    expect(plan.map((p) => p.heldBy)).toEqual(Array(6).fill('retry-after'));
    expect(plan[0]!.expectedAt).toBeGreaterThanOrEqual(fake.refused[0]!.at + 1_900);
    expect(plan.every((p, i) => i === 0 || p.expectedAt > plan[i - 1]!.expectedAt)).toBe(true);

    expect(await drained(store)).toMatchObject({ sent: 12, failed: 0, stale: 0 });
    const created = fake.writes.filter((w) => w.kind === 'check-run.create');
    expect(created.map((w) => w.repo).sort()).toEqual(rush.map((p) => (p as { repo: string }).repo).sort());
    expect(new Set([...fake.checkRuns.values()].map((r) => r.repo)).size).toBe(12);
    // The pause was kept: one refusal (no hammering), and nothing written before retry-after ran out.
    expect(fake.refused).toHaveLength(1);
    const resumedAt = created[6]!.at;
    expect(resumedAt - fake.refused[0]!.at).toBeGreaterThanOrEqual(1_950);
    // Refused writes spend no attempt: every publication went on its first counted try.
    expect((await store.outbox.list({ states: ['sent'] })).every((p) => p.attempts === 1)).toBe(true);
  });

  it('a publication made stale before it is sent is dropped: a newer one for the same commit and week goes instead', async () => {
    const { store, fake, outbox } = await setUp({ ...GITHUB_LIMITS, writeMs: 10, notifyMs: 10 });
    const [older] = await store.outbox.enqueue([checkRun(1, { output: { title: '40/100', summary: 'old', text: '', annotations: [] }, conclusion: 'failure' })]);
    await store.outbox.enqueue([checkRun(1, { output: { title: '90/100', summary: 'new', text: '', annotations: [] } }), checkRun(2)]);
    await outbox.start();
    expect(await drained(store)).toMatchObject({ sent: 2, stale: 1 });
    expect([...fake.checkRuns.values()].map((r) => [r.repo, r.title]).sort()).toEqual([['mlops-s1', '90/100'], ['mlops-s2', '100/100']]);
    const [stale] = await store.outbox.list({ states: ['stale'] });
    expect(stale!.id).toBe(older);
    expect(stale!.staleBy).toEqual(expect.any(String));
  });

  it('a second publication of a commit and week completes the check run the first created: one check run', async () => {
    const { store, fake, outbox } = await setUp({ ...GITHUB_LIMITS, writeMs: 10, notifyMs: 10 });
    await outbox.start();
    await store.outbox.enqueue([checkRun(3)]);
    await drained(store);
    await store.outbox.enqueue([checkRun(3, { output: { title: '95/100', summary: 'override', text: '', annotations: [] } })]);
    await drained(store);
    expect(fake.checkRuns.size).toBe(1);
    expect(fake.writes.map((w) => w.kind)).toEqual(['check-run.create', 'check-run.update']);
    expect([...fake.checkRuns.values()][0]!.title).toBe('95/100');
  });
});
