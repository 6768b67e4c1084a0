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
import { courseUnits, parseCourseFile, rubricOf } from '../../src/course/load.ts';
import { parseUnitKey, type UnitKey } from '../../src/course/unit.ts';
import { countedUnitOf, finalOfOneGrading, type FinalGrade } from '../../src/grading/final-grade.ts';
import { unitCriteria, type Week } from '../../src/rubrics/load.ts';
import { readFileSync } from 'node:fs';

/**
 * Every pack but MLOps (test/sandbox/mlops-pack.test.ts) against real containers: its
 * model solution (`rubrics/<pack>/example/`) earns every automatic point of every unit (each
 * week; each delivery of each assignment), an empty repository earns close to nothing with
 * advice, and each partial variant earns what it is stated to, in between. A pack with a
 * final grade states it for each of them, as `rubrica check --json` computes it.
 */
interface Partial {
  readonly name: string;
  /** The unit it is graded on: `week-2`, `final/final`. */
  readonly unit: UnitKey;
  /** Edits to the model solution (null deletes a path and everything under it), or a function of its files. */
  readonly change: FileTree | ((files: Readonly<Record<string, Buffer>>) => FileTree);
  /** Points it earns (a variant states its score, so a change in any criterion shows). */
  readonly score: number;
  /** Criteria that must not pass in it, with a word of their message. */
  readonly misses: Record<string, RegExp>;
  /** The final grade that grading shows (packs with `final:`). */
  readonly final?: Expected;
}

/** A final grade as `rubrica check --json` prints it: the grade, the level's id, whether it passes. */
interface Expected {
  readonly grade: number;
  readonly level: string | null;
  readonly passed: boolean | undefined;
}

interface PackCase {
  readonly pack: string;
  /** The most an empty repository may earn in any unit. */
  readonly emptyAtMost: number;
  /** The course file that defines the pack's assignments' deliveries (without one, each assignment is graded whole). */
  readonly course?: string;
  /** The final grade of the model solution and of an empty repository, graded on `on`. */
  readonly final?: { readonly on: UnitKey; readonly model: Expected; readonly empty: Expected };
  readonly partials: readonly Partial[];
}

/** The README's AMq2 course file: the deliveries the AMq2 pack is graded in. */
const README = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
const AMQ2_COURSE = /```yaml\n(courses:\n  - id: mlops[\s\S]*?)```/.exec(README)?.[1] ?? '';

