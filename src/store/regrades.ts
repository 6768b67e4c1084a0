import { randomUUID } from 'node:crypto';
import type { ParsedPublication } from '../outbox/publications.ts';
import type { OutboxStore } from './outbox.ts';
import type { RecordStore, StoredGrading } from './record.ts';
import { forUpdate, one, type SqlDatabase, type SqlRunner } from './sql.ts';

export type RegradeState = 'running' | 'published' | 'discarded';

export interface Regrade {
  readonly id: string;
  readonly org: string;
  readonly week: number;
  readonly state: RegradeState;
  readonly requestedBy: string;
  readonly requestedAt: string;
  readonly decidedBy: string | null;
  readonly decidedAt: string | null;
}

/** One student's counted grading, rerun: the job, and what it made (held until the regrade is decided). */
export interface RegradeItem {
  readonly regradeId: string;
  readonly repoId: number;
  /** The job of the grading that counted when the regrade started. */
  readonly beforeJobId: string;
  readonly jobId: string;
  readonly grading: StoredGrading | null;
  readonly publications: readonly ParsedPublication[] | null;
}

interface RegradeDbRow {
  id: string;
  org: string;
  week: number;
  state: RegradeState;
  requested_by: string;
  requested_at: string;
  decided_by: string | null;
  decided_at: string | null;
}

function regrade(r: RegradeDbRow): Regrade {
  return { id: r.id, org: r.org, week: Number(r.week), state: r.state, requestedBy: r.requested_by, requestedAt: r.requested_at, decidedBy: r.decided_by, decidedAt: r.decided_at };
}

/**
 * A week graded again for the whole class after a rubric fix. Its jobs' gradings and
 * publications are held here, not in the record or the outbox, until an instructor
 * publishes (each new grading joins the record, replacing its commit's earlier ones of
 * the week in the count, and its publications join the outbox: one transaction) or
 * discards (nothing changes).
 */
export class RegradeStore {
  private readonly db: SqlDatabase;
  private readonly record: RecordStore;
  private readonly outbox: OutboxStore;

  constructor(db: SqlDatabase, record: RecordStore, outbox: OutboxStore) {
    this.db = db;
    this.record = record;
    this.outbox = outbox;
  }

  /** Starts a regrade: `enqueue` records each item's job inside the same transaction (so none is lost or doubled). */
  async start(r: { org: string; week: number; by: string; at: string }, items: readonly { repoId: number; beforeJobId: string }[], enqueue: (tx: SqlRunner, regradeId: string, item: { repoId: number; beforeJobId: string }) => Promise<string>): Promise<Regrade> {
    const id = randomUUID();
    await this.db.transaction(async (tx) => {
      await tx.run(`INSERT INTO regrades (id, org, week, state, requested_by, requested_at) VALUES (?, ?, ?, 'running', ?, ?)`, [id, r.org, r.week, r.by, r.at]);
      for (const item of items) {
        const jobId = await enqueue(tx, id, item);
        await tx.run(`INSERT INTO regrade_items (regrade_id, repo_id, before_job_id, job_id) VALUES (?, ?, ?, ?)`, [id, item.repoId, item.beforeJobId, jobId]);
      }
    });
    return (await this.get(id))!;
  }

  /** What a regrade job made, kept back (inside the job's end, under its lease). */
  async hold(tx: SqlRunner, jobId: string, made: { grading?: StoredGrading; publications?: readonly ParsedPublication[] }): Promise<void> {
    await tx.run(`UPDATE regrade_items SET grading = ?, publications = ? WHERE job_id = ?`, [made.grading ? JSON.stringify(made.grading) : null, JSON.stringify(made.publications ?? []), jobId]);
  }

  async get(id: string): Promise<Regrade | undefined> {
    const row = await one<RegradeDbRow>(this.db, `SELECT * FROM regrades WHERE id = ?`, [id]);
    return row ? regrade(row) : undefined;
  }

