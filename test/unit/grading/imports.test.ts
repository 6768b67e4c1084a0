import { describe, expect, it } from 'vitest';
import { declaredDependencies } from '../../../src/grading/dependencies.ts';
import { classifyImports, continuedRun, distinctModules, failedTests, importFailures, localModules, notGradableHere, undeclaredMessage } from '../../../src/grading/imports.ts';
import { plain } from '../../../src/core/text.ts';

const COLLECT = `tests/test_training.py::test_fit
tests/test_training.py::test_predict

==================================== ERRORS ====================================
__________________ ERROR collecting tests/test_schema.py ___________________
ImportError while importing test module '/work/repo/proj/tests/test_schema.py'.
Hint: make sure your test modules/packages have valid Python names.
Traceback:
/usr/lib/python3.11/importlib/__init__.py:126: in import_module
    return _bootstrap._gcd_import(name[level:], package, level)
tests/test_schema.py:1: in <module>
    import pandera.pandas as pa
E   ModuleNotFoundError: No module named 'pandera'
__________________ ERROR collecting tests/test_synth.py ___________________
tests/test_synth.py:2: in <module>
    from ctgan import CTGAN
E   ModuleNotFoundError: No module named 'ctgan'
__________________ ERROR collecting tests/test_own.py ___________________
tests/test_own.py:1: in <module>
    from mlproject.data import load
E   ModuleNotFoundError: No module named 'mlproject'
=========================== short test summary info ============================
ERROR tests/test_schema.py
ERROR tests/test_synth.py
ERROR tests/test_own.py
!!!!!!!!!!!!!!!!!!! Interrupted: 3 errors during collection !!!!!!!!!!!!!!!!!!!!
`;

describe('importFailures', () => {
  it('reads each failed import of a pytest run with the test file that made it', () => {
    expect(importFailures(COLLECT)).toEqual([
      { module: 'pandera', file: 'tests/test_schema.py' },
      { module: 'ctgan', file: 'tests/test_synth.py' },
      { module: 'mlproject', file: 'tests/test_own.py' },
    ]);
  });

  it('reads a plain traceback, naming the student\'s last frame, not the library\'s', () => {
    const output = `Traceback (most recent call last):
  File "/work/repo/proj/main.py", line 3, in <module>
    from mlproject.train import run
  File "/work/repo/proj/src/mlproject/train.py", line 1, in <module>
    import sklearn.ensemble
  File "/usr/lib/python3/dist-packages/sklearn/__init__.py", line 9, in <module>
    import lightgbm
ModuleNotFoundError: No module named 'lightgbm.sklearn'
`;
    expect(importFailures(output)).toEqual([{ module: 'lightgbm', file: 'proj/src/mlproject/train.py' }]);
  });

  it('reads a conftest that fails to import', () => {
    const output = `ImportError while loading conftest '/work/repo/tests/conftest.py'.
tests/conftest.py:1: in <module>
    import pandera
E   ModuleNotFoundError: No module named 'pandera'
`;
    expect(importFailures(output)).toEqual([{ module: 'pandera', file: 'tests/conftest.py' }]);
  });

  it('finds nothing in an output without a failed import', () => {
    expect(importFailures('3 passed in 0.1s\nImportError: cannot import name x')).toEqual([]);
  });
});

describe('classifyImports', () => {
  const declared = declaredDependencies([{ path: 'proj/requirements.txt', text: 'pandera>=0.18\nscikit-learn\n' }]);
  const local = localModules([
    { path: 'src', type: 'dir', size: 0 },
    { path: 'src/mlproject', type: 'dir', size: 0 },
    { path: 'src/mlproject/__init__.py', type: 'file', size: 0 },
    { path: 'helpers.py', type: 'file', size: 0 },
  ]);

  it('tells a declared module (the environment\'s), an undeclared one (the student\'s) and the student\'s own code apart', () => {
    const verdicts = classifyImports(importFailures(COLLECT), { declared, local });
    expect(verdicts.declared).toEqual([{ module: 'pandera', file: 'tests/test_schema.py', distribution: 'pandera', declaredIn: 'proj/requirements.txt' }]);
    expect(verdicts.undeclared).toEqual([{ module: 'ctgan', file: 'tests/test_synth.py' }]);
  });

  it('maps an import name to its distribution', () => {
    const verdicts = classifyImports([{ module: 'sklearn' }, { module: 'helpers' }], { declared, local });
    expect(verdicts.declared.map((d) => d.distribution)).toEqual(['scikit-learn']);
    expect(verdicts.undeclared).toEqual([]);
  });
});

