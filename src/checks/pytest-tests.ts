import { z } from 'zod';
import { tailGlobMatcher } from '../core/glob.ts';
import { TextSchema } from '../core/schemas.ts';
import { counted, listed, literal, noun, num, ofTotal, t, type Text } from '../core/text.ts';
import { REPO_DIR } from '../sandbox/paths.ts';
import {
  collectionHang,
  commandDetails,
  commandOf,
  joinTexts,
  localCommand,
  notFoundMessage,
  PythonModulesSchema,
  runnerImageIncomplete,
  stoppedMessage,
  TimeoutSchema,
  truncatedNote,
} from './command.ts';
import { environmentMessage, importVerdicts, undeclaredMessage } from '../grading/imports.ts';
import { defineCheck, type ChecklistItem } from './types.ts';

const TESTS = noun('test', 'tests', 'test', 'tests');

const schema = z.strictObject({
  files: z
    .array(
      z.strictObject({
        /** Test files whose collected tests count, e.g. tests/**\/test_training*.py. */
        glob: z.string().min(1),
        min: z.number().int().min(1),
        label: TextSchema.optional(),
      }),
    )
    .min(1),
  /** What pytest collects from: test folders or files, or `.`. */
  args: z.string().min(1).default('tests'),
  requires: PythonModulesSchema.default(['pytest']),
  timeout: TimeoutSchema,
  /** Credit in proportion to the tests found (3 of 5 is 0.6); otherwise all or nothing. */
  partial: z.boolean().default(true),
});

export type PytestTestsParams = z.output<typeof schema>;

export function collectCommand(args: string): string {
  return `python3 -m pytest --collect-only -q -p no:cacheprovider ${args}`;
}

export interface CollectError {
  /** A test file (or conftest.py) that could not be imported, relative to the repository. */
  readonly file: string;
  /** The exception's last line, e.g. `ModuleNotFoundError: No module named 'x'`. */
  readonly reason?: string;
}

export interface Collected {
  /** Test ids as pytest prints them: `tests/test_x.py::TestA::test_b[1]`. */
  readonly ids: readonly string[];
  readonly errors: readonly CollectError[];
  /** `ImportError while loading conftest`: nothing was collected. */
  readonly conftest?: CollectError;
  /** `ERROR: file or directory not found: tests`. */
  readonly notFound?: string;
  /** pytest refused its options (`error: unrecognized arguments: --cov`). */
  readonly usage?: string;
}

const NODE_ID = /^([^\s:][^:]*)::(\S.*)$/;
/** Pytest's sections after the ids, whose lines must not count (a warning names `file.py::test`). */
const SECTION = /^(={3,} (ERRORS|FAILURES|warnings summary|short test summary info)\b|!{3,} |_{3,} ERROR collecting )/;
const ERROR_HEADER = /^_{3,} ERROR collecting (.+?) _{3,}\s*$/;
const SHORT_ERROR = /^ERROR (\S+)(?: - (.*))?$/;

function relative(path: string): string {
  const p = path.startsWith(`${REPO_DIR}/`) ? path.slice(REPO_DIR.length + 1) : path;
  return p.replace(/^(\.\/)+/, '');
}

function reasonOf(block: string): { reason?: string } {
  const last = block
    .split(/\r?\n/)
    .filter((l) => /^E\s+\S/.test(l))
    .at(-1)
    ?.replace(/^E\s+/, '')
    .trim();
  return last ? { reason: last } : {};
}

/** Reads `pytest --collect-only -q` output (pytest 7 and 8). */
export function parseCollect(output: string): Collected {
  const ids = new Set<string>();
  const errors = new Map<string, string | undefined>();
  let inSections = false;
  let current: string | null = null;
  for (const line of output.split(/\r?\n/)) {
    if (!inSections && SECTION.test(line)) inSections = true;
    if (!inSections) {
      if (NODE_ID.test(line)) ids.add(line.trimEnd());
      continue;
    }
    const header = ERROR_HEADER.exec(line);
    if (header) {
      current = relative(header[1]!);
      if (!errors.has(current)) errors.set(current, undefined);
      continue;
    }
    if (/^[=_!]{3,}/.test(line)) current = null;
    // The last `E   SomeError: …` line of a block is the exception itself.
    const exception = /^E\s+(\S.*)$/.exec(line);
    if (current && exception && /\w(Error|Exception|Interrupt|Exit)\b/.test(exception[1]!)) errors.set(current, exception[1]!.trim());
    const short = SHORT_ERROR.exec(line);
    if (short && short[1]!.includes('.py')) {
      const file = relative(short[1]!.split('::')[0]!);
      if (!errors.has(file) || (errors.get(file) === undefined && short[2])) errors.set(file, short[2]?.trim());
    }
  }
  const conftestMatch = /ImportError while loading conftest '([^']+)'/.exec(output);
  const conftest = conftestMatch ? { file: relative(conftestMatch[1]!), ...reasonOf(output.slice(conftestMatch.index)) } : undefined;
  const notFound = /ERROR: file or directory not found: (.+)/.exec(output)?.[1]?.trim();
  const usage = /^(?:[\w.]+: )?error: (.+)$/m.exec(output)?.[1]?.trim();
  return {
    ids: [...ids],
    errors: [...errors].map(([file, reason]) => (reason ? { file, reason } : { file })),
    ...(conftest ? { conftest } : {}),
    ...(notFound ? { notFound } : {}),
    ...(usage && !notFound ? { usage } : {}),
  };
}

