import { UNIT_ID } from './config.ts';

/**
 * What one grading grades: week N of the weekly portfolio, or assignment A (at delivery
 * D when it has partial deliveries). Everything keyed by "what was graded" (the request,
 * the job, the record, the check run, the dedupe key, the gradebook's columns, lateness)
 * carries one of these, as its key: `week-3`, `final`, `final/first`.
 */
export type GradingUnit =
  | { readonly kind: 'week'; readonly week: number }
  | { readonly kind: 'assignment'; readonly assignment: string; readonly delivery?: string };

/** A unit's key: stable text for the store, payloads, check runs' external ids and gradebook columns. */
export type UnitKey = string;

export const weekUnit = (week: number): GradingUnit => ({ kind: 'week', week });

export function assignmentUnit(assignment: string, delivery?: string): GradingUnit {
  return delivery === undefined ? { kind: 'assignment', assignment } : { kind: 'assignment', assignment, delivery };
}

export function unitKey(unit: GradingUnit): UnitKey {
  if (unit.kind === 'week') return `week-${unit.week}`;
  return unit.delivery === undefined ? unit.assignment : `${unit.assignment}/${unit.delivery}`;
}

/** The unit a key names, or null for text that is none (`week-0`, `Final`, `a/b/c`). */
export function parseUnitKey(key: string): GradingUnit | null {
  const week = /^week-([1-9]\d?)$/.exec(key);
  if (week) return weekUnit(Number(week[1]));
  const [assignment, delivery, ...rest] = key.split('/');
  if (rest.length || !assignment || !UNIT_ID.test(assignment) || assignment.startsWith('week-')) return null;
  if (delivery !== undefined && !UNIT_ID.test(delivery)) return null;
  return assignmentUnit(assignment, delivery);
}

/** The week number of a week unit; 0 for an assignment (the record's old `week` column). */
export function weekNumberOf(unit: GradingUnit | UnitKey): number {
  const u = typeof unit === 'string' ? parseUnitKey(unit) : unit;
  return u?.kind === 'week' ? u.week : 0;
}

/** How a unit is named to people: "Semana 3", "Entrega final · first". */
export function unitLabel(unit: GradingUnit | UnitKey, locale: 'es' | 'en'): string {
  const u = typeof unit === 'string' ? parseUnitKey(unit) : unit;
  if (!u) return String(unit);
  if (u.kind === 'week') return `${locale === 'es' ? 'Semana' : 'Week'} ${u.week}`;
  return u.delivery === undefined ? u.assignment : `${u.assignment} · ${u.delivery}`;
}

/** The unit of a grade (one recorded before units has only its week). */
export function unitOfGrade(grade: { readonly week: number; readonly unit?: string }): UnitKey {
  return grade.unit ?? `week-${grade.week}`;
}

/** The CLI's flags that grade a unit again: `--week 3`, `--assignment final --delivery first`. */
export function unitFlags(unit: GradingUnit | UnitKey): string {
  const u = typeof unit === 'string' ? parseUnitKey(unit) : unit;
  if (!u) return '';
  if (u.kind === 'week') return `--week ${u.week}`;
  return `--assignment ${u.assignment}${u.delivery === undefined ? '' : ` --delivery ${u.delivery}`}`;
}
