import { z } from 'zod';
import { RegexSchema, TextSchema } from '../core/schemas.ts';
import { bytes, counted, FILES, listed, literal, noun, num, ofTotal, percent, REQUIREMENTS, same, seconds, t, type Locale, type Text } from '../core/text.ts';
import { OUT_DIR } from '../sandbox/paths.ts';
import { environmentMessage, failedTests, importVerdicts, notGradableHere, undeclaredMessage, type MissingModule } from '../grading/imports.ts';
import { creditOf, defineCheck, type ChecklistItem, type CommandResult, type CheckEvidence, type Outcome } from './types.ts';

const STATEMENTS = noun('sentencia', 'sentencias', 'statement', 'statements');

/** An import name, as `importlib.util.find_spec` takes it: `sklearn`, not `scikit-learn`. */
export const PythonModulesSchema = z.array(
  z
    .string()
    .regex(
      /^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*$/,
      'write the Python import name (e.g. sklearn, not scikit-learn)',
    ),
);

/** Seconds a command may run; the job's own limit may cut it shorter. */
export const TimeoutSchema = z.number().int().min(1).max(1800).default(120);

const OutputPatternSchema = z.strictObject({
  label: TextSchema.optional(),
  regex: RegexSchema,
  /** The output must NOT match (e.g. a warning that should be gone). */
  absent: z.boolean().default(false),
});

const ReportSchema = z
  .string()
  .refine(
    (p) => p.startsWith(`${OUT_DIR}/`) && p.length > OUT_DIR.length + 1 && !p.split('/').includes('..') && !p.endsWith('/'),
    { message: `write an absolute file path under ${OUT_DIR}/ (e.g. ${OUT_DIR}/coverage.json)` },
  );

const MetricSchema = z.strictObject({
  label: TextSchema,
  /** JSON file the command writes, e.g. /work/out/coverage.json. */
  report: ReportSchema,
  /** Dotted path into the report, e.g. totals.percent_covered; keys may contain dots (files.src/app.py.summary). */
  path: z.string().regex(/^[^.]+(\.[^.]+)*$/, 'write a dotted path such as totals.percent_covered'),
  min: z.number(),
  unit: z.string().default(''),
});

/** Coverage the grader measures itself (CommandSpec.coverage); the run must be a pytest-cov test run. */
const CoverageSchema = z.strictObject({
  label: TextSchema.optional(),
  /** Folders of the repository whose every Python file counts, e.g. [src]. */
  source: z
    .array(z.string().regex(/^(?!\/)(?!.*(^|\/)\.\.(\/|$))[^\s]+$/, 'write a folder of the repository, e.g. src'))
    .min(1),
  min: z.number().min(0).max(100),
});

const schema = z.strictObject({
  run: z.string().min(1),
  /** What the run is, in the student's words (`tus tests`); default: pytest, or the command. */
  label: TextSchema.optional(),
  /** The command a student runs locally to see the same; default: \`run\` without the grader's own options. */
  local: z.string().min(1).optional(),
  timeout: TimeoutSchema,
  requires: PythonModulesSchema.default([]),
  expect: z
    .strictObject({
      /** null: any exit code is fine (the output or the metric decides). */
      exitCode: z.number().int().min(0).max(255).nullable().default(0),
      output: z.array(OutputPatternSchema).default([]),
    })
    .default({ exitCode: 0, output: [] }),
  metric: MetricSchema.optional(),
  coverage: CoverageSchema.optional(),
  /** Credit per item met; otherwise all or nothing. */
  partial: z.boolean().default(false),
});

export type CommandParams = z.output<typeof schema>;
type Metric = NonNullable<CommandParams['metric']>;
type Coverage = NonNullable<CommandParams['coverage']>;

/* ---------- shared with pytest-tests ---------- */

/** The result of a local command, or a bug of ours (the grader always runs what a check asks for). */
export function commandOf(evidence: CheckEvidence, name: string): CommandResult {
  const result = evidence.commands.get(name);
  if (!result) throw new Error(`the grader did not run command "${name}"`);
  return result;
}