/**
 * Tests per file as counted: pytest's collected ids, capped file by file by the test
 * functions the file's source defines. A conftest can make pytest report tests that do
 * not exist (or that a file does not hold); the static count cannot be talked up.
 * Without static counts (not asked for) pytest's figure stands.
 */
export function countedPerFile(ids: readonly string[], testCounts: ReadonlyMap<string, number | null> | undefined): Map<string, { collected: number; counted: number; defined: number | null }> {
  const collected = new Map<string, number>();
  for (const id of ids) {
    const file = id.split('::')[0]!;
    collected.set(file, (collected.get(file) ?? 0) + 1);
  }
  const out = new Map<string, { collected: number; counted: number; defined: number | null }>();
  for (const [file, n] of collected) {
    if (!testCounts) {
      out.set(file, { collected: n, counted: n, defined: null });
      continue;
    }
    // pytest prints paths from its rootdir; the snapshot's paths may have a folder in front.
    const path = testCounts.has(file) ? file : [...testCounts.keys()].find((p) => p.endsWith(`/${file}`));
    const defined = path === undefined ? 0 : (testCounts.get(path) ?? null);
    // Not parsable by Python: pytest cannot have imported it either, so nothing of it counts.
    const bound = defined ?? 0;
    out.set(file, { collected: n, counted: Math.min(n, bound), defined });
  }
  return out;
}

/** What this check measures, in one line: a student's conftest can make pytest report anything, the source cannot. */
const MEASURED = t(
  'Medido: los tests que reúne pytest, cada archivo hasta las funciones test_ que su código define (leído sin ejecutarlo).',
  'Measured: the tests pytest collects, each file up to the test_ functions its source defines (read without running it).',
);

