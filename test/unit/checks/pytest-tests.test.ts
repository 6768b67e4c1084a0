import { describe, expect, it } from 'vitest';
import { collectCommand, parseCollect, pytestTestsCheck, type PytestTestsParams } from '../../../src/checks/pytest-tests.ts';
import type { CommandResult } from '../../../src/checks/types.ts';
import { declaredDependencies } from '../../../src/grading/dependencies.ts';
import type { ImportContext } from '../../../src/grading/imports.ts';
import { evidence, asShown } from '../../helpers/evidence.ts';

const RUN = 'python3 -m pytest --collect-only -q -p no:cacheprovider tests';
/** What a student runs locally: the grader's cache option left out. */
const LOCAL = 'python3 -m pytest --collect-only -q tests';

function params(raw: Record<string, unknown>): PytestTestsParams {
  return pytestTestsCheck.params.parse(raw);
}

function grade(raw: Record<string, unknown>, result: Partial<CommandResult>) {
  return asShown(pytestTestsCheck.evaluate(params(raw), evidence({ commands: { collect: result } })));
}

/** `-q` output for these test ids, as pytest 7 prints it. */
function collected(ids: string[]): string {
  return `${ids.join('\n')}\n\n${ids.length} tests collected in 0.12s\n`;
}

function tests(file: string, n: number): string[] {
  return Array.from({ length: n }, (_, i) => `${file}::test_${i}`);
}

const TRAINING = { files: [{ glob: 'tests/**/test_training*.py', min: 5 }] };

// Captured from rubrica/runner-mlops:1 (pytest 7.2.1): two files that import, two that do not.
const WITH_ERRORS = `tests/test_x.py::test_a
tests/sub/test_training_y.py::TestA::test_b[1]
tests/sub/test_training_y.py::TestA::test_b[a b]
tests/sub/test_training_y.py::TestA::test_b[::]

==================================== ERRORS ====================================
____________________ ERROR collecting tests/test_broken.py _____________________
ImportError while importing test module '/work/repo/tests/test_broken.py'.
Hint: make sure your test modules/packages have valid Python names.
Traceback:
/usr/lib/python3.11/importlib/__init__.py:126: in import_module
    return _bootstrap._gcd_import(name[level:], package, level)
tests/test_broken.py:1: in <module>
    import nonexistent_mod
E   ModuleNotFoundError: No module named 'nonexistent_mod'
____________________ ERROR collecting tests/test_training_syntax.py _____________________
/usr/lib/python3/dist-packages/_pytest/python.py:618: in _importtestmodule
    mod = import_path(self.path, mode=importmode, root=self.config.rootpath)
/usr/lib/python3.11/ast.py:50: in parse
    return compile(source, filename, mode, flags,
E     File "/work/repo/tests/test_training_syntax.py", line 1
E       def test_d(:
E                  ^
E   SyntaxError: invalid syntax
=========================== short test summary info ============================
ERROR tests/test_broken.py
ERROR tests/test_training_syntax.py
!!!!!!!!!!!!!!!!!!! Interrupted: 2 errors during collection !!!!!!!!!!!!!!!!!!!!
4 tests collected, 2 errors in 0.15s
`;

const WITH_WARNINGS = `/usr/lib/python3/dist-packages/coverage/inorout.py:519: CoverageWarning: Module src was never imported.
tests/test_x.py::test_a
WARNING: Failed to generate report: No data to report.


=============================== warnings summary ===============================
tests/test_x.py:2
  /work/repo/tests/test_x.py:2: UserWarning: careful
tests/test_x.py::test_b
  /work/repo/tests/test_x.py:9: UserWarning: at call

-- Docs: https://docs.pytest.org/en/stable/how-to/capture-warnings.html
1 test collected in 0.01s
`;

