import { LeaseLost, type Lease, type QueueStore } from '../store/queue.ts';

export { LeaseLost, type Lease } from '../store/queue.ts';

/**
 * A job's lease, kept while the job runs: renewed every third of its length, and
 * given up — its `signal` aborts — the moment it is lost or cannot be trusted:
 * a renewal the store refused (another worker took the job) or that failed, or a
 * renewal late enough that the lease may have run out (the process was frozen,
 * SIGSTOPped, starved, or the clock jumped). Time is measured on the monotonic
 * clock, so a wall-clock jump here cannot extend it.
 *
 * The signal is advice to stop early; the guarantee is in the store: every write a
 * job makes names its lease and is refused once the job is someone else's.
 */
export class HeldLease<L extends { readonly token: string }> {
  readonly lease: L;
  private readonly controller = new AbortController();
  private readonly store: { heartbeat(lease: L, leaseMs: number): Promise<boolean>; holds(lease: L): Promise<boolean> };
  private readonly leaseMs: number;
  private readonly name: string;
  /** Monotonic time of the start of the last renewal the store accepted (or the claim). */
  private renewedAt: number;
  private timer: NodeJS.Timeout | undefined;

  constructor(store: { heartbeat(lease: L, leaseMs: number): Promise<boolean>; holds(lease: L): Promise<boolean> }, lease: L, leaseMs: number, name: string, claimedAt = performance.now()) {
    this.store = store;
    this.lease = lease;
    this.leaseMs = leaseMs;
    this.name = name;
    this.renewedAt = claimedAt;
  }

  get signal(): AbortSignal {
    return this.controller.signal;
  }

  /**
   * How long a lease is trusted after its last renewal: a margin before it runs out,
   * so a write that starts just before still lands inside it.
   */
  private get trustMs(): number {
    return this.leaseMs - Math.min(this.leaseMs / 4, 5_000);
  }

  start(): this {
    const every = Math.max(20, Math.floor(this.leaseMs / 3));
    this.timer = setInterval(() => void this.renew(), every);
    this.timer.unref?.();
    return this;
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }

  /** Gives the job up: nothing more is written under it. */
  lose(why: string): void {
    if (this.controller.signal.aborted) return;
    this.stop();
    this.controller.abort(new LeaseLost(this.name, why));
  }

  private async renew(): Promise<void> {
    if (this.lateness() > 0) return this.lose(`a renewal was ${Math.round(this.lateness())} ms late`);
    const sentAt = performance.now();
    try {
      if (await this.store.heartbeat(this.lease, this.leaseMs)) this.renewedAt = Math.max(this.renewedAt, sentAt);
      else this.lose('the store refused its renewal');
    } catch (error) {
      this.lose(`its renewal failed: ${(error as Error).message}`);
    }
  }

  /** How far past the trusted time since the last renewal we are (ms; ≤ 0 while trusted). */
  private lateness(): number {
    return performance.now() - this.renewedAt - this.trustMs;
  }

  /** Throws LeaseLost when the lease is lost or may have run out. Synchronous: checked before every write. */
  assertHeld(): void {
    if (!this.controller.signal.aborted && this.lateness() > 0) this.lose('its last renewal is too old');
    this.controller.signal.throwIfAborted();
  }

  /** assertHeld, and the store confirms nobody took the job over. */
  async confirm(): Promise<void> {
    this.assertHeld();
    if (!(await this.store.holds(this.lease))) this.lose('taken over by another worker');
    this.assertHeld();
  }
}

/** A job's lease (the queue keeps it; the job reads its signal and writes through it). */
export class JobLease extends HeldLease<Lease> {
  constructor(queue: Pick<QueueStore, 'heartbeat' | 'holds'>, lease: Lease, leaseMs: number) {
    super({ heartbeat: (l, ms) => queue.heartbeat(l, ms), holds: (l) => queue.holds(l) }, lease, leaseMs, `job ${lease.jobId}`);
  }
}
