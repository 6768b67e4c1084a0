import { describe, expect, it } from 'vitest';
import {
  declarationOf,
  declaredDependencies,
  distributionOf,
  distributionsOfModule,
  isDependencyFile,
} from '../../../src/grading/dependencies.ts';

const names = (files: { path: string; text: string }[]) => declaredDependencies(files).map((d) => `${d.file}:${d.name}`);

describe('declaredDependencies', () => {
  it('reads requirements files: comments, options, extras, markers, continuations and VCS eggs', () => {
    const text = [
      '# data',
      'pandas>=2.0  # frames',
      'Scikit_Learn==1.5',
      'uvicorn[standard]>=0.30 ; python_version > "3.8"',
      '-r requirements-dev.txt',
      '--index-url https://example.invalid/simple',
      '-e .',
      './vendor/mypkg',
      '-e git+https://example.invalid/x/y.git#egg=My.Pkg',
      'numpy \\',
      '  >=1.26',
      '',
    ].join('\n');
    expect(names([{ path: 'proj/requirements.txt', text }])).toEqual([
      'proj/requirements.txt:pandas',
      'proj/requirements.txt:scikit-learn',
      'proj/requirements.txt:uvicorn',
      'proj/requirements.txt:my-pkg',
      'proj/requirements.txt:numpy',
    ]);
    expect(declaredDependencies([{ path: 'requirements.txt', text: 'pandas>=2.0  # frames' }])[0]!.requirement).toBe('pandas>=2.0');
  });

  it('reads pyproject.toml: PEP 621 dependencies and extras, dependency groups and poetry tables', () => {
    const text = `
[project]
name = "demo"
dependencies = ["pydantic>=2", "PyYAML"]
[project.optional-dependencies]
test = ["pytest", "pandera[pandas]"]
[dependency-groups]
dev = ["ruff", {include-group = "test"}]
[tool.poetry.dependencies]
python = "^3.11"
fastapi = "^0.110"
[tool.poetry.group.ml.dependencies]
ctgan = "*"
`;
    expect(declaredDependencies([{ path: 'pyproject.toml', text }]).map((d) => d.name)).toEqual([
      'pydantic',
      'pyyaml',
      'pytest',
      'pandera',
      'ruff',
      'fastapi',
      'ctgan',
    ]);
  });

  it('reads setup.cfg install_requires and extras, one per line or comma-separated', () => {
    const text = `[metadata]
name = demo
[options]
packages = find:
install_requires =
    requests>=2
    click; python_version>"3.7"
[options.extras_require]
test = pytest, hypothesis
[flake8]
max-line-length = 100
`;
    expect(declaredDependencies([{ path: 'setup.cfg', text }]).map((d) => d.name)).toEqual(['requests', 'click', 'pytest', 'hypothesis']);
  });

  it('reads setup.py string literals without running it', () => {
    const text = `from setuptools import setup\nsetup(name="x", install_requires=["mlflow>=2", 'typer'])\n`;
    expect(declaredDependencies([{ path: 'setup.py', text }]).map((d) => d.name)).toEqual(['mlflow', 'typer']);
  });

  it('reads environment.yml conda and pip entries, mapping conda names to PyPI names', () => {
    const text = `name: mlops
channels: [conda-forge]
dependencies:
  - python=3.11
  - conda-forge::numpy=1.26
  - pytorch
  - pip
  - pip:
      - ctgan==0.10
`;
    const deps = declaredDependencies([{ path: 'environment.yml', text }]);
    expect(deps.map((d) => d.name)).toEqual(['numpy', 'torch', 'ctgan']);
    expect(deps[0]!.requirement).toBe('numpy==1.26');
  });

  it('declares nothing from a file that does not parse, or that is not a dependency file', () => {
    expect(declaredDependencies([{ path: 'pyproject.toml', text: '[project\ndependencies = [' }])).toEqual([]);
    expect(declaredDependencies([{ path: 'notes.txt', text: 'pandas' }])).toEqual([]);
    expect(declaredDependencies([{ path: 'environment.yml', text: '- : : [' }])).toEqual([]);
  });

  it('lists a name once per file, and once in each file that declares it', () => {
    const deps = declaredDependencies([
      { path: 'requirements.txt', text: 'pandas\nPandas>=2\n' },
      { path: 'requirements-dev.txt', text: 'pandas\n' },
    ]);
    expect(deps.map((d) => `${d.file}:${d.name}`)).toEqual(['requirements.txt:pandas', 'requirements-dev.txt:pandas']);
  });
});

describe('import names and distributions', () => {
  it('maps the common import names whose distribution is named otherwise', () => {
    expect(distributionsOfModule('sklearn.metrics')).toEqual(['scikit-learn']);
    expect(distributionsOfModule('yaml')).toEqual(['pyyaml']);
    expect(distributionsOfModule('PIL.Image')).toEqual(['pillow']);
    expect(distributionsOfModule('cv2')).toContain('opencv-python-headless');
    expect(distributionsOfModule('great_expectations')).toEqual(['great-expectations']);
    expect(distributionsOfModule('pandera')).toEqual(['pandera']);
  });

  it('finds the declaration that provides a module', () => {
    const declared = declaredDependencies([{ path: 'p/requirements.txt', text: 'scikit-learn\nopencv-python-headless\npandera\n' }]);
    expect(declarationOf('sklearn', declared)?.name).toBe('scikit-learn');
    expect(declarationOf('cv2', declared)?.file).toBe('p/requirements.txt');
    expect(declarationOf('pandera.typing', declared)?.name).toBe('pandera');
    expect(declarationOf('ctgan', declared)).toBeUndefined();
  });

  it('reads a requirement name and recognizes dependency files', () => {
    expect(distributionOf('torch @ https://example.invalid/torch.whl')).toBe('torch');
    expect(distributionOf('>=1.0')).toBeNull();
    expect(isDependencyFile('a/b/requirements-dev.txt')).toBe(true);
    expect(isDependencyFile('a/environment.yaml')).toBe(true);
    expect(isDependencyFile('a/requirements.md')).toBe(false);
  });
});