describe('pytest-tests params', () => {
  it('fills defaults', () => {
    expect(params(TRAINING)).toEqual({ ...TRAINING, args: 'tests', requires: ['pytest'], timeout: 120, partial: true });
  });

  it.each([
    ['no files', {}],
    ['an empty files list', { files: [] }],
    ['a minimum of 0', { files: [{ glob: 'tests/*.py', min: 0 }] }],
    ['a fractional minimum', { files: [{ glob: 'tests/*.py', min: 2.5 }] }],
    ['an entry without glob', { files: [{ min: 2 }] }],
    ['an empty glob', { files: [{ glob: '', min: 2 }] }],
    ['a misspelt key', { ...TRAINING, arg: '.' }],
    ['a misspelt key in an entry', { files: [{ glob: 'x', min: 1, minimum: 3 }] }],
    ['empty args', { ...TRAINING, args: '' }],
    ['a package name instead of a module', { ...TRAINING, requires: ['pytest-cov'] }],
    ['a timeout over 30 minutes', { ...TRAINING, timeout: 4000 }],
  ])('refuses %s', (_name, raw) => {
    expect(pytestTestsCheck.params.safeParse(raw).success).toBe(false);
  });
});

describe('pytest-tests requirements', () => {
  it('runs collect-only on the given paths', () => {
    expect(pytestTestsCheck.requirements(params(TRAINING))).toEqual({
      commands: { collect: { run: RUN, timeoutSeconds: 120, requires: ['pytest'] } },
      testFiles: ['tests/**/test_training*.py'],
    });
    expect(pytestTestsCheck.requirements(params({ ...TRAINING, args: '.', timeout: 60 })).commands?.collect).toEqual({
      run: 'python3 -m pytest --collect-only -q -p no:cacheprovider .',
      timeoutSeconds: 60,
      requires: ['pytest'],
    });
    expect(collectCommand('tests src')).toBe('python3 -m pytest --collect-only -q -p no:cacheprovider tests src');
  });
});

describe('parseCollect', () => {
  it('reads ids, counting each parameter, and the files that failed to import', () => {
    const parsed = parseCollect(WITH_ERRORS);
    expect(parsed.ids).toEqual([
      'tests/test_x.py::test_a',
      'tests/sub/test_training_y.py::TestA::test_b[1]',
      'tests/sub/test_training_y.py::TestA::test_b[a b]',
      'tests/sub/test_training_y.py::TestA::test_b[::]',
    ]);
    expect(parsed.errors).toEqual([
      { file: 'tests/test_broken.py', reason: "ModuleNotFoundError: No module named 'nonexistent_mod'" },
      { file: 'tests/test_training_syntax.py', reason: 'SyntaxError: invalid syntax' },
    ]);
  });

  it('ignores summaries, noise before the ids and ids named again by the warnings summary', () => {
    const parsed = parseCollect(WITH_WARNINGS);
    expect(parsed.ids).toEqual(['tests/test_x.py::test_a']);
    expect(parsed.errors).toEqual([]);
    expect(parseCollect('\nno tests collected in 0.00s\n').ids).toEqual([]);
  });

  it('reads pytest 8’s short summary with reasons', () => {
    const parsed = parseCollect(
      "tests/test_a.py::test_a\n\n=========================== short test summary info ============================\nERROR tests/test_b.py - ModuleNotFoundError: No module named 'pandas'\n!!!!!!!!!!!!!!!!!!! Interrupted: 1 error during collection !!!!!!!!!!!!!!!!!!!!\n",
    );
    expect(parsed.errors).toEqual([{ file: 'tests/test_b.py', reason: "ModuleNotFoundError: No module named 'pandas'" }]);
  });
});

