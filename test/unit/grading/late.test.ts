import { weekUnit } from '../../../src/course/unit.ts';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { CourseConfigSchema } from '../../../src/course/config.ts';
import { countedGrading, finalScore, lateness } from '../../../src/grading/late.ts';
import { applyOverrides } from '../../../src/grading/overrides.ts';
import { COURSE_YAML } from '../../fixtures/github-repo.ts';
import type { Lateness, RecordedCriterion } from '../../../src/store/records.ts';

// The README's course (without locale, which defaults): week 1 is due Sunday 2026-09-13 23:59 in Buenos Aires.
const README_COURSE = COURSE_YAML.replace('locale: es\n', '');

const course = CourseConfigSchema.parse(parse(README_COURSE));
const MIN = 60_000;
const DAY = 86_400_000;
// Week 1 is due Sunday 2026-09-13 at 23:59 in Buenos Aires (UTC−3, no daylight saving).
const DUE_1 = Date.parse('2026-09-14T02:59:00Z');
const at = (ms: number) => new Date(DUE_1 + ms);

describe('late policy in the course file', () => {
  it('defaults to no cap and to counting the best grading', () => {
    expect(course.late).toEqual({ graceMinutes: 15, penaltyPerDay: 0.1, maxDaysLate: 7, maxPenalty: 1 });
    expect(course.counts).toBe('best');
    expect(CourseConfigSchema.parse({ ...parse(README_COURSE), late: { maxPenalty: 0.3 } }).late).toEqual({
      graceMinutes: 15,
      penaltyPerDay: 0.1,
      maxDaysLate: 7,
      maxPenalty: 0.3,
    });
  });

  it('refuses a cap outside 0..1 and an unknown counting rule', () => {
    const base = parse(README_COURSE);
    expect(CourseConfigSchema.safeParse({ ...base, late: { maxPenalty: 1.5 } }).success).toBe(false);
    expect(CourseConfigSchema.safeParse({ ...base, late: { maxPenalty: -0.1 } }).success).toBe(false);
    expect(CourseConfigSchema.safeParse({ ...base, counts: 'first' }).success).toBe(false);
    expect(CourseConfigSchema.parse({ ...base, counts: 'latest-on-time' }).counts).toBe('latest-on-time');
  });
});

