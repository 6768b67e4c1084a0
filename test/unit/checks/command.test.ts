import { describe, expect, it } from 'vitest';
import { commandCheck, localCommand, resolvePath, type CommandParams } from '../../../src/checks/command.ts';
import type { CommandResult } from '../../../src/checks/types.ts';
import { declaredDependencies } from '../../../src/grading/dependencies.ts';
import { evidence, asShown } from '../../helpers/evidence.ts';

const COVERAGE_RUN = 'python3 -m pytest -q -p no:cacheprovider --cov=src --cov-report=json:/work/out/coverage.json';
const COVERAGE_METRIC = {
  label: { es: 'cobertura', en: 'coverage' },
  report: '/work/out/coverage.json',
  path: 'totals.percent_covered',
  min: 70,
  unit: '%',
};

function params(raw: Record<string, unknown>): CommandParams {
  return commandCheck.params.parse(raw);
}

function run(raw: Record<string, unknown>, result: Partial<CommandResult>) {
  return asShown(commandCheck.evaluate(params(raw), evidence({ commands: { main: result } })));
}

function coverage(percent: unknown): string {
  return JSON.stringify({ meta: { version: '7.4' }, totals: { covered_lines: 10, percent_covered: percent } });
}

describe('command params', () => {
  it('fills defaults', () => {
    expect(params({ run: 'make test' })).toEqual({
      run: 'make test',
      timeout: 120,
      requires: [],
      expect: { exitCode: 0, output: [] },
      partial: false,
    });
    expect(params({ run: 'x', expect: { output: [{ regex: 'ok' }] } }).expect).toEqual({
      exitCode: 0,
      output: [{ regex: 'ok', absent: false }],
    });
    expect(params({ run: 'x', expect: { exitCode: null } }).expect.exitCode).toBeNull();
    expect(params({ run: 'x', metric: COVERAGE_METRIC }).metric).toEqual(COVERAGE_METRIC);
    expect(params({ run: 'x', metric: { ...COVERAGE_METRIC, unit: undefined } }).metric?.unit).toBe('');
  });

  it.each([
    ['no run', {}],
    ['an empty run', { run: '' }],
    ['a misspelt key', { run: 'x', timeot: 10 }],
    ['a zero timeout', { run: 'x', timeout: 0 }],
    ['a timeout over 30 minutes', { run: 'x', timeout: 1801 }],
    ['a fractional timeout', { run: 'x', timeout: 1.5 }],
    ['a package name instead of a module', { run: 'x', requires: ['scikit-learn'] }],
    ['a regex that does not compile', { run: 'x', expect: { output: [{ regex: '(' }] } }],
    ['a misspelt key in expect', { run: 'x', expect: { exitcode: 0 } }],
    ['a report outside /work/out', { run: 'x', metric: { ...COVERAGE_METRIC, report: '/tmp/coverage.json' } }],
    ['a report escaping /work/out', { run: 'x', metric: { ...COVERAGE_METRIC, report: '/work/out/../repo/c.json' } }],
    ['a report in a look-alike folder', { run: 'x', metric: { ...COVERAGE_METRIC, report: '/work/outside/c.json' } }],
    ['a relative report', { run: 'x', metric: { ...COVERAGE_METRIC, report: 'coverage.json' } }],
    ['the report folder itself', { run: 'x', metric: { ...COVERAGE_METRIC, report: '/work/out/' } }],
    ['a metric path with an empty part', { run: 'x', metric: { ...COVERAGE_METRIC, path: 'totals..percent' } }],
    ['a metric without a minimum', { run: 'x', metric: { ...COVERAGE_METRIC, min: undefined } }],
    ['a metric label in one language', { run: 'x', metric: { ...COVERAGE_METRIC, label: { es: 'cobertura' } } }],
  ])('refuses %s', (_name, raw) => {
    expect(commandCheck.params.safeParse(raw).success).toBe(false);
  });
});

