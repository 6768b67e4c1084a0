import { isMap, isSeq, LineCounter, parseDocument, stringify } from 'yaml';
import type { RubricProblem } from '../rubrics/problems.ts';
import type { Comparison } from '../checks/io.ts';

/**
 * GitHub Classroom's autograding tests, read from the two places Classroom kept them:
 * `.github/classroom/autograding.json` (the education/autograding action) and the steps of
 * `.github/workflows/classroom.yml` that use its command, io and python graders.
 * Pure: text in, tests or problems out; the CLI reads and writes the files.
 */

export type Grader = 'autograding.json' | 'command-grader' | 'io-grader' | 'python-grader';

export interface ClassroomTest {
  readonly name: string;
  readonly setup: string;
  readonly run: string;
  readonly input: string;
  readonly output: string;
  readonly comparison: Comparison;
  /** As Classroom wrote it: minutes. */
  readonly timeoutMinutes: number;
  readonly points: number;
  readonly grader: Grader;
  /** Something Classroom did differently with this test, said in the import's output. */
  readonly note?: string;
  /** Where it was read, for messages: `.github/classroom/autograding.json tests[2]`. */
  readonly from: string;
}

export class ClassroomFormatError extends Error {
  readonly problems: readonly RubricProblem[];
  constructor(problems: readonly RubricProblem[]) {
    super(problems.map((p) => `${p.file}${p.line ? `:${p.line}` : ''}: ${p.field ? `${p.field}: ` : ''}${p.message}`).join('\n'));
    this.name = 'ClassroomFormatError';
    this.problems = problems;
  }
}

const COMPARISONS: Record<string, Comparison> = { exact: 'exact', included: 'included', contains: 'included', regex: 'regex' };

function lineOf(text: string, offset: number): number {
  return text.slice(0, offset).split('\n').length;
}

/** `.github/classroom/autograding.json`: `{ "tests": [ { name, setup, run, input, output, comparison, timeout, points } ] }`. */
export function parseAutogradingJson(file: string, text: string): ClassroomTest[] {
  let data: unknown;
  try {
    data = JSON.parse(text.replace(/^\uFEFF/, ''));
  } catch (error) {
    const at = /position (\d+)/.exec((error as Error).message);
    throw new ClassroomFormatError([
      { file, ...(at ? { line: lineOf(text, Number(at[1])) } : {}), message: `is not valid JSON (${(error as Error).message}).` },
    ]);
  }
  if (data === null || typeof data !== 'object' || !Array.isArray((data as { tests?: unknown }).tests)) {
    throw new ClassroomFormatError([{ file, field: 'tests', message: 'is missing: the file must be an object with a `tests` list.' }]);
  }
  const problems: RubricProblem[] = [];
  const tests: ClassroomTest[] = [];
  (data as { tests: unknown[] }).tests.forEach((raw, i) => {
    const field = (key?: string) => `tests[${i}]${key ? `.${key}` : ''}`;
    if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) {
      problems.push({ file, field: field(), message: 'must be an object with `name` and `run`.' });
      return;
    }
    const r = raw as Record<string, unknown>;
    const str = (key: string, required: boolean): string => {
      const v = r[key];
      if (v === undefined || v === null) {
        if (required) problems.push({ file, field: field(key), message: 'is missing.' });
        return '';
      }
      if (typeof v !== 'string') {
        problems.push({ file, field: field(key), message: `must be text, not ${JSON.stringify(v)}.` });
        return '';
      }
      if (required && v.trim() === '') problems.push({ file, field: field(key), message: 'is empty.' });
      return v;
    };
    const num = (key: string, fallback: number): number => {
      const v = r[key];
      if (v === undefined || v === null || v === '') return fallback;
      const n = typeof v === 'number' ? v : typeof v === 'string' && v.trim() !== '' ? Number(v) : NaN;
      if (!Number.isFinite(n) || n < 0) {
        problems.push({ file, field: field(key), message: `must be a number of ${key === 'timeout' ? 'minutes' : 'points'} (0 or more), not ${JSON.stringify(v)}.` });
        return fallback;
      }
      return n;
    };
    const name = str('name', true);
    const run = str('run', true);
    const comparisonRaw = r.comparison === undefined || r.comparison === null || r.comparison === '' ? 'included' : r.comparison;
    const comparison = typeof comparisonRaw === 'string' ? COMPARISONS[comparisonRaw] : undefined;
    if (!comparison) {
      problems.push({ file, field: field('comparison'), message: `must be exact, included or regex, not ${JSON.stringify(comparisonRaw)}.` });
    }
    tests.push({
      name,
      setup: str('setup', false),
      run,
      input: str('input', false),
      output: str('output', false),
      comparison: comparison ?? 'included',
      // education/autograding: `(test.timeout || 1)` minutes.
      timeoutMinutes: num('timeout', 1) || 1,
      points: num('points', 0),
      grader: 'autograding.json',
      from: `${file} ${field()}`,
    });
  });
  if (problems.length) throw new ClassroomFormatError(problems);
  return tests;
}

