import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { assignmentUnitAt, deadlineOfUnit } from '../../../src/course/calendar.ts';
import { courseUnits, membershipOf, parseCourseFile, rubricOf, type Course } from '../../../src/course/load.ts';
import { parseUnitKey, unitKey, unitLabel, weekNumberOf } from '../../../src/course/unit.ts';
import { helpMessage, parseCommands, validateCommand } from '../../../src/commands/parse.ts';
import { COURSE_PACKS, TWO_COURSES_YAML } from '../../helpers/courses.ts';

const PACKS = COURSE_PACKS;

/** Two courses in one organization: a weekly one and FIUBA's AMq2 final project (seed 003) in two deliveries. */
const TWO_COURSES = TWO_COURSES_YAML;

async function courses(source: string): Promise<readonly Course[]> {
  const setup = await parseCourseFile(source, PACKS);
  if (setup.status !== 'ready') throw new Error(`expected ready, got ${JSON.stringify(setup)}`);
  return setup.courses;
}

async function problems(source: string): Promise<string> {
  const setup = await parseCourseFile(source, PACKS);
  if (setup.status !== 'invalid') throw new Error(`expected invalid, got ${setup.status}`);
  return setup.problems.join('\n');
}

describe('the grading unit', () => {
  it('is one key per week, assignment or delivery, and back', () => {
    for (const key of ['week-1', 'week-16', 'final', 'final/first', 'tp-2/entrega-1']) expect(unitKey(parseUnitKey(key)!)).toBe(key);
    for (const bad of ['week-0', 'week-', 'Final', 'final/', '/first', 'a/b/c', 'week-3/first', '../x']) expect(parseUnitKey(bad)).toBeNull();
    expect(weekNumberOf('week-7')).toBe(7);
    expect(weekNumberOf('final/first')).toBe(0);
    expect(unitLabel('week-3', 'es')).toBe('Semana 3');
    expect(unitLabel('final/first', 'en')).toBe('final · first');
  });
});

