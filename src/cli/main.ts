import { randomUUID } from 'node:crypto';
import { promises as fs } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { isInfrastructureError } from '../core/errors.ts';
import { counted, isLocale, noun, percent, same, say, singleLine, t, type Locale } from '../core/text.ts';
import { grade, type GradeProgress } from '../grading/grade.ts';
import { ExampleError, EXAMPLE_FOLDER, materialiseExample } from '../rubrics/example.ts';
import { DEFAULT_RUNNER_IMAGE, PACK_NAME, scaffoldPack } from '../rubrics/scaffold.ts';
import { listPacks, loadPack, PackNotFoundError, RUBRICS_DIR, unitCriteria, type Pack, type Week } from '../rubrics/load.ts';
import { courseUnits, parseCourseFile, rubricOf } from '../course/load.ts';
import { assignmentUnit, parseUnitKey, unitFlags, unitKey, unitLabel, weekNumberOf } from '../course/unit.ts';
import { closest, formatProblem, RubricError } from '../rubrics/problems.ts';
import { finalJson, renderJson } from '../report/json.ts';
import { countedUnitOf, finalOfOneGrading } from '../grading/final-grade.ts';
import { renderTerminal, formatPoints } from '../report/terminal.ts';
import { DockerSandboxProvider } from '../sandbox/sandbox.ts';
import type { SandboxProvider } from '../sandbox/sandbox.ts';
import { commitSnapshot, LocalRepoError, readLocalHead, worktreeChanges, type LocalHead } from '../sandbox/commit-snapshot.ts';
import { directorySnapshot, type SnapshotSource } from '../sandbox/snapshot.ts';
import { createLogger } from '../logger.ts';
import { parse } from './args.ts';
import { describeGraded, differencesFromPush, gradedJson, type GradedWhat } from './precheck.ts';
import { asTyped, CliError, cliName, helpHint, infrastructureForCli, renderCliError, stoppedBySignal, usage } from './errors.ts';
import { gradesCommand, jobsCommand, outboxCommand } from './records.ts';
import { workerCommand } from './worker.ts';
import { importCommand } from './classroom.ts';
import { rosterCommand } from './roster.ts';
import { EXIT_ON_SIGNAL, onStopSignal, type StopSignal } from '../stop.ts';

/**
 * Exit codes: 0 a grade was produced (whatever the score), 2 bad input, 3 a failure of
 * ours; stopped by Ctrl-C (SIGINT) 130, by SIGTERM 143, after removing the container.
 */
export const EXIT = { graded: 0, usage: 2, infrastructure: 3, interrupted: EXIT_ON_SIGNAL.SIGINT, terminated: EXIT_ON_SIGNAL.SIGTERM } as const;

export interface CliIo {
  readonly stdout: { write(s: string): unknown; isTTY?: boolean };
  readonly stderr: { write(s: string): unknown; isTTY?: boolean };
  readonly env: NodeJS.ProcessEnv;
  /** The sandbox; tests and the benchmark may pass their own. */
  readonly provider?: SandboxProvider;
}

