import { describe, expect, it } from 'vitest';
import { collectCommand } from '../../../src/checks/pytest-tests.ts';
import { defaultTestPaths, hangsTheSame, pytestRuns } from '../../../src/grading/suites.ts';

const MLOPS_RUN = 'python3 -m pytest -q -p no:cacheprovider --cov=src; status=$?; python3 -m coverage json -q -o /work/out/coverage.json; exit $status';
const COLLECT_TESTS = collectCommand('tests');

describe('pytestRuns reads pytest invocations it can be sure of', () => {
  it('the MLOps pack’s run and collect commands', () => {
    expect(pytestRuns(MLOPS_RUN)).toEqual([{ paths: null, collectOnly: false, step: 0 }]);
    expect(pytestRuns(COLLECT_TESTS)).toEqual([{ paths: ['tests'], collectOnly: true, step: 0 }]);
  });

  it('paths and node ids, normalised; values of options are not paths', () => {
    expect(pytestRuns('pytest ./tests/ tests/unit/test_a.py::test_b -k slow -m "x"')).toBeNull();
    expect(pytestRuns('pytest ./tests/ tests/unit/test_a.py::test_b -k slow -W error --cov src')?.[0]?.paths).toEqual(['tests', 'tests/unit/test_a.py']);
    expect(pytestRuns('py.test -vv --tb=short . --cov=src')?.[0]?.paths).toEqual(['.']);
    expect(pytestRuns('python -m pytest --co tests')?.[0]).toEqual({ paths: ['tests'], collectOnly: true, step: 0 });
  });

  it.each([
    ['an option that changes what is collected', 'pytest --ignore=tests/slow tests'],
    ['stopping at the first error', 'pytest -x tests'],
    ['another configuration file', 'pytest -c other.ini tests'],
    ['loading a plugin', 'pytest -p myplugin tests'],
    ['a variable in the arguments', 'pytest $TESTS'],
    ['an environment prefix', 'PYTHONPATH=src pytest tests'],
    ['a change of folder', 'cd sub && pytest tests'],
    ['pytest hidden in another program', 'python3 -m coverage run -m pytest tests'],
  ])('refuses %s', (_what, run) => {
    expect(pytestRuns(run)).toBeNull();
  });

  it('other programs are not pytest steps', () => {
    expect(pytestRuns('make lint; python3 main.py')).toEqual([]);
    expect(pytestRuns('pip install -e . && pytest tests')).toEqual([{ paths: ['tests'], collectOnly: false, step: 1 }]);
  });
});

describe('hangsTheSame: would a later command hang where a collection did?', () => {
  it('the MLOps week 6: collecting tests hung, the coverage run collects the repository', () => {
    expect(hangsTheSame(COLLECT_TESTS, MLOPS_RUN, ['.'])).toBe(true);
    expect(hangsTheSame(COLLECT_TESTS, MLOPS_RUN, ['tests'])).toBe(true);
  });

  it('not when the later command collects elsewhere or less', () => {
    expect(hangsTheSame(COLLECT_TESTS, MLOPS_RUN, ['integration'])).toBe(false);
    expect(hangsTheSame(COLLECT_TESTS, 'pytest tests/unit', ['.'])).toBe(false);
    expect(hangsTheSame(collectCommand('tests/unit'), 'pytest tests', ['.'])).toBe(true);
    expect(hangsTheSame(collectCommand('tests integration'), 'pytest tests', ['.'])).toBe(false);
  });

  it('only a collect-only hang says collection hangs, and only a first step is sure to run', () => {
    expect(hangsTheSame('pytest tests', 'pytest tests', ['.'])).toBe(false);
    expect(hangsTheSame(COLLECT_TESTS, 'pip install -e . && pytest tests', ['.'])).toBe(false);
    expect(hangsTheSame(COLLECT_TESTS, 'python3 main.py', ['.'])).toBe(false);
    expect(hangsTheSame(COLLECT_TESTS, 'pytest -x tests', ['.'])).toBe(false);
  });
});

describe('defaultTestPaths: what pytest collects when given no path', () => {
  it('testpaths from pyproject.toml, pytest.ini and setup.cfg styles', () => {
    expect(defaultTestPaths(['[tool.pytest.ini_options]\ntestpaths = ["tests", "integration/"]\naddopts = "-q"\n'])).toEqual(['tests', 'integration']);
    expect(defaultTestPaths(['[pytest]\ntestpaths = tests\n    more_tests\npython_files = test_*.py\n'])).toEqual(['tests', 'more_tests']);
    expect(defaultTestPaths(['[tool:pytest]\naddopts = -q\n', '[pytest]\ntestpaths = ./checks\n'])).toEqual(['checks']);
  });

  it('the repository when nothing sets it', () => {
    expect(defaultTestPaths([])).toEqual(['.']);
    expect(defaultTestPaths(['[project]\nname = "x"\n'])).toEqual(['.']);
  });
});

describe('the MLOps pack week 6 runs', () => {
  it('are read with certainty, so a hung collection also spares its test run', async () => {
    const { loadPack } = await import('../../../src/rubrics/load.ts');
    const pack = await loadPack('mlops');
    const runs = pack.weeks.get(6)!.criteria.flatMap((c) => Object.values(c.check.requirements(c.params).commands ?? {}).map((s) => s.run));
    expect(runs.length).toBeGreaterThan(0);
    for (const run of runs) expect(pytestRuns(run), run).not.toBeNull();
  });
});