/** The runner image lacks a module the course said it needs: not the student's problem, not scored. */
export function runnerImageIncomplete(result: CommandResult, run: string): Outcome {
  const list = result.missingModules.join(', ');
  const many = result.missingModules.length > 1;
  return {
    fraction: 0,
    message: t(
      `No se corrió ${literal(run)}: ${many ? 'faltan módulos' : 'falta un módulo'} en la imagen del curso.`,
      `${literal(run)} was not run: the course's image lacks ${many ? 'modules' : 'a module'}.`,
    ),
    error: {
      code: 'runner-image-incomplete',
      message: t(
        `La imagen del curso no tiene ${many ? 'los módulos' : 'el módulo'} ${list}; avisa a tu docente. No es un error tuyo y este criterio no se puntúa.`,
        `The course's image lacks the ${many ? 'modules' : 'module'} ${list}; tell your instructor. It is not your fault and this criterion is not scored.`,
      ),
    },
    details: `$ ${run}\n(not run: the runner image lacks ${list})`,
  };
}

/** Stopped well before its own timeout: the job's total time ran out (earlier commands used it). */
function cutByJob(result: CommandResult, timeoutSeconds: number): boolean {
  return result.durationMs < timeoutSeconds * 1000 - 1000;
}

/** When a stopped command was stopped, in whole seconds. */
function stoppedAt(result: CommandResult, timeoutSeconds: number, locale: Locale): string {
  return seconds(cutByJob(result, timeoutSeconds) ? Math.round(result.durationMs / 1000) * 1000 : timeoutSeconds * 1000, locale);
}

/**
 * Why a command did not finish, in words a student can act on; null when it finished.
 * `what` names it in both languages; `advice` replaces the generic timeout advice.
 */
export function stoppedMessage(result: CommandResult, timeoutSeconds: number, what: Text, advice?: Text): Text | null {
  if (result.failure) return supervisorLostMessage(result.failure, what);
  if (result.hungAs) {
    const { timeoutSeconds: limit } = result.hungAs;
    const run = localCommand(result.hungAs.run) ?? result.hungAs.run;
    const hang = collectionHang(limit * 1000);
    return t(
      `${what.es} no se corrió: reúne los mismos tests que ${literal(run)}, que no terminó. ${hang.es}`,
      `${what.en} was not run: it collects the same tests as ${literal(run)}, which never finished. ${hang.en}`,
    );
  }
  if (result.timedOut) {
    if (cutByJob(result, timeoutSeconds)) {
      return t(
        `${what.es} se detuvo a los ${stoppedAt(result, timeoutSeconds, 'es')} porque se acabó el tiempo total de la corrección (los comandos anteriores usaron casi todo): haz que tus tests corran más rápido.`,
        `${what.en} was stopped after ${stoppedAt(result, timeoutSeconds, 'en')} because the grading job ran out of time (earlier commands used most of it): make your tests run faster.`,
      );
    }
    const limit = (locale: Locale) => seconds(timeoutSeconds * 1000, locale);
    return (
      advice ??
      t(
        `${what.es} se detuvo a los ${limit('es')} (el límite de tiempo): busca un bucle infinito o una espera (input(), un servidor que no termina).`,
        `${what.en} was stopped at ${limit('en')} (the time limit): look for an infinite loop or a wait (input(), a server that never ends).`,
      )
    );
  }
  if (result.killed) {
    return t(
      `${what.es} fue detenido por el límite de memoria del entorno de corrección: seguramente carga demasiados datos; usa datos más pequeños en los tests (una muestra) o libera memoria.`,
      `${what.en} was killed by the grading sandbox's memory limit: it probably loads too much data; use smaller data in the tests (a sample) or free memory.`,
    );
  }
  return null;
}

/**
 * The grader's supervisor was killed or stopped answering while the command ran. It runs
 * as a user the student's code cannot signal, so only what the command did to the whole
 * sandbox (memory, processes) can cause this: it is the student's result.
 */
