import { roundPoints } from '../grading/score.ts';
import type { Override } from '../store/records.ts';
import type { Roster, StoredRosterEntry } from '../store/roster.ts';
import { byLogin } from '../store/roster.ts';
import { unitLabel, weekNumberOf, type UnitKey } from '../course/unit.ts';
import { csv, field, gradebook, number, weekDetail, type GradebookInput, type GradebookRow } from './gradebook.ts';

/**
 * Gradebooks an LMS imports as they are, from the record and the roster (pure).
 * Students are matched to the roster by GitHub login; a graded student missing from it
 * is listed in `unmatched` (and still gets a row where the format allows one), never dropped.
 */

export interface LmsExport {
  readonly body: string;
  readonly contentType: string;
  /** Graded logins not on the roster: the LMS cannot place them. */
  readonly unmatched: readonly { readonly login: string; readonly repo: string }[];
}

/** The gradebook's columns, in order: the weeks, then the assignments and deliveries. */
function unitsOf(input: GradebookInput): UnitKey[] {
  return [...Array.from({ length: input.weeks }, (_, i) => `week-${i + 1}`), ...(input.assignments ?? [])];
}

/** A column's title in an LMS: `Week 3`, `final · first`. */
const unitTitle = (unit: UnitKey) => unitLabel(unit, 'en');

/** A row's counted score for a unit. */
function scoreOf(row: GradebookRow, unit: UnitKey): number | null {
  const week = weekNumberOf(unit);
  return week > 0 ? (row.weeks[week - 1] ?? null) : (row.assignments?.[unit] ?? null);
}

/** The largest max score recorded per unit: the points possible. */
function pointsPossible(input: GradebookInput, units: readonly UnitKey[]): number[] {
  return units.map((u) => input.gradings.filter((g) => (g.unit ?? `week-${g.week}`) === u).reduce((max, g) => Math.max(max, g.maxScore), 0));
}

function matched(rows: readonly GradebookRow[], roster: Roster) {
  const entries = byLogin(roster);
  const unmatched: { login: string; repo: string }[] = [];
  const out = rows.map((row) => {
    const entry = entries.get(row.login.toLowerCase());
    if (!entry) unmatched.push({ login: row.login, repo: row.repo });
    return { row, entry };
  });
  return { rows: out, unmatched };
}

/**
 * Canvas's gradebook import CSV: `Student, ID, SIS User ID, SIS Login ID, Section`, one
 * column per week and the total, and the "Points Possible" row under the header. ID (Canvas's
 * own user id) is left empty: Canvas matches the SIS User ID (the roster's identifier), then
 * the SIS Login ID (its email). A student missing from the roster gets no row here.
 */
export function canvasCsv(input: GradebookInput, roster: Roster): LmsExport {
  const { rows, unmatched } = matched(gradebook(input), roster);
  const units = unitsOf(input);
  const possible = pointsPossible(input, units);
  const lines: string[][] = [
    ['Student', 'ID', 'SIS User ID', 'SIS Login ID', 'Section', ...units.map((u) => field(unitTitle(u))), 'Rubrica total'],
    ['    Points Possible', '', '', '', '', ...possible.map((p) => number(p)), number(roundPoints(possible.reduce((a, b) => a + b, 0)))],
  ];
  for (const { row, entry } of rows) {
    if (!entry) continue;
    lines.push([
      field(canvasName(entry)),
      '',
      field(entry.identifier ?? ''),
      field(entry.email ?? ''),
      field(entry.section ?? ''),
      ...units.map((u) => number(scoreOf(row, u))),
      number(row.total),
    ]);
  }
  return { body: csv(lines), contentType: 'text/csv; charset=utf-8', unmatched };
}

/** Canvas shows "Last, First"; the roster has one name, shown as written. */
function canvasName(e: StoredRosterEntry): string {
  return e.name ?? e.login ?? e.identifier ?? '';
}

/**
 * Moodle's grade import (Grades → Import → CSV file): the student is identified by
 * "ID number" or "Email address" (chosen under "Identify user by"), then a grade column
 * and a feedback column per week, each mapped to a grade item and its feedback.
 */
export function moodleCsv(input: GradebookInput, roster: Roster): LmsExport {
  const { rows, unmatched } = matched(gradebook(input), roster);
  // The feedback says how the week's points were made: criterion by criterion, and lateness.
  const notes = new Map<string, string>();
  const units = unitsOf(input);
  for (const unit of units) {
    for (const r of weekDetail(input, unit)) {
      const parts = r.criteria.map((c) => `${c.id} ${number(c.score ?? 0)}/${number(c.maxScore)}${c.overridden ? ' (TA)' : ''}`);
      if (r.latePenalty) parts.push(`late penalty -${number(r.latePenalty)}`);
      notes.set(`${r.login}\u0000${r.repo}\u0000${unit}`, parts.join('; '));
    }
  }
  const feedback = (login: string, repo: string, unit: UnitKey) => notes.get(`${login}\u0000${repo}\u0000${unit}`) ?? '';
  const lines: string[][] = [['ID number', 'Email address', 'Full name', ...units.flatMap((u) => [field(unitTitle(u)), field(`${unitTitle(u)} feedback`)])]];
  for (const { row, entry } of rows) {
    if (!entry) continue;
    lines.push([
      field(entry.identifier ?? ''),
      field(entry.email ?? ''),
      field(entry.name ?? ''),
      ...units.flatMap((u) => [number(scoreOf(row, u)), field(scoreOf(row, u) == null ? '' : feedback(row.login, row.repo, u))]),
    ]);
  }
  return { body: csv(lines), contentType: 'text/csv; charset=utf-8', unmatched };
}

