import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import type { Logger } from 'pino';
import type { GradingRequest } from '../events/requests.ts';
import type { ParsedPublication } from '../outbox/publications.ts';
import type { EnqueueResult, JobKind, JobRow, Store, StoredGrading } from '../store/store.ts';
import { JobLease, LeaseLost } from './lease.ts';
import { Pump } from './pump.ts';

export interface QueuedJob {
  readonly id: string;
  readonly kind: JobKind;
  readonly request: JobRow['request'];
  /** The same payload, typed by kind (checked against its schema when read from the store). */
  readonly payload: JobRow['payload'];
  /** 1 on the first try. */
  readonly attempt: number;
  readonly lastAttempt: boolean;
  /** When the job was recorded (epoch ms): how long it waited. */
  readonly createdAt: number;
  /** A check run already written for this job (a long wait's "queued" one). */
  readonly checkRunId?: number;
  /**
   * The job's lease: its `signal` aborts when the lease is lost or may have run out,
   * and every write the job makes goes through it (refused once the job is another's).
   */
  readonly lease: JobLease;
}

/**
 * What a job made, recorded with its end in one transaction under its lease: its
 * grading (if it graded) and its publications (what the outbox will tell GitHub).
 */
export interface JobResult {
  readonly outcome: string;
  readonly state?: 'done' | 'failed';
  readonly grading?: StoredGrading;
  readonly publications?: readonly ParsedPublication[];
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
  /** How long a claimed job stays a worker's without a heartbeat (a dead worker's job is free after this). */
  readonly leaseMs?: number;
  /** How often an idle worker looks for work other processes recorded. */
  readonly pollMs?: number;
  /** false: only record jobs (a webhook server whose grading runs in `rubrica worker`s). */
  readonly work?: boolean;
  readonly log?: Logger;
}

/** `host:pid:random`: a worker's name on its leases, telling whether it is alive. */
export function workerName(): string {
  return `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`;
}

/** A lease owner on this host whose process is gone. Owners elsewhere are judged by their leases only. */
export function isDeadOwner(owner: string): boolean {
  const [host, pid] = owner.split(':');
  if (host !== hostname() || !pid || Number(pid) === process.pid) return false;
  try {
    process.kill(Number(pid), 0);
    return false;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'ESRCH';
  }
}

/**
 * The durable grading queue. The webhook handler records a job in the store and
 * returns; workers (here, in other processes, on other machines) lease jobs with a
 * bounded concurrency and a lease kept alive by a heartbeat. A worker that dies
 * leaves its job to the next one once the lease runs out (at once on the same host,
 * where a dead process is seen). Every job ends once: only the lease holder can end it.
 */
export class GradingQueue {
  readonly store: Store;
  readonly owner = workerName();
  private readonly process: (job: QueuedJob) => Promise<string | JobResult>;
  private readonly options: Required<Omit<QueueOptions, 'log'>> & { log?: Logger };
  private readonly pump: Pump<JobRow>;
  private closed = false;

  constructor(store: Store, process: (job: QueuedJob) => Promise<string | JobResult>, options: QueueOptions) {
    this.store = store;
    this.process = process;
    this.options = { leaseMs: 30_000, pollMs: 500, work: true, ...options };
    this.pump = new Pump<JobRow>({
      concurrency: this.options.concurrency,
      pollMs: this.options.pollMs,
      claim: () => this.store.queue.claim(this.owner, this.options.leaseMs),
      run: (row) => this.runJob(row),
      nextAt: () => this.store.queue.nextRunAt(),
      what: 'a job',
      ...(this.options.log ? { log: this.options.log } : {}),
    });
  }

  get maxAttempts(): number {
    return this.options.retryDelaysMs.length + 1;
  }

  /** Records the request durably (or says it is a duplicate, merged or superseded) and wakes a worker. */
  async enqueue(request: GradingRequest): Promise<EnqueueResult> {
    const result = await this.store.queue.enqueue(request, { maxAttempts: this.maxAttempts });
    this.wake();
    return result;
  }

  dropInstallation(installationId: number): Promise<number> {
    return this.store.queue.dropInstallation(installationId);
  }

  /** Starts working: jobs left running by a dead process on this host are taken back first. */
  async start(): Promise<void> {
    if (!this.options.work) return;
    const released = await this.store.queue.releaseOwners(isDeadOwner);
    if (released) this.options.log?.warn({ released, outcome: 'resumed' }, 'jobs of a stopped process resumed');
    this.wake();
  }

  wake(): void {
    if (!this.options.work || this.closed) return;
    this.pump.wake();
  }

  /** Settles when no job waits or runs anywhere in the store, and no publication waits to be sent (tests, benchmarks). */
  async idle(pollMs = 10): Promise<void> {
    for (;;) {
      const counts = await this.store.queue.counts();
      const outbox = await this.store.outbox.counts();
      if (counts.queued === 0 && counts.running === 0 && this.pump.running === 0 && outbox.waiting === 0 && outbox.sending === 0) return;
      await new Promise((r) => setTimeout(r, pollMs));
    }
  }

  private readonly closeHooks: (() => void | Promise<void>)[] = [];

  /** Runs `fn` when the queue closes (companions: the queued notices' timer, the outbox). */
  onClose(fn: () => void | Promise<void>): void {
    this.closeHooks.push(fn);
  }

  /** Stops taking jobs and waits for the ones running here (and for the companions to stop). */
  async close(): Promise<void> {
    this.closed = true;
    const companions = this.closeHooks.splice(0).map((fn) => fn());
    await Promise.allSettled([this.pump.close(), ...companions]);
  }

  private async runJob(row: JobRow): Promise<void> {
    const { leaseMs } = this.options;
    const lease = new JobLease(this.store.queue, row.lease!, leaseMs).start();
    const job: QueuedJob = { id: row.id, kind: row.kind, request: row.request, payload: row.payload, attempt: row.attempts, lastAttempt: row.attempts >= row.maxAttempts, createdAt: row.createdAt, lease, ...(row.checkRunId !== null ? { checkRunId: row.checkRunId } : {}) };
    const log = this.options.log;
    try {
      const done = await this.process(job);
      const result: JobResult = typeof done === 'string' ? { outcome: done } : done;
      lease.assertHeld();
      await this.store.queue.completeJob(lease.lease, { ...result, state: result.state ?? (result.outcome === 'infrastructure-error' ? 'failed' : 'done'), held: row.kind === 'grade' && row.request.hold !== undefined });
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      if (error instanceof LeaseLost || (error as Error)?.cause instanceof LeaseLost || lease.signal.aborted) {
        // Another worker has the job (or will): this one stops and writes nothing more.
        log?.warn({ jobId: row.id, attempt: job.attempt, outcome: 'lease-lost', err: { message: lease.signal.aborted ? String((lease.signal.reason as Error).message) : message } }, 'job stopped: its lease is lost');
      } else if (error instanceof RetryLater && !job.lastAttempt) {
        const delays = this.options.retryDelaysMs;
        await this.store.queue.retryLater(lease.lease, delays[job.attempt - 1] ?? delays.at(-1) ?? 0, message);
      } else {
        // A bug of ours: the job is kept as failed for an instructor to see and requeue.
        log?.error({ jobId: row.id, err: { message } }, 'job crashed');
        await this.store.queue.finish(lease.lease, 'failed', 'crashed', message);
      }
    } finally {
      lease.stop();
    }
  }
}
