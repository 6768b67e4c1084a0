import { z } from 'zod';
import { counted, literal, noun, t } from '../core/text.ts';
import {
  commandDetails,
  commandOf,
  joinTexts,
  notFoundMessage,
  PythonModulesSchema,
  runnerImageIncomplete,
  stoppedMessage,
  TimeoutSchema,
  truncatedNote,
} from './command.ts';
import { defineCheck, type ChecklistItem } from './types.ts';

const TESTS = noun('test', 'tests', 'test', 'tests');
const FAILURES = noun('fallo', 'fallos', 'failure', 'failures');
const ERRORS = noun('error', 'errores', 'error', 'errors');

const schema = z.strictObject({
  /** Folder discovery starts in (`-s`); the repository's root is the top level (`-t .`), so `from src.x import y` works. */
  start: z
    .string()
    .regex(/^(?!\/)(?!-)(?!.*(^|\/)\.\.(\/|$))[A-Za-z0-9_./-]+$/, 'write a folder of the repository, e.g. tests')
    .default('tests'),
  /** File pattern (`-p`), unittest's default. */
  pattern: z.string().regex(/^[A-Za-z0-9_*?.[\]-]+$/, 'write a file pattern such as test*.py').default('test*.py'),
  /** Fewer tests than this is a fail even when they pass (Python 3.11 calls 0 tests "OK"). */
  minTests: z.number().int().min(1).default(1),
  timeout: TimeoutSchema,
  requires: PythonModulesSchema.default([]),
});
export type UnittestParams = z.output<typeof schema>;

export function unittestCommand(params: UnittestParams): string {
  return `python3 -m unittest discover -v -t . -s '${params.start}' -p '${params.pattern}'`;
}

export interface UnittestReport {
  /** "Ran 3 tests in 0.002s"; null when unittest never got that far. */
  readonly ran: number | null;
  readonly failures: number;
  readonly errors: number;
  readonly skipped: number;
  /** The last line: OK, FAILED (...), NO TESTS RAN. */
  readonly verdict: 'ok' | 'failed' | 'none' | null;
  /** `FAIL: test_x (tests.test_a.TestA.test_x)` and `ERROR: …` headings, in order. */
  readonly failing: readonly { readonly kind: 'FAIL' | 'ERROR'; readonly test: string }[];
}

export function parseUnittestOutput(output: string): UnittestReport {
  const ranAll = [...output.matchAll(/^Ran (\d+) tests? in [\d.]+s$/gm)];
  const ran = ranAll.length ? Number(ranAll[ranAll.length - 1]![1]) : null;
  const tail = ranAll.length ? output.slice(ranAll[ranAll.length - 1]!.index) : '';
  const failedLine = /^FAILED \(([^)]*)\)$/m.exec(tail);
  const count = (name: string) => Number(new RegExp(`\\b${name}=(\\d+)`).exec(failedLine?.[1] ?? /^OK \(([^)]*)\)$/m.exec(tail)?.[1] ?? '')?.[1] ?? 0);
  const verdict = failedLine ? 'failed' : /^NO TESTS RAN/m.test(tail) ? 'none' : /^OK\b/m.test(tail) ? 'ok' : null;
  const failing = [...output.matchAll(/^(FAIL|ERROR): (\S+(?: \([^)\n]*\))?)$/gm)].map((m) => ({ kind: m[1] as 'FAIL' | 'ERROR', test: m[2]! }));
  return { ran, failures: count('failures'), errors: count('errors'), skipped: count('skipped'), verdict, failing };
}

