import { finalGrade, pointsOf, type CountedUnit, type FinalGrade, type UnitCriteria } from '../grading/final-grade.ts';
import { countedGrading, finalScore } from '../grading/late.ts';
import type { FinalGradeSpec, UnitSelector } from '../rubrics/schema.ts';
import { applyOverrides, type OverriddenCriterion } from '../grading/overrides.ts';
import { roundPoints } from '../grading/score.ts';
import type { CountingRule, GradingRecord, Lateness, Override } from '../store/records.ts';

/**
 * The course gradebook, from the store's records alone (pure: the CLI reads and writes).
 * Students are known only from their gradings: one row per repository, keyed by its id
 * so a renamed repository keeps its row.
 */

export interface GradebookInput {
  readonly weeks: number;
  readonly rule: CountingRule;
  readonly gradings: readonly GradingRecord[];
  readonly overrides: readonly Override[];
  /** The pack's final grade (`final:` in pack.yaml) and its weeks' criteria, when it has one. */
  readonly final?: {
    readonly spec: FinalGradeSpec;
    readonly criteriaOf: UnitCriteria;
    /** Units past their deadline; the others weigh nothing until handed in. All of them when left out. */
    readonly due?: (selector: UnitSelector) => boolean;
  };
}

export interface GradebookRow {
  /** One student (a team repository gives a row to each of its students). */
  readonly login: string;
  readonly repo: string;
  /** Counted score per week (index 0 = week 1); null without a grading or when too late. */
  readonly weeks: (number | null)[];
  /** Points lost to lateness over the counted weeks. */
  readonly latePenalties: number;
  readonly total: number;
  /** The course's final grade so far (units due and not handed in count as 0), when the pack defines one. */
  readonly final?: FinalGrade;
}

export interface WeekDetailRow {
  readonly login: string;
  readonly repo: string;
  readonly repoId: number;
  readonly sha: string;
  readonly gradedAt: string;
  readonly deliveredAt: string;
  readonly status: Lateness['status'];
  /** In the rubric's order, with the TA's points where they overrode. */
  readonly criteria: readonly OverriddenCriterion[];
  readonly score: number;
  readonly latePenalty: number;
  readonly final: number | null;
}

/** A grading as it stands after the TAs' overrides for its repository and week. */
export interface Effective {
  readonly record: GradingRecord;
  readonly gradedAt: string;
  readonly deliveredAt: string;
  readonly late: Lateness;
  readonly criteria: readonly OverriddenCriterion[];
  /** A TA's points replace at least one criterion's. */
  readonly overridden: boolean;
  readonly score: number;
  readonly penalty: number;
  readonly finalScore: number | null;
}

const repoKey = (org: string, repoId: number) => `${org}\u0000${repoId}`;
const weekKey = (org: string, repoId: number, week: number) => `${repoKey(org, repoId)}\u0000${week}`;

function overridesByWeek(overrides: readonly Override[]): Map<string, Override[]> {
  const byWeek = new Map<string, Override[]>();
  // Oldest first, so a TA's later correction of the same criterion wins in applyOverrides.
  for (const o of [...overrides].sort((a, b) => Date.parse(a.at) - Date.parse(b.at))) {
    const key = weekKey(o.org, o.repoId, o.week);
    byWeek.set(key, [...(byWeek.get(key) ?? []), o]);
  }
  return byWeek;
}

/** A grading with its week's overrides applied (the late penalty re-applied on the TA's score). */
export function effective(g: GradingRecord, overrides: readonly Override[] | undefined): Effective {
  if (!overrides?.length) {
    // Built when asked: a class-wide view reads thousands of gradings and the criteria of few.
    let criteria: OverriddenCriterion[] | undefined;
    return {
      record: g,
      gradedAt: g.gradedAt,
      deliveredAt: g.deliveredAt,
      get late() {
        return g.late;
      },
      get criteria() {
        return (criteria ??= g.criteria.map((c) => ({ ...c, automatic: c.score, overridden: false })));
      },
      overridden: false,
      score: g.score,
      penalty: g.penalty,
      finalScore: g.finalScore,
    };
  }
  // The late penalty is re-applied on the TA's score: overriding doesn't forgive lateness.
  const applied = applyOverrides(g.criteria, overrides);
  const base = { record: g, gradedAt: g.gradedAt, deliveredAt: g.deliveredAt, late: g.late };
  return { ...base, criteria: applied.criteria, overridden: applied.criteria.some((c) => c.overridden), score: applied.score, ...finalScore(applied.score, g.maxScore, g.late) };
}

