import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, rm, symlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { courseUnits, membershipOf, parseCourseFile, studentOf } from '../../../src/course/load.ts';
import { deadlineOf, deadlineOfUnit, weekStarts } from '../../../src/course/calendar.ts';
import { parseUnitKey } from '../../../src/course/unit.ts';
import { RUBRICS_DIR } from '../../../src/rubrics/load.ts';

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

describe("the README's AMq2 course file (several courses, a group assignment in two deliveries)", () => {
  const amq2Example = /```yaml\n(courses:\n  - id: mlops[\s\S]*?)```/.exec(README)?.[1] ?? '';

  it('is two courses: the weekly MLOps one and the AMq2 final project, due at class 5 and 7 days after class 8', async () => {
    // The amq2 pack once it ships; until then the test pack with the same assignment (`final`) stands in.
    const rubrics = await mkdtemp(join(tmpdir(), 'rubrica-readme-'));
    await symlink(join(RUBRICS_DIR, 'mlops'), join(rubrics, 'mlops'));
    const amq2 = existsSync(join(RUBRICS_DIR, 'amq2')) ? join(RUBRICS_DIR, 'amq2') : fileURLToPath(new URL('../../fixtures/packs/courses-final', import.meta.url));
    await symlink(amq2, join(rubrics, 'amq2'));
    const setup = await parseCourseFile(amq2Example, rubrics);
    expect(setup).toMatchObject({ status: 'ready' });
    if (setup.status !== 'ready') return;
    const [mlops, course] = setup.courses;
    expect([mlops!.config.id, course!.config.id]).toEqual(['mlops', 'amq2']);
    expect(courseUnits(course!.config)).toEqual(['final/first', 'final/final']);
    expect(deadlineOfUnit(course!.config, parseUnitKey('final/first')!)?.toISOString()).toBe('2026-09-15T02:59:00.000Z');
    expect(deadlineOfUnit(course!.config, parseUnitKey('final/final')!)?.toISOString()).toBe('2026-10-13T02:59:00.000Z');
    expect(membershipOf(setup.courses, { name: 'amq2-tp-final-grupo3' })).toMatchObject({ status: 'member', course: { config: { id: 'amq2' } }, assignment: { id: 'final', group: { maxSize: 6 } }, group: 'grupo3', namedLogin: null });
    expect(membershipOf(setup.courses, { name: 'mlops-ana' })).toMatchObject({ status: 'member', course: { config: { id: 'mlops' } }, namedLogin: 'ana' });
    await rm(rubrics, { recursive: true, force: true });
  });
});
