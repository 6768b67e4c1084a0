import { DEFAULT_COURSE_ID } from '../course/config.ts';
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
      `INSERT INTO gradings (job_id, installation_id, org, course, repo_id, repo, students, unit, week, sha, delivered_at, graded_at, trigger_kind, pull_request,
         pack_name, pack_hash, image, image_id, score, max_score, pending_points, error_points, criteria, late, penalty, final_score, check_run_id, check_run_url, grade)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT (job_id) DO NOTHING`,
      [
        g.jobId, g.installationId, g.org, g.course, g.repoId, g.repo, JSON.stringify(g.students), g.unit, g.week, g.sha, g.deliveredAt, g.gradedAt, g.trigger, g.pullRequest ?? null,
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
  async gradings(filter: RecordFilter & { replaced?: boolean } = {}): Promise<StoredGrading[]> {
    const { where, params } = inForceWhere(filter);
    const rows = await this.db.all<GradingDbRow>(`SELECT * FROM gradings${where} ORDER BY delivered_at, graded_at`, params);
    return rows.map(grading);
  }

  /**
   * The gradings without their full Grade (command output and all): what a class-wide
   * view needs, read in a fraction of the time.
   */
  async gradingRecords(filter: RecordFilter & { replaced?: boolean } = {}): Promise<GradingRecord[]> {
    const { where, params } = inForceWhere(filter);
    const rows = await this.db.all<Omit<GradingDbRow, 'grade'>>(`SELECT ${RECORD_COLUMNS} FROM gradings${where} ORDER BY delivered_at, graded_at`, params);
    return rows.map(record);
  }

  /** Re-applies lateness to a student's week after an extension changed (the record stays the truth). */
  async updateLateness(jobId: string, late: Lateness, penalty: number, finalScore: number | null): Promise<void> {
    await this.db.run(`UPDATE gradings SET late = ?, penalty = ?, final_score = ? WHERE job_id = ?`, [JSON.stringify(late), penalty, finalScore, jobId]);
  }

  /** The latest grading of a commit (for a unit, if given), in full. */
  async latestGradingOf(repoId: number, sha: string, unit?: string): Promise<StoredGrading | undefined> {
    return this.latestGradingWhere('sha', repoId, sha, unit);
  }

  /** The latest grading of a pull request (for a unit, if given). */
  async latestGradingOfPullRequest(repoId: number, pullRequest: number, unit?: string): Promise<StoredGrading | undefined> {
    return this.latestGradingWhere('pull_request', repoId, pullRequest, unit);
  }

  /** One query for both lookups: the newest grading of a repository matching one column (and a unit, if given). */
  private async latestGradingWhere(column: 'sha' | 'pull_request', repoId: number, value: string | number, unit?: string): Promise<StoredGrading | undefined> {
    const row = await one<GradingDbRow>(
      this.db,
      `SELECT * FROM gradings WHERE repo_id = ? AND ${column} = ?${unit !== undefined ? ' AND unit = ?' : ''} ORDER BY graded_at DESC LIMIT 1`,
      unit !== undefined ? [repoId, value, unit] : [repoId, value],
    );
    return row ? grading(row) : undefined;
  }

  /** A repository's (a student's or a group's) extension for a unit. */
  async extensionFor(repoId: number, unit: string): Promise<Extension | undefined> {
    const row = await one<{ org: string; course: string; repo_id: number; unit: string; minutes: number; granted_by: string; granted_at: string; reason: string | null }>(this.db, `SELECT * FROM extensions WHERE repo_id = ? AND unit = ?`, [repoId, unit]);
    return row ? { org: row.org, course: row.course, repoId: Number(row.repo_id), unit: row.unit, minutes: Number(row.minutes), grantedBy: row.granted_by, grantedAt: row.granted_at, ...(row.reason ? { reason: row.reason } : {}) } : undefined;
  }

  async saveExtension(e: Extension): Promise<void> {
    await this.db.run(
      `INSERT INTO extensions (org, course, repo_id, unit, minutes, granted_by, granted_at, reason) VALUES (?, ?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT (repo_id, unit) DO UPDATE SET minutes = excluded.minutes, granted_by = excluded.granted_by, granted_at = excluded.granted_at, reason = excluded.reason`,
      [e.org, e.course, e.repoId, e.unit, e.minutes, e.grantedBy, e.grantedAt, e.reason ?? null],
    );
  }

  /** Remembers a course's settings (its units: the gradebook's columns; its counting rule) for exports. */
  async saveCourse(org: string, course: { id: string; weeks: number; units: readonly string[]; counts: CountingRule; config: unknown }): Promise<void> {
    await this.db.run(
      `INSERT INTO courses (org, course, weeks, units, counts, config, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT (org, course) DO UPDATE SET weeks = excluded.weeks, units = excluded.units, counts = excluded.counts, config = excluded.config, updated_at = excluded.updated_at`,
      [org, course.id, course.weeks, JSON.stringify(course.units), course.counts, JSON.stringify(course.config), new Date(this.clock()).toISOString()],
    );
  }

  /**
   * One organization's course as last recorded (the organization matched case-insensitively,
   * as GitHub does): the one named, else its only one, else its `default` one.
   */
  async course(org: string, id?: string): Promise<RecordedCourse | undefined> {
    const mine = (await this.courses()).filter((c) => c.org.toLowerCase() === org.toLowerCase());
    if (id !== undefined) return mine.find((c) => c.course === id);
    return mine.length === 1 ? mine[0] : mine.find((c) => c.course === DEFAULT_COURSE_ID);
  }

  /** The courses graded so far, with the course file (of that course) as it was at their latest grading. */
  async courses(): Promise<RecordedCourse[]> {
    const rows = await this.db.all<{ org: string; course: string; weeks: number; units: string; counts: CountingRule; config: string | null }>(`SELECT org, course, weeks, units, counts, config FROM courses ORDER BY org, course`);
    return rows.map((r) => {
      const weeks = Number(r.weeks);
      // A course recorded before units (migration 6) was weeks 1..N.
      const units = r.units ? (JSON.parse(r.units) as string[]) : Array.from({ length: weeks }, (_, i) => `week-${i + 1}`);
      return { org: r.org, course: r.course, weeks, units, counts: r.counts, config: r.config ? (JSON.parse(r.config) as unknown) : null };
    });
  }
}

