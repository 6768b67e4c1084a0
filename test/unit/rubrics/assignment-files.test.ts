import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { loadPack } from '../../../src/rubrics/load.ts';
import { formatProblem, RubricError } from '../../../src/rubrics/problems.ts';

/** Assignment rubrics (`assignment-ID.yaml`) next to week files: validated like weeks, keyed by their `assignment:`. */
const FIXTURE = fileURLToPath(new URL('../../fixtures/packs/courses-final', import.meta.url));
const dirs: string[] = [];

async function packWith(files: Record<string, string>): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'rubrica-assignments-'));
  dirs.push(dir);
  await cp(FIXTURE, dir, { recursive: true });
  for (const [name, text] of Object.entries(files)) await writeFile(join(dir, name), text);
  return dir;
}

async function problemsOf(dir: string): Promise<string> {
  try {
    await loadPack(dir);
  } catch (error) {
    if (error instanceof RubricError) return error.problems.map(formatProblem).join('\n');
    throw error;
  }
  throw new Error('expected an invalid pack');
}

afterAll(async () => {
  for (const d of dirs) await rm(d, { recursive: true, force: true });
});

describe('assignment rubrics in a pack', () => {
  it('loads an assignment-only pack, its rubric keyed by `assignment:` and its unit', async () => {
    const pack = await loadPack(FIXTURE);
    expect(pack.weeks.size).toBe(0);
    expect([...pack.assignments.keys()]).toEqual(['final']);
    expect(pack.assignments.get('final')).toMatchObject({ unit: 'final', week: 0, criteria: [{ id: 'readme' }, { id: 'src' }, { id: 'compose' }] });
  });

  it('says when the file name and `assignment:` differ, when points miss the scale, and names a file that is neither', async () => {
    const renamed = await packWith({ 'assignment-tp1.yaml': await readFile(join(FIXTURE, 'assignment-final.yaml'), 'utf8') });
    expect(await problemsOf(renamed)).toContain('says assignment final, but the file name says tp1');
    const short = await packWith({
      'assignment-tp2.yaml': 'assignment: tp2\ntitle: { es: TP 2, en: TP 2 }\ncriteria:\n  - id: readme\n    title: { es: README, en: README }\n    points: 50\n    check: { kind: files, require: [{ glob: README.md }] }\n    feedback: { es: Agrega un README., en: Add a README. }\n',
    });
    expect(await problemsOf(short)).toContain("the points add up to 50, but the pack's scale is 100");
    const stray = await packWith({ 'final.yaml': 'assignment: final\n' });
    expect(await problemsOf(stray)).toContain('is not a rubric file: name week files `week-01.yaml`, `week-02.yaml`, … and assignment files `assignment-final.yaml`');
  });
});
