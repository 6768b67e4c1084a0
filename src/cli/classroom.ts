import { promises as fs } from 'node:fs';
import { basename, dirname, join, relative, resolve } from 'node:path';
import { parse as parseYaml } from 'yaml';
import {
  ClassroomFormatError,
  IMPORT_MARKER,
  parseAutogradingJson,
  parseClassroomWorkflow,
  weekFromTests,
  type ClassroomTest,
  type NotCarried,
} from '../import/classroom.ts';
import { loadPack, RUBRICS_DIR } from '../rubrics/load.ts';
import { formatProblem, RubricError } from '../rubrics/problems.ts';
import { PackFileSchema } from '../rubrics/schema.ts';
import { SandboxLimitsSchema } from '../sandbox/limits.ts';
import { same } from '../core/text.ts';
import { parse } from './args.ts';
import { usage } from './errors.ts';
import type { RecordsIo } from './records.ts';
import { DEFAULT_RUNNER_IMAGE } from '../rubrics/scaffold.ts';

/** A bad argument or file, said in one sentence (exit status 2). */
const refuse = (message: string) => usage('bad-argument', same(message));

export const AUTOGRADING_JSON = '.github/classroom/autograding.json';
export const CLASSROOM_WORKFLOW = '.github/workflows/classroom.yml';

interface Source {
  readonly tests: ClassroomTest[];
  readonly files: readonly string[];
  readonly repoFiles: readonly string[];
  readonly name: string;
  readonly notes: NotCarried[];
}

async function readIfThere(path: string): Promise<string | null> {
  return fs.readFile(path, 'utf8').catch((e: NodeJS.ErrnoException) => {
    if (e.code === 'ENOENT') return null;
    throw e;
  });
}

/** The repository's files, relative, without .git and dependency folders; enough to spot test files. */
async function listFiles(root: string, limit = 5000): Promise<string[]> {
  const out: string[] = [];
  const walk = async (dir: string): Promise<void> => {
    for (const e of await fs.readdir(dir, { withFileTypes: true })) {
      if (out.length >= limit) return;
      if (['.git', 'node_modules', '.venv', 'target', 'build'].includes(e.name)) continue;
      const full = join(dir, e.name);
      // Symlinks are listed, never followed.
      if (e.isDirectory()) await walk(full);
      else out.push(relative(root, full));
    }
  };
  await walk(root);
  return out.sort();
}

/** Reads Classroom's tests from a template repository, or from autograding.json / classroom.yml given directly. */
export async function readClassroom(path: string): Promise<Source> {
  const abs = resolve(path);
  const stat = await fs.stat(abs).catch(() => null);
  if (!stat) throw refuse(`${path} does not exist`);
  let root: string;
  let jsonPath: string | null = null;
  let workflowPath: string | null = null;
  if (stat.isDirectory()) {
    root = abs;
    jsonPath = join(root, AUTOGRADING_JSON);
    workflowPath = join(root, CLASSROOM_WORKFLOW);
    if ((await readIfThere(workflowPath)) === null) workflowPath = join(root, '.github/workflows/classroom.yaml');
  } else if (/\.json$/i.test(abs)) {
    jsonPath = abs;
    root = abs.endsWith(AUTOGRADING_JSON) ? abs.slice(0, -AUTOGRADING_JSON.length - 1) : dirname(abs);
  } else if (/\.ya?ml$/i.test(abs)) {
    workflowPath = abs;
    root = /\/\.github\/workflows\/[^/]+$/.test(abs) ? resolve(dirname(abs), '../..') : dirname(abs);
    jsonPath = join(root, AUTOGRADING_JSON);
  } else {
    throw refuse(`${path} is neither a folder, an autograding.json nor a workflow .yml`);
  }
  const shown = (p: string) => relative(process.cwd(), p) || p;
  const workflowText = workflowPath ? await readIfThere(workflowPath) : null;
  const jsonText = jsonPath ? await readIfThere(jsonPath) : null;
  const notes: NotCarried[] = [];
  const files: string[] = [];
  let tests: ClassroomTest[] = [];
  const problems: ClassroomFormatError[] = [];
  let workflowTests: ClassroomTest[] = [];
  if (workflowText !== null) {
    try {
      const wf = parseClassroomWorkflow(shown(workflowPath!), workflowText);
      workflowTests = wf.tests;
      for (const step of wf.otherSteps) {
        notes.push({
          test: `workflow step ${step}`,
          what: 'Rubrica does not run workflow steps (the sandbox is the runner image)',
          instead: /setup-(java|node|python|go|dotnet)|install/i.test(step) ? 'put the toolchain it sets up in the runner image' : 'do its work in the runner image or in a test\'s setup',
        });
      }
      files.push(shown(workflowPath!));
    } catch (e) {
      if (e instanceof ClassroomFormatError) problems.push(e);
      else throw e;
    }
  }
  let jsonTests: ClassroomTest[] = [];
  if (jsonText !== null) {
    try {
      jsonTests = parseAutogradingJson(shown(jsonPath!), jsonText);
      files.push(shown(jsonPath!));
    } catch (e) {
      if (e instanceof ClassroomFormatError) problems.push(e);
      else throw e;
    }
  }
  if (problems.length) throw new ClassroomFormatError(problems.flatMap((p) => p.problems));
  if (workflowTests.length > 0) {
    tests = workflowTests;
    if (jsonTests.length > 0) {
      notes.push({
        test: shown(jsonPath!),
        what: 'its tests were not imported: the workflow runs its own grader steps, which are the ones imported',
        instead: 'if autograding.json holds the tests you mean, pass its path to the import',
      });
    }
  } else {
    tests = jsonTests;
  }
  if (workflowText === null && jsonText === null) {
    throw refuse(`no Classroom tests at ${path}: expected ${AUTOGRADING_JSON} or ${CLASSROOM_WORKFLOW}`);
  }
  if (tests.length === 0) throw refuse(`${files.join(' and ') || path} hold no Classroom tests`);
  return { tests, files, repoFiles: stat.isDirectory() ? await listFiles(root) : [], name: basename(root), notes };
}