const USAGE = `Usage:
  rubrica check --week N [--pack NAME|PATH] [--json] [--lang es|en] [--all] [--worktree] DIR
  rubrica check --assignment ID [--delivery ID --course FILE] [--pack NAME|PATH] … DIR
      Grade a local checkout in the sandbox: its last commit, what a push would
      deliver (read from DIR/.git; uncommitted work does not count). With --worktree,
      the folder as it is, naming each uncommitted change that a push would lose.
      An assignment is graded with the pack's assignment-ID.yaml; a delivery, as the
      course file (a copy of .github/rubrica.yml) says: its rubric and criteria.
  rubrica example PACK DIR
      Write the pack's model solution to DIR as a git checkout with a
      Conventional-Commit history (it earns full marks): try \`rubrica check\` on it.
  rubrica pack validate [NAME|PATH] [--lang es|en]
      Validate a rubric pack and list its weeks and criteria.
  rubrica pack list [--lang es|en]
      List the rubric packs under rubrics/.
  rubrica pack new NAME [--lang es|en]
      Start a new pack under rubrics/NAME that validates as it is: pack.yaml,
      week-01.yaml and a model solution to edit from.
  rubrica grades export [--org ORG] [--course ID] [--week N|--unit KEY] [--format csv|json|canvas|moodle|long|gradescope] [--out DIR]
      The gradebook from the record: a row per student, a column per week (counted
      score, late penalties and overrides applied); with --week, one week by criterion.
      canvas and moodle: the CSV those LMS import (students matched through the roster);
      long: a row per student, week and criterion; gradescope: results.json per student
      and week (under --out DIR, or one JSON object). Students not on the roster are listed.
  rubrica roster import FILE.csv [--org ORG] [--login-column C] [--id-column C]
                 [--name-column C] [--email-column C] [--section-column C]
      Load the course roster (GitHub Classroom's roster export, or any CSV whose columns
      the flags name); a re-import replaces it.
  rubrica roster check [--org ORG]
      Students with no repository, repositories not on the roster, logins listed twice.
  rubrica jobs [list] [--state failed] | rubrica jobs requeue [JOB_ID]
      The grading queue: e.g. infrastructure errors, and grading them again.
  rubrica import classroom PATH [--pack NAME] [--out DIR] [--week N]
      Turn a GitHub Classroom template repository's autograding tests
      (.github/classroom/autograding.json, .github/workflows/classroom.yml) into a
      week of a rubric pack (DIR/NAME, default rubrics/NAME), and list what cannot
      be carried over.
  rubrica outbox [list] [--failed] [--json] | rubrica outbox retry [ID]
      What waits to be published on GitHub, and when each is expected to go out.
  rubrica worker
      Grade queued jobs without serving webhooks (scale out with DATABASE_URL).

Options:
  --week N       course week to grade (1, 2, …)
  --assignment ID  an assignment of the pack to grade instead (assignment-ID.yaml)
  --delivery ID  one of the assignment's deliveries (needs --course)
  --course FILE  the course file, for its deliveries (and its pack, without --pack)
  --pack NAME    rubric pack (a folder under rubrics/, or a path); default: the only pack, or mlops
  --json         print one JSON object instead of the report
  --lang es|en   language of the report; default: the pack's
  --all          show criteria whose results are hidden until the deadline
  --worktree     grade uncommitted work too, and say what a push would lose
  --rubrics DIR  where packs live (default: the rubrics/ folder of Rubrica)

Environment:
  RUBRICA_RUNNER_IMAGE   Docker image to grade in, instead of the pack's
  DATABASE_URL           postgres://… shared store; unset: SQLite under RUBRICA_DATA_DIR (./data)

Exit status: 0 when a grade was produced (whatever the score), 2 for a bad
argument, unknown week or pack, or an invalid rubric, 3 for an infrastructure
failure (Docker unavailable, runner image missing or incomplete) or criteria
that could not be graded; 130 after Ctrl-C and 143 after SIGTERM (the sandbox
container is removed first). With --json, an error is printed as
{"error":{"code","message","hint"}} on stdout.
`;

/** Each command's options; anything else is refused with a "did you mean". */
const OPTIONS = {
  check: {
    week: { type: 'string' },
    assignment: { type: 'string' },
    delivery: { type: 'string' },
    course: { type: 'string' },
    pack: { type: 'string' },
    json: { type: 'boolean' },
    lang: { type: 'string' },
    all: { type: 'boolean' },
    worktree: { type: 'boolean' },
    rubrics: { type: 'string' },
    help: { type: 'boolean' },
  },
  pack: { json: { type: 'boolean' }, lang: { type: 'string' }, rubrics: { type: 'string' }, help: { type: 'boolean' } },
  example: { lang: { type: 'string' }, json: { type: 'boolean' }, rubrics: { type: 'string' }, help: { type: 'boolean' } },
} as const satisfies Record<string, Record<string, { type: 'string' | 'boolean' }>>;

const COMMANDS = ['check', 'pack', 'example', 'grades', 'jobs', 'outbox', 'worker', 'import', 'roster', 'help'];

/**
 * What an error report needs to know about this run: the language of the CLI's own
 * words (--lang, then the pack's, then the machine's locale), --json, and the image graded in.
 */
class Invocation {
  locale: Locale;
  readonly json: boolean;
  image: string | undefined;
  /** `rubrica`, or `npx rubrica` when run that way. */
  readonly cli: string;
  private readonly fixed: boolean;
  constructor(argv: readonly string[], env: NodeJS.ProcessEnv) {
    const lang = optionValue(argv, 'lang');
    this.fixed = lang !== undefined && isLocale(lang);
    this.locale = this.fixed ? (lang as Locale) : envLocale(env) ?? 'en';
    this.json = argv.includes('--json');
    this.image = env.RUBRICA_RUNNER_IMAGE || undefined;
    this.cli = cliName(env);
  }
  /** Once the pack is known, its language is the default. */
  usePack(pack: Pack): void {
    if (!this.fixed) this.locale = pack.locale;
  }
}

/** es or en from LC_ALL, LC_MESSAGES or LANG (es_AR.UTF-8 → es); undefined for C, POSIX or others. */
export function envLocale(env: NodeJS.ProcessEnv): Locale | undefined {
  const tag = (env.LC_ALL || env.LC_MESSAGES || env.LANG || '').slice(0, 2).toLowerCase();
  return isLocale(tag) ? tag : undefined;
}

