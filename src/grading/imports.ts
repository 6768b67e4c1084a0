import type { CommandResult, FileEntry, Outcome } from '../checks/types.ts';
import { literal, t, type Text } from '../core/text.ts';
import { REPO_DIR } from '../sandbox/paths.ts';
import { declarationOf, type DeclaredDependency } from './dependencies.ts';

/**
 * A module the student's code imports and the sandbox does not have. Declared by the
 * student, it is the course's environment (not gradable here, not counted against the
 * student, the instructors are told what to add to the image); undeclared, it is the
 * student's to declare; one of the student's own modules, an import path to fix.
 */

/** What the grader knows of a student's imports: what they declared and which top-level names are their own code. */
export interface ImportContext {
  readonly declared: readonly DeclaredDependency[];
  /** Top-level names of the student's own modules and packages (any `x.py` or folder `x`). */
  readonly local: ReadonlySet<string>;
}

/** One failed import, as the output shows it. */
export interface ImportFailure {
  /** The top-level module, e.g. `pandera` for `pandera.typing`. */
  readonly module: string;
  /** The student's file that imports it, relative to where the command ran, when the output names it. */
  readonly file?: string;
}

/** A declared module the runner image lacks: what the course should add. */
export interface MissingModule {
  readonly module: string;
  /** The distribution that provides it, as declared (normalized). */
  readonly distribution: string;
  /** The file that declares it. */
  readonly declaredIn: string;
}

const NO_MODULE = /ModuleNotFoundError: No module named '([A-Za-z_][\w.]*)'/;
const COLLECTING = /^_{3,} ERROR collecting (.+?) _{3,}\s*$/;
const CONFTEST = /ImportError while loading conftest '([^']+)'/;
const TRACE_FILE = /^\s*File "([^"]+)", line \d+/;
/** pytest's short form of a failed import in a test: `tests/test_x.py:3: in <module>`. */
const PYTEST_FRAME = /^([^\s:][^:]*\.py):\d+: in /;

function relative(path: string): string {
  const p = path.startsWith(`${REPO_DIR}/`) ? path.slice(REPO_DIR.length + 1) : path;
  return p.replace(/^(\.\/)+/, '');
}