function supervisorLostMessage(failure: NonNullable<CommandResult['failure']>, what: Text): Text {
  return failure === 'supervisor-died'
    ? t(
        `Mientras corría ${what.es}, el supervisor del corrector terminó de golpe: tu código agotó el entorno (memoria o procesos) o lo atacó. Revisa que tus tests no lancen procesos que no terminan ni usen memoria sin límite, y vuelve a subir.`,
        `While ${what.en} ran, the grader's supervisor was ended abruptly: your code exhausted the sandbox (memory or processes) or attacked it. Check that your tests start no processes that never end and use bounded memory, then push again.`,
      )
    : t(
        `Mientras corría ${what.es}, el supervisor del corrector dejó de responder: tu código bloqueó el entorno. Revisa que tus tests no dejen procesos ni archivos especiales (FIFO) atrás, y vuelve a subir.`,
        `While ${what.en} ran, the grader's supervisor stopped answering: your code blocked the sandbox. Check that your tests leave no processes or special files (FIFOs) behind, then push again.`,
      );
}

/** Why pytest never finished collecting: the same words wherever a hang shows. */
export function collectionHang(limitMs: number): Text {
  const limit = (locale: Locale) => seconds(limitMs, locale);
  return t(
    `pytest se detuvo a los ${limit('es')} mientras reunía tus tests: al importarlos se ejecuta algo que no termina (entrenar un modelo, leer datos grandes, input(), un servidor o un bucle) fuera de una función test_. Muévelo dentro de los tests o de fixtures.`,
    `pytest was stopped at ${limit('en')} while collecting your tests: importing them runs something that never ends (training a model, reading large data, input(), a server or a loop) outside a test_ function. Move it into the tests or fixtures.`,
  );
}

/** Exit code 127 (not found) or 126 (not executable) from `sh`: the program isn't there. */
export function notFoundMessage(result: CommandResult, what: Text): Text | null {
  if (result.exitCode === 127) {
    const name = /(?:^|\n)(?:sh|bash|\/bin\/sh): (?:\d+: )?(?:line \d+: )?(.+?): (?:command )?not found/.exec(result.output)?.[1];
    const it = name ? literal(name) : null;
    return t(
      `${what.es} no pudo correr: ${it ? `${it} no existe` : 'el programa no existe'} en el entorno (código 127). Si es un archivo de tu repositorio, revisa que esté subido con ese nombre y ruta; si es una herramienta del curso, avisa a tu docente.`,
      `${what.en} could not run: ${it ? `${it} is not there` : 'the program is not there'} (code 127). If it is a file of your repository, check that it is pushed with that name and path; if it is a course tool, tell your instructor.`,
    );
  }
  if (result.exitCode === 126) {
    return t(
      `${what.es} no pudo correr: el archivo existe pero no es ejecutable (código 126). Dale permiso con \`git update-index --chmod=+x <archivo>\` y súbelo, o revisa su primera línea (#!).`,
      `${what.en} could not run: the file exists but is not executable (code 126). Make it executable with \`git update-index --chmod=+x <file>\` and push, or check its first line (#!).`,
    );
  }
  return null;
}

/** The output was longer than the sandbox keeps. */
export function truncatedNote(result: CommandResult): Text | null {
  if (!result.outputTruncated) return null;
  return t(
    `La salida fue muy larga (${bytes(result.outputBytes, 'es')}) y se cortó: solo se guardaron el inicio y el final.`,
    `The output was very long (${bytes(result.outputBytes)}) and was cut: only its start and end were kept.`,
  );
}

/** The raw output for the details view, headed by the command line. */
export function commandDetails(run: string, result: CommandResult): string {
  const status = result.failure
    ? `the grader's supervisor ${result.failure === 'supervisor-died' ? 'was killed' : 'stopped answering'}`
    : result.hungAs
    ? `not run: \`${result.hungAs.run}\` never finished collecting the same tests`
    : result.timedOut
    ? `stopped at the time limit after ${seconds(result.durationMs)}`
    : result.killed
      ? `killed (memory limit), exit code ${result.exitCode ?? '?'}`
      : `exit code ${result.exitCode ?? '?'}, ${seconds(result.durationMs)}`;
  const output = result.output.length > 0 ? result.output.replace(/\n$/, '') : '(no output)';
  return `$ ${run}\n${output}\n[${status}${result.outputTruncated ? `, ${bytes(result.outputBytes)} of output, middle cut` : ''}]`;
}

export function joinTexts(parts: readonly (Text | null | undefined)[]): Text {
  const kept = parts.filter((p): p is Text => p != null);
  return { es: kept.map((p) => p.es).join(' '), en: kept.map((p) => p.en).join(' ') };
}

