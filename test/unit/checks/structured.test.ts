import { describe, expect, it } from 'vitest';
import { resolvePath, structuredCheck, type StructuredParams } from '../../../src/checks/structured.ts';
import { evidence, asShown, asShownOf } from '../../helpers/evidence.ts';

function params(raw: Record<string, unknown>): StructuredParams {
  return structuredCheck.params.parse(raw);
}

function run(raw: Record<string, unknown>, files: Record<string, string | null>) {
  return asShown(structuredCheck.evaluate(params(raw), evidence({ files })));
}

const K8S = `apiVersion: apps/v1
kind: Deployment
metadata:
  name: api
spec:
  replicas: 2
  template:
    spec:
      containers:
        - name: api
          image: ghcr.io/student/api:1.0.0
          resources:
            requests: { cpu: 100m, memory: 256Mi }
            limits: { cpu: 500m, memory: 512Mi }
        - name: worker
          image: ghcr.io/student/worker:1.0.0
          resources:
            requests: { cpu: 100m, memory: 128Mi }
            limits: { cpu: 200m, memory: 256Mi }
---
apiVersion: v1
kind: Service
metadata:
  name: api
spec:
  selector: { app: api }
  ports:
    - port: 80
      targetPort: 8000
`;

const DEPLOYMENT_RULES = {
  files: ['**/*.y*ml'],
  where: { kind: 'Deployment' },
  require: [
    { label: { es: 'imagen', en: 'image' }, path: 'spec.template.spec.containers[].image', every: true },
    { label: { es: 'requests', en: 'requests' }, path: 'spec.template.spec.containers[].resources.requests', every: true, minCount: 2 },
    { label: { es: 'límite de memoria', en: 'memory limit' }, path: 'spec.template.spec.containers[].resources.limits.memory', match: '^\\d+(Mi|Gi)$', every: true },
    { label: { es: 'réplicas', en: 'replicas' }, path: 'spec.replicas', match: '^([2-9]|\\d\\d+)$' },
  ],
};

describe('structured params', () => {
  it('fills defaults', () => {
    expect(params({ files: 'dvc.yaml' })).toEqual({ files: 'dvc.yaml', format: 'auto', minDocuments: 1, require: [], partial: true });
    expect(params({ files: 'x.yaml', require: [{ path: 'a.b' }] }).require).toEqual([{ path: 'a.b', every: false }]);
    expect(structuredCheck.requirements(params({ files: ['k8s/*.yaml', 'deploy/*.yml'] }))).toEqual({ contents: ['k8s/*.yaml', 'deploy/*.yml'] });
  });

  it.each([
    ['no files', {}],
    ['an empty glob', { files: '' }],
    ['an unknown format', { files: 'x', format: 'xml' }],
    ['a misspelt key', { files: 'x', requires: [] }],
    ['a misspelt key in a requirement', { files: 'x', require: [{ path: 'a', anyof: ['b'] }] }],
    ['an empty path part', { files: 'x', require: [{ path: 'spec..replicas' }] }],
    ['an index instead of []', { files: 'x', require: [{ path: 'containers[0].image' }] }],
    ['[] in the middle of a key', { files: 'x', require: [{ path: 'a[]b' }] }],
    ['a regex that does not compile', { files: 'x', require: [{ path: 'a', match: '(' }] }],
    ['an empty anyOf', { files: 'x', require: [{ path: 'a', anyOf: [] }] }],
    ['an object in anyOf', { files: 'x', require: [{ path: 'a', anyOf: [{ b: 1 }] }] }],
    ['a zero minCount', { files: 'x', require: [{ path: 'a', minCount: 0 }] }],
    ['a zero minDocuments', { files: 'x', minDocuments: 0 }],
    ['an empty where', { files: 'x', where: {} }],
    ['a where list with no values', { files: 'x', where: { kind: [] } }],
  ])('refuses %s', (_, raw) => {
    expect(structuredCheck.params.safeParse(raw).success).toBe(false);
  });
});

