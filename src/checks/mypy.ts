import { z } from 'zod';
import { counted, FILES, listed, literal, noun, same, t, type Text } from '../core/text.ts';
import { commandDetails, commandOf, joinTexts, notFoundMessage, runnerImageIncomplete, stoppedMessage, TimeoutSchema, truncatedNote } from './command.ts';
import { defineCheck, type Annotation, type ChecklistItem, type CommandResult } from './types.ts';

const ERRORS = noun('error', 'errores', 'error', 'errors');
const TYPE_ERRORS = noun('error de tipos', 'errores de tipos', 'type error', 'type errors');

/** A folder or file of the repository: no absolute path, no `..`, nothing a shell would expand. */
const RepoPathSchema = z
  .string()
  .regex(/^(?!\/)(?!-)(?!.*(^|\/)\.\.(\/|$))[A-Za-z0-9_./-]+$/, 'write a folder or file of the repository, e.g. src');

const schema = z.strictObject({
  /** What mypy checks, e.g. [src]. */
  paths: z.array(RepoPathSchema).min(1).default(['src']),
  /** `--strict`: the senior course's "typing passes" bar. */
  strict: z.boolean().default(false),
  /** Errors allowed before the criterion fails. */
  maxErrors: z.number().int().min(0).default(0),
  timeout: TimeoutSchema,
});
export type MypyParams = z.output<typeof schema>;

/** How many errors the message names, each with its file and line. */
const SHOWN_ERRORS = 5;

/**
 * The grader's own configuration, not the repository's: a student's `mypy.ini` or
 * `[tool.mypy]` could otherwise set `ignore_errors`. Libraries without type stubs
 * (scikit-learn, pandas) are not the student's errors, so missing imports are ignored.
 */
export function mypyCommand(params: MypyParams): string {
  const flags = ['--config-file=/dev/null', '--cache-dir=/dev/null', '--ignore-missing-imports', '--no-color-output', '--show-error-codes', '--no-pretty', '--show-column-numbers'];
  if (params.strict) flags.push('--strict');
  return `python3 -m mypy ${flags.join(' ')} ${params.paths.map((p) => `'${p}'`).join(' ')}`;
}

export interface MypyError {
  readonly path: string;
  readonly line: number;
  readonly message: string;
}

export interface MypyReport {
  readonly errors: readonly MypyError[];
  /** From mypy's last line: "Found 3 errors in 2 files (checked 5 source files)". */
  readonly total: number | null;
  readonly files: number | null;
  readonly checked: number | null;
  /**
   * Third-party libraries whose type stubs the image lacks ("Library stubs not installed
   * for yaml"): the course's environment, not the student's typing. Left out of `errors`
   * and `total`; mypy 1.0 reports them even with --ignore-missing-imports.
   */
  readonly missingStubs: readonly string[];
}

/** mypy's `path:line[:col]: error: message  [code]` lines and its summary line. */
export function parseMypyOutput(output: string): MypyReport {
  const errors: MypyError[] = [];
  const missingStubs = new Set<string>();
  let stubErrors = 0;
  for (const m of output.matchAll(/^([^\n:]+\.pyi?):(\d+)(?::\d+)?: error: (.+)$/gm)) {
    const message = m[3]!.trim();
    const stubs = /^Library stubs not installed for "([^"]+)"/.exec(message);
    if (stubs) {
      missingStubs.add(stubs[1]!);
      stubErrors++;
      continue;
    }
    errors.push({ path: m[1]!, line: Number(m[2]), message });
  }
  const found = /^Found (\d+) errors? in (\d+) files? \(checked (\d+) source files?\)$/m.exec(output);
  const success = /^Success: no issues found in (\d+) source files?$/m.exec(output);
  return {
    errors,
    missingStubs: [...missingStubs],
    total: found ? Math.max(0, Number(found[1]) - stubErrors) : success ? 0 : null,
    files: found ? Number(found[2]) : success ? 0 : null,
    checked: found ? Number(found[3]) : success ? Number(success[1]) : null,
  };
}

function errorLine(e: MypyError): string {
  return `${literal(`${e.path}:${e.line}`)} ${literal(e.message.slice(0, 200))}`;
}

/** Whether the run gave mypy's verdict at all (exit 0 or 1 with a summary). */
function verdictOf(result: CommandResult, report: MypyReport): 'clean' | 'errors' | 'broken' {
  // Exit 1 with only missing stubs reported: nothing of the student's.
  if ((result.exitCode === 0 || (result.exitCode === 1 && report.missingStubs.length > 0)) && report.total === 0) return 'clean';
  if (result.exitCode === 1 && (report.total ?? report.errors.length) > 0) return 'errors';
  return 'broken';
}

