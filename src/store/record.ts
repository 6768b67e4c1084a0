import type { Grade } from '../grading/grade.ts';
import type { Lease } from './queue.ts';
import type { CountingRule, Extension, GradingRecord, Lateness, RecordedCriterion } from './records.ts';
import { one, type SqlDatabase, type SqlRunner } from './sql.ts';

/** A grading with the full grade, as stored. */
export type StoredGrading = GradingRecord & { readonly grade: Grade };

/**
 * The grade record: every grading with what it was graded on and how late it was,
 * the extensions TAs granted, and each organization's course settings (what an
 * export needs offline).
 */
export class RecordStore {
  private readonly db: SqlDatabase;
  private readonly clock: () => number;
  /** The queue's check of a job's lease (a grading recorded under one is refused once it is lost). */
  private readonly withLease: <T>(lease: Lease, fn: (tx: SqlRunner) => Promise<T>) => Promise<T>;

  constructor(db: SqlDatabase, clock: () => number, withLease: <T>(lease: Lease, fn: (tx: SqlRunner) => Promise<T>) => Promise<T>) {
    this.db = db;
    this.clock = clock;
    this.withLease = withLease;
  }

  /**
   * Records a grading once per job (a resumed job finds its own). false: it was
   * already there. With a lease, only while the job is still that claim's (LeaseLost).
   */
  async recordGrading(g: StoredGrading, lease?: Lease): Promise<boolean> {
    const write = (tx: SqlRunner) => this.insertGrading(tx, g);
    const changed = lease ? await this.withLease(lease, write) : await write(this.db);
    return changed === 1;
  }