/** Test counts from `pytest --collect-only`, per group of files (`tests/**\/test_training*.py` ≥ 5). */
export const pytestTestsCheck = defineCheck<PytestTestsParams>({
  kind: 'pytest-tests',
  params: schema,
  requirements(params) {
    return {
      commands: {
        collect: { run: collectCommand(params.args), timeoutSeconds: params.timeout, requires: params.requires },
      },
      testFiles: params.files.map((f) => f.glob),
    };
  },
  evaluate(params, evidence) {
    const run = collectCommand(params.args);
    const result = commandOf(evidence, 'collect');
    if (result.missingModules.length > 0) return runnerImageIncomplete(result, run);

    const collected = parseCollect(result.output);
    const perFile = countedPerFile(collected.ids, evidence.testCounts);
    // Files that failed to import a module the student declared and the image lacks are the
    // environment's: their tests are counted from their source instead (a conftest's failure, every file's).
    const imports = importVerdicts(result, evidence.dependencies);
    const lacking = new Set(imports.declared.flatMap((d) => (d.file ? [d.file] : [])));
    const conftestLacks = collected.conftest !== undefined && lacking.has(collected.conftest.file);
    const fromSource = (matches: (path: string) => boolean) => {
      const files = conftestLacks
        ? [...(evidence.testCounts?.keys() ?? [])].filter(matches)
        : collected.errors.filter((e) => matches(e.file) && lacking.has(e.file)).map((e) => e.file);
      return files.reduce((sum, file) => sum + staticCount(file, evidence.testCounts), 0);
    };
    const rows = params.files.map((entry) => {
      const matches = tailGlobMatcher(entry.glob);
      const mine = [...perFile].filter(([file]) => matches(file)).map(([, n]) => n);
      const statically = fromSource(matches);
      const count = mine.reduce((sum, n) => sum + n.counted, 0) + statically;
      const reported = mine.reduce((sum, n) => sum + n.collected, 0) + statically;
      const cappedEs = reported > count ? `; pytest informó ${reported}, pero los archivos definen menos funciones test_` : '';
      const cappedEn = reported > count ? `; pytest reported ${reported}, but the files define fewer test_ functions` : '';
      const sourceEs = statically ? `; ${shown(statically)} contados en el código, sin correrlos (la imagen del curso no tiene lo que importan)` : '';
      const sourceEn = statically ? `; ${shown(statically)} counted from the source, not run (the course's image lacks what they import)` : '';
      const broken = collected.errors.filter((e) => matches(e.file) && !lacking.has(e.file)).map((e) => e.file);
      const brokenEs = broken.length ? `; no se pudo importar: ${broken.map(literal).join(', ')}` : '';
      const brokenEn = broken.length ? `; could not be imported: ${broken.map(literal).join(', ')}` : '';
      const item: ChecklistItem = {
        label: entry.label ?? t(`tests en ${literal(entry.glob)} (mínimo ${entry.min})`, `tests in ${literal(entry.glob)} (at least ${entry.min})`),
        ok: count >= entry.min,
        note: t(`${ofTotal(count, entry.min, TESTS).es}${cappedEs}${sourceEs}${brokenEs}`, `${ofTotal(count, entry.min, TESTS).en}${cappedEn}${sourceEn}${brokenEn}`),
      };
      return { entry, count, reported, item, statically };
    });
    const items = rows.map((r) => r.item);
    const fraction = params.partial
      ? rows.reduce((sum, r) => sum + Math.min(1, r.count / r.entry.min), 0) / rows.length
      : items.every((i) => i.ok)
        ? 1
        : 0;

    const total = collected.ids.length;
    const studentErrors = collected.errors.filter((e) => !lacking.has(e.file));
    const parts: (Text | null)[] = [];
    const stopped = stoppedMessage(
      result,
      params.timeout,
      t('pytest', 'pytest'),
      collectionHang(params.timeout * 1000),
    );
    const notFound = notFoundMessage(result, t(literal(run), literal(run)));
    const { conftest } = collected;

    if (stopped) {
      parts.push(stopped);
    } else if (notFound) {
      parts.push(notFound);
    } else if (conftest && conftestLacks) {
      parts.push(
        t(
          `pytest no reunió ningún test porque ${literal(conftest.file)} importa lo que la imagen del curso no tiene: se contaron las funciones test_ de tus archivos, sin correrlas.`,
          `pytest collected no tests because ${literal(conftest.file)} imports what the course's image lacks: the test_ functions of your files were counted, without running them.`,
        ),
      );
    } else if (conftest) {
      const why = conftest.reason ? ` (${literal(conftest.reason)})` : '';
      parts.push(
        t(
          `No se pudo importar ${literal(conftest.file)}${why}, así que pytest no reunió ningún test: arréglalo.`,
          `${literal(conftest.file)} could not be imported${why}, so pytest collected no tests: fix it.`,
        ),
      );
    } else if (collected.notFound) {
      parts.push(
        t(
          `No existe ${literal(collected.notFound)} en tu repositorio: pon tus tests ahí (archivos test_*.py).`,
          `${literal(collected.notFound)} does not exist in your repository: put your tests there (test_*.py files).`,
        ),
      );
    } else if (collected.usage && result.exitCode === 4) {
      parts.push(
        t(
          `pytest rechazó sus opciones (${literal(collected.usage)}): revisa \`addopts\` en tu pytest.ini, pyproject.toml o setup.cfg.`,
          `pytest refused its options (${literal(collected.usage)}): check \`addopts\` in your pytest.ini, pyproject.toml or setup.cfg.`,
        ),
      );
    } else if (result.exitCode !== 0 && result.exitCode !== 2 && result.exitCode !== 5 && collected.errors.length === 0 && !conftest) {
      parts.push(
        t(
          `pytest falló (código ${result.exitCode ?? '?'}) al reunir tus tests; mira la salida.`,
          `pytest failed (code ${result.exitCode ?? '?'}) while collecting your tests; see the output.`,
        ),
      );
    }

    // Said where it changed this criterion's count: the files it counts from their source.
    const fromSourceTotal = rows.reduce((sum, r) => sum + (r.statically ?? 0), 0);
    if (fromSourceTotal > 0) {
      const affected = imports.declared.filter((d) => conftestLacks || rows.some((r) => r.statically && d.file && tailGlobMatcher(r.entry.glob)(d.file)));
      parts.push(environmentMessage(affected.length ? affected : imports.declared));
      parts.push(
        t(
          `Los tests de esos archivos se contaron en su código (funciones test_), sin correrlos: ${shown(fromSourceTotal)}.`,
          `The tests of those files were counted from their source (test_ functions), without running them: ${shown(fromSourceTotal)}.`,
        ),
      );
    }
    if (studentErrors.length > 0) {
      const listed = studentErrors.map((e) => `${literal(e.file)}${e.reason ? ` (${literal(e.reason)})` : ''}`).join('; ');
      const n = studentErrors.length;
      parts.push(
        t(
          `${n === 1 ? 'Un archivo de test no se pudo importar' : `${n} archivos de test no se pudieron importar`} y sus tests no se cuentan: ${listed}.`,
          `${n === 1 ? 'A test file could not be imported' : `${n} test files could not be imported`} and their tests do not count: ${listed}.`,
        ),
      );
    }
    const undeclared = undeclaredMessage(imports.undeclared);
    if (undeclared) parts.push(undeclared);
    else if (!evidence.dependencies && studentErrors.some((e) => e.reason?.startsWith('ModuleNotFoundError'))) {
      parts.push(
        t(
          'Si el módulo que falta es tuyo, revisa la ruta del import; si es una librería, puede que no esté en la imagen del curso: avisa a tu docente.',
          'If the missing module is yours, check the import path; if it is a library, the course image may lack it: tell your instructor.',
        ),
      );
    } else if (studentErrors.some((e) => e.reason?.startsWith('ModuleNotFoundError'))) {
      parts.push(
        t(
          'El módulo que falta es parte de tu código: revisa la ruta del import (¿falta un `__init__.py`, o `pythonpath` en la configuración de pytest?).',
          'The missing module is part of your code: check the import path (a missing `__init__.py`, or `pythonpath` in the pytest configuration?).',
        ),
      );
    }

    const short = rows.filter((r) => !r.item.ok);
    const explained = stopped ?? notFound ?? conftest ?? collected.notFound ?? (collected.errors.length > 0 ? true : null);
    // The tests of the files this criterion is about, never every test pytest collected.
    const perGlob = (r: (typeof rows)[number]) => t(`${literal(r.entry.glob)} tiene ${counted(r.count, TESTS).es}`, `${literal(r.entry.glob)} has ${counted(r.count, TESTS).en}`);
    if (short.length === 0) {
      const found = listed(rows.map(perGlob));
      const mins = listed(rows.map((r) => num(r.entry.min)));
      parts.push(t(`${found.es} (mínimo ${mins.es}): alcanza.`, `${found.en} (at least ${mins.en}): enough.`));
    } else if (total === 0 && explained === null) {
      parts.push(
        t(
          `pytest no encontró ningún test en ${literal(params.args)}: los archivos deben llamarse test_*.py (o *_test.py) y las funciones empezar con test_.`,
          `pytest found no tests in ${literal(params.args)}: files must be named test_*.py (or *_test.py) and functions start with test_.`,
        ),
      );
    } else {
      const lacking = listed(short.map((r) => t(`${literal(r.entry.glob)} tiene ${ofTotal(r.count, r.entry.min, TESTS).es}`, `${literal(r.entry.glob)} has ${ofTotal(r.count, r.entry.min, TESTS).en}`)));
      parts.push(
        t(
          `Faltan tests: ${lacking.es}. Agrega funciones test_ en archivos que coincidan.`,
          `Not enough tests: ${lacking.en}. Add test_ functions in matching files.`,
        ),
      );
    }
    if (result.outputTruncated) parts.push(truncatedNote(result), t('Los conteos pueden quedar cortos.', 'The counts may fall short.'));
    if (evidence.testCounts) parts.push(MEASURED);
    if (short.length > 0 || collected.errors.length > 0 || result.exitCode !== 0) {
      const local = localCommand(run) ?? run;
      parts.push(t(`Corre ${literal(local)} en tu máquina para ver lo mismo.`, `Run ${literal(local)} on your machine to see the same.`));
    }

    return { fraction, message: joinTexts(parts), items, details: commandDetails(run, result) };
  },
});

/** Test functions a file's source defines (Infinity: parametrized beyond counting; not parsable: none). */
function staticCount(file: string, testCounts: ReadonlyMap<string, number | null> | undefined): number {
  if (!testCounts) return 0;
  const path = testCounts.has(file) ? file : [...testCounts.keys()].find((p) => p.endsWith(`/${file}`));
  return path === undefined ? 0 : (testCounts.get(path) ?? 0);
}

/** A count as a student reads it: a parametrized test beyond counting is "many". */
function shown(n: number): string {
  return Number.isFinite(n) ? String(n) : '∞';
}