describe('lateness', () => {
  it('is on time exactly at the deadline, and records the deadline', () => {
    expect(lateness(course, weekUnit(1), at(0))).toEqual({
      deadline: '2026-09-14T02:59:00.000Z',
      effectiveDeadline: '2026-09-14T02:59:00.000Z',
      minutesLate: 0,
      daysLate: 0,
      penaltyFraction: 0,
      status: 'on-time',
    });
  });

  it('is on time inside the grace minutes, up to their last one', () => {
    expect(lateness(course, weekUnit(1), at(14 * MIN))).toMatchObject({ status: 'on-time', minutesLate: 0, daysLate: 0, penaltyFraction: 0 });
    expect(lateness(course, weekUnit(1), at(15 * MIN)).status).toBe('on-time');
  });

  it('is a whole day late one minute past grace, counted from the deadline', () => {
    expect(lateness(course, weekUnit(1), at(16 * MIN))).toMatchObject({ status: 'late', minutesLate: 16, daysLate: 1, penaltyFraction: 0.1 });
    expect(lateness(course, weekUnit(1), at(15 * MIN + 1000))).toMatchObject({ status: 'late', minutesLate: 16, daysLate: 1 });
  });

  it('is one day late at exactly 24 h, two days at 24 h + 1 min', () => {
    expect(lateness(course, weekUnit(1), at(DAY))).toMatchObject({ daysLate: 1, minutesLate: 1440, penaltyFraction: 0.1 });
    expect(lateness(course, weekUnit(1), at(DAY + MIN))).toMatchObject({ status: 'late', daysLate: 2, minutesLate: 1441, penaltyFraction: 0.2 });
  });

  it('stores the fraction without floating-point noise', () => {
    expect(lateness(course, weekUnit(1), at(2 * DAY + MIN)).penaltyFraction).toBe(0.3);
  });

  it('caps the penalty at maxPenalty', () => {
    const capped = CourseConfigSchema.parse({ ...parse(README_COURSE), late: { maxPenalty: 0.3 } });
    expect(lateness(course, weekUnit(1), at(5 * DAY)).penaltyFraction).toBe(0.5);
    expect(lateness(capped, weekUnit(1), at(5 * DAY))).toMatchObject({ status: 'late', daysLate: 5, penaltyFraction: 0.3 });
    expect(finalScore(90, 100, lateness(capped, weekUnit(1), at(5 * DAY)))).toEqual({ penalty: 30, finalScore: 60 });
  });

  it('is too late past maxDaysLate: recorded, scored null', () => {
    const lastDay = lateness(course, weekUnit(1), at(7 * DAY));
    expect(lastDay).toMatchObject({ status: 'late', daysLate: 7, penaltyFraction: 0.7 });
    expect(finalScore(100, 100, lastDay)).toEqual({ penalty: 70, finalScore: 30 });
    const tooLate = lateness(course, weekUnit(1), at(7 * DAY + MIN));
    expect(tooLate).toMatchObject({ status: 'too-late', daysLate: 8 });
    expect(finalScore(100, 100, tooLate).finalScore).toBeNull();
  });

  it('with maxDaysLate 0, anything past grace is too late', () => {
    const strict = CourseConfigSchema.parse({ ...parse(README_COURSE), late: { maxDaysLate: 0 } });
    expect(lateness(strict, weekUnit(1), at(15 * MIN)).status).toBe('on-time');
    expect(lateness(strict, weekUnit(1), at(16 * MIN)).status).toBe('too-late');
  });

  it('moves the deadline by an extension, and counts lateness from the new one', () => {
    const twoDays = 2 * 24 * 60;
    expect(lateness(course, weekUnit(1), at(DAY), twoDays)).toMatchObject({
      deadline: '2026-09-14T02:59:00.000Z',
      effectiveDeadline: '2026-09-16T02:59:00.000Z',
      status: 'on-time',
    });
    expect(lateness(course, weekUnit(1), at(2 * DAY + 14 * MIN), twoDays).status).toBe('on-time');
    expect(lateness(course, weekUnit(1), at(2 * DAY + 20 * MIN), twoDays)).toMatchObject({ status: 'late', minutesLate: 20, daysLate: 1 });
    // Without the extension the same push is three days late.
    expect(lateness(course, weekUnit(1), at(2 * DAY + 20 * MIN)).daysLate).toBe(3);
  });

  it('uses the week deadline of the calendar, overrides included', () => {
    expect(lateness(course, weekUnit(10), new Date('2026-11-16T02:59:00Z')).status).toBe('on-time');
    const demo = CourseConfigSchema.parse({ ...parse(README_COURSE), deadlines: { overrides: { '10': '2026-11-29T23:59' } } });
    expect(lateness(demo, weekUnit(10), new Date('2026-11-20T12:00:00Z'))).toMatchObject({ deadline: '2026-11-30T02:59:00.000Z', status: 'on-time' });
  });

  it('counts elapsed time, so daylight saving never adds or removes a day', () => {
    // Buenos Aires: the wall clock and UTC stay 3 h apart, so 24 h on one is 24 h on the other.
    expect(lateness(course, weekUnit(1), new Date('2026-09-15T02:59:00Z')).daysLate).toBe(1); // Monday 23:59 local
    // New York falls back on 2026-11-01: the same wall-clock time a day later is 25 h later.
    const ny = CourseConfigSchema.parse({
      ...parse(README_COURSE),
      timezone: 'America/New_York',
      deadlines: { overrides: { '8': '2026-10-31T23:59' } },
    });
    expect(lateness(ny, weekUnit(8), new Date('2026-11-02T03:59:00Z'))).toMatchObject({ deadline: '2026-11-01T03:59:00.000Z', daysLate: 1 }); // 22:59 EST
    expect(lateness(ny, weekUnit(8), new Date('2026-11-02T04:59:00Z'))).toMatchObject({ daysLate: 2, minutesLate: 1500 }); // 23:59 EST
  });
});

describe('finalScore', () => {
  const late = (penaltyFraction: number, status: Lateness['status'] = 'late'): Lateness => ({
    deadline: '2026-09-14T02:59:00.000Z',
    effectiveDeadline: '2026-09-14T02:59:00.000Z',
    minutesLate: 60,
    daysLate: 1,
    penaltyFraction,
    status,
  });

  it('takes the share of the scale, not of the score', () => {
    expect(finalScore(80, 100, late(0.2))).toEqual({ penalty: 20, finalScore: 60 });
    expect(finalScore(40, 100, late(0.2))).toEqual({ penalty: 20, finalScore: 20 });
    expect(finalScore(80, 100, late(0, 'on-time'))).toEqual({ penalty: 0, finalScore: 80 });
  });

  it('rounds to two decimals', () => {
    expect(finalScore(20, 33.33, late(0.1))).toEqual({ penalty: 3.33, finalScore: 16.67 });
  });

  it('never takes off more than the score', () => {
    expect(finalScore(5, 100, late(0.3))).toEqual({ penalty: 5, finalScore: 0 });
    expect(finalScore(0, 100, late(0.3))).toEqual({ penalty: 0, finalScore: 0 });
  });

  it('scores nothing too late', () => {
    expect(finalScore(100, 100, late(0.8, 'too-late'))).toEqual({ penalty: 80, finalScore: null });
  });
});

