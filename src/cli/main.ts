import { randomUUID } from 'node:crypto';
import { promises as fs } from 'node:fs';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { isInfrastructureError } from '../core/errors.ts';
import { isLocale, say, type Locale } from '../core/text.ts';
import { grade, type GradeProgress } from '../grading/grade.ts';
import { listPacks, loadPack, PackNotFoundError, RUBRICS_DIR, type Pack } from '../rubrics/load.ts';
import { formatProblem, RubricError } from '../rubrics/problems.ts';
import { renderJson } from '../report/json.ts';
import { renderTerminal, formatPoints } from '../report/terminal.ts';
import { DockerSandboxProvider } from '../sandbox/sandbox.ts';
import type { SandboxProvider } from '../sandbox/sandbox.ts';
import { directorySnapshot } from '../sandbox/snapshot.ts';
import { createLogger } from '../logger.ts';
import { gradesCommand, jobsCommand, RecordsUsageError } from './records.ts';
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
  rubrica check --week N [--pack NAME] [--json] [--lang es|en] [--all] DIR
      Grade a local checkout (its history comes from DIR/.git) in the sandbox.
  rubrica pack validate [NAME|PATH] [--lang es|en]
      Validate a rubric pack and list its weeks and criteria.
  rubrica pack list
      List the rubric packs under rubrics/.
  rubrica grades export [--org ORG] [--week N] [--format csv|json|canvas|moodle|long|gradescope] [--out DIR]
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
  rubrica worker
      Grade queued jobs without serving webhooks (scale out with DATABASE_URL).

Options:
  --week N       course week to grade (1, 2, …)
  --pack NAME    rubric pack (a folder under rubrics/, or a path); default: the only pack, or mlops
  --json         print one JSON object instead of the report
  --lang es|en   language of the report; default: the pack's
  --all          show criteria whose results are hidden until the deadline
  --rubrics DIR  where packs live (default: the rubrics/ folder of Rubrica)

Environment:
  RUBRICA_RUNNER_IMAGE   Docker image to grade in, instead of the pack's
  DATABASE_URL           postgres://… shared store; unset: SQLite under RUBRICA_DATA_DIR (./data)