function optionValue(argv: readonly string[], name: string): string | undefined {
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === `--${name}`) return argv[i + 1];
    if (arg.startsWith(`--${name}=`)) return arg.slice(name.length + 3);
  }
  return undefined;
}

export async function main(argv: readonly string[], io: CliIo): Promise<number> {
  const speaker = new Invocation(argv, io.env);
  try {
    const [command, ...rest] = argv;
    if (!command || command === '--help' || command === '-h' || command === 'help') {
      io.stdout.write(USAGE);
      return command ? EXIT.graded : EXIT.usage;
    }
    if (command === 'check') return await check(rest, io, speaker);
    if (command === 'pack') return await packCommand(rest, io, speaker);
    if (command === 'example') return await exampleCommand(rest, io, speaker);
    if (command === 'grades') return await gradesCommand(rest, io);
    if (command === 'jobs') return await jobsCommand(rest, io);
    if (command === 'outbox') return await outboxCommand(rest, io);
    if (command === 'worker') return await workerCommand(io.env);
    if (command === 'import') return await importCommand(rest, io);
    if (command === 'roster') return await rosterCommand(rest, io);
    const guess = closest(command, COMMANDS);
    throw usage(
      'unknown-command',
      t(`"${command}" no es un comando de rubrica${guess ? `; ¿querías decir "${guess}"?` : '.'}`, `"${command}" is not a rubrica command${guess ? `; did you mean "${guess}"?` : '.'}`),
      helpHint(),
    );
  } catch (error) {
    const explained = explain(error, speaker, argv);
    if (!explained) throw error;
    const { stdout, stderr } = renderCliError(explained, speaker.locale, speaker.json, speaker.cli);
    io.stdout.write(stdout);
    io.stderr.write(stderr);
    return explained.exit;
  }
}

/** The CLI's reading of an error, or undefined for a bug (which is thrown with its stack). */
function explain(error: unknown, speaker: Invocation, argv: readonly string[]): CliError | undefined {
  if (error instanceof CliError) return error;
  if ((error as { code?: string })?.code?.startsWith('ERR_PARSE_ARGS')) return usage('bad-argument', same((error as Error).message), helpHint(argv[0]));
  if (error instanceof RubricError) {
    return usage(
      'invalid-pack',
      t(`el paquete de rúbricas no es válido:\n${error.problems.map((p) => `  ${formatProblem(p)}`).join('\n')}`, `the rubric pack is invalid:\n${error.problems.map((p) => `  ${formatProblem(p)}`).join('\n')}`),
    );
  }
  if (isInfrastructureError(error)) return infrastructureForCli(error, speaker.image);
  return undefined;
}

async function resolvePack(name: string | undefined, rubricsDir: string, speaker: Invocation): Promise<Pack> {
  const packs = await listPacks(rubricsDir);
  let pack: Pack;
  if (name && !name.includes('/') && !name.startsWith('.')) {
    // Pack names are matched without regard to case: `--pack MLOps` is the mlops pack.
    const match = packs.find((p) => p.toLowerCase() === name.toLowerCase());
    if (!match) {
      const guess = closest(name, packs);
      throw usage(
        'unknown-pack',
        t(
          `no hay un paquete de rúbricas "${name}"${guess ? `; ¿querías decir "${guess}"?` : '.'}`,
          `there is no rubric pack "${name}"${guess ? `; did you mean "${guess}"?` : '.'}`,
        ),
        t(`Paquetes disponibles: ${packs.join(', ') || 'ninguno'} (\`rubrica pack list\`).`, `Available packs: ${packs.join(', ') || 'none'} (\`rubrica pack list\`).`),
      );
    }
    pack = await loadPack(match, rubricsDir);
  } else if (name) {
    try {
      pack = await loadPack(name, rubricsDir);
    } catch (error) {
      if (!(error instanceof PackNotFoundError)) throw error;
      throw usage('unknown-pack', t(`${name} no es un paquete de rúbricas (le falta pack.yaml).`, `${name} is not a rubric pack (it has no pack.yaml).`));
    }
  } else if (packs.length === 1 || packs.includes('mlops')) {
    pack = await loadPack(packs.length === 1 ? packs[0]! : 'mlops', rubricsDir);
  } else {
    throw usage('choose-pack', t(`elige un paquete con --pack (disponibles: ${packs.join(', ') || 'ninguno'}).`, `choose a pack with --pack (available: ${packs.join(', ') || 'none'}).`));
  }
  speaker.usePack(pack);
  return pack;
}

function localeOf(lang: string | undefined, pack: Pack | undefined): Locale {
  if (lang === undefined) return pack?.locale ?? 'en';
  if (!isLocale(lang)) throw usage('bad-lang', t(`--lang debe ser es o en, no "${lang}".`, `--lang must be es or en, not "${lang}".`));
  return lang;
}

