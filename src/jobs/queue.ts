import type { GradingRequest } from '../events/requests.ts';

export interface QueuedJob {
  readonly id: string;
  readonly request: GradingRequest;
  /** 1 on the first try. */
  readonly attempt: number;
  readonly lastAttempt: boolean;
}

/** A failure that may pass (Docker down, GitHub 5xx): the job is tried again later. */
export class RetryLater extends Error {
  constructor(cause: unknown) {
    super(cause instanceof Error ? cause.message : String(cause), { cause });
    this.name = 'RetryLater';
  }
}

export interface QueueOptions {
  readonly concurrency: number;
  /** Waits before each retry; the job's last attempt is the one after the last delay. */
  readonly retryDelaysMs: readonly number[];
}

/**
 * The in-process grading queue: the webhook handler enqueues and returns at once;
 * workers run jobs with a bounded concurrency. Jobs for the same commit of the same
 * repository run one after another, so a push and its pull request's event for one
 * commit are graded once (the second finds the first's grade).
 */
export class GradingQueue {
  private readonly waiting: QueuedJob[] = [];
  private readonly seenDeliveries = new Set<string>();
  private readonly busyCommits = new Set<string>();
  private readonly timers = new Set<NodeJS.Timeout>();
  private running = 0;
  private idleWaiters: (() => void)[] = [];

  private readonly process: (job: QueuedJob) => Promise<void>;
  private readonly options: QueueOptions;
  constructor(process: (job: QueuedJob) => Promise<void>, options: QueueOptions) {
    this.process = process;
    this.options = options;
  }

  /** false when this delivery was already taken (GitHub redelivered it). */
  enqueue(request: GradingRequest): boolean {
    const key = `${request.deliveryId}:${request.sha}`;
    if (this.seenDeliveries.has(key)) return false;
    this.seenDeliveries.add(key);
    this.waiting.push({ id: `${request.repoId}-${request.sha.slice(0, 12)}-${request.deliveryId}`, request, attempt: 1, lastAttempt: this.options.retryDelaysMs.length === 0 });
    this.pump();
    return true;
  }

  /** Drops jobs not yet started for an installation (the app was uninstalled). */
  dropInstallation(installationId: number): number {
    const before = this.waiting.length;
    for (let i = this.waiting.length - 1; i >= 0; i--) if (this.waiting[i]!.request.installationId === installationId) this.waiting.splice(i, 1);
    return before - this.waiting.length;
  }

  get size(): { waiting: number; running: number; retrying: number } {
    return { waiting: this.waiting.length, running: this.running, retrying: this.timers.size };
  }

  /** Settles when nothing is waiting, running or scheduled for a retry. */
  idle(): Promise<void> {
    if (this.isIdle()) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  /** Stops scheduled retries (shutdown, tests). */
  close(): void {
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
    this.waiting.length = 0;
    this.settle();
  }

  private isIdle() {
    return this.waiting.length === 0 && this.running === 0 && this.timers.size === 0;
  }

  private settle() {
    if (!this.isIdle()) return;
    const waiters = this.idleWaiters;
    this.idleWaiters = [];
    for (const w of waiters) w();
  }

  private pump() {
    while (this.running < this.options.concurrency) {
      const index = this.waiting.findIndex((j) => !this.busyCommits.has(commitKey(j)));
      if (index < 0) break;
      const [job] = this.waiting.splice(index, 1) as [QueuedJob];
      this.start(job);
    }
    this.settle();
  }

  private start(job: QueuedJob) {
    const key = commitKey(job);
    this.running++;
    this.busyCommits.add(key);
    void this.process(job)
      .catch((error: unknown) => {
        if (error instanceof RetryLater && !job.lastAttempt) {
          const delay = this.options.retryDelaysMs[job.attempt - 1] ?? 0;
          const timer = setTimeout(() => {
            this.timers.delete(timer);
            const attempt = job.attempt + 1;
            this.waiting.push({ ...job, attempt, lastAttempt: attempt > this.options.retryDelaysMs.length });
            this.pump();
          }, delay);
          this.timers.add(timer);
        }
        // Anything else was already reported by the job itself.
      })
      .finally(() => {
        this.running--;
        this.busyCommits.delete(key);
        this.pump();
      });
  }
}

function commitKey(job: QueuedJob): string {
  return `${job.request.repoId}:${job.request.sha}`;
}
