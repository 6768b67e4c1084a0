import { weekUnit } from '../../../src/course/unit.ts';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { courseMomentAt, deadlineOf, localDate, weekNamedBy, weekStarts, zonedInstant } from '../../../src/course/calendar.ts';
import { CourseConfigSchema, WEEKDAYS } from '../../../src/course/config.ts';
import { lateness } from '../../../src/grading/late.ts';

// The README's example, as an instructor would paste it (the date unquoted).
const README_EXAMPLE = `
pack: mlops                 # a rubric pack under rubrics/
start: 2026-09-07           # first day of week 1
timezone: America/Argentina/Buenos_Aires
weeks: 10
students:
  prefix: mlops-            # student repos are named mlops-<login>
tas: mlops-tas              # slug of the TA team
locale: es                  # es or en
`;

const course = CourseConfigSchema.parse({
  ...parse(README_EXAMPLE),
  breaks: [{ from: '2026-10-12', to: '2026-10-18', name: 'Receso de primavera' }],
});

describe('course configuration', () => {
  it("accepts the README's example and fills the documented defaults", () => {
    const config = CourseConfigSchema.parse(parse(README_EXAMPLE));
    expect(config.deadlines.weekday).toBeUndefined(); // the week's last day
    expect(config).toMatchObject({
      pack: 'mlops',
      start: '2026-09-07',
      weeks: 10,
      students: { prefix: 'mlops-' },
      tas: 'mlops-tas',
      deadlines: { time: '23:59', overrides: {} },
      late: { graceMinutes: 15, penaltyPerDay: 0.1, maxDaysLate: 7 },
      belowPassMark: 'failure',
      comments: { pullRequests: true, commits: false },
    });
  });

  it('refuses what would grade wrongly: no way to find student repos, a bad time zone, a break backwards', () => {
    const base = parse(README_EXAMPLE);
    expect(CourseConfigSchema.safeParse({ ...base, students: {} }).success).toBe(false);
    expect(CourseConfigSchema.safeParse({ ...base, timezone: 'Buenos Aires' }).success).toBe(false);
    expect(CourseConfigSchema.safeParse({ ...base, breaks: [{ from: '2026-10-18', to: '2026-10-12' }] }).success).toBe(false);
    expect(CourseConfigSchema.safeParse({ ...base, deadlines: { overrides: { '11': '2026-12-01T23:59' } } }).success).toBe(false);
    expect(CourseConfigSchema.safeParse({ ...base, semanas: 10 }).success).toBe(false);
  });
});

describe('course calendar', () => {
  const at = (iso: string) => courseMomentAt(course, new Date(iso));

  it("counts weeks in the course's time zone, not UTC", () => {
    // 02:00 UTC on the 7th is still the 6th in Buenos Aires.
    expect(at('2026-09-07T02:00:00Z')).toEqual({ status: 'before', startsOn: '2026-09-07' });
    expect(at('2026-09-07T03:30:00Z')).toEqual({ status: 'week', week: 1 });
    expect(at('2026-09-14T02:59:00Z')).toEqual({ status: 'week', week: 1 });
    expect(at('2026-09-14T03:00:00Z')).toEqual({ status: 'week', week: 2 });
  });

  it('pauses the count during a break and resumes after it', () => {
    expect(at('2026-10-08T15:00:00Z')).toEqual({ status: 'week', week: 5 });
    expect(at('2026-10-13T15:00:00Z')).toEqual({ status: 'break', name: 'Receso de primavera', resumesOn: '2026-10-19' });
    expect(at('2026-10-19T15:00:00Z')).toEqual({ status: 'week', week: 6 });
    expect(weekStarts(course)).toHaveLength(10);
    expect(weekStarts(course).at(-1)).toBe('2026-11-16');
  });

  it('ends after the last week', () => {
    expect(at('2026-11-22T20:00:00Z')).toEqual({ status: 'week', week: 10 });
    expect(at('2026-11-23T12:00:00Z')).toEqual({ status: 'after', endedOn: '2026-11-22' });
  });

  it("puts each week's deadline on its Sunday at 23:59 local time, unless overridden", () => {
    expect(deadlineOf(course, 1).toISOString()).toBe('2026-09-14T02:59:00.000Z');
    expect(deadlineOf(course, 6).toISOString()).toBe('2026-10-26T02:59:00.000Z');
    const moved = CourseConfigSchema.parse({ ...parse(README_EXAMPLE), deadlines: { weekday: 'friday', time: '18:00', overrides: { '2': '2026-09-23T12:00' } } });
    expect(deadlineOf(moved, 1).toISOString()).toBe('2026-09-11T21:00:00.000Z');
    expect(deadlineOf(moved, 2).toISOString()).toBe('2026-09-23T15:00:00.000Z');
  });

  it('converts wall-clock times across a daylight-saving change', () => {
    expect(zonedInstant('2026-03-29T12:00', 'Europe/Madrid').toISOString()).toBe('2026-03-29T10:00:00.000Z');
    expect(zonedInstant('2026-03-28T12:00', 'Europe/Madrid').toISOString()).toBe('2026-03-28T11:00:00.000Z');
    expect(localDate(new Date('2026-03-28T23:30:00Z'), 'Europe/Madrid')).toBe('2026-03-29');
  });

  it('reads a week named by a pull request label or head branch', () => {
    expect(weekNamedBy(['bug', 'semana-3'], 'main')).toBe(3);
    expect(weekNamedBy(['Week-4'], 'feature/x')).toBe(4);
    expect(weekNamedBy([], 'ana/week-7')).toBe(7);
    expect(weekNamedBy(['weekend'], 'week-plan')).toBeUndefined();
  });
});