describe('countedGrading', () => {
  const status = (s: Lateness['status']): Lateness => ({
    deadline: '2026-09-14T02:59:00.000Z',
    effectiveDeadline: '2026-09-14T02:59:00.000Z',
    minutesLate: 0,
    daysLate: 0,
    penaltyFraction: 0,
    status: s,
  });
  const g = (name: string, deliveredAt: string, score: number | null, s: Lateness['status'] = 'on-time', gradedAt = deliveredAt) => ({
    name,
    deliveredAt,
    gradedAt,
    finalScore: score,
    late: status(s),
  });

  const early = g('early', '2026-09-10T12:00:00Z', 70);
  const best = g('best', '2026-09-11T12:00:00Z', 85);
  const lastOnTime = g('last-on-time', '2026-09-13T12:00:00Z', 60);
  const late = g('late', '2026-09-14T12:00:00Z', 75, 'late');
  const tooLate = g('too-late', '2026-09-25T12:00:00Z', null, 'too-late');
  const all = [best, tooLate, early, late, lastOnTime]; // not in order: the function must not rely on it

  it('best: the highest final score, a scored grading over an unscored one', () => {
    expect(countedGrading(all, 'best')?.name).toBe('best');
    expect(countedGrading([tooLate, early], 'best')?.name).toBe('early');
    expect(countedGrading([tooLate, g('zero', '2026-09-10T12:00:00Z', 0)], 'best')?.name).toBe('zero');
  });

  it('best: on a tie, the latest delivery', () => {
    const again = g('again', '2026-09-12T12:00:00Z', 85);
    expect(countedGrading([again, best], 'best')?.name).toBe('again');
    expect(countedGrading([best, again], 'best')?.name).toBe('again');
  });

  it('best: only unscored gradings give the latest of them (nothing counts)', () => {
    const older = g('older-too-late', '2026-09-24T12:00:00Z', null, 'too-late');
    expect(countedGrading([tooLate, older], 'best')?.name).toBe('too-late');
  });

  it('latest: the latest delivery whatever its score, a too-late one included', () => {
    expect(countedGrading(all, 'latest')?.name).toBe('too-late');
    expect(countedGrading([early, late, best], 'latest')?.name).toBe('late');
  });

  it('latest: the same push graded twice counts its latest grading', () => {
    const first = g('first', '2026-09-12T12:00:00Z', 50, 'on-time', '2026-09-12T12:01:00Z');
    const rerun = g('rerun', '2026-09-12T12:00:00Z', 55, 'on-time', '2026-09-12T18:00:00Z');
    expect(countedGrading([rerun, first], 'latest')?.name).toBe('rerun');
    expect(countedGrading([first, rerun], 'latest')?.name).toBe('rerun');
  });

  it('latest-on-time: the latest on-time delivery, or nothing', () => {
    expect(countedGrading(all, 'latest-on-time')?.name).toBe('last-on-time');
    expect(countedGrading([late, tooLate], 'latest-on-time')).toBeUndefined();
  });

  it('gives nothing without gradings', () => {
    for (const rule of ['best', 'latest', 'latest-on-time'] as const) expect(countedGrading([], rule)).toBeUndefined();
  });
});

describe('applyOverrides', () => {
  const criteria: RecordedCriterion[] = [
    { id: 'estructura', maxScore: 40, score: 30, status: 'partial' },
    { id: 'informe', maxScore: 30, score: null, status: 'pending' },
    { id: 'tests', maxScore: 30, score: 30, status: 'passed' },
  ];

  it('replaces the points of a criterion, a pending one too, and keeps the automatic ones', () => {
    const out = applyOverrides(criteria, [
      { criterion: 'informe', points: 30 },
      { criterion: 'tests', points: 10 },
    ]);
    expect(out.score).toBe(70);
    expect(out.criteria).toEqual([
      { id: 'estructura', maxScore: 40, score: 30, status: 'partial', automatic: 30, overridden: false },
      { id: 'informe', maxScore: 30, score: 30, status: 'passed', automatic: null, overridden: true },
      { id: 'tests', maxScore: 30, score: 10, status: 'partial', automatic: 30, overridden: true },
    ]);
  });

  it('without overrides leaves a pending criterion out of the score', () => {
    expect(applyOverrides(criteria, []).score).toBe(60);
  });

  it('lets a later override win, scores 0 as failed, and ignores a criterion the grading lacks', () => {
    const out = applyOverrides(criteria, [
      { criterion: 'informe', points: 20 },
      { criterion: 'informe', points: 0 },
      { criterion: 'gone', points: 50 },
    ]);
    expect(out.criteria[1]).toMatchObject({ score: 0, status: 'failed', overridden: true });
    expect(out.criteria).toHaveLength(3);
    expect(out.score).toBe(60);
  });
});
