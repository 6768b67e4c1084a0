import { randomUUID } from 'node:crypto';
import type { CommandRequest, GradingRequest } from '../events/requests.ts';
import { payloadOf, type JobPayload } from '../jobs/payloads.ts';
import type { ParsedPublication } from '../outbox/publications.ts';
import type { OutboxStore } from './outbox.ts';
import type { RecordStore, StoredGrading } from './record.ts';
import type { RegradeStore } from './regrades.ts';
import { forUpdate, one, skipLocked, type SqlDatabase, type SqlRunner } from './sql.ts';

export type JobState = 'queued' | 'running' | 'done' | 'superseded' | 'failed' | 'dropped';
export type JobKind = 'grade' | 'supersede-notice' | 'ta-command';

/**
 * One claim of a job: the worker that holds it and a token new to this claim. Every
 * write a job makes (its end, its grading, its publications) names its lease and is
 * refused once the job was taken over.
 */
export interface Lease {
  readonly jobId: string;
  readonly owner: string;
  readonly token: string;
}

/** A job's write refused because its lease was lost (taken over by another worker). */
export class LeaseLost extends Error {
  constructor(what: string, why = 'taken over by another worker') {
    super(`the lease on ${what} is lost (${why})`);
    this.name = 'LeaseLost';
  }
}

/** A job as a worker sees it. */
export interface JobRow {
  readonly id: string;
  readonly kind: JobKind;
  readonly deliveryId: string;
  readonly installationId: number;
  readonly repoId: number;
  readonly sha: string;
  /** The payload, as its kind's schema checked it (src/jobs/payloads.ts); `payload` says which it is. */
  readonly request: GradingRequest & { readonly supersededBy?: string; readonly checkRunId?: number };
  readonly payload: JobPayload;
  readonly state: JobState;
  readonly attempts: number;
  readonly maxAttempts: number;
  readonly runAt: number;
  readonly createdAt: number;
  readonly startedAt: number | null;
  readonly finishedAt: number | null;
  readonly leaseOwner: string | null;
  readonly outcome: string | null;
  readonly lastError: string | null;
  readonly supersededBy: string | null;
  readonly checkRunId: number | null;
  /** The claim a worker holds (a claimed job only). */
  readonly lease: Lease | null;
}

export type EnqueueResult =
  | { readonly status: 'queued'; readonly jobId: string; readonly superseded: readonly string[] }
  | { readonly status: 'merged'; readonly jobId: string }
  | { readonly status: 'superseded'; readonly jobId: string; readonly by: string }
  | { readonly status: 'duplicate-delivery'; readonly jobId: string };


interface JobDbRow {
  id: string;
  kind: JobKind;
  commit_key: string;
  delivery_id: string;
  installation_id: number;
  repo_id: number;
  sha: string;
  request: string;
  state: JobState;
  attempts: number;
  max_attempts: number;
  run_at: number;
  created_at: number;
  started_at: number | null;
  finished_at: number | null;
  lease_owner: string | null;
  outcome: string | null;
  last_error: string | null;
  superseded_by: string | null;
  check_run_id: number | null;
  lease_token: string | null;
}

function job(row: JobDbRow): JobRow {
  // Checked at the boundary: a payload that does not fit its kind fails here, naming the field.
  const request = payloadOf(row.kind, JSON.parse(row.request));
  return {
    payload: { kind: row.kind, request } as JobPayload,
    id: row.id,
    kind: row.kind,
    deliveryId: row.delivery_id,
    installationId: Number(row.installation_id),
    repoId: Number(row.repo_id),
    sha: row.sha,
    request: request as JobRow['request'],
    state: row.state,
    attempts: Number(row.attempts),
    maxAttempts: Number(row.max_attempts),
    runAt: Number(row.run_at),
    createdAt: Number(row.created_at),
    startedAt: row.started_at === null ? null : Number(row.started_at),
    finishedAt: row.finished_at === null ? null : Number(row.finished_at),
    leaseOwner: row.lease_owner,
    outcome: row.outcome,
    lastError: row.last_error,
    supersededBy: row.superseded_by,
    checkRunId: row.check_run_id === null ? null : Number(row.check_run_id),
    lease: row.state === 'running' && row.lease_owner && row.lease_token ? { jobId: row.id, owner: row.lease_owner, token: row.lease_token } : null,
  };
}