/** A frame of the student's own code (not the standard library's, not an installed package's). */
function ownFrame(path: string): string | undefined {
  if (path.startsWith('/') && !path.startsWith(`${REPO_DIR}/`)) return undefined;
  if (/(^|\/)(site|dist)-packages\//.test(path) || path.startsWith('<')) return undefined;
  return relative(path);
}

/** Every failed import of a command's output, once per (module, file), with the importing file when it shows. */
export function importFailures(output: string): ImportFailure[] {
  const out = new Map<string, ImportFailure>();
  let block: string | undefined;
  let lastFrame: string | undefined;
  for (const line of output.split(/\r?\n/)) {
    const header = COLLECTING.exec(line);
    if (header) {
      block = relative(header[1]!);
      lastFrame = undefined;
      continue;
    }
    if (/^[=_]{3,}/.test(line)) block = undefined;
    const conftest = CONFTEST.exec(line);
    if (conftest) block = relative(conftest[1]!);
    const frame = TRACE_FILE.exec(line)?.[1] ?? PYTEST_FRAME.exec(line)?.[1];
    if (frame) {
      const own = ownFrame(frame);
      if (own) lastFrame = own;
    }
    const missing = NO_MODULE.exec(line);
    if (!missing) continue;
    const module = missing[1]!.split('.')[0]!;
    const file = block ?? lastFrame;
    const key = `${module}\0${file ?? ''}`;
    if (!out.has(key)) out.set(key, file ? { module, file } : { module });
  }
  return [...out.values()];
}

/** Top-level names a student's own code provides: `x.py` files and folders anywhere in the snapshot. */
export function localModules(files: readonly FileEntry[]): Set<string> {
  const names = new Set<string>();
  for (const f of files) {
    const base = f.path.slice(f.path.lastIndexOf('/') + 1);
    if (f.type === 'dir') names.add(base);
    else if (f.type === 'file' && base.endsWith('.py')) names.add(base.slice(0, -3));
  }
  return names;
}

export interface ImportVerdicts {
  /** Declared by the student; the image lacks them. */
  readonly declared: readonly (ImportFailure & MissingModule)[];
  /** Not the student's own code, and not declared. */
  readonly undeclared: readonly ImportFailure[];
}

export function classifyImports(failures: readonly ImportFailure[], context: ImportContext): ImportVerdicts {
  const declared: (ImportFailure & MissingModule)[] = [];
  const undeclared: ImportFailure[] = [];
  for (const failure of failures) {
    if (context.local.has(failure.module)) continue;
    const declaration = declarationOf(failure.module, context.declared);
    if (declaration) declared.push({ ...failure, distribution: declaration.name, declaredIn: declaration.file });
    else undeclared.push(failure);
  }
  return { declared, undeclared };
}

/** The import verdicts of a command's result. */
export function importVerdicts(result: CommandResult, context: ImportContext | undefined): ImportVerdicts {
  if (!context) return { declared: [], undeclared: [] };
  return classifyImports(importFailures(result.output), context);
}

/** One entry per module, first declaration kept, by name. */
export function distinctModules(missing: readonly MissingModule[]): MissingModule[] {
  const byModule = new Map<string, MissingModule>();
  for (const m of missing) {
    if (!byModule.has(m.module)) byModule.set(m.module, { module: m.module, distribution: m.distribution, declaredIn: m.declaredIn });
  }
  return [...byModule.values()].sort((a, b) => (a.module < b.module ? -1 : a.module > b.module ? 1 : 0));
}

const list = (names: readonly string[]) => names.map(literal).join(', ');

/** "`tests/test_x.py` imports `pandera`, which your requirements do not list." — one sentence per module. */
export function undeclaredMessage(undeclared: readonly ImportFailure[]): Text | null {
  if (!undeclared.length) return null;
  const es: string[] = [];
  const en: string[] = [];
  for (const u of undeclared) {
    es.push(u.file ? `${literal(u.file)} importa ${literal(u.module)}, que tus requisitos no declaran.` : `Tu código importa ${literal(u.module)}, que tus requisitos no declaran.`);
    en.push(u.file ? `${literal(u.file)} imports ${literal(u.module)}, which your requirements do not list.` : `Your code imports ${literal(u.module)}, which your requirements do not list.`);
  }
  return t(
    `${es.join(' ')} Agrégalo a requirements.txt o a las dependencias de pyproject.toml (si es tuyo, revisa la ruta del import).`,
    `${en.join(' ')} Add it to requirements.txt or to pyproject.toml's dependencies (if it is your own module, check the import path).`,
  );
}

/** Declared modules the image lacks, said to the student: the environment's, not theirs. */
export function environmentMessage(declared: readonly MissingModule[]): Text {
  const modules = distinctModules(declared);
  const where = [...new Set(modules.map((m) => m.declaredIn))];
  const many = modules.length > 1;
  return t(
    `La imagen del curso no tiene ${many ? 'los módulos' : 'el módulo'} ${list(modules.map((m) => m.module))}, que declaras en ${list(where)}: no es un error tuyo; tu docente recibe la lista para agregarlo${many ? 's' : ''}.`,
    `The course's image lacks ${many ? 'the modules' : 'the module'} ${list(modules.map((m) => m.module))}, which you declare in ${list(where)}: it is not your fault; your instructors get the list to add ${many ? 'them' : 'it'}.`,
  );
}

/** The test files whose collection failed, as pytest names them. */
function collectionErrors(output: string): string[] {
  const files = new Set<string>();
  for (const line of output.split(/\r?\n/)) {
    const header = COLLECTING.exec(line);
    if (header) files.add(relative(header[1]!));
  }
  return [...files];
}

/**
 * A pytest run that stopped at collection because test files import a module the student
 * declared and the image lacks: the same run past those files, so the tests of the files
 * that import are still run and judged. Null for anything else (a conftest that cannot be
 * imported, a file broken by the student's own doing, a run that is not pytest's).
 */
export function continuedRun(run: string, result: CommandResult, context: ImportContext): { run: string; files: string[] } | null {
  if (result.exitCode !== 2 || result.timedOut || !/\bpytest\b/.test(run) || /--collect-only|--co\b|--continue-on-collection-errors/.test(run)) return null;
  if (!/Interrupted: \d+ errors? during collection/.test(result.output) || CONFTEST.test(result.output)) return null;
  const broken = collectionErrors(result.output);
  const lacking = new Set(classifyImports(importFailures(result.output), context).declared.flatMap((d) => (d.file ? [d.file] : [])));
  if (!broken.length || !broken.every((f) => lacking.has(f))) return null;
  return { run: run.replace(/\bpytest\b/, 'pytest --continue-on-collection-errors'), files: broken };
}

/** Tests that failed in a pytest run, from its summary line (`2 failed, 18 passed, 1 error in 3.2s`). */
export function failedTests(output: string): number {
  const summary = output.trimEnd().split(/\r?\n/).reverse().find((l) => /\d+ (passed|failed|errors?)\b.* in [\d.]+s/.test(l));
  return Number(/(\d+) failed/.exec(summary ?? '')?.[1] ?? 0);
}

/**
 * A criterion the environment cannot judge: its command failed on a module the student
 * declared and the image lacks. Not scored (like an error of the course's setup).
 */
export function notGradableHere(declared: readonly MissingModule[], details: string | undefined, also?: Text): Outcome {
  const message = also ? t(`${environmentMessage(declared).es} ${also.es}`, `${environmentMessage(declared).en} ${also.en}`) : environmentMessage(declared);
  return {
    fraction: 0,
    message,
    error: {
      code: 'environment-lacks-declared',
      message: t(
        `${message.es} Este criterio no se puede corregir en este entorno y no cuenta en tu contra.`,
        `${message.en} This criterion is not gradable in this environment and does not count against you.`,
      ),
    },
    ...(details ? { details } : {}),
  };
}