describe('structured evaluate: Kubernetes', () => {
  it('finds a Deployment among other documents, wherever it is, and gives full marks', () => {
    const out = run(DEPLOYMENT_RULES, { 'deploy/app.yaml': K8S, 'configs/config.yaml': 'model: { name: rf }\n' });
    expect(out.items?.map((i) => i.ok)).toEqual([true, true, true, true, true]);
    expect(out.fraction).toBe(1);
    expect(out.items?.[0]?.label.en).toBe('a document with `kind: Deployment`');
    expect(out.items?.[0]?.note?.en).toBe('1 of 1 in `deploy/app.yaml`');
    expect(out.items?.[4]?.note?.en).toContain('`2`');
    expect(out.message.en).toContain('Everything present (5 of 5 requirements) in `deploy/app.yaml`');
  });

  it('fails `every` when one container lacks the path, naming it', () => {
    const broken = K8S.replace('            requests: { cpu: 100m, memory: 128Mi }\n', '').replace('replicas: 2', 'replicas: 1');
    const out = run(DEPLOYMENT_RULES, { 'k8s/all.yaml': broken });
    expect(out.items?.map((i) => i.ok)).toEqual([true, true, false, true, false]);
    expect(out.fraction).toBe(0.6);
    expect(out.items?.[2]?.note?.en).toBe('`spec.template.spec.containers[].resources.requests` is missing in `k8s/all.yaml` (document 1 `Deployment`), item `worker`');
    expect(out.items?.[4]?.note?.es).toContain('`spec.replicas` es `1`; se espera que coincida con');
    expect(out.message.es).toContain('3 de 5');
    expect(out.message.es).toContain('Falta: requests y réplicas');
  });

  it('gives nothing when partial credit is off', () => {
    const broken = K8S.replace('replicas: 2', 'replicas: 1');
    expect(run({ ...DEPLOYMENT_RULES, partial: false }, { 'k8s/all.yaml': broken }).fraction).toBe(0);
    expect(run({ ...DEPLOYMENT_RULES, partial: false }, { 'k8s/all.yaml': K8S }).fraction).toBe(1);
  });

  it('says what kinds it found when no document matches `where`', () => {
    const out = run(DEPLOYMENT_RULES, { 'k8s/service.yaml': K8S.split('---\n')[1]! });
    expect(out.fraction).toBe(0);
    expect(out.items?.every((i) => !i.ok)).toBe(true);
    expect(out.message.es).toContain('Ningún documento de 1 archivo tiene `kind: Deployment` (encontré kind: `Service`)');
  });

  it('counts documents for minDocuments and accepts a list of values in where', () => {
    const raw = { files: 'k8s/*.yaml', where: { kind: ['Deployment', 'StatefulSet'] }, minDocuments: 2 };
    const one = run(raw, { 'k8s/a.yaml': K8S });
    expect(one.fraction).toBe(0);
    expect(one.items?.[0]?.note?.en).toBe('1 of 2 in `k8s/a.yaml`');
    const two = run(raw, { 'k8s/a.yaml': K8S, 'k8s/b.yaml': 'kind: StatefulSet\nspec: {}\n' });
    expect(two.fraction).toBe(1);
  });
});

