import { grade, type Grade } from '../../src/grading/grade.ts';
import type { Pack } from '../../src/rubrics/load.ts';
import type { SandboxProvider } from '../../src/sandbox/sandbox.ts';
import { directorySnapshot } from '../../src/sandbox/snapshot.ts';

/**
 * Grades a folder against one week of `pack()`; job ids start with `run`, so a suite finds
 * its own leftovers. `image` replaces the pack's runner image (RUBRICA_RUNNER_IMAGE in a suite).
 */
export function packGrader(pack: () => Pack, provider: SandboxProvider, run: string, image?: string) {
  return (dir: string, week: number, label: string): Promise<Grade> =>
    grade({ pack: pack(), week: pack().weeks.get(week)!, source: directorySnapshot(dir), jobId: `${run}-${label}-w${week}`, ...(image ? { image } : {}) }, provider);
}

/** A criterion of a grade, by id; a missing one fails the test with its name. */
export function criterionOf(result: Grade, id: string) {
  const c = result.criteria.find((x) => x.id === id);
  if (!c) throw new Error(`week ${result.week} has no criterion ${id}`);
  return c;
}