function slug(name: string): string {
  return name.toLowerCase().replace(/[^a-z0-9_-]+/g, '-').replace(/^-+|-+$/g, '') || 'classroom';
}

/** `rubrica import classroom PATH [--pack NAME] [--out DIR] [--week N | --assignment NAME]` */
export async function importCommand(args: readonly string[], io: RecordsIo): Promise<number> {
  const { values, positionals } = parse('import', args, { pack: { type: 'string' }, out: { type: 'string' }, week: { type: 'string' }, assignment: { type: 'string' }, title: { type: 'string' } });
  const [what, path] = positionals;
  if (what !== 'classroom' || !path || positionals.length > 2) {
    throw refuse('use "import classroom PATH [--pack NAME] [--out DIR] [--week N]"');
  }
  if (values.assignment !== undefined) {
    // Packs have weeks only; assignment courses are issue 13. Refusing beats guessing a week.
    throw refuse(
      `--assignment is not supported yet: rubric packs have weeks, not assignments. Import "${values.assignment}" as a week with --week N (e.g. one Classroom assignment per week).`,
    );
  }
  const week = values.week === undefined ? 1 : Number(values.week);
  if (!Number.isInteger(week) || week < 1 || week > 60) throw refuse(`--week must be a week number (1–60), not "${values.week}"`);

  let source: Source;
  try {
    source = await readClassroom(path);
  } catch (e) {
    if (e instanceof ClassroomFormatError) {
      io.stderr.write(`rubrica: nothing was imported; the Classroom files are malformed:\n${e.problems.map((p) => `  ${formatProblem(p)}`).join('\n')}\n`);
      return 2;
    }
    throw e;
  }

  const packName = values.pack ?? slug(source.name);
  if (!/^[a-z0-9][a-z0-9_-]*$/i.test(packName)) throw refuse(`--pack must be a folder name (letters, digits, - and _), not "${packName}"`);
  const outRoot = resolve(values.out ?? RUBRICS_DIR);
  const packDir = join(outRoot, packName);
  const weekFile = `week-${String(week).padStart(2, '0')}.yaml`;
  const existingPack = await readIfThere(join(packDir, 'pack.yaml'));

  let scale: number | null = null;
  let limitSeconds = SandboxLimitsSchema.parse({}).checkTimeoutSeconds;
  if (existingPack !== null) {
    const parsed = PackFileSchema.safeParse(parseYaml(existingPack));
    if (!parsed.success) throw refuse(`${join(packDir, 'pack.yaml')} is invalid; fix it (rubrica pack validate) before importing into it`);
    scale = parsed.data.scale;
    limitSeconds = SandboxLimitsSchema.parse(parsed.data.runner.limits).checkTimeoutSeconds;
    const current = await readIfThere(join(packDir, weekFile));
    if (current !== null && !current.startsWith(IMPORT_MARKER)) {
      throw refuse(`${join(packDir, weekFile)} exists and was not written by an import: choose another --week, or remove it first`);
    }
  } else if (week !== 1) {
    throw refuse(`the pack "${packName}" does not exist yet, so its first week must be 1 (weeks are numbered without gaps), not ${week}`);
  }

  const draft = weekFromTests(source.tests, {
    week,
    title: values.title ?? source.name,
    source: source.files.join(' and '),
    limitSeconds,
    repoFiles: source.repoFiles,
  });
  const notCarried = [...source.notes, ...draft.notCarried];
  if (draft.criteria === 0) throw refuse(`no test in ${source.files.join(' and ')} is worth points, so there is nothing to grade`);
  if (!Number.isInteger(draft.total)) throw refuse(`the tests add up to ${draft.total} points; a pack's scale is a whole number`);
  if (scale !== null && scale !== draft.total) {
    throw refuse(
      `the tests add up to ${draft.total} points but the pack "${packName}" has a scale of ${scale}: every week must add up to the scale. Import into a new pack (--pack NAME), or change the points in Classroom's file.`,
    );
  }
  const weekYaml = source.notes.length
    ? draft.yaml.replace(/\n(?=week:)/, `\n${source.notes.map((n) => `# - ${n.test}: ${n.what}. Instead: ${n.instead}.`).join('\n')}\n`)
    : draft.yaml;

  // Nothing half-imported: the pack is built and validated in a scratch folder, then moved in.
  await fs.mkdir(outRoot, { recursive: true });
  const scratch = await fs.mkdtemp(join(outRoot, `.${packName}.import-`));
  try {
    if (existingPack !== null) await fs.cp(packDir, scratch, { recursive: true });
    else {
      const packYaml = [
        `${IMPORT_MARKER} from ${source.files.join(' and ')}.`,
        `# The scale is the Classroom tests' total points; add weeks worth ${draft.total} points each.`,
        `title: { es: ${JSON.stringify(source.name)}, en: ${JSON.stringify(source.name)} }`,
        'locale: en',
        'runner:',
        `  image: ${DEFAULT_RUNNER_IMAGE}`,
        `scale: ${draft.total}`,
        'passMark: 0.6',
        '',
      ].join('\n');
      await fs.writeFile(join(scratch, 'pack.yaml'), packYaml);
    }
    await fs.writeFile(join(scratch, weekFile), weekYaml);
    try {
      await loadPack(scratch);
    } catch (e) {
      if (e instanceof RubricError) {
        io.stderr.write(`rubrica: nothing was imported; the pack it would write is invalid:\n${e.problems.map((p) => `  ${formatProblem(p)}`).join('\n')}\n`);
        return 2;
      }
      throw e;
    }
    if (existingPack !== null) {
      const tmp = join(packDir, `.${weekFile}.tmp`);
      await fs.writeFile(tmp, weekYaml);
      await fs.rename(tmp, join(packDir, weekFile));
    } else {
      await fs.rename(scratch, packDir);
    }
  } finally {
    await fs.rm(scratch, { recursive: true, force: true });
  }

  io.stdout.write(`Imported ${draft.criteria} test(s), ${draft.total} points, from ${source.files.join(' and ')} into ${join(packDir, weekFile)}\n`);
  io.stdout.write(`Grade a checkout with: rubrica check --pack ${packDir} --week ${week} DIR\n`);
  const skipped = source.tests.length - draft.criteria;
  if (skipped > 0) io.stdout.write(`${skipped} test(s) worth 0 points were not imported.\n`);
  if (notCarried.length) {
    io.stdout.write(`\nNot carried over (${notCarried.length}); each is also a comment in ${weekFile}:\n`);
    for (const n of notCarried) io.stdout.write(`  - ${n.test}: ${n.what}.\n    Instead: ${n.instead}.\n`);
  }
  if (draft.warnings.length) {
    io.stdout.write(`\nWarnings (${draft.warnings.length}):\n`);
    for (const n of draft.warnings) io.stdout.write(`  - ${n.test}: ${n.what}.\n    ${n.instead}.\n`);
  }
  return 0;
}
