import type { Logger } from 'pino';
import { statusOf, type Octokit } from '../github/api.ts';
import type { WriteGuard } from '../github/budget.ts';
import { supersededPublication } from '../jobs/grading-job.ts';
import { HeldLease, LeaseLost } from '../jobs/lease.ts';
import { Pump } from '../jobs/pump.ts';
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
  private readonly pump: Pump<OutboxRow>;

  constructor(options: OutboxOptions) {
    this.options = { concurrency: 4, leaseMs: 60_000, pollMs: 500, retryDelaysMs: [2_000, 10_000, 60_000, 300_000], ...options };
    this.pump = new Pump<OutboxRow>({
      concurrency: this.options.concurrency,
      pollMs: this.options.pollMs,
      claim: () => this.store.outbox.claim(this.owner, this.options.leaseMs),
      run: (row) => this.sendOne(row),
      nextAt: () => this.store.outbox.nextAt(),
      what: 'a publication',
      ...(this.options.log ? { log: this.options.log } : {}),
    });
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
    this.pump.wake();
  }

  /** Stops taking publications and waits for the ones being sent (each ends sent, or back to waiting). */
  close(): Promise<void> {
    return this.pump.close();
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
        if (job?.state === 'superseded' && job.supersededBy) await outbox.enqueue([supersededPublication(p, sent.result.checkRunId, job.supersededBy)]);
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