describe('structured evaluate: course files', () => {
  const DVC = {
    files: ['dvc.yaml', '**/dvc.yaml'],
    require: [
      { label: { es: '2 stages', en: '2 stages' }, path: 'stages', minCount: 2 },
      { label: { es: 'cmd', en: 'cmd' }, path: 'stages.*.cmd', every: true },
      { label: { es: 'deps', en: 'deps' }, path: 'stages.*.deps', minCount: 1 },
      { label: { es: 'outs', en: 'outs' }, path: 'stages.*.outs[]', minCount: 2 },
    ],
  };

  it('reads dvc.yaml stages with cmd, deps and outs', () => {
    const dvc = `stages:
  prepare:
    cmd: python src/prepare.py
    deps: [data/raw/train.csv, src/prepare.py]
    outs: [data/prepared]
  train:
    cmd: python src/train.py
    deps: [data/prepared]
    outs: [models/model.pkl]
`;
    expect(run(DVC, { 'dvc.yaml': dvc }).fraction).toBe(1);
    const missingCmd = dvc.replace('    cmd: python src/train.py\n', '');
    const out = run(DVC, { 'pipeline/dvc.yaml': missingCmd });
    expect(out.items?.map((i) => i.ok)).toEqual([true, true, false, true, true]);
    expect(out.items?.[2]?.note?.en).toBe('`stages.*.cmd` is missing in `pipeline/dvc.yaml`, item #2');
    const oneStage = run(DVC, { 'dvc.yaml': 'stages:\n  train:\n    cmd: python train.py\n    deps: [a]\n    outs: [m]\n' });
    expect(oneStage.items?.map((i) => i.ok)).toEqual([true, false, true, true, false]);
    expect(oneStage.fraction).toBe(0.6);
  });

  it('reads workflow triggers as a string, a list or a map, and steps of every job', () => {
    const raw = {
      files: '.github/workflows/*.y*ml',
      require: [
        { label: { es: 'push', en: 'push' }, path: 'on', anyOf: ['push', 'pull_request'] },
        { label: { es: 'checkout', en: 'checkout' }, path: 'jobs.*.steps[].uses', match: '^actions/checkout@' },
        { label: { es: 'pytest', en: 'pytest' }, path: 'jobs.*.steps[].run', match: 'pytest' },
      ],
    };
    const workflow = (on: string) => `name: CI
on: ${on}
jobs:
  lint:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
      - run: ruff check .
  test:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/setup-python@v5
      - run: python -m pytest -q
`;
    expect(run(raw, { '.github/workflows/ci.yml': workflow('push') }).fraction).toBe(1);
    expect(run(raw, { '.github/workflows/ci.yml': workflow('[push, pull_request]') }).fraction).toBe(1);
    expect(run(raw, { '.github/workflows/ci.yml': workflow('\n  pull_request:\n    branches: [main]') }).fraction).toBe(1);
    const manual = run(raw, { '.github/workflows/ci.yml': workflow('workflow_dispatch') });
    expect(manual.items?.map((i) => i.ok)).toEqual([true, false, true, true]);
    expect(manual.items?.[1]?.note?.en).toBe('in `.github/workflows/ci.yml` `on` is `workflow_dispatch`; expected one of push, pull_request');
  });

  it('finds compose healthchecks, including ones merged in from an anchor', () => {
    const raw = {
      files: ['docker-compose.y*ml', '**/compose.y*ml'],
      require: [{ label: { es: 'healthcheck en cada servicio', en: 'healthcheck in every service' }, path: 'services.*.healthcheck', every: true }],
    };
    const compose = `x-health: &health
  healthcheck:
    test: ["CMD", "curl", "-f", "http://localhost:8000/health"]
services:
  api:
    <<: *health
    build: .
  mlflow:
    image: ghcr.io/mlflow/mlflow:v2.14.1
    healthcheck:
      test: ["CMD", "true"]
`;
    expect(run(raw, { 'docker-compose.yml': compose }).fraction).toBe(1);
    const out = run(raw, { 'infra/compose.yaml': compose.replace('    <<: *health\n', '') });
    expect(out.fraction).toBe(0.5);
    expect(out.items?.[1]?.note?.en).toBe('`services.*.healthcheck` is missing in `infra/compose.yaml`, item #1');
  });

  it('reads pyproject.toml', () => {
    const raw = {
      files: 'pyproject.toml',
      require: [
        { label: { es: 'nombre', en: 'name' }, path: 'project.name' },
        { label: { es: 'dependencias', en: 'dependencies' }, path: 'project.dependencies', minCount: 2 },
        { label: { es: 'setuptools', en: 'setuptools' }, path: 'build-system.requires', match: '^setuptools' },
      ],
    };
    const toml = `[build-system]
requires = ["setuptools>=68"]
build-backend = "setuptools.build_meta"

[project]
name = "proyecto"
version = "0.1.0"
dependencies = ["pandas>=2", "scikit-learn>=1.4"]
`;
    const out = run(raw, { 'pyproject.toml': toml });
    expect(out.fraction).toBe(1);
    expect(out.items?.[1]?.note?.en).toBe('`pyproject.toml`: `proyecto`');
    const poor = run(raw, { 'pyproject.toml': toml.replace(', "scikit-learn>=1.4"', '') });
    expect(poor.fraction).toBe(0.75);
    expect(poor.items?.[2]?.note?.en).toBe('in `pyproject.toml` `project.dependencies` is [1 item]; expected at least 2');
  });

  it('reports a broken TOML file at its line', () => {
    const out = run({ files: 'pyproject.toml', require: [{ path: 'project.name' }] }, { 'pyproject.toml': '[project]\nname = "x"\nversion = \n' });
    expect(out.fraction).toBe(0);
    expect(out.annotations).toEqual([expect.objectContaining({ path: 'pyproject.toml', line: 3 })]);
    expect(out.message.en).toContain("tomllib.load(open(sys.argv[1],'rb'))");
  });

  it('reads JSON by its extension and reports broken JSON with its line', () => {
    const raw = { files: '**/*.json', require: [{ path: 'metrics.f1', match: '^0\\.[89]' }] };
    expect(run(raw, { 'reports/metrics.json': '{"metrics": {"f1": 0.91}}' }).fraction).toBe(1);
    expect(run(raw, { 'reports/metrics.json': '{"metrics": {"f1": 0.41}}' }).fraction).toBe(0.5);
    const out = run(raw, { 'reports/metrics.json': '{\n  "metrics": {"f1": 0.9},\n}' });
    expect(out.fraction).toBe(0);
    expect(out.annotations?.[0]).toMatchObject({ path: 'reports/metrics.json', line: 3 });
    expect(out.message.en).toContain('python -m json.tool reports/metrics.json');
  });
});

