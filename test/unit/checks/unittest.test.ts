import { describe, expect, it } from 'vitest';
import { parseUnittestOutput, unittestCheck, unittestCommand, type UnittestParams } from '../../../src/checks/unittest.ts';
import type { CommandResult } from '../../../src/checks/types.ts';
import { asShown, evidence } from '../../helpers/evidence.ts';

const params = (raw: Record<string, unknown> = {}): UnittestParams => unittestCheck.params.parse(raw);
const run = (raw: Record<string, unknown>, main: Partial<CommandResult>) => asShown(unittestCheck.evaluate(params(raw), evidence({ commands: { main } })));

// Python 3.11's unittest, verbose.
const ONE_FAILS = [
  'test_limpia (tests.test_pre.TestPre.test_limpia) ... ok',
  'test_escala (tests.test_pre.TestPre.test_escala) ... FAIL',
  'test_nulos (tests.test_pre.TestPre.test_nulos) ... ERROR',
  '',
  '======================================================================',
  'ERROR: test_nulos (tests.test_pre.TestPre.test_nulos)',
  '----------------------------------------------------------------------',
  'Traceback (most recent call last):',
  'NameError: name "x" is not defined',
  '',
  '======================================================================',
  'FAIL: test_escala (tests.test_pre.TestPre.test_escala)',
  '----------------------------------------------------------------------',
  'AssertionError: 1 != 2',
  '',
  '----------------------------------------------------------------------',
  'Ran 3 tests in 0.002s',
  '',
  'FAILED (failures=1, errors=1)',
].join('\n');

describe('unittest check', () => {
  it('discovers from the repository root, so `from src.x import y` works', () => {
    expect(unittestCommand(params())).toBe("python3 -m unittest discover -v -t . -s 'tests' -p 'test*.py'");
    expect(unittestCheck.params.safeParse({ start: '../x' }).success).toBe(false);
    expect(unittestCheck.params.safeParse({ pattern: "*.py'; id; '" }).success).toBe(false);
  });
  it('counts tests run, failed and in error, and names the failing ones', () => {
    expect(parseUnittestOutput(ONE_FAILS)).toMatchObject({ ran: 3, failures: 1, errors: 1, verdict: 'failed' });
    const outcome = run({}, { exitCode: 1, output: ONE_FAILS });
    expect(outcome.fraction).toBe(0);
    expect(outcome.message.en).toContain('Ran 3 tests: 1 pass, 1 fail, 1 error.');
    expect(outcome.message.en).toContain('ERROR `test_nulos (tests.test_pre.TestPre.test_nulos)`; FAIL `test_escala (tests.test_pre.TestPre.test_escala)`');
    expect(outcome.items?.map((i) => i.ok)).toEqual([true, false]);
  });
  it('all pass: full credit', () => {
    const outcome = run({}, { exitCode: 0, output: 'test_a (t.T.test_a) ... ok\n\n---\nRan 2 tests in 0.001s\n\nOK (skipped=1)\n' });
    expect(outcome.fraction).toBe(1);
    expect(outcome.message.en).toBe('Ran 2 tests: 1 pass, 0 fail, 0 error, 1 skipped.');
  });
  it('no tests found is not a pass, even though Python 3.11 says OK', () => {
    const outcome = run({}, { exitCode: 0, output: '\n----------------------------------------------------------------------\nRan 0 tests in 0.000s\n\nOK\n' });
    expect(outcome.fraction).toBe(0);
    expect(outcome.message.en).toContain('unittest.TestCase');
    expect(run({ minTests: 3 }, { exitCode: 0, output: 'Ran 2 tests in 0.001s\n\nOK\n' }).fraction).toBe(0);
  });
  it('a missing tests folder says what to create', () => {
    const outcome = run({}, { exitCode: 1, output: "ImportError: Start directory is not importable: '/work/repo/tests'\n" });
    expect(outcome.fraction).toBe(0);
    expect(outcome.message.en).toContain('There is no `tests` folder of tests');
  });
  it('a summary line printed by the student’s code does not beat the exit code', () => {
    expect(run({}, { exitCode: 1, output: 'Ran 5 tests in 0.1s\n\nOK\n' }).fraction).toBe(0);
  });
  it('a timeout says so', () => {
    const outcome = run({ timeout: 30 }, { exitCode: null, timedOut: true, durationMs: 30_000 });
    expect(outcome.fraction).toBe(0);
    expect(outcome.message.en).toContain('time limit');
  });
});
