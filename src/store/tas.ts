import { randomUUID } from 'node:crypto';
import { weekNumberOf } from '../course/unit.ts';
import { whereOf, type RecordFilter } from './record.ts';
import type { Override } from './records.ts';
import { one, type SqlDatabase } from './sql.ts';

/**
 * What TAs did: overrides kept as events (the current one of a criterion is its
 * latest), their commands as first written, and edits or deletions of those
 * comments by anyone else (tampering).
 */
export class TaStore {
  private readonly db: SqlDatabase;

  constructor(db: SqlDatabase) {
    this.db = db;
  }

  /** Records a TA's override (or manual score, or clearing) of a criterion for a unit. */
  async saveOverride(o: { org: string; course: string; repoId: number; unit: string; criterion: string; action: 'override' | 'manual' | 'clear'; points?: number; reason?: string; by: string; at: string; automaticPoints: number | null; commentId?: number }): Promise<void> {
    await this.db.transaction(async (tx) => {
      // One writer at a time numbers the events (PostgreSQL; SQLite's transaction already is one).
      if (tx.dialect === 'postgres') await tx.all('SELECT pg_advisory_xact_lock(7431002)');
      const seq = Number((await one<{ n: number | null }>(tx, `SELECT MAX(seq) AS n FROM overrides`))?.n ?? 0) + 1;
      await tx.run(
        `INSERT INTO overrides (id, org, course, repo_id, unit, week, criterion, action, points, reason, by_login, at, seq, automatic_points, comment_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
        [randomUUID(), o.org, o.course, o.repoId, o.unit, weekNumberOf(o.unit), o.criterion, o.action, o.points ?? null, o.reason ?? null, o.by, o.at, seq, o.automaticPoints, o.commentId ?? null],
      );
    });
  }

  /** The overrides in force (the latest event of each criterion, unless it cleared it). */
  async overrides(filter: RecordFilter = {}): Promise<Override[]> {
    const { where, params } = whereOf(filter);
    const rows = await this.db.all<{ org: string; course: string; repo_id: number; unit: string; week: number; criterion: string; action: string; points: number | null; reason: string | null; by_login: string; at: string; automatic_points: number | null; comment_id: number | null }>(
      `SELECT * FROM overrides${where} ORDER BY seq`,
      params,
    );
    const current = new Map<string, (typeof rows)[number]>();
    for (const r of rows) current.set(`${r.repo_id}:${r.unit}:${r.criterion}`, r);
    return [...current.values()]
      .filter((r) => r.action !== 'clear')
      .map((r) => ({
        org: r.org,
        course: r.course,
        repoId: Number(r.repo_id),
        unit: r.unit,
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

  /** An organization's tampering flags, newest first (the commands' own record says whose organization). */
  async tamperingOfOrg(org: string): Promise<{ repoId: number; pullRequest: number; commentId: number; action: 'edited' | 'deleted'; by: string; author: string; at: string }[]> {
    const rows = await this.db.all<{ repo_id: number; pull_request: number; comment_id: number; action: 'edited' | 'deleted'; by_login: string; author: string; at: string }>(
      `SELECT t.* FROM tampering t JOIN ta_commands c ON c.comment_id = t.comment_id WHERE LOWER(c.org) = LOWER(?) ORDER BY t.at DESC`,
      [org],
    );
    return rows.map((r) => ({ repoId: Number(r.repo_id), pullRequest: Number(r.pull_request), commentId: Number(r.comment_id), action: r.action, by: r.by_login, author: r.author, at: r.at }));
  }

  async tamperingOf(repoId: number, pullRequest: number): Promise<{ commentId: number; action: 'edited' | 'deleted'; by: string; author: string; at: string }[]> {
    const rows = await this.db.all<{ comment_id: number; action: 'edited' | 'deleted'; by_login: string; author: string; at: string }>(`SELECT * FROM tampering WHERE repo_id = ? AND pull_request = ? ORDER BY at`, [repoId, pullRequest]);
    return rows.map((r) => ({ commentId: Number(r.comment_id), action: r.action, by: r.by_login, author: r.author, at: r.at }));
  }
}
