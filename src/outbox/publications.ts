import { z } from 'zod';
import type { Grade } from '../grading/grade.ts';
import type { RenderOptions } from '../report/markdown.ts';

/**
 * What Rubrica tells GitHub, as records that wait in the outbox: every check run,
 * comment, reply, reaction and course issue. A job only describes them; the outbox
 * sends them, under the installation's budget. Each kind's payload is checked with
 * its schema when it is read back (a row written by an older version, a bug).
 */
const where = {
  installationId: z.number().int(),
  owner: z.string().min(1),
  repo: z.string().min(1),
  repoId: z.number().int(),
};

const Annotation = z.object({ path: z.string(), start_line: z.number(), end_line: z.number(), annotation_level: z.enum(['notice', 'warning', 'failure']), message: z.string(), title: z.string() });
const Output = z.object({ title: z.string(), summary: z.string(), text: z.string().optional(), annotations: z.array(Annotation).default([]) });

/**
 * The grading unit a publication belongs to (src/course/unit.ts: `week-3`, `final/first`),
 * '' for the runs of none (not configured, outside the course).
 */
const unit = z.string();

/** A check run: created, or completed into the one this commit and unit already has. */
export const CheckRunPublication = z.object({
  kind: z.literal('check-run'),
  ...where,
  sha: z.string().min(1),
  unit,
  name: z.string().min(1),
  externalId: z.string().optional(),
  /** A check run to complete (a re-run's, a superseded commit's); else the commit and week's, else a new one. */
  checkRunId: z.number().int().optional(),
  status: z.enum(['queued', 'completed']).default('completed'),
  conclusion: z.enum(['success', 'failure', 'neutral', 'skipped']).optional(),
  output: Output,
  /** The grading it shows: the check run is recorded on it once sent. */
  gradingJobId: z.string().optional(),
  /** A waiting job's "queued" check run: the job is told its id once sent. */
  noticeForJob: z.string().optional(),
});

/** The scored comment of a pull request and week, edited in place. Rendered when sent, with the check run's link. */
export const PullRequestCommentPublication = z.object({
  kind: z.literal('pr-comment'),
  ...where,
  pullRequest: z.number().int(),
  unit,
  sha: z.string().min(1),
  marker: z.string().min(1),
  grade: z.custom<Grade>((v) => typeof v === 'object' && v !== null && 'criteria' in v),
  render: z.custom<RenderOptions>((v) => typeof v === 'object' && v !== null && 'locale' in v),
});

/** A commit comment with the score (courses that ask for them on pushes). */
export const CommitCommentPublication = z.object({
  kind: z.literal('commit-comment'),
  ...where,
  sha: z.string().min(1),
  unit,
  grade: z.custom<Grade>((v) => typeof v === 'object' && v !== null && 'criteria' in v),
  render: z.custom<RenderOptions>((v) => typeof v === 'object' && v !== null && 'locale' in v),
});

/** A reply to a TA command (or to someone who may not use them). */
export const ReplyPublication = z.object({ kind: z.literal('reply'), ...where, pullRequest: z.number().int(), body: z.string().min(1) });

/** 👍 on an accepted command's comment. */
export const ReactionPublication = z.object({ kind: z.literal('reaction'), ...where, commentId: z.number().int(), content: z.literal('+1') });

/** The issue in the organization's `.github` repository about its course file. */
export const CourseIssuePublication = z.object({ kind: z.literal('course-issue'), installationId: z.number().int(), owner: z.string().min(1), title: z.string(), body: z.string(), marker: z.string() });

const Publications = z.discriminatedUnion('kind', [CheckRunPublication, PullRequestCommentPublication, CommitCommentPublication, ReplyPublication, ReactionPublication, CourseIssuePublication]);

/** A row written before grading units carries `week: N` (0: none): read as its unit. */
function withUnit(raw: unknown): unknown {
  if (typeof raw !== 'object' || raw === null || 'unit' in raw || !('week' in raw) || typeof raw.week !== 'number') return raw;
  const { week, ...rest } = raw;
  return { ...rest, unit: week > 0 ? `week-${week}` : '' };
}

export const Publication = z.preprocess(withUnit, Publications);
export type Publication = z.input<typeof Publications>;
export type ParsedPublication = z.output<typeof Publications>;
export type PublicationKind = Publication['kind'];

/**
 * Publications with the same key show the same thing (a commit and unit's check
 * run, a pull request and unit's comment): a newer one makes a waiting older one
 * stale, and the older is dropped rather than sent. Replies and reactions each stand alone.
 */
export function staleKeyOf(p: Publication): string | null {
  switch (p.kind) {
    case 'check-run':
      return `check-run:${p.repoId}:${p.sha}:${p.unit}`;
    case 'pr-comment':
      return `pr-comment:${p.repoId}:${p.pullRequest}:${p.unit}`;
    case 'commit-comment':
      return `commit-comment:${p.repoId}:${p.sha}:${p.unit}`;
    case 'course-issue':
      return `course-issue:${p.owner}`;
    default:
      return null;
  }
}

/** How many writes a publication costs at least (the plan's estimate). */
export function writesOf(p: ParsedPublication): number {
  return p.kind === 'check-run' ? Math.max(1, Math.ceil(p.output.annotations.length / 50)) : 1;
}

/** Whether it creates content (a POST GitHub counts against its content-creation limits), as far as known before sending. */
export function createsContent(p: ParsedPublication): boolean {
  return p.kind !== 'check-run' || p.checkRunId === undefined;
}
