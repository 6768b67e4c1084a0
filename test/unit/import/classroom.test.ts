import { promises as fs } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { main } from '../../../src/cli/main.ts';
import { ClassroomFormatError, parseAutogradingJson, parseClassroomWorkflow, programsOf, weekFromTests } from '../../../src/import/classroom.ts';
import { loadPack } from '../../../src/rubrics/load.ts';
import { tempDir, writeTree } from '../../fixtures/repos.ts';

const GITHUB = fileURLToPath(new URL('../../fixtures/classroom/github/', import.meta.url));
const GREETER = fileURLToPath(new URL('../../fixtures/classroom/greeter/', import.meta.url));

async function cli(args: string[]) {
  let out = '';
  let err = '';
  const code = await main(args, { stdout: { write: (s: string) => (out += s) }, stderr: { write: (s: string) => (err += s) }, env: {} });
  return { code, out, err };
}

async function read(path: string) {
  return fs.readFile(path, 'utf8');
}

function problemsOf(fn: () => unknown) {
  try {
    fn();
  } catch (e) {
    if (e instanceof ClassroomFormatError) return e.problems;
    throw e;
  }
  throw new Error('expected a ClassroomFormatError');
}

describe("GitHub's own Classroom files", () => {
  it('reads education/autograding\'s autograding.json', async () => {
    const tests = parseAutogradingJson('autograding.json', await read(join(GITHUB, 'education-autograding.json')));
    expect(tests).toEqual([
      expect.objectContaining({ name: 'Test 1', run: "echo 'Test 1'", output: 'Test 1', comparison: 'included', timeoutMinutes: 10, points: 5 }),
    ]);
  });

  it('reads the Java example, filling Classroom\'s defaults (included, 1 minute, no points)', async () => {
    const [test] = parseAutogradingJson('autograding.json', await read(join(GITHUB, 'education-autograding-java.json')));
    expect(test).toMatchObject({ setup: 'javac *.java', run: 'java -cp . Hello', input: 'Jeff', output: 'Hello Jeff', comparison: 'included', timeoutMinutes: 1, points: 0 });
  });

  it('reads the io, command and python graders\' README workflows', async () => {
    const io = parseClassroomWorkflow('io.yml', await read(join(GITHUB, 'io-grader-readme.yml')));
    expect(io.tests).toEqual([expect.objectContaining({ name: 'Test Name', run: './bin/shout', input: 'hello', output: 'HELLO', comparison: 'exact', timeoutMinutes: 10, points: 0, grader: 'io-grader' })]);
    expect(io.otherSteps).toEqual([]);
    const command = parseClassroomWorkflow('command.yml', await read(join(GITHUB, 'command-grader-readme.yml')));
    expect(command.tests).toEqual([expect.objectContaining({ setup: 'npm install', run: 'npm test', output: '', timeoutMinutes: 15, points: 100, grader: 'command-grader' })]);
    const python = parseClassroomWorkflow('python.yml', await read(join(GITHUB, 'python-grader-readme.yml')));
    expect(python.tests).toEqual([expect.objectContaining({ setup: 'pip install -r requirements.txt', timeoutMinutes: 15, points: 100, grader: 'python-grader' })]);
  });

  it('imports the command grader example, listing what cannot come over with what to do instead', async () => {
    const out = await tempDir('import-out');
    const result = await cli(['import', 'classroom', join(GITHUB, 'command-grader-readme.yml'), '--out', out, '--pack', 'node-course']);
    expect(result.code).toBe(0);
    expect(result.out).toContain('Imported 1 test(s), 100 points');
    expect(result.out).toMatch(/setup `npm install` downloads, and the sandbox has no network; it was left out\.\n\s+Instead: preinstall/);
    expect(result.out).toMatch(/needs Node.js \(npm\), which the runner image lacks/);
    expect(result.out).toMatch(/runs test files from the student's repository/);
    expect(result.out).toMatch(/timeout of 15 min was cut to the pack's per-check limit of 120 s/);
    const week = await read(join(out, 'node-course', 'week-01.yaml'));
    expect(week).toMatch(/^# Imported by `rubrica import classroom`/);
    expect(week).toContain('# - Test Name: setup `npm install` downloads');
    const pack = await loadPack(join(out, 'node-course'));
    expect(pack.scale).toBe(100);
    const [criterion] = pack.weeks.get(1)!.criteria;
    expect(criterion).toMatchObject({ id: 'test-name', points: 100, kind: 'io', params: { run: 'npm test', timeout: 120 } });
    expect(criterion!.params).not.toHaveProperty('setup');
  });

  it('refuses the io grader example: its one test has no max-score, so nothing would be graded', async () => {
    const out = await tempDir('import-out');
    const result = await cli(['import', 'classroom', join(GITHUB, 'io-grader-readme.yml'), '--out', out]);
    expect(result).toMatchObject({ code: 2, err: expect.stringContaining('is worth points') });
    expect(await fs.readdir(out)).toEqual([]);
  });

  it('imports the python grader example as one all-or-nothing pytest run, and says so', async () => {
    const out = await tempDir('import-out');
    const result = await cli(['import', 'classroom', join(GITHUB, 'python-grader-readme.yml'), '--out', out, '--pack', 'py']);
    expect(result.code).toBe(0);
    expect(result.out).toContain('this criterion is all or nothing');
    const pack = await loadPack(join(out, 'py'));
    expect(pack.weeks.get(1)!.criteria[0]!.params).toMatchObject({ run: expect.stringContaining("-name '*_test.py'") });
  });
});

describe('import classroom on a template repository', () => {
  it('writes a pack that validates, one criterion per test with the same points and comparison', async () => {
    const out = await tempDir('import-out');
    const result = await cli(['import', 'classroom', GREETER, '--out', out, '--pack', 'greeter']);
    expect(result.code).toBe(0);
    expect(result.out).toContain('Imported 7 test(s), 16 points');
    expect(result.out).toContain('1 test(s) worth 0 points were not imported');
    expect(result.out).toMatch(/Unit tests: it runs test files from the student's repository \(test_hello\.py\)/);
    expect(result.out).toMatch(/Installs and compiles: setup `pip install -r requirements.txt` downloads/);
    const validate = await cli(['pack', 'validate', join(out, 'greeter'), '--json']);
    expect(validate.code).toBe(0);
    const described = JSON.parse(validate.out);
    expect(described.weeks[0].criteria.map((c: { id: string; points: number; kind: string }) => [c.id, c.points, c.kind])).toEqual([
      ['greets-exactly', 4, 'io'],
      ['greets-included', 3, 'io'],
      ['greets-regex', 2, 'io'],
      ['compiles', 1, 'io'],
      ['counts-words', 2, 'io'],
      ['installs-and-compiles', 2, 'io'],
      ['unit-tests', 2, 'io'],
    ]);
    const week = parse(await read(join(out, 'greeter', 'week-01.yaml')));
    expect(week.criteria[0].check).toEqual({ kind: 'io', run: 'python3 hello.py', input: 'Ada', output: 'What is your name?\nHello Ada', comparison: 'exact', timeout: 60 });
    expect(week.criteria[2].check).toMatchObject({ output: 'Hello [A-Z][a-z]+$', comparison: 'regex' });
    expect(week.criteria[3].check).toEqual({ kind: 'io', run: 'python3 -m py_compile hello.py', timeout: 60 });
    expect(week.criteria[0].feedback.en).toContain('print exactly `What is your name?⏎Hello Ada`');
    // The sandbox's PYTHONSAFEPATH keeps the repository off the import path: unittest is told where to look.
    expect(week.criteria[6].check.run).toBe('python3 -m unittest discover -s . -p test_hello.py');
    expect(result.out).toContain('`python3 -m unittest test_hello.py` became `python3 -m unittest discover -s . -p test_hello.py`');
  });

  it('re-imports over its own week, and adds a second week to the pack when the points match', async () => {
    const out = await tempDir('import-out');
    expect((await cli(['import', 'classroom', GREETER, '--out', out, '--pack', 'g'])).code).toBe(0);
    expect((await cli(['import', 'classroom', GREETER, '--out', out, '--pack', 'g'])).code).toBe(0);
    expect((await cli(['import', 'classroom', GREETER, '--out', out, '--pack', 'g', '--week', '2'])).code).toBe(0);
    expect((await loadPack(join(out, 'g'))).weeks.size).toBe(2);
    // A different total would break the pack's scale: refused, the pack untouched.
    const other = await cli(['import', 'classroom', join(GITHUB, 'education-autograding.json'), '--out', out, '--pack', 'g', '--week', '3']);
    expect(other).toMatchObject({ code: 2, err: expect.stringContaining('add up to 5 points but the pack "g" has a scale of 16') });
    expect((await fs.readdir(join(out, 'g'))).sort()).toEqual(['pack.yaml', 'week-01.yaml', 'week-02.yaml']);
  });

  it('refuses --assignment clearly, a first week other than 1, and a hand-written week', async () => {
    const out = await tempDir('import-out');
    expect(await cli(['import', 'classroom', GREETER, '--out', out, '--assignment', 'hw1'])).toMatchObject({ code: 2, err: expect.stringContaining('--assignment is not supported yet') });
    expect(await cli(['import', 'classroom', GREETER, '--out', out, '--week', '3'])).toMatchObject({ code: 2, err: expect.stringContaining('its first week must be 1') });
    expect((await cli(['import', 'classroom', GREETER, '--out', out, '--pack', 'h'])).code).toBe(0);
    await fs.writeFile(join(out, 'h', 'week-01.yaml'), 'week: 1\n# by hand\n');
    expect(await cli(['import', 'classroom', GREETER, '--out', out, '--pack', 'h'])).toMatchObject({ code: 2, err: expect.stringContaining('was not written by an import') });
  });
});

describe('a template with both files', () => {
  it('takes the tests from autograding.json when the workflow runs education/autograding', async () => {
    const repo = await tempDir('old-template');
    await writeTree(repo, {
      '.github/classroom/autograding.json': await read(join(GITHUB, 'education-autograding.json')),
      '.github/workflows/classroom.yml': 'name: GitHub Classroom Workflow\non: [push]\njobs:\n  build:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: actions/checkout@v4\n      - uses: education/autograding@v1\n',
    });
    const out = await tempDir('import-out');
    const result = await cli(['import', 'classroom', repo, '--out', out, '--pack', 'old']);
    expect(result.out).toContain('Imported 1 test(s), 5 points, from');
    expect(result.out).toContain('.github/workflows/classroom.yml and');
    expect((await loadPack(join(out, 'old'))).weeks.get(1)!.criteria[0]!.params).toMatchObject({ run: "echo 'Test 1'", output: 'Test 1', comparison: 'included', timeout: 120 });
  });
});

describe('malformed Classroom files: file, field and what is wrong; nothing written', () => {
  it('autograding.json', () => {
    expect(problemsOf(() => parseAutogradingJson('a.json', '{"tests": [ {"name": "x", }'))).toEqual([expect.objectContaining({ file: 'a.json', message: expect.stringContaining('is not valid JSON') })]);
    expect(problemsOf(() => parseAutogradingJson('a.json', '{"test": []}'))).toEqual([{ file: 'a.json', field: 'tests', message: expect.stringContaining('is missing') }]);
    expect(
      problemsOf(() => parseAutogradingJson('a.json', JSON.stringify({ tests: [{ name: 'a', run: 'x', comparison: 'equals', points: 'ten', timeout: -1 }, { name: 'b' }, 7] }))),
    ).toEqual([
      { file: 'a.json', field: 'tests[0].comparison', message: 'must be exact, included or regex, not "equals".' },
      { file: 'a.json', field: 'tests[0].timeout', message: 'must be a number of minutes (0 or more), not -1.' },
      { file: 'a.json', field: 'tests[0].points', message: 'must be a number of points (0 or more), not "ten".' },
      { file: 'a.json', field: 'tests[1].run', message: 'is missing.' },
      { file: 'a.json', field: 'tests[2]', message: 'must be an object with `name` and `run`.' },
    ].map((p) => expect.objectContaining(p)));
  });

  it('classroom.yml', () => {
    expect(problemsOf(() => parseClassroomWorkflow('c.yml', 'jobs:\n  a: [\n'))[0]).toMatchObject({ file: 'c.yml', message: expect.stringContaining('is not valid YAML') });
    expect(problemsOf(() => parseClassroomWorkflow('c.yml', 'name: x\n'))).toEqual([expect.objectContaining({ field: 'jobs' })]);
    const steps = [
      'jobs:',
      '  t:',
      '    steps:',
      '      - uses: classroom-resources/autograding-io-grader@v1',
      '        with:',
      '          test-name: a',
      '          command: ./a',
      '          comparison-method: same',
      '          max-score: lots',
    ].join('\n');
    expect(problemsOf(() => parseClassroomWorkflow('c.yml', steps))).toEqual([
      expect.objectContaining({ file: 'c.yml', line: 8, field: 'jobs.t.steps[0].with.comparison-method', message: 'must be exact, contains or regex, not "same".' }),
      expect.objectContaining({ file: 'c.yml', line: 6, field: 'jobs.t.steps[0].with.expected-output', message: 'is missing.' }),
      expect.objectContaining({ line: 9, field: 'jobs.t.steps[0].with.max-score', message: 'must be a number of points (0 or more), not "lots".' }),
    ]);
  });

  it('the CLI prints them and writes nothing', async () => {
    const repo = await tempDir('bad-template');
    await writeTree(repo, { '.github/classroom/autograding.json': '{"tests": [{"name": "a"}]}' });
    const out = await tempDir('import-out');
    const result = await cli(['import', 'classroom', repo, '--out', out]);
    expect(result.code).toBe(2);
    expect(result.err).toContain('nothing was imported');
    expect(result.err).toContain('.github/classroom/autograding.json: tests[0].run: is missing.');
    expect(await fs.readdir(out)).toEqual([]);
  });
});

describe('the workflow Classroom generated', () => {
  it('treats contains as included, keeps inputs as Actions hands them over (trimmed), and reads max-score', () => {
    const yml = [
      'name: Autograding Tests',
      "'on':",
      '- push',
      'jobs:',
      '  run-autograding-tests:',
      '    runs-on: ubuntu-latest',
      '    steps:',
      '    - uses: actions/checkout@v4',
      '    - uses: actions/setup-java@v4',
      '    - name: sum',
      '      id: sum',
      '      uses: classroom-resources/autograding-io-grader@v1',
      '      with:',
      '        test-name: sum',
      "        setup-command: ''",
      '        command: python3 sum.py',
      "        input: '2 3'",
      '        expected-output: |',
      '          5',
      '        comparison-method: contains',
      '        timeout: 2',
      '        max-score: 10',
      '    - name: io included',
      '      uses: classroom-resources/autograding-io-grader@v1',
      '      with: { test-name: b, command: x, expected-output: y, comparison-method: included, max-score: 1 }',
      '    - name: Autograding Reporter',
      '      uses: classroom-resources/autograding-grading-reporter@v1',
    ].join('\n');
    const wf = parseClassroomWorkflow('classroom.yml', yml);
    expect(wf.tests[0]).toMatchObject({ name: 'sum', run: 'python3 sum.py', input: '2 3', output: '5', comparison: 'included', timeoutMinutes: 2, points: 10 });
    expect(wf.tests[1]!.note).toContain('accepted `contains`, not `included`');
    expect(wf.otherSteps).toEqual(['actions/setup-java@v4']);
    // Imported with the io grader's own comparison: CRLF left as it is.
    expect(weekFromTests(wf.tests, { week: 1, title: 't', source: 'classroom.yml', limitSeconds: 120, repoFiles: [] }).yaml).toMatch(/lineEndings: as-is/);
  });

  it('finds the programs a command line runs', () => {
    expect(programsOf('javac *.java && java -cp . Hello | head -1; FOO=1 make test')).toEqual(['javac', 'java', 'head', 'make']);
  });
});
