import { execFileSync } from 'node:child_process';
import { promises as fs } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.ts';
import { COURSE_PACKS, TWO_COURSES_YAML } from '../helpers/courses.ts';

/**
 * `rubrica check` for an assignment course, in real containers: the pack's assignment
 * rubric by `--assignment`, a delivery (its part of the rubric) by `--delivery` with the
 * course file, and `--pack PATH` for a pack folder outside rubrics/.
 */
let root: string;
let repo: string;
let courseFile: string;

async function cli(args: string[]) {
  let out = '';
  let err = '';
  const code = await main(args, { stdout: { write: (s: string) => (out += s) }, stderr: { write: (s: string) => (err += s) }, env: {} });
  return { code, out, err };
}

beforeAll(async () => {
  root = await fs.mkdtemp(join(tmpdir(), 'rubrica-assignments-'));
  repo = join(root, 'tp-final-grupo3');
  await fs.mkdir(join(repo, 'src'), { recursive: true });
  await fs.writeFile(join(repo, 'README.md'), '# Grupo 3\n');
  await fs.writeFile(join(repo, 'src', 'main.py'), 'print(1)\n');
  const git = (...args: string[]) => execFileSync('git', ['-C', repo, '-c', 'user.name=t', '-c', 'user.email=t@example.com', ...args]);
  git('init', '-q');
  git('add', '.');
  git('commit', '-qm', 'feat: primera entrega');
  courseFile = join(root, 'rubrica.yml');
  await fs.writeFile(courseFile, TWO_COURSES_YAML);
});

afterAll(async () => {
  await fs.rm(root, { recursive: true, force: true });
});

describe('rubrica check for assignments', () => {
  it('grades an assignment with the pack’s rubric, and a delivery with its part of it', async () => {
    const pack = join(COURSE_PACKS, 'courses-final');
    const whole = await cli(['check', '--assignment', 'final', '--pack', pack, '--json', repo]);
    expect(whole.code).toBe(0);
    expect(JSON.parse(whole.out)).toMatchObject({ pack: 'courses-final', unit: 'final', score: 60, maxScore: 100 });

    const first = await cli(['check', '--assignment', 'final', '--delivery', 'first', '--course', courseFile, '--rubrics', COURSE_PACKS, '--json', repo]);
    expect(first.code).toBe(0);
    const report = JSON.parse(first.out);
    expect(report).toMatchObject({ pack: 'courses-final', unit: 'final/first', score: 60, maxScore: 60 });
    expect(report.criteria.map((c: { id: string }) => c.id)).toEqual(['readme', 'src']);

    const text = await cli(['check', '--assignment', 'final', '--delivery', 'final', '--course', courseFile, '--rubrics', COURSE_PACKS, '--lang', 'en', repo]);
    expect(text.code).toBe(0);
    expect(text.out).toContain('Rubrica · final · final — Final project');
  });

  it('pack validate lists a pack’s assignments beside its weeks', async () => {
    const pack = join(COURSE_PACKS, 'courses-final');
    const text = await cli(['pack', 'validate', pack, '--lang', 'en']);
    expect(text.code).toBe(0);
    expect(text.out).toContain('0 weeks · 1 assignment · ok');
    expect(text.out).toContain('final: Final project\n    30  readme');
    const json = JSON.parse((await cli(['pack', 'validate', pack, '--json'])).out);
    expect(json.assignments.map((a: { assignment: string; criteria: { id: string }[] }) => [a.assignment, a.criteria.map((c) => c.id)])).toEqual([['final', ['readme', 'src', 'compose']]]);
  });

  it('says what is wrong with the question, and exits 2', async () => {
    const pack = join(COURSE_PACKS, 'courses-final');
    expect(await cli(['check', '--assignment', 'tp9', '--pack', pack, '--lang', 'en', repo])).toMatchObject({ code: 2, err: expect.stringContaining('has no assignment tp9; its assignments: final') });
    expect(await cli(['check', '--assignment', 'final', '--delivery', 'first', '--pack', pack, '--lang', 'en', repo])).toMatchObject({ code: 2, err: expect.stringContaining('add `--course .github/rubrica.yml`') });
    expect(await cli(['check', '--delivery', 'first', '--pack', pack, '--lang', 'en', repo])).toMatchObject({ code: 2, err: expect.stringContaining('add `--assignment ID`') });
    expect(await cli(['check', '--week', '1', '--assignment', 'final', '--pack', pack, '--lang', 'en', repo])).toMatchObject({ code: 2, err: expect.stringContaining('not both') });
    expect(await cli(['check', '--assignment', 'final', '--delivery', 'third', '--course', courseFile, '--rubrics', COURSE_PACKS, '--lang', 'en', repo])).toMatchObject({
      code: 2,
      err: expect.stringContaining('the course file has no final/third; it has: final/first, final/final'),
    });
  });
});
