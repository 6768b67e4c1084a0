import { describe, expect, it } from 'vitest';
import { CHECK_KINDS } from '../../../src/checks/index.ts';
import { ioCheck, outputMatches, type IoParams } from '../../../src/checks/io.ts';
import type { CommandResult } from '../../../src/checks/types.ts';
import { asShown, evidence } from '../../helpers/evidence.ts';

/*
 * What a student reads from an io test (GitHub Classroom's input/output tests): the
 * exact headline, checklist and details for each way a program can fail.
 */

function params(raw: Record<string, unknown>): IoParams {
  return ioCheck.params.parse(raw);
}

function run(raw: Record<string, unknown>, main: Partial<CommandResult>, setup?: Partial<CommandResult>) {
  return asShown(ioCheck.evaluate(params(raw), evidence({ commands: { main, ...(setup ? { setup } : {}) } })));
}

describe('io params and requirements', () => {
  it('fills the defaults Classroom used', () => {
    expect(params({ run: 'python3 hello.py' })).toEqual({ run: 'python3 hello.py', comparison: 'included', lineEndings: 'lf', timeout: 120, requires: [] });
  });

  it('asks for main alone without a setup, and no stdin without an input', () => {
    expect(CHECK_KINDS.get('io')).toBe(ioCheck);
    expect(ioCheck.requirements(params({ run: 'python3 hello.py', timeout: 5, requires: ['numpy'] }))).toStrictEqual({
      commands: { main: { run: 'python3 hello.py', timeoutSeconds: 5, requires: ['numpy'], stdout: true } },
    });
    expect(ioCheck.requirements(params({ setup: 'make', run: './hello', input: '' })).commands).toStrictEqual({
      setup: { run: 'make', timeoutSeconds: 120, requires: [] },
      main: { run: './hello', timeoutSeconds: 120, requires: [], input: '', stdout: true },
    });
  });

  it('refuses empty commands and patterns, and accepts a valid regex', () => {
    expect(ioCheck.params.safeParse({ run: '' }).success).toBe(false);
    expect(ioCheck.params.safeParse({ run: 'x', setup: '' }).success).toBe(false);
    expect(ioCheck.params.safeParse({ run: 'x', output: '', comparison: 'regex' }).success).toBe(false);
    expect(ioCheck.params.safeParse({ run: 'x', output: '^a+$', comparison: 'regex' }).success).toBe(true);
    expect(ioCheck.params.safeParse({ run: 'x', comparison: 'regex' }).success).toBe(true);
    expect(ioCheck.params.safeParse({ run: 'x', lineEndings: 'crlf' }).success).toBe(false);
    for (const comparison of ['exact', 'included', 'regex'] as const) expect(params({ run: 'x', output: 'a', comparison }).comparison).toBe(comparison);
    expect(params({ run: 'x', lineEndings: 'as-is' }).lineEndings).toBe('as-is');
    // The course author is told which field is wrong and why.
    expect(ioCheck.params.safeParse({ run: 'x', output: '(', comparison: 'regex' }).error?.issues).toEqual([
      expect.objectContaining({ path: ['output'], message: 'is not a valid regular expression (comparison: regex)' }),
    ]);
  });
});

