import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { plain } from '../../src/core/text.ts';
import type { Grade } from '../../src/grading/grade.ts';
import { loadPack, type Pack } from '../../src/rubrics/load.ts';
import { DockerSandboxProvider, SANDBOX_LABEL } from '../../src/sandbox/sandbox.ts';
import { criterionOf, packGrader } from '../helpers/pack-grader.ts';
import { importsMissingModule, NESTED_PROJECT, nestedProject, twoProjects } from '../fixtures/repos.ts';

/**
 * Real repositories graded as a TA would, in real containers with the MLOps pack: the
 * project found in a subfolder (one, or the best of two), and a test file importing a
 * library the runner image lacks, declared by the student (the environment's problem:
 * not counted) or not (the student's: named). The runner image has no `pandera` and no
 * `ctgan`; the config tests import fine beside the training tests that need them.
 */
const provider = new DockerSandboxProvider();
const RUN = `project-${randomUUID().slice(0, 8)}`;
let pack: Pack;

const gradeWeek = packGrader(() => pack, provider, RUN, process.env.RUBRICA_RUNNER_IMAGE || undefined);
const byId = criterionOf;

const en = (c: { message: { en: string } }) => plain(c.message.en);
const notPassed = (g: Grade) => g.criteria.filter((c) => c.status !== 'passed' && c.status !== 'pending').map((c) => `${c.id} (${c.status}): ${en(c)}`);

beforeAll(async () => {
  pack = await loadPack('mlops');
});

afterAll(async () => {
  const ours = (await provider.docker.listContainers({ all: true, filters: { label: [SANDBOX_LABEL] } })).filter((c) =>
    (c.Labels[`${SANDBOX_LABEL}.job`] ?? '').startsWith(`${RUN}-`),
  );
  expect(ours.map((c) => c.Labels[`${SANDBOX_LABEL}.job`])).toEqual([]);
});

describe('a project in a subfolder of a portfolio', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await nestedProject();
  });

  it.each([2, 4, 8])('week %i is graded from the project folder and earns every automatic point', async (week) => {
    const result = await gradeWeek(dir, week, 'nested');
    expect(result.project).toEqual({ root: NESTED_PROJECT, rule: 'only', candidates: [{ root: NESTED_PROJECT, deliverables: expect.any(Number) }] });
    expect(notPassed(result)).toEqual([]);
    expect(result.errorPoints).toBe(0);
  });

  it("week 1's layout stays the repository's: the folders must be at its root", async () => {
    const result = await gradeWeek(dir, 1, 'nested');
    expect(result.project).toBeUndefined();
    const estructura = byId(result, 'estructura');
    expect(estructura.score).toBe(0);
    expect(en(estructura)).toContain('The location is part of the assignment');
  });
});

describe('two candidate projects', () => {
  it('grades the one with most of the week\'s deliverables and says which, among which', async () => {
    const result = await gradeWeek(await twoProjects(), 2, 'two');
    expect(result.project?.root).toBe('projects/mlops');
    expect(result.project?.rule).toBe('most-deliverables');
    expect(result.project?.candidates.map((c) => c.root)).toEqual(['projects/mlops', 'projects/a-intro']);
    expect(result.project!.candidates[0]!.deliverables).toBeGreaterThan(result.project!.candidates[1]!.deliverables);
    expect(notPassed(result)).toEqual([]);
  });
});

describe('a test file imports a library the runner image lacks', () => {
  it('declared by the student: what cannot be judged is not counted; the tests are counted from their source, the rest of the suite is run', async () => {
    const result = await gradeWeek(await importsMissingModule('pandera', true, 'declared'), 6, 'declared');
    // The training tests cannot be imported, so they are counted from their source; the config tests import fine.
    const training = byId(result, 'tests-training');
    expect(training.status).toBe('passed');
    expect(training.items[0]!.note?.en).toMatch(/^13 of 5 tests; 13 counted from the source, not run/);
    expect(en(training)).toContain("The course's image lacks the module `pandera`, which you declare in `requirements.txt`");
    expect(byId(result, 'tests-config').status).toBe('passed');
    // The suite cannot be judged whole: it is run again past the file that cannot import, and the rest pass.
    const suite = byId(result, 'tests-pasan');
    expect(suite.status).toBe('error');
    expect(suite.score).toBeNull();
    expect(en(suite)).toContain('not gradable in this environment and does not count against you');
    expect(en(suite)).toContain('The tests of the other files pass (`python3 -m pytest --continue-on-collection-errors');
    // Coverage can only grow with more tests: the minimum reached by the tests that could run is judged.
    const coverage = byId(result, 'cobertura');
    expect(coverage.status).toBe('passed');
    expect(en(coverage)).toContain('and they already reach what is asked');
    expect(result.errorPoints).toBe(20);
    expect(result.score).toBe(80);
    expect(result.environment).toEqual({ missing: [{ module: 'pandera', distribution: 'pandera', declaredIn: 'requirements.txt' }] });
  });

  it('declared, but a test of a file that imports fails: that failure is judged, the student\'s', async () => {
    const failing = 'def test_fails_for_real():\n    assert 1 + 1 == 3\n';
    const result = await gradeWeek(await importsMissingModule('pandera', true, 'declared-failing', { 'tests/test_failing.py': failing }), 6, 'declared-failing');
    const suite = byId(result, 'tests-pasan');
    expect(suite.status).toBe('failed');
    expect(suite.score).toBe(0);
    expect(en(suite)).toContain('So the tests of the other files were run (without `tests/test_training.py`');
    expect(suite.details).toContain('test_fails_for_real');
    // Coverage reached without the training tests stands (more tests could only add to it).
    expect(byId(result, 'cobertura').status).toBe('passed');
    expect(result.environment?.missing.map((m) => m.module)).toEqual(['pandera']);
  });

  it('not declared: the student is told which file imports what their requirements do not list', async () => {
    const result = await gradeWeek(await importsMissingModule('ctgan', false, 'undeclared'), 6, 'undeclared');
    const sentence = '`tests/test_training.py` imports `ctgan`, which your requirements do not list.';
    const training = byId(result, 'tests-training');
    expect(training.status).toBe('failed');
    expect(en(training)).toContain(sentence);
    const suite = byId(result, 'tests-pasan');
    expect(suite.status).toBe('failed');
    expect(en(suite)).toContain(sentence);
    expect(byId(result, 'tests-config').status).toBe('passed');
    expect(result.errorPoints).toBe(0);
    expect(result.environment).toBeUndefined();
  });
});
