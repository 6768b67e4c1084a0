import { multiLine, segments, singleLine, type Locale } from '../../core/text.ts';
import { gradeWithOverrides } from '../../grading/overrides.ts';
import type { CriterionOverride } from '../../grading/score.ts';
import { countedByRepository, effective } from '../../report/gradebook.ts';
import type { StoredGrading } from '../../store/record.ts';
import type { Extension, Override } from '../../store/records.ts';
import type { StoredRosterEntry } from '../../store/roster.ts';
import type { CourseInfo } from '../context.ts';

/**
 * A student's (or group's) repository (pure): every grading of every week, newest
 * first, with each criterion's result, feedback and output; the overrides in force
 * with who, why and when; lateness and extensions; links to the commit, check run and
 * pull request. Student text comes out as plain segments (literal values apart), never markup.
 */
export interface TextPart {
  readonly text: string;
  /** A value the student wrote (a path, a commit subject): shown as code. */
  readonly literal: boolean;
}

export interface CriterionView {
  readonly id: string;
  readonly title: string;
  readonly status: string;
  readonly score: number | null;
  readonly maxScore: number;
  readonly message: readonly TextPart[];
  readonly feedback: readonly TextPart[];
  /** The course's reading that teaches it, next to the feedback (its address only when https, as the pack schema requires). */
  readonly reading?: { readonly title: string; readonly url?: string };
  readonly output: string;
  /** A TA's points in place of the checks' (with the automatic result, who, why, when). */
  readonly override?: CriterionOverride;
}

export interface GradingView {
  readonly jobId: string;
  readonly counted: boolean;
  readonly sha: string;
  readonly shortSha: string;
  readonly deliveredAt: string;
  readonly gradedAt: string;
  /** With the TAs' overrides of the week (the automatic score beside it when they differ). */
  readonly score: number;
  readonly automaticScore: number;
  readonly maxScore: number;
  readonly finalScore: number | null;
  readonly penalty: number;
  readonly late: StoredGrading['late'];
  readonly pack: string;
  readonly packHash: string;
  readonly links: { readonly commit: string; readonly checkRun?: string; readonly pullRequest?: { readonly number: number; readonly href: string } };
  readonly criteria: readonly CriterionView[];
}

export interface WeekOfRepository {
  readonly week: number;
  readonly gradings: readonly GradingView[];
  readonly overrides: readonly Override[];
  readonly extension?: Extension;
}

export interface RepositoryPage {
  readonly title: string;
  readonly repo: string;
  readonly repoId: number;
  readonly repoHref: string;
  readonly students: readonly { readonly login: string; readonly name: string | null; readonly section: string | null }[];
  readonly weeks: readonly WeekOfRepository[];
}

/** Output beyond this is cut (the check run has it all): a page stays readable. */
const OUTPUT_LIMIT = 8_000;

export function parts(s: string | undefined): TextPart[] {
  if (!s) return [];
  return segments(s).map((p) => ({ text: p.literal ? singleLine(p.text) : multiLine(p.text), literal: p.literal }));
}

export function repositoryPage(input: {
  readonly course: CourseInfo;
  readonly gradings: readonly StoredGrading[];
  readonly overrides: readonly Override[];
  readonly extensions: readonly Extension[];
  readonly roster: ReadonlyMap<string, StoredRosterEntry>;
  readonly webUrl: string;
  readonly locale?: Locale;
}): RepositoryPage {
  const locale = input.locale ?? input.course.locale;
  const [summary] = countedByRepository({ weeks: input.course.weeks, rule: input.course.counts, gradings: input.gradings, overrides: input.overrides });
  const countedJobs = new Set(summary?.counted.flatMap((c) => (c ? [c.record.jobId] : [])) ?? []);
  const latest = summary?.latest ?? input.gradings[input.gradings.length - 1]!;
  const web = input.webUrl.replace(/\/$/, '');
  const repoHref = `${web}/${encodeURIComponent(input.course.org)}/${encodeURIComponent(latest.repo)}`;
  const weeks = [...new Set(input.gradings.map((g) => g.week))].sort((a, b) => a - b);
  return {
    title: (latest.students.length ? latest.students : [latest.repo]).join(', '),
    repo: latest.repo,
    repoId: latest.repoId,
    repoHref,
    students: latest.students.map((login) => {
      const e = input.roster.get(login.toLowerCase());
      return { login, name: e?.name ?? null, section: e?.section ?? null };
    }),
    weeks: weeks.map((week) => {
      const overrides = input.overrides.filter((o) => o.week === week);
      const extension = input.extensions.find((e) => e.unit === `week-${week}`);
      return {
        week,
        overrides,
        ...(extension ? { extension } : {}),
        gradings: input.gradings
          .filter((g) => g.week === week)
          .sort((a, b) => Date.parse(b.deliveredAt) - Date.parse(a.deliveredAt) || Date.parse(b.gradedAt) - Date.parse(a.gradedAt))
          .map((g) => gradingView(g, countedJobs.has(g.jobId), overrides, repoHref, locale)),
      };
    }),
  };
}

function gradingView(g: StoredGrading, counted: boolean, overrides: readonly Override[], repoHref: string, locale: Locale): GradingView {
  // Oldest first, so a later correction of the same criterion wins (as in the gradebook).
  const ordered = [...overrides].sort((a, b) => Date.parse(a.at) - Date.parse(b.at));
  const now = effective(g, ordered);
  const shown = g.grade ? gradeWithOverrides(g.grade, ordered) : undefined;
  return {
    jobId: g.jobId,
    counted,
    sha: g.sha,
    shortSha: g.sha.slice(0, 7),
    deliveredAt: g.deliveredAt,
    gradedAt: g.gradedAt,
    score: now.score,
    automaticScore: g.score,
    maxScore: g.maxScore,
    finalScore: now.finalScore,
    penalty: now.penalty,
    late: g.late,
    pack: g.packName,
    packHash: g.packHash.slice(0, 12),
    links: {
      commit: `${repoHref}/commit/${encodeURIComponent(g.sha)}`,
      // Our own record of where we published; only GitHub addresses are linked.
      ...(g.checkRunUrl && /^https?:\/\//.test(g.checkRunUrl) ? { checkRun: g.checkRunUrl } : {}),
      ...(g.pullRequest !== undefined ? { pullRequest: { number: g.pullRequest, href: `${repoHref}/pull/${g.pullRequest}` } } : {}),
    },
    criteria: (shown?.criteria ?? []).map((c, i) => {
      // The checks' own words stay (the TA's reason is shown beside them): the record is both.
      const automatic = g.grade!.criteria[i]!;
      const output = multiLine(c.details ?? '');
      const override = c.override;
      return {
        id: c.id,
        title: c.title[locale],
        status: c.status,
        score: c.score,
        maxScore: c.maxScore,
        message: parts(automatic.message[locale]),
        feedback: automatic.status === 'passed' ? [] : parts(automatic.feedback?.[locale]),
        ...(automatic.status !== 'passed' && automatic.reading
          ? { reading: { title: automatic.reading.title[locale], ...(automatic.reading.url && /^https:\/\//.test(automatic.reading.url) ? { url: automatic.reading.url } : {}) } }
          : {}),
        output: output.length > OUTPUT_LIMIT ? `${output.slice(0, OUTPUT_LIMIT)}\n…` : output,
        ...(override ? { override } : {}),
      };
    }),
  };
}