describe('io evaluate', () => {
  it('passes with the expected output, saying so, and shows the stdin and the compared stdout', () => {
    const o = run({ run: 'python3 hello.py', input: 'Ana', output: 'Hello Ana' }, { stdout: 'Hello Ana\n', output: 'Hello Ana\n', durationMs: 1500 });
    expect(o.fraction).toBe(1);
    expect(o.message).toEqual({ es: '`python3 hello.py` da la salida esperada.', en: '`python3 hello.py` gives the expected output.' });
    expect(o.items).toEqual([
      { label: { es: 'el programa termina con código 0', en: 'the program exits with code 0' }, ok: true },
      { label: { es: 'la salida contiene `Hello Ana`', en: 'the output contains `Hello Ana`' }, ok: true },
    ]);
    expect(o.details).toBe('stdin:\nAna\n$ python3 hello.py\nHello Ana\n[exit code 0, 1.5 s]\n--- stdout (compared) ---\nHello Ana');
  });

  it('compares when there is only an input, and says an empty stdout is empty', () => {
    const o = run({ run: './echo', input: 'x' }, { stdout: '', output: '', durationMs: 0 });
    expect(o.fraction).toBe(1);
    expect(o.items).toHaveLength(2);
    expect(o.items![1]!.label.en).toBe('the output contains (empty)');
    expect(o.details).toBe('stdin:\nx\n$ ./echo\n(no output)\n[exit code 0, 0 s]\n--- stdout (compared) ---\n(empty)');
    // Only the last newline of stdout is dropped.
    expect(run({ run: './echo', input: 'x' }, { stdout: 'a\nb\n', output: 'a\nb\n', durationMs: 0 }).details).toBe('stdin:\nx\n$ ./echo\na\nb\n[exit code 0, 0 s]\n--- stdout (compared) ---\na\nb');
    // No output and no input: nothing compared, no stdout block.
    expect(run({ run: './echo' }, { stdout: 'x', output: 'x', durationMs: 0 }).details).toBe('$ ./echo\nx\n[exit code 0, 0 s]');
  });

  it('tells a different stdout from a cut one, and says what was expected with or without an input', () => {
    const differs = run({ run: './hello', output: 'Hello', comparison: 'exact' }, { stdout: 'Hola' });
    expect(differs.items![1]).toEqual({
      label: { es: 'la salida es exactamente `Hello`', en: 'the output is exactly `Hello`' },
      ok: false,
      note: { es: 'la salida (stdout) es otra; mírala abajo', en: 'the output (stdout) differs; see it below' },
    });
    expect(differs.message).toEqual({
      es: 'Se esperaba: la salida es exactamente `Hello` (sin contar los espacios al inicio y al final ni \\r).',
      en: 'Expected: the output is exactly `Hello` (leading and trailing whitespace and \\r do not count).',
    });
    const fed = run({ run: './hello', input: 'Ana', output: 'Hello Ana', lineEndings: 'as-is' }, { stdout: 'Hello' });
    expect(fed.message).toEqual({
      es: 'Se esperaba: la salida contiene `Hello Ana` con la entrada dada (sin contar los espacios al inicio y al final).',
      en: 'Expected: the output contains `Hello Ana` with the given input (leading and trailing whitespace do not count).',
    });
    const cut = run({ run: './hello', output: 'END' }, { stdout: 'x'.repeat(100), stdoutTruncated: true });
    expect(cut.items![1]!.note).toEqual({ es: 'la salida era demasiado larga y se cortó', en: 'the output was too long and was cut' });
    const regex = run({ run: './hello', output: 'a\nb', comparison: 'regex' }, { stdout: 'c' });
    expect(regex.items![1]!.label).toEqual({ es: 'la salida coincide con `/a⏎b/`', en: 'the output matches `/a⏎b/`' });
  });

  it('does not compare the output of a program that failed, and says why', () => {
    const o = run({ run: './hello', output: 'Hello' }, { exitCode: 1, stdout: 'Hello', output: 'Traceback' });
    expect(o.fraction).toBe(0);
    expect(o.items).toEqual([
      { label: { es: 'el programa termina con código 0', en: 'the program exits with code 0' }, ok: false, note: { es: 'terminó con código 1', en: 'it exited with code 1' } },
      { label: { es: 'la salida contiene `Hello`', en: 'the output contains `Hello`' }, ok: false, note: { es: 'no se comparó: el programa no terminó bien', en: 'not compared: the program did not finish cleanly' } },
    ]);
    expect(o.message).toEqual({
      es: '`./hello` terminó con código 1 (se esperaba 0): córrelo en tu máquina y arregla lo que muestra la salida.',
      en: '`./hello` exited with code 1 (expected 0): run it on your machine and fix what its output shows.',
    });
    expect(run({ run: './hello' }, { exitCode: null, killed: true }).items![0]!.note?.en).toMatch(/memory limit/);
    expect(run({ run: './hello' }, { exitCode: 127, output: 'sh: 1: ./hello: not found\n' }).message.en).toMatch(/^`\.\/hello` could not run: `\.\/hello` is not there \(code 127\)/);
  });

  it('a program without expected output passes on exit 0 alone; a stopped one says when', () => {
    expect(run({ run: 'make check' }, { exitCode: 0 }).message.es).toBe('`make check` termina con código 0.');
    const stopped = run({ run: './loop', output: 'x', timeout: 5 }, { exitCode: null, timedOut: true, durationMs: 5_000, stdout: 'x' });
    expect(stopped.items![0]!.note?.en).toBe('`./loop` was stopped at 5 s (the time limit): look for an infinite loop or a wait (input(), a server that never ends).');
    expect(stopped.message.en).toBe(stopped.items![0]!.note!.en);
    expect(stopped.items![1]!.ok).toBe(false);
  });

  it('notes a cut output after the headline', () => {
    const o = run({ run: './hello', output: 'hi' }, { stdout: 'hi', output: 'hi', outputTruncated: true, outputBytes: 2048 });
    expect(o.message.en).toBe('`./hello` gives the expected output. The output was very long (2.0 KB) and was cut: only its start and end were kept.');
  });

  it('reports a runner image without a module as the course’s error', () => {
    const o = run({ run: './hello', requires: ['numpy'] }, { missingModules: ['numpy'] });
    expect(o.error?.code).toBe('runner-image-incomplete');
  });
});

