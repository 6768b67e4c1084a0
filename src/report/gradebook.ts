import { finalGrade, pointsOf, unitFieldsOf, type CountedUnit, type FinalGrade, type UnitCriteria } from '../grading/final-grade.ts';
import { countedGrading, finalScore } from '../grading/late.ts';
import type { FinalGradeSpec, UnitSelector } from '../rubrics/schema.ts';
import { applyOverrides, type OverriddenCriterion } from '../grading/overrides.ts';
import { roundPoints } from '../grading/score.ts';
import { weekNumberOf, type UnitKey } from '../course/unit.ts';
import type { Grade } from '../grading/grade.ts';
import type { CountingRule, GradingRecord, Lateness, Override } from '../store/records.ts';

/**
 * The course gradebook, from the store's records alone (pure: the CLI reads and writes).
 * Students are known only from their gradings: one row per repository, keyed by its id
 * so a renamed repository keeps its row.
 */

/** A grading with what its environment could not judge (the store's gradings carry their whole grade). */
export type GradebookGrading = GradingRecord & { readonly grade?: Pick<Grade, 'environment'> };

export interface GradebookInput {
  /** The weekly portfolio's weeks (0: the course has none). */
  readonly weeks: number;
  /** The course's other units, in column order: assignments and deliveries (`final`, `final/first`). */
  readonly assignments?: readonly UnitKey[];
  readonly rule: CountingRule;
  readonly gradings: readonly GradebookGrading[];
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
  /** Counted score per assignment unit (`final/first`), when the course has any; null as for weeks. */
  readonly assignments?: Record<UnitKey, number | null>;
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
  /** Modules the student declared that the runner image lacks: criteria not gradable in this environment. */
  readonly notGradableHere?: readonly string[];
}

/** One note per course: what to add to the runner image so every criterion can be judged. */
export interface RunnerImageNote {
  readonly modules: readonly {
    readonly module: string;
    /** The distribution to install, as students declare it. */
    readonly distribution: string;
    /** How many repositories' counted gradings miss it, and in which weeks. */
    readonly repositories: number;
    readonly weeks: readonly number[];
    /** The units (weeks, assignments, deliveries) whose gradings miss it. */
    readonly units: readonly UnitKey[];
  }[];
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
const unitOf = (r: { readonly unit?: string; readonly week: number }): UnitKey => r.unit ?? `week-${r.week}`;
const unitRowKey = (org: string, repoId: number, unit: UnitKey) => `${repoKey(org, repoId)}\u0000${unit}`;

function overridesByWeek(overrides: readonly Override[]): Map<string, Override[]> {
  const byWeek = new Map<string, Override[]>();
  // Oldest first, so a TA's later correction of the same criterion wins in applyOverrides.
  for (const o of [...overrides].sort((a, b) => Date.parse(a.at) - Date.parse(b.at))) {
    const key = unitRowKey(o.org, o.repoId, unitOf(o));
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
  /** Effective gradings by unit. */
  readonly units: Map<UnitKey, Effective[]>;
}

function repositories(input: GradebookInput): Repository[] {
  const overrides = overridesByWeek(input.overrides);
  const repos = new Map<string, { latest: GradingRecord; latestAt: number; units: Map<UnitKey, Effective[]> }>();
  // A class-wide view runs this over thousands of gradings: each delivery is parsed once.
  for (const g of input.gradings) {
    const key = repoKey(g.org, g.repoId);
    const at = Date.parse(g.deliveredAt);
    let repo = repos.get(key);
    if (!repo) repos.set(key, (repo = { latest: g, latestAt: at, units: new Map() }));
    // The latest grading names the repository as it is now (renamed, students added).
    if (at >= repo.latestAt) (repo.latest = g), (repo.latestAt = at);
    const unit = unitOf(g);
    let list = repo.units.get(unit);
    if (!list) repo.units.set(unit, (list = []));
    list.push(effective(g, overrides.size ? overrides.get(unitRowKey(g.org, g.repoId, unit)) : undefined));
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
    counted: Array.from({ length: input.weeks }, (_, i) => countedGrading(repo.units.get(`week-${i + 1}`) ?? [], input.rule)),
    attempts: Array.from({ length: input.weeks }, (_, i) => repo.units.get(`week-${i + 1}`)?.length ?? 0),
  }));
}

export function gradebook(input: GradebookInput): GradebookRow[] {
  return repositories(input).map((repo) => {
    const weeks: (number | null)[] = [];
    let latePenalties = 0;
    const units: CountedUnit[] = [];
    const counted = (unit: UnitKey) => {
      const c = countedGrading(repo.units.get(unit) ?? [], input.rule);
      if (c) units.push(countedUnit(unit, c));
      // Only points actually taken off a counted score: a too-late unit is lost whole, not penalised.
      if (c?.finalScore != null) latePenalties += c.penalty;
      return c?.finalScore ?? null;
    };
    for (let week = 1; week <= input.weeks; week++) weeks.push(counted(`week-${week}`));
    const assignments = input.assignments?.length ? Object.fromEntries(input.assignments.map((u) => [u, counted(u)])) : undefined;
    const total = [...weeks, ...Object.values(assignments ?? {})].reduce<number>((sum, w) => sum + (w ?? 0), 0);
    const final = input.final ? { final: finalGrade(input.final.spec, units, pointsOf(input.final.criteriaOf, input.final.due)) } : {};
    // One row per student, as an LMS imports grades: a group repository gives each of its members the same scores.
    return studentsOf(repo.latest).map((login) => ({ login, repo: repo.latest.repo, weeks, ...(assignments ? { assignments } : {}), latePenalties: roundPoints(latePenalties), total: roundPoints(total), ...final }));
  }).flat().sort((a, b) => a.login.localeCompare(b.login) || a.repo.localeCompare(b.repo));
}

