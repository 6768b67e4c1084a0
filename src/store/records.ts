import type { CriterionStatus } from '../grading/score.ts';

/**
 * The records Rubrica keeps in its own store (never in GitHub comments, which any
 * collaborator with write access can edit). Plain data: the store adapters
 * (SQLite, PostgreSQL) persist them; the gradebook and the reports read them.
 */

/** How late a delivery was against its week's deadline (with grace and any extension). */
export interface Lateness {
  /** The week's deadline (ISO), before grace and extensions. */
  readonly deadline: string;
  /** The deadline that applied to this student: deadline + extension (ISO). */
  readonly effectiveDeadline: string;
  /** Minutes after the effective deadline (0 when on time or inside grace). */
  readonly minutesLate: number;
  /** Whole days late, counted from the effective deadline (0 when on time or inside grace). */
  readonly daysLate: number;
  /** Share of the week's scale taken off (0..1). */
  readonly penaltyFraction: number;
  /** on-time (grace included), late (penalised), too-late (past maxDaysLate: recorded, not scored). */
  readonly status: 'on-time' | 'late' | 'too-late';
}

/** One criterion of a recorded grading (the full Grade JSON is kept beside it). */
export interface RecordedCriterion {
  readonly id: string;
  readonly maxScore: number;
  /** null while pending (manual) or not graded (an error of ours). */
  readonly score: number | null;
  readonly status: CriterionStatus;
}

/** One grading of one commit for one week: what a student's grade is made of. */
export interface GradingRecord {
  /** The job that produced it: each job ends in at most one grading. */
  readonly jobId: string;
  readonly installationId: number;
  readonly org: string;
  /** The course of the organization it belongs to (`default` for a single-course file). */
  readonly course: string;
  readonly repoId: number;
  readonly repo: string;
  /** GitHub login(s) of the repository's student(s): a group's members each receive the grade. */
  readonly students: readonly string[];
  /** What was graded (src/course/unit.ts): `week-3`, `final`, `final/first`. */
  readonly unit: string;
  /** The week number of a week unit; 0 for an assignment. */
  readonly week: number;
  readonly sha: string;
  /** When GitHub delivered the push (ISO): decides week and lateness. */
  readonly deliveredAt: string;
  readonly gradedAt: string;
  readonly trigger: 'push' | 'pull_request' | 'rerun';
  readonly pullRequest?: number;
  readonly packName: string;
  /** Content hash of the rubric pack that graded. */
  readonly packHash: string;
  readonly image: string;
  readonly imageId: string;
  readonly score: number;
  readonly maxScore: number;
  readonly pendingPoints: number;
  readonly errorPoints: number;
  readonly criteria: readonly RecordedCriterion[];
  readonly late: Lateness;
  /** Points taken off for lateness. */
  readonly penalty: number;
  /** score − penalty (never below 0); null when too late to be scored. */
  readonly finalScore: number | null;
  /** The check run the grading was published to, once published. */
  readonly checkRunId?: number;
  readonly checkRunUrl?: string;
}

/** A per-repository (student or group) deadline extension for a unit (granted by a TA). */
export interface Extension {
  readonly org: string;
  readonly course: string;
  readonly repoId: number;
  readonly unit: string;
  /** Minutes added to the week's deadline. */
  readonly minutes: number;
  readonly grantedBy: string;
  readonly grantedAt: string;
  readonly reason?: string;
}

/** A TA's points for one criterion of one unit of one repository (issue 5 writes these). */
export interface Override {
  readonly org: string;
  readonly course: string;
  readonly repoId: number;
  readonly unit: string;
  /** The week number of a week unit; 0 for an assignment. */
  readonly week: number;
  readonly criterion: string;
  readonly points: number;
  readonly reason: string;
  readonly by: string;
  readonly at: string;
  /** The automatic points when the override was made, to tell a TA when they later differ. */
  readonly automaticPoints: number | null;
  readonly commentId?: number;
}

/** Which grading counts for a week: a course setting. */
export type CountingRule = 'best' | 'latest' | 'latest-on-time';