interface Repository {
  readonly latest: GradingRecord;
  /** Effective gradings by week. */
  readonly weeks: Map<number, Effective[]>;
}

function repositories(input: GradebookInput): Repository[] {
  const overrides = overridesByWeek(input.overrides);
  const repos = new Map<string, { latest: GradingRecord; latestAt: number; weeks: Map<number, Effective[]> }>();
  // A class-wide view runs this over thousands of gradings: each delivery is parsed once.
  for (const g of input.gradings) {
    const key = repoKey(g.org, g.repoId);
    const at = Date.parse(g.deliveredAt);
    let repo = repos.get(key);
    if (!repo) repos.set(key, (repo = { latest: g, latestAt: at, weeks: new Map() }));
    // The latest grading names the repository as it is now (renamed, students added).
    if (at >= repo.latestAt) (repo.latest = g), (repo.latestAt = at);
    let list = repo.weeks.get(g.week);
    if (!list) repo.weeks.set(g.week, (list = []));
    list.push(effective(g, overrides.size ? overrides.get(weekKey(g.org, g.repoId, g.week)) : undefined));
  }
  return [...repos.values()].sort(
    (a, b) => loginOf(a.latest).localeCompare(loginOf(b.latest)) || a.latest.repo.localeCompare(b.latest.repo),
  );
}

const loginOf = (g: GradingRecord) => g.students.join(' ');

/** Each repository (as its latest grading names it) with its counted grading of each week (index 0 = week 1) and how many it had. */
export function countedByRepository(input: GradebookInput): { latest: GradingRecord; counted: (Effective | undefined)[]; attempts: number[] }[] {
  return repositories(input).map((repo) => ({
    latest: repo.latest,
    counted: Array.from({ length: input.weeks }, (_, i) => countedGrading(repo.weeks.get(i + 1) ?? [], input.rule)),
    attempts: Array.from({ length: input.weeks }, (_, i) => repo.weeks.get(i + 1)?.length ?? 0),
  }));
}

export function gradebook(input: GradebookInput): GradebookRow[] {
  return countedByRepository(input).map((repo) => {
    const weeks: (number | null)[] = [];
    const units: CountedUnit[] = [];
    let latePenalties = 0;
    for (const [i, counted] of repo.counted.entries()) {
      weeks.push(counted?.finalScore ?? null);
      if (counted) units.push(countedUnit(i + 1, counted));
      // Only points actually taken off a counted score: a too-late week is lost whole, not penalised.
      if (counted?.finalScore != null) latePenalties += counted.penalty;
    }
    const total = weeks.reduce<number>((sum, w) => sum + (w ?? 0), 0);
    // One row per student, as an LMS imports grades: a team repository gives each of its students the same scores.
    const final = input.final ? { final: finalGrade(input.final.spec, units, pointsOf(input.final.criteriaOf, input.final.due)) } : {};
    return studentsOf(repo.latest).map((login) => ({ login, repo: repo.latest.repo, weeks, latePenalties: roundPoints(latePenalties), total: roundPoints(total), ...final }));
  }).flat().sort((a, b) => a.login.localeCompare(b.login) || a.repo.localeCompare(b.repo));
}

/** What the final grade reads of a week's counted grading. */
function countedUnit(week: number, counted: Effective): CountedUnit {
  return { week, maxScore: counted.record.maxScore, score: counted.score, finalScore: counted.finalScore, criteria: counted.criteria.map((c) => ({ id: c.id, maxScore: c.maxScore, score: c.score })) };
}

