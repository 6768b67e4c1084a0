import { describe, expect, it } from 'vitest';
import { courseMomentAt, weekNamedBy, weekStarts } from '../../../src/course/calendar.ts';
import { CourseConfigSchema } from '../../../src/course/config.ts';

describe('which week a pull request names', () => {
  it('reads week-N and semana-N labels in any case, with -, _, a space or nothing between', () => {
    for (const label of ['week-3', 'Week_3', 'SEMANA 3', 'semana3', '  week-3  ']) expect(weekNamedBy([label], 'main')).toBe(3);
    expect(weekNamedBy(['semana-12'], 'main')).toBe(12);
  });

  it('ignores labels that only contain a week name', () => {
    for (const label of ['not-week-3', 'week-3-draft', 'week-123', 'week--3']) expect(weekNamedBy([label], 'main')).toBeUndefined();
  });

  it("takes the first label that names a week, then the head branch's last segment", () => {
    expect(weekNamedBy(['bug', 'week-2', 'week-5'], 'week-9')).toBe(2);
    expect(weekNamedBy(['bug'], 'ana/fix/semana_9')).toBe(9);
    expect(weekNamedBy([], 'week-9/ana')).toBeUndefined();
    expect(weekNamedBy([], 'ana/prefix-week-9')).toBeUndefined();
  });
});

describe('breaks in the course calendar', () => {
  const course = (breaks: { from: string; to: string }[]) =>
    CourseConfigSchema.parse({ pack: 'mlops', start: '2026-09-07', timezone: 'UTC', weeks: 3, students: { prefix: 'p-' }, tas: 't', breaks });

  it("pauses a week whose first day is a break's last day", () => {
    // Week 2 would start on Monday 2026-09-14; a break ending that day pauses it.
    expect(weekStarts(course([{ from: '2026-09-10', to: '2026-09-14' }]))).toEqual(['2026-09-07', '2026-09-21', '2026-09-28']);
    expect(courseMomentAt(course([{ from: '2026-09-10', to: '2026-09-14' }]), new Date('2026-09-16T12:00:00Z'))).toEqual({
      status: 'break',
      resumesOn: '2026-09-21',
    });
  });

  it('does not pause a week for a holiday that ends the day before it starts', () => {
    expect(weekStarts(course([{ from: '2026-09-10', to: '2026-09-13' }]))).toEqual(['2026-09-07', '2026-09-14', '2026-09-21']);
  });
});