const GRADER_ACTION = /^(?:classroom-resources|education)\/autograding-(command|io|python)-grader@/;
/** The old workflow step that ran autograding.json; its tests are in that file. */
export const AUTOGRADING_ACTION = /^education\/autograding@/;

export interface WorkflowTests {
  readonly tests: ClassroomTest[];
  /** The workflow runs education/autograding, whose tests are in autograding.json. */
  readonly usesAutogradingJson: boolean;
  /** Steps other than checkout and Classroom's own, which Rubrica does not run (e.g. setup-java). */
  readonly otherSteps: string[];
}

/** `.github/workflows/classroom.yml`: the steps using Classroom's graders, in order, across jobs. */
export function parseClassroomWorkflow(file: string, text: string): WorkflowTests {
  const lines = new LineCounter();
  const doc = parseDocument(text.replace(/^\uFEFF/, ''), { lineCounter: lines, uniqueKeys: false });
  if (doc.errors.length) {
    const e = doc.errors[0]!;
    throw new ClassroomFormatError([{ file, line: lines.linePos(e.pos[0]).line, message: `is not valid YAML (${e.message.split('\n')[0]}).` }]);
  }
  const lineAt = (path: (string | number)[]): { line?: number } => {
    const node = doc.getIn(path, true) as { range?: [number, number, number] } | undefined;
    return node?.range ? { line: lines.linePos(node.range[0]).line } : {};
  };
  const jobs = doc.get('jobs', true);
  if (!isMap(jobs)) throw new ClassroomFormatError([{ file, field: 'jobs', message: 'is missing: a workflow needs `jobs` with steps.' }]);
  const problems: RubricProblem[] = [];
  const tests: ClassroomTest[] = [];
  const otherSteps: string[] = [];
  const js = doc.toJS() as { jobs: Record<string, { steps?: unknown[] }> };
  let usesAutogradingJson = false;
  for (const pair of jobs.items) {
    const job = String((pair.key as { value?: unknown })?.value ?? pair.key);
    const steps = doc.getIn(['jobs', job, 'steps'], true);
    if (!isSeq(steps)) {
      problems.push({ file, ...lineAt(['jobs', job]), field: `jobs.${job}.steps`, message: 'is missing or not a list.' });
      continue;
    }
    steps.items.forEach((_, i) => {
      const at = ['jobs', job, 'steps', i];
      const field = (key?: string) => `jobs.${job}.steps[${i}]${key ? `.${key}` : ''}`;
      const step = js.jobs[job]?.steps?.[i];
      if (step === null || typeof step !== 'object') {
        problems.push({ file, ...lineAt(at), field: field(), message: 'must be a step (an object with `uses` or `run`).' });
        return;
      }
      const s = step as { uses?: unknown; run?: unknown; name?: unknown; with?: unknown };
      const uses = typeof s.uses === 'string' ? s.uses : '';
      if (AUTOGRADING_ACTION.test(uses)) {
        usesAutogradingJson = true;
        return;
      }
      const grader = GRADER_ACTION.exec(uses)?.[1] as 'command' | 'io' | 'python' | undefined;
      if (!grader) {
        const label = uses || (typeof s.run === 'string' ? `run: ${s.run.split('\n')[0]}` : String(s.name ?? `step ${i}`));
        if (!/^actions\/checkout@|^(?:classroom-resources|education)\/autograding-grading-reporter@/.test(uses)) otherSteps.push(label);
        return;
      }
      const w = (s.with ?? {}) as Record<string, unknown>;
      if (typeof w !== 'object' || Array.isArray(w)) {
        problems.push({ file, ...lineAt([...at, 'with']), field: field('with'), message: 'must be the grader\'s inputs (test-name, command, …).' });
        return;
      }
      // Actions hands every input over as text, trimmed (core.getInput).
      const input = (key: string, required: boolean): string => {
        const v = w[key];
        if (v === undefined || v === null) {
          if (required) problems.push({ file, ...lineAt([...at, 'with']), field: field(`with.${key}`), message: 'is missing.' });
          return '';
        }
        if (typeof v === 'object') {
          problems.push({ file, ...lineAt([...at, 'with', key]), field: field(`with.${key}`), message: 'must be text, not a list or map.' });
          return '';
        }
        return String(v).trim();
      };
      const number = (key: string, fallback: number, unit: string): number => {
        const v = input(key, false);
        if (v === '') return fallback;
        const n = Number(v);
        if (!Number.isFinite(n) || n < 0) {
          problems.push({ file, ...lineAt([...at, 'with', key]), field: field(`with.${key}`), message: `must be a number of ${unit} (0 or more), not "${v}".` });
          return fallback;
        }
        return n;
      };
      const name = input('test-name', grader !== 'python') || String(s.name ?? `python tests ${i}`);
      let comparison: Comparison = 'included';
      let note: string | undefined;
      if (grader === 'io') {
        const method = input('comparison-method', true);
        const mapped = COMPARISONS[method];
        if (!mapped && method !== '') {
          problems.push({ file, ...lineAt([...at, 'with', 'comparison-method']), field: field('with.comparison-method'), message: `must be exact, contains or regex, not "${method}".` });
        }
        comparison = mapped ?? 'included';
        if (method === 'included') {
          note = 'the io grader\'s code accepted `contains`, not `included` (which its README names): in Classroom this test errored and scored 0; here it compares as `included`';
        }
      }
      tests.push({
        name,
        setup: input('setup-command', false),
        run: grader === 'python' ? '' : input('command', true),
        input: grader === 'io' ? input('input', false) : '',
        output: grader === 'io' ? input('expected-output', true) : '',
        comparison,
        // The graders' default: 10 minutes.
        timeoutMinutes: number('timeout', 10, 'minutes') || 10,
        // parseInt in the graders: 2.5 counted as 2.
        points: Math.trunc(number('max-score', 0, 'points')),
        grader: `${grader}-grader`,
        ...(note ? { note } : {}),
        from: `${file} ${field()}`,
      });
    });
  }
  if (problems.length) throw new ClassroomFormatError(problems);
  return { tests, usesAutogradingJson, otherSteps };
}