async function folderArgument(path: string | undefined, command: string, example: string): Promise<string> {
  if (path === undefined) {
    throw usage('missing-folder', t(`falta la carpeta a calificar, p. ej. \`${example}\`.`, `the folder to grade is missing, e.g. \`${example}\`.`), helpHint(command));
  }
  const dir = resolve(path);
  const stat = await fs.stat(dir).catch(() => null);
  if (!stat) throw usage('path-missing', t(`${path} no existe.`, `${path} does not exist.`));
  if (!stat.isDirectory()) throw usage('not-a-folder', t(`${path} no es una carpeta.`, `${path} is not a folder.`));
  return dir;
}

/**
 * What `check` grades: a week of the pack, or an assignment (`assignment-ID.yaml`), or
 * one of its deliveries as the course file defines it (its rubric and criteria).
 */
async function rubricToCheck(
  values: { week?: string; assignment?: string; delivery?: string; course?: string; pack?: string; rubrics?: string },
  speaker: Invocation,
): Promise<{ pack: Pack; week: Week }> {
  const rubricsDir = values.rubrics ?? RUBRICS_DIR;
  if (values.assignment === undefined) {
    const pack = await resolvePack(values.pack, rubricsDir, speaker);
    const week = pack.weeks.get(Number(values.week));
    if (!week) {
      const weeks = [...pack.weeks.keys()].sort((a, b) => a - b);
      const range = weeks.length > 1 ? `${weeks[0]}–${weeks.at(-1)}` : String(weeks[0] ?? '—');
      throw usage('unknown-week', t(`el paquete "${pack.name}" no tiene semana ${values.week}; ${weeks.length > 1 ? 'sus semanas son' : 'su única semana es la'} ${range}.`, `the pack "${pack.name}" has no week ${values.week}; its ${weeks.length > 1 ? 'weeks are' : 'only week is'} ${range}.`));
    }
    return { pack, week };
  }
  const key = unitKey(assignmentUnit(values.assignment, values.delivery));
  if (!parseUnitKey(key)) throw usage('bad-assignment', t(`"${key}" no es un id de entrega (minúsculas, dígitos y guiones).`, `"${key}" is not an assignment id (lowercase letters, digits and dashes).`));
  if (values.course === undefined) {
    if (values.delivery !== undefined) throw usage('delivery-without-course', t('las entregas están en el archivo del curso: añade `--course .github/rubrica.yml`.', "deliveries are defined in the course file: add `--course .github/rubrica.yml`."), helpHint('check'));
    const pack = await resolvePack(values.pack, rubricsDir, speaker);
    const rubric = pack.assignments.get(values.assignment);
    if (!rubric) throw usage('unknown-assignment', t(`el paquete "${pack.name}" no tiene la entrega ${values.assignment}; las suyas: ${[...pack.assignments.keys()].join(', ') || 'ninguna'}.`, `the pack "${pack.name}" has no assignment ${values.assignment}; its assignments: ${[...pack.assignments.keys()].join(', ') || 'none'}.`));
    return { pack, week: rubric };
  }
  const text = await fs.readFile(values.course, 'utf8').catch(() => {
    throw usage('path-missing', t(`${values.course} no existe.`, `${values.course} does not exist.`));
  });
  const setup = await parseCourseFile(text, rubricsDir);
  if (setup.status !== 'ready') throw usage('invalid-course', t(`el archivo del curso no es válido:\n${setup.status === 'invalid' ? setup.problems.map((p) => `  ${p}`).join('\n') : ''}`, `the course file is invalid:\n${setup.status === 'invalid' ? setup.problems.map((p) => `  ${p}`).join('\n') : ''}`));
  const found = setup.courses.flatMap((course) => course.config.assignments.filter((a) => a.id === values.assignment).map((assignment) => ({ course, assignment })));
  const match = found.find((f) => !values.pack || f.course.pack.name === values.pack) ?? found[0];
  const week = match ? rubricOf(match.course, match.assignment, key) : undefined;
  if (!match || !week) {
    const units = setup.courses.flatMap((c) => courseUnits(c.config)).filter((u) => weekNumberOf(u) === 0);
    throw usage('unknown-assignment', t(`el archivo del curso no tiene ${key}; tiene: ${units.join(', ') || 'ninguna entrega'}.`, `the course file has no ${key}; it has: ${units.join(', ') || 'no assignments'}.`));
  }
  speaker.usePack(match.course.pack);
  return { pack: match.course.pack, week };
}

