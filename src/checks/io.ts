import { z } from 'zod';
import { t, type Text } from '../core/text.ts';
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
import { importVerdicts, notGradableHere, undeclaredMessage } from '../grading/imports.ts';
import { defineCheck, type ChecklistItem } from './types.ts';

/**
 * How GitHub Classroom compared a test's stdout with the expected output
 * (education/autograding src/runner.ts): `included` is its default.
 */
export const ComparisonSchema = z.enum(['exact', 'included', 'regex']);
export type Comparison = z.output<typeof ComparisonSchema>;

/** A JavaScript pattern as Classroom compiled it: `new RegExp(expected)`, no flags. */
const ClassroomRegexSchema = z.string().min(1).refine(
  (source) => {
    try {
      new RegExp(source);
      return true;
    } catch {
      return false;
    }
  },
  { message: 'is not a valid regular expression' },
);

const schema = z
  .strictObject({
    /** Runs first, as Classroom's `setup`; if it fails the test fails. */
    setup: z.string().min(1).optional(),
    run: z.string().min(1),
    /** Fed to stdin. */
    input: z.string().optional(),
    /** Expected stdout; without it (and without input) only the exit code counts, as in Classroom. */
    output: z.string().optional(),
    comparison: ComparisonSchema.default('included'),
    /**
     * `lf`: CRLF counts as LF (education/autograding did so); `as-is`: it does not
     * (classroom-resources' io grader only trimmed).
     */
    lineEndings: z.enum(['lf', 'as-is']).default('lf'),
    timeout: TimeoutSchema,
    requires: PythonModulesSchema.default([]),
  })
  .superRefine((p, ctx) => {
    if (p.comparison === 'regex' && p.output !== undefined && !ClassroomRegexSchema.safeParse(p.output).success) {
      ctx.addIssue({ code: 'custom', path: ['output'], message: 'is not a valid regular expression (comparison: regex)' });
    }
  });

export type IoParams = z.output<typeof schema>;

/** Classroom's normalisation of both sides: CRLF to LF (unless `as-is`), then leading and trailing whitespace trimmed. */
export function normaliseOutput(text: string, lineEndings: 'lf' | 'as-is' = 'lf'): string {
  return (lineEndings === 'lf' ? text.replace(/\r\n/g, '\n') : text).trim();
}

/** Whether stdout meets the expectation, exactly as Classroom decided it. */
export function outputMatches(stdout: string, expected: string, comparison: Comparison, lineEndings: 'lf' | 'as-is' = 'lf'): boolean {
  const actual = normaliseOutput(stdout, lineEndings);
  if (comparison === 'exact') return actual === normaliseOutput(expected, lineEndings);
  // Classroom matched the pattern as written, not normalised.
  if (comparison === 'regex') return new RegExp(expected).test(actual);
  return actual.includes(normaliseOutput(expected, lineEndings));
}

/** Classroom compared the output only when the test had an expected output or an input. */
function comparesOutput(params: IoParams): boolean {
  return (params.output ?? '') !== '' || (params.input ?? '') !== '';
}

/** The expected text on one line (⏎ for each newline), normalised as compared. */
function shown(text: string, max = 300): string {
  const one = normaliseOutput(text).replace(/\r?\n/g, '⏎');
  const cut = one.length > max ? `${one.slice(0, max)}…` : one;
  return cut === '' ? '(empty)' : codeSpan(cut);
}