/* ---------- metric ---------- */

/**
 * Follows a dotted path, preferring the longest key at each level, so coverage's
 * `files.src/app.py.summary.percent_covered` finds the key `src/app.py`.
 */
export function resolvePath(value: unknown, path: string): { found: true; value: unknown } | { found: false } {
  const parts = path.split('.');
  const walk = (node: unknown, from: number): { found: true; value: unknown } | { found: false } => {
    if (from === parts.length) return { found: true, value: node };
    if (node === null || typeof node !== 'object') return { found: false };
    for (let to = parts.length; to > from; to--) {
      const key = parts.slice(from, to).join('.');
      if (Array.isArray(node) ? /^\d+$/.test(key) && Number(key) < node.length : Object.hasOwn(node, key)) {
        const found = walk((node as Record<string, unknown>)[key], to);
        if (found.found) return found;
      }
    }
    return { found: false };
  };
  return walk(value, 0);
}

function withUnit(n: Text, unit: string): Text {
  if (unit === '') return n;
  return unit === '%' ? t(`${n.es} %`, `${n.en}%`) : t(`${n.es} ${unit}`, `${n.en} ${unit}`);
}

/** One decimal at most; a value under the minimum is never shown rounded up to it. */
function display(value: number, min: number): Text {
  let shown = Math.round(value * 10) / 10;
  if (value < min && shown >= min) shown = Math.floor(value * 10) / 10;
  return num(shown);
}

function coverageWhere(coverage: Coverage): string {
  return coverage.source.map((s) => literal(`${s}/`)).join(', ');
}

function coverageItem(coverage: Coverage, result: CommandResult): ChecklistItem {
  const where = coverageWhere(coverage);
  const min = percent(coverage.min);
  const label = coverage.label ?? t(`cobertura de ${where}`, `coverage of ${where}`);
  const bare = t(`${label.es} (mínimo ${min.es})`, `${label.en} (minimum ${min.en})`);
  const measured = result.coverage;
  if (!measured || 'error' in measured) {
    const noData = measured?.error === 'no-data';
    return {
      label: bare,
      ok: false,
      note: noData
        ? t(
            'la corrida de tests no registró datos de cobertura: probablemente pytest falló antes de terminar o no se usó pytest-cov; mira la salida.',
            'the test run recorded no coverage data: pytest probably failed before it finished, or pytest-cov was not used; see the output.',
          )
        : t(`no se pudo medir la cobertura (${measured?.error ?? 'sin resultado'}).`, `coverage could not be measured (${measured?.error ?? 'no result'}).`),
    };
  }
  const shown = withUnit(display(measured.percent, coverage.min), '%');
  return {
    label: t(`${label.es} ${shown.es} (mínimo ${min.es})`, `${label.en} ${shown.en} (minimum ${min.en})`),
    ok: measured.percent >= coverage.min,
    note: t(
      `${measured.covered} de ${counted(measured.statements, STATEMENTS).es} en ${counted(measured.files, FILES).es}`,
      `${measured.covered} of ${counted(measured.statements, STATEMENTS).en} in ${counted(measured.files, FILES).en}`,
    ),
  };
}

/** The coverage figure as the headline: what was measured, the figure and the minimum. */
function coverageHeadline(coverage: Coverage, result: CommandResult, local: string | null): Text | null {
  const measured = result.coverage;
  if (!measured || 'error' in measured) return null;
  const where = coverageWhere(coverage);
  const shown = withUnit(display(measured.percent, coverage.min), '%');
  const min = percent(coverage.min);
  return measured.percent >= coverage.min
    ? t(`La cobertura de ${where} es ${shown.es} (mínimo ${min.es}).`, `Coverage of ${where} is ${shown.en} (minimum ${min.en}).`)
    : t(
        `La cobertura de ${where} es ${shown.es}, por debajo del mínimo de ${min.es}: agrega tests para las líneas que ningún test ejecuta${local ? ` (las lista ${literal(`${local} --cov-report=term-missing`)} en tu máquina)` : ''}.`,
        `Coverage of ${where} is ${shown.en}, under the minimum of ${min.en}: add tests for the lines no test runs${local ? ` (${literal(`${local} --cov-report=term-missing`)} lists them on your machine)` : ''}.`,
      );
}