async function check(args: readonly string[], io: CliIo, speaker: Invocation): Promise<number> {
  const { values, positionals } = parse('check', args, OPTIONS.check);
  if (values.help) return help(io);
  if (values.lang !== undefined && !isLocale(values.lang)) throw usage('bad-lang', t(`--lang debe ser es o en, no "${values.lang}".`, `--lang must be es or en, not "${values.lang}".`));
  if (positionals.length > 1) throw usage('extra-argument', t(`check califica una sola carpeta, no ${positionals.length}.`, `check grades one folder, not ${positionals.length}.`), helpHint('check'));
  if (values.week !== undefined && values.assignment !== undefined) throw usage('week-and-assignment', t('elige `--week N` o `--assignment ID`, no ambos.', 'choose `--week N` or `--assignment ID`, not both.'), helpHint('check'));
  if (values.delivery !== undefined && values.assignment === undefined) throw usage('delivery-without-assignment', t('`--delivery` es de una entrega: añade `--assignment ID`.', '`--delivery` is an assignment\'s: add `--assignment ID`.'), helpHint('check'));
  if (values.assignment === undefined) {
    if (values.week === undefined) throw usage('missing-week', t('falta la semana: `--week N` (1, 2, …).', 'the week is missing: `--week N` (1, 2, …).'), helpHint('check'));
    if (!/^\d+$/.test(values.week) || Number(values.week) < 1) {
      throw usage('bad-week', t(`--week debe ser un número de semana (1, 2, …), no "${values.week}".`, `--week must be a week number (1, 2, …), not "${values.week}".`));
    }
  }
  const flags = values.assignment === undefined ? `--week ${values.week}` : unitFlags(assignmentUnit(values.assignment, values.delivery));
  const dir = await folderArgument(positionals[0], 'check', `rubrica check ${flags} .`);
  const { pack, week } = await rubricToCheck(values, speaker);
  const locale = localeOf(values.lang, pack);
  const head = await localHead(dir, Boolean(values.worktree));
  const image = io.env.RUBRICA_RUNNER_IMAGE || pack.runner.image;
  speaker.image = image;
  const provider = io.provider ?? new DockerSandboxProvider();
  const progress = io.stderr.isTTY && !values.json ? progressPrinter(io, locale) : undefined;
  // Ctrl-C or SIGTERM mid-grading: the container goes first, then the CLI exits.
  let stopped: ((signal: StopSignal) => void) | undefined;
  const interrupted = new Promise<StopSignal>((resolve) => (stopped = resolve));
  const offSignals = onStopSignal((signal) => stopped!(signal));
  const gradeOf = (source: SnapshotSource) =>
    Promise.race([
      grade({ pack, week, source, jobId: `cli-${randomUUID().slice(0, 8)}`, image }, provider, progress).then((grade) => ({ grade })),
      interrupted.then((signal) => ({ signal })),
    ]);
  const stop = async (signal: StopSignal) => {
    const removed = provider instanceof DockerSandboxProvider ? await provider.abandon() : 0;
    if (progress) io.stderr.write('\r\u001b[2K');
    const { stdout, stderr } = renderCliError(stoppedBySignal(signal, EXIT_ON_SIGNAL[signal], removed > 0), locale, Boolean(values.json), speaker.cli);
    io.stdout.write(stdout);
    io.stderr.write(stderr);
    return EXIT_ON_SIGNAL[signal];
  };

  // By default, what a push would deliver: HEAD's tree. --worktree: the folder as it is,
  // then HEAD's tree again when they differ, to name what a push would lose.
  const changes = head ? await worktreeChanges(head) : [];
  let first: Awaited<ReturnType<typeof gradeOf>>;
  let second: Awaited<ReturnType<typeof gradeOf>> | undefined;
  try {
    first = await gradeOf(values.worktree || !head ? directorySnapshot(dir) : commitSnapshot(head));
    if (!('signal' in first) && values.worktree && head && changes.length) second = await gradeOf(commitSnapshot(head));
  } finally {
    offSignals();
  }
  if ('signal' in first) return stop(first.signal);
  if (second && 'signal' in second) return stop(second.signal);
  const result = first.grade;
  const pushed = second?.grade;
  if (progress) io.stderr.write('\r\u001b[2K');
  // The report is the CLI's output; logs only when asked for (LOG_LEVEL=info).
  createLogger(io.env.LOG_LEVEL ?? 'silent').info(
    { pack: pack.name, week: week.week, commit: result.commit, score: result.score, timings: result.timings },
    'graded',
  );
  const differences = pushed ? differencesFromPush(week.criteria, result, pushed, changes) : [];
  const graded: GradedWhat = values.worktree || !head ? { what: 'worktree', changes } : { what: 'head', commit: head.commit, changes };
  if (values.json) {
    const final = pack.final ? { final: finalJson(finalOfOneGrading(pack.final, unitCriteria(pack.weeks, pack.assignments), countedUnitOf(result))) } : {};
    io.stdout.write(`${JSON.stringify({ ...renderJson(result, locale, Boolean(values.all)), ...final, graded: gradedJson(graded, differences) }, null, 2)}\n`);
  } else {
    const color = Boolean(io.stdout.isTTY) && !io.env.NO_COLOR;
    io.stdout.write(renderTerminal(result, { locale, color, reveal: Boolean(values.all) }));
    io.stdout.write(asTyped(describeGraded(graded, differences, pushed, locale, `rubrica check ${flags} --worktree ${shellWord(positionals[0]!)}`), speaker.cli));
  }
  // A criterion the runner image could not run is the course's problem: the grade is
  // shown, and the exit status says it is incomplete.
  const crashed = result.criteria.some((c) => c.status === 'error');
  if (crashed) {
    io.stderr.write(
      say(t('rubrica: algunos criterios no se pudieron calificar por la imagen de corrección o el corrector; mira el informe.', 'rubrica: some criteria could not be graded because of the runner image or the grader; see the report.'), locale) + '\n',
    );
    return EXIT.infrastructure;
  }
  return EXIT.graded;
}