/* ---------- what cannot be carried over ---------- */

export interface NotCarried {
  /** The test (or step) it concerns. */
  readonly test: string;
  readonly what: string;
  /** What the instructor should do instead. */
  readonly instead: string;
}

/** Setups that download: the sandbox has no network. */
const NETWORK =
  /\b(pip3?|python3? -m pip) +install\b|\b(npm|pnpm) +(install|ci|i)\b|\byarn( +install)?\b|\bapt(-get)? +(install|update)\b|\b(curl|wget)\b|\bgit +clone\b|\bgem +install\b|\bbundle( +install)?\b|\bcomposer +install\b|\bgo +(get|mod +download)\b|\bcargo +(fetch|install)\b|\bdotnet +restore\b|\bconda +install\b|\bpoetry +install\b|\buv +(sync|pip +install)\b|\bmvn\b|\bgradlew?\b/;

/** Programs the course's default runner image (python:3.11-slim with git, pytest) does not have. */
const MISSING_TOOLS: Record<string, string> = {
  java: 'Java (a JDK)', javac: 'Java (a JDK)', mvn: 'Maven', gradle: 'Gradle', './gradlew': 'Gradle',
  gcc: 'a C compiler (gcc)', cc: 'a C compiler (gcc)', 'g++': 'a C++ compiler (g++)', 'c++': 'a C++ compiler (g++)', clang: 'clang', 'clang++': 'clang',
  make: 'make', cmake: 'CMake', node: 'Node.js', npm: 'Node.js (npm)', npx: 'Node.js (npx)', yarn: 'Node.js (yarn)',
  dotnet: '.NET', go: 'Go', cargo: 'Rust (cargo)', rustc: 'Rust', ruby: 'Ruby', bundle: 'Ruby (bundler)', rspec: 'Ruby (rspec)',
  Rscript: 'R', R: 'R', php: 'PHP', swift: 'Swift', ghc: 'Haskell', kotlinc: 'Kotlin', scala: 'Scala', sbt: 'Scala (sbt)',
};