/** Which jobs a newer one replaces while they still wait: the same branch of the same repository. */
export function laneOf(r: GradingRequest): string | null {
  if (r.trigger === 'rerun') return null;
  if (r.pullRequest) return `pr:${r.repoId}:${r.pullRequest.number}`;
  return `push:${r.repoId}`;
}

/** One grading per commit and unit: what the record deduplicates on. */
export function commitKeyOf(r: GradingRequest, jobId: string): string {
  if (r.hold) return `${HELD_KEY}${jobId}`;
  return r.trigger === 'rerun' ? `rerun:${jobId}` : `${r.repoId}:${r.sha}:${r.unit ?? 'calendar'}`;
}

/** The commit key of a regrade's job, whose results are held: no "queued" notice tells GitHub of it either. */
const HELD_KEY = 'rerun:held:';

/**
 * Rubrica's durable store over SQLite or PostgreSQL: the grading queue (jobs leased
 * by workers), the grade record, what was published where, extensions, and GitHub's
 * shared write budget. Every method is one short transaction.
 */

/**
 * The grading queue: jobs recorded by the webhook handler, leased by workers with a
 * token per claim, superseded, merged, retried and ended once. Every method is one
 * short transaction.
 */
export class QueueStore {
  private readonly db: SqlDatabase;
  private readonly clock: () => number;
  private readonly record: RecordStore;
  private readonly outbox: OutboxStore;
  private readonly regrades: RegradeStore;

  constructor(db: SqlDatabase, clock: () => number, record: RecordStore, outbox: OutboxStore, regrades: RegradeStore) {
    this.db = db;
    this.clock = clock;
    this.record = record;
    this.outbox = outbox;
    this.regrades = regrades;
  }

  /**
   * Records a job durably, or says why not: the delivery was already taken, the same
   * commit and week is already waiting (the two merge: a pull request number joins
   * the waiting job so its comment is still written), or a newer push already waits.
   * Older jobs still waiting on the same branch are superseded.
   */
  enqueue(given: GradingRequest, options: { maxAttempts: number }): Promise<EnqueueResult> {
    return this.db.transaction((tx) => this.enqueueIn(tx, given, options));
  }