/** A path as a shell word: quoted when it has anything but plain characters. */
function shellWord(s: string): string {
  return /^[\w@%+=:,./-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`;
}

function help(io: CliIo): number {
  io.stdout.write(USAGE);
  return EXIT.graded;
}

/** HEAD of the checkout (what a push delivers), or null for --worktree on a folder without git. */
async function localHead(dir: string, worktree: boolean): Promise<LocalHead | null> {
  try {
    return await readLocalHead(dir);
  } catch (error) {
    if (!(error instanceof LocalRepoError)) throw error;
    if (worktree && error.code !== 'unreadable') return null;
    const folder = t('o califica la carpeta tal como está con --worktree.', 'or grade the folder as it is with --worktree.');
    if (error.code === 'no-git') {
      throw usage('no-git', t(`${dir} no es un repositorio git, y se califica su último commit (lo que subirías).`, `${dir} is not a git repository; what is graded is its last commit (what a push delivers).`), t(`Créalo (\`git init\`, \`git add -A\`, \`git commit -m "feat: …"\`) ${folder.es}`, `Make it one (\`git init\`, \`git add -A\`, \`git commit -m "feat: …"\`) ${folder.en}`));
    }
    if (error.code === 'git-elsewhere') {
      throw usage('git-elsewhere', t(`la historia de ${dir} está fuera de la carpeta (su .git es un archivo o un enlace: un worktree o un submódulo).`, `${dir} keeps its history outside the folder (its .git is a file or a link: a worktree or a submodule).`), t(`Rubrica solo lee una carpeta .git dentro de la copia y no sigue enlaces: clona el repositorio (\`git clone\`) ${folder.es}`, `Rubrica reads only a .git folder inside the checkout and follows no link: clone the repository (\`git clone\`) ${folder.en}`));
    }
    if (error.code === 'no-commits') {
      throw usage('no-commits', t(`${dir} todavía no tiene commits, y se califica el último commit (lo que subirías).`, `${dir} has no commits yet; what is graded is the last commit (what a push delivers).`), t(`Haz un commit (\`git add -A\`, \`git commit -m "feat: …"\`) ${folder.es}`, `Commit your work (\`git add -A\`, \`git commit -m "feat: …"\`) ${folder.en}`));
    }
    throw usage('unreadable-repo', same(error.message), t('Prueba con --worktree, que copia la carpeta tal como está.', 'Try --worktree, which copies the folder as it is.'));
  }
}

function progressPrinter(io: CliIo, locale: Locale): (p: GradeProgress) => void {
  const es = locale === 'es';
  return (p) => {
    const line =
      p.phase === 'container'
        ? es ? 'Iniciando el contenedor…' : 'Starting the container…'
        : p.phase === 'copy'
          ? es ? 'Copiando el repositorio…' : 'Copying the repository…'
          : p.phase === 'inspect'
            ? es ? 'Revisando archivos…' : 'Inspecting files…'
            : p.phase === 'command'
              ? `[${p.index + 1}/${p.total}] ${singleLine(p.run.slice(0, 70))}`
              : es ? 'Calificando…' : 'Scoring…';
    io.stderr.write(`\r\u001b[2K${line}`);
  };
}