describe('command requirements', () => {
  it('asks for one command, with the report when there is a metric', () => {
    expect(commandCheck.requirements(params({ run: COVERAGE_RUN, timeout: 300, requires: ['pytest_cov'], metric: COVERAGE_METRIC }))).toEqual({
      commands: {
        main: { run: COVERAGE_RUN, timeoutSeconds: 300, requires: ['pytest_cov'], reports: ['/work/out/coverage.json'] },
      },
    });
    const plain = commandCheck.requirements(params({ run: 'make test' })).commands?.main;
    expect(plain).toEqual({ run: 'make test', timeoutSeconds: 120, requires: [] });
    expect(plain && 'reports' in plain).toBe(false);
  });
});

describe('command evaluate', () => {
  it('passes when the command exits 0', () => {
    const outcome = run({ run: 'python3 -m pytest -q' }, { exitCode: 0, output: '3 passed in 0.1s\n' });
    expect(outcome.fraction).toBe(1);
    expect(outcome.error).toBeUndefined();
    expect(outcome.items).toHaveLength(1);
    expect(outcome.items![0]!.ok).toBe(true);
    // What passed, in the student's terms; the command line is in the details.
    expect(outcome.message.es).toContain('Tus tests pasan: pytest terminó con código 0.');
    expect(outcome.message.en).toContain('Your tests pass');
    expect(outcome.details).toMatch(/^\$ python3 -m pytest -q\n3 passed in 0\.1s/);
  });

  it('fails on another exit code and says which', () => {
    const outcome = run({ run: 'python3 -m pytest -q' }, { exitCode: 1, output: '1 failed, 2 passed\n' });
    expect(outcome.fraction).toBe(0);
    expect(outcome.items![0]).toMatchObject({ ok: false, note: { es: 'terminó con código 1', en: 'it exited with code 1' } });
    expect(outcome.message.es).toContain('código 1');
    expect(outcome.message.en).toMatch(/code 1 \(expected 0\)/);
    expect(outcome.message.en).toContain('Run it on your machine with `python3 -m pytest -q`');
    expect(outcome.details).toContain('1 failed, 2 passed');
  });

  it('accepts any exit code when exitCode is null, but not a missing program', () => {
    const anyCode = { run: 'ruff check .', expect: { exitCode: null } };
    expect(run(anyCode, { exitCode: 3 }).fraction).toBe(1);
    expect(run(anyCode, { exitCode: 127, output: 'sh: 1: ruff: not found\n' }).fraction).toBe(0);
  });

  it('expects a chosen exit code', () => {
    const raw = { run: 'python3 bad.py', expect: { exitCode: 2 } };
    expect(run(raw, { exitCode: 2 }).fraction).toBe(1);
    expect(run(raw, { exitCode: 0 }).fraction).toBe(0);
  });

  it('judges output patterns, present and absent', () => {
    const raw = {
      run: 'python3 train.py',
      expect: {
        output: [
          { regex: '^accuracy: 0\\.\\d+$' },
          { label: { es: 'sin advertencias', en: 'no warnings' }, regex: 'Warning', absent: true },
        ],
      },
    };
    const good = run(raw, { output: 'loading\naccuracy: 0.91\n' });
    expect(good.fraction).toBe(1);
    expect(good.items!.map((i) => i.ok)).toEqual([true, true, true]);

    const bad = run(raw, { output: 'accuracy: 91%\nDeprecationWarning: old\n' });
    expect(bad.fraction).toBe(0);
    expect(bad.items!.map((i) => i.ok)).toEqual([true, false, false]);
    expect(bad.items![2]!.label.en).toBe('no warnings');
    // Checklist items are counted as requirements, never as points.
    expect(bad.message.en).toContain('1 of 3 requirements met; this criterion earns points only when all are met.');
    expect(bad.message.es).toContain('Cumple 1 de 3 requisitos;');
    expect(bad.message.es).not.toMatch(/puntos\./);
    expect(bad.message.es).toContain('no cumple: la salida contiene');
  });

  it('gives a share of the items when partial', () => {
    const raw = { run: 'python3 train.py', partial: true, expect: { output: [{ regex: 'saved model' }, { regex: 'metrics.json' }] } };
    expect(run(raw, { output: 'saved model\n' }).fraction).toBeCloseTo(2 / 3);
    expect(run(raw, { exitCode: 1, output: 'Traceback\n' }).fraction).toBe(0);
    expect(run({ ...raw, partial: false }, { output: 'saved model\n' }).fraction).toBe(0);
  });

  describe('metric', () => {
    const raw = { run: COVERAGE_RUN, metric: COVERAGE_METRIC };
    const report = (text: string | null) => ({ reports: { '/work/out/coverage.json': text } });

    it('passes at or above the minimum, showing one decimal', () => {
      const outcome = run(raw, report(coverage(82.4567)));
      expect(outcome.fraction).toBe(1);
      expect(outcome.items![1]).toEqual({ label: { es: 'cobertura 82,5 % (mínimo 70 %)', en: 'coverage 82.5% (minimum 70%)' }, ok: true });
      expect(run(raw, report(coverage(70))).items![1]!.label.es).toBe('cobertura 70 % (mínimo 70 %)');
    });

    it('fails below the minimum', () => {
      const outcome = run(raw, report(coverage(64.333)));
      expect(outcome.fraction).toBe(0);
      expect(outcome.items![1]).toMatchObject({ label: { es: 'cobertura 64,3 % (mínimo 70 %)' }, ok: false });
      expect(outcome.message.es).toContain('cobertura 64,3 % (mínimo 70 %)');
    });

    it('never shows a value under the minimum rounded up to it', () => {
      const item = run(raw, report(coverage(69.96))).items![1]!;
      expect(item.ok).toBe(false);
      expect(item.label.es).toBe('cobertura 69,9 % (mínimo 70 %)');
    });

    it('gives half with partial when the tests fail but coverage is enough', () => {
      expect(run({ ...raw, partial: true }, { exitCode: 1, ...report(coverage(75)) }).fraction).toBe(0.5);
    });

    it('fails the item when the report was not produced', () => {
      for (const outcome of [run(raw, { exitCode: 4, ...report(null) }), run(raw, { exitCode: 4 })]) {
        expect(outcome.fraction).toBe(0);
        expect(outcome.items![1]!.ok).toBe(false);
        expect(outcome.items![1]!.label.es).toBe('cobertura (mínimo 70 %)');
        expect(outcome.items![1]!.note?.es).toMatch(/no se generó el reporte \/work\/out\/coverage\.json/i);
        expect(outcome.items![1]!.note?.en).toMatch(/failed before writing it/);
      }
    });

    it('explains a report that is not JSON, lacks the path, or holds no number', () => {
      expect(run(raw, report('{not json')).items![1]!.note?.en).toMatch(/not valid JSON/);
      expect(run(raw, report(JSON.stringify({ totals: {} }))).items![1]!.note?.en).toContain('has no `totals.percent_covered`');
      expect(run(raw, report(coverage('many'))).items![1]!.note?.en).toMatch(/not a number/);
      expect(run(raw, report(coverage('81.5'))).items![1]!.ok).toBe(true);
    });

    it('uses other units with a space', () => {
      const outcome = run(
        { run: 'python3 bench.py', metric: { label: { es: 'velocidad', en: 'speed' }, report: '/work/out/bench.json', path: 'rps', min: 100, unit: 'req/s' } },
        { reports: { '/work/out/bench.json': '{"rps": 250}' } },
      );
      expect(outcome.items![1]!.label.en).toBe('speed 250 req/s (minimum 100 req/s)');
      expect(outcome.fraction).toBe(1);
    });
  });

  it('stops at the timeout and says when, with what to look for', () => {
    const outcome = run({ run: 'python3 -m pytest -q', timeout: 15, expect: { output: [{ regex: 'FAILED', absent: true }] }, partial: true }, {
      exitCode: null,
      timedOut: true,
      durationMs: 15_020,
      output: 'tests/test_loop.py ',
    });
    expect(outcome.fraction).toBe(0);
    expect(outcome.message.es).toContain('se detuvo a los 15 s');
    expect(outcome.message.es).toMatch(/bucle infinito.*input\(\)/);
    expect(outcome.message.en).toMatch(/stopped at 15 s/);
    expect(outcome.items![0]!.note?.es).toBe('se detuvo a los 15 s');
    // Absent text proves nothing when the command was cut short.
    expect(outcome.items![1]!.ok).toBe(false);
    expect(outcome.details).toContain('stopped at the time limit');
  });

  it('blames the job’s total time when the command was cut before its own timeout', () => {
    const outcome = run({ run: 'python3 -m pytest -q' }, { exitCode: null, timedOut: true, durationMs: 42_300 });
    expect(outcome.fraction).toBe(0);
    expect(outcome.message.es).toContain('42 s');
    expect(outcome.message.es).toMatch(/tiempo total de la corrección/);
    expect(outcome.message.en).toMatch(/grading job ran out of time/);
  });

  it('not run after the same tests hung while collecting: fails with the hang’s explanation, not a timeout of its own', () => {
    const hungAs = { run: 'python3 -m pytest --collect-only -q -p no:cacheprovider tests', timeoutSeconds: 120 };
    const outcome = run({ run: 'python3 -m pytest -q', timeout: 180, expect: { exitCode: null } }, { exitCode: null, timedOut: true, durationMs: 0, hungAs });
    expect(outcome.fraction).toBe(0);
    expect(outcome.message.en).toBe(
      'pytest was not run: it collects the same tests as `python3 -m pytest --collect-only -q tests`, which never finished. pytest was stopped at 120 s while collecting your tests: importing them runs something that never ends (training a model, reading large data, input(), a server or a loop) outside a test_ function. Move it into the tests or fixtures.',
    );
    expect(outcome.message.es).toMatch(/^pytest no se corrió: reúne los mismos tests que .*pytest se detuvo a los 120 s mientras reunía tus tests/);
    expect(outcome.message.en).not.toMatch(/grading job ran out of time|180 s/);
    expect(outcome.items![0]).toMatchObject({ ok: false, note: { en: 'not run: the same tests never finished collecting' } });
    expect(outcome.details).toContain('[not run: `python3 -m pytest --collect-only -q -p no:cacheprovider tests` never finished collecting the same tests]');
  });

  it('says the memory limit killed it', () => {
    const outcome = run({ run: 'python3 train.py' }, { exitCode: 137, killed: true });
    expect(outcome.fraction).toBe(0);
    expect(outcome.message.en).toMatch(/memory limit/);
    expect(outcome.message.es).toMatch(/límite de memoria/);
    expect(outcome.message.en).toMatch(/smaller data/);
    expect(outcome.items![0]!.note?.en).toBe('killed by the memory limit');
    expect(outcome.details).toContain('killed (memory limit)');
  });

  it('treats exit 137 without a memory kill as a crash, not the memory limit', () => {
    const outcome = run({ run: 'python3 train.py' }, { exitCode: 137, killed: false });
    expect(outcome.fraction).toBe(0);
    expect(outcome.message.en).not.toMatch(/memory/);
    expect(outcome.message.en).toContain('exited with code 137');
  });

  it('says the program is not there on exit code 127', () => {
    const outcome = run({ run: './scripts/train.sh' }, { exitCode: 127, output: 'sh: 1: ./scripts/train.sh: not found\n' });
    expect(outcome.fraction).toBe(0);
    expect(outcome.message.es).toContain('`./scripts/train.sh` no existe');
    expect(outcome.message.en).toMatch(/is not there \(code 127\)/);
    expect(run({ run: 'x.sh' }, { exitCode: 126 }).message.en).toMatch(/not executable/);
  });

  it('reports a runner image without a required module as an error, not a zero', () => {
    const outcome = run(
      { run: COVERAGE_RUN, requires: ['pytest_cov'], metric: COVERAGE_METRIC },
      { exitCode: null, missingModules: ['pytest_cov'], durationMs: 0 },
    );
    expect(outcome.fraction).toBe(0);
    expect(outcome.error?.code).toBe('runner-image-incomplete');
    expect(outcome.error?.message.es).toContain('no tiene el módulo pytest_cov; avisa a tu docente');
    expect(outcome.error?.message.en).toContain('pytest_cov');
    expect(outcome.details).toContain('not run');
    expect(run({ run: 'x', requires: ['a', 'b'] }, { missingModules: ['a', 'b'] }).error?.message.es).toContain('los módulos a, b');
  });

  it('notes an output cut to its start and end', () => {
    const outcome = run({ run: 'python3 -m pytest -q -s' }, {
      exitCode: 0,
      output: 'START\n\n[... 419000000 bytes cut ...]\n\nEND\n',
      outputBytes: 400 * 1024 * 1024,
      outputTruncated: true,
    });
    expect(outcome.fraction).toBe(1);
    expect(outcome.message.es).toContain('400,0 MB');
    expect(outcome.message.en).toMatch(/was cut: only its start and end were kept/);
    expect(outcome.details).toContain('START');
    expect(outcome.details).toContain('END');
    expect(run({ run: 'x' }, { output: 'short' }).message.en).not.toMatch(/cut/);
  });

  it('does not credit a pattern that may sit in the cut middle', () => {
    const outcome = run({ run: 'x', expect: { output: [{ regex: 'needle' }] } }, { output: 'a\n[cut]\nb', outputTruncated: true, outputBytes: 1 << 20 });
    expect(outcome.items![1]!.ok).toBe(false);
    expect(outcome.items![1]!.note?.en).toMatch(/middle was cut/);
  });

  it('throws when the grader did not run its command (a bug of ours)', () => {
    expect(() => commandCheck.evaluate(params({ run: 'x' }), evidence({}))).toThrow(/did not run/);
  });
});

