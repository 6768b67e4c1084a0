import type { Logger } from 'pino';
import { statusOf, type Octokit } from '../github/api.ts';
import type { WriteGuard } from '../github/budget.ts';
import { supersededPublication } from '../jobs/grading-job.ts';
import { HeldLease, LeaseLost } from '../jobs/lease.ts';
import { isDeadOwner, workerName } from '../jobs/queue.ts';
import type { OutboxRow, PublicationLease } from '../store/outbox.ts';
import type { Store } from '../store/store.ts';
import { resumeAt } from './budget.ts';
import { send } from './send.ts';

export interface OutboxOptions {
  readonly store: Store;
  /** A client for the installation whose every write waits for the shared budget, and first passes `guard`. */
  octokitFor(installationId: number, guard: WriteGuard): Promise<Octokit>;
  /** `<app-slug>[bot]`, known before anything is sent. */
  botLogin(): Promise<string>;
  readonly log?: Logger;
  /** Installations sent for at once (each one publication at a time, in order). */
  readonly concurrency?: number;
  readonly leaseMs?: number;
  readonly pollMs?: number;
  /** Waits before each new try after a failure of GitHub's (5xx, network); then the publication is failed. */
  readonly retryDelaysMs?: readonly number[];
}

/**
 * Drains the outbox: the one place that writes to GitHub. Publications go out per
 * installation in the order they were made, each write in its slot of the shared
 * budget; a rate limit pauses the installation (for every process) until GitHub's
 * `retry-after` or `x-ratelimit-reset`, and nothing is lost meanwhile. A drainer
 * that dies mid-send leaves its publication to the next once the lease runs out;
 * that try first looks for what the first may have written.
 */
export class Outbox {
  readonly owner = workerName();
  private readonly options: OutboxOptions & { concurrency: number; leaseMs: number; pollMs: number; retryDelaysMs: readonly number[] };
  private running = 0;
  private pumping = false;
  private pumpAgain = false;
  private closed = false;
  private timer: NodeJS.Timeout | undefined;
  private readonly inFlight = new Set<Promise<void>>();

  constructor(options: OutboxOptions) {
    this.options = { concurrency: 4, leaseMs: 60_000, pollMs: 500, retryDelaysMs: [2_000, 10_000, 60_000, 300_000], ...options };
  }

  get store(): Store {
    return this.options.store;
  }

  /** Starts draining: publications a dead process on this host was sending are taken back first. */
  async start(): Promise<void> {
    const released = await this.store.outbox.releaseOwners(isDeadOwner).catch(() => 0);
    if (released) this.options.log?.warn({ released, outcome: 'resumed' }, 'publications of a stopped process resumed');
    this.wake();
  }

  wake(): void {
    if (this.closed) return;
    if (this.pumping) {
      this.pumpAgain = true;
      return;
    }
    void this.pump();
  }

  /** Stops taking publications and waits for the ones being sent (each ends sent, or back to waiting). */
  async close(): Promise<void> {
    this.closed = true;
    if (this.timer) clearTimeout(this.timer);
    await Promise.allSettled([...this.inFlight]);
  }

  private async pump(): Promise<void> {
    this.pumping = true;
    try {
      do {
        this.pumpAgain = false;
        while (!this.closed && this.running < this.options.concurrency) {
          const row = await this.store.outbox.claim(this.owner, this.options.leaseMs);
          if (!row) break;
          this.startSending(row);
        }
      } while (this.pumpAgain && !this.closed);
      if (!this.closed) {
        if (this.timer) clearTimeout(this.timer);
        // A publication due now but not claimable waits behind one being sent (whose end wakes us) or a pause:
        // only a publication due later sets an earlier timer, so nothing spins on the store meanwhile.
        const next = await this.store.outbox.nextAt();
        const wait = next !== undefined && next > Date.now() ? Math.min(this.options.pollMs, Math.max(5, next - Date.now())) : this.options.pollMs;
        this.timer = setTimeout(() => this.wake(), wait);
        this.timer.unref?.();
      }
    } catch (error) {
      this.options.log?.error({ err: { message: (error as Error).message } }, 'could not claim a publication; retrying');
      this.timer = setTimeout(() => this.wake(), 1_000);
      this.timer.unref?.();
    } finally {
      this.pumping = false;
    }
  }

