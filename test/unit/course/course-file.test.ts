import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { CourseConfigSchema, type CourseConfig } from '../../../src/course/config.ts';
import { loginFromName, parseCourseFile, studentOf } from '../../../src/course/load.ts';

const PACKS = fileURLToPath(new URL('../../fixtures/packs/', import.meta.url));

/** The README's seven keys; each test changes or adds a few. */
const BASE = `pack: mlops
start: 2026-09-07
timezone: America/Argentina/Buenos_Aires
weeks: 10
students:
  prefix: mlops-
tas: mlops-tas
`;

async function ready(source: string): Promise<CourseConfig> {
  const setup = await parseCourseFile(source);
  if (setup.status !== 'ready') throw new Error(`expected a ready course, got ${JSON.stringify(setup)}`);
  expect(setup.courses).toHaveLength(1);
  return setup.courses[0]!.config;
}

async function problems(source: string, rubricsDir?: string): Promise<readonly string[]> {
  const setup = await parseCourseFile(source, rubricsDir);
  if (setup.status !== 'invalid') throw new Error(`expected an invalid course, got ${setup.status}`);
  return setup.problems;
}

describe('the course file: defaults an instructor can rely on', () => {
  it('fills every documented default when only the promised keys are given', async () => {
    const config = await ready(BASE);
    expect(config).toEqual({
      // A single-course file's course is `default`, the id every earlier record carries.
      id: 'default',
      pack: 'mlops',
      start: '2026-09-07',
      timezone: 'America/Argentina/Buenos_Aires',
      weeks: 10,
      students: { prefix: 'mlops-' },
      tas: 'mlops-tas',
      locale: 'es',
      // No weekday: each week is due at the end of its last day.
      deadlines: { time: '23:59', overrides: {} },
      breaks: [],
      late: { graceMinutes: 15, penaltyPerDay: 0.1, maxDaysLate: 7, maxPenalty: 1 },
      counts: 'best',
      belowPassMark: 'failure',
      comments: { pullRequests: true, commits: false },
      assignments: [],
    });
  });

  it('fills the inner defaults of a section written but left empty', async () => {
    const config = await ready(`${BASE}deadlines: {}\ncomments: {}\nlate: {}\n`);
    expect(config.deadlines).toEqual({ time: '23:59', overrides: {} });
    expect(config.comments).toEqual({ pullRequests: true, commits: false });
    expect(config.late).toEqual({ graceMinutes: 15, penaltyPerDay: 0.1, maxDaysLate: 7, maxPenalty: 1 });
  });

  it('accepts each way of choosing which grading counts', async () => {
    for (const counts of ['best', 'latest', 'latest-on-time']) {
      expect((await ready(`${BASE}counts: ${counts}\n`)).counts).toBe(counts);
    }
    expect(await problems(`${BASE}counts: first\n`)).toEqual([expect.stringContaining('counts')]);
  });

  it('takes a start date that arrives as a Date (a YAML loader with timestamps) as its calendar day', () => {
    const config = CourseConfigSchema.parse({ ...CourseConfigSchema.parse({ pack: 'mlops', start: '2026-09-07', timezone: 'UTC', weeks: 1, students: { prefix: 'p-' }, tas: 't' }), start: new Date('2026-09-07T00:00:00Z') });
    expect(config.start).toBe('2026-09-07');
  });
});