describe('resolvePath', () => {
  it('follows dots, array indices and keys that contain dots', () => {
    const data = { totals: { percent_covered: 64.3 }, files: { 'src/app.py': { summary: { percent_covered: 50 } } }, runs: [{ loss: 0.2 }] };
    expect(resolvePath(data, 'totals.percent_covered')).toEqual({ found: true, value: 64.3 });
    expect(resolvePath(data, 'files.src/app.py.summary.percent_covered')).toEqual({ found: true, value: 50 });
    expect(resolvePath(data, 'runs.0.loss')).toEqual({ found: true, value: 0.2 });
    expect(resolvePath(data, 'runs.1.loss')).toEqual({ found: false });
    expect(resolvePath(data, 'totals.missing')).toEqual({ found: false });
    expect(resolvePath(data, 'totals.percent_covered.x')).toEqual({ found: false });
  });
});

describe('command coverage measured by the grader', () => {
  const COVERAGE = { run: 'python3 -m pytest -q --cov=src --cov-config="$COVERAGE_RCFILE"', expect: { exitCode: null }, coverage: { source: ['src'], min: 70 } };

  it('asks the sandbox to measure the source folders', () => {
    expect(commandCheck.requirements(params(COVERAGE)).commands?.main?.coverage).toEqual({ source: ['src'] });
  });

  it('passes at the minimum and fails under it, with what was measured', () => {
    const ok = run(COVERAGE, { exitCode: 1, coverage: { percent: 71.2, covered: 178, statements: 250, files: 6 } });
    expect(ok.fraction).toBe(1);
    expect(ok.items![1]).toEqual({
      label: { es: 'cobertura de `src/` 71,2 % (mínimo 70 %)', en: 'coverage of `src/` 71.2% (minimum 70%)' },
      ok: true,
      note: { es: '178 de 250 sentencias en 6 archivos', en: '178 of 250 statements in 6 files' },
    });
    expect(ok.message.en).toContain("Measured: coverage of src/ with the grader's own configuration");
    const short = run(COVERAGE, { exitCode: 0, coverage: { percent: 69.96, covered: 10, statements: 14, files: 1 } });
    expect(short.fraction).toBe(0);
    expect(short.items![1]!.label.en).toBe('coverage of `src/` 69.9% (minimum 70%)');
  });

  it('fails without coverage data, saying the test run recorded none', () => {
    const outcome = run(COVERAGE, { exitCode: 2, coverage: { error: 'no-data' } });
    expect(outcome.fraction).toBe(0);
    expect(outcome.items![1]!.note?.en).toMatch(/recorded no coverage data/);
    expect(run(COVERAGE, { exitCode: 0 }).items![1]!.note?.en).toMatch(/could not be measured/);
  });

  it('leads with the figure, in each language\'s writing, and a command the student can run locally', () => {
    const grader = { ...COVERAGE, run: 'python3 -m pytest -q -p no:cacheprovider --cov=src --cov-config=/work/grader/coveragerc' };
    const ok = run(grader, { exitCode: 0, coverage: { percent: 98.74, covered: 296, statements: 300, files: 8 } });
    expect(ok.message.es.startsWith('La cobertura de `src/` es 98,7 % (mínimo 70 %).')).toBe(true);
    expect(ok.message.en.startsWith('Coverage of `src/` is 98.7% (minimum 70%).')).toBe(true);
    const low = run(grader, { exitCode: 0, coverage: { percent: 41.25, covered: 4, statements: 10, files: 1 } });
    expect(low.message.es).toContain('es 41,3 %, por debajo del mínimo de 70 %');
    expect(low.message.en).toContain('`python3 -m pytest -q --cov=src --cov-report=term-missing` lists them on your machine');
    for (const text of [ok.message.es, ok.message.en, low.message.es, low.message.en]) {
      expect(text).not.toMatch(/\/work\/|status=|\$\?|cacheprovider|--cov-config/);
    }
  });

  it('names the run and the local command as the rubric says, when it says so', () => {
    const raw = { run: 'python3 -m pip wheel --no-index -w /tmp/wheels .', label: { es: 'La construcción del paquete', en: 'Building the package' }, local: 'pip install -e .' };
    const failed = run(raw, { exitCode: 1 });
    expect(failed.message.es.startsWith('La construcción del paquete terminó con código 1 (se esperaba 0). Córrelo en tu máquina con `pip install -e .`')).toBe(true);
    expect(failed.message.en).not.toContain('--no-index');
    expect(run(raw, { exitCode: 0 }).message.en.startsWith('Building the package meets everything asked.')).toBe(true);
  });

  it('suggests no local command for shell plumbing or the grader\'s folders', () => {
    expect(localCommand('python3 -m pytest -q -p no:cacheprovider --cov=src --cov-config=/work/grader/coveragerc')).toBe('python3 -m pytest -q --cov=src');
    expect(localCommand('python3 -m pytest --cov=src; status=$?; python3 -m coverage json -q -o /work/out/coverage.json; exit $status')).toBeNull();
    expect(localCommand('python3 main.py --out /work/out/x.json')).toBeNull();
    const plumbing = run({ run: 'python3 -m pytest; status=$?; exit $status' }, { exitCode: 1 });
    expect(plumbing.message.en).toContain('See the output in the details');
    expect(plumbing.message.en).not.toContain('status=');
  });

  it('refuses source folders outside the repository', () => {
    for (const source of [['/etc'], ['../x'], ['a/../../b'], []]) {
      expect(commandCheck.params.safeParse({ ...COVERAGE, coverage: { source, min: 70 } }).success).toBe(false);
    }
  });
});

