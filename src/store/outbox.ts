import { randomUUID } from 'node:crypto';
import { Publication, staleKeyOf, type ParsedPublication, type PublicationKind } from '../outbox/publications.ts';
import { one, skipLocked, type SqlDatabase, type SqlRunner } from './sql.ts';

export type PublicationState = 'waiting' | 'sending' | 'sent' | 'stale' | 'failed' | 'gone';

/** A publication as the outbox keeps it. */
export interface OutboxRow {
  readonly id: string;
  readonly installationId: number;
  readonly kind: PublicationKind;
  readonly jobId: string | null;
  readonly publication: ParsedPublication;
  readonly state: PublicationState;
  readonly attempts: number;
  readonly notBefore: number;
  readonly createdAt: number;
  readonly finishedAt: number | null;
  readonly lastError: string | null;
  readonly result: unknown;
  readonly staleBy: string | null;
  /** The claim of a drainer sending it. */
  readonly lease: { readonly id: string; readonly token: string } | null;
}

interface OutboxDbRow {
  id: string;
  installation_id: number;
  kind: PublicationKind;
  stale_key: string | null;
  job_id: string | null;
  payload: string;
  state: PublicationState;
  attempts: number;
  not_before: number;
  created_at: number;
  position: number;
  finished_at: number | null;
  lease_owner: string | null;
  lease_token: string | null;
  lease_until: number | null;
  result: string | null;
  last_error: string | null;
  stale_by: string | null;
}

function row(r: OutboxDbRow): OutboxRow {
  return {
    id: r.id,
    installationId: Number(r.installation_id),
    kind: r.kind,
    jobId: r.job_id,
    // Checked at the boundary: a row that does not fit its kind's schema is a bug, said loudly.
    publication: Publication.parse(JSON.parse(r.payload)),
    state: r.state,
    attempts: Number(r.attempts),
    notBefore: Number(r.not_before),
    createdAt: Number(r.created_at),
    finishedAt: r.finished_at === null ? null : Number(r.finished_at),
    lastError: r.last_error,
    result: r.result ? JSON.parse(r.result) : null,
    staleBy: r.stale_by,
    lease: r.state === 'sending' && r.lease_token ? { id: r.id, token: r.lease_token } : null,
  };
}

export type PublicationLease = NonNullable<OutboxRow['lease']>;

/**
 * The outbox: publications wait here, per installation and in order, until a
 * drainer sends them under GitHub's budget. Recording them is part of the
 * transaction that records the grading (and checks the job's lease), so a job
 * that lost its lease publishes nothing, and a crash loses nothing.
 */
export class OutboxStore {
  private readonly db: SqlDatabase;
  private readonly clock: () => number;

  constructor(db: SqlDatabase, clock: () => number) {
    this.db = db;
    this.clock = clock;
  }

  /**
   * Adds publications inside `tx` (in this order). A waiting publication showing
   * the same thing (same commit and week's check run, same PR and week's comment)
   * is stale from now on: it is dropped, never sent.
   */
  async add(tx: SqlRunner, publications: readonly ParsedPublication[], from: { jobId?: string } = {}): Promise<string[]> {
    const now = this.clock();
    const ids: string[] = [];
    for (const [position, given] of publications.entries()) {
      const id = randomUUID();
      let p = given;
      const key = staleKeyOf(p);
      if (key && p.kind === 'check-run' && p.checkRunId === undefined) {
        // The check run a stale one was to complete (a re-run's) is the one this completes.
        const older = await tx.all<{ payload: string }>(`SELECT payload FROM outbox WHERE stale_key = ? AND state = 'waiting'`, [key]);
        const known = older.map((o) => (JSON.parse(o.payload) as { checkRunId?: number }).checkRunId).find((n) => n !== undefined);
        if (known !== undefined) p = { ...p, checkRunId: known };
      }
      if (key) await tx.run(`UPDATE outbox SET state = 'stale', finished_at = ?, stale_by = ? WHERE stale_key = ? AND state = 'waiting'`, [now, id, key]);
      await tx.run(
        `INSERT INTO outbox (id, installation_id, kind, stale_key, job_id, payload, state, not_before, created_at, position) VALUES (?, ?, ?, ?, ?, ?, 'waiting', ?, ?, ?)`,
        [id, p.installationId, p.kind, key, from.jobId ?? null, JSON.stringify(p), now, now, position],
      );
      ids.push(id);
    }
    return ids;
  }

  /** Adds publications in a transaction of their own (those no job's lease guards: the course issue). */
  enqueue(publications: readonly ParsedPublication[], from: { jobId?: string } = {}): Promise<string[]> {
    return this.db.transaction((tx) => this.add(tx, publications, from));
  }

  /**
   * Leases the oldest publication that may go now to `owner`: not before its time,
   * of an installation GitHub has not paused and that no other drainer is sending
   * for (one at a time per installation keeps their order). A sending publication
   * whose drainer died is taken again once its lease runs out.
   */
  claim(owner: string, leaseMs: number): Promise<OutboxRow | undefined> {
    return this.db.transaction(async (tx) => {
      // Claims take turns (PostgreSQL), so two drainers never pick the same installation at once.
      if (tx.dialect === 'postgres') await tx.all('SELECT pg_advisory_xact_lock(7431003)');
      const now = this.clock();
      const found = await one<OutboxDbRow>(
        tx,
        `SELECT * FROM outbox o
          WHERE ((o.state = 'waiting' AND o.not_before <= ?) OR (o.state = 'sending' AND o.lease_until < ?))
            AND NOT EXISTS (SELECT 1 FROM outbox s WHERE s.installation_id = o.installation_id AND s.state = 'sending' AND s.lease_until >= ? AND s.id <> o.id)
            AND NOT EXISTS (SELECT 1 FROM write_budget b WHERE b.installation_id = o.installation_id AND b.paused_until > ?)
          ORDER BY o.created_at, o.position
          LIMIT 1${skipLocked(tx)}`,
        [now, now, now, now],
      );
      if (!found) return undefined;
      const token = randomUUID();
      await tx.run(`UPDATE outbox SET state = 'sending', attempts = attempts + 1, lease_owner = ?, lease_token = ?, lease_until = ? WHERE id = ?`, [owner, token, now + leaseMs, found.id]);
      return row({ ...found, state: 'sending', attempts: Number(found.attempts) + 1, lease_owner: owner, lease_token: token, lease_until: now + leaseMs });
    });
  }