/** The programs a shell line starts: `javac *.java && java Hello | head` gives javac, java, head. */
export function programsOf(command: string): string[] {
  return command
    .split(/&&|\|\||[;|\n]|\$\(|`/)
    .map((part) => part.trim().replace(/^(?:[A-Za-z_][A-Za-z0-9_]*=\S*\s+)+/, '').replace(/^(?:sudo|time|timeout\s+\S+|env)\s+/, ''))
    .map((part) => part.split(/\s+/)[0] ?? '')
    .filter((p) => p !== '');
}

/** Files of the template repository that hold tests: students could edit them in Classroom, and still can. */
const TEST_FILE = /(^|\/)(test_[^/]*\.py|[^/]*_test\.py|[^/]*\.test\.[jt]sx?|[^/]*_spec\.rb|[^/]*Test\.java|tests?\.sh|test_[^/]*\.(c|cpp|sh))$|(^|\/)(tests?|__tests__|spec)\//;
const RUNS_REPO_TESTS = /\b(npm|yarn|pnpm) +(run +)?test\b|\bmake +(test|check)\b|\b(mvn|gradlew?) +test\b|\bpytest\b|\b-m +(pytest|unittest)\b|\bcargo +test\b|\bgo +test\b|\bdotnet +test\b|\brspec\b|\bjest\b/;

export interface Conversion {
  readonly test: ClassroomTest;
  /** The setup kept (network setups are dropped). */
  readonly setup: string;
  readonly run: string;
  readonly timeoutSeconds: number;
  readonly notCarried: NotCarried[];
  /** Carried over, but the instructor should know (timeouts cut, credit rules). */
  readonly warnings: NotCarried[];
}

/**
 * How one test is carried over to the `io` check, and what is left behind.
 * `repoFiles` lists the template repository's files (empty when only the JSON/YAML was given).
 */
export function convertTest(test: ClassroomTest, options: { limitSeconds: number; repoFiles: readonly string[] }): Conversion {
  const notCarried: NotCarried[] = [];
  const warnings: NotCarried[] = [];
  let setup = test.setup;
  if (setup !== '' && NETWORK.test(setup)) {
    notCarried.push({
      test: test.name,
      what: `setup \`${setup}\` downloads, and the sandbox has no network; it was left out`,
      instead: 'preinstall what it installs in the runner image (add it to runner/Dockerfile, build, and set runner.image in pack.yaml)',
    });
    setup = '';
  }
  let run = test.run;
  if (test.grader === 'python-grader') {
    // The python grader ran pytest over every *_test.py of the repository, with -s and --tb=no.
    run = "python3 -m pytest -s --tb=no -p no:cacheprovider $(find . -name '*_test.py' -not -path './.git/*')";
    warnings.push({
      test: test.name,
      what: 'the python grader gave each passing pytest test its share of the points; this criterion is all or nothing',
      instead: 'to keep partial credit, split the tests into one Classroom-style test (`io` check) per pytest test id, e.g. `python3 -m pytest -q tests/test_x.py::test_y`',
    });
  }
  if (test.note) warnings.push({ test: test.name, what: test.note, instead: 'check the points this test gave in Classroom before comparing grades' });
  // The sandbox runs Python with PYTHONSAFEPATH (a student's unittest.py cannot stand in for the
  // real one), so `-m unittest file.py` no longer finds the file; discover puts its folder on the path.
  const unittestFile = /^(python3?) -m unittest ((?:[\w.-]+\/)*)([\w.-]+\.py)$/.exec(run.trim());
  if (unittestFile) {
    const [, python, dir, file] = unittestFile;
    run = `${python === 'python' ? 'python3' : python} -m unittest discover -s ${dir ? dir.replace(/\/$/, '') : '.'} -p ${file}`;
    warnings.push({
      test: test.name,
      what: `\`${test.run}\` became \`${run}\`: the sandbox runs Python with PYTHONSAFEPATH, so the repository's folder is not on the import path and unittest would not find the file`,
      instead: 'nothing, unless the test imports modules from other folders (then add them with `-t`)',
    });
  } else if (/-m unittest\b.*\.py\b/.test(run)) {
    notCarried.push({
      test: test.name,
      what: 'it runs `python -m unittest` on files, which the sandbox (PYTHONSAFEPATH: the repository is not on the import path) cannot import',
      instead: 'use `python3 -m unittest discover -s FOLDER -p PATTERN` or `python3 -m pytest FILES`',
    });
  }
  const lacking = new Set<string>();
  for (const program of [...programsOf(setup), ...programsOf(run)]) {
    const tool = MISSING_TOOLS[program];
    if (tool) lacking.add(tool);
  }
  for (const tool of lacking) {
    notCarried.push({
      test: test.name,
      what: `it needs ${tool}, which the runner image lacks (the criterion is imported, but cannot pass until the image has it)`,
      instead: `build a runner image with ${tool} (FROM rubrica/runner-mlops:1, apt-get install it) and set runner.image in pack.yaml`,
    });
  }
  const words = `${test.setup} ${test.run}`.split(/[\s'"=<>]+/).map((w) => w.replace(/^\.\//, ''));
  const testFiles = options.repoFiles.filter((f) => TEST_FILE.test(f) && words.some((w) => w !== '' && (w === f || f.startsWith(`${w.replace(/\/$/, '')}/`))));
  if (testFiles.length > 0 || RUNS_REPO_TESTS.test(test.run) || test.grader === 'python-grader') {
    const named = testFiles.length ? ` (${testFiles.slice(0, 5).join(', ')}${testFiles.length > 5 ? ', …' : ''})` : '';
    notCarried.push({
      test: test.name,
      what: `it runs test files from the student's repository${named}, which students can edit, as they could in Classroom`,
      instead: 'keep the tests out of the students\' reach: copy them into the runner image (COPY tests/ /opt/course/tests/) and point the command at /opt/course/tests, or rewrite the test as input/output checks',
    });
  }
  const wanted = Math.round(test.timeoutMinutes * 60);
  const timeoutSeconds = Math.max(1, Math.min(wanted, options.limitSeconds));
  if (wanted > options.limitSeconds) {
    warnings.push({
      test: test.name,
      what: `its timeout of ${test.timeoutMinutes} min was cut to the pack's per-check limit of ${options.limitSeconds} s`,
      instead: 'raise runner.limits.checkTimeoutSeconds in pack.yaml if the test needs longer',
    });
  }
  return { test, setup, run, timeoutSeconds, notCarried, warnings };
}

/* ---------- the week file ---------- */

export function criterionId(name: string, taken: Set<string>): string {
  const base =
    name
      .normalize('NFD')
      .replace(/[\u0300-\u036f]/g, '')
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, '-')
      .replace(/^-+|-+$/g, '')
      .slice(0, 40)
      .replace(/-+$/, '') || 'test';
  let id = base;
  for (let n = 2; taken.has(id); n++) id = `${base}-${n}`;
  taken.add(id);
  return id;
}

