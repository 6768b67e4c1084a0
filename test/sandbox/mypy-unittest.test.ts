import { promises as fs } from 'node:fs';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { plain } from '../../src/core/text.ts';
import { grade, type Grade } from '../../src/grading/grade.ts';
import { loadPack, type Pack } from '../../src/rubrics/load.ts';
import { DockerSandboxProvider } from '../../src/sandbox/sandbox.ts';
import { directorySnapshot } from '../../src/sandbox/snapshot.ts';
import { containersLeft } from '../helpers/containers.ts';
import { gitRepo, tempDir } from '../fixtures/repos.ts';

/**
 * mypy and unittest in a real sandbox, with the runner image's own tools (mypy is
 * Debian's, added to the image: RUBRICA_RUNNER_IMAGE names an image built from this
 * branch's runner/ when the default tag is older).
 */
const provider = new DockerSandboxProvider();
const RUN = `typing-${randomUUID().slice(0, 8)}`;
const IMAGE = process.env.RUBRICA_RUNNER_IMAGE || 'rubrica/runner-mlops:1';
let pack: Pack;

const WEEK = `week: 1
title: { es: Tipos y tests, en: Types and tests }
criteria:
  - id: tipos
    title: { es: mypy pasa, en: mypy passes }
    points: 50
    check: { kind: mypy, paths: [src] }
    feedback: { es: Anota los tipos y corre mypy., en: Annotate the types and run mypy. }
  - id: tests
    title: { es: unittest pasa, en: unittest passes }
    points: 50
    check: { kind: unittest, start: tests }
    feedback: { es: Escribe un test con unittest que pase., en: Write a unittest test that passes. }
`;

const GOOD = {
  'src/__init__.py': '',
  'src/preprocess.py': 'def limpiar(valores: list[float]) -> list[float]:\n    return [v for v in valores if v >= 0]\n',
  'tests/__init__.py': '',
  'tests/test_preprocess.py':
    'import unittest\n\nfrom src.preprocess import limpiar\n\n\nclass TestLimpiar(unittest.TestCase):\n    def test_quita_negativos(self) -> None:\n        self.assertEqual(limpiar([1.0, -2.0, 3.0]), [1.0, 3.0])\n\n    def test_vacio(self) -> None:\n        self.assertEqual(limpiar([]), [])\n',
};

const BAD = {
  ...GOOD,
  // The student's own configuration would silence every error: the grader's applies instead.
  'mypy.ini': '[mypy]\nignore_errors = True\n',
  'src/preprocess.py': 'def limpiar(valores: list[float]) -> list[float]:\n    return [str(v) for v in valores]\n\n\ndef total(valores: list[float]) -> int:\n    return sum(valores)\n',
  'tests/test_preprocess.py': GOOD['tests/test_preprocess.py'].replace('[1.0, 3.0]', '[1.0]'),
};

async function gradeRepo(files: Record<string, string>, name: string): Promise<Grade> {
  const repo = await gitRepo([{ message: 'feat: preprocesamiento', files }], name);
  return grade({ pack, week: pack.weeks.get(1)!, source: directorySnapshot(repo), jobId: `${RUN}-${name}`, image: IMAGE }, provider);
}

beforeAll(async () => {
  const dir = await tempDir('typing-pack');
  await fs.writeFile(join(dir, 'pack.yaml'), `title: { es: Prueba, en: Test }\nlocale: en\nrunner:\n  image: ${IMAGE}\nscale: 100\n`);
  await fs.writeFile(join(dir, 'week-01.yaml'), WEEK);
  pack = await loadPack(dir);
});

afterAll(async () => {
  expect(await containersLeft(provider, RUN)).toEqual([]);
});

describe('mypy and unittest checks in a real sandbox', () => {
  it('typed code and passing tests: full marks', async () => {
    const result = await gradeRepo(GOOD, 'good');
    expect(result.criteria.map((c) => [c.id, c.status, plain(c.message.en)])).toEqual([
      ['tipos', 'passed', 'mypy finds no type errors in 2 files of `src`.'],
      ['tests', 'passed', 'Ran 2 tests: 2 pass, 0 fail, 0 error.'],
    ]);
  }, 120_000);

  it('type errors (despite the student’s ignore_errors) and a failing test: counted and named', async () => {
    const result = await gradeRepo(BAD, 'bad');
    const [types, tests] = result.criteria;
    expect(types!.status).toBe('failed');
    expect(plain(types!.message.en)).toMatch(/^mypy finds 2 type errors in 1 file of `src`\. They are: `src\/preprocess\.py:2` `List comprehension has incompatible type List\[str\]; expected List\[float\]  \[misc\]`; `src\/preprocess\.py:6` `.+`\. Measured with the grader.s configuration/);
    expect(types!.annotations.map((a) => [a.path, a.line])).toEqual([['src/preprocess.py', 2], ['src/preprocess.py', 6]]);
    expect(tests!.status).toBe('failed');
    expect(plain(tests!.message.en)).toBe(
      'Ran 2 tests: 1 pass, 1 fail, 0 error. Failing: FAIL `test_quita_negativos (tests.test_preprocess.TestLimpiar.test_quita_negativos)`. Run `python -m unittest discover -v` on your machine and fix them.',
    );
    expect(result.score).toBe(0);
  }, 120_000);

  it('an empty repository: no code for mypy, no tests folder, each with what to do', async () => {
    const result = await gradeRepo({ 'README.md': '# Proyecto\n' }, 'empty');
    const [types, tests] = result.criteria;
    expect(types!.score).toBe(0);
    expect(plain(types!.message.en)).toContain('mypy found no Python code in `src`');
    expect(tests!.score).toBe(0);
    expect(plain(tests!.message.en)).toContain('There is no `tests` folder of tests');
  }, 120_000);
});