/** The override in force for a criterion (the latest), if any. */
function overrideOf(overrides: readonly Override[], repoId: number, unit: UnitKey, criterion: string): Override | undefined {
  let found: Override | undefined;
  for (const o of overrides) {
    if (o.repoId === repoId && (o.unit ?? `week-${o.week}`) === unit && o.criterion === criterion && (!found || Date.parse(o.at) >= Date.parse(found.at))) found = o;
  }
  return found;
}

export const LONG_COLUMNS = [
  'login', 'identifier', 'name', 'email', 'section', 'on_roster', 'repo', 'week', 'criterion', 'points', 'max', 'status',
  'overridden', 'override_by', 'override_reason', 'automatic_points', 'late_status', 'late_penalty', 'week_score', 'week_final', 'commit', 'delivered_at', 'graded_at',
  // The unit graded (`week-3`, `final/first`); `week` is empty for an assignment's.
  'unit',
] as const;

/** One row per student × week × criterion of the counted gradings: for spreadsheets and audits. */
export function longCsv(input: GradebookInput, roster: Roster): LmsExport {
  const entries = byLogin(roster);
  const unmatched = new Map<string, string>();
  const lines: string[][] = [[...LONG_COLUMNS]];
  for (const unit of unitsOf(input)) {
    const week = weekNumberOf(unit);
    for (const r of weekDetail(input, unit)) {
      const e = entries.get(r.login.toLowerCase());
      if (!e) unmatched.set(r.login, r.repo);
      for (const c of r.criteria) {
        const o = c.overridden ? overrideOf(input.overrides, r.repoId, unit, c.id) : undefined;
        lines.push([
          field(r.login), field(e?.identifier ?? ''), field(e?.name ?? ''), field(e?.email ?? ''), field(e?.section ?? ''), e ? 'yes' : 'no',
          field(r.repo), week > 0 ? String(week) : '', field(c.id), number(c.score), number(c.maxScore), c.status,
          c.overridden ? 'yes' : 'no', field(o?.by ?? ''), field(o?.reason ?? ''), number(c.automatic),
          r.status, number(r.latePenalty), number(r.score), number(r.final), r.sha, r.deliveredAt, r.gradedAt, unit,
        ]);
      }
    }
  }
  return { body: csv(lines), contentType: 'text/csv; charset=utf-8', unmatched: [...unmatched].map(([login, repo]) => ({ login, repo })) };
}

export interface GradescopeResults {
  readonly score: number;
  readonly tests: readonly { readonly name: string; readonly score: number; readonly max_score: number; readonly status: 'passed' | 'failed'; readonly output: string; readonly visibility: 'visible' }[];
}

/**
 * Gradescope's autograder `results.json`, one per student and week, keyed by
 * `<login>/week-NN/results.json`: the counted grading's criteria as tests.
 */
export function gradescopeResults(input: GradebookInput, roster: Roster): LmsExport & { files: Record<string, GradescopeResults> } {
  const entries = byLogin(roster);
  const unmatched = new Map<string, string>();
  const files: Record<string, GradescopeResults> = {};
  for (const unit of unitsOf(input)) {
    const week = weekNumberOf(unit);
    // Weeks keep their folders (`week-03`); an assignment's unit is its key (`final-first`).
    const folder = week > 0 ? `week-${String(week).padStart(2, '0')}` : unit.replace('/', '-');
    for (const r of weekDetail(input, unit)) {
      if (!entries.has(r.login.toLowerCase())) unmatched.set(r.login, r.repo);
      files[`${r.login}/${folder}/results.json`] = {
        score: r.final ?? 0,
        tests: r.criteria.map((c) => ({
          name: c.id,
          score: c.score ?? 0,
          max_score: c.maxScore,
          status: c.score !== null && c.score >= c.maxScore ? 'passed' : 'failed',
          output: `${c.status}${c.overridden ? ' (set by a TA)' : ''}${r.latePenalty ? `; late penalty on the week: ${number(r.latePenalty)}` : ''}`,
          visibility: 'visible',
        })),
      };
    }
  }
  return { body: `${JSON.stringify(files, null, 2)}\n`, contentType: 'application/json', files, unmatched: [...unmatched].map(([login, repo]) => ({ login, repo })) };
}