/** A course as the record knows it: what an export needs offline. */
export interface RecordedCourse {
  readonly org: string;
  readonly course: string;
  readonly weeks: number;
  /** Its grading units in the gradebook's order (`week-1`…, `final/first`, `final/final`). */
  readonly units: readonly string[];
  readonly counts: CountingRule;
  /** The course's part of the course file at its latest grading. */
  readonly config: unknown;
}

/** The record's usual filters. */
export interface RecordFilter {
  readonly org?: string;
  readonly course?: string;
  readonly repoId?: number;
  readonly unit?: string;
  readonly week?: number;
}

const RECORD_COLUMNS = `job_id, installation_id, org, course, repo_id, repo, students, unit, week, sha, delivered_at, graded_at, trigger_kind, pull_request,
  pack_name, pack_hash, image, image_id, score, max_score, pending_points, error_points, criteria, late, penalty, final_score, check_run_id, check_run_url`;

/** The record's usual filters, and only the gradings in force unless `replaced` (a published regrade replaced its commit's earlier ones). */
function inForceWhere(filter: RecordFilter & { replaced?: boolean }): { where: string; params: (string | number)[] } {
  const { where, params } = whereOf(filter);
  if (filter.replaced) return { where, params };
  return { where: `${where}${where ? ' AND' : ' WHERE'} replaced_by IS NULL`, params };
}

/** The WHERE clause of the record's usual filters (organization, course, repository, unit). */
export function whereOf(filter: RecordFilter): { where: string; params: (string | number)[] } {
  const conditions: string[] = [];
  const params: (string | number)[] = [];
  if (filter.org !== undefined) (conditions.push('org = ?'), params.push(filter.org));
  if (filter.course !== undefined) (conditions.push('course = ?'), params.push(filter.course));
  if (filter.repoId !== undefined) (conditions.push('repo_id = ?'), params.push(filter.repoId));
  if (filter.unit !== undefined) (conditions.push('unit = ?'), params.push(filter.unit));
  if (filter.week !== undefined) (conditions.push('unit = ?'), params.push(`week-${filter.week}`));
  return { where: conditions.length ? ` WHERE ${conditions.join(' AND ')}` : '', params };
}

export interface GradingDbRow {
  job_id: string;
  installation_id: number;
  org: string;
  course: string;
  repo_id: number;
  repo: string;
  students: string;
  unit: string;
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
    course: row.course,
    repoId: Number(row.repo_id),
    repo: row.repo,
    get students() {
      return (students ??= JSON.parse(row.students) as string[]);
    },
    unit: row.unit,
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