/** What a command check measures, in one line: the student's own code runs inside what it measures. */
function measuredLine(params: CommandParams): Text {
  if (params.coverage) {
    const where = params.coverage.source.map((s) => `${s}/`).join(', ');
    return t(
      `Medido: la cobertura de ${where} con la configuración del corrector (la de tu repositorio, omit, exclude o \`# pragma: no cover\`, no cuenta), sobre lo que registró tu corrida de tests.`,
      `Measured: coverage of ${where} with the grader's own configuration (your repository's, omit, exclude or \`# pragma: no cover\`, does not apply), over what your test run recorded.`,
    );
  }
  return t(
    'Medido: el resultado del comando en el entorno del corrector; tu código (también conftest.py) corre dentro y lo decide.',
    "Measured: the command's result in the grader's sandbox; your code (conftest.py too) runs inside it and decides it.",
  );
}

function metricItem(metric: Metric, result: CommandResult): ChecklistItem {
  const min = withUnit(num(metric.min), metric.unit);
  const bare = t(`${metric.label.es} (mínimo ${min.es})`, `${metric.label.en} (minimum ${min.en})`);
  const raw = result.reports[metric.report];
  if (raw == null) {
    return {
      label: bare,
      ok: false,
      note: t(
        `No se generó el reporte ${metric.report} (o era demasiado grande): probablemente el comando falló antes de escribirlo; mira su salida.`,
        `The report ${metric.report} was not produced (or was too large): the command probably failed before writing it; see its output.`,
      ),
    };
  }
  let data: unknown;
  try {
    data = JSON.parse(raw);
  } catch {
    return {
      label: bare,
      ok: false,
      note: t(`El reporte ${metric.report} no es JSON válido.`, `The report ${metric.report} is not valid JSON.`),
    };
  }
  const found = resolvePath(data, metric.path);
  if (!found.found) {
    return {
      label: bare,
      ok: false,
      note: t(`El reporte ${metric.report} no tiene ${literal(metric.path)}.`, `The report ${metric.report} has no ${literal(metric.path)}.`),
    };
  }
  const value =
    typeof found.value === 'number'
      ? found.value
      : typeof found.value === 'string' && found.value.trim() !== ''
        ? Number(found.value)
        : NaN;
  if (!Number.isFinite(value)) {
    const shown = JSON.stringify(found.value)?.slice(0, 60) ?? String(found.value);
    return {
      label: bare,
      ok: false,
      note: t(
        `${literal(metric.path)} en ${metric.report} no es un número (${literal(shown)}).`,
        `${literal(metric.path)} in ${metric.report} is not a number (${literal(shown)}).`,
      ),
    };
  }
  const shown = withUnit(display(value, metric.min), metric.unit);
  return {
    label: t(`${metric.label.es} ${shown.es} (mínimo ${min.es})`, `${metric.label.en} ${shown.en} (minimum ${min.en})`),
    ok: value >= metric.min,
  };
}

/* ---------- the check ---------- */

function isPytest(run: string): boolean {
  return /^(python3? -m )?pytest(\s|$)/.test(run.trim());
}

/** What runs, in the student's terms: the rubric's label, pytest, or the command a student would type. */
function whatRuns(params: CommandParams): Text {
  if (params.label) return params.label;
  if (isPytest(params.run)) return same('pytest');
  const local = params.local ?? localCommand(params.run);
  return local ? same(literal(local)) : t('El comando del curso', "The course's command");
}

/** Options only the grader's sandbox has (its cache policy, its coverage settings, its report folder). */
const GRADER_ONLY = [/\s+-p\s+no:cacheprovider\b/g, /\s+--cov-config(=|\s+)\S+/g, /\s+--cov-report(=|\s+)\S*\/work\/\S*/g];

/**
 * The command a student can run in their own checkout to see the same, or null when
 * the run only makes sense in the sandbox (shell plumbing, the grader's folders).
 */