  /** `enqueue`, inside a transaction of the caller's (a regrade records its jobs with itself). */
  async enqueueIn(tx: SqlRunner, given: GradingRequest, options: { maxAttempts: number }): Promise<EnqueueResult> {
    const request: GradingRequest = payloadOf('grade', given);
    {
      const now = this.clock();
      const seen = await one<{ id: string }>(tx, `SELECT id FROM jobs WHERE delivery_id = ? AND kind = 'grade'`, [request.deliveryId]);
      if (seen) return { status: 'duplicate-delivery', jobId: seen.id };
      const id = randomUUID();
      const commitKey = commitKeyOf(request, id);
      const waiting = await one<JobDbRow>(tx, `SELECT * FROM jobs WHERE commit_key = ? AND state = 'queued'`, [commitKey]);
      if (waiting) {
        const existing = JSON.parse(waiting.request) as GradingRequest;
        if (request.pullRequest && !existing.pullRequest) {
          await tx.run(`UPDATE jobs SET request = ? WHERE id = ?`, [JSON.stringify({ ...existing, pullRequest: request.pullRequest }), waiting.id]);
        }
        // The delivery is remembered, so its redelivery is a duplicate too.
        await tx.run(
          `INSERT INTO jobs (id, kind, delivery_id, installation_id, repo_id, sha, lane, commit_key, delivered_at, request, state, max_attempts, run_at, created_at, finished_at, outcome)
           VALUES (?, 'grade', ?, ?, ?, ?, NULL, ?, ?, ?, 'done', 0, ?, ?, ?, 'merged')`,
          [id, request.deliveryId, request.installationId, request.repoId, request.sha, `merged:${waiting.id}`, request.deliveredAt, JSON.stringify(request), now, now, now],
        );
        return { status: 'merged', jobId: waiting.id };
      }
      const lane = laneOf(request);
      let state: JobState = 'queued';
      let supersededBy: string | null = null;
      let superseded: string[] = [];
      if (lane) {
        const newer = await one<{ sha: string }>(tx, `SELECT sha FROM jobs WHERE lane = ? AND state = 'queued' AND kind = 'grade' AND delivered_at > ? ORDER BY delivered_at DESC LIMIT 1`, [lane, request.deliveredAt]);
        if (newer) {
          state = 'superseded';
          supersededBy = newer.sha;
        } else {
          const older = await tx.all<JobDbRow>(`SELECT * FROM jobs WHERE lane = ? AND state = 'queued' AND kind = 'grade' AND delivered_at <= ?`, [lane, request.deliveredAt]);
          superseded = older.map((o) => o.id);
          for (const o of older) {
            await tx.run(`UPDATE jobs SET state = 'superseded', superseded_by = ?, finished_at = ?, outcome = 'superseded' WHERE id = ?`, [request.sha, now, o.id]);
            // A commit that already shows a check run is told which commit replaced it; others cost no write.
            if (o.check_run_id !== null) await this.insertNotice(tx, o, request.sha, now);
          }
        }
      }
      await tx.run(
        `INSERT INTO jobs (id, kind, delivery_id, installation_id, repo_id, sha, lane, commit_key, delivered_at, request, state, max_attempts, run_at, created_at, finished_at, outcome, superseded_by)
         VALUES (?, 'grade', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
        [
          id,
          request.deliveryId,
          request.installationId,
          request.repoId,
          request.sha,
          lane,
          state === 'queued' ? commitKey : `superseded:${id}`,
          request.deliveredAt,
          JSON.stringify(request),
          state,
          options.maxAttempts,
          now,
          now,
          state === 'queued' ? null : now,
          state === 'queued' ? null : 'superseded',
          supersededBy,
        ],
      );
      if (state === 'superseded') return { status: 'superseded', jobId: id, by: supersededBy! };
      return { status: 'queued', jobId: id, superseded };
    }
  }

  private async insertNotice(tx: SqlRunner, old: JobDbRow, bySha: string, now: number) {
    const request = { ...(JSON.parse(old.request) as GradingRequest), supersededBy: bySha, checkRunId: Number(old.check_run_id) };
    await tx.run(
      `INSERT INTO jobs (id, kind, delivery_id, installation_id, repo_id, sha, lane, commit_key, delivered_at, request, state, max_attempts, run_at, created_at)
       VALUES (?, 'supersede-notice', ?, ?, ?, ?, NULL, ?, ?, ?, 'queued', ?, ?, ?)`,
      [randomUUID(), old.delivery_id, old.installation_id, old.repo_id, old.sha, `notice:${old.id}`, old.request ? JSON.parse(old.request).deliveredAt : '', JSON.stringify(request), Number(old.max_attempts) || 1, now, now],
    );
  }

  /**
   * Leases the next ready job to `owner` until now + leaseMs. A running job whose
   * lease ran out (its worker died) is ready again; jobs for a commit and week that
   * is being graded wait for it. A job whose attempts are spent by dying workers
   * ends as failed (an instructor can requeue it).
   */
  async claim(owner: string, leaseMs: number): Promise<JobRow | undefined> {
    for (;;) {
      const claimed = await this.db.transaction(async (tx) => {
        const now = this.clock();
        const row = await one<JobDbRow>(
          tx,
          `SELECT * FROM jobs j
            WHERE (j.state = 'queued' AND j.run_at <= ? AND (j.notice_until IS NULL OR j.notice_until < ?)
                   AND NOT EXISTS (SELECT 1 FROM jobs r WHERE r.state = 'running' AND r.commit_key = j.commit_key))
               OR (j.state = 'running' AND j.lease_until < ?)
            ORDER BY j.run_at, j.created_at
            LIMIT 1${skipLocked(tx)}`,
          [now, now, now],
        );
        if (!row) return null;
        if (row.state === 'running' && Number(row.attempts) >= Number(row.max_attempts)) {
          await tx.run(`UPDATE jobs SET state = 'failed', outcome = 'infrastructure-error', finished_at = ?, lease_owner = NULL, last_error = ? WHERE id = ?`, [now, `the worker grading it stopped ${row.attempts} times (crash, kill or power loss)`, row.id]);
          return 'again' as const;
        }
        const token = randomUUID();
        await tx.run(`UPDATE jobs SET state = 'running', attempts = attempts + 1, lease_owner = ?, lease_token = ?, lease_until = ?, started_at = COALESCE(started_at, ?) WHERE id = ?`, [owner, token, now + leaseMs, now, row.id]);
        return job({ ...row, state: 'running', attempts: Number(row.attempts) + 1, lease_owner: owner, lease_token: token });
      });
      if (claimed !== 'again') return claimed ?? undefined;
    }
  }

  /** Extends a lease; false when the job is no longer this claim's. */
  async heartbeat(lease: Lease, leaseMs: number): Promise<boolean> {
    return (await this.db.run(`UPDATE jobs SET lease_until = ? WHERE id = ? AND lease_token = ? AND state = 'running'`, [this.clock() + leaseMs, lease.jobId, lease.token])) === 1;
  }

  /** Whether the claim still holds its job (nobody took it over). */
  async holds(lease: Lease): Promise<boolean> {
    return (await one(this.db, `SELECT 1 AS held FROM jobs WHERE id = ? AND lease_token = ? AND state = 'running'`, [lease.jobId, lease.token])) !== undefined;
  }

  /**
   * Runs `fn` in one transaction that first checks (and, on PostgreSQL, locks) the
   * claim: a write made through it is refused (LeaseLost) once the job was taken over.
   */
  withLease<T>(lease: Lease, fn: (tx: SqlRunner) => Promise<T>): Promise<T> {
    return this.db.transaction(async (tx) => {
      const held = await one(tx, `SELECT 1 AS held FROM jobs WHERE id = ? AND lease_token = ? AND state = 'running'${forUpdate(tx)}`, [lease.jobId, lease.token]);
      if (!held) throw new LeaseLost(`job ${lease.jobId}`);
      return fn(tx);
    });
  }

  /** Ends a job once: only its current claim can. */
  async finish(lease: Lease, state: 'done' | 'failed', outcome: string, error?: string): Promise<boolean> {
    const changed = await this.db.run(
      `UPDATE jobs SET state = ?, outcome = ?, last_error = COALESCE(?, last_error), finished_at = ?, lease_owner = NULL, lease_until = NULL, lease_token = NULL WHERE id = ? AND lease_token = ? AND state = 'running'`,
      [state, outcome, error ?? null, this.clock(), lease.jobId, lease.token],
    );
    return changed === 1;
  }

  /**
   * Ends a job with what it made, in one transaction that first checks its lease:
   * the grading is recorded, its publications join the outbox, and the job is
   * done — all of it, or (the lease was lost: LeaseLost) none of it. A job resumed
   * after a crash therefore never finds half of its work done.
   */
  async completeJob(lease: Lease, result: { state: 'done' | 'failed'; outcome: string; grading?: StoredGrading; publications?: readonly ParsedPublication[]; held?: boolean }): Promise<void> {
    await this.withLease(lease, async (tx) => {
      if (result.held) {
        // A regrade's job: what it made waits for the instructor's decision.
        await this.regrades.hold(tx, lease.jobId, result);
      } else {
        if (result.grading) await this.record.insertGrading(tx, result.grading);
        if (result.publications?.length) await this.outbox.add(tx, result.publications, { jobId: lease.jobId });
      }
      await tx.run(`UPDATE jobs SET state = ?, outcome = ?, finished_at = ?, lease_owner = NULL, lease_until = NULL, lease_token = NULL WHERE id = ?`, [result.state, result.outcome, this.clock(), lease.jobId]);
    });
  }

  /**
   * Puts a job back to wait `delayMs` (a failure of ours that may pass). If the same
   * commit and week arrived again meanwhile and waits already, that job grades it:
   * this one ends, handing over its pull request for the comment.
   */
  async retryLater(lease: Lease, delayMs: number, error: string): Promise<boolean> {
    return this.db.transaction(async (tx) => {
      const mine = await one<JobDbRow>(tx, `SELECT * FROM jobs WHERE id = ? AND lease_token = ? AND state = 'running'${forUpdate(tx)}`, [lease.jobId, lease.token]);
      if (!mine) return false;
      const jobId = lease.jobId;
      const waiting = await one<JobDbRow>(tx, `SELECT * FROM jobs WHERE commit_key = ? AND state = 'queued' AND id <> ?`, [mine.commit_key, jobId]);
      if (waiting) {
        const request = JSON.parse(mine.request) as GradingRequest;
        const other = JSON.parse(waiting.request) as GradingRequest;
        if (request.pullRequest && !other.pullRequest) await tx.run(`UPDATE jobs SET request = ? WHERE id = ?`, [JSON.stringify({ ...other, pullRequest: request.pullRequest }), waiting.id]);
        await tx.run(`UPDATE jobs SET state = 'done', outcome = 'merged', last_error = ?, finished_at = ?, lease_owner = NULL, lease_until = NULL, lease_token = NULL WHERE id = ?`, [error, this.clock(), jobId]);
        return true;
      }
      await tx.run(`UPDATE jobs SET state = 'queued', run_at = ?, last_error = ?, lease_owner = NULL, lease_until = NULL, lease_token = NULL WHERE id = ?`, [this.clock() + delayMs, error, jobId]);
      return true;
    });
  }

  /** Running jobs whose owner is known dead (same host, process gone) are ready at once. */
  async releaseOwners(isDead: (owner: string) => boolean): Promise<number> {
    const running = await this.db.all<{ id: string; lease_owner: string }>(`SELECT id, lease_owner FROM jobs WHERE state = 'running'`);
    let released = 0;
    for (const r of running) {
      if (r.lease_owner && isDead(r.lease_owner)) released += await this.db.run(`UPDATE jobs SET lease_until = 0 WHERE id = ? AND lease_owner = ? AND state = 'running'`, [r.id, r.lease_owner]);
    }
    return released;
  }

  /**
   * How GitHub delivered a commit to us, earliest first: its push and pull-request
   * requests (merged ones too; re-runs and regrades are not deliveries). The first is
   * what a re-run of that commit is dated by.
   */
  async deliveriesOf(repoId: number, sha: string): Promise<GradingRequest[]> {
    const rows = await this.db.all<{ request: string }>(`SELECT request FROM jobs WHERE repo_id = ? AND sha = ? AND kind = 'grade' AND commit_key NOT LIKE 'rerun:%' ORDER BY delivered_at, created_at`, [repoId, sha]);
    return rows.map((row) => payloadOf('grade', JSON.parse(row.request)));
  }

  /** An instructor's requeue of failed jobs (all of them, or one). */
  async requeue(jobId?: string): Promise<number> {
    const now = this.clock();
    return this.db.run(
      `UPDATE jobs SET state = 'queued', attempts = 0, run_at = ?, finished_at = NULL, outcome = NULL WHERE state = 'failed' AND kind = 'grade'${jobId ? ' AND id = ?' : ''}
         AND NOT EXISTS (SELECT 1 FROM jobs w WHERE w.state = 'queued' AND w.commit_key = jobs.commit_key)`,
      jobId ? [now, jobId] : [now],
    );
  }

  /** Jobs not yet started for an installation that is gone. */
  async dropInstallation(installationId: number): Promise<number> {
    return this.db.run(`UPDATE jobs SET state = 'dropped', outcome = 'installation-removed', finished_at = ? WHERE installation_id = ? AND state = 'queued'`, [this.clock(), installationId]);
  }

  async jobs(filter: { state?: JobState; outcome?: string; limit?: number } = {}): Promise<JobRow[]> {
    const conditions: string[] = [];
    const params: (string | number)[] = [];
    if (filter.state) (conditions.push('state = ?'), params.push(filter.state));
    if (filter.outcome) (conditions.push('outcome = ?'), params.push(filter.outcome));
    const rows = await this.db.all<JobDbRow>(
      `SELECT * FROM jobs${conditions.length ? ` WHERE ${conditions.join(' AND ')}` : ''} ORDER BY created_at DESC LIMIT ?`,
      [...params, filter.limit ?? 1000],
    );
    return rows.map(job);
  }

  async job(id: string): Promise<JobRow | undefined> {
    const row = await one<JobDbRow>(this.db, `SELECT * FROM jobs WHERE id = ?`, [id]);
    return row ? job(row) : undefined;
  }

  async counts(): Promise<Record<JobState, number>> {
    const rows = await this.db.all<{ state: JobState; n: number }>(`SELECT state, COUNT(*) AS n FROM jobs GROUP BY state`);
    const counts = { queued: 0, running: 0, done: 0, superseded: 0, failed: 0, dropped: 0 };
    for (const r of rows) counts[r.state] = Number(r.n);
    return counts;
  }

  /** When the next waiting job becomes ready (ms epoch), if any. */
  async nextRunAt(): Promise<number | undefined> {
    const row = await one<{ t: number | null }>(this.db, `SELECT MIN(run_at) AS t FROM jobs WHERE state = 'queued'`);
    return row?.t === null || row?.t === undefined ? undefined : Number(row.t);
  }

  /** Remembers a job's check run; returns the job as it is now (it may have been superseded meanwhile). */
  async setJobCheckRun(jobId: string, checkRunId: number): Promise<JobRow | undefined> {
    await this.db.run(`UPDATE jobs SET check_run_id = ?, notice_until = NULL WHERE id = ?`, [checkRunId, jobId]);
    return this.job(jobId);
  }

  /** Grading jobs waiting longer than `olderThanMs` that show nothing on GitHub yet (and have no notice on its way). */
  async longWaiting(olderThanMs: number, limit = 20): Promise<JobRow[]> {
    const now = this.clock();
    const rows = await this.db.all<JobDbRow>(
      `SELECT * FROM jobs WHERE state = 'queued' AND kind = 'grade' AND check_run_id IS NULL AND created_at < ? AND commit_key NOT LIKE '${HELD_KEY}%'
         AND NOT EXISTS (SELECT 1 FROM outbox o WHERE o.job_id = jobs.id AND o.state IN ('waiting', 'sending', 'sent'))
       ORDER BY created_at LIMIT ?`,
      [now - olderThanMs, limit],
    );
    return rows.map(job);
  }

  /** How many grading jobs wait ahead of this one. */
  async jobsAhead(job: Pick<JobRow, 'createdAt'>): Promise<number> {
    const row = await one<{ n: number }>(this.db, `SELECT COUNT(*) AS n FROM jobs WHERE state IN ('queued', 'running') AND kind = 'grade' AND created_at < ?`, [job.createdAt]);
    return Number(row?.n ?? 0);
  }

  /** Records a TA command to be carried out by a worker (one job per comment delivery). */
  async enqueueCommand(given: CommandRequest): Promise<EnqueueResult> {
    const request: CommandRequest = payloadOf('ta-command', given);
    return this.db.transaction(async (tx) => {
      const now = this.clock();
      const seen = await one<{ id: string }>(tx, `SELECT id FROM jobs WHERE delivery_id = ? AND kind = 'ta-command'`, [request.deliveryId]);
      if (seen) return { status: 'duplicate-delivery', jobId: seen.id };
      const id = randomUUID();
      await tx.run(
        `INSERT INTO jobs (id, kind, delivery_id, installation_id, repo_id, sha, lane, commit_key, delivered_at, request, state, max_attempts, run_at, created_at)
         VALUES (?, 'ta-command', ?, ?, ?, ?, NULL, ?, ?, ?, 'queued', 3, ?, ?)`,
        [id, request.deliveryId, request.installationId, request.repoId, request.sha || '-', `command:${id}`, request.deliveredAt, JSON.stringify(request), now, now],
      );
      return { status: 'queued', jobId: id, superseded: [] };
    });
  }
}