async function packCommand(args: readonly string[], io: CliIo, speaker: Invocation): Promise<number> {
  const { values, positionals } = parse('pack', args, OPTIONS.pack);
  if (values.help) return help(io);
  const [sub, name] = positionals;
  const rubricsDir = values.rubrics ?? RUBRICS_DIR;
  if (sub === 'list') {
    // One language for the whole list: --lang, else this machine's locale, else English.
    const locale = values.lang === undefined ? speaker.locale : localeOf(values.lang, undefined);
    for (const packName of await listPacks(rubricsDir)) {
      const pack = await loadPack(packName, rubricsDir);
      const w = pack.weeks.size;
      const a = pack.assignments.size;
      // A pack of assignments only (AMq2's) says what it has, not "0 weeks".
      const weeks = w === 0 && a > 0
        ? (locale === 'es' ? `${a} ${a === 1 ? 'entrega' : 'entregas'}` : `${a} ${a === 1 ? 'assignment' : 'assignments'}`)
        : (locale === 'es' ? `${w} ${w === 1 ? 'semana' : 'semanas'}` : `${w} ${w === 1 ? 'week' : 'weeks'}`);
      io.stdout.write(`${packName}\t${say(pack.title, locale)} (${weeks})\n`);
    }
    return EXIT.graded;
  }
  if (sub === 'new') return newPack(name, rubricsDir, values, io, speaker);
  if (sub !== 'validate') {
    const guess = sub ? closest(sub, ['list', 'validate', 'new']) : undefined;
    throw usage(
      'unknown-subcommand',
      t(`usa "pack validate [NOMBRE|RUTA]", "pack new NOMBRE" o "pack list"${guess ? `; ¿querías decir "pack ${guess}"?` : '.'}`, `use "pack validate [NAME|PATH]", "pack new NAME" or "pack list"${guess ? `; did you mean "pack ${guess}"?` : '.'}`),
      helpHint('pack'),
    );
  }
  const pack = await resolvePack(name, rubricsDir, speaker);
  const locale = localeOf(values.lang, pack);
  if (values.json) {
    io.stdout.write(`${JSON.stringify(describePack(pack, locale), null, 2)}\n`);
    return EXIT.graded;
  }
  io.stdout.write(`${say(pack.title, locale)} — ${pack.name} (${pack.dir})\n`);
  const weeks = say(counted(pack.weeks.size, noun('semana', 'semanas', 'week', 'weeks')), locale);
  const assignments = pack.assignments.size ? ` · ${say(counted(pack.assignments.size, noun('entrega', 'entregas', 'assignment', 'assignments')), locale)}` : '';
  const mark = say(percent(pack.passMark * 100), locale);
  io.stdout.write(
    locale === 'es'
      ? `imagen ${pack.runner.image} · escala ${pack.scale} · aprobación ${mark} · ${weeks}${assignments} · ok\n\n`
      : `runner ${pack.runner.image} · scale ${pack.scale} · pass mark ${mark} · ${weeks}${assignments} · ok\n\n`,
  );
  for (const week of [...pack.weeks.values(), ...pack.assignments.values()]) {
    io.stdout.write(`${unitLabel(week.unit, locale)}: ${say(week.title, locale)}\n`);
    for (const c of week.criteria) {
      const flags = [c.manual ? 'manual' : '', c.visibility === 'after-deadline' ? 'after-deadline' : ''].filter(Boolean).join(', ');
      io.stdout.write(`  ${formatPoints(c.points).padStart(4)}  ${c.id.padEnd(24)} ${c.kind.padEnd(13)} ${say(c.title, locale)}${flags ? ` [${flags}]` : ''}\n`);
    }
  }
  return EXIT.graded;
}

/** `rubrica pack new NAME`: a pack that validates as it is, under the rubrics folder, to edit from. */
async function newPack(name: string | undefined, rubricsDir: string, values: { lang?: string | undefined; json?: boolean | undefined }, io: CliIo, speaker: Invocation): Promise<number> {
  const locale = values.lang === undefined ? speaker.locale : localeOf(values.lang, undefined);
  if (!name || !PACK_NAME.test(name)) {
    throw usage('bad-pack-name', t('nombra el paquete con minúsculas, dígitos y guiones, p. ej. `rubrica pack new mlops-2027`.', 'name the pack with lowercase letters, digits and dashes, e.g. `rubrica pack new mlops-2027`.'));
  }
  const dir = join(rubricsDir, name);
  if ((await fs.readdir(dir).catch(() => [])).length > 0) {
    throw usage('target-not-empty', t(`${dir} ya existe y no está vacía.`, `${dir} exists and is not empty.`), t('Elige otro nombre.', 'Choose another name.'));
  }
  const files = scaffoldPack(name, { locale, image: DEFAULT_RUNNER_IMAGE });
  for (const [path, content] of Object.entries(files)) {
    await fs.mkdir(dirname(join(dir, path)), { recursive: true });
    await fs.writeFile(join(dir, path), content, { flag: 'wx' });
  }
  if (values.json) {
    io.stdout.write(`${JSON.stringify({ pack: name, dir, files: Object.keys(files) }, null, 2)}\n`);
    return EXIT.graded;
  }
  // Commands that find the new pack where it was written.
  const where = resolve(rubricsDir) === resolve(RUBRICS_DIR) ? '' : ` --rubrics ${shellWord(rubricsDir)}`;
  io.stdout.write(asTyped(
    locale === 'es'
      ? `El paquete "${name}" está en ${dir}: pack.yaml, week-01.yaml y una solución modelo (example/).\nEdítalo y compruébalo con \`rubrica pack validate ${name}${where}\`; prueba la solución modelo con \`rubrica example ${name} /tmp/${name}${where}\` y \`rubrica check --pack ${shellWord(dir)} --week 1 /tmp/${name}\`.\n`
      : `The pack "${name}" is in ${dir}: pack.yaml, week-01.yaml and a model solution (example/).\nEdit it and check it with \`rubrica pack validate ${name}${where}\`; try its model solution with \`rubrica example ${name} /tmp/${name}${where}\` and \`rubrica check --pack ${shellWord(dir)} --week 1 /tmp/${name}\`.\n`,
    speaker.cli,
  ));
  return EXIT.graded;
}