function feedbackOf(c: Conversion): { es: string; en: string } {
  const t = c.test;
  const cmd = `\`${c.run}\``;
  const fed = t.input !== '' ? { es: ` con la entrada \`${t.input.replace(/\n/g, '⏎')}\``, en: ` with the input \`${t.input.replace(/\n/g, '⏎')}\`` } : { es: '', en: '' };
  if (t.output === '' && t.input === '') {
    return { es: `Haz que ${cmd} termine con código 0 (sin errores).`, en: `Make ${cmd} exit with code 0 (no errors).` };
  }
  const shown = `\`${t.output.replace(/\n/g, '⏎')}\``;
  const how =
    t.comparison === 'exact'
      ? { es: `imprima exactamente ${shown}`, en: `print exactly ${shown}` }
      : t.comparison === 'regex'
        ? { es: `imprima algo que coincida con /${t.output}/`, en: `print something matching /${t.output}/` }
        : { es: `imprima ${shown}`, en: `print ${shown}` };
  return {
    es: `Haz que ${cmd}${fed.es} ${how.es} en la salida estándar y termine con código 0 (no cuentan los espacios al inicio y al final).`,
    en: `Make ${cmd}${fed.en} ${how.en} on standard output and exit with code 0 (leading and trailing whitespace do not count).`,
  };
}

