import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { literal, plain } from '../../src/core/text.ts';
import { grade, type Grade } from '../../src/grading/grade.ts';
import { checkRunOutput, pullRequestComment } from '../../src/report/markdown.ts';
import { renderTerminal } from '../../src/report/terminal.ts';
import { loadPack, type Pack } from '../../src/rubrics/load.ts';
import { DockerSandboxProvider, SANDBOX_LABEL } from '../../src/sandbox/sandbox.ts';
import { criterionOf, packGrader } from '../helpers/pack-grader.ts';
import { emptyRepo, modelSolution, modelSolutionFiles, type FileTree } from '../fixtures/repos.ts';

/**
 * The MLOps pack against real containers: the model solution earns every automatic point of
 * every week, an empty repository earns close to nothing (with advice), and partial work earns
 * partial credit. Job ids carry this run's id, so other suites sharing the Docker engine are
 * never mistaken for our leftovers.
 */
const provider = new DockerSandboxProvider();
const RUN = `mlops-${randomUUID().slice(0, 8)}`;
let pack: Pack;
let model: string;
let empty: string;

/** RUBRICA_RUNNER_IMAGE names another runner image, e.g. one built from this branch's runner/. */
const IMAGE = process.env.RUBRICA_RUNNER_IMAGE || undefined;

const gradeWeek = packGrader(() => pack, provider, RUN, IMAGE);
const byId = criterionOf;

async function variant(change: FileTree, prefix: string): Promise<string> {
  return modelSolution({ change, prefix });
}

beforeAll(async () => {
  pack = await loadPack('mlops');
  model = await modelSolution();
  empty = await emptyRepo();
});

afterAll(async () => {
  const ours = (await provider.docker.listContainers({ all: true, filters: { label: [SANDBOX_LABEL] } })).filter((c) =>
    (c.Labels[`${SANDBOX_LABEL}.job`] ?? '').startsWith(`${RUN}-`),
  );
  expect(ours.map((c) => c.Labels[`${SANDBOX_LABEL}.job`])).toEqual([]);
});

const WEEKS = Array.from({ length: 10 }, (_, i) => i + 1);

describe('MLOps pack: the model solution earns full marks every week', () => {
  it.each(WEEKS)('week %i', async (week) => {
    const result = await gradeWeek(model, week, 'model');
    const automatic = result.criteria.filter((c) => c.status !== 'pending');
    expect(automatic.filter((c) => c.status !== 'passed').map((c) => `${c.id} (${c.status}): ${c.message.en}`)).toEqual([]);
    const manual = pack.weeks.get(week)!.criteria.filter((c) => c.manual);
    expect(result.criteria.filter((c) => c.status === 'pending').map((c) => c.id)).toEqual(manual.map((c) => c.id));
    expect(result.pendingPoints).toBe(manual.reduce((s, c) => s + c.points, 0));
    expect(result.score).toBe(result.maxScore - result.pendingPoints);
    expect(result.errorPoints).toBe(0);
    expect(result.passed).toBe(true);
  });
});

describe('MLOps pack: an empty repository earns close to nothing, with advice', () => {
  it.each(WEEKS)('week %i', async (week) => {
    const result = await gradeWeek(empty, week, 'empty');
    expect(result.score).toBeLessThanOrEqual(15);
    expect(result.errorPoints).toBe(0);
    expect(result.passed).toBe(false);
    for (const c of result.criteria.filter((x) => x.status === 'failed' || x.status === 'partial')) {
      expect(c.feedback?.es.length, `${c.id} feedback (es)`).toBeGreaterThan(20);
      expect(c.feedback?.en.length, `${c.id} feedback (en)`).toBeGreaterThan(20);
      expect(c.message.es.length, `${c.id} message`).toBeGreaterThan(10);
    }
  });
});

