import type { OutboxRow } from '../store/outbox.ts';
import type { Store } from '../store/store.ts';
import { endpointOf, nextSlot, spend, type LaneState, type WriteLimits, type WriteRequest } from './budget.ts';
import { createsContent, writesOf } from './publications.ts';

/** A publication still to go, with when it is expected to (what instructors see). */
export interface PlannedPublication {
  readonly id: string;
  readonly installationId: number;
  readonly kind: OutboxRow['kind'];
  /** `owner/repo#pr` or `owner/repo@sha`: what it is about. */
  readonly about: string;
  readonly state: OutboxRow['state'];
  readonly attempts: number;
  readonly createdAt: number;
  /** When its first write is expected to leave (epoch ms), under every limit. */
  readonly expectedAt: number;
  /** What holds it back beyond its turn, if anything. */
  readonly heldBy: 'retry-after' | 'hourly-limit' | 'minute-limit' | 'retry-delay' | null;
  readonly lastError: string | null;
}

const ENDPOINT: Record<OutboxRow['kind'], [string, string]> = {
  'check-run': ['POST', '/repos/{owner}/{repo}/check-runs'],
  'pr-comment': ['POST', '/repos/{owner}/{repo}/issues/{issue_number}/comments'],
  'commit-comment': ['POST', '/repos/{owner}/{repo}/commits/{commit_sha}/comments'],
  reply: ['POST', '/repos/{owner}/{repo}/issues/{issue_number}/comments'],
  reaction: ['POST', '/repos/{owner}/{repo}/issues/comments/{comment_id}/reactions'],
  'course-issue': ['POST', '/repos/{owner}/{repo}/issues'],
};

/**
 * When each waiting publication will go out: the budget's model run forward over
 * each installation's outbox in order, from its lane as it stands. Pure.
 */
export function planOutbox(rows: readonly OutboxRow[], lanes: ReadonlyMap<number, LaneState>, limits: WriteLimits, now: number): PlannedPublication[] {
  const state = new Map(lanes);
  const behind = new Map<number, NonNullable<PlannedPublication['heldBy']>>();
  return rows.map((row) => {
    const p = row.publication;
    const [method, url] = ENDPOINT[row.kind];
    const creates = createsContent(p);
    const write: WriteRequest = { endpoint: endpointOf(creates ? method : 'PATCH', creates ? url : '/repos/{owner}/{repo}/check-runs/{check_run_id}'), creates, notifies: row.kind === 'pr-comment' || row.kind === 'reply' || row.kind === 'course-issue' };
    let lane = state.get(row.installationId) ?? { nextWriteAt: 0, nextNotifyAt: 0, pausedUntil: 0, spent: [] };
    const from = Math.max(now, row.notBefore);
    const expectedAt = nextSlot(lane, write, limits, from);
    // Its turn, were nothing held back: the lane's spacing from now.
    const turn = nextSlot({ ...lane, pausedUntil: 0, spent: [] }, write, limits, now);
    let heldBy: PlannedPublication['heldBy'] = null;
    if (expectedAt > turn) {
      if (lane.pausedUntil >= expectedAt || (row.notBefore >= expectedAt && row.lastError?.startsWith('rate limited'))) heldBy = 'retry-after';
      else if (row.notBefore >= expectedAt) heldBy = 'retry-delay';
      else heldBy = nextSlot(lane, write, { ...limits, createsPerHour: 0 }, from) < expectedAt ? 'hourly-limit' : 'minute-limit';
    }
    // Those behind a held-back publication of the installation wait for the same reason.
    heldBy ??= behind.get(row.installationId) ?? null;
    if (heldBy) behind.set(row.installationId, heldBy);
    for (let i = 0, at = expectedAt; i < writesOf(p); i++) {
      lane = spend(lane, write, at, limits);
      at = nextSlot(lane, { ...write, creates: false }, limits, at);
    }
    state.set(row.installationId, lane);
    const about = 'repo' in p ? `${p.owner}/${p.repo}${'pullRequest' in p ? `#${p.pullRequest}` : 'sha' in p ? `@${p.sha.slice(0, 7)}` : ''}` : `${p.owner}/.github`;
    return { id: row.id, installationId: row.installationId, kind: row.kind, about, state: row.state, attempts: row.attempts, createdAt: row.createdAt, expectedAt, heldBy, lastError: row.lastError };
  });
}

/** The outbox as it stands, planned (the CLI's `rubrica outbox list` and GET /admin/outbox). */
export async function outboxPlan(store: Store, limits: WriteLimits, now = Date.now()): Promise<PlannedPublication[]> {
  const rows = await store.outbox.list();
  const lanes = new Map<number, LaneState>();
  for (const id of new Set(rows.map((r) => r.installationId))) lanes.set(id, await store.budget.lane(id));
  return planOutbox(rows, lanes, limits, now);
}
