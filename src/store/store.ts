import { randomUUID } from 'node:crypto';
import type { CommandRequest, GradingRequest } from '../events/requests.ts';
import type { Grade } from '../grading/grade.ts';
import { migrate } from './migrations.ts';
import type { CountingRule, Extension, GradingRecord, Lateness, Override, RecordedCriterion } from './records.ts';
import { one, skipLocked, type SqlDatabase, type SqlRunner } from './sql.ts';

export type JobState = 'queued' | 'running' | 'done' | 'superseded' | 'failed' | 'dropped';
export type JobKind = 'grade' | 'supersede-notice' | 'ta-command';

/** A job as a worker sees it. */
export interface JobRow {
  readonly id: string;
  readonly kind: JobKind;
  readonly deliveryId: string;
  readonly installationId: number;
  readonly repoId: number;
  readonly sha: string;
  readonly request: GradingRequest & { readonly supersededBy?: string; readonly checkRunId?: number };
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
}

export type EnqueueResult =
  | { readonly status: 'queued'; readonly jobId: string; readonly superseded: readonly string[] }
  | { readonly status: 'merged'; readonly jobId: string }
  | { readonly status: 'superseded'; readonly jobId: string; readonly by: string }
  | { readonly status: 'duplicate-delivery'; readonly jobId: string };

/** A grading with the full grade, as stored. */
export type StoredGrading = GradingRecord & { readonly grade: Grade };

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
}

function job(row: JobDbRow): JobRow {
  return {
    id: row.id,
    kind: row.kind,
    deliveryId: row.delivery_id,
    installationId: Number(row.installation_id),
    repoId: Number(row.repo_id),
    sha: row.sha,
    request: JSON.parse(row.request),
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
  };
}

/** Which jobs a newer one replaces while they still wait: the same branch of the same repository. */
export function laneOf(r: GradingRequest): string | null {
  if (r.trigger === 'rerun') return null;
  if (r.pullRequest) return `pr:${r.repoId}:${r.pullRequest.number}`;
  return `push:${r.repoId}`;
}

/** One grading per commit and week: what the record deduplicates on. */
export function commitKeyOf(r: GradingRequest, jobId: string): string {
  return r.trigger === 'rerun' ? `rerun:${jobId}` : `${r.repoId}:${r.sha}:${r.week ?? 'calendar'}`;
}

/**
 * Rubrica's durable store over SQLite or PostgreSQL: the grading queue (jobs leased
 * by workers), the grade record, what was published where, extensions, and GitHub's
 * shared write budget. Every method is one short transaction.
 */
export class Store {
  readonly db: SqlDatabase;
  private readonly clock: () => number;

  private constructor(db: SqlDatabase, clock: () => number) {
    this.db = db;
    this.clock = clock;
  }

  static async open(db: SqlDatabase, options: { clock?: () => number } = {}): Promise<Store> {
    await migrate(db);
    return new Store(db, options.clock ?? Date.now);
  }

  close(): Promise<void> {
    return this.db.close();
  }

  // ── The queue ────────────────────────────────────────────────────────────

