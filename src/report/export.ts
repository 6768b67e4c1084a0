import type { Store } from '../store/store.ts';
import { rosterOf, type Roster } from '../store/roster.ts';
import { CourseConfigSchema } from '../course/config.ts';
import { dueBy } from '../grading/late.ts';
import { loadPack, RUBRICS_DIR, unitCriteria } from '../rubrics/load.ts';
import type { GradingRecord } from '../store/records.ts';
import { gradebook, gradebookCsv, weekDetail, weekDetailCsv, type GradebookInput, type GradebookRow } from './gradebook.ts';
import { canvasCsv, gradescopeResults, longCsv, moodleCsv } from './lms.ts';

export const EXPORT_FORMATS = ['csv', 'json', 'canvas', 'moodle', 'long', 'gradescope'] as const;
export type ExportFormat = (typeof EXPORT_FORMATS)[number];

export interface ExportResult {
  readonly body: string;
  readonly contentType: string;
  readonly org: string;
  /** Graded students the roster does not name (only when a roster is loaded, or the format needs one). */
  readonly notOnRoster: readonly { readonly login: string; readonly repo: string }[];
  /** The file name extension. */
  readonly extension: 'csv' | 'json';
}

/** Gradebook rows with the roster's identifier, name, email and section. */
function withRoster(rows: readonly GradebookRow[], roster: Roster) {
  const byLogin = new Map(roster.entries.filter((e) => e.login).map((e) => [e.login!.toLowerCase(), e]));
  return rows.map((r) => {
    const e = byLogin.get(r.login.toLowerCase());
    return { ...r, identifier: e?.identifier ?? null, name: e?.name ?? null, email: e?.email ?? null, section: e?.section ?? null, onRoster: Boolean(e) };
  });
}

/**
 * The final grade of the pack the course's latest grading used (our own rubrics, never
 * the student's). A pack that no longer loads gives no final column rather than no export.
 */
async function finalOf(gradings: readonly GradingRecord[], storedConfig: unknown, now: Date, rubricsDir = RUBRICS_DIR): Promise<GradebookInput['final']> {
  const latest = gradings.reduce<GradingRecord | undefined>((a, g) => (!a || g.gradedAt > a.gradedAt ? g : a), undefined);
  if (!latest) return undefined;
  const pack = await loadPack(latest.packName, rubricsDir).catch(() => undefined);
  if (!pack?.final) return undefined;
  // Mid-course the final column is the standing so far: weeks not yet due weigh nothing.
  const config = CourseConfigSchema.safeParse(storedConfig);
  return { spec: pack.final, criteriaOf: unitCriteria(pack.weeks), ...(config.success ? { due: dueBy(config.data, now) } : {}) };
}

/** A gradebook that cannot be exported as asked: nothing recorded for it (`not-found`) or a bad question (`bad-request`). */
export class ExportError extends Error {
  readonly kind: 'not-found' | 'bad-request';
  constructor(message: string, kind: 'not-found' | 'bad-request' = 'not-found') {
    super(message);
    this.kind = kind;
  }
}

/**
 * The gradebook of one organization's course, from the record: one row per student
 * with the counted score of each week (overrides and late penalties applied), or, for
 * one week, a row per student with each criterion.
 */
export async function exportGrades(store: Store, options: { org?: string; week?: number; format: ExportFormat; rubricsDir?: string; now?: Date }): Promise<ExportResult> {
  const courses = await store.record.courses();
  const course = options.org ? courses.find((c) => c.org.toLowerCase() === options.org!.toLowerCase()) : courses.length === 1 ? courses[0] : undefined;
  if (!course) {
    throw new ExportError(
      courses.length === 0
        ? 'nothing has been graded yet: there is no course in the record'
        : options.org
          ? `no course for organization "${options.org}" in the record (known: ${courses.map((c) => c.org).join(', ')})`
          : `several courses are recorded: name one with --org (${courses.map((c) => c.org).join(', ')})`,
    );
  }
  if (options.week !== undefined && !(Number.isInteger(options.week) && options.week >= 1 && options.week <= course.weeks)) {
    throw new ExportError(`week ${options.week} is not a week of the course (1–${course.weeks})`, 'bad-request');
  }
  const gradings = await store.record.gradings({ org: course.org });
  const final = await finalOf(gradings, course.config, options.now ?? new Date(), options.rubricsDir);
  const input = { weeks: course.weeks, rule: course.counts, gradings, overrides: await store.tas.overrides({ org: course.org }), ...(final ? { final } : {}) };
  const roster = await rosterOf(store.db, course.org);
  const org = course.org;
  const format = options.format;
  if (format === 'canvas' || format === 'moodle' || format === 'long' || format === 'gradescope') {
    if ((format === 'canvas' || format === 'moodle') && roster.entries.length === 0) {
      throw new ExportError(`the ${format} export matches students through the roster, and "${org}" has none: load it first with \`rubrica roster import FILE.csv --org ${org}\``, 'bad-request');
    }
    if (options.week !== undefined) throw new ExportError(`--week does not apply to the ${format} export: it holds every week`, 'bad-request');
    const made = format === 'canvas' ? canvasCsv(input, roster) : format === 'moodle' ? moodleCsv(input, roster) : format === 'long' ? longCsv(input, roster) : gradescopeResults(input, roster);
    return { body: made.body, contentType: made.contentType, org, notOnRoster: roster.entries.length || format === 'canvas' || format === 'moodle' ? made.unmatched : [], extension: format === 'gradescope' ? 'json' : 'csv' };
  }
  if (options.week !== undefined) {
    const rows = weekDetail(input, options.week);
    return format === 'json'
      ? { body: `${JSON.stringify(rows, null, 2)}\n`, contentType: 'application/json', org, notOnRoster: [], extension: 'json' }
      : { body: weekDetailCsv(rows), contentType: 'text/csv; charset=utf-8', org, notOnRoster: [], extension: 'csv' };
  }
  const rows = gradebook(input);
  // Without a roster the gradebook is as it always was; with one, each row says who the student is.
  if (roster.entries.length === 0) {
    return format === 'json'
      ? { body: `${JSON.stringify(rows, null, 2)}\n`, contentType: 'application/json', org, notOnRoster: [], extension: 'json' }
      : { body: gradebookCsv(rows, course.weeks), contentType: 'text/csv; charset=utf-8', org, notOnRoster: [], extension: 'csv' };
  }
  const named = withRoster(rows, roster);
  const notOnRoster = named.filter((r) => !r.onRoster).map((r) => ({ login: r.login, repo: r.repo }));
  return format === 'json'
    ? { body: `${JSON.stringify(named, null, 2)}\n`, contentType: 'application/json', org, notOnRoster, extension: 'json' }
    : { body: gradebookCsv(rows, course.weeks, named), contentType: 'text/csv; charset=utf-8', org, notOnRoster, extension: 'csv' };
}
