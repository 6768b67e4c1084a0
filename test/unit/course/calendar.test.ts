import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { courseMomentAt, deadlineOf, localDate, weekNamedBy, weekStarts, zonedInstant } from '../../../src/course/calendar.ts';
import { CourseConfigSchema } from '../../../src/course/config.ts';

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
    expect(config).toMatchObject({
      pack: 'mlops',
      start: '2026-09-07',
      weeks: 10,
      students: { prefix: 'mlops-' },
      tas: 'mlops-tas',
      deadlines: { weekday: 'sunday', time: '23:59' },
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
