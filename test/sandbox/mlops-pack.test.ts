import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { grade, type Grade } from '../../src/grading/grade.ts';
import { loadPack, type Pack } from '../../src/rubrics/load.ts';
import { DockerSandboxProvider } from '../../src/sandbox/sandbox.ts';
import { containersLeft } from '../helpers/containers.ts';
import { directorySnapshot } from '../../src/sandbox/snapshot.ts';
import { emptyRepo, modelSolution, modelSolutionFiles } from '../fixtures/repos.ts';

const provider = new DockerSandboxProvider();
let pack: Pack;
let model: string;
let empty: string;

async function gradeWeek(dir: string, week: number): Promise<Grade> {
  return grade({ pack, week: pack.weeks.get(week)!, source: directorySnapshot(dir), jobId: `mlops-w${week}` }, provider);
}

function byId(result: Grade, id: string) {
  const c = result.criteria.find((x) => x.id === id);
  if (!c) throw new Error(`no criterion ${id}`);
  return c;
}

beforeAll(async () => {
  pack = await loadPack('mlops');
  model = await modelSolution();
  empty = await emptyRepo();
});

afterAll(async () => {
  expect(await containersLeft(provider, 'mlops-')).toEqual([]);
});

const WEEKS = Array.from({ length: 10 }, (_, i) => i + 1);

describe('MLOps pack: the model solution earns full marks every week', () => {
  it.each(WEEKS)('week %i', async (week) => {
    const result = await gradeWeek(model, week);
    const notPassed = result.criteria.filter((c) => c.status !== 'passed' && c.status !== 'pending');
    expect(notPassed.map((c) => `${c.id}: ${c.message.en}`)).toEqual([]);
    expect(result.score).toBe(result.maxScore - result.pendingPoints);
    expect(result.errorPoints).toBe(0);
  });
});

describe('MLOps pack: an empty repository earns close to zero, with advice', () => {
  it.each(WEEKS)('week %i', async (week) => {
    const result = await gradeWeek(empty, week);
    expect(result.score).toBeLessThanOrEqual(10);
    for (const c of result.criteria.filter((x) => x.status === 'failed' || x.status === 'partial')) {
      expect(c.feedback?.es.length).toBeGreaterThan(20);
      expect(c.feedback?.en.length).toBeGreaterThan(20);
      expect(c.message.es.length).toBeGreaterThan(10);
    }
    expect(result.errorPoints).toBe(0);
  });
});

describe('MLOps pack: partial work earns partial credit', () => {
  it('week 1: 4 of 6 folders earn 4/6 of the structure points, and the feedback says the path is the assignment', async () => {
    const files = await modelSolutionFiles();
    const change = Object.fromEntries(
      Object.keys(files).filter((p) => p.startsWith('docs/') || p.startsWith('configs/')).map((p) => [p, null]),
    );
    const result = await gradeWeek(await modelSolution({ change, prefix: 'partial' }), 1);
    const estructura = byId(result, 'estructura');
    expect(estructura.score).toBeCloseTo((25 * 4) / 6, 2);
    expect(estructura.status).toBe('partial');
    expect(estructura.message.es).toContain('configs');
    expect(estructura.message.es).toContain('consigna');
  });

  it('week 1: README sections in English count', async () => {
    const readme = '# Iris\n\n## About\n\nA project.\n\n## Installation\n\npip install\n\n## Usage\n\nrun\n\n## Project structure\n\nsrc/\n';
    const result = await gradeWeek(await modelSolution({ change: { 'README.md': readme }, prefix: 'english' }), 1);
    expect(byId(result, 'readme').status).toBe('passed');
  });

  it('week 6: a failing test loses the tests criterion, and says so', async () => {
    const failing = 'def test_broken():\n    assert 1 == 2, "esto falla a propósito"\n';
    const result = await gradeWeek(await modelSolution({ change: { 'tests/test_broken.py': failing }, prefix: 'failing' }), 6);
    const tests = byId(result, 'tests-pasan');
    expect(tests.status).toBe('failed');
    expect(tests.details).toContain('test_broken');
    expect(byId(result, 'cobertura').status).toBe('passed');
    expect(byId(result, 'tests-training').status).toBe('passed');
  });

  it('week 9: a Deployment whose second container has no probes loses the probes criterion', async () => {
    const files = await modelSolutionFiles();
    const deployment = files['k8s/deployment.yaml']!.toString();
    const sidecar = deployment.replace(
      /(      containers:\n)/,
      '$1        - name: sidecar\n          image: busybox:1.36\n          resources:\n            requests: { cpu: 10m, memory: 16Mi }\n            limits: { cpu: 50m, memory: 32Mi }\n',
    );
    const result = await gradeWeek(await modelSolution({ change: { 'k8s/deployment.yaml': sidecar }, prefix: 'sidecar' }), 9);
    const probes = byId(result, 'probes');
    // The Deployment is found (one item of three), the two probe items fail.
    expect(probes.score).toBeCloseTo(20 / 3, 2);
    expect(probes.items.filter((i) => !i.ok).map((i) => i.label.en)).toEqual(['livenessProbe in every container', 'readinessProbe in every container']);
    expect(byId(result, 'deployment').status).toBe('passed');
  });
});
