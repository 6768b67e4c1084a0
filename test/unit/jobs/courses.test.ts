import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { CourseDirectory, TELL_AGAIN_MS } from '../../../src/jobs/courses.ts';

/** What tells instructors about a broken course file: once per problem, and again if that once may have been lost. */
describe("telling instructors about their course file", () => {
  const invalid = { status: 'invalid', problems: ['weeks: expected a number'] } as const;
  const directory = () => {
    let now = 0;
    const courses = new CourseDirectory({ ttlMs: 0, botLogin: 'rubrica[bot]', log: pino({ level: 'silent' }), now: () => now });
    return { courses, advance: (ms: number) => (now += ms) };
  };

  it('tells a problem once during a rush, and a different problem at once', () => {
    const { courses, advance } = directory();
    expect(courses.tellInstructors(1, 'clase', invalid)?.kind).toBe('course-issue');
    advance(1000);
    expect(courses.tellInstructors(1, 'clase', invalid)).toBeUndefined();
    expect(courses.tellInstructors(1, 'otra', invalid)?.kind).toBe('course-issue');
    const other = courses.tellInstructors(1, 'clase', { status: 'invalid', problems: ['tas: required'] });
    expect(other?.kind === 'course-issue' && other.body).toContain('tas: required');
  });

  it('tells the same problem again after a while: the first telling may never have been recorded', () => {
    const { courses, advance } = directory();
    expect(courses.tellInstructors(1, 'clase', invalid)).toBeDefined();
    advance(TELL_AGAIN_MS - 1);
    expect(courses.tellInstructors(1, 'clase', invalid)).toBeUndefined();
    advance(1);
    expect(courses.tellInstructors(1, 'clase', invalid)).toBeDefined();
    expect(courses.tellInstructors(1, 'clase', invalid)).toBeUndefined();
  });

  it('an organization without a .github repository is only logged', () => {
    const { courses } = directory();
    expect(courses.tellInstructors(1, 'clase', { status: 'missing', reason: 'no-repo' })).toBeUndefined();
  });
});
