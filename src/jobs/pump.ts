import type { Logger } from 'pino';

export interface PumpOptions<T> {
  /** How many may run here at once. */
  readonly concurrency: number;
  /** How often to look again for work other processes recorded. */
  readonly pollMs: number;
  /** The next piece of work this process may take now (leased to it), if any. */
  claim(): Promise<T | undefined>;
  /** Runs one piece of work; its end wakes the pump. */
  run(item: T): Promise<void>;
  /** When the next piece of work that is not due yet becomes due (epoch ms), if known. */
  nextAt(): Promise<number | undefined>;
  readonly log?: Logger;
  /** What the work is, for the log line when claiming fails. */
  readonly what: string;
}

/**
 * Takes work from the store up to a concurrency, as the queue's workers and the
 * outbox's drainer both do: woken when work is recorded or ends, else looking again
 * every `pollMs`, or sooner for work due sooner. Work already due but not claimable
 * (every slot busy, a commit being graded, a publication being sent) waits for an end
 * to wake the pump, so nothing spins on the store meanwhile.
 */
export class Pump<T> {
  private readonly options: PumpOptions<T>;
  private pumping = false;
  private again = false;
  private closed = false;
  private timer: NodeJS.Timeout | undefined;
  private readonly inFlight = new Set<Promise<void>>();

  constructor(options: PumpOptions<T>) {
    this.options = options;
  }

  /** How many run here now. */
  get running(): number {
    return this.inFlight.size;
  }

  wake(): void {
    if (this.closed) return;
    if (this.pumping) {
      this.again = true;
      return;
    }
    void this.pump();
  }

  /** Stops taking work and waits for what runs here. */
  async close(): Promise<void> {
    this.closed = true;
    if (this.timer) clearTimeout(this.timer);
    await Promise.allSettled([...this.inFlight]);
  }

  private async pump(): Promise<void> {
    this.pumping = true;
    try {
      do {
        this.again = false;
        while (!this.closed && this.inFlight.size < this.options.concurrency) {
          const item = await this.options.claim();
          if (item === undefined) break;
          this.start(item);
        }
      } while (this.again && !this.closed);
      if (!this.closed) {
        if (this.timer) clearTimeout(this.timer);
        const next = await this.options.nextAt();
        const wait = next !== undefined && next > Date.now() ? Math.min(this.options.pollMs, Math.max(5, next - Date.now())) : this.options.pollMs;
        this.timer = setTimeout(() => this.wake(), wait);
        this.timer.unref?.();
      }
    } catch (error) {
      // The store is unreachable: try again shortly rather than stop working.
      this.options.log?.error({ err: { message: (error as Error).message } }, `could not claim ${this.options.what}; retrying`);
      this.timer = setTimeout(() => this.wake(), 1_000);
      this.timer.unref?.();
    } finally {
      this.pumping = false;
    }
  }

  private start(item: T): void {
    const run: Promise<void> = this.options
      .run(item)
      .catch((error: unknown) => this.options.log?.error({ err: { message: (error as Error).message } }, `could not record the end of ${this.options.what}`))
      .finally(() => {
        this.inFlight.delete(run);
        this.wake();
      });
    this.inFlight.add(run);
  }
}