describe('messages', () => {
  it('tells the student exactly which file imports what their requirements do not list', () => {
    const text = undeclaredMessage([{ module: 'pandera', file: 'tests/test_x.py' }])!;
    expect(plain(text.en)).toMatch(/^`tests\/test_x\.py` imports `pandera`, which your requirements do not list\./);
    expect(undeclaredMessage([])).toBeNull();
  });

  it('makes a criterion not gradable, naming the modules and where they are declared', () => {
    const outcome = notGradableHere(
      [
        { module: 'pandera', distribution: 'pandera', declaredIn: 'requirements.txt' },
        { module: 'ctgan', distribution: 'ctgan', declaredIn: 'pyproject.toml' },
      ],
      'output',
    );
    expect(outcome.error?.code).toBe('environment-lacks-declared');
    expect(plain(outcome.error!.message.en)).toContain('lacks the modules `ctgan`, `pandera`, which you declare in `pyproject.toml`, `requirements.txt`');
    expect(plain(outcome.error!.message.en)).toContain('not gradable in this environment and does not count against you');
    expect(outcome.details).toBe('output');
  });

  it('lists each missing module once', () => {
    const m = { module: 'pandera', distribution: 'pandera', declaredIn: 'a/requirements.txt' };
    expect(distinctModules([m, { ...m, declaredIn: 'b/requirements.txt' }])).toEqual([m]);
  });
});

describe('continuedRun', () => {
  const interrupted = (files: string[], module = 'pandera') =>
    [
      '==================================== ERRORS ====================================',
      ...files.flatMap((f) => [`__________________ ERROR collecting ${f} ___________________`, `${f}:1: in <module>`, `    import ${module}`, `E   ModuleNotFoundError: No module named '${module}'`]),
      '=========================== short test summary info ============================',
      ...files.map((f) => `ERROR ${f}`),
      `!!!!!!!!!!!!!!!!!!! Interrupted: ${files.length} error${files.length > 1 ? 's' : ''} during collection !!!!!!!!!!!!!!!!!!!!`,
      `${files.length} error in 0.40s`,
    ].join('\n');
  const context = { declared: declaredDependencies([{ path: 'requirements.txt', text: 'pandera\n' }]), local: new Set(['mlproject']) };
  const result = (output: string, exitCode = 2) => ({ exitCode, timedOut: false, killed: false, durationMs: 1, output, outputBytes: output.length, outputTruncated: false, reports: {}, missingModules: [] });

  it('runs a pytest run again past the files that cannot import a declared module', () => {
    expect(continuedRun('python3 -m pytest -q tests', result(interrupted(['tests/test_a.py', 'tests/test_b.py'])), context)).toEqual({
      run: 'python3 -m pytest --continue-on-collection-errors -q tests',
      files: ['tests/test_a.py', 'tests/test_b.py'],
    });
  });

  it('leaves alone an undeclared module, the student\'s own, a collect-only run, a finished run and what is not pytest', () => {
    expect(continuedRun('python3 -m pytest -q', result(interrupted(['tests/test_a.py'], 'ctgan')), context)).toBeNull();
    expect(continuedRun('python3 -m pytest -q', result(interrupted(['tests/test_a.py'], 'mlproject')), context)).toBeNull();
    expect(continuedRun('python3 -m pytest --collect-only -q', result(interrupted(['tests/test_a.py'])), context)).toBeNull();
    expect(continuedRun('python3 -m pytest -q', result(interrupted(['tests/test_a.py']), 1), context)).toBeNull();
    expect(continuedRun('python3 main.py', result(interrupted(['tests/test_a.py'])), context)).toBeNull();
  });

  it('leaves alone a run where another file is broken by the student', () => {
    const mixed = interrupted(['tests/test_a.py']).replace('ERROR tests/test_a.py', 'ERROR tests/test_a.py\nERROR tests/test_c.py') +
      '\n__________________ ERROR collecting tests/test_c.py ___________________\nE   SyntaxError: invalid syntax\n';
    expect(continuedRun('pytest -q', result(mixed), context)).toBeNull();
  });

  it('reads the failed tests of the summary line', () => {
    expect(failedTests('...\n2 failed, 18 passed, 1 error in 3.21s\n')).toBe(2);
    expect(failedTests('==== 18 passed, 1 error in 3.21s ====')).toBe(0);
    expect(failedTests('no summary')).toBe(0);
  });
});