describe('command whose supervisor was lost', () => {
  it('fails with what happened and what to do when the supervisor was killed or hung', () => {
    const died = run({ run: 'pytest' }, { exitCode: null, failure: 'supervisor-died' });
    expect(died.fraction).toBe(0);
    expect(died.message.en).toMatch(/supervisor was ended abruptly.*push again/);
    expect(died.message.es).toMatch(/terminó de golpe.*vuelve a subir/);
    expect(died.details).toContain("the grader's supervisor was killed");
    const hung = run({ run: 'pytest' }, { exitCode: null, failure: 'supervisor-hung' });
    expect(hung.message.en).toMatch(/stopped answering.*FIFO/);
  });

  it('says in one line what a plain command measures', () => {
    expect(run({ run: 'pytest' }, { exitCode: 0 }).message.en).toContain("Measured: the command's result in the grader's sandbox");
  });
});

describe('a command that fails to import a library', () => {
  const OUTPUT = `Traceback (most recent call last):
  File "/work/repo/main.py", line 1, in <module>
    import ctgan
ModuleNotFoundError: No module named 'ctgan'
`;
  const judge = (declared: string, result: Partial<CommandResult> = { exitCode: 1, output: OUTPUT }) =>
    asShown(
      commandCheck.evaluate(params({ run: 'python3 main.py' }), {
        ...evidence({ commands: { main: result } }),
        dependencies: { declared: declaredDependencies([{ path: 'pyproject.toml', text: `[project]\nname = "x"\ndependencies = [${declared}]\n` }]), local: new Set(['src']) },
      }),
    );

  it('declared: not gradable in this environment, not counted against the student', () => {
    const outcome = judge('"ctgan>=0.10"');
    expect(outcome.error?.code).toBe('environment-lacks-declared');
    expect(outcome.error!.message.en).toBe(
      "The course's image lacks the module `ctgan`, which you declare in `pyproject.toml`: it is not your fault; your instructors get the list to add it. This criterion is not gradable in this environment and does not count against you.",
    );
    expect(outcome.details).toContain("No module named 'ctgan'");
  });

  it('not declared: judged, and the student is told which file imports what to declare', () => {
    const outcome = judge('"pandas"');
    expect(outcome.error).toBeUndefined();
    expect(outcome.fraction).toBe(0);
    expect(outcome.message.en).toContain('`main.py` imports `ctgan`, which your requirements do not list.');
  });

  it('a command that succeeds is judged as it is, whatever its output says', () => {
    const outcome = judge('"ctgan"', { exitCode: 0, output: OUTPUT });
    expect(outcome.error).toBeUndefined();
    expect(outcome.fraction).toBe(1);
  });
});

