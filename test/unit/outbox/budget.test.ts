import { describe, expect, it } from 'vitest';
import { GITHUB_LIMITS, limitsFromEnv, nextSlot, resumeAt, spend, type LaneState, type WriteRequest } from '../../../src/outbox/budget.ts';
import { planOutbox } from '../../../src/outbox/plan.ts';
import type { OutboxRow } from '../../../src/store/outbox.ts';

const T0 = 1_800_000_000_000;
const empty: LaneState = { nextWriteAt: 0, nextNotifyAt: 0, pausedUntil: 0, spent: [] };
const create: WriteRequest = { endpoint: 'POST /repos/{owner}/{repo}/check-runs', creates: true, notifies: false };
const update: WriteRequest = { endpoint: 'PATCH /repos/{owner}/{repo}/check-runs/{check_run_id}', creates: false, notifies: false };

/** `n` writes spent at `at(i)`. */
function lane(n: number, at: (i: number) => number, write = create): LaneState {
  return { ...empty, spent: Array.from({ length: n }, (_, i) => ({ at: at(i), endpoint: write.endpoint, creates: write.creates })) };
}

describe("GitHub's write limits, modelled", () => {
  it('spaces writes 1 s apart, and writes that notify 3 s apart', () => {
    let l = empty;
    const slots: number[] = [];
    for (const w of [create, create, { ...create, notifies: true }, { ...create, notifies: true }]) {
      const slot = nextSlot(l, w, GITHUB_LIMITS, T0);
      slots.push(slot - T0);
      l = spend(l, w, slot, GITHUB_LIMITS);
    }
    expect(slots).toEqual([0, 1_000, 2_000, 5_000]);
  });

  it('the 81st content-creating request within a minute waits until the oldest of the 80 leaves the minute', () => {
    const l = lane(80, (i) => T0 + i * 500); // 80 creates in 40 s
    expect(nextSlot(l, create, GITHUB_LIMITS, T0 + 40_000)).toBe(T0 + 60_000);
    // An update creates nothing: only the spacing and the endpoint's points hold it.
    expect(nextSlot(l, update, GITHUB_LIMITS, T0 + 40_000)).toBe(T0 + 40_000);
  });

  it('the 501st within an hour waits until the oldest leaves the hour', () => {
    const l = lane(500, (i) => T0 + i * 7_000); // 500 creates over 58 minutes
    const at = T0 + 499 * 7_000 + 1_000;
    expect(nextSlot(l, create, GITHUB_LIMITS, at)).toBe(T0 + 3_600_000);
  });

  it('900 points a minute per endpoint: the 181st write (5 points each) to one endpoint waits, another endpoint does not', () => {
    const limits = { ...GITHUB_LIMITS, createsPerMinute: 1_000 };
    const l = lane(180, (i) => T0 + i * 300, update);
    expect(nextSlot(l, update, limits, T0 + 54_000)).toBe(T0 + 60_000);
    expect(nextSlot(l, { ...update, endpoint: 'PATCH /repos/{owner}/{repo}/issues/comments/{comment_id}' }, limits, T0 + 54_000)).toBe(T0 + 54_000);
  });

  it('nothing goes before a pause GitHub asked for', () => {
    expect(nextSlot({ ...empty, pausedUntil: T0 + 30_000 }, update, GITHUB_LIMITS, T0)).toBe(T0 + 30_000);
  });

  it('reads retry-after and x-ratelimit-reset; a 403 that is not a rate limit pauses nothing', () => {
    expect(resumeAt(403, { 'retry-after': '60' }, T0)).toBe(T0 + 60_000);
    expect(resumeAt(403, { 'x-ratelimit-remaining': '0', 'x-ratelimit-reset': String((T0 + 90_000) / 1000) }, T0)).toBe(T0 + 90_000);
    expect(resumeAt(200, { 'x-ratelimit-remaining': '0', 'x-ratelimit-reset': String((T0 + 5_000) / 1000) }, T0)).toBe(T0 + 5_000);
    expect(resumeAt(429, {}, T0)).toBe(T0 + 60_000);
    expect(resumeAt(403, {}, T0, 'You have exceeded a secondary rate limit')).toBe(T0 + 60_000);
    expect(resumeAt(403, {}, T0, 'Resource not accessible by integration')).toBeUndefined();
    expect(resumeAt(500, { 'retry-after': '5' }, T0)).toBeUndefined();
  });

  it('every limit can be set from the environment', () => {
    expect(limitsFromEnv({ RUBRICA_CREATES_PER_HOUR: '100', RUBRICA_WRITE_MS: '250' })).toEqual({ ...GITHUB_LIMITS, createsPerHour: 100, writeMs: 250 });
    expect(limitsFromEnv({ RUBRICA_CREATES_PER_HOUR: 'lots' }).createsPerHour).toBe(500);
  });
});

function row(i: number, over: Partial<OutboxRow> = {}): OutboxRow {
  return {
    id: `p${i}`, installationId: 1, kind: 'check-run', jobId: null, state: 'waiting', attempts: 0, notBefore: T0, createdAt: T0, finishedAt: null, lastError: null, result: null, staleBy: null, lease: null,
    publication: { kind: 'check-run', installationId: 1, owner: 'o', repo: `r${i}`, repoId: i, sha: 'a'.repeat(40), unit: 'week-1', name: 'n', status: 'completed', output: { title: 't', summary: 's', annotations: [] } },
    ...over,
  };
}

describe('the plan of held-back publications', () => {
  it('an hour already spent: the next ones go as the hour frees up, and say so', () => {
    const l = lane(500, (i) => T0 - 3_500_000 + i * 7_000);
    const plan = planOutbox([row(1), row(2)], new Map([[1, l]]), GITHUB_LIMITS, T0);
    expect(plan.map((p) => p.expectedAt - T0)).toEqual([100_000, 107_000]);
    expect(plan.map((p) => p.heldBy)).toEqual(['hourly-limit', 'hourly-limit']);
  });

  it('a free lane: one a second, nothing held back', () => {
    const plan = planOutbox([row(1), row(2), row(3)], new Map(), GITHUB_LIMITS, T0);
    expect(plan.map((p) => p.expectedAt - T0)).toEqual([0, 1_000, 2_000]);
    expect(plan.every((p) => p.heldBy === null)).toBe(true);
  });
});