/** The AMq2 model solution at the local level: no containers, the DAG trains and saves the artifact, no MLflow registry. */
function amq2Local(files: Readonly<Record<string, Buffer>>): FileTree {
  const text = (path: string) => files[path]!.toString('utf8');
  const train = text('src/iris_service/train.py');
  const localTrain = train.slice(0, train.indexOf('def log_to_mlflow')) + train.slice(train.indexOf('if __name__'));
  const dag = text('airflow/dags/train_iris_model.py').replace(/    @task\n    def extract[\s\S]*$/, [
    '    @task',
    '    def extract() -> str:',
    '        from iris_service.data import load_data',
    '',
    '        load_data().to_csv("/opt/airflow/data/raw.csv", index=False)',
    '        return "/opt/airflow/data/raw.csv"',
    '',
    '    @task',
    '    def train_and_save(raw_path: str) -> float:',
    '        from iris_service.train import save, train',
    '',
    '        model, f1 = train(c=1.0)',
    '        save(model, "/opt/airflow/models/model.joblib")',
    '        return f1',
    '',
    '    raw = extract()',
    '    train_and_save(raw)',
    '',
    '',
    'train_iris_model()',
    '',
  ].join('\n'));
  return {
    'docker-compose.yaml': null,
    dockerfiles: null,
    'src/iris_service/train.py': localTrain,
    'airflow/dags/train_iris_model.py': dag,
    // The group's names missing from the README: one of its five points.
    'README.md': text('README.md').replace(/## Integrantes[\s\S]*$/, ''),
  };
}

const CASES: readonly PackCase[] = [
  {
    pack: 'mlops-intro',
    // The template's own initial commit is a first commit (10 points): nothing else.
    emptyAtMost: 10,
    partials: [
      {
        name: 'two of four folders, no .gitignore',
        unit: 'week-1',
        change: { models: null, tests: null, '.gitignore': null },
        // estructura 2/4 of 40, primer-commit 10, dependencias 25, the .gitignore 0
        score: 55,
        misses: { estructura: /2 (de|of) 4/, 'entorno-fuera-de-git': /gitignore/i },
      },
      {
        name: 'a test that fails',
        unit: 'week-2',
        change: { 'tests/test_preprocesamiento.py': 'import unittest\n\nfrom src.preprocesamiento import normalizar\n\n\nclass TestNormalizar(unittest.TestCase):\n    def test_rango(self):\n        self.assertEqual(normalizar([2.0, 4.0]), [0.0, 0.5])\n' },
        score: 60,
        misses: { 'prueba-pasa': /1 fail, 0 error/ },
      },
    ],
  },
  {
    pack: 'amq2',
    // The template's README title: 1 of the documentation's 5 points.
    emptyAtMost: 2,
    course: AMQ2_COURSE,
    final: {
      on: 'final/final',
      model: { grade: 10, level: 'containers', passed: true },
      // Below "local": 6 times its share (2 of 60 points), a fail.
      empty: { grade: 0.2, level: null, passed: false },
    },
    partials: [
      {
        name: 'the local level: the development cycle orchestrated, no containers',
        unit: 'final/final',
        change: amq2Local,
        // readme 8 (no group), desarrollo 10, entrenamiento 15, dag 15, buenas-practicas 10;
        // mlflow-registro 4 (the notebook's tracking: 2 of 5), compose, dockerfile, servicio 0
        score: 62,
        misses: { readme: /4 (de|of) 5/, compose: /docker-compose|compose\.y/, servicio: /dockerfiles\/fastapi\/app\.py/, 'mlflow-registro': /2 (de|of) 5/ },
        // all of "local" but the README's group (58 of 60): 6 + 2 × 58/60
        final: { grade: 7.9, level: 'local', passed: true },
      },
      {
        name: 'the first delivery without its DAG',
        unit: 'final/first',
        change: { airflow: null },
        // readme, desarrollo, entrenamiento (its files in src/) and no dag: 35 of 50
        score: 35,
        misses: { dag: /airflow\/dags/ },
      },
    ],
  },
  {
    pack: 'mlops-senior',
    // A README with a title: a little of week 16's README and portfolio criteria, nothing else.
    emptyAtMost: 6,
    partials: [
      {
        name: 'a function whose return type is wrong',
        unit: 'week-1',
        change: (files) => ({ 'src/mlproject/drift.py': `${files['src/mlproject/drift.py']!.toString('utf8')}\n\ndef threshold() -> int:\n    return "0.05"\n` }),
        // src-layout 25, annotations 20, Pydantic 15; mypy 0 of 40
        score: 60,
        misses: { 'mypy-pasa': /src\/mlproject\/drift\.py:\d+/ },
      },
      {
        name: 'no HorizontalPodAutoscaler',
        unit: 'week-14',
        change: { 'k8s/hpa.yaml': null },
        // deployment 35 and secrets 25; the HPA 0 of 40
        score: 60,
        misses: { hpa: /HorizontalPodAutoscaler|scaleTargetRef/ },
      },
    ],
  },
];

/** The units a pack is graded on: its weeks, then each delivery (or whole assignment) the course file gives it. */
async function unitsOf(c: PackCase, pack: Pack): Promise<Map<UnitKey, Week>> {
  const units = new Map<UnitKey, Week>([...pack.weeks].map(([n, w]) => [`week-${n}`, w]));
  if (!c.course) {
    for (const [id, rubric] of pack.assignments) units.set(id, rubric);
    return units;
  }
  const setup = await parseCourseFile(c.course);
  if (setup.status !== 'ready') throw new Error(`the ${c.pack} course file is not ready: ${JSON.stringify(setup)}`);
  for (const course of setup.courses.filter((x) => x.pack.name === pack.name)) {
    for (const key of courseUnits(course.config)) {
      const unit = parseUnitKey(key);
      if (unit?.kind !== 'assignment') continue;
      const rubric = rubricOf(course, course.config.assignments.find((a) => a.id === unit.assignment), key);
      if (rubric) units.set(key, rubric);
    }
  }
  return units;
}

const finalOf = (pack: Pack, result: Grade): Expected => {
  const { grade, level, passed } = finalOfOneGrading(pack.final!, unitCriteria(pack.weeks, pack.assignments), countedUnitOf(result));
  return { grade, level: level?.id ?? null, passed };
};

const provider = new DockerSandboxProvider();
const RUN = `packs-${randomUUID().slice(0, 8)}`;

afterAll(async () => {
  const ours = (await provider.docker.listContainers({ all: true, filters: { label: [SANDBOX_LABEL] } })).filter((c) =>
    (c.Labels[`${SANDBOX_LABEL}.job`] ?? '').startsWith(`${RUN}-`),
  );
  expect(ours.map((c) => c.Labels[`${SANDBOX_LABEL}.job`])).toEqual([]);
});

async function gradeUnit(pack: Pack, dir: string, rubric: Week, label: string): Promise<Grade> {
  return grade({ pack, week: rubric, source: directorySnapshot(dir), jobId: `${RUN}-${pack.name}-${label}-${rubric.unit.replace('/', '-')}` }, provider);
}

async function variant(pack: Pack, change: Partial['change']): Promise<string> {
  const example = await exampleFiles(pack);
  const files: FileTree = { ...example };
  for (const [path, content] of Object.entries(typeof change === 'function' ? change(example) : change)) {
    if (content !== null) files[path] = content;
    else for (const p of Object.keys(files)) if (p === path || p.startsWith(`${path}/`)) delete files[p];
  }
  return gitRepo(exampleHistory(files), `${pack.name}-variant`);
}

describe.each(CASES)('the $pack pack', (c) => {
  const loaded = loadPack(c.pack);

  const units = loaded.then((pack) => unitsOf(c, pack));

  it('its model solution earns every automatic point of every unit', async () => {
    const pack = await loaded;
    const dir = await variant(pack, {});
    expect((await units).size).toBeGreaterThan(0);
    for (const [key, rubric] of await units) {
      const result = await gradeUnit(pack, dir, rubric, 'model');
      const automatic = result.criteria.filter((x) => x.status !== 'pending');
      expect(automatic.filter((x) => x.status !== 'passed').map((x) => `${key} ${x.id} (${x.status}): ${x.message.en}`)).toEqual([]);
      expect(result.score, key).toBe(result.maxScore - result.pendingPoints);
      expect(result.errorPoints).toBe(0);
      if (c.final?.on === key) expect(finalOf(pack, result)).toEqual(c.final.model);
    }
  });

  it('an empty repository earns close to nothing, with advice for every criterion it misses', async () => {
    const pack = await loaded;
    const empty = await emptyRepo();
    for (const [key, rubric] of await units) {
      const result = await gradeUnit(pack, empty, rubric, 'empty');
      expect(result.score, key).toBeLessThanOrEqual(c.emptyAtMost);
      if (c.final?.on === key) expect(finalOf(pack, result)).toEqual(c.final.empty);
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
    const rubric = (await units).get(p.unit);
    expect(rubric, p.unit).toBeDefined();
    const result = await gradeUnit(pack, await variant(pack, p.change), rubric!, 'partial');
    for (const [id, word] of Object.entries(p.misses)) {
      const x = result.criteria.find((y) => y.id === id)!;
      expect(x.status, id).not.toBe('passed');
      expect(`${x.message.es} ${x.message.en} ${x.items.map((i) => `${i.label.en} ${i.note?.en ?? ''}`).join(' ')}`, id).toMatch(word);
    }
    expect(result.score).toBe(p.score);
    if (p.final) expect(finalOf(pack, result)).toEqual(p.final);
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
    const result = await gradeUnit(pack, await variant(pack, {}), pack.weeks.get(1)!, 'model');
    expect(result.criteria.filter((x) => x.status !== 'passed').map((x) => `${x.id}: ${x.message.en}`)).toEqual([]);
    expect(result.score).toBe(100);
  });
});