describe('MLOps pack: partial work earns partial credit', () => {
  it('week 1: with 2 of 6 folders missing, the structure earns exactly 4/6 of its points and says the path is the assignment', async () => {
    const files = await modelSolutionFiles();
    const change = Object.fromEntries(
      Object.keys(files).filter((p) => p.startsWith('docs/') || p.startsWith('configs/')).map((p) => [p, null]),
    );
    const result = await gradeWeek(await variant(change, 'folders'), 1, 'folders');
    const structure = byId(result, 'estructura');
    expect(structure.score).toBe(16.67);
    expect(structure.status).toBe('partial');
    expect(structure.items.filter((i) => !i.ok).map((i) => plain(i.label.en)).sort()).toEqual(['`configs`', '`docs`']);
    expect(structure.message.es).toContain('consigna');
    expect(structure.feedback?.es).toContain('mkdir -p');
    expect(result.score).toBeCloseTo(100 - 25 + 16.67, 2);
  });

  it('week 1: README sections in English count', async () => {
    const readme = '# Iris\n\n## About\n\nA project.\n\n## Installation\n\npip install -e .\n\n## Usage\n\npython main.py\n\n## Project structure\n\nsrc/\n';
    const result = await gradeWeek(await variant({ 'README.md': readme }, 'english'), 1, 'english');
    expect(byId(result, 'readme').status).toBe('passed');
  });

  it('week 6: a failing test loses the tests criterion and says why; coverage and test counts still stand', async () => {
    const failing = 'def test_broken():\n    assert 1 == 2, "esto falla a propósito"\n';
    const result = await gradeWeek(await variant({ 'tests/test_broken.py': failing }, 'failing'), 6, 'failing');
    const tests = byId(result, 'tests-pasan');
    expect(tests.status).toBe('failed');
    expect(tests.score).toBe(0);
    expect(tests.message.en).toMatch(/exited with code 1/);
    expect(plain(tests.message.en)).toContain('Run it on your machine with `python3 -m pytest -q --cov=src`');
    expect(tests.details).toContain('test_broken');
    expect(tests.feedback?.es).toContain('pytest');
    expect(byId(result, 'cobertura').status).toBe('passed');
    expect(byId(result, 'tests-training').status).toBe('passed');
    expect(result.score).toBe(100 - tests.maxScore);
  });

  it('week 6: the model solution\'s messages name what was measured and the figure, with no shell plumbing, in every report', async () => {
    const result = await gradeWeek(model, 6, 'messages');
    const coverage = byId(result, 'cobertura');
    const figure = /(\d+(?:,\d)?) %/.exec(coverage.message.es)?.[1];
    expect(figure, coverage.message.es).toBeDefined();
    const percent = Number(figure!.replace(',', '.'));
    expect(percent).toBeGreaterThanOrEqual(70);
    expect(coverage.message.es.startsWith(`La cobertura de ${literal('src/')} es ${figure} % (mínimo 70 %).`)).toBe(true);
    expect(coverage.message.en).toContain(`is ${figure!.replace(',', '.')}% (minimum 70%)`);
    expect(byId(result, 'tests-pasan').message.es).toMatch(/^Tus tests pasan: pytest terminó con código 0\./);
    // pytest's count is the criterion's own file, not every test of the suite.
    expect(plain(byId(result, 'tests-training').message.es)).toMatch(/^`tests\/\*\*\/test_training\*\.py` tiene \d+ tests \(mínimo 5\)/);
    for (const c of result.criteria) {
      for (const text of [c.message.es, c.message.en]) expect(plain(text), c.id).not.toMatch(/\/work\/|status=|\$\?|;\s*exit|cacheprovider|--cov-config/);
    }
    // The figure reaches what the student reads: the check run's table, the PR comment and the terminal.
    const shown = `${figure} %`;
    expect(checkRunOutput(result, { locale: 'es', reveal: false }).summary).toContain(shown);
    expect(pullRequestComment(result, { locale: 'es', reveal: false, commit: 'abcdef1' })).toContain(shown);
    expect(renderTerminal(result, { locale: 'es', color: false, reveal: false })).toContain(shown);
  });

  it('week 8: the API is started and asked; with /docs turned off it loses that item only, and says what it answered', async () => {
    const files = await modelSolutionFiles();
    const api = files['src/mlproject/api.py']!.toString();
    const noDocs = api.replace('app = FastAPI(title="Iris API",', 'app = FastAPI(docs_url=None, title="Iris API",');
    expect(noDocs).not.toBe(api);
    const result = await gradeWeek(await variant({ 'src/mlproject/api.py': noDocs }, 'nodocs'), 8, 'nodocs');
    const endpoints = byId(result, 'api-endpoints');
    expect(endpoints.status).toBe('partial');
    expect(endpoints.score).toBe(18.75);
    expect(endpoints.items.map((i) => [i.label.en, i.ok, i.note?.en])).toEqual([
      ['GET /health answers 200 with JSON', true, undefined],
      ['POST /predict validates its input (422 without data)', true, undefined],
      ['/openapi.json documents GET /health and POST /predict', true, undefined],
      ['/docs documentation enabled', false, 'answered 404 (expected 200)'],
    ]);
    expect(endpoints.feedback?.en).toContain('/docs');
  });

  it('week 9: a Deployment whose second container has no probes loses the probes criterion', async () => {
    const files = await modelSolutionFiles();
    const deployment = files['k8s/deployment.yaml']!.toString();
    const sidecar = deployment.replace(
      /(      containers:\n)/,
      '$1        - name: sidecar\n          image: busybox:1.36\n          resources:\n            requests: { cpu: 10m, memory: 16Mi }\n            limits: { cpu: 50m, memory: 32Mi }\n',
    );
    expect(sidecar).not.toBe(deployment);
    const result = await gradeWeek(await variant({ 'k8s/deployment.yaml': sidecar }, 'sidecar'), 9, 'sidecar');
    const probes = byId(result, 'probes');
    // The Deployment is found (one item of three); both probe items fail on the sidecar.
    expect(probes.score).toBeCloseTo(20 / 3, 2);
    expect(probes.items.filter((i) => !i.ok).map((i) => i.label.en)).toEqual(['livenessProbe in every container', 'readinessProbe in every container']);
    expect(byId(result, 'deployment').status).toBe('passed');
  });
});