describe('pytest-tests evaluate', () => {
  it('passes with enough tests in matching files, at any depth', () => {
    const outcome = grade(TRAINING, {
      output: collected([...tests('tests/test_training.py', 3), ...tests('tests/unit/test_training_model.py', 2), ...tests('tests/test_api.py', 9)]),
    });
    expect(outcome.fraction).toBe(1);
    expect(outcome.error).toBeUndefined();
    expect(outcome.items).toEqual([
      { label: { es: 'tests en `tests/**/test_training*.py` (mínimo 5)', en: 'tests in `tests/**/test_training*.py` (at least 5)' }, ok: true, note: { es: '5 de 5 tests', en: '5 of 5 tests' } },
    ]);
    // The tests of the files the criterion is about (5), not every test pytest collected (14).
    expect(outcome.message.es).toContain('`tests/**/test_training*.py` tiene 5 tests (mínimo 5)');
    expect(outcome.message.en).toContain('`tests/**/test_training*.py` has 5 tests (at least 5)');
    expect(outcome.message.es).not.toContain('14');
    expect(outcome.details).toMatch(/^\$ python3 -m pytest --collect-only/);
  });

  it('counts test files of a project kept in a subfolder', () => {
    const outcome = grade({ ...TRAINING, args: '.' }, { output: collected(tests('proyecto/tests/test_training.py', 5)) });
    expect(outcome.fraction).toBe(1);
  });

  it('gives partial credit in proportion to the tests found', () => {
    const outcome = grade(TRAINING, { output: collected([...tests('tests/test_training.py', 3), ...tests('tests/test_other.py', 8)]) });
    expect(outcome.fraction).toBeCloseTo(0.6);
    expect(outcome.items![0]).toMatchObject({ ok: false, note: { es: '3 de 5 tests', en: '3 of 5 tests' } });
    expect(outcome.message.es).toContain('`tests/**/test_training*.py` tiene 3 de 5');
    expect(outcome.message.en).toContain(`Run \`${LOCAL}\` on your machine`);
  });

  it('gives nothing short of every minimum when not partial', () => {
    expect(grade({ ...TRAINING, partial: false }, { output: collected(tests('tests/test_training.py', 4)) }).fraction).toBe(0);
    expect(grade({ ...TRAINING, partial: false }, { output: collected(tests('tests/test_training.py', 5)) }).fraction).toBe(1);
  });

  it('averages several entries, capping each at its minimum', () => {
    const raw = {
      files: [
        { glob: 'tests/test_data*.py', min: 2, label: { es: 'tests de datos', en: 'data tests' } },
        { glob: 'tests/test_model*.py', min: 4 },
      ],
    };
    const outcome = grade(raw, { output: collected([...tests('tests/test_data.py', 10), ...tests('tests/test_model.py', 1)]) });
    expect(outcome.fraction).toBeCloseTo((1 + 0.25) / 2);
    expect(outcome.items!.map((i) => [i.label.en, i.ok])).toEqual([
      ['data tests', true],
      ['tests in `tests/test_model*.py` (at least 4)', false],
    ]);
  });

  it('treats exit code 5 as no tests, and says how tests must be named', () => {
    const outcome = grade(TRAINING, { exitCode: 5, output: '\nno tests collected in 0.00s\n' });
    expect(outcome.fraction).toBe(0);
    expect(outcome.error).toBeUndefined();
    expect(outcome.items![0]!.note?.en).toBe('0 of 5 tests');
    expect(outcome.message.es).toMatch(/no encontró ningún test en `tests`.*test_\*\.py/);
    expect(outcome.message.es).toContain(LOCAL);
  });

  it('names files that failed to import and still counts what was collected', () => {
    const outcome = grade({ files: [{ glob: 'tests/**/test_training*.py', min: 4 }] }, { exitCode: 2, output: WITH_ERRORS });
    expect(outcome.fraction).toBeCloseTo(3 / 4);
    expect(outcome.items![0]!.note?.es).toBe('3 de 4 tests; no se pudo importar: `tests/test_training_syntax.py`');
    expect(outcome.message.es).toContain('2 archivos de test no se pudieron importar');
    expect(outcome.message.es).toContain("`tests/test_broken.py` (`ModuleNotFoundError: No module named 'nonexistent_mod'`)");
    expect(outcome.message.en).toContain('`tests/test_training_syntax.py` (`SyntaxError: invalid syntax`)');
    expect(outcome.message.en).toMatch(/course image may lack it/);
    expect(outcome.message.es).toContain(`Corre \`${LOCAL}\` en tu máquina`);
  });

  it('explains a conftest.py that does not import', () => {
    const outcome = grade(TRAINING, {
      exitCode: 4,
      output: "ImportError while loading conftest '/work/repo/tests/conftest.py'.\ntests/conftest.py:1: in <module>\n    import nope\nE   ModuleNotFoundError: No module named 'nope'\n",
    });
    expect(outcome.fraction).toBe(0);
    expect(outcome.message.es).toContain("No se pudo importar `tests/conftest.py` (`ModuleNotFoundError: No module named 'nope'`)");
    expect(outcome.message.es).not.toMatch(/no encontró ningún test/);
  });

  it('says the test folder does not exist', () => {
    const outcome = grade(TRAINING, { exitCode: 4, output: 'ERROR: file or directory not found: tests\n\n\nno tests collected in 0.00s\n' });
    expect(outcome.fraction).toBe(0);
    expect(outcome.message.es).toContain('No existe `tests` en tu repositorio');
  });

  it('points at addopts when pytest refuses its options', () => {
    const outcome = grade(TRAINING, {
      exitCode: 4,
      output: 'ERROR: usage: __main__.py [options] [file_or_dir] [file_or_dir] [...]\n__main__.py: error: unrecognized arguments: --nonexistent-opt\n  inifile: /work/repo/pytest.ini\n',
    });
    expect(outcome.message.en).toContain('unrecognized arguments: --nonexistent-opt');
    expect(outcome.message.en).toContain('addopts');
  });

  it('explains a timeout while collecting', () => {
    const outcome = grade({ ...TRAINING, timeout: 30 }, { exitCode: null, timedOut: true, durationMs: 30_400, output: '' });
    expect(outcome.fraction).toBe(0);
    expect(outcome.message.es).toContain('se detuvo a los 30 s');
    expect(outcome.message.es).toMatch(/fuera de una función test_/);
    expect(outcome.message.en).toMatch(/stopped at 30 s while collecting/);
  });

  it('says the memory limit killed it', () => {
    const outcome = grade(TRAINING, { exitCode: 137, killed: true, output: '' });
    expect(outcome.fraction).toBe(0);
    expect(outcome.message.en).toMatch(/memory limit/);
  });

  it('reports a runner image without pytest as an error', () => {
    const outcome = grade(TRAINING, { exitCode: null, missingModules: ['pytest'] });
    expect(outcome.fraction).toBe(0);
    expect(outcome.error?.code).toBe('runner-image-incomplete');
    expect(outcome.error?.message.es).toContain('no tiene el módulo pytest; avisa a tu docente');
  });

  it('notes a cut output and that counts may fall short', () => {
    const outcome = grade(TRAINING, {
      output: `${tests('tests/test_training.py', 3).join('\n')}\n\n[... 900000 bytes cut ...]\n\n${tests('tests/test_training.py', 9).slice(7).join('\n')}\n5000 tests collected in 3s\n`,
      outputBytes: 2 * 1024 * 1024,
      outputTruncated: true,
    });
    expect(outcome.items![0]!.note?.en).toBe('5 of 5 tests');
    expect(outcome.message.es).toContain('2,0 MB');
    expect(outcome.message.en).toMatch(/was cut.*counts may fall short/);
  });
});