/** A code span its text cannot close (CommonMark: a longer run of backticks, padded when the text starts or ends with one). */
function codeSpan(cut: string): string {
  const ticks = '`'.repeat(Math.max(1, ...[...cut.matchAll(/`+/g)].map((m) => m[0].length + 1)));
  const pad = cut.startsWith('`') || cut.endsWith('`') ? ' ' : '';
  return `${ticks}${pad}${cut}${pad}${ticks}`;
}

function expectation(params: IoParams): Text {
  const expected = shown(params.output ?? '');
  if (params.comparison === 'exact') return t(`la salida es exactamente ${expected}`, `the output is exactly ${expected}`);
  const pattern = codeSpan(`/${params.output ?? ''}/`.replace(/\r?\n/g, '⏎'));
  if (params.comparison === 'regex') return t(`la salida coincide con ${pattern}`, `the output matches ${pattern}`);
  return t(`la salida contiene ${expected}`, `the output contains ${expected}`);
}

/**
 * A program run with an input, its stdout compared with an expected output: GitHub
 * Classroom's autograding tests (`exact`, `included`, `regex`), with its normalisation.
 */
export const ioCheck = defineCheck<IoParams>({
  kind: 'io',
  params: schema,
  requirements(params) {
    return {
      commands: {
        ...(params.setup ? { setup: { run: params.setup, timeoutSeconds: params.timeout, requires: params.requires } } : {}),
        main: {
          run: params.run,
          timeoutSeconds: params.timeout,
          requires: params.requires,
          ...(params.input !== undefined ? { input: params.input } : {}),
          stdout: true,
        },
      },
    };
  },
  evaluate(params, evidence) {
    const result = commandOf(evidence, 'main');
    if (result.missingModules.length > 0) return runnerImageIncomplete(result, params.run);

    if (params.setup) {
      const setup = commandOf(evidence, 'setup');
      const what = t(`La preparación \`${params.setup}\``, `The setup \`${params.setup}\``);
      const stopped = stoppedMessage(setup, params.timeout, what);
      if (stopped || setup.exitCode !== 0) {
        return {
          fraction: 0,
          message:
            stopped ??
            notFoundMessage(setup, what) ??
            t(
              `${what.es} terminó con código ${setup.exitCode ?? '?'}: el test no pudo correr; mira la salida.`,
              `${what.en} exited with code ${setup.exitCode ?? '?'}: the test could not run; see the output.`,
            ),
          items: [{ label: t('la preparación termina bien', 'the setup succeeds'), ok: false }],
          details: commandDetails(params.setup, setup),
        };
      }
    }

    const what = t(`\`${params.run}\``, `\`${params.run}\``);
    const stopped = stoppedMessage(result, params.timeout, what);
    const exitOk = stopped === null && result.exitCode === 0;
    const items: ChecklistItem[] = [
      {
        label: t('el programa termina con código 0', 'the program exits with code 0'),
        ok: exitOk,
        ...(exitOk ? {} : { note: stopped ?? t(`terminó con código ${result.exitCode ?? '?'}`, `it exited with code ${result.exitCode ?? '?'}`) }),
      },
    ];
    const compare = comparesOutput(params);
    if (compare) {
      const matched = exitOk && outputMatches(result.stdout ?? '', params.output ?? '', params.comparison, params.lineEndings);
      items.push({
        label: expectation(params),
        ok: matched,
        ...(matched
          ? {}
          : {
              note: exitOk
                ? result.stdoutTruncated
                  ? t('la salida era demasiado larga y se cortó', 'the output was too long and was cut')
                  : t('la salida (stdout) es otra; mírala abajo', 'the output (stdout) differs; see it below')
                : t('no se comparó: el programa no terminó bien', 'not compared: the program did not finish cleanly'),
            }),
      });
    }
    const allOk = items.every((i) => i.ok);
    // A module the student declared and the image lacks: the environment cannot judge this program.
    const imports = exitOk || stopped ? undefined : importVerdicts(result, evidence.dependencies);
    if (imports?.declared.length) return notGradableHere(imports.declared, commandDetails(params.run, result));
    let headline: Text;
    if (stopped) headline = stopped;
    else if (!exitOk) {
      headline =
        notFoundMessage(result, what) ??
        t(
          `${what.es} terminó con código ${result.exitCode ?? '?'} (se esperaba 0): córrelo en tu máquina y arregla lo que muestra la salida.`,
          `${what.en} exited with code ${result.exitCode ?? '?'} (expected 0): run it on your machine and fix what its output shows.`,
        );
    } else if (allOk) {
      headline = compare
        ? t(`${what.es} da la salida esperada.`, `${what.en} gives the expected output.`)
        : t(`${what.es} termina con código 0.`, `${what.en} exits with code 0.`);
    } else {
      const fed = (params.input ?? '') !== '' ? t(' con la entrada dada', ' with the given input') : t('', '');
      headline = t(
        `Se esperaba: ${expectation(params).es}${fed.es} (sin contar los espacios al inicio y al final${params.lineEndings === 'lf' ? ' ni \\r' : ''}).`,
        `Expected: ${expectation(params).en}${fed.en} (leading and trailing whitespace${params.lineEndings === 'lf' ? ' and \\r' : ''} do not count).`,
      );
    }
    const inputLine = (params.input ?? '') !== '' ? `stdin:\n${params.input}\n` : '';
    const stdoutBlock = compare && result.stdout !== undefined ? `\n--- stdout (compared) ---\n${result.stdout.replace(/\n$/, '') || '(empty)'}` : '';
    return {
      fraction: allOk ? 1 : 0,
      message: joinTexts([headline, imports ? undeclaredMessage(imports.undeclared) : null, truncatedNote(result)]),
      items,
      details: `${inputLine}${commandDetails(params.run, result)}${stdoutBlock}`,
    };
  },
});