  private startSending(row: OutboxRow) {
    this.running++;
    const run = this.sendOne(row)
      .catch((error: unknown) => this.options.log?.error({ publication: row.id, err: { message: (error as Error).message } }, 'could not record the end of a publication'))
      .finally(() => {
        this.running--;
        this.inFlight.delete(run);
        this.wake();
      });
    this.inFlight.add(run);
  }

  private async sendOne(row: OutboxRow): Promise<void> {
    const outbox = this.store.outbox;
    const lease = new HeldLease<PublicationLease>({ heartbeat: (l, ms) => outbox.heartbeat(l, ms), holds: (l) => outbox.holds(l) }, row.lease!, this.options.leaseMs, `publication ${row.id}`).start();
    const p = row.publication;
    let written = 0;
    const log = this.options.log?.child({ publication: row.id, kind: row.kind, installation: row.installationId, attempt: row.attempts, ...('repo' in p ? { repo: `${p.owner}/${p.repo}` } : { owner: p.owner }) });
    try {
      const botLogin = await this.options.botLogin();
      const octokit = await this.options.octokitFor(row.installationId, { confirm: () => lease.confirm(), written: () => void written++ });
      const sent = await send(octokit, p, { store: this.store, botLogin, attempt: row.attempts });
      lease.assertHeld();
      await outbox.finish(lease.lease, 'sent', { result: sent.result }, sent.record);
      log?.info({ outcome: 'sent', ...sent.result, waitedMs: Date.now() - row.createdAt }, 'published');
      if (p.kind === 'check-run' && p.noticeForJob && typeof sent.result.checkRunId === 'number') {
        // Superseded while its "queued" check run was on its way: say so now, or it would stay queued.
        const job = await this.store.queue.job(p.noticeForJob);
        if (job?.state === 'superseded' && job.supersededBy) await outbox.enqueue([supersededPublication({ ...p, week: p.week }, sent.result.checkRunId, job.supersededBy)]);
      }
    } catch (error) {
      if (error instanceof LeaseLost || lease.signal.aborted) {
        log?.warn({ outcome: 'lease-lost' }, 'publication left to another drainer: its lease is lost');
        return;
      }
      const status = statusOf(error);
      const message = (error as Error).message ?? String(error);
      const headers = ((error as { response?: { headers?: Record<string, string> } }).response?.headers ?? {}) as Record<string, string>;
      const until = resumeAt(status, headers, Date.now(), message);
      if (until !== undefined) {
        // GitHub asked us to wait: the whole installation waits, in every process; no attempt is spent.
        await this.store.budget.pause(row.installationId, until);
        // A try that wrote part of it counts, so the next looks for what it wrote first.
        await outbox.release(lease.lease, until, `rate limited (${status}): ${message}`, { countAttempt: written > 0 });
        log?.warn({ outcome: 'rate-limited', status, resumeAt: new Date(until).toISOString() }, 'GitHub asked to wait: the installation’s publications are held back');
      } else if (status === 401 || status === 404 || status === 410) {
        // The repository was deleted or the app uninstalled meanwhile: nothing left to tell.
        await outbox.finish(lease.lease, 'gone', { error: `${status}: ${message}` });
        log?.info({ outcome: 'gone', status }, 'publication dropped: its repository is gone');
      } else if ((status === undefined || status >= 500) && row.attempts <= this.options.retryDelaysMs.length) {
        const delay = this.options.retryDelaysMs[row.attempts - 1] ?? this.options.retryDelaysMs.at(-1) ?? 1_000;
        await outbox.release(lease.lease, Date.now() + delay, message, { countAttempt: true });
        log?.warn({ outcome: 'retrying', status, err: { message } }, 'publication failed on GitHub’s side; tried again later');
      } else {
        // Spent its tries, or refused as invalid (a bug of ours): kept as failed for instructors (`rubrica outbox list --failed`).
        await outbox.finish(lease.lease, 'failed', { error: `${status ?? 'error'}: ${message}` });
        log?.error({ outcome: 'failed', status, err: { message } }, 'publication failed');
      }
    } finally {
      lease.stop();
    }
  }
}
