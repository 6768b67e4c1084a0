import { DEFAULT_COURSE_ID } from '../course/config.ts';
import { weekNumberOf } from '../course/unit.ts';
import type { RecordedCourse } from '../store/record.ts';
import type { Store } from '../store/store.ts';
import { rosterOf, type Roster } from '../store/roster.ts';
import { CourseConfigSchema } from '../course/config.ts';
import { dueBy } from '../grading/late.ts';
import { loadPack, RUBRICS_DIR, unitCriteria } from '../rubrics/load.ts';
import type { GradingRecord } from '../store/records.ts';
import { gradebook, gradebookCsv, runnerImageNote, weekDetail, weekDetailCsv, type GradebookInput, type GradebookRow, type RunnerImageNote } from './gradebook.ts';
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
  /** What the runner image lacks that students declare (of the week asked, or of the course). */
  readonly runnerImage?: RunnerImageNote;
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
  return { spec: pack.final, criteriaOf: unitCriteria(pack.weeks, pack.assignments), ...(config.success ? { due: dueBy(config.data, now) } : {}) };
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
export async function exportGrades(store: Store, options: { org?: string; course?: string; week?: number; unit?: string; format: ExportFormat; rubricsDir?: string; now?: Date }): Promise<ExportResult> {
  const all = await store.record.courses();
  const named = (c: RecordedCourse) => (c.course === DEFAULT_COURSE_ID ? c.org : `${c.org}/${c.course}`);
  const inOrg = options.org ? all.filter((c) => c.org.toLowerCase() === options.org!.toLowerCase()) : all;
  const candidates = options.course ? inOrg.filter((c) => c.course === options.course) : inOrg;
  const course = candidates.length === 1 ? candidates[0] : undefined;
  if (!course) {
    throw new ExportError(
      all.length === 0
        ? 'nothing has been graded yet: there is no course in the record'
        : candidates.length > 1
          ? `several courses are recorded: name one with --org${options.org ? '' : ' and'} --course (${candidates.map(named).join(', ')})`
          : options.org && inOrg.length === 0
            ? `no course for organization "${options.org}" in the record (known: ${all.map(named).join(', ')})`
            : options.course
              ? `no course "${options.course}"${options.org ? ` in organization "${options.org}"` : ''} in the record (known: ${all.map(named).join(', ')})`
            : `several courses are recorded: name one with --org (${all.map(named).join(', ')})`,
    );
  }
  const weeks = course.units.filter((u) => weekNumberOf(u) > 0).length;
  const assignments = course.units.filter((u) => weekNumberOf(u) === 0);
  if (options.unit !== undefined && !course.units.includes(options.unit)) {
    throw new ExportError(`${options.unit} is not a unit of the course (${course.units.join(', ')})`, 'bad-request');
  }
  if (options.week !== undefined && !(Number.isInteger(options.week) && options.week >= 1 && options.week <= weeks)) {
    throw new ExportError(`week ${options.week} is not a week of the course (1–${weeks})`, 'bad-request');
  }
  const filter = { org: course.org, course: course.course };
  const gradings = await store.record.gradings(filter);
  const final = await finalOf(gradings, course.config, options.now ?? new Date(), options.rubricsDir);
  const input = { weeks, assignments, rule: course.counts, gradings, overrides: await store.tas.overrides(filter), ...(final ? { final } : {}) };
  const detail = options.unit ?? (options.week !== undefined ? `week-${options.week}` : undefined);
  const roster = await rosterOf(store.db, course.org);
  const org = course.org;
  const format = options.format;
  if (format === 'canvas' || format === 'moodle' || format === 'long' || format === 'gradescope') {
    if ((format === 'canvas' || format === 'moodle') && roster.entries.length === 0) {
      throw new ExportError(`the ${format} export matches students through the roster, and "${org}" has none: load it first with \`rubrica roster import FILE.csv --org ${org}\``, 'bad-request');
    }
    if (detail !== undefined) throw new ExportError(`--week does not apply to the ${format} export: it holds every week`, 'bad-request');
    const made = format === 'canvas' ? canvasCsv(input, roster) : format === 'moodle' ? moodleCsv(input, roster) : format === 'long' ? longCsv(input, roster) : gradescopeResults(input, roster);
    return { body: made.body, contentType: made.contentType, org, notOnRoster: roster.entries.length || format === 'canvas' || format === 'moodle' ? made.unmatched : [], extension: format === 'gradescope' ? 'json' : 'csv' };
  }
  if (detail !== undefined) {
    const rows = weekDetail(input, detail);
    const note = runnerImageNote(input, detail);
    const runnerImage = note ? { runnerImage: note } : {};
    return format === 'json'
      ? { body: `${JSON.stringify(rows, null, 2)}\n`, contentType: 'application/json', org, notOnRoster: [], extension: 'json', ...runnerImage }
      : { body: weekDetailCsv(rows), contentType: 'text/csv; charset=utf-8', org, notOnRoster: [], extension: 'csv', ...runnerImage };
  }
  const rows = gradebook(input);
  const note = runnerImageNote(input);
  const runnerImage = note ? { runnerImage: note } : {};
  // Without a roster the gradebook is as it always was; with one, each row says who the student is.
  if (roster.entries.length === 0) {
    return format === 'json'
      ? { body: `${JSON.stringify(rows, null, 2)}\n`, contentType: 'application/json', org, notOnRoster: [], extension: 'json', ...runnerImage }
      : { body: gradebookCsv(rows, weeks, undefined, assignments), contentType: 'text/csv; charset=utf-8', org, notOnRoster: [], extension: 'csv', ...runnerImage };
  }
  const withNames = withRoster(rows, roster);
  const notOnRoster = withNames.filter((r) => !r.onRoster).map((r) => ({ login: r.login, repo: r.repo }));
  return format === 'json'
    ? { body: `${JSON.stringify(withNames, null, 2)}\n`, contentType: 'application/json', org, notOnRoster, extension: 'json', ...runnerImage }
    : { body: gradebookCsv(rows, weeks, withNames, assignments), contentType: 'text/csv; charset=utf-8', org, notOnRoster, extension: 'csv', ...runnerImage };
}
