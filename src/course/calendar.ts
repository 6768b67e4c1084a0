import type { AssignmentConfig, CourseConfig, DeliveryConfig, Due } from './config.ts';
import { WEEKDAYS } from './config.ts';
import { assignmentUnit, type GradingUnit } from './unit.ts';

/**
 * The course calendar: which week a moment belongs to, in the course's time zone.
 * The moment is when GitHub delivered the push, never a commit's date (a student sets that).
 *
 * Weeks are 7-day blocks from `start`. A block whose first day falls in a break is a
 * break week: the course's count pauses (week 5 follows week 4 after the break). A
 * shorter holiday inside a block does not pause it.
 */
export type CourseMoment =
  | { readonly status: 'before'; readonly startsOn: string }
  | { readonly status: 'week'; readonly week: number }
  | { readonly status: 'break'; readonly name?: string; readonly resumesOn: string }
  | { readonly status: 'after'; readonly endedOn: string };

const DAY = 86_400_000;

/** The calendar date (YYYY-MM-DD) of an instant in a time zone. */
export function localDate(instant: Date, timeZone: string): string {
  const parts = new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' }).formatToParts(instant);
  const get = (type: string) => parts.find((p) => p.type === type)!.value;
  return `${get('year')}-${get('month')}-${get('day')}`;
}

function dayNumber(date: string): number {
  const [y, m, d] = date.split('-').map(Number) as [number, number, number];
  return Date.UTC(y, m - 1, d) / DAY;
}

function dateOf(day: number): string {
  return new Date(day * DAY).toISOString().slice(0, 10);
}

interface Block {
  readonly first: number;
  readonly breakName?: string | undefined;
  readonly isBreak: boolean;
}

function block(config: CourseConfig, index: number): Block {
  const first = dayNumber(config.start) + index * 7;
  const hit = config.breaks.find((b) => dayNumber(b.from) <= first && first <= dayNumber(b.to));
  return { first, isBreak: hit !== undefined, breakName: hit?.name };
}

/** The first day of each course week, week 1 first. */
export function weekStarts(config: CourseConfig): string[] {
  const starts: string[] = [];
  for (let i = 0; starts.length < config.weeks && i < config.weeks + 520; i++) {
    const b = block(config, i);
    if (!b.isBreak) starts.push(dateOf(b.first));
  }
  return starts;
}

export function courseMomentAt(config: CourseConfig, instant: Date): CourseMoment {
  const today = dayNumber(localDate(instant, config.timezone));
  const start = dayNumber(config.start);
  if (today < start) return { status: 'before', startsOn: config.start };
  const index = Math.floor((today - start) / 7);
  const starts = weekStarts(config);
  const end = dayNumber(starts.at(-1)!) + 6;
  if (today > end) return { status: 'after', endedOn: dateOf(end) };
  const current = block(config, index);
  if (current.isBreak) {
    const resumes = starts.find((s) => dayNumber(s) > current.first)!;
    return { status: 'break', ...(current.breakName ? { name: current.breakName } : {}), resumesOn: resumes };
  }
  const week = starts.indexOf(dateOf(current.first)) + 1;
  return { status: 'week', week };
}

/** Offset of a time zone from UTC at an instant, in ms (Buenos Aires: -3 h). */
function zoneOffset(instant: number, timeZone: string): number {
  const parts = new Intl.DateTimeFormat('en-US', {
    timeZone,
    hourCycle: 'h23',
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
  }).formatToParts(new Date(instant));
  const n = (type: string) => Number(parts.find((p) => p.type === type)!.value);
  return Date.UTC(n('year'), n('month') - 1, n('day'), n('hour'), n('minute'), n('second')) - instant;
}

/** The instant of a wall-clock time (YYYY-MM-DDTHH:MM) in a time zone. */
export function zonedInstant(local: string, timeZone: string): Date {
  const [date, time] = local.split('T') as [string, string];
  const [h, m] = time.split(':').map(Number) as [number, number];
  const wall = dayNumber(date) * DAY + (h * 60 + m) * 60_000;
  // Two passes settle the offset across a daylight-saving change.
  let guess = wall - zoneOffset(wall, timeZone);
  guess = wall - zoneOffset(guess, timeZone);
  return new Date(guess);
}