  async heartbeat(lease: PublicationLease, leaseMs: number): Promise<boolean> {
    return (await this.db.run(`UPDATE outbox SET lease_until = ? WHERE id = ? AND lease_token = ? AND state = 'sending'`, [this.clock() + leaseMs, lease.id, lease.token])) === 1;
  }

  async holds(lease: PublicationLease): Promise<boolean> {
    return (await one(this.db, `SELECT 1 AS held FROM outbox WHERE id = ? AND lease_token = ? AND state = 'sending'`, [lease.id, lease.token])) !== undefined;
  }

  /** Ends a publication once (only its current claim can), with `effects` (what it created, recorded) in the same transaction. */
  finish(lease: PublicationLease, state: 'sent' | 'failed' | 'gone', outcome: { result?: unknown; error?: string }, effects?: (tx: SqlRunner) => Promise<void>): Promise<boolean> {
    return this.db.transaction(async (tx) => {
      const changed = await tx.run(
        `UPDATE outbox SET state = ?, result = ?, last_error = COALESCE(?, last_error), finished_at = ?, lease_owner = NULL, lease_token = NULL, lease_until = NULL WHERE id = ? AND lease_token = ? AND state = 'sending'`,
        [state, outcome.result === undefined ? null : JSON.stringify(outcome.result), outcome.error ?? null, this.clock(), lease.id, lease.token],
      );
      if (changed === 1 && effects) await effects(tx);
      return changed === 1;
    });
  }

  /** Puts a publication back to wait until `notBefore`; a rate limit does not count as an attempt. */
  async release(lease: PublicationLease, notBefore: number, error: string, options: { countAttempt: boolean }): Promise<boolean> {
    return (
      (await this.db.run(
        `UPDATE outbox SET state = 'waiting', not_before = ?, last_error = ?, attempts = attempts - ?, lease_owner = NULL, lease_token = NULL, lease_until = NULL WHERE id = ? AND lease_token = ? AND state = 'sending'`,
        [notBefore, error, options.countAttempt ? 0 : 1, lease.id, lease.token],
      )) === 1
    );
  }

  /** Publications a dead process was sending (same host, process gone) may be taken again at once. */
  async releaseOwners(isDead: (owner: string) => boolean): Promise<number> {
    const sending = await this.db.all<{ id: string; lease_owner: string }>(`SELECT id, lease_owner FROM outbox WHERE state = 'sending'`);
    let released = 0;
    for (const r of sending) {
      if (r.lease_owner && isDead(r.lease_owner)) released += await this.db.run(`UPDATE outbox SET lease_until = 0 WHERE id = ? AND lease_owner = ? AND state = 'sending'`, [r.id, r.lease_owner]);
    }
    return released;
  }

  /** Publications, oldest first (by default the ones still to go). */
  async list(filter: { states?: readonly PublicationState[]; installationId?: number; limit?: number } = {}): Promise<OutboxRow[]> {
    const states = filter.states ?? ['waiting', 'sending'];
    const params: (string | number)[] = [...states];
    let sql = `SELECT * FROM outbox WHERE state IN (${states.map(() => '?').join(', ')})`;
    if (filter.installationId !== undefined) (sql += ' AND installation_id = ?'), params.push(filter.installationId);
    sql += ' ORDER BY created_at, position LIMIT ?';
    params.push(filter.limit ?? 10_000);
    return (await this.db.all<OutboxDbRow>(sql, params)).map(row);
  }

  async ofJob(jobId: string): Promise<OutboxRow[]> {
    return (await this.db.all<OutboxDbRow>(`SELECT * FROM outbox WHERE job_id = ? ORDER BY created_at, position`, [jobId])).map(row);
  }

  async counts(): Promise<Record<PublicationState, number>> {
    const rows = await this.db.all<{ state: PublicationState; n: number }>(`SELECT state, COUNT(*) AS n FROM outbox GROUP BY state`);
    const counts: Record<PublicationState, number> = { waiting: 0, sending: 0, sent: 0, stale: 0, failed: 0, gone: 0 };
    for (const r of rows) counts[r.state] = Number(r.n);
    return counts;
  }

  /** When the next waiting publication may go (epoch ms), if any. */
  async nextAt(): Promise<number | undefined> {
    const r = await one<{ t: number | null }>(this.db, `SELECT MIN(o.not_before) AS t FROM outbox o WHERE o.state = 'waiting'`);
    return r?.t === null || r?.t === undefined ? undefined : Number(r.t);
  }

  /** An instructor's retry of failed publications. */
  async retry(id?: string): Promise<number> {
    return this.db.run(`UPDATE outbox SET state = 'waiting', attempts = 0, not_before = ?, finished_at = NULL WHERE state = 'failed'${id ? ' AND id = ?' : ''}`, id ? [this.clock(), id] : [this.clock()]);
  }
}