export function localCommand(run: string): string | null {
  let local = run.trim();
  for (const option of GRADER_ONLY) local = local.replace(option, '');
  if (/[;&|`$<>]|\/work\//.test(local)) return null;
  return local;
}

function exitItem(expected: number | null, result: CommandResult, timeoutSeconds: number): ChecklistItem {
  const stopped = result.failure
    ? t('el supervisor del corrector no volvió', "the grader's supervisor did not come back")
    : result.hungAs
    ? t('no se corrió: los mismos tests no terminaron de reunirse', 'not run: the same tests never finished collecting')
    : result.timedOut
    ? t(`se detuvo a los ${stoppedAt(result, timeoutSeconds, 'es')}`, `stopped after ${stoppedAt(result, timeoutSeconds, 'en')}`)
    : result.killed
      ? t('lo detuvo el límite de memoria', 'killed by the memory limit')
      : null;
  if (expected === null) {
    const missing = result.exitCode === 127 || result.exitCode === 126;
    return {
      label: t('el comando termina', 'the command finishes'),
      ok: stopped === null && !missing,
      ...(stopped
        ? { note: stopped }
        : missing
          ? { note: t(`código ${result.exitCode}: no se pudo ejecutar`, `code ${result.exitCode}: it could not be run`) }
          : {}),
    };
  }
  const ok = stopped === null && result.exitCode === expected;
  return {
    label: t(`el comando termina con código ${expected}`, `the command exits with code ${expected}`),
    ok,
    ...(ok ? {} : { note: stopped ?? t(`terminó con código ${result.exitCode ?? '?'}`, `it exited with code ${result.exitCode ?? '?'}`) }),
  };
}

function patternItem(pattern: CommandParams['expect']['output'][number], result: CommandResult, finished: boolean): ChecklistItem {
  const shown = `/${pattern.regex}/`;
  const label =
    pattern.label ??
    (pattern.absent
      ? t(`la salida no contiene ${shown}`, `the output does not match ${shown}`)
      : t(`la salida contiene ${shown}`, `the output matches ${shown}`));
  const matched = new RegExp(pattern.regex, 'mu').test(result.output);
  if (pattern.absent) {
    if (matched) return { label, ok: false, note: t('aparece en la salida', 'it appears in the output') };
    // An output cut short by a timeout or a kill proves nothing about what is absent.
    if (!finished) {
      return { label, ok: false, note: t('el comando no terminó: su salida está incompleta', 'the command did not finish: its output is incomplete') };
    }
    return result.outputTruncated
      ? { label, ok: true, note: t('solo se revisaron el inicio y el final de la salida', 'only the start and end of the output were checked') }
      : { label, ok: true };
  }
  if (matched) return { label, ok: true };
  return {
    label,
    ok: false,
    note: result.outputTruncated
      ? t('no está en el inicio ni en el final de la salida (el medio se cortó)', 'not in the start or end of the output (the middle was cut)')
      : t('no aparece en la salida', 'it is not in the output'),
  };
}

/** A command's exit code, output patterns and a metric from a report it writes (coverage ≥ 70%). */
export const commandCheck = defineCheck<CommandParams>({
  kind: 'command',
  params: schema,
  requirements(params) {
    return {
      commands: {
        main: {
          run: params.run,
          timeoutSeconds: params.timeout,
          requires: params.requires,
          ...(params.metric ? { reports: [params.metric.report] } : {}),
          ...(params.coverage ? { coverage: { source: params.coverage.source } } : {}),
        },
      },
    };
  },
  evaluate(params, evidence) {
    const result = commandOf(evidence, 'main');
    if (result.missingModules.length > 0) return runnerImageIncomplete(result, params.run);

    const what = whatRuns(params);
    const local = params.local ?? localCommand(params.run);
    const stopped = stoppedMessage(result, params.timeout, what);
    const items: ChecklistItem[] = [
      exitItem(params.expect.exitCode, result, params.timeout),
      ...params.expect.output.map((p) => patternItem(p, result, stopped === null)),
      ...(params.metric ? [metricItem(params.metric, result)] : []),
      ...(params.coverage ? [coverageItem(params.coverage, result)] : []),
    ];
    const allOk = items.every((i) => i.ok);
    const fraction = creditOf(items, params.partial);
    const failed = items.filter((i) => !i.ok);
    const runIt = local
      ? t(`Córrelo en tu máquina con ${literal(local)}`, `Run it on your machine with ${literal(local)}`)
      : t('Mira la salida en el detalle', 'See the output in the details');

    // A module the student declared and the image lacks: the environment cannot judge this command.
    const past = result.continuedPast;
    const imports = (allOk && !past) || stopped ? undefined : importVerdicts(result, evidence.dependencies);
    const shownRun = past?.run ?? params.run;
    if (imports?.declared.length && !allOk) {
      // Run past the files that cannot import: a failing test among the rest is the student's, judged
      // when the criterion asks only for the exit code (a metric or coverage of a partial run is not theirs).
      const failing = past ? failedTests(result.output) : 0;
      const judged = failing > 0 && params.expect.exitCode !== null && !params.metric && !params.coverage;
      if (!judged) {
        const rest = past && failing === 0
          ? t(`Los tests de los demás archivos pasan (${literal(past.run)}).`, `The tests of the other files pass (${literal(past.run)}).`)
          : undefined;
        return notGradableHere(imports.declared, commandDetails(shownRun, result), rest);
      }
    }

    const notFound = notFoundMessage(result, what);
    const coverage = params.coverage && !stopped ? coverageHeadline(params.coverage, result, local) : null;
    let headline: Text;
    if (stopped) {
      headline = stopped;
    } else if (notFound && result.exitCode !== params.expect.exitCode) {
      headline = notFound;
    } else if (coverage && items[0]!.ok) {
      // The figure is what a student looks for; the exit code is only a means here.
      headline = coverage;
    } else if (allOk) {
      headline = isPytest(params.run)
        ? t(`Tus tests pasan: pytest terminó con código ${result.exitCode ?? 0}.`, `Your tests pass: pytest exited with code ${result.exitCode ?? 0}.`)
        : t(`${what.es} cumple todo lo pedido.`, `${what.en} meets everything asked.`);
    } else if (!items[0]!.ok) {
      headline = t(
        `${what.es} terminó con código ${result.exitCode ?? '?'} (se esperaba ${params.expect.exitCode}). ${runIt.es} y arregla lo que muestra la salida.`,
        `${what.en} exited with code ${result.exitCode ?? '?'} (expected ${params.expect.exitCode}). ${runIt.en} and fix what its output shows.`,
      );
    } else {
      const lacking = listed(failed.map((i) => i.label));
      headline = t(
        `${what.es} terminó, pero no cumple: ${lacking.es}. ${runIt.es} y revisa la salida.`,
        `${what.en} finished, but falls short: ${lacking.en}. ${runIt.en} and check its output.`,
      );
    }
    // Checklist items, never points: the table shows the points.
    const met = ofTotal(items.length - failed.length, items.length, REQUIREMENTS);
    const tally =
      items.length > 1 && !allOk
        ? params.partial
          ? t(`Cumple ${met.es}.`, `${met.en} met.`)
          : t(`Cumple ${met.es}; este criterio da puntos solo si se cumplen todos.`, `${met.en} met; this criterion earns points only when all are met.`)
        : null;
    return {
      fraction,
      // A command that did not run (or whose supervisor was lost) measured nothing.
      message: joinTexts([headline, pastNote(past, imports?.declared ?? [], allOk), imports ? undeclaredMessage(imports.undeclared) : null, tally, truncatedNote(result), result.hungAs || result.failure ? null : measuredLine(params)]),
      items,
      details: commandDetails(shownRun, result),
    };
  },
});

/** What a run past the files that cannot import judged, and why those files were left out. */
function pastNote(past: CommandResult['continuedPast'], declared: readonly MissingModule[], met: boolean): Text | null {
  if (!past || !declared.length) return null;
  const files = past.files.map(literal).join(', ');
  const env = environmentMessage(declared);
  return met
    ? t(
        `${env.es} Por eso se corrieron los tests de los demás archivos (sin ${files}, con ${literal(past.run)}), y ya alcanzan lo pedido.`,
        `${env.en} So the tests of the other files were run (without ${files}, with ${literal(past.run)}), and they already reach what is asked.`,
      )
    : t(
        `${env.es} Por eso se corrieron los tests de los demás archivos (sin ${files}, con ${literal(past.run)}), y algunos fallan: arréglalos.`,
        `${env.en} So the tests of the other files were run (without ${files}, with ${literal(past.run)}), and some fail: fix them.`,
      );
}
