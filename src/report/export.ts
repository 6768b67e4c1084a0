import type { Store } from '../store/store.ts';
import { gradebook, gradebookCsv, weekDetail, weekDetailCsv } from './gradebook.ts';

export type ExportFormat = 'csv' | 'json';

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
export async function exportGrades(store: Store, options: { org?: string; week?: number; format: ExportFormat }): Promise<{ body: string; contentType: string; org: string }> {
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
  const input = { weeks: course.weeks, rule: course.counts, gradings: await store.record.gradings({ org: course.org }), overrides: await store.tas.overrides({ org: course.org }) };
  if (options.week !== undefined) {
    const rows = weekDetail(input, options.week);
    return options.format === 'json'
      ? { body: `${JSON.stringify(rows, null, 2)}\n`, contentType: 'application/json', org: course.org }
      : { body: weekDetailCsv(rows), contentType: 'text/csv; charset=utf-8', org: course.org };
  }
  const rows = gradebook(input);
  return options.format === 'json'
    ? { body: `${JSON.stringify(rows, null, 2)}\n`, contentType: 'application/json', org: course.org }
    : { body: gradebookCsv(rows, course.weeks), contentType: 'text/csv; charset=utf-8', org: course.org };
}