  /** The grading's row, inside `tx` (the queue's completeJob records it with the job's end). */
  insertGrading(tx: SqlRunner, g: StoredGrading): Promise<number> {
    return tx.run(
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
  }

  async gradingOfJob(jobId: string): Promise<StoredGrading | undefined> {
    const row = await one<GradingDbRow>(this.db, `SELECT * FROM gradings WHERE job_id = ?`, [jobId]);
    return row ? grading(row) : undefined;
  }

  /** The gradings in force (a published regrade's replaces the commit's earlier ones of the week; `replaced: true` includes those too). */
  async gradings(filter: { org?: string; week?: number; repoId?: number; replaced?: boolean } = {}): Promise<StoredGrading[]> {
    const { where, params } = inForceWhere(filter);
    const rows = await this.db.all<GradingDbRow>(`SELECT * FROM gradings${where} ORDER BY delivered_at, graded_at`, params);
    return rows.map(grading);
  }

  /**
   * The gradings without their full Grade (command output and all): what a class-wide
   * view needs, read in a fraction of the time.
   */
  async gradingRecords(filter: { org?: string; week?: number; repoId?: number; replaced?: boolean } = {}): Promise<GradingRecord[]> {
    const { where, params } = inForceWhere(filter);
    const rows = await this.db.all<Omit<GradingDbRow, 'grade'>>(`SELECT ${RECORD_COLUMNS} FROM gradings${where} ORDER BY delivered_at, graded_at`, params);
    return rows.map(record);
  }

  /** Re-applies lateness to a student's week after an extension changed (the record stays the truth). */
  async updateLateness(jobId: string, late: Lateness, penalty: number, finalScore: number | null): Promise<void> {
    await this.db.run(`UPDATE gradings SET late = ?, penalty = ?, final_score = ? WHERE job_id = ?`, [JSON.stringify(late), penalty, finalScore, jobId]);
  }

  /** The latest grading of a commit (for a week, if given), in full. */
  async latestGradingOf(repoId: number, sha: string, week?: number): Promise<StoredGrading | undefined> {
    return this.latestGradingWhere('sha', repoId, sha, week);
  }

  /** The latest grading of a pull request (for a week, if given). */
  async latestGradingOfPullRequest(repoId: number, pullRequest: number, week?: number): Promise<StoredGrading | undefined> {
    return this.latestGradingWhere('pull_request', repoId, pullRequest, week);
  }

  /** One query for both lookups: the newest grading of a repository matching one column (and a week, if given). */
  private async latestGradingWhere(column: 'sha' | 'pull_request', repoId: number, value: string | number, week?: number): Promise<StoredGrading | undefined> {
    const row = await one<GradingDbRow>(
      this.db,
      `SELECT * FROM gradings WHERE repo_id = ? AND ${column} = ?${week !== undefined ? ' AND week = ?' : ''} ORDER BY graded_at DESC LIMIT 1`,
      week !== undefined ? [repoId, value, week] : [repoId, value],
    );
    return row ? grading(row) : undefined;
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

  /** Remembers an organization's course settings (weeks, counting rule) for exports. */
  async saveCourse(org: string, course: { weeks: number; counts: CountingRule; config: unknown }): Promise<void> {
    await this.db.run(
      `INSERT INTO courses (org, weeks, counts, config, updated_at) VALUES (?, ?, ?, ?, ?)
       ON CONFLICT (org) DO UPDATE SET weeks = excluded.weeks, counts = excluded.counts, config = excluded.config, updated_at = excluded.updated_at`,
      [org, course.weeks, course.counts, JSON.stringify(course.config), new Date(this.clock()).toISOString()],
    );
  }

  /** One organization's course settings as last recorded (matched case-insensitively, as GitHub does), config included. */
  async course(org: string): Promise<{ org: string; weeks: number; counts: CountingRule; config: unknown } | undefined> {
    const row = await one<{ org: string; weeks: number; counts: CountingRule; config: string | null }>(this.db, `SELECT org, weeks, counts, config FROM courses WHERE LOWER(org) = LOWER(?)`, [org]);
    return row ? { org: row.org, weeks: Number(row.weeks), counts: row.counts, config: row.config ? (JSON.parse(row.config) as unknown) : null } : undefined;
  }

  /** The courses graded so far, with the course file as it was at their latest grading. */
  async courses(): Promise<{ org: string; weeks: number; counts: CountingRule; config: unknown }[]> {
    const rows = await this.db.all<{ org: string; weeks: number; counts: CountingRule; config: string | null }>(`SELECT org, weeks, counts, config FROM courses ORDER BY org`);
    return rows.map((r) => ({ org: r.org, weeks: Number(r.weeks), counts: r.counts, config: r.config ? (JSON.parse(r.config) as unknown) : null }));
  }
}

const RECORD_COLUMNS = `job_id, installation_id, org, repo_id, repo, students, week, sha, delivered_at, graded_at, trigger_kind, pull_request,
  pack_name, pack_hash, image, image_id, score, max_score, pending_points, error_points, criteria, late, penalty, final_score, check_run_id, check_run_url`;

/** The record's usual filters, and only the gradings in force unless `replaced` (a published regrade replaced its commit's earlier ones). */
function inForceWhere(filter: { org?: string; repoId?: number; week?: number; replaced?: boolean }): { where: string; params: (string | number)[] } {
  const { where, params } = whereOf(filter);
  if (filter.replaced) return { where, params };
  return { where: `${where}${where ? ' AND' : ' WHERE'} replaced_by IS NULL`, params };
}

/** The WHERE clause of the record's usual filters (organization, repository, week). */
export function whereOf(filter: { org?: string; repoId?: number; week?: number }): { where: string; params: (string | number)[] } {
  const conditions: string[] = [];
  const params: (string | number)[] = [];
  if (filter.org !== undefined) (conditions.push('org = ?'), params.push(filter.org));
  if (filter.repoId !== undefined) (conditions.push('repo_id = ?'), params.push(filter.repoId));
  if (filter.week !== undefined) (conditions.push('week = ?'), params.push(filter.week));
  return { where: conditions.length ? ` WHERE ${conditions.join(' AND ')}` : '', params };
}

export interface GradingDbRow {
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

export function grading(row: GradingDbRow): StoredGrading {
  return { ...record(row), grade: JSON.parse(row.grade) as Grade };
}

/**
 * A row without its full Grade, as the record's summary. Plain assignments, and the JSON
 * columns parsed when first read: a class-wide view reads thousands of rows and the
 * criteria, students and lateness of only the few it shows.
 */
function record(row: Omit<GradingDbRow, 'grade'>): GradingRecord {
  let criteria: RecordedCriterion[] | undefined;
  let students: string[] | undefined;
  let late: Lateness | undefined;
  const r: { -readonly [K in keyof GradingRecord]: GradingRecord[K] } = {
    jobId: row.job_id,
    installationId: Number(row.installation_id),
    org: row.org,
    repoId: Number(row.repo_id),
    repo: row.repo,
    get students() {
      return (students ??= JSON.parse(row.students) as string[]);
    },
    week: Number(row.week),
    sha: row.sha,
    deliveredAt: row.delivered_at,
    gradedAt: row.graded_at,
    trigger: row.trigger_kind,
    packName: row.pack_name,
    packHash: row.pack_hash,
    image: row.image,
    imageId: row.image_id,
    score: Number(row.score),
    maxScore: Number(row.max_score),
    pendingPoints: Number(row.pending_points),
    errorPoints: Number(row.error_points),
    get criteria() {
      return (criteria ??= JSON.parse(row.criteria) as RecordedCriterion[]);
    },
    get late() {
      return (late ??= JSON.parse(row.late) as Lateness);
    },
    penalty: Number(row.penalty),
    finalScore: row.final_score === null ? null : Number(row.final_score),
  };
  if (row.pull_request !== null) r.pullRequest = Number(row.pull_request);
  if (row.check_run_id !== null) r.checkRunId = Number(row.check_run_id);
  if (row.check_run_url) r.checkRunUrl = row.check_run_url;
  return r;
}
