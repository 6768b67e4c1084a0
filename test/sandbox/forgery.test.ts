import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { grade, type Grade } from '../../src/grading/grade.ts';
import { loadPack, type Pack } from '../../src/rubrics/load.ts';
import { DockerSandboxProvider } from '../../src/sandbox/sandbox.ts';
import { directorySnapshot } from '../../src/sandbox/snapshot.ts';
import { forgeryRepo, tricks } from '../fixtures/forgery.ts';
import { containersLeft } from '../helpers/containers.ts';

/**
 * The hostile-forgery suite: each trick a student used to rewrite a grade, on top of the
 * same honest partial work, graded against the MLOps pack's week 6 in real containers.
 * None may grade higher than the honest work alone, and none may end as an error of ours.
 */
const provider = new DockerSandboxProvider();
const RUN = `forgery-${randomUUID().slice(0, 8)}`;
let pack: Pack;
let honest: Grade;
const TRICKS = await tricks();
const scores: Record<string, number> = {};

async function gradeWeek6(change: Parameters<typeof forgeryRepo>[0], label: string): Promise<Grade> {
  const dir = await forgeryRepo(change, 'forgery');
  return grade({ pack, week: pack.weeks.get(6)!, source: directorySnapshot(dir), jobId: `${RUN}-${label}` }, provider);
}

function byId(result: Grade, id: string) {
  const c = result.criteria.find((x) => x.id === id);
  if (!c) throw new Error(`no criterion ${id}`);
  return c;
}

beforeAll(async () => {
  pack = await loadPack('mlops');
  honest = await gradeWeek6({}, 'honest');
});

afterAll(async () => {
  console.log(`week 6, honest work ${honest?.score}:\n${Object.entries(scores).map(([k, v]) => `  ${v}\t${k}`).join('\n')}`);
  expect(await containersLeft(provider, `${RUN}-`)).toEqual([]);
});

describe('forgery: the honest partial work', () => {
  it('grades 52: 3 of 5 training tests, a failing test, coverage under 70%', () => {
    expect(honest.criteria.map((c) => [c.id, c.score])).toEqual([
      ['conftest', 15],
      ['tests-training', 12],
      ['tests-config', 15],
      ['tests-pasan', 0],
      ['cobertura', 0],
      ['reporte-html', 10],
    ]);
    expect(byId(honest, 'cobertura').items.find((i) => /coverage of src/.test(i.label.en))?.label.en).toMatch(/coverage of src\/ \d+(\.\d)?% \(minimum 70%\)/);
  });
});

describe('forgery: no trick grades above the honest work', () => {
  it.each(Object.keys(TRICKS))('%s', async (name) => {
    const result = await gradeWeek6(TRICKS[name]!, name.replace(/[^a-z0-9]+/gi, '-').slice(0, 40));
    scores[name] = result.score;
    expect(result.errorPoints).toBe(0);
    expect(result.score).toBeLessThanOrEqual(honest.score);
    // Every criterion resting on the student's own run says what was measured.
    for (const id of ['tests-training', 'tests-pasan', 'cobertura']) expect(byId(result, id).message.en).toContain('Measured:');
    // Whatever the trick printed, the grade keeps the output cap.
    for (const c of result.criteria) expect(c.details?.length ?? 0).toBeLessThan(200_000);
    if (name.startsWith('os.kill')) {
      // The supervisor survives; the student's own test run is what was killed.
      expect(byId(result, 'tests-pasan').message.en).toMatch(/exited with code 137/);
    }
    if (name.includes('inventing')) {
      expect(byId(result, 'tests-training').items[0]!.note?.en).toMatch(/3 of 5 tests; pytest reported 12, but the files define fewer/);
    }
  });
});