export interface WeekDraft {
  /** The week file's text, with what was not carried over in its opening comment. */
  readonly yaml: string;
  readonly total: number;
  readonly notCarried: NotCarried[];
  readonly warnings: NotCarried[];
  readonly criteria: number;
}

/** One week of a pack from Classroom tests; tests worth 0 points are listed, not imported. */
export function weekFromTests(
  tests: readonly ClassroomTest[],
  options: { week: number; title: string; source: string; limitSeconds: number; repoFiles: readonly string[] },
): WeekDraft {
  const notCarried: NotCarried[] = [];
  const warnings: NotCarried[] = [];
  const taken = new Set<string>();
  const criteria: unknown[] = [];
  let total = 0;
  for (const test of tests) {
    if (!(test.points > 0)) {
      notCarried.push({
        test: test.name,
        what: 'it is worth 0 points in Classroom (it only showed pass or fail), and every criterion here has points',
        instead: 'give it points in Classroom\'s file and import again, or add it by hand with points',
      });
      continue;
    }
    const c = convertTest(test, options);
    notCarried.push(...c.notCarried);
    warnings.push(...c.warnings);
    total += test.points;
    criteria.push({
      id: criterionId(test.name, taken),
      title: { es: test.name, en: test.name },
      points: test.points,
      check: {
        kind: 'io',
        ...(c.setup ? { setup: c.setup } : {}),
        run: c.run,
        ...(test.input !== '' ? { input: test.input } : {}),
        ...(test.output !== '' ? { output: test.output, comparison: test.comparison } : {}),
        // The io grader trimmed stdout but left CRLF as it was.
        ...(test.output !== '' && test.grader === 'io-grader' ? { lineEndings: 'as-is' } : {}),
        timeout: c.timeoutSeconds,
      },
      feedback: feedbackOf(c),
    });
  }
  const header = [
    `Imported by \`rubrica import classroom\` from ${options.source}.`,
    'Each Classroom test is one criterion with its points, graded as Classroom did',
    '(exit code 0; stdout compared after CRLF→LF and trimming leading/trailing whitespace).',
    ...(notCarried.length || warnings.length ? ['', 'Not carried over (and what to do instead):'] : []),
    ...[...notCarried, ...warnings].map((n) => `- ${n.test}: ${n.what}. Instead: ${n.instead}.`),
  ];
  const body = stringify(
    { week: options.week, title: { es: options.title, en: options.title }, criteria },
    { lineWidth: 0, blockQuote: 'literal' },
  );
  return {
    yaml: `${header.map((l) => `# ${l}`.trimEnd()).join('\n')}\n${body}`,
    total,
    notCarried,
    warnings,
    criteria: criteria.length,
  };
}

export const IMPORT_MARKER = '# Imported by `rubrica import classroom`';
