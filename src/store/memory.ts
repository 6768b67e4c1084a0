import type { Grade } from '../grading/grade.ts';

/**
 * What reporting must remember to stay idempotent: which check run and which comment a
 * grading was published to, and the grade itself. This in-memory store keeps them for
 * the life of the process; the durable store (SQLite/PostgreSQL) implements the same
 * interface.
 */
export interface GradeRecord {
  readonly repoId: number;
  readonly sha: string;
  readonly week: number;
  readonly deliveredAt: string;
  readonly grade: Grade;
  readonly checkRunId: number;
  readonly checkRunUrl?: string;
}

export interface ReportStore {
  gradeFor(repoId: number, sha: string, week: number): Promise<GradeRecord | undefined>;
  latestGradeForCommit(repoId: number, sha: string): Promise<GradeRecord | undefined>;
  saveGrade(record: GradeRecord): Promise<void>;
  checkRunFor(repoId: number, sha: string, week: number): Promise<{ id: number; url?: string } | undefined>;
  saveCheckRun(repoId: number, sha: string, week: number, run: { id: number; url?: string }): Promise<void>;
  commentFor(repoId: number, issue: number, week: number): Promise<number | undefined>;
  saveComment(repoId: number, issue: number, week: number, commentId: number): Promise<void>;
}

export class MemoryReportStore implements ReportStore {
  private readonly grades = new Map<string, GradeRecord>();
  private readonly byCommit = new Map<string, GradeRecord>();
  private readonly checkRuns = new Map<string, { id: number; url?: string }>();
  private readonly comments = new Map<string, number>();

  async gradeFor(repoId: number, sha: string, week: number) {
    return this.grades.get(`${repoId}:${sha}:${week}`);
  }
  async latestGradeForCommit(repoId: number, sha: string) {
    return this.byCommit.get(`${repoId}:${sha}`);
  }
  async saveGrade(record: GradeRecord) {
    this.grades.set(`${record.repoId}:${record.sha}:${record.week}`, record);
    this.byCommit.set(`${record.repoId}:${record.sha}`, record);
  }
  async checkRunFor(repoId: number, sha: string, week: number) {
    return this.checkRuns.get(`${repoId}:${sha}:${week}`);
  }
  async saveCheckRun(repoId: number, sha: string, week: number, run: { id: number; url?: string }) {
    this.checkRuns.set(`${repoId}:${sha}:${week}`, run);
  }
  async commentFor(repoId: number, issue: number, week: number) {
    return this.comments.get(`${repoId}:${issue}:${week}`);
  }
  async saveComment(repoId: number, issue: number, week: number, commentId: number) {
    this.comments.set(`${repoId}:${issue}:${week}`, commentId);
  }
}
