import { randomUUID } from 'node:crypto';
import { afterAll, describe, expect, it } from 'vitest';
import { grade, type Grade } from '../../src/grading/grade.ts';
import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { exampleFiles, exampleHistory } from '../../src/rubrics/example.ts';
import { DEFAULT_RUNNER_IMAGE, scaffoldPack } from '../../src/rubrics/scaffold.ts';
import { loadPack, type Pack } from '../../src/rubrics/load.ts';
import { DockerSandboxProvider, SANDBOX_LABEL } from '../../src/sandbox/sandbox.ts';
import { directorySnapshot } from '../../src/sandbox/snapshot.ts';
import { emptyRepo, gitRepo, type FileTree } from '../fixtures/repos.ts';

/**
 * Every pack but MLOps (test/sandbox/mlops-pack.test.ts) against real containers: its
 * model solution (`rubrics/<pack>/example/`) earns every automatic point of every week, an
 * empty repository earns close to nothing with advice, and each partial variant earns
 * what it is stated to, in between.
 */
interface Partial {
  readonly name: string;
  readonly week: number;
  /** Edits to the model solution (null deletes a path and everything under it). */
  readonly change: FileTree;
  /** Points it earns (a variant states its score, so a change in any criterion shows). */
  readonly score: number;
  /** Criteria that must not pass in it, with a word of their message. */
  readonly misses: Record<string, RegExp>;
}

interface PackCase {
  readonly pack: string;
  /** The most an empty repository may earn in any week. */
  readonly emptyAtMost: number;
  readonly partials: readonly Partial[];
}

const CASES: readonly PackCase[] = [
  {
    pack: 'mlops-intro',
    // The template's own initial commit is a first commit (10 points): nothing else.
    emptyAtMost: 10,
    partials: [
      {
        name: 'two of four folders, no .gitignore',
        week: 1,
        change: { models: null, tests: null, '.gitignore': null },
        // estructura 2/4 of 40, primer-commit 10, dependencias 25, the .gitignore 0
        score: 55,
        misses: { estructura: /2 (de|of) 4/, 'entorno-fuera-de-git': /gitignore/i },
      },
      {
        name: 'a test that fails',
        week: 2,
        change: { 'tests/test_preprocesamiento.py': 'import unittest\n\nfrom src.preprocesamiento import normalizar\n\n\nclass TestNormalizar(unittest.TestCase):\n    def test_rango(self):\n        self.assertEqual(normalizar([2.0, 4.0]), [0.0, 0.5])\n' },
        score: 60,
        misses: { 'prueba-pasa': /1 fail, 0 error/ },
      },
    ],
  },
];

const provider = new DockerSandboxProvider();
const RUN = `packs-${randomUUID().slice(0, 8)}`;

afterAll(async () => {
  const ours = (await provider.docker.listContainers({ all: true, filters: { label: [SANDBOX_LABEL] } })).filter((c) =>
    (c.Labels[`${SANDBOX_LABEL}.job`] ?? '').startsWith(`${RUN}-`),
  );
  expect(ours.map((c) => c.Labels[`${SANDBOX_LABEL}.job`])).toEqual([]);
});

async function gradeWeek(pack: Pack, dir: string, week: number, label: string): Promise<Grade> {
  return grade({ pack, week: pack.weeks.get(week)!, source: directorySnapshot(dir), jobId: `${RUN}-${pack.name}-${label}-w${week}` }, provider);
}

async function variant(pack: Pack, change: FileTree): Promise<string> {
  const files: FileTree = { ...(await exampleFiles(pack)) };
  for (const [path, content] of Object.entries(change)) {
    if (content !== null) files[path] = content;
    else for (const p of Object.keys(files)) if (p === path || p.startsWith(`${path}/`)) delete files[p];
  }
  return gitRepo(exampleHistory(files), `${pack.name}-variant`);
}

describe.each(CASES)('the $pack pack', (c) => {
  const loaded = loadPack(c.pack);

  it('its model solution earns every automatic point of every week', async () => {
    const pack = await loaded;
    const dir = await variant(pack, {});
    for (const week of pack.weeks.keys()) {
      const result = await gradeWeek(pack, dir, week, 'model');
      const automatic = result.criteria.filter((x) => x.status !== 'pending');
      expect(automatic.filter((x) => x.status !== 'passed').map((x) => `week ${week} ${x.id} (${x.status}): ${x.message.en}`)).toEqual([]);
      expect(result.score, `week ${week}`).toBe(result.maxScore - result.pendingPoints);
      expect(result.errorPoints).toBe(0);
    }
  });

  it('an empty repository earns close to nothing, with advice for every criterion it misses', async () => {
    const pack = await loaded;
    const empty = await emptyRepo();
    for (const week of pack.weeks.keys()) {
      const result = await gradeWeek(pack, empty, week, 'empty');
      expect(result.score, `week ${week}`).toBeLessThanOrEqual(c.emptyAtMost);
      expect(result.passed).toBe(false);
      expect(result.errorPoints).toBe(0);
      for (const x of result.criteria.filter((y) => y.status === 'failed' || y.status === 'partial')) {
        expect(x.feedback?.es.length, `${x.id} feedback (es)`).toBeGreaterThan(20);
        expect(x.feedback?.en.length, `${x.id} feedback (en)`).toBeGreaterThan(20);
      }
    }
  });

  it.each(c.partials)('partial work, $name: earns what it is stated to', async (p) => {
    const pack = await loaded;
    const result = await gradeWeek(pack, await variant(pack, p.change), p.week, 'partial');
    for (const [id, word] of Object.entries(p.misses)) {
      const x = result.criteria.find((y) => y.id === id)!;
      expect(x.status, id).not.toBe('passed');
      expect(`${x.message.es} ${x.message.en} ${x.items.map((i) => `${i.label.en} ${i.note?.en ?? ''}`).join(' ')}`, id).toMatch(word);
    }
    expect(result.score).toBe(p.score);
  });
});

describe('a pack started with `rubrica pack new`', () => {
  it('grades its own model solution at full marks', async () => {
    const rubrics = await mkdtemp(join(tmpdir(), 'rubrica-new-pack-'));
    for (const [path, content] of Object.entries(scaffoldPack('nuevo', { locale: 'es', image: DEFAULT_RUNNER_IMAGE }))) {
      await mkdir(dirname(join(rubrics, 'nuevo', path)), { recursive: true });
      await writeFile(join(rubrics, 'nuevo', path), content);
    }
    const pack = await loadPack('nuevo', rubrics);
    const result = await gradeWeek(pack, await variant(pack, {}), 1, 'model');
    expect(result.criteria.filter((x) => x.status !== 'passed').map((x) => `${x.id}: ${x.message.en}`)).toEqual([]);
    expect(result.score).toBe(100);
  });
});