describe('the course file: several courses, assignments, groups', () => {
  it("today's single-course file (the README's) is one course, `default`, unchanged", async () => {
    const readme = readFileSync(new URL('../../../README.md', import.meta.url), 'utf8');
    const example = /```yaml\n(pack: mlops[\s\S]*?)```/.exec(readme)![1]!;
    const setup = await parseCourseFile(example);
    expect(setup.status).toBe('ready');
    if (setup.status !== 'ready') return;
    expect(setup.courses.map((c) => c.config.id)).toEqual(['default']);
    const [course] = setup.courses;
    expect(course!.config.assignments).toEqual([]);
    expect(courseUnits(course!.config)).toEqual(Array.from({ length: 10 }, (_, i) => `week-${i + 1}`));
    expect(membershipOf(setup.courses, { name: 'mlops-ana' })).toMatchObject({ status: 'member', namedLogin: 'ana' });
  });

  it('lists courses, each with its own pack, students, calendar, TA team and locale', async () => {
    const [intro, amq2] = await courses(TWO_COURSES);
    expect([intro!.config.id, intro!.pack.name, intro!.config.tas, intro!.config.locale]).toEqual(['intro', 'courses-weekly', 'intro-tas', 'en']);
    expect([amq2!.config.id, amq2!.pack.name, amq2!.config.tas, amq2!.config.locale]).toEqual(['amq2', 'courses-final', 'amq2-tas', 'es']);
    expect(courseUnits(intro!.config)).toEqual(['week-1']);
    // An assignment course without a weekly portfolio has no week columns.
    expect(courseUnits(amq2!.config)).toEqual(['final/first', 'final/final']);
  });

  it('a repository belongs to the course whose prefix names it; a group repository names its group', async () => {
    const all = await courses(TWO_COURSES);
    expect(membershipOf(all, { name: 'intro-ana' })).toMatchObject({ status: 'member', course: { config: { id: 'intro' } }, namedLogin: 'ana' });
    const group = membershipOf(all, { name: 'tp-final-grupo3' });
    expect(group).toMatchObject({ status: 'member', course: { config: { id: 'amq2' } }, assignment: { id: 'final' }, namedLogin: null, group: 'grupo3' });
    expect(membershipOf(all, { name: 'notas-del-curso' })).toEqual({ status: 'none' });
    // The prefix alone is no repository of anyone's.
    expect(membershipOf(all, { name: 'tp-final-' })).toEqual({ status: 'none' });
  });

  it('two courses that claim the same repository make it ambiguous: graded by neither, naming both', async () => {
    const overlapping = TWO_COURSES.replace('students: { prefix: intro- }', 'students: { prefix: tp- }');
    const all = await courses(overlapping);
    expect(membershipOf(all, { name: 'tp-final-grupo3' })).toEqual({ status: 'ambiguous', courses: ['intro', 'amq2'] });
    // One course's topic and another's prefix count the same.
    const byTopic = TWO_COURSES.replace('students: { prefix: intro- }', 'students: { topic: fiuba }');
    expect(membershipOf(await courses(byTopic), { name: 'tp-final-g1', topics: ['fiuba'] })).toEqual({ status: 'ambiguous', courses: ['intro', 'amq2'] });
    expect(membershipOf(await courses(byTopic), { name: 'tp-final-g1', topics: [] })).toMatchObject({ status: 'member', course: { config: { id: 'amq2' } } });
  });

  it('inside one course, the assignment with the longest matching prefix wins over the weekly portfolio', async () => {
    const [course] = await courses(`pack: courses-final
start: 2026-08-17
timezone: America/Argentina/Buenos_Aires
weeks: 8
tas: amq2-tas
assignments:
  - { id: final, prefix: tp-final-, due: { class: 8, days: 7 } }
  - { id: tp, prefix: tp-, rubric: final, due: 2026-09-30T23:59 }
`);
    expect(membershipOf([course!], { name: 'tp-final-ana' })).toMatchObject({ assignment: { id: 'final' }, namedLogin: 'ana' });
    expect(membershipOf([course!], { name: 'tp-ana' })).toMatchObject({ assignment: { id: 'tp' }, namedLogin: 'ana' });
    expect(courseUnits(course!.config)).toEqual(['final', 'tp']);
  });

  it("dates deliveries from the course calendar: 003's first at class 5, the final one 7 days after the last class", async () => {
    const [, amq2] = await courses(TWO_COURSES);
    const config = amq2!.config;
    // Class 5 is 2026-09-14 (a Monday, four weeks after 08-17); 23:59 in Buenos Aires is 02:59Z the next day.
    expect(deadlineOfUnit(config, parseUnitKey('final/first')!)?.toISOString()).toBe('2026-09-15T02:59:00.000Z');
    // Class 8 is 2026-10-05; seven days later, 10-12.
    expect(deadlineOfUnit(config, parseUnitKey('final/final')!)?.toISOString()).toBe('2026-10-13T02:59:00.000Z');
    expect(deadlineOfUnit(config, parseUnitKey('final')!)).toBeUndefined(); // it has deliveries: a delivery is graded
    const assignment = config.assignments[0]!;
    const at = (iso: string) => unitKey(assignmentUnitAt(config, assignment, new Date(iso)));
    expect(at('2026-09-01T12:00:00Z')).toBe('final/first');
    // Inside the 15 minutes of grace, still the first delivery; after it, the next one open.
    expect(at('2026-09-15T03:10:00Z')).toBe('final/first');
    expect(at('2026-09-15T03:20:00Z')).toBe('final/final');
    // After the last deadline: the last delivery (graded late).
    expect(at('2026-11-01T12:00:00Z')).toBe('final/final');
  });

  it('a delivery graded on part of its rubric keeps those criteria and their points as its scale', async () => {
    const [intro, amq2] = await courses(TWO_COURSES);
    const member = membershipOf([amq2!], { name: 'tp-final-g1' });
    if (member.status !== 'member') throw new Error('not a member');
    const first = rubricOf(amq2!, member.assignment, 'final/first')!;
    expect([first.unit, first.criteria.map((c) => c.id), first.scale]).toEqual(['final/first', ['readme', 'src'], 60]);
    const last = rubricOf(amq2!, member.assignment, 'final/final')!;
    expect([last.unit, last.criteria.map((c) => c.id), last.scale]).toEqual(['final/final', ['readme', 'src', 'compose'], undefined]);
    // A week is no unit of an assignment's repository, nor another course's unit.
    expect(rubricOf(amq2!, member.assignment, 'week-1')).toBeUndefined();
    expect(rubricOf(intro!, undefined, 'final/first')).toBeUndefined();
    expect(rubricOf(intro!, undefined, 'week-1')?.unit).toBe('week-1');
    expect(rubricOf(intro!, undefined, 'week-2')).toBeUndefined();
  });

  it("a TA's command on an assignment names its unit, not a week", async () => {
    const [, amq2] = await courses(TWO_COURSES);
    const member = membershipOf([amq2!], { name: 'tp-final-g1' });
    if (member.status !== 'member') throw new Error('not a member');
    const first = rubricOf(amq2!, member.assignment, 'final/first')!;
    const [line] = parseCommands('/rubrica override compose 10 falta el compose');
    if (!line?.ok) throw new Error('not a command');
    // The first delivery is graded on readme and src only: compose is no criterion of it.
    expect(validateCommand(line.command, first)?.en).toContain('`final/first` has no criterion `compose`');
    expect(helpMessage(first).es).toContain('### Comandos de Rubrica · final · first — Trabajo práctico final');
    expect(helpMessage(first).es).toContain('**Criterios de la entrega `final/first`**');
  });

  it('says what is wrong, course by course: ids twice, a rubric or criterion the pack lacks, a class past the calendar', async () => {
    expect(await problems(TWO_COURSES.replace('id: amq2', 'id: intro'))).toContain('the course id `intro` is used twice');
    expect(await problems(TWO_COURSES.replace('criteria: [readme, src]', 'criteria: [readme, docker]'))).toContain(
      'courses[1].assignments[0].deliveries[0].criteria: docker is not a criterion of',
    );
    expect(await problems(TWO_COURSES.replace('- id: final\n        prefix', '- id: tp1\n        prefix'))).toContain('courses[1].assignments[0].rubric: pack "courses-final" has no `assignment-tp1.yaml` (its assignment rubrics: final)');
    expect(await problems(TWO_COURSES.replace('{ class: 8, days: 7 }', '{ class: 9 }'))).toContain('the course has classes (weeks) 1–8');
    expect(await problems(TWO_COURSES.replace('          - { id: final, due: { class: 8, days: 7 } }\n', '          - { id: first, due: { class: 8, days: 7 } }\n'))).toContain('the delivery id `first` is used twice');
    expect(await problems(TWO_COURSES.replace('        deliveries:', '        due: 2026-10-12T23:59\n        deliveries:'))).toContain('either `due` or `deliveries`');
    // A weekly course still needs every week in its pack; an assignment-only course needs none.
    expect(await problems(TWO_COURSES.replace('weeks: 1\n', 'weeks: 2\n'))).toContain('courses[0].weeks: the course runs 2 weeks but pack "courses-weekly" has no rubric for week 2');
    expect(await problems(TWO_COURSES.replace('    assignments:', '    assignmentz:'))).toMatch(/assignmentz/);
    expect(await problems('courses:\n  - pack: courses-weekly\n    start: 2026-09-07\n    timezone: UTC\n    weeks: 1\n    tas: t\n')).toContain('`students` (prefix or topic) or `assignments`');
  });

  it('a group names its members by team with {group}', async () => {
    expect(await problems(TWO_COURSES.replace('group: { maxSize: 6 }', 'group: { members: team }'))).toContain('members: team needs `team`');
    const [, amq2] = await courses(TWO_COURSES.replace('group: { maxSize: 6 }', 'group: { members: team, team: "amq2-{group}" }'));
    expect(amq2!.config.assignments[0]!.group).toEqual({ members: 'team', team: 'amq2-{group}' });
  });
});