const studentsOf = (g: GradingRecord): string[] => (g.students.length ? [...g.students] : [g.repo]);

/** The counted grading of each repository for one week, criterion by criterion. */
export function weekDetail(input: GradebookInput, week: number): WeekDetailRow[] {
  const rows: WeekDetailRow[] = [];
  for (const repo of repositories(input)) {
    const counted = countedGrading(repo.weeks.get(week) ?? [], input.rule);
    if (!counted) continue;
    for (const login of studentsOf(repo.latest)) rows.push({
      login,
      repo: repo.latest.repo,
      repoId: repo.latest.repoId,
      sha: counted.record.sha,
      gradedAt: counted.gradedAt,
      deliveredAt: counted.deliveredAt,
      status: counted.late.status,
      criteria: counted.criteria,
      score: counted.score,
      latePenalty: counted.penalty,
      final: counted.finalScore,
    });
  }
  return rows.sort((a, b) => a.login.localeCompare(b.login) || a.repo.localeCompare(b.repo));
}

/** Two decimals at most, with a dot, whatever the locale. */
export function number(n: number | null): string {
  return n === null ? '' : String(roundPoints(n));
}

/**
 * One CSV field (RFC 4180). A text starting like a formula is defused with an apostrophe:
 * repository names are chosen by the organization, and a spreadsheet would run `=…`.
 */
export function field(text: string): string {
  const safe = /^[=+\-@\t\r]/.test(text) ? `'${text}` : text;
  return /[",\r\n]/.test(safe) ? `"${safe.replaceAll('"', '""')}"` : safe;
}

export function csv(lines: readonly (readonly string[])[]): string {
  return lines.map((cells) => cells.join(',')).join('\r\n') + '\r\n';
}

export function gradebookCsv(
  rows: readonly GradebookRow[],
  weeks: number,
  /** The roster's columns for each row, in the same order; without a roster they are left out. */
  students?: readonly { identifier: string | null; name: string | null; email: string | null; section: string | null }[],
): string {
  const who = students ? ['identifier', 'name', 'email', 'section'] : [];
  // The final grade's columns when the pack defines one (the level too when it grades by level).
  const final = rows.find((r) => r.final)?.final;
  const finalColumns = final ? ['final', ...(final.level !== undefined ? ['final_level'] : [])] : [];
  const header = ['login', ...who, 'repo', ...Array.from({ length: weeks }, (_, i) => `week_${i + 1}`), 'late_penalty', 'total', ...finalColumns];
  return csv([
    header,
    ...rows.map((r, i) => [
      field(r.login),
      ...(students ? [students[i]!.identifier, students[i]!.name, students[i]!.email, students[i]!.section].map((v) => field(v ?? '')) : []),
      field(r.repo),
      ...Array.from({ length: weeks }, (_, i) => number(r.weeks[i] ?? null)),
      number(r.latePenalties),
      number(r.total),
      ...(final ? [number(r.final?.grade ?? null), ...(final.level !== undefined ? [field(r.final?.level?.id ?? '')] : [])] : []),
    ]),
  ]);
}

export function weekDetailCsv(rows: readonly WeekDetailRow[]): string {
  // Columns in the rubric's order as first seen: a criterion added later in the term goes last.
  const ids = [...new Set(rows.flatMap((r) => r.criteria.map((c) => c.id)))];
  const header = ['login', 'repo', 'sha', 'delivered_at', 'status', ...ids, 'score', 'late_penalty', 'final'];
  return csv([
    header.map(field),
    ...rows.map((r) => {
      const points = new Map(r.criteria.map((c) => [c.id, c.score]));
      return [
        field(r.login),
        field(r.repo),
        field(r.sha),
        field(r.deliveredAt),
        r.status,
        ...ids.map((id) => number(points.get(id) ?? null)),
        number(r.score),
        number(r.latePenalty),
        number(r.final),
      ];
    }),
  ]);
}