/** "Typing passes": mypy over the student's code, with the grader's configuration; the message names the count and the first errors. */
export const mypyCheck = defineCheck<MypyParams>({
  kind: 'mypy',
  params: schema,
  requirements(params) {
    return { commands: { main: { run: mypyCommand(params), timeoutSeconds: params.timeout, requires: ['mypy'] } } };
  },
  evaluate(params, evidence) {
    const run = mypyCommand(params);
    const result = commandOf(evidence, 'main');
    if (result.missingModules.length > 0) return runnerImageIncomplete(result, run);
    const what = t('mypy', 'mypy');
    const details = commandDetails(run, result);
    const stopped = stoppedMessage(result, params.timeout, what, t(
      `mypy se detuvo a los ${params.timeout} s: revisa que ${params.paths.join(', ')} no incluya datos o entornos virtuales enteros.`,
      `mypy was stopped after ${params.timeout} s: check that ${params.paths.join(', ')} does not include data or whole virtual environments.`,
    ));
    const where = params.paths.map((p) => literal(p)).join(', ');
    const label = t(
      params.maxErrors === 0 ? `mypy no encuentra errores en ${where}` : `mypy encuentra como mucho ${params.maxErrors} errores en ${where}`,
      params.maxErrors === 0 ? `mypy finds no errors in ${where}` : `mypy finds at most ${params.maxErrors} errors in ${where}`,
    );
    if (stopped) return { fraction: 0, message: stopped, items: [{ label, ok: false }], details };

    const report = parseMypyOutput(result.output);
    const verdict = verdictOf(result, report);
    if (verdict === 'broken') {
      const missing = /^mypy: can't read file '([^']+)'|^There are no \.py\[i\] files in directory '([^']+)'/m.exec(result.output);
      const message =
        notFoundMessage(result, what) ??
        (missing
          ? t(
              `mypy no encontró código Python en ${literal(missing[1] ?? missing[2] ?? '')}: el código va en ${where}.`,
              `mypy found no Python code in ${literal(missing[1] ?? missing[2] ?? '')}: the code goes in ${where}.`,
            )
          : t(
              `mypy no pudo revisar ${where} (código ${result.exitCode ?? '?'}): mira su salida; suele ser un error de sintaxis o dos módulos con el mismo nombre.`,
              `mypy could not check ${where} (exit code ${result.exitCode ?? '?'}): see its output; it is usually a syntax error or two modules with the same name.`,
            ));
      return { fraction: 0, message, items: [{ label, ok: false }], details };
    }
    const total = report.total ?? report.errors.length;
    const ok = total <= params.maxErrors;
    const checked = report.checked ?? 0;
    const items: ChecklistItem[] = [
      { label, ok, note: t(`${counted(total, ERRORS).es} en ${counted(checked, FILES).es} ${checked === 1 ? 'revisado' : 'revisados'}`, `${counted(total, ERRORS).en} in ${counted(checked, FILES).en} checked`) },
    ];
    const shown = report.errors.slice(0, SHOWN_ERRORS);
    const first: Text | null = shown.length
      ? t(
          `${shown.length < total ? `Los primeros ${shown.length}` : 'Son'}: ${shown.map(errorLine).join('; ')}.`,
          `${shown.length < total ? `The first ${shown.length}` : 'They are'}: ${shown.map(errorLine).join('; ')}.`,
        )
      : null;
    const headline =
      total === 0
        ? t(`mypy no encuentra errores de tipos en ${counted(checked, FILES).es} de ${where}.`, `mypy finds no type errors in ${counted(checked, FILES).en} of ${where}.`)
        : ok
          ? t(`mypy encuentra ${counted(total, TYPE_ERRORS).es}, dentro de lo permitido (${params.maxErrors}).`, `mypy finds ${counted(total, TYPE_ERRORS).en}, within the ${params.maxErrors} allowed.`)
          : t(
              `mypy encuentra ${counted(total, TYPE_ERRORS).es} en ${report.files == null ? '? archivos' : counted(report.files, FILES).es} de ${where}${params.maxErrors ? ` (se permiten ${params.maxErrors})` : ''}.`,
              `mypy finds ${counted(total, TYPE_ERRORS).en} in ${report.files == null ? '? files' : counted(report.files, FILES).en} of ${where}${params.maxErrors ? ` (${params.maxErrors} allowed)` : ''}.`,
            );
    const how = t(
      `Medido con la configuración del corrector (${params.strict ? '`--strict`, ' : ''}\`--ignore-missing-imports\`; la de tu repositorio no cuenta): corre \`${run.replace(/'/g, '')}\` en tu máquina.`,
      `Measured with the grader's configuration (${params.strict ? '`--strict`, ' : ''}\`--ignore-missing-imports\`; your repository's does not apply): run \`${run.replace(/'/g, '')}\` on your machine.`,
    );
    const libraries = listed(report.missingStubs.map((m) => same(literal(m))));
    const one = report.missingStubs.length === 1;
    const stubs = report.missingStubs.length
      ? t(
          `${one ? 'La librería' : 'Las librerías'} ${libraries.es} no ${one ? 'trae' : 'traen'} tipos en la imagen del corrector: eso no cuenta como error tuyo.`,
          `${one ? 'The library' : 'The libraries'} ${libraries.en} ${one ? 'has' : 'have'} no type stubs in the grader's image: that does not count as your error.`,
        )
      : null;
    const annotations: Annotation[] = shown.map((e) => ({ path: e.path, line: e.line, message: t(`mypy: ${literal(e.message)}`, `mypy: ${literal(e.message)}`) }));
    return {
      fraction: ok ? 1 : 0,
      message: joinTexts([headline, ok && total === 0 ? null : first, stubs, truncatedNote(result), ok ? null : how]),
      items,
      details,
      ...(annotations.length && !ok ? { annotations } : {}),
    };
  },
});
