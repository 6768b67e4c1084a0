import { countedByRepository, type Effective, type GradebookInput } from '../../report/gradebook.ts';
import { roundPoints } from '../../grading/score.ts';
import type { StoredRosterEntry } from '../../store/roster.ts';

/**
 * The course overview (pure): one row per repository (a student, or a group's shared
 * repository) and one cell per week with the counted score, as the gradebook counts it
 * (overrides and late penalties applied), marked when late, overridden, pending a manual
 * criterion, or failed on our side. Filtered and sorted as the query asks.
 */
export interface OverviewCell {
  readonly week: number;
  /** The counted score; null when nothing counts (no grading, or too late). */
  readonly score: number | null;
  readonly maxScore: number | null;
  /** 0..4 by share of the week's scale; 'none' without a counted score. */
  readonly band: 0 | 1 | 2 | 3 | 4 | 'none';
  readonly late: boolean;
  readonly tooLate: boolean;
  readonly overridden: boolean;
  readonly pending: boolean;
  /** A criterion not graded because of an error of ours, or a job that failed on our side. */
  readonly ours: boolean;
  readonly attempts: number;
}

export interface OverviewRow {
  readonly repoId: number;
  readonly repo: string;
  readonly students: readonly string[];
  /** The roster's names of the students, where known. */
  readonly names: readonly string[];
  readonly sections: readonly string[];
  readonly cells: readonly OverviewCell[];
  readonly total: number;
}

export interface WeekSummary {
  readonly week: number;
  /** Mean counted score of the repositories with one; null when none. */
  readonly average: number | null;
  readonly maxScore: number | null;
  /** Repositories with at least one grading this week. */
  readonly submissions: number;
}

export type SortKey = 'name' | 'total' | `week-${number}`;

export interface OverviewQuery {
  readonly q: string;
  readonly section: string;
  readonly sort: SortKey;
  readonly dir: 'asc' | 'desc';
}

export interface Overview {
  readonly rows: readonly OverviewRow[];
  /** Rows before filtering. */
  readonly totalRows: number;
  readonly weeks: readonly WeekSummary[];
  readonly sections: readonly string[];
  readonly query: OverviewQuery;
}

export function parseOverviewQuery(params: URLSearchParams, weeks: number): OverviewQuery {
  const sort = params.get('sort') ?? 'name';
  const week = /^week-(\d{1,2})$/.exec(sort);
  const validSort: SortKey = sort === 'total' ? 'total' : week && Number(week[1]) >= 1 && Number(week[1]) <= weeks ? (sort as SortKey) : 'name';
  return {
    q: (params.get('q') ?? '').slice(0, 100).trim(),
    section: (params.get('section') ?? '').slice(0, 100),
    sort: validSort,
    dir: params.get('dir') === 'desc' ? 'desc' : 'asc',
  };
}

export function overview(
  input: GradebookInput & {
    readonly roster: ReadonlyMap<string, StoredRosterEntry>;
    /** `repoId:week` of jobs that failed on our side (no grading came of them). */
    readonly failed: ReadonlySet<string>;
  },
  query: OverviewQuery,
): Overview {
  const all: OverviewRow[] = countedByRepository(input).map(({ latest, counted, attempts }) => {
    const students = latest.students.length ? latest.students : [latest.repo];
    const entries = students.map((s) => input.roster.get(s.toLowerCase()));
    const cells = counted.map((c, i) => cell(i + 1, c, attempts[i]!, input.failed.has(`${latest.repoId}:${i + 1}`)));
    return {
      repoId: latest.repoId,
      repo: latest.repo,
      students,
      names: entries.flatMap((e) => (e?.name ? [e.name] : [])),
      sections: [...new Set(entries.flatMap((e) => (e?.section ? [e.section] : [])))],
      cells,
      total: roundPoints(cells.reduce((sum, c) => sum + (c.score ?? 0), 0)),
    };
  });
  const weeks: WeekSummary[] = Array.from({ length: input.weeks }, (_, i) => {
    let sum = 0;
    let scored = 0;
    let submissions = 0;
    let maxScore: number | null = null;
    for (const row of all) {
      const c = row.cells[i]!;
      if (c.attempts > 0) submissions++;
      if (c.maxScore !== null) maxScore = Math.max(maxScore ?? 0, c.maxScore);
      if (c.score !== null) (sum += c.score), scored++;
    }
    return { week: i + 1, average: scored ? roundPoints(sum / scored) : null, maxScore, submissions };
  });
  const needle = query.q.toLowerCase();
  const rows = all.filter(
    (r) =>
      (!needle || r.repo.toLowerCase().includes(needle) || r.students.some((s) => s.toLowerCase().includes(needle)) || r.names.some((n) => n.toLowerCase().includes(needle))) &&
      (!query.section || r.sections.includes(query.section)),
  );
  const byName = (a: OverviewRow, b: OverviewRow) => a.students.join(' ').localeCompare(b.students.join(' ')) || a.repo.localeCompare(b.repo);
  const week = query.sort.startsWith('week-') ? Number(query.sort.slice(5)) - 1 : -1;
  const value = (r: OverviewRow) => (query.sort === 'total' ? r.total : week >= 0 ? (r.cells[week]?.score ?? -1) : 0);
  const sign = query.dir === 'desc' ? -1 : 1;
  rows.sort((a, b) => (query.sort === 'name' ? sign * byName(a, b) : sign * (value(a) - value(b)) || byName(a, b)));
  const sections = [...new Set([...input.roster.values()].flatMap((e) => (e.section ? [e.section] : [])))].sort();
  return { rows, totalRows: all.length, weeks, sections, query };
}

function cell(week: number, counted: Effective | undefined, attempts: number, failed: boolean): OverviewCell {
  if (!counted) return { week, score: null, maxScore: null, band: 'none', late: false, tooLate: false, overridden: false, pending: false, ours: failed, attempts };
  const score = counted.finalScore;
  const max = counted.record.maxScore;
  const share = score === null || max <= 0 ? null : score / max;
  return {
    week,
    score,
    maxScore: max,
    band: share === null ? 'none' : share >= 0.8 ? 4 : share >= 0.6 ? 3 : share >= 0.4 ? 2 : share >= 0.2 ? 1 : 0,
    late: counted.late.status === 'late',
    tooLate: counted.late.status === 'too-late',
    overridden: counted.overridden,
    // The record's pending and error points say it unless a TA's points replaced a criterion.
    pending: counted.overridden ? counted.criteria.some((c) => c.status === 'pending' && !c.overridden) : counted.record.pendingPoints > 0,
    ours: failed || (counted.overridden ? counted.criteria.some((c) => c.status === 'error' && !c.overridden) : counted.record.errorPoints > 0),
    attempts,
  };
}