describe('pytest-tests against the static count', () => {
  function counted(ids: string[], testCounts: Record<string, number | null>, raw: Record<string, unknown> = TRAINING) {
    return pytestTestsCheck.evaluate(params(raw), evidence({ commands: { collect: { output: collected(ids) } }, testCounts }));
  }

  it('caps each file at the test functions its source defines, and says so', () => {
    const ids = [...tests('tests/test_training.py', 3), ...Array.from({ length: 9 }, (_, i) => `tests/test_training.py::test_0[invented${i}]`)];
    const outcome = counted(ids, { 'tests/test_training.py': 3 });
    expect(outcome.fraction).toBeCloseTo(0.6, 5);
    expect(outcome.items![0]!.note?.en).toBe('3 of 5 tests; pytest reported 12, but the files define fewer test_ functions');
    expect(outcome.message.en).toContain('Measured: the tests pytest collects, each file up to the test_ functions its source defines');
    expect(outcome.message.es).toContain('Medido:');
  });

  it('counts nothing of a file the snapshot does not have or Python cannot parse', () => {
    expect(counted(tests('tests/test_training_ghost.py', 5), { 'tests/test_training.py': 5 }).fraction).toBe(0);
    expect(counted(tests('tests/test_training.py', 5), { 'tests/test_training.py': null }).fraction).toBe(0);
  });

  it('keeps pytest’s figure when the source defines as many, also for a project in a subfolder or parametrized beyond counting', () => {
    expect(counted(tests('tests/test_training.py', 5), { 'proj/tests/test_training.py': 7 }).fraction).toBe(1);
    expect(counted(tests('tests/test_training.py', 6), { 'tests/test_training.py': Infinity }).items![0]!.note?.en).toBe('6 of 5 tests');
  });
});

