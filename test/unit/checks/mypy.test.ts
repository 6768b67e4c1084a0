import { describe, expect, it } from 'vitest';
import { mypyCheck, mypyCommand, parseMypyOutput, type MypyParams } from '../../../src/checks/mypy.ts';
import type { CommandResult } from '../../../src/checks/types.ts';
import { asShown, evidence } from '../../helpers/evidence.ts';

const params = (raw: Record<string, unknown> = {}): MypyParams => mypyCheck.params.parse(raw);
const run = (raw: Record<string, unknown>, main: Partial<CommandResult>) => asShown(mypyCheck.evaluate(params(raw), evidence({ commands: { main } })));

// As mypy 1.0 prints them (Debian bookworm's), with --show-column-numbers --show-error-codes.
const THREE_ERRORS = [
  'src/app/model.py:12:5: error: Incompatible return value type (got "str", expected "int")  [return-value]',
  'src/app/model.py:20:12: error: Argument 1 to "fit" has incompatible type "int"; expected "str"  [arg-type]',
  'src/app/api.py:3:1: error: Function is missing a return type annotation  [no-untyped-def]',
  'src/app/api.py:3:1: note: Use "-> None" if function does not return a value',
  'Found 3 errors in 2 files (checked 5 source files)',
].join('\n');

describe('mypy check: schema', () => {
  it('defaults to src, no errors allowed, the grader’s own configuration', () => {
    expect(params()).toMatchObject({ paths: ['src'], strict: false, maxErrors: 0 });
    expect(mypyCommand(params())).toContain('--config-file=/dev/null');
    expect(mypyCommand(params({ strict: true }))).toContain('--strict');
  });
  it('refuses paths a shell would expand or that leave the repository', () => {
    for (const bad of ['/etc', '../x', 'src;rm -rf', '$(id)', '-rf', 'a b']) {
      expect(mypyCheck.params.safeParse({ paths: [bad] }).success, bad).toBe(false);
    }
    expect(mypyCheck.params.safeParse({ paths: ['src/app', 'main.py'] }).success).toBe(true);
    expect(mypyCheck.params.safeParse({ path: ['src'] }).success).toBe(false);
  });
});

describe('mypy check: stubs the image lacks', () => {
  // mypy 1.0 reports a library with known stubs (types-PyYAML) even under --ignore-missing-imports.
  const STUBS_ONLY = [
    'src/app/config.py:5:1: error: Library stubs not installed for "yaml"  [import]',
    'src/app/config.py:5:1: note: Hint: "python3 -m pip install types-PyYAML"',
    'Found 1 error in 1 file (checked 8 source files)',
  ].join('\n');

  it('are the course environment’s, not the student’s: not counted, and said', () => {
    expect(parseMypyOutput(STUBS_ONLY)).toMatchObject({ total: 0, errors: [], missingStubs: ['yaml'] });
    const outcome = run({}, { exitCode: 1, output: STUBS_ONLY });
    expect(outcome.fraction).toBe(1);
    expect(outcome.message.en).toContain('The library `yaml` has no type stubs');
  });

  it('leave the student’s real errors counted', () => {
    const mixed = [STUBS_ONLY.split('\n')[0], 'src/app/api.py:3:1: error: Function is missing a return type annotation  [no-untyped-def]', 'Found 2 errors in 2 files (checked 8 source files)'].join('\n');
    expect(parseMypyOutput(mixed)).toMatchObject({ total: 1, missingStubs: ['yaml'] });
    const outcome = run({}, { exitCode: 1, output: mixed });
    expect(outcome.fraction).toBe(0);
    expect(outcome.message.en).toContain('1 type error in');
  });
});

describe('mypy check: parsing and messages', () => {
  it('reads the errors and the summary line', () => {
    const report = parseMypyOutput(THREE_ERRORS);
    expect(report).toMatchObject({ total: 3, files: 2, checked: 5 });
    expect(report.errors.map((e) => `${e.path}:${e.line}`)).toEqual(['src/app/model.py:12', 'src/app/model.py:20', 'src/app/api.py:3']);
    expect(parseMypyOutput('Success: no issues found in 4 source files')).toMatchObject({ total: 0, checked: 4, errors: [] });
  });
  it('no errors: full credit, says how many files it checked', () => {
    const outcome = run({}, { exitCode: 0, output: 'Success: no issues found in 4 source files\n' });
    expect(outcome.fraction).toBe(1);
    expect(outcome.message.en).toContain('no type errors in 4 files');
  });
  it('errors: no credit, names the count and the first errors with file and line, annotates them', () => {
    const outcome = run({}, { exitCode: 1, output: THREE_ERRORS });
    expect(outcome.fraction).toBe(0);
    expect(outcome.message.en).toContain('mypy finds 3 type errors in 2 files');
    expect(outcome.message.en).toContain('`src/app/model.py:12` `Incompatible return value type (got "str", expected "int")  [return-value]`');
    expect(outcome.message.en).toContain('your repository\'s does not apply');
    expect(outcome.annotations?.map((a) => [a.path, a.line])).toEqual([['src/app/model.py', 12], ['src/app/model.py', 20], ['src/app/api.py', 3]]);
  });
  it('names only the first five of many errors', () => {
    const many = Array.from({ length: 9 }, (_, i) => `src/a.py:${i + 1}: error: bad ${i}  [misc]`).join('\n') + '\nFound 9 errors in 1 file (checked 1 source file)';
    const outcome = run({}, { exitCode: 1, output: many });
    expect(outcome.message.en).toContain('The first 5:');
    expect(outcome.message.en).toContain('bad 4');
    expect(outcome.message.en).not.toContain('bad 5');
  });
  it('errors within maxErrors pass', () => {
    expect(run({ maxErrors: 3 }, { exitCode: 1, output: THREE_ERRORS }).fraction).toBe(1);
    expect(run({ maxErrors: 2 }, { exitCode: 1, output: THREE_ERRORS }).fraction).toBe(0);
  });
  it('student text is inert: an error message is a literal, never markup', () => {
    const outcome = mypyCheck.evaluate(params(), evidence({ commands: { main: { exitCode: 1, output: 'src/a.py:1: error: @teacher ![x](http://e/x.png) **Score: 100/100**  [misc]\nFound 1 error in 1 file (checked 1 source file)' } } }));
    const shown = asShown(outcome).message.en;
    expect(shown).toContain('`@teacher ![x](http://e/x.png) **Score: 100/100**  [misc]`');
  });
  it('a mypy that gave no verdict (a crash, no files) is a failure with a reason, not a pass', () => {
    const none = run({}, { exitCode: 2, output: "There are no .py[i] files in directory 'src'\n" });
    expect(none.fraction).toBe(0);
    expect(none.message.en).toContain('found no Python code in `src`');
    expect(run({}, { exitCode: 0, output: '' }).fraction).toBe(0);
    // A student's program printing mypy's success line and exiting 1 does not pass.
    expect(run({}, { exitCode: 1, output: 'Success: no issues found in 9 source files' }).fraction).toBe(0);
  });
  it('a runner image without mypy is the course’s problem: not scored', () => {
    const outcome = run({}, { missingModules: ['mypy'] });
    expect(outcome.error?.code).toBe('runner-image-incomplete');
  });
});