describe('a test run continued past files the runner image cannot import', () => {
  const SUITE = 'python3 -m pytest -q -p no:cacheprovider';
  const continuedPast = { run: 'python3 -m pytest --continue-on-collection-errors -q -p no:cacheprovider', files: ['tests/test_training.py'] };
  const output = (summary: string) => `__________________ ERROR collecting tests/test_training.py ___________________
tests/test_training.py:1: in <module>
    import pandera
E   ModuleNotFoundError: No module named 'pandera'
${summary}
`;
  const judge = (raw: Record<string, unknown>, summary: string) =>
    asShown(
      commandCheck.evaluate(params({ run: SUITE, ...raw }), {
        ...evidence({ commands: { main: { exitCode: 1, output: output(summary), continuedPast } } }),
        dependencies: { declared: declaredDependencies([{ path: 'requirements.txt', text: 'pandera\n' }]), local: new Set() },
      }),
    );

  it('the other files\' tests fail: judged, the student\'s to fix', () => {
    const outcome = judge({}, '2 failed, 18 passed, 1 error in 3.21s');
    expect(outcome.error).toBeUndefined();
    expect(outcome.fraction).toBe(0);
    expect(outcome.message.en).toContain('So the tests of the other files were run (without `tests/test_training.py`');
    expect(outcome.details).toContain('$ python3 -m pytest --continue-on-collection-errors');
  });

  it('the other files\' tests pass: the suite as a whole is not gradable here', () => {
    const outcome = judge({}, '18 passed, 1 error in 3.21s');
    expect(outcome.error?.code).toBe('environment-lacks-declared');
    expect(outcome.error!.message.en).toContain('The tests of the other files pass');
  });

  it('a minimum the other files\' tests already reach is met, saying how it was measured', () => {
    const outcome = judge({ expect: { exitCode: null } }, '18 passed, 1 error in 3.21s');
    expect(outcome.error).toBeUndefined();
    expect(outcome.fraction).toBe(1);
    expect(outcome.message.en).toContain('and they already reach what is asked');
  });

  it('coverage of a partial run is never held against the student', () => {
    const outcome = judge({ expect: { exitCode: null }, coverage: { source: ['src'], min: 70 } }, '2 failed, 18 passed, 1 error in 3.21s');
    expect(outcome.error?.code).toBe('environment-lacks-declared');
  });
});