describe('io setup', () => {
  it('runs the test only after a setup that exits 0', () => {
    const o = run({ setup: 'make', run: './hello', output: 'hi' }, { stdout: 'hi' }, { exitCode: 0 });
    expect(o.fraction).toBe(1);
    expect(o.items).toHaveLength(2);
  });

  it('fails with the setup’s own reason: its exit code, a missing program, a timeout', () => {
    const code = run({ setup: 'make', run: './hello' }, { stdout: '' }, { exitCode: 2, output: 'make: *** error\n', durationMs: 2000 });
    expect(code).toEqual({
      fraction: 0,
      message: {
        es: 'La preparación `make` terminó con código 2: el test no pudo correr; mira la salida.',
        en: 'The setup `make` exited with code 2: the test could not run; see the output.',
      },
      items: [{ label: { es: 'la preparación termina bien', en: 'the setup succeeds' }, ok: false }],
      details: '$ make\nmake: *** error\n[exit code 2, 2 s]',
    });
    const missing = run({ setup: 'mvn package', run: './hello' }, {}, { exitCode: 127, output: 'sh: 1: mvn: not found\n' });
    expect(missing.message.en).toMatch(/^The setup `mvn package` could not run: `mvn` is not there \(code 127\)/);
    const slow = run({ setup: 'make', run: './hello', timeout: 10 }, {}, { exitCode: null, timedOut: true, durationMs: 10_000 });
    expect(slow.message.en).toMatch(/^The setup `make` was stopped at 10 s \(the time limit\)/);
    expect(slow.fraction).toBe(0);
  });
});

describe('Classroom comparison, edges', () => {
  it('trims both sides but keeps inner text; `included` finds the normalised expectation', () => {
    // `included` is a substring, not a pattern.
    expect(outputMatches('a+b', 'a+b', 'included')).toBe(true);
    expect(outputMatches('aab', 'a+b', 'included')).toBe(false);
    expect(outputMatches('  Hello Ana  \n', '\nHello Ana\n', 'exact')).toBe(true);
    expect(outputMatches('a\r\nb', 'a\r\nb', 'included', 'as-is')).toBe(true);
    expect(outputMatches('a\nb', 'a\r\nb', 'included')).toBe(true);
    expect(outputMatches('a\nb', 'a\r\nb', 'included', 'as-is')).toBe(false);
  });

  it('shows a long expectation cut at 300 characters, with backticks padded', () => {
    const long = run({ run: 'x', output: 'y'.repeat(400), comparison: 'exact' }, { stdout: '' });
    expect(long.items![1]!.label.en).toBe(`the output is exactly \`${'y'.repeat(300)}…\``);
    expect(run({ run: 'x', output: 'y'.repeat(300), comparison: 'exact' }, { stdout: '' }).items![1]!.label.en).toBe(`the output is exactly \`${'y'.repeat(300)}\``);
    expect(run({ run: 'x', output: '`a', comparison: 'exact' }, { stdout: '' }).items![1]!.label.en).toBe('the output is exactly `` `a ``');
    expect(run({ run: 'x', output: 'a`', comparison: 'exact' }, { stdout: '' }).items![1]!.label.en).toBe('the output is exactly `` a` ``');
    expect(run({ run: 'x', output: 'a ``` b', comparison: 'exact' }, { stdout: '' }).items![1]!.label.en).toBe('the output is exactly ````a ``` b````');
  });
});
