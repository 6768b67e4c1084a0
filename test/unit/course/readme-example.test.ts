import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseCourseFile, studentOf } from '../../../src/course/load.ts';
import { deadlineOf, weekStarts } from '../../../src/course/calendar.ts';

/** The README's course file is a promise to instructors: a file written from it keeps working. */
const README = readFileSync(new URL('../../../README.md', import.meta.url), 'utf8');
const example = /```yaml\n(pack: mlops[\s\S]*?)```/.exec(README)?.[1] ?? '';

describe("the README's .github/rubrica.yml", () => {
  it('is a valid course for the MLOps pack, with its break and its week-10 override', async () => {
    const setup = await parseCourseFile(example);
    expect(setup.status).toBe('ready');
    if (setup.status !== 'ready') return;
    expect(setup.courses).toHaveLength(1);
    const { config } = setup.courses[0]!;
    expect(config.id).toBe('default');
    expect(weekStarts(config)[5]).toBe('2026-10-19'); // week 6 comes after the break
    expect(deadlineOf(config, 10).toISOString()).toBe('2026-11-30T02:59:00.000Z');
    expect(studentOf(config, { name: 'mlops-ana' })).toBe('ana');
    expect(studentOf(config, { name: 'notas-del-curso' })).toBeNull();
  });

  it('its seven promised keys alone make a course', async () => {
    const lines = example.split('\n');
    const minimal = lines.slice(0, lines.findIndex((l) => l.startsWith('locale:')) + 1).join('\n');
    expect(minimal).toContain('locale: es');
    expect((await parseCourseFile(minimal)).status).toBe('ready');
  });
});
