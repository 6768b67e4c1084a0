import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { plain } from '../../src/core/text.ts';
import { grade, type Grade } from '../../src/grading/grade.ts';
import { loadPack, type Pack } from '../../src/rubrics/load.ts';
import { DockerSandboxProvider } from '../../src/sandbox/sandbox.ts';
import { directorySnapshot } from '../../src/sandbox/snapshot.ts';
import { containersLeft } from '../helpers/containers.ts';
import { modelSolution } from '../fixtures/repos.ts';

/**
 * A hang costs one timeout: the MLOps week 6 on a repository whose conftest loops
 * forever. `pytest --collect-only` is stopped at its limit (120 s); the coverage run
 * collects the same tests, so it is not run and says why, instead of waiting out
 * its own 180 s.
 */
const provider = new DockerSandboxProvider();
const RUN = `hang-${randomUUID().slice(0, 8)}`;
let pack: Pack;
let result: Grade;
let elapsedMs: number;

beforeAll(async () => {
  pack = await loadPack('mlops');
  const repo = await modelSolution({ change: { 'tests/conftest.py': 'import pytest\n\nwhile True:\n    pass\n\n@pytest.fixture\ndef config():\n    return {}\n' }, prefix: 'hanging' });
  const started = performance.now();
  result = await grade({ pack, week: pack.weeks.get(6)!, source: directorySnapshot(repo), jobId: `${RUN}-w6` }, provider);
  elapsedMs = performance.now() - started;
  console.log(`week 6 with a looping conftest graded in ${(elapsedMs / 1000).toFixed(1)} s (collect limit 120 s, test run limit 180 s)`);
}, 400_000);

afterAll(async () => {
  expect(await containersLeft(provider, RUN)).toEqual([]);
});

const byId = (id: string) => result.criteria.find((c) => c.id === id)!;

describe('a suite that hangs while collecting (MLOps week 6)', () => {
  it('ends within one check timeout plus 30 s', () => {
    const collectLimit = (pack.weeks.get(6)!.criteria.find((c) => c.id === 'tests-training')!.params as { timeout: number }).timeout;
    expect(collectLimit).toBe(120);
    expect(elapsedMs).toBeLessThan((collectLimit + 30) * 1000);
  });

  it('the collecting criteria say pytest was stopped while collecting', () => {
    for (const id of ['tests-training', 'tests-config']) {
      expect(byId(id).score).toBe(0);
      expect(byId(id).message.en).toContain('pytest was stopped at 120 s while collecting your tests');
    }
  });

  it('the criteria running the same tests fail at once with the same explanation', () => {
    for (const id of ['tests-pasan', 'cobertura']) {
      const c = byId(id);
      expect(c.status).toBe('failed');
      expect(c.score).toBe(0);
      // Commands are student-facing literals (shown as code): read the message as the terminal shows it.
      expect(plain(c.message.en)).toMatch(/was not run: it collects the same tests as `python3 -m pytest --collect-only -q tests`, which never finished\. pytest was stopped at 120 s while collecting your tests/);
      expect(c.details).toContain('not run:');
    }
  });

  it('criteria that run no command are graded as usual', () => {
    expect(byId('conftest').status).toBe('passed');
    expect(byId('reporte-html').score).toBe(byId('reporte-html').maxScore);
  });
});
