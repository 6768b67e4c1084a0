import { readFileSync } from 'node:fs';
import { promises as fs } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.ts';
import { emptyRepo } from '../fixtures/repos.ts';

/**
 * The AMq2 course as an instructor tries it: `rubrica example amq2`, then `rubrica check
 * --assignment final --delivery D --course rubrica.yml --json` with the README's course
 * file, in real containers. The final delivery decides the level; `--json` prints it.
 */
const README = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
const COURSE = /```yaml\n(courses:\n  - id: mlops[\s\S]*?)```/.exec(README)?.[1] ?? '';

let root: string;
let courseFile: string;

async function cli(args: string[]) {
  let out = '';
  let err = '';
  const code = await main(args, { stdout: { write: (s: string) => (out += s) }, stderr: { write: (s: string) => (err += s) }, env: {} });
  return { code, out, err };
}

beforeAll(async () => {
  root = await fs.mkdtemp(join(tmpdir(), 'rubrica-amq2-'));
  courseFile = join(root, 'rubrica.yml');
  await fs.writeFile(courseFile, COURSE);
});

afterAll(async () => {
  await fs.rm(root, { recursive: true, force: true });
});

describe('rubrica check on the AMq2 final project', () => {
  it('the model solution: 50 of 50 on the first delivery, 100 on the final one, graded 10 at the containers level', async () => {
    const repo = join(root, 'amq2-tp-final-grupo3');
    const example = await cli(['example', 'amq2', repo, '--lang', 'en']);
    expect(example.code).toBe(0);
    // A pack of assignments only: the hint names its assignment, not a week 1 it does not have.
    expect(example.out).toContain(`Grade it with \`rubrica check --pack amq2 --assignment final ${repo}\` (assignments: final).`);
    const first = await cli(['check', '--assignment', 'final', '--delivery', 'first', '--course', courseFile, '--json', repo]);
    expect(first.err).toBe('');
    expect(JSON.parse(first.out)).toMatchObject({ pack: 'amq2', unit: 'final/first', score: 50, maxScore: 50, passed: true });
    expect(JSON.parse(first.out).criteria.map((c: { id: string }) => c.id)).toEqual(['readme', 'desarrollo', 'entrenamiento', 'dag']);
    const final = await cli(['check', '--assignment', 'final', '--delivery', 'final', '--course', courseFile, '--json', repo]);
    expect(final.code).toBe(0);
    const report = JSON.parse(final.out);
    expect(report).toMatchObject({ unit: 'final/final', score: 100, maxScore: 100 });
    expect(report.final).toMatchObject({ grade: 10, scale: { min: 0, max: 10 }, level: 'containers', passed: true });
  });

  it('an empty repository: no level, a fail, and advice naming what to add', async () => {
    const final = await cli(['check', '--assignment', 'final', '--delivery', 'final', '--course', courseFile, '--json', await emptyRepo()]);
    const report = JSON.parse(final.out);
    expect(report.score).toBeLessThanOrEqual(2);
    expect(report.final).toMatchObject({ grade: 0.2, scale: { min: 0, max: 10 }, level: null, passed: false });
    const dag = report.criteria.find((c: { id: string }) => c.id === 'dag');
    expect(dag.message).toMatch(/airflow\/dags/);
    expect(dag.message).toMatch(/Apache Airflow/);
    expect(dag.feedback).toMatch(/@dag\(/);
  });
});