  /**
   * Records a job durably, or says why not: the delivery was already taken, the same
   * commit and week is already waiting (the two merge: a pull request number joins
   * the waiting job so its comment is still written), or a newer push already waits.
   * Older jobs still waiting on the same branch are superseded.
   */
  enqueue(request: GradingRequest, options: { maxAttempts: number }): Promise<EnqueueResult> {
    return this.db.transaction(async (tx) => {
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
    });
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
        await tx.run(`UPDATE jobs SET state = 'running', attempts = attempts + 1, lease_owner = ?, lease_until = ?, started_at = COALESCE(started_at, ?) WHERE id = ?`, [owner, now + leaseMs, now, row.id]);
        return job({ ...row, state: 'running', attempts: Number(row.attempts) + 1, lease_owner: owner });
      });
      if (claimed !== 'again') return claimed ?? undefined;
    }
  }

  /** Extends a lease; false when the job is no longer this owner's. */
  async heartbeat(jobId: string, owner: string, leaseMs: number): Promise<boolean> {
    return (await this.db.run(`UPDATE jobs SET lease_until = ? WHERE id = ? AND lease_owner = ? AND state = 'running'`, [this.clock() + leaseMs, jobId, owner])) === 1;
  }

  /** Ends a job once: only its current owner can. */
  async finish(jobId: string, owner: string, state: 'done' | 'failed', outcome: string, error?: string): Promise<boolean> {
    const changed = await this.db.run(
      `UPDATE jobs SET state = ?, outcome = ?, last_error = COALESCE(?, last_error), finished_at = ?, lease_owner = NULL, lease_until = NULL WHERE id = ? AND lease_owner = ? AND state = 'running'`,
      [state, outcome, error ?? null, this.clock(), jobId, owner],
    );
    return changed === 1;
  }

  /**
   * Puts a job back to wait `delayMs` (a failure of ours that may pass). If the same
   * commit and week arrived again meanwhile and waits already, that job grades it:
   * this one ends, handing over its pull request for the comment.
   */
  async retryLater(jobId: string, owner: string, delayMs: number, error: string): Promise<boolean> {
    return this.db.transaction(async (tx) => {
      const mine = await one<JobDbRow>(tx, `SELECT * FROM jobs WHERE id = ? AND lease_owner = ? AND state = 'running'`, [jobId, owner]);
      if (!mine) return false;
      const waiting = await one<JobDbRow>(tx, `SELECT * FROM jobs WHERE commit_key = ? AND state = 'queued' AND id <> ?`, [mine.commit_key, jobId]);
      if (waiting) {
        const request = JSON.parse(mine.request) as GradingRequest;
        const other = JSON.parse(waiting.request) as GradingRequest;
        if (request.pullRequest && !other.pullRequest) await tx.run(`UPDATE jobs SET request = ? WHERE id = ?`, [JSON.stringify({ ...other, pullRequest: request.pullRequest }), waiting.id]);
        await tx.run(`UPDATE jobs SET state = 'done', outcome = 'merged', last_error = ?, finished_at = ?, lease_owner = NULL, lease_until = NULL WHERE id = ?`, [error, this.clock(), jobId]);
        return true;
      }
      await tx.run(`UPDATE jobs SET state = 'queued', run_at = ?, last_error = ?, lease_owner = NULL, lease_until = NULL WHERE id = ?`, [this.clock() + delayMs, error, jobId]);
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

  async jobs(filter: { state?: JobState; limit?: number } = {}): Promise<JobRow[]> {
    const rows = await this.db.all<JobDbRow>(
      `SELECT * FROM jobs${filter.state ? ' WHERE state = ?' : ''} ORDER BY created_at DESC LIMIT ?`,
      filter.state ? [filter.state, filter.limit ?? 1000] : [filter.limit ?? 1000],
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

  /** Grading jobs waiting longer than `olderThanMs` that show nothing on GitHub yet. */
  async longWaiting(olderThanMs: number, limit = 20): Promise<JobRow[]> {
    const now = this.clock();
    const rows = await this.db.all<JobDbRow>(
      `SELECT * FROM jobs WHERE state = 'queued' AND kind = 'grade' AND check_run_id IS NULL AND created_at < ? AND (notice_until IS NULL OR notice_until < ?) ORDER BY created_at LIMIT ?`,
      [now - olderThanMs, now, limit],
    );
    return rows.map(job);
  }

  /**
   * Holds a waiting job back from workers while its "queued" check run is written
   * (so the worker completes that check run instead of creating a second one).
   * The hold expires by itself should the writer die.
   */
  async holdForNotice(jobId: string, holdMs: number): Promise<boolean> {
    const now = this.clock();
    return (await this.db.run(`UPDATE jobs SET notice_until = ? WHERE id = ? AND state = 'queued' AND check_run_id IS NULL AND (notice_until IS NULL OR notice_until < ?)`, [now + holdMs, jobId, now])) === 1;
  }

  async releaseNotice(jobId: string): Promise<void> {
    await this.db.run(`UPDATE jobs SET notice_until = NULL WHERE id = ?`, [jobId]);
  }

  /** How many grading jobs wait ahead of this one. */
  async jobsAhead(job: Pick<JobRow, 'createdAt'>): Promise<number> {
    const row = await one<{ n: number }>(this.db, `SELECT COUNT(*) AS n FROM jobs WHERE state IN ('queued', 'running') AND kind = 'grade' AND created_at < ?`, [job.createdAt]);
    return Number(row?.n ?? 0);
  }

  /** Whether an installation's write lane is free now (no write waiting for its slot). */
  async budgetIdle(installationId: number): Promise<boolean> {
    const row = await one<{ next_write_at: number }>(this.db, `SELECT next_write_at FROM write_budget WHERE installation_id = ?`, [installationId]);
    return !row || Number(row.next_write_at) <= this.clock();
  }

  // ── The grade record ──────────────────────────────────────────────────────

  /** Records a grading once per job (a resumed job finds its own). false: it was already there. */
  async recordGrading(g: StoredGrading): Promise<boolean> {
    const changed = await this.db.run(
      `INSERT INTO gradings (job_id, installation_id, org, repo_id, repo, students, week, sha, delivered_at, graded_at, trigger_kind, pull_request,
         pack_name, pack_hash, image, image_id, score, max_score, pending_points, error_points, criteria, late, penalty, final_score, check_run_id, check_run_url, grade)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT (job_id) DO NOTHING`,
      [
        g.jobId, g.installationId, g.org, g.repoId, g.repo, JSON.stringify(g.students), g.week, g.sha, g.deliveredAt, g.gradedAt, g.trigger, g.pullRequest ?? null,
        g.packName, g.packHash, g.image, g.imageId, g.score, g.maxScore, g.pendingPoints, g.errorPoints, JSON.stringify(g.criteria), JSON.stringify(g.late), g.penalty, g.finalScore,
        g.checkRunId ?? null, g.checkRunUrl ?? null, JSON.stringify(g.grade),
      ],
    );
    return changed === 1;
  }

  async markPublished(jobId: string, checkRun: { id: number; url?: string }): Promise<void> {
    await this.db.run(`UPDATE gradings SET check_run_id = ?, check_run_url = ?, published_at = ? WHERE job_id = ?`, [checkRun.id, checkRun.url ?? null, new Date(this.clock()).toISOString(), jobId]);
  }

  async gradingOfJob(jobId: string): Promise<StoredGrading | undefined> {
    const row = await one<GradingDbRow>(this.db, `SELECT * FROM gradings WHERE job_id = ?`, [jobId]);
    return row ? grading(row) : undefined;
  }

  async gradings(filter: { org?: string; week?: number; repoId?: number } = {}): Promise<StoredGrading[]> {
    const { where, params } = whereOf(filter);
    const rows = await this.db.all<GradingDbRow>(`SELECT * FROM gradings${where} ORDER BY delivered_at, graded_at`, params);
    return rows.map(grading);
  }

  /** Re-applies lateness to a student's week after an extension changed (the record stays the truth). */
  async updateLateness(jobId: string, late: Lateness, penalty: number, finalScore: number | null): Promise<void> {
    await this.db.run(`UPDATE gradings SET late = ?, penalty = ?, final_score = ? WHERE job_id = ?`, [JSON.stringify(late), penalty, finalScore, jobId]);
  }

  async extensionFor(repoId: number, week: number): Promise<Extension | undefined> {
    const row = await one<{ org: string; repo_id: number; week: number; minutes: number; granted_by: string; granted_at: string; reason: string | null }>(this.db, `SELECT * FROM extensions WHERE repo_id = ? AND week = ?`, [repoId, week]);
    return row ? { org: row.org, repoId: Number(row.repo_id), week: Number(row.week), minutes: Number(row.minutes), grantedBy: row.granted_by, grantedAt: row.granted_at, ...(row.reason ? { reason: row.reason } : {}) } : undefined;
  }

  async saveExtension(e: Extension): Promise<void> {
    await this.db.run(
      `INSERT INTO extensions (org, repo_id, week, minutes, granted_by, granted_at, reason) VALUES (?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT (repo_id, week) DO UPDATE SET minutes = excluded.minutes, granted_by = excluded.granted_by, granted_at = excluded.granted_at, reason = excluded.reason`,
      [e.org, e.repoId, e.week, e.minutes, e.grantedBy, e.grantedAt, e.reason ?? null],
    );
  }

  // ── TAs' changes ──────────────────────────────────────────────────────────

  /** Records a TA's override (or manual score, or clearing) of a criterion for a week. */
  async saveOverride(o: { org: string; repoId: number; week: number; criterion: string; action: 'override' | 'manual' | 'clear'; points?: number; reason?: string; by: string; at: string; automaticPoints: number | null; commentId?: number }): Promise<void> {
    await this.db.transaction(async (tx) => {
      // One writer at a time numbers the events (PostgreSQL; SQLite's transaction already is one).
      if (tx.dialect === 'postgres') await tx.all('SELECT pg_advisory_xact_lock(7431002)');
      const seq = Number((await one<{ n: number | null }>(tx, `SELECT MAX(seq) AS n FROM overrides`))?.n ?? 0) + 1;
      await tx.run(
        `INSERT INTO overrides (id, org, repo_id, week, criterion, action, points, reason, by_login, at, seq, automatic_points, comment_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
        [randomUUID(), o.org, o.repoId, o.week, o.criterion, o.action, o.points ?? null, o.reason ?? null, o.by, o.at, seq, o.automaticPoints, o.commentId ?? null],
      );
    });
  }

  /** The overrides in force (the latest event of each criterion, unless it cleared it). */
  async overrides(filter: { org?: string; repoId?: number; week?: number } = {}): Promise<Override[]> {
    const { where, params } = whereOf(filter);
    const rows = await this.db.all<{ org: string; repo_id: number; week: number; criterion: string; action: string; points: number | null; reason: string | null; by_login: string; at: string; automatic_points: number | null; comment_id: number | null }>(
      `SELECT * FROM overrides${where} ORDER BY seq`,
      params,
    );
    const current = new Map<string, (typeof rows)[number]>();
    for (const r of rows) current.set(`${r.repo_id}:${r.week}:${r.criterion}`, r);
    return [...current.values()]
      .filter((r) => r.action !== 'clear')
      .map((r) => ({
        org: r.org,
        repoId: Number(r.repo_id),
        week: Number(r.week),
        criterion: r.criterion,
        points: Number(r.points),
        reason: r.reason ?? '',
        by: r.by_login,
        at: r.at,
        automaticPoints: r.automatic_points === null ? null : Number(r.automatic_points),
        ...(r.comment_id !== null ? { commentId: Number(r.comment_id) } : {}),
      }));
  }

  /** Keeps a TA command's comment as it was when acted on. false: already recorded. */
  async recordCommand(c: { commentId: number; org: string; repoId: number; pullRequest: number; author: string; body: string; outcome: string; at: string }): Promise<boolean> {
    return (
      (await this.db.run(`INSERT INTO ta_commands (comment_id, org, repo_id, pull_request, author, body, outcome, at) VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (comment_id) DO NOTHING`, [
        c.commentId, c.org, c.repoId, c.pullRequest, c.author, c.body, c.outcome, c.at,
      ])) === 1
    );
  }

  /**
   * Whether another refusal of `author` on this pull request was answered since `since`
   * and before this command (a tie broken by comment id, so of two at once exactly one
   * is answered).
   */
  async refusalAnsweredBefore(c: { commentId: number; repoId: number; pullRequest: number; author: string; at: string }, since: string): Promise<boolean> {
    const row = await one<{ comment_id: number }>(
      this.db,
      `SELECT comment_id FROM ta_commands WHERE repo_id = ? AND pull_request = ? AND author = ? AND outcome LIKE 'refused:%' AND at >= ? AND comment_id <> ? AND (at < ? OR (at = ? AND comment_id < ?)) LIMIT 1`,
      [c.repoId, c.pullRequest, c.author, since, c.commentId, c.at, c.at, c.commentId],
    );
    return row !== undefined;
  }

  async setCommandOutcome(commentId: number, outcome: string): Promise<void> {
    await this.db.run(`UPDATE ta_commands SET outcome = ? WHERE comment_id = ?`, [outcome, commentId]);
  }

  async commandOf(commentId: number): Promise<{ author: string; body: string; outcome: string; repoId: number; pullRequest: number } | undefined> {
    const row = await one<{ author: string; body: string; outcome: string; repo_id: number; pull_request: number }>(this.db, `SELECT * FROM ta_commands WHERE comment_id = ?`, [commentId]);
    return row ? { author: row.author, body: row.body, outcome: row.outcome, repoId: Number(row.repo_id), pullRequest: Number(row.pull_request) } : undefined;
  }

  async recordTampering(t: { repoId: number; pullRequest: number; commentId: number; action: 'edited' | 'deleted'; by: string; author: string; at: string }): Promise<void> {
    await this.db.run(`INSERT INTO tampering (id, repo_id, pull_request, comment_id, action, by_login, author, at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`, [randomUUID(), t.repoId, t.pullRequest, t.commentId, t.action, t.by, t.author, t.at]);
  }

  async tamperingOf(repoId: number, pullRequest: number): Promise<{ commentId: number; action: 'edited' | 'deleted'; by: string; author: string; at: string }[]> {
    const rows = await this.db.all<{ comment_id: number; action: 'edited' | 'deleted'; by_login: string; author: string; at: string }>(`SELECT * FROM tampering WHERE repo_id = ? AND pull_request = ? ORDER BY at`, [repoId, pullRequest]);
    return rows.map((r) => ({ commentId: Number(r.comment_id), action: r.action, by: r.by_login, author: r.author, at: r.at }));
  }

  /** The latest grading of a pull request (for a week, if given). */
  async latestGradingOfPullRequest(repoId: number, pullRequest: number, week?: number): Promise<StoredGrading | undefined> {
    const row = await one<GradingDbRow>(
      this.db,
      `SELECT * FROM gradings WHERE repo_id = ? AND pull_request = ?${week !== undefined ? ' AND week = ?' : ''} ORDER BY graded_at DESC LIMIT 1`,
      week !== undefined ? [repoId, pullRequest, week] : [repoId, pullRequest],
    );
    return row ? grading(row) : undefined;
  }

  /** Records a TA command to be carried out by a worker (one job per comment delivery). */
  async enqueueCommand(request: CommandRequest): Promise<EnqueueResult> {
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

  /** Remembers an organization's course settings (weeks, counting rule) for exports. */
  async saveCourse(org: string, course: { weeks: number; counts: CountingRule; config: unknown }): Promise<void> {
    await this.db.run(
      `INSERT INTO courses (org, weeks, counts, config, updated_at) VALUES (?, ?, ?, ?, ?)
       ON CONFLICT (org) DO UPDATE SET weeks = excluded.weeks, counts = excluded.counts, config = excluded.config, updated_at = excluded.updated_at`,
      [org, course.weeks, course.counts, JSON.stringify(course.config), new Date(this.clock()).toISOString()],
    );
  }

  async courses(): Promise<{ org: string; weeks: number; counts: CountingRule }[]> {
    const rows = await this.db.all<{ org: string; weeks: number; counts: CountingRule }>(`SELECT org, weeks, counts FROM courses ORDER BY org`);
    return rows.map((r) => ({ org: r.org, weeks: Number(r.weeks), counts: r.counts }));
  }

  /**
   * How GitHub delivered a commit to us, earliest first: its push and pull-request
   * requests (merged ones too; re-runs and regrades are not deliveries). The first is
   * what a re-run of that commit is dated by.
   */
  async deliveriesOf(repoId: number, sha: string): Promise<GradingRequest[]> {
    const rows = await this.db.all<{ request: string }>(`SELECT request FROM jobs WHERE repo_id = ? AND sha = ? AND kind = 'grade' AND commit_key NOT LIKE 'rerun:%' ORDER BY delivered_at, created_at`, [repoId, sha]);
    return rows.map((row) => JSON.parse(row.request) as GradingRequest);
  }

  // ── Where results were published ───────────────────────────────────────────

  /** The latest grading of a commit (for a week, if given), in full. */
  async latestGradingOf(repoId: number, sha: string, week?: number): Promise<StoredGrading | undefined> {
    const row = await one<GradingDbRow>(
      this.db,
      `SELECT * FROM gradings WHERE repo_id = ? AND sha = ?${week !== undefined ? ' AND week = ?' : ''} ORDER BY graded_at DESC LIMIT 1`,
      week !== undefined ? [repoId, sha, week] : [repoId, sha],
    );
    return row ? grading(row) : undefined;
  }

  async checkRunFor(repoId: number, sha: string, week: number): Promise<{ id: number; url?: string } | undefined> {
    const row = await one<{ check_run_id: number; url: string | null }>(this.db, `SELECT check_run_id, url FROM check_runs WHERE repo_id = ? AND sha = ? AND week = ?`, [repoId, sha, week]);
    return row ? { id: Number(row.check_run_id), ...(row.url ? { url: row.url } : {}) } : undefined;
  }

  async saveCheckRun(repoId: number, sha: string, week: number, run: { id: number; url?: string }): Promise<void> {
    await this.db.run(
      `INSERT INTO check_runs (repo_id, sha, week, check_run_id, url) VALUES (?, ?, ?, ?, ?)
       ON CONFLICT (repo_id, sha, week) DO UPDATE SET check_run_id = excluded.check_run_id, url = excluded.url`,
      [repoId, sha, week, run.id, run.url ?? null],
    );
  }

  async commentFor(repoId: number, issue: number, week: number): Promise<number | undefined> {
    const row = await one<{ comment_id: number }>(this.db, `SELECT comment_id FROM comments WHERE repo_id = ? AND issue = ? AND week = ?`, [repoId, issue, week]);
    return row ? Number(row.comment_id) : undefined;
  }

  async saveComment(repoId: number, issue: number, week: number, commentId: number): Promise<void> {
    await this.db.run(
      `INSERT INTO comments (repo_id, issue, week, comment_id) VALUES (?, ?, ?, ?)
       ON CONFLICT (repo_id, issue, week) DO UPDATE SET comment_id = excluded.comment_id`,
      [repoId, issue, week, commentId],
    );
  }

  // ── GitHub's write budget ─────────────────────────────────────────────────

  /**
   * Reserves the next write slot of an installation's lane and returns when it is
   * (epoch ms): writes `writeMs` apart, notifying writes (comments) also `notifyMs`
   * apart. Shared through the database, so every process and machine spends one budget.
   */
  reserveWrite(installationId: number, spacing: { writeMs: number; notifyMs: number }, notify: boolean): Promise<number> {
    return this.db.transaction(async (tx) => {
      const now = this.clock();
      await tx.run(`INSERT INTO write_budget (installation_id, next_write_at, next_notify_at) VALUES (?, 0, 0) ON CONFLICT (installation_id) DO NOTHING`, [installationId]);
      const lane = (await one<{ next_write_at: number; next_notify_at: number }>(tx, `SELECT next_write_at, next_notify_at FROM write_budget WHERE installation_id = ?${tx.dialect === 'postgres' ? ' FOR UPDATE' : ''}`, [installationId]))!;
      const slot = Math.max(now, Number(lane.next_write_at), notify ? Number(lane.next_notify_at) : 0);
      await tx.run(`UPDATE write_budget SET next_write_at = ?, next_notify_at = ?, writes = writes + 1 WHERE installation_id = ?`, [
        slot + spacing.writeMs,
        notify ? slot + spacing.notifyMs : Number(lane.next_notify_at),
        installationId,
      ]);
      return slot;
    });
  }

  async writesSpent(installationId: number): Promise<number> {
    const row = await one<{ writes: number }>(this.db, `SELECT writes FROM write_budget WHERE installation_id = ?`, [installationId]);
    return row ? Number(row.writes) : 0;
  }
}

/** The WHERE clause of the record's usual filters (organization, repository, week). */
function whereOf(filter: { org?: string; repoId?: number; week?: number }): { where: string; params: (string | number)[] } {
  const conditions: string[] = [];
  const params: (string | number)[] = [];
  if (filter.org !== undefined) (conditions.push('org = ?'), params.push(filter.org));
  if (filter.repoId !== undefined) (conditions.push('repo_id = ?'), params.push(filter.repoId));
  if (filter.week !== undefined) (conditions.push('week = ?'), params.push(filter.week));
  return { where: conditions.length ? ` WHERE ${conditions.join(' AND ')}` : '', params };
}

interface GradingDbRow {
  job_id: string;
  installation_id: number;
  org: string;
  repo_id: number;
  repo: string;
  students: string;
  week: number;
  sha: string;
  delivered_at: string;
  graded_at: string;
  trigger_kind: GradingRecord['trigger'];
  pull_request: number | null;
  pack_name: string;
  pack_hash: string;
  image: string;
  image_id: string;
  score: number;
  max_score: number;
  pending_points: number;
  error_points: number;
  criteria: string;
  late: string;
  penalty: number;
  final_score: number | null;
  check_run_id: number | null;
  check_run_url: string | null;
  grade: string;
}

function grading(row: GradingDbRow): StoredGrading {
  return {
    jobId: row.job_id,
    installationId: Number(row.installation_id),
    org: row.org,
    repoId: Number(row.repo_id),
    repo: row.repo,
    students: JSON.parse(row.students) as string[],
    week: Number(row.week),
    sha: row.sha,
    deliveredAt: row.delivered_at,
    gradedAt: row.graded_at,
    trigger: row.trigger_kind,
    ...(row.pull_request !== null ? { pullRequest: Number(row.pull_request) } : {}),
    packName: row.pack_name,
    packHash: row.pack_hash,
    image: row.image,
    imageId: row.image_id,
    score: Number(row.score),
    maxScore: Number(row.max_score),
    pendingPoints: Number(row.pending_points),
    errorPoints: Number(row.error_points),
    criteria: JSON.parse(row.criteria) as RecordedCriterion[],
    late: JSON.parse(row.late) as Lateness,
    penalty: Number(row.penalty),
    finalScore: row.final_score === null ? null : Number(row.final_score),
    ...(row.check_run_id !== null ? { checkRunId: Number(row.check_run_id) } : {}),
    ...(row.check_run_url ? { checkRunUrl: row.check_run_url } : {}),
    grade: JSON.parse(row.grade) as Grade,
  };
}