function weekdayIndex(day: number): number {
  // 1970-01-01 was a Thursday; index 0 = Monday as in WEEKDAYS.
  return (day + 3) % 7;
}

/**
 * When week N is due, at the configured time: by default on the week's last day (its
 * 7th), so a push on days 1–6 is never late, whatever weekday the course starts on. A
 * configured weekday is the first such day after the week's first day (its 2nd to 8th
 * day): a Sunday-start course due on Sundays is due a week after it starts, not on its
 * first day. An override by week number wins.
 */
export function deadlineOf(config: CourseConfig, week: number): Date {
  const override = config.deadlines.overrides[String(week)];
  if (override) return zonedInstant(override, config.timezone);
  const first = dayNumber(weekStarts(config)[week - 1]!);
  const weekday = config.deadlines.weekday;
  const day = weekday === undefined ? first + 6 : first + 1 + ((WEEKDAYS.indexOf(weekday) - weekdayIndex(first + 1) + 7) % 7);
  return zonedInstant(`${dateOf(day)}T${config.deadlines.time}`, config.timezone);
}

/** An assignment's or a delivery's `due`: a wall-clock time, or class N's day (+ days) at the course's deadline time. */
export function dueInstant(config: CourseConfig, due: Due): Date {
  if (typeof due === 'string') return zonedInstant(due, config.timezone);
  const day = dayNumber(weekStarts(config)[due.class - 1]!) + due.days;
  return zonedInstant(`${dateOf(day)}T${config.deadlines.time}`, config.timezone);
}

/** The assignment a unit names in this course, and its delivery if it names one. */
export function assignmentOf(config: CourseConfig, unit: GradingUnit): { assignment: AssignmentConfig; delivery?: DeliveryConfig } | undefined {
  if (unit.kind !== 'assignment') return undefined;
  const assignment = config.assignments.find((a) => a.id === unit.assignment);
  if (!assignment) return undefined;
  if (unit.delivery === undefined) return assignment.deliveries ? undefined : { assignment };
  const delivery = assignment.deliveries?.find((d) => d.id === unit.delivery);
  return delivery ? { assignment, delivery } : undefined;
}

/** When a unit is due: a week's deadline, or its assignment's (delivery's). Undefined for a unit the course does not have. */
export function deadlineOfUnit(config: CourseConfig, unit: GradingUnit): Date | undefined {
  if (unit.kind === 'week') return unit.week >= 1 && unit.week <= config.weeks ? deadlineOf(config, unit.week) : undefined;
  const found = assignmentOf(config, unit);
  if (!found) return undefined;
  return dueInstant(config, found.delivery?.due ?? found.assignment.due!);
}

/**
 * The unit a push to an assignment's repository counts for: the assignment, or the
 * first of its deliveries still open at that moment (grace included, so a push at
 * 23:59:30 is the first delivery's); after the last deadline, the last delivery (late).
 */
export function assignmentUnitAt(config: CourseConfig, assignment: AssignmentConfig, instant: Date): GradingUnit {
  const deliveries = assignment.deliveries;
  if (!deliveries) return assignmentUnit(assignment.id);
  const grace = config.late.graceMinutes * 60_000;
  const open = deliveries.find((d) => instant.getTime() <= dueInstant(config, d.due).getTime() + grace) ?? deliveries.at(-1)!;
  return assignmentUnit(assignment.id, open.id);
}

/** A week a pull request names: a label `week-3`/`semana-3`, or a head branch `week-3`. */
export function weekNamedBy(labels: readonly string[], headBranch: string): number | undefined {
  const pattern = /^(?:week|semana)[-_ ]?(\d{1,2})$/i;
  for (const label of labels) {
    const m = pattern.exec(label.trim());
    if (m) return Number(m[1]);
  }
  const m = pattern.exec(headBranch.split('/').pop() ?? '');
  return m ? Number(m[1]) : undefined;
}