describe('structured evaluate: files the student broke', () => {
  it('points at the line of broken YAML and still uses the valid files', () => {
    const broken = 'model:\n  name: rf\n  params:\n    depth: 3\n   lr: 0.1\n';
    const raw = { files: 'configs/*.yaml', require: [{ path: 'model.name' }] };
    const out = run(raw, { 'configs/bad.yaml': broken, 'configs/good.yaml': 'model:\n  name: rf\n' });
    expect(out.fraction).toBe(1);
    expect(out.annotations).toEqual([expect.objectContaining({ path: 'configs/bad.yaml', line: 5 })]);
    expect(out.annotations?.[0]?.message.en).toContain('Not valid YAML: yaml says `');
    expect(out.message.es).toContain('`configs/bad.yaml`, línea 5 no es YAML válido');
    expect(out.message.en).toContain('python -c "import yaml,sys; list(yaml.safe_load_all(open(sys.argv[1])))" configs/bad.yaml');

    const alone = run(raw, { 'configs/bad.yaml': broken });
    expect(alone.fraction).toBe(0);
    expect(alone.message.en).toContain('There are no valid documents');
  });

  it('refuses an alias bomb as an invalid file instead of expanding it', () => {
    const levels = 'abcdefghi'.split('');
    const bomb = levels
      .map((l, i) => (i === 0 ? `${l}: &${l} ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]` : `${l}: &${l} [${Array(9).fill(`*${levels[i - 1]}`).join(',')}]`))
      .join('\n');
    const out = run({ files: 'configs/*.yaml', require: [{ path: 'i', minCount: 1 }] }, { 'configs/bomb.yaml': `${bomb}\n` });
    expect(out.fraction).toBe(0);
    expect(out.message.en).toContain('`configs/bomb.yaml` is not valid YAML: it uses too many aliases');
    expect(out.annotations?.[0]?.path).toBe('configs/bomb.yaml');
  });

  it('refuses an anchor that contains itself', () => {
    const out = run({ files: 'x.yaml', require: [{ path: 'a[]', minCount: 1 }] }, { 'x.yaml': 'a: &a [*a]\n' });
    expect(out.fraction).toBe(0);
    expect(out.message.en).toContain('an anchor (`&a`) contains itself');
  });

  it('reports a truncated file as too large to parse', () => {
    const out = asShownOf(structuredCheck, 
      params({ files: 'data/*.yaml' }),
      evidence({ contents: [{ path: 'data/big.yaml', text: 'a: 1\n', encoding: 'utf-8', truncated: true }] }),
    );
    expect(out.fraction).toBe(0);
    expect(out.message.en).toContain('`data/big.yaml` is not valid YAML: it is too large to read whole');
    expect(out.message.en).not.toContain('python');
  });

  it('says when no file matches, and when one was too large to copy', () => {
    const none = run({ files: 'dvc.yaml', require: [{ path: 'stages' }] }, { 'README.md': '# x' });
    expect(none.fraction).toBe(0);
    expect(none.items?.map((i) => i.ok)).toEqual([false, false]);
    expect(none.message.es).toContain('No encontré archivos `dvc.yaml`');
    const skipped = asShownOf(structuredCheck, 
      params({ files: 'dvc.lock' }),
      evidence({ skipped: [{ path: 'dvc.lock', size: 80 * 1024 * 1024, reason: 'too-large' }] }),
    );
    expect(skipped.message.en).toContain('`dvc.lock` (80.0 MB) could not be read');
  });

  it('honours an explicit format over the extension', () => {
    const raw = { files: '**/*.dvc', format: 'yaml', require: [{ path: 'outs[].md5', match: '^[0-9a-f]{32}$' }] };
    const dvc = 'outs:\n- md5: 0123456789abcdef0123456789abcdef\n  size: 10\n  path: train.csv\n';
    expect(run(raw, { 'data/raw/train.csv.dvc': dvc }).fraction).toBe(1);
    expect(run({ ...raw, format: 'json' }, { 'data/raw/train.csv.dvc': dvc }).fraction).toBe(0);
  });
});

describe('resolvePath', () => {
  const doc = { a: { b: [{ c: 1 }, { c: 2 }, { d: 3 }] }, m: { x: { v: 'p' }, y: { v: 'q' } }, n: null };
  it.each([
    ['a.b[].c', [1, 2]],
    ['a.b[]', [{ c: 1 }, { c: 2 }, { d: 3 }]],
    ['m.*.v', ['p', 'q']],
    ['*', [doc.a, doc.m]],
    ['n', []],
    ['a.missing', []],
    ['a.b.c', []],
  ])('%s', (path, expected) => {
    expect(resolvePath(doc, path)).toEqual(expected);
  });
  it('reads a top-level list', () => {
    expect(resolvePath([{ k: 1 }, { k: 2 }], '[].k')).toEqual([1, 2]);
  });
});