describe('deadlines fall at the end of a week, whatever weekday the course starts on', () => {
  const TZ = 'America/Argentina/Buenos_Aires';
  const DAY = 86_400_000;
  const addDays = (date: string, n: number) => new Date(Date.parse(`${date}T00:00:00Z`) + n * DAY).toISOString().slice(0, 10);
  const daysBetween = (a: string, b: string) => (Date.parse(`${b}T00:00:00Z`) - Date.parse(`${a}T00:00:00Z`)) / DAY;
  const weekdayOf = (date: string) => WEEKDAYS[(new Date(`${date}T00:00:00Z`).getUTCDay() + 6) % 7];
  const wallClock = (instant: Date) =>
    new Intl.DateTimeFormat('en-GB', { timeZone: TZ, hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).format(instant);
  /** Noon local time on day `n` (1-based) of the week that starts on `first`. */
  const noonOfDay = (first: string, n: number) => zonedInstant(`${addDays(first, n - 1)}T12:00`, TZ);
  // 2026-09-07 is a Monday: seven consecutive starts cover every weekday.
  const starts = Array.from({ length: 7 }, (_, i) => addDays('2026-09-07', i));
  const courseOf = (start: string, weekday?: (typeof WEEKDAYS)[number]) =>
    CourseConfigSchema.parse({ pack: 'mlops', start, timezone: TZ, weeks: 4, students: { prefix: 'x-' }, tas: 't', ...(weekday ? { deadlines: { weekday } } : {}) });

  it('7 start weekdays × 7 deadline weekdays: the named weekday on days 2–8 of each week, at 23:59, never on day 1', () => {
    const seen: string[] = [];
    for (const start of starts) {
      for (const weekday of WEEKDAYS) {
        const course = courseOf(start, weekday);
        for (const week of [1, 2, 4]) {
          const first = weekStarts(course)[week - 1]!;
          const deadline = deadlineOf(course, week);
          const due = localDate(deadline, TZ);
          const offset = daysBetween(first, due);
          expect({ start, weekday, week, dueWeekday: weekdayOf(due), inWindow: offset >= 1 && offset <= 7, time: wallClock(deadline) }).toEqual({
            start,
            weekday,
            week,
            dueWeekday: weekday,
            inWindow: true,
            time: '23:59',
          });
          // Up to noon of the due day, never late; noon the day after (past the grace), late.
          for (let day = 1; day <= offset + 1; day++) expect(lateness(course, weekUnit(week), noonOfDay(first, day)).status).toBe('on-time');
          expect(lateness(course, weekUnit(week), noonOfDay(first, offset + 2)).status).toBe('late');
        }
        seen.push(`${weekdayOf(start)}→${weekday}`);
      }
    }
    expect(new Set(seen).size).toBe(49);
  });

  it('by default, on the last day of the week whatever its start: a push on days 1–7 is on time, on day 8 late', () => {
    for (const start of starts) {
      const course = courseOf(start);
      for (const week of [1, 2, 4]) {
        const first = weekStarts(course)[week - 1]!;
        const deadline = deadlineOf(course, week);
        expect({ start, week, due: localDate(deadline, TZ), time: wallClock(deadline) }).toEqual({ start, week, due: addDays(first, 6), time: '23:59' });
        for (let day = 1; day <= 7; day++) expect({ start, week, day, status: lateness(course, weekUnit(week), noonOfDay(first, day)).status }).toMatchObject({ status: 'on-time' });
        expect(lateness(course, weekUnit(week), noonOfDay(first, 8))).toMatchObject({ status: 'late', daysLate: 1 });
      }
    }
  });

  it('a Sunday start due on Sundays: a push two days in is on time (it was "2 days late")', () => {
    const sunday = '2026-09-13';
    expect(weekdayOf(sunday)).toBe('sunday');
    for (const course of [courseOf(sunday), courseOf(sunday, 'sunday')]) {
      expect(lateness(course, weekUnit(1), noonOfDay(sunday, 3))).toMatchObject({ status: 'on-time', daysLate: 0 });
    }
    expect(localDate(deadlineOf(courseOf(sunday), 1), TZ)).toBe('2026-09-19'); // Saturday, the 7th day
    expect(localDate(deadlineOf(courseOf(sunday, 'sunday'), 1), TZ)).toBe('2026-09-20'); // the Sunday a week later
  });
});