  async list(filter: { org?: string } = {}): Promise<Regrade[]> {
    const rows = await this.db.all<RegradeDbRow>(`SELECT * FROM regrades${filter.org !== undefined ? ' WHERE org = ?' : ''} ORDER BY requested_at DESC`, filter.org !== undefined ? [filter.org] : []);
    return rows.map(regrade);
  }

  async items(regradeId: string): Promise<RegradeItem[]> {
    const rows = await this.db.all<{ regrade_id: string; repo_id: number; before_job_id: string; job_id: string; grading: string | null; publications: string | null }>(`SELECT * FROM regrade_items WHERE regrade_id = ? ORDER BY repo_id`, [regradeId]);
    return rows.map((r) => ({
      regradeId: r.regrade_id,
      repoId: Number(r.repo_id),
      beforeJobId: r.before_job_id,
      jobId: r.job_id,
      grading: r.grading ? (JSON.parse(r.grading) as StoredGrading) : null,
      publications: r.publications ? (JSON.parse(r.publications) as ParsedPublication[]) : null,
    }));
  }

  /**
   * Publishes a running regrade, once: each held grading joins the record and replaces
   * its commit's earlier gradings of the week; its publications join the outbox. false:
   * it was already decided.
   */
  async publish(id: string, by: { by: string; at: string }): Promise<'published' | 'already-decided' | 'unfinished'> {
    return this.db.transaction(async (tx) => {
      // Published half-way, the students still being graded would never be: it waits for every job to end.
      if (await this.unfinished(tx, id)) return 'unfinished';
      if (!(await this.decide(tx, id, 'published', by))) return 'already-decided';
      for (const item of await tx.all<{ job_id: string; grading: string | null; publications: string | null }>(`SELECT job_id, grading, publications FROM regrade_items WHERE regrade_id = ? ORDER BY repo_id`, [id])) {
        if (!item.grading) continue;
        const g = JSON.parse(item.grading) as StoredGrading;
        await tx.run(`UPDATE gradings SET replaced_by = ? WHERE repo_id = ? AND sha = ? AND week = ? AND replaced_by IS NULL`, [g.jobId, g.repoId, g.sha, g.week]);
        await this.record.insertGrading(tx, g);
        const publications = JSON.parse(item.publications ?? '[]') as ParsedPublication[];
        if (publications.length) await this.outbox.add(tx, publications, { jobId: item.job_id });
      }
      return 'published';
    });
  }

  /** Discards a running regrade: nothing joins the record or the outbox; its jobs still waiting are dropped (its items stay, as a record of what it found). */
  async discard(id: string, by: { by: string; at: string }): Promise<boolean> {
    return this.db.transaction(async (tx) => {
      if (!(await this.decide(tx, id, 'discarded', by))) return false;
      await tx.run(`UPDATE jobs SET state = 'dropped', outcome = 'regrade-discarded', finished_at = ? WHERE state IN ('queued', 'failed') AND id IN (SELECT job_id FROM regrade_items WHERE regrade_id = ?)`, [Date.parse(by.at), id]);
      return true;
    });
  }

  /** How many of a regrade's jobs are still waiting or running. */
  async unfinished(db: SqlRunner, id: string): Promise<number> {
    const row = await one<{ n: number }>(db, `SELECT COUNT(*) AS n FROM regrade_items i JOIN jobs j ON j.id = i.job_id WHERE i.regrade_id = ? AND j.state IN ('queued', 'running')`, [id]);
    return Number(row?.n ?? 0);
  }

  private async decide(tx: SqlRunner, id: string, state: 'published' | 'discarded', by: { by: string; at: string }): Promise<boolean> {
    const row = await one<{ state: RegradeState }>(tx, `SELECT state FROM regrades WHERE id = ?${forUpdate(tx)}`, [id]);
    if (!row || row.state !== 'running') return false;
    await tx.run(`UPDATE regrades SET state = ?, decided_by = ?, decided_at = ? WHERE id = ?`, [state, by.by, by.at, id]);
    return true;
  }
}