Exit status: 0 when a grade was produced (whatever the score), 2 for a bad
argument, unknown week or pack, or an invalid rubric, 3 for an infrastructure
failure (Docker unavailable, runner image missing or incomplete) or criteria
that could not be graded; 130 after Ctrl-C and 143 after SIGTERM (the sandbox
container is removed first).
`;

class UsageError extends Error {}

export async function main(argv: readonly string[], io: CliIo): Promise<number> {
  try {
    const [command, ...rest] = argv;
    if (!command || command === '--help' || command === '-h' || command === 'help') {
      io.stdout.write(USAGE);
      return command ? EXIT.graded : EXIT.usage;
    }
    if (command === 'check') return await check(rest, io);
    if (command === 'pack') return await packCommand(rest, io);
    if (command === 'grades') return await gradesCommand(rest, io);
    if (command === 'jobs') return await jobsCommand(rest, io);
    if (command === 'worker') return await workerCommand(io.env);
    if (command === 'import') return await importCommand(rest, io);
    if (command === 'roster') return await rosterCommand(rest, io);
    throw new UsageError(`unknown command "${command}"`);
  } catch (error) {
    if (error instanceof UsageError || error instanceof RecordsUsageError) {
      io.stderr.write(`rubrica: ${error.message}\n\n${USAGE}`);
      return EXIT.usage;
    }
    if (error instanceof PackNotFoundError) {
      io.stderr.write(`rubrica: ${error.message}\n`);
      return EXIT.usage;
    }
    if (error instanceof RubricError) {
      io.stderr.write(`rubrica: the rubric pack is invalid:\n${error.problems.map((p) => `  ${formatProblem(p)}`).join('\n')}\n`);
      return EXIT.usage;
    }
    if (isInfrastructureError(error)) {
      io.stderr.write(`rubrica: ${error.text.en}\n  (${error.code}; this is not a problem with the repository being graded)\n`);
      return EXIT.infrastructure;
    }
    throw error;
  }
}

function parse(args: readonly string[]) {
  try {
    return parseArgs({
      args: [...args],
      allowPositionals: true,
      options: {
        week: { type: 'string' },
        pack: { type: 'string' },
        json: { type: 'boolean', default: false },
        lang: { type: 'string' },
        all: { type: 'boolean', default: false },
        rubrics: { type: 'string' },
      },
    });
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
}

async function resolvePack(name: string | undefined, rubricsDir: string): Promise<Pack> {
  if (name) return loadPack(name, rubricsDir);
  const packs = await listPacks(rubricsDir);
  if (packs.length === 1) return loadPack(packs[0]!, rubricsDir);
  if (packs.includes('mlops')) return loadPack('mlops', rubricsDir);
  throw new UsageError(`choose a pack with --pack (available: ${packs.join(', ') || 'none'})`);
}

function localeOf(lang: string | undefined, pack: Pack): Locale {
  if (lang === undefined) return pack.locale;
  if (!isLocale(lang)) throw new UsageError(`--lang must be es or en, not "${lang}"`);
  return lang;
}

async function check(args: readonly string[], io: CliIo): Promise<number> {
  const { values, positionals } = parse(args);
  if (positionals.length !== 1) throw new UsageError('check needs exactly one folder to grade');
  if (values.week === undefined) throw new UsageError('check needs --week N');
  if (!/^\d+$/.test(values.week)) throw new UsageError(`--week must be a week number, not "${values.week}"`);
  const dir = resolve(positionals[0]!);
  const stat = await fs.stat(dir).catch(() => null);
  if (!stat?.isDirectory()) throw new UsageError(`${positionals[0]} is not a folder`);

  const pack = await resolvePack(values.pack, values.rubrics ?? RUBRICS_DIR);
  const locale = localeOf(values.lang, pack);
  const week = pack.weeks.get(Number(values.week));
  if (!week) {
    throw new UsageError(`the pack "${pack.name}" has no week ${values.week}; its weeks are 1–${pack.weeks.size}`);
  }
  const provider = io.provider ?? new DockerSandboxProvider();
  const progress = io.stderr.isTTY && !values.json ? progressPrinter(io, locale) : undefined;
  // Ctrl-C or SIGTERM mid-grading: the container goes first, then the CLI exits.
  let stopped: ((signal: StopSignal) => void) | undefined;
  const interrupted = new Promise<StopSignal>((resolve) => (stopped = resolve));
  const offSignals = onStopSignal((signal) => stopped!(signal));
  const grading = grade(
    {
      pack,
      week,
      source: directorySnapshot(dir),
      jobId: `cli-${randomUUID().slice(0, 8)}`,
      ...(io.env.RUBRICA_RUNNER_IMAGE ? { image: io.env.RUBRICA_RUNNER_IMAGE } : {}),
    },
    provider,
    progress,
  );
  const first = await Promise.race([grading.then((grade) => ({ grade })), interrupted.then((signal) => ({ signal }))]).finally(offSignals);
  if ('signal' in first) {
    const removed = provider instanceof DockerSandboxProvider ? await provider.abandon() : 0;
    if (progress) io.stderr.write('\r\u001b[2K');
    io.stderr.write(`rubrica: stopped by ${first.signal}; nothing was graded${removed ? ' and the sandbox container was removed' : ''}.\n`);
    return EXIT_ON_SIGNAL[first.signal];
  }
  const result = first.grade;
  if (progress) io.stderr.write('\r\u001b[2K');
  // The report is the CLI's output; logs only when asked for (LOG_LEVEL=info).
  createLogger(io.env.LOG_LEVEL ?? 'silent').info(
    { pack: pack.name, week: week.week, commit: result.commit, score: result.score, timings: result.timings },
    'graded',
  );
  if (values.json) {
    io.stdout.write(`${JSON.stringify(renderJson(result, locale, values.all), null, 2)}\n`);
  } else {
    const color = Boolean(io.stdout.isTTY) && !io.env.NO_COLOR;
    io.stdout.write(renderTerminal(result, { locale, color, reveal: values.all }));
  }
  // A criterion the runner image could not run is the course's problem: the grade is
  // shown, and the exit status says it is incomplete.
  const crashed = result.criteria.some((c) => c.status === 'error');
  if (crashed) {
    io.stderr.write(
      'rubrica: some criteria could not be graded because of the runner image or the grader; see the report.\n',
    );
    return EXIT.infrastructure;
  }
  return EXIT.graded;
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
              ? `[${p.index + 1}/${p.total}] ${p.run.slice(0, 70)}`
              : es ? 'Calificando…' : 'Scoring…';
    io.stderr.write(`\r\u001b[2K${line}`);
  };
}

async function packCommand(args: readonly string[], io: CliIo): Promise<number> {
  const { values, positionals } = parse(args);
  const [sub, name] = positionals;
  const rubricsDir = values.rubrics ?? RUBRICS_DIR;
  if (sub === 'list') {
    for (const packName of await listPacks(rubricsDir)) {
      const pack = await loadPack(packName, rubricsDir);
      io.stdout.write(`${packName}\t${say(pack.title, pack.locale)} (${pack.weeks.size} weeks)\n`);
    }
    return EXIT.graded;
  }
  if (sub !== 'validate') throw new UsageError('use "pack validate [NAME|PATH]" or "pack list"');
  const pack = await resolvePack(name, rubricsDir);
  const locale = localeOf(values.lang, pack);
  if (values.json) {
    io.stdout.write(`${JSON.stringify(describePack(pack, locale), null, 2)}\n`);
    return EXIT.graded;
  }
  io.stdout.write(`${say(pack.title, locale)} — ${pack.name} (${pack.dir})\n`);
  io.stdout.write(`runner ${pack.runner.image} · scale ${pack.scale} · pass mark ${pack.passMark * 100}% · ${pack.weeks.size} weeks · ok\n\n`);
  for (const week of pack.weeks.values()) {
    io.stdout.write(`${locale === 'es' ? 'Semana' : 'Week'} ${week.week}: ${say(week.title, locale)}\n`);
    for (const c of week.criteria) {
      const flags = [c.manual ? 'manual' : '', c.visibility === 'after-deadline' ? 'after-deadline' : ''].filter(Boolean).join(', ');
      io.stdout.write(`  ${formatPoints(c.points).padStart(4)}  ${c.id.padEnd(24)} ${c.kind.padEnd(13)} ${say(c.title, locale)}${flags ? ` [${flags}]` : ''}\n`);
    }
  }
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
  };
}