/** `rubrica example PACK DIR`: the pack's model solution as a git checkout with a Conventional-Commit history. */
async function exampleCommand(args: readonly string[], io: CliIo, speaker: Invocation): Promise<number> {
  const { values, positionals } = parse('example', args, OPTIONS.example);
  if (values.help) return help(io);
  const [name, target] = positionals;
  if (!name || !target || positionals.length > 2) {
    throw usage('missing-argument', t('uso: `rubrica example PAQUETE CARPETA`, p. ej. `rubrica example mlops /tmp/mlops-ana`.', 'usage: `rubrica example PACK DIR`, e.g. `rubrica example mlops /tmp/mlops-ana`.'), helpHint('example'));
  }
  const pack = await resolvePack(name, values.rubrics ?? RUBRICS_DIR, speaker);
  const locale = localeOf(values.lang, pack);
  const dir = resolve(target);
  let made: Awaited<ReturnType<typeof materialiseExample>>;
  try {
    made = await materialiseExample(pack, dir);
  } catch (error) {
    if (!(error instanceof ExampleError)) throw error;
    if (error.code === 'target-not-empty') throw usage('target-not-empty', t(`${target} ya existe y no está vacía.`, `${target} exists and is not empty.`), t('Elige una carpeta nueva.', 'Choose a new folder.'));
    throw usage('no-example', t(`el paquete "${pack.name}" no trae una solución modelo (${EXAMPLE_FOLDER}/).`, `the pack "${pack.name}" has no model solution (${EXAMPLE_FOLDER}/).`));
  }
  if (values.json) {
    io.stdout.write(`${JSON.stringify({ pack: pack.name, dir, ...made }, null, 2)}\n`);
    return EXIT.graded;
  }
  const weeks = pack.weeks.size;
  // A pack of assignments only (AMq2's) has no week 1 to suggest: its first assignment.
  const assignments = [...pack.assignments.keys()];
  const how = weeks > 0 || assignments.length === 0
    ? { command: `rubrica check --week 1 ${shellWord(target)}`, es: `semanas 1–${weeks}`, en: `weeks 1–${weeks}` }
    : { command: `rubrica check --pack ${shellWord(pack.name)} --assignment ${assignments[0]} ${shellWord(target)}`, es: `entregas: ${assignments.join(', ')}`, en: `assignments: ${assignments.join(', ')}` };
  io.stdout.write(asTyped(
    locale === 'es'
      ? `La solución modelo de "${pack.name}" está en ${dir}: ${made.files} archivos, ${made.commits} commits convencionales (HEAD ${made.commit.slice(0, 7)}).\nCalifícala con \`${how.command}\` (${how.es}).\n`
      : `The model solution of "${pack.name}" is in ${dir}: ${made.files} files, ${made.commits} conventional commits (HEAD ${made.commit.slice(0, 7)}).\nGrade it with \`${how.command}\` (${how.en}).\n`,
    speaker.cli,
  ));
  return EXIT.graded;
}

function describePack(pack: Pack, locale: Locale) {
  return {
    name: pack.name,
    title: say(pack.title, locale),
    image: pack.runner.image,
    scale: pack.scale,
    passMark: pack.passMark,
    hash: pack.hash,
    weeks: [...pack.weeks.values()].map((w) => ({
      week: w.week,
      title: say(w.title, locale),
      criteria: w.criteria.map((c) => ({ id: c.id, title: say(c.title, locale), points: c.points, kind: c.kind, manual: c.manual, visibility: c.visibility })),
    })),
    ...(pack.assignments.size
      ? {
          assignments: [...pack.assignments.values()].map((a) => ({
            assignment: a.unit,
            title: say(a.title, locale),
            criteria: a.criteria.map((c) => ({ id: c.id, title: say(c.title, locale), points: c.points, kind: c.kind, manual: c.manual, visibility: c.visibility })),
          })),
        }
      : {}),
  };
}
