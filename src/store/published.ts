import { one, type SqlDatabase, type SqlRunner } from './sql.ts';

/**
 * Where results were published: the check run of each commit and unit and the
 * comment of each pull request and unit, so a grading completes the check run its
 * commit already shows and a comment is edited in place.
 */
export class PublishedStore {
  private readonly db: SqlDatabase;
  private readonly clock: () => number;

  constructor(db: SqlDatabase, clock: () => number) {
    this.db = db;
    this.clock = clock;
  }

  async checkRunFor(repoId: number, sha: string, unit: string): Promise<{ id: number; url?: string } | undefined> {
    const row = await one<{ check_run_id: number; url: string | null }>(this.db, `SELECT check_run_id, url FROM check_runs WHERE repo_id = ? AND sha = ? AND unit = ?`, [repoId, sha, unit]);
    return row ? { id: Number(row.check_run_id), ...(row.url ? { url: row.url } : {}) } : undefined;
  }

  async commentFor(repoId: number, issue: number, unit: string): Promise<number | undefined> {
    const row = await one<{ comment_id: number }>(this.db, `SELECT comment_id FROM comments WHERE repo_id = ? AND issue = ? AND unit = ?`, [repoId, issue, unit]);
    return row ? Number(row.comment_id) : undefined;
  }

  /**
   * Records what a sent publication made, in the transaction that marks it sent: the
   * check run of a commit and unit (on its grading, and on a waiting job it announced),
   * or the comment of a pull request and unit.
   */
  async recordPublished(
    tx: SqlRunner,
    made: { checkRun?: { repoId: number; sha: string; unit: string; id: number; url?: string; gradingJobId?: string; noticeForJob?: string }; comment?: { repoId: number; issue: number; unit: string; id: number } },
  ): Promise<void> {
    const run = made.checkRun;
    if (run) {
      if (run.unit !== '') {
        await tx.run(
          `INSERT INTO check_runs (repo_id, sha, unit, check_run_id, url) VALUES (?, ?, ?, ?, ?)
           ON CONFLICT (repo_id, sha, unit) DO UPDATE SET check_run_id = excluded.check_run_id, url = COALESCE(excluded.url, check_runs.url)`,
          [run.repoId, run.sha, run.unit, run.id, run.url ?? null],
        );
      }
      if (run.gradingJobId) await tx.run(`UPDATE gradings SET check_run_id = ?, check_run_url = COALESCE(?, check_run_url), published_at = ? WHERE job_id = ?`, [run.id, run.url ?? null, new Date(this.clock()).toISOString(), run.gradingJobId]);
      if (run.noticeForJob) await tx.run(`UPDATE jobs SET check_run_id = ?, notice_until = NULL WHERE id = ?`, [run.id, run.noticeForJob]);
    }
    const c = made.comment;
    if (c) {
      await tx.run(`INSERT INTO comments (repo_id, issue, unit, comment_id) VALUES (?, ?, ?, ?) ON CONFLICT (repo_id, issue, unit) DO UPDATE SET comment_id = excluded.comment_id`, [c.repoId, c.issue, c.unit, c.id]);
    }
  }
}
