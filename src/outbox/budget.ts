/**
 * GitHub's documented limits on an installation's writes, as one pure model that
 * both the store (reserving a write's slot) and the outbox's plan (when held-back
 * publications will go out) use:
 * - at least `writeMs` between writes, `notifyMs` between writes that notify people;
 * - at most `createsPerMinute` and `createsPerHour` content-creating requests (POST);
 * - at most `pointsPerMinute` points per endpoint, a write costing `writePoints`;
 * - and nothing before `pausedUntil`, set from a `retry-after` or `x-ratelimit-reset`.
 */
export interface WriteLimits {
  readonly writeMs: number;
  readonly notifyMs: number;
  readonly createsPerMinute: number;
  readonly createsPerHour: number;
  readonly pointsPerMinute: number;
  readonly writePoints: number;
}

export const GITHUB_LIMITS: WriteLimits = { writeMs: 1_000, notifyMs: 3_000, createsPerMinute: 80, createsPerHour: 500, pointsPerMinute: 900, writePoints: 5 };

/** The limits, with any of them changed from the environment (RUBRICA_WRITE_MS, RUBRICA_CREATES_PER_HOUR, …). */
export function limitsFromEnv(env: NodeJS.ProcessEnv = process.env, base: WriteLimits = GITHUB_LIMITS): WriteLimits {
  const n = (name: string, fallback: number) => (env[name] !== undefined && Number.isFinite(Number(env[name])) && Number(env[name]) >= 0 ? Number(env[name]) : fallback);
  return {
    writeMs: n('RUBRICA_WRITE_MS', base.writeMs),
    notifyMs: n('RUBRICA_NOTIFY_MS', base.notifyMs),
    createsPerMinute: n('RUBRICA_CREATES_PER_MINUTE', base.createsPerMinute),
    createsPerHour: n('RUBRICA_CREATES_PER_HOUR', base.createsPerHour),
    pointsPerMinute: n('RUBRICA_POINTS_PER_MINUTE', base.pointsPerMinute),
    writePoints: n('RUBRICA_WRITE_POINTS', base.writePoints),
  };
}

/** One write an installation made (or has a slot for). */
export interface SpentWrite {
  readonly at: number;
  readonly endpoint: string;
  readonly creates: boolean;
}

/** An installation's lane as the store keeps it. */
export interface LaneState {
  readonly nextWriteAt: number;
  readonly nextNotifyAt: number;
  readonly pausedUntil: number;
  /** The writes of the last hour, oldest first. */
  readonly spent: readonly SpentWrite[];
}

export interface WriteRequest {
  readonly endpoint: string;
  readonly creates: boolean;
  readonly notifies: boolean;
}

const MINUTE = 60_000;
const HOUR = 3_600_000;

/**
 * The earliest time ≥ `now` a write may go out under every limit. A window limit
 * that is full moves the slot to when its oldest counted write leaves the window.
 */
export function nextSlot(lane: LaneState, write: WriteRequest, limits: WriteLimits, now: number): number {
  let slot = Math.max(now, lane.nextWriteAt, lane.pausedUntil, write.notifies ? lane.nextNotifyAt : 0);
  const windows: { spanMs: number; max: number; counts: (w: SpentWrite) => boolean }[] = [];
  if (write.creates) {
    windows.push({ spanMs: MINUTE, max: limits.createsPerMinute, counts: (w) => w.creates });
    windows.push({ spanMs: HOUR, max: limits.createsPerHour, counts: (w) => w.creates });
  }
  if (limits.writePoints > 0) windows.push({ spanMs: MINUTE, max: Math.floor(limits.pointsPerMinute / limits.writePoints), counts: (w) => w.endpoint === write.endpoint });
  // Each move only goes forward, and a window can only hold back until its writes age out: this ends.
  for (let moved = true; moved; ) {
    moved = false;
    for (const w of windows) {
      if (w.max <= 0) continue;
      const inWindow = lane.spent.filter((s) => w.counts(s) && s.at > slot - w.spanMs && s.at <= slot);
      if (inWindow.length >= w.max) {
        const freeAt = inWindow[inWindow.length - w.max]!.at + w.spanMs;
        if (freeAt > slot) {
          slot = freeAt;
          moved = true;
        }
      }
    }
  }
  return slot;
}

/** The lane after a write takes `slot`. */
export function spend(lane: LaneState, write: WriteRequest, slot: number, limits: WriteLimits): LaneState {
  return {
    nextWriteAt: slot + limits.writeMs,
    nextNotifyAt: write.notifies ? slot + limits.notifyMs : lane.nextNotifyAt,
    pausedUntil: lane.pausedUntil,
    spent: [...lane.spent.filter((s) => s.at > slot - HOUR), { at: slot, endpoint: write.endpoint, creates: write.creates }],
  };
}

/** `POST /repos/{owner}/{repo}/check-runs`: the endpoint a write counts against. */
export function endpointOf(method: string, urlTemplate: string): string {
  return `${method.toUpperCase()} ${urlTemplate.replace(/^https?:\/\/[^/]+/, '').replace(/^\/api\/v3/, '').replace(/\?.*$/, '')}`;
}

/**
 * When a rate-limited answer says writes may resume (epoch ms), from `retry-after`
 * (seconds) or `x-ratelimit-reset` (epoch seconds, when `x-ratelimit-remaining` is 0).
 * A secondary limit without either waits a minute, as GitHub advises.
 */
export function resumeAt(status: number | undefined, headers: Record<string, string | number | undefined>, now: number, message = ''): number | undefined {
  if (status !== 403 && status !== 429 && !(status !== undefined && status < 300)) return undefined;
  const retryAfter = headers['retry-after'];
  if (retryAfter !== undefined && Number.isFinite(Number(retryAfter))) return now + Number(retryAfter) * 1_000;
  const remaining = headers['x-ratelimit-remaining'];
  const reset = headers['x-ratelimit-reset'];
  if (remaining !== undefined && Number(remaining) === 0 && reset !== undefined && Number.isFinite(Number(reset))) return Math.max(now, Number(reset) * 1_000);
  // A 403 without either is a rate limit only when it says so (else: a permission problem).
  if (status === 429 || (status === 403 && /rate limit/i.test(message))) return now + MINUTE;
  return undefined;
}