/** What the final grade reads of a unit's counted grading (a week's, an assignment's or a delivery's). */
function countedUnit(key: UnitKey, counted: Effective): CountedUnit {
  return { ...unitFieldsOf(key), maxScore: counted.record.maxScore, score: counted.score, finalScore: counted.finalScore, criteria: counted.criteria.map((c) => ({ id: c.id, maxScore: c.maxScore, score: c.score })) };
}

const studentsOf = (g: GradingRecord): string[] => (g.students.length ? [...g.students] : [g.repo]);

/** The counted grading of each repository for one week (or unit), criterion by criterion. */
export function weekDetail(input: GradebookInput, week: number | UnitKey): WeekDetailRow[] {
  const unit = typeof week === 'number' ? `week-${week}` : week;
  const rows: WeekDetailRow[] = [];
  for (const repo of repositories(input)) {
    const counted = countedGrading(repo.units.get(unit) ?? [], input.rule);
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
      ...(missingOf(counted.record).length ? { notGradableHere: missingOf(counted.record).map((m) => m.module) } : {}),
    });
  }
  return rows.sort((a, b) => a.login.localeCompare(b.login) || a.repo.localeCompare(b.repo));
}

const missingOf = (g: GradebookGrading) => g.grade?.environment?.missing ?? [];

/**
 * Modules the runner image lacks, over the counted gradings of the course (of `week`,
 * or of every week); null when the image lacks nothing students declare.
 */
export function runnerImageNote(input: GradebookInput, unit?: UnitKey): RunnerImageNote | null {
  const byModule = new Map<string, { module: string; distribution: string; repos: Set<number>; units: Set<UnitKey> }>();
  for (const repo of repositories(input)) {
    for (const [u, gradings] of repo.units) {
      if (unit !== undefined && u !== unit) continue;
      const counted = countedGrading(gradings, input.rule);
      for (const m of counted ? missingOf(counted.record) : []) {
        const entry = byModule.get(m.module) ?? { module: m.module, distribution: m.distribution, repos: new Set<number>(), units: new Set<UnitKey>() };
        entry.repos.add(repo.latest.repoId);
        entry.units.add(u);
        byModule.set(m.module, entry);
      }
    }
  }
  if (byModule.size === 0) return null;
  return {
    modules: [...byModule.values()]
      .sort((a, b) => b.repos.size - a.repos.size || a.module.localeCompare(b.module))
      .map((e) => ({
        module: e.module,
        distribution: e.distribution,
        repositories: e.repos.size,
        weeks: [...e.units].map(weekNumberOf).filter((w) => w > 0).sort((a, b) => a - b),
        units: [...e.units].sort(),
      })),
  };
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
  /** The assignment units' columns (`final/first`), after the weeks. */
  assignments: readonly UnitKey[] = [],
): string {
  const who = students ? ['identifier', 'name', 'email', 'section'] : [];
  // The final grade's columns when the pack defines one (the level too when it grades by level).
  const final = rows.find((r) => r.final)?.final;
  const finalColumns = final ? ['final', ...(final.level !== undefined ? ['final_level'] : [])] : [];
  const header = ['login', ...who, 'repo', ...Array.from({ length: weeks }, (_, i) => `week_${i + 1}`), ...assignments.map(field), 'late_penalty', 'total', ...finalColumns];
  return csv([
    header,
    ...rows.map((r, i) => [
      field(r.login),
      ...(students ? [students[i]!.identifier, students[i]!.name, students[i]!.email, students[i]!.section].map((v) => field(v ?? '')) : []),
      field(r.repo),
      ...Array.from({ length: weeks }, (_, i) => number(r.weeks[i] ?? null)),
      ...assignments.map((u) => number(r.assignments?.[u] ?? null)),
      number(r.latePenalties),
      number(r.total),
      ...(final ? [number(r.final?.grade ?? null), ...(final.level !== undefined ? [field(r.final?.level?.id ?? '')] : [])] : []),
    ]),
  ]);
}

export function weekDetailCsv(rows: readonly WeekDetailRow[]): string {
  // Columns in the rubric's order as first seen: a criterion added later in the term goes last.
  const ids = [...new Set(rows.flatMap((r) => r.criteria.map((c) => c.id)))];
  // Only when the environment could not judge something: the usual file keeps its columns.
  const lacking = rows.some((r) => r.notGradableHere?.length);
  const header = ['login', 'repo', 'sha', 'delivered_at', 'status', ...ids, 'score', 'late_penalty', 'final', ...(lacking ? ['not_gradable_here'] : [])];
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
        ...(lacking ? [field((r.notGradableHere ?? []).join(' '))] : []),
      ];
    }),
  ]);
}