/** `python3 -m unittest discover`: how many tests ran, how many failed, and which. */
export const unittestCheck = defineCheck<UnittestParams>({
  kind: 'unittest',
  params: schema,
  requirements(params) {
    return { commands: { main: { run: unittestCommand(params), timeoutSeconds: params.timeout, requires: params.requires } } };
  },
  evaluate(params, evidence) {
    const run = unittestCommand(params);
    const result = commandOf(evidence, 'main');
    if (result.missingModules.length > 0) return runnerImageIncomplete(result, run);
    const details = commandDetails(run, result);
    const what = t(literal(run), literal(run));
    const report = parseUnittestOutput(result.output);
    const ranItem = (ok: boolean): ChecklistItem => ({
      label: t(`se corren al menos ${counted(params.minTests, TESTS).es} en ${literal(params.start)}`, `at least ${counted(params.minTests, TESTS).en} run in ${literal(params.start)}`),
      ok,
      note: t(`se corrieron ${report.ran ?? 0}`, `${report.ran ?? 0} ran`),
    });
    const stopped = stoppedMessage(result, params.timeout, what);
    if (stopped) return { fraction: 0, message: stopped, items: [ranItem(false)], details };
    if (report.ran === null || report.verdict === null) {
      const notFound = notFoundMessage(result, what);
      const noStart = /ImportError: Start directory is not importable|No such file or directory|is not a directory/.test(result.output);
      return {
        fraction: 0,
        message:
          notFound ??
          (noStart
            ? t(
                `No hay una carpeta ${literal(params.start)} con tests: crea ${literal(`${params.start}/test_<algo>.py`)} con una clase que herede de \`unittest.TestCase\`.`,
                `There is no ${literal(params.start)} folder of tests: create ${literal(`${params.start}/test_<something>.py`)} with a class that inherits from \`unittest.TestCase\`.`,
              )
            : t(
                `unittest no llegó a correr los tests (código ${result.exitCode ?? '?'}): mira la salida; suele ser un error al importar tu código.`,
                `unittest never got to run the tests (exit code ${result.exitCode ?? '?'}): see the output; it is usually an error importing your code.`,
              )),
        items: [ranItem(false)],
        details,
      };
    }
    const ran = report.ran;
    const bad = report.failures + report.errors;
    const passItem: ChecklistItem = {
      label: t('ningún test falla', 'no test fails'),
      ok: bad === 0 && result.exitCode === 0,
      ...(bad ? { note: t(`${counted(report.failures, FAILURES).es}, ${counted(report.errors, ERRORS).es}`, `${counted(report.failures, FAILURES).en}, ${counted(report.errors, ERRORS).en}`) } : {}),
    };
    const items = [ranItem(ran >= params.minTests), passItem];
    const tally = t(
      `Se ${ran === 1 ? 'corrió' : 'corrieron'} ${counted(ran, TESTS).es}: ${ran - bad - report.skipped} pasan, ${report.failures} fallan, ${report.errors} con error${report.skipped ? `, ${report.skipped} saltados` : ''}.`,
      `Ran ${counted(ran, TESTS).en}: ${ran - bad - report.skipped} pass, ${report.failures} fail, ${report.errors} error${report.skipped ? `, ${report.skipped} skipped` : ''}.`,
    );
    const names = report.failing.slice(0, 5).map((f) => `${f.kind} ${literal(f.test)}`).join('; ');
    const next =
      bad > 0
        ? t(`Los que fallan: ${names}. Corre \`python -m unittest discover -v\` en tu máquina y arréglalos.`, `Failing: ${names}. Run \`python -m unittest discover -v\` on your machine and fix them.`)
        : ran < params.minTests
          ? t(
              `Se piden al menos ${params.minTests}: escribe métodos \`test_…\` en una clase que herede de \`unittest.TestCase\`, en archivos ${literal(params.pattern)} de ${literal(params.start)}.`,
              `At least ${params.minTests} are asked for: write \`test_…\` methods in a class inheriting from \`unittest.TestCase\`, in ${literal(params.pattern)} files under ${literal(params.start)}.`,
            )
          : null;
    const ok = items.every((i) => i.ok);
    return { fraction: ok ? 1 : 0, message: joinTexts([tally, next, truncatedNote(result)]), items, details };
  },
});