describe('the course file: what it refuses, and where it says the problem is', () => {
  it('finds student repositories by prefix, by topic, or both, but not by neither', async () => {
    expect((await ready(BASE.replace('prefix: mlops-', 'topic: mlops-2026'))).students).toEqual({ topic: 'mlops-2026' });
    expect((await ready(BASE.replace('prefix: mlops-', 'prefix: mlops-\n  topic: mlops-2026'))).students).toEqual({ prefix: 'mlops-', topic: 'mlops-2026' });
    expect(await problems(BASE.replace('students:\n  prefix: mlops-', 'students: {}'))).toEqual([
      expect.stringMatching(/^\.github\/rubrica\.yml:5:\d+: students: .*`prefix` or `topic`/),
    ]);
    expect(await problems(BASE.replace('prefix: mlops-', 'topic: ""'))).toEqual([expect.stringContaining('students.topic')]);
  });

  it('wants whole dates, times and pack names, not text that merely contains one', async () => {
    for (const start of ['"x2026-09-07"', '"2026-09-07x"', '"2026-9-7"']) {
      expect(await problems(BASE.replace('start: 2026-09-07', `start: ${start}`))).toEqual([expect.stringMatching(/start: .*YYYY-MM-DD/)]);
    }
    for (const time of ['"23:59:00"', '"at 23:59"', '"24:00"', '"23:60"']) {
      expect(await problems(`${BASE}deadlines:\n  time: ${time}\n`)).toEqual([expect.stringMatching(/deadlines\.time: .*HH:MM/)]);
    }
    for (const pack of ['../mlops', 'mlops/..', '-mlops']) {
      expect(await problems(BASE.replace('pack: mlops', `pack: "${pack}"`))).toEqual([expect.stringMatching(/pack: .*rubrics\//)]);
    }
  });

  it('names the time zone it does not know', async () => {
    expect(await problems(BASE.replace('America/Argentina/Buenos_Aires', 'Buenos Aires'))).toEqual([
      expect.stringMatching(/^\.github\/rubrica\.yml:3:\d+: timezone: is not an IANA time zone/),
    ]);
  });

  it('takes deadline overrides only for weeks the course has, written as a local date and time', async () => {
    const config = await ready(`${BASE}deadlines:\n  overrides:\n    1: 2026-09-12T12:00\n    10: 2026-11-30T23:59\n`);
    expect(config.deadlines.overrides).toEqual({ '1': '2026-09-12T12:00', '10': '2026-11-30T23:59' });
    for (const week of ['0', '11']) {
      expect(await problems(`${BASE}deadlines:\n  overrides:\n    "${week}": 2026-09-30T23:59\n`)).toEqual([
        expect.stringMatching(new RegExp(`:10:\\d+: deadlines\\.overrides\\.${week}: the course has weeks 1–10`)),
      ]);
    }
    for (const week of ['w3', '3a']) {
      expect(await problems(`${BASE}deadlines:\n  overrides:\n    "${week}": 2026-09-30T23:59\n`)).toEqual([expect.stringContaining('deadlines.overrides')]);
    }
    for (const when of ['"x2026-09-30T23:59"', '"2026-09-30T23:59Z"', '"2026-09-30 23:59"']) {
      expect(await problems(`${BASE}deadlines:\n  overrides:\n    "3": ${when}\n`)).toEqual([
        expect.stringMatching(/deadlines\.overrides\.3: .*YYYY-MM-DDTHH:MM/),
      ]);
    }
  });

  it('takes a one-day break, and refuses one that ends before it starts, pointing at its end', async () => {
    expect((await ready(`${BASE}breaks:\n  - { from: 2026-10-12, to: 2026-10-12 }\n`)).breaks).toEqual([{ from: '2026-10-12', to: '2026-10-12' }]);
    expect(await problems(`${BASE}breaks:\n  - { from: 2026-10-12, to: 2026-10-18 }\n  - { from: 2026-11-18, to: 2026-11-12 }\n`)).toEqual([
      expect.stringMatching(/^\.github\/rubrica\.yml:10:\d+: breaks\[1\]\.to: ends before it starts/),
    ]);
  });
});

describe('the course file and its pack', () => {
  const dirs: string[] = [];
  afterAll(() => Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true }))));

  it('refuses a pack that does not exist, saying which ones do', async () => {
    expect(await problems(BASE.replace('pack: mlops', 'pack: nope'))).toEqual([
      expect.stringMatching(/^\.github\/rubrica\.yml: pack: .*"nope".*mlops/),
    ]);
  });

  it("refuses a course longer than its pack, listing the weeks the pack lacks", async () => {
    expect(await problems(BASE.replace('pack: mlops', 'pack: hostile').replace('weeks: 10', 'weeks: 3'), PACKS)).toEqual([
      '.github/rubrica.yml: weeks: the course runs 3 weeks but pack "hostile" has no rubric for week 2, 3',
    ]);
    expect((await parseCourseFile(BASE.replace('pack: mlops', 'pack: hostile').replace('weeks: 10', 'weeks: 1'), PACKS)).status).toBe('ready');
  });

  it("reports a broken pack's own problems, in the pack's files", async () => {
    const dir = await mkdtemp(join(tmpdir(), 'rubrica-packs-'));
    dirs.push(dir);
    await mkdir(join(dir, 'broken'));
    await writeFile(join(dir, 'broken', 'pack.yaml'), 'title: { es: Rota, en: Broken }\n');
    const found = await problems(BASE.replace('pack: mlops', 'pack: broken').replace('weeks: 10', 'weeks: 1'), dir);
    expect(found.length).toBeGreaterThan(0);
    for (const p of found) expect(p).toMatch(/^[^ ]*rubrica-packs-[^/]+\/broken\b/);
  });

  it('refuses text that is not a course file at all', async () => {
    const found = await problems('pack: [mlops\n');
    expect(found.length).toBeGreaterThan(0);
    for (const p of found) expect(p).toMatch(/^\.github\/rubrica\.yml:\d+:\d+: /);
  });
});

describe("recognising a student's repository", () => {
  const byPrefix = CourseConfigSchema.parse({ pack: 'mlops', start: '2026-09-07', timezone: 'UTC', weeks: 1, students: { prefix: 'mlops-' }, tas: 't' });
  const byTopic = CourseConfigSchema.parse({ ...byPrefix, students: { topic: 'mlops-2026' } });
  const byBoth = CourseConfigSchema.parse({ ...byPrefix, students: { prefix: 'mlops-', topic: 'mlops-2026' } });

  it('reads the login after the prefix, whatever the case GitHub Classroom used', () => {
    expect(loginFromName(byPrefix, 'mlops-ana')).toBe('ana');
    expect(loginFromName(byPrefix, 'MLOps-Ana')).toBe('Ana');
    expect(loginFromName(byPrefix, 'mlops-')).toBeNull();
    expect(loginFromName(byPrefix, 'notes-mlops-ana')).toBeNull();
    expect(loginFromName(byTopic, 'mlops-ana')).toBeNull();
  });

  it('takes a repository carrying the topic as the student named by the repository', () => {
    expect(studentOf(byTopic, { name: 'ana-solutions', topics: ['python', 'mlops-2026'] })).toBe('ana-solutions');
    expect(studentOf(byTopic, { name: 'ana-solutions', topics: ['python'] })).toBeNull();
    expect(studentOf(byTopic, { name: 'ana-solutions' })).toBeNull();
    expect(studentOf(byPrefix, { name: 'ana-solutions', topics: ['mlops-2026'] })).toBeNull();
  });

  it('prefers the login from the name, and falls back to the topic', () => {
    expect(studentOf(byBoth, { name: 'mlops-ana', topics: ['mlops-2026'] })).toBe('ana');
    expect(studentOf(byBoth, { name: 'ana-solutions', topics: ['mlops-2026'] })).toBe('ana-solutions');
    expect(studentOf(byBoth, { name: 'ana-solutions', topics: [] })).toBeNull();
  });
});