describe('a test file that imports a library the runner image lacks', () => {
  const OUTPUT = `tests/test_config.py::test_a
tests/test_config.py::test_b

==================================== ERRORS ====================================
____________________ ERROR collecting tests/test_training.py _____________________
tests/test_training.py:1: in <module>
    import pandera
E   ModuleNotFoundError: No module named 'pandera'
=========================== short test summary info ============================
ERROR tests/test_training.py
!!!!!!!!!!!!!!!!!!! Interrupted: 1 error during collection !!!!!!!!!!!!!!!!!!!!
2 tests collected, 1 error in 0.15s
`;
  const testCounts = { 'tests/test_config.py': 2, 'tests/test_training.py': 6 };
  const declaredIn = (text: string) => ({ declared: declaredDependencies([{ path: 'requirements.txt', text }]), local: new Set(['mlproject', 'tests']) });
  const judge = (dependencies: ImportContext, output = OUTPUT, counts: Record<string, number | null> = testCounts) =>
    asShown(pytestTestsCheck.evaluate(params(TRAINING), { ...evidence({ commands: { collect: { exitCode: 2, output } }, testCounts: counts }), dependencies }));

  it('declared: counts the file from its source and says the environment lacks the module', () => {
    const outcome = judge(declaredIn('pandera>=0.18\n'));
    expect(outcome.fraction).toBe(1);
    expect(outcome.items![0]!.note!.en).toBe("6 of 5 tests; 6 counted from the source, not run (the course's image lacks what they import)");
    expect(outcome.message.en).toContain("The course's image lacks the module `pandera`, which you declare in `requirements.txt`");
    expect(outcome.message.en).toContain('counted from their source (test_ functions), without running them: 6.');
    expect(outcome.message.en).not.toContain('could not be imported');
  });

  it('declared, but the source defines too few: judged short from what it defines', () => {
    const outcome = judge(declaredIn('pandera\n'), OUTPUT, { ...testCounts, 'tests/test_training.py': 2 });
    expect(outcome.fraction).toBeCloseTo(2 / 5);
  });

  it('not declared: the file does not count and the student is told what to declare', () => {
    const outcome = judge(declaredIn('pandas\n'));
    expect(outcome.fraction).toBe(0);
    expect(outcome.message.en).toContain('`tests/test_training.py` imports `pandera`, which your requirements do not list.');
    expect(outcome.message.en).toContain('could not be imported and their tests do not count');
  });

  it("the student's own module: an import path to fix, whatever they declared", () => {
    const own = OUTPUT.replaceAll('pandera', 'mlproject');
    const outcome = judge(declaredIn('mlproject\n'), own);
    expect(outcome.fraction).toBe(0);
    expect(outcome.message.en).toContain('The missing module is part of your code: check the import path');
    expect(outcome.message.en).not.toContain('requirements do not list');
  });

  it('a conftest that imports a declared module the image lacks: every test file is counted from its source', () => {
    const output = `ImportError while loading conftest '/work/repo/tests/conftest.py'.
tests/conftest.py:1: in <module>
    import pandera
E   ModuleNotFoundError: No module named 'pandera'
`;
    const outcome = judge(declaredIn('pandera\n'), output);
    expect(outcome.fraction).toBe(1);
    expect(outcome.message.en).toContain('imports what the course\'s image lacks: the test_ functions of your files were counted');
  });
});
