import { describe, expect, it } from 'vitest';
import { ioCheck, normaliseOutput, outputMatches, type IoParams } from '../../../src/checks/io.ts';
import type { CommandResult } from '../../../src/checks/types.ts';
import { evidence } from '../../helpers/evidence.ts';

function params(raw: Record<string, unknown>): IoParams {
  return ioCheck.params.parse(raw);
}

function run(raw: Record<string, unknown>, main: Partial<CommandResult>, setup?: Partial<CommandResult>) {
  return ioCheck.evaluate(params(raw), evidence({ commands: { main, ...(setup ? { setup } : {}) } }));
}

// The cases of education/autograding's own runner tests (src/__tests__/runner.test.ts), whose
// Hello.java prints "What is your name?\nHello <name>\n\n" for the name on stdin.
const HELLO_JEFF = 'What is your name?\r\nHello Jeff\r\n\r\n';

describe('Classroom output comparison', () => {
  it('normalises CRLF and surrounding whitespace, as Classroom did', () => {
    expect(normaliseOutput('  a\r\nb \r\n\n')).toBe('a\nb');
  });
  it('exact: the whole normalised output', () => {
    expect(outputMatches(HELLO_JEFF, 'What is your name?\nHello Jeff\n\n', 'exact')).toBe(true);
    expect(outputMatches(HELLO_JEFF, 'Hello Jeff', 'exact')).toBe(false);
    // Inner whitespace counts.
    expect(outputMatches('a  b', 'a b', 'exact')).toBe(false);
  });
  it('included: a substring of the normalised output', () => {
    expect(outputMatches(HELLO_JEFF, 'Hello Jeff', 'included')).toBe(true);
    expect(outputMatches(HELLO_JEFF, 'Hello Mike', 'included')).toBe(false);
    expect(outputMatches('x\r\ny', 'x\ny', 'included')).toBe(true);
  });
  it('as-is line endings, as the io grader compared: CRLF is not LF, but the ends are still trimmed', () => {
    expect(outputMatches('a\r\nb\r\n', 'a\nb', 'exact', 'as-is')).toBe(false);
    expect(outputMatches('a\nb\r\n', 'a\nb', 'exact', 'as-is')).toBe(true);
    expect(ioCheck.evaluate(params({ run: 'x', output: 'a\nb', comparison: 'exact', lineEndings: 'as-is' }), evidence({ commands: { main: { stdout: 'a\r\nb' } } })).fraction).toBe(0);
  });
  it('regex: the pattern as written, no flags, on the normalised output', () => {
    expect(outputMatches(HELLO_JEFF, 'Jeff', 'regex')).toBe(true);
    expect(outputMatches(HELLO_JEFF, '^Hello', 'regex')).toBe(false); // no m flag: ^ is the start
    expect(outputMatches(HELLO_JEFF, 'jeff', 'regex')).toBe(false); // no i flag
    expect(outputMatches('total: 42', 'total: \\d+$', 'regex')).toBe(true);
  });
});

describe('io check', () => {
  it('asks for stdout apart, the input on stdin, and runs the setup first', () => {
    const req = ioCheck.requirements(params({ setup: 'javac Hello.java', run: 'java -cp . Hello', input: 'Jeff', output: 'Hello Jeff' }));
    expect(Object.keys(req.commands!)).toEqual(['setup', 'main']);
    expect(req.commands!.main).toMatchObject({ run: 'java -cp . Hello', input: 'Jeff', stdout: true });
    expect(req.commands!.setup).toMatchObject({ run: 'javac Hello.java' });
    expect(req.commands!.setup).not.toHaveProperty('input');
  });

  it('full credit when stdout matches, whatever stderr said', () => {
    const o = run({ run: 'java Hello', input: 'Jeff', output: 'Hello Jeff' }, { output: 'warning\nHello Jeff', stdout: 'Hello Jeff\n' });
    expect(o.fraction).toBe(1);
    expect(o.items!.map((i) => i.ok)).toEqual([true, true]);
  });

  it('compares stdout only: text on stderr does not count', () => {
    const o = run({ run: 'x', output: 'Hello', comparison: 'included' }, { output: 'Hello', stdout: '' });
    expect(o.fraction).toBe(0);
    expect(o.message.en).toContain('Expected: the output contains `Hello`');
  });

  it('says what was expected, for each mode', () => {
    expect(run({ run: 'x', output: 'HELLO', comparison: 'exact' }, { stdout: 'hello' }).message.en).toContain('Expected: the output is exactly `HELLO`');
    expect(run({ run: 'x', output: '^\\d+$', comparison: 'regex' }, { stdout: 'abc' }).message.en).toContain('Expected: the output matches `/^\\d+$/`');
  });

  it('a non-zero exit fails the test even when the output matches (Classroom: exit code first)', () => {
    const o = run({ run: 'x', output: 'ok' }, { exitCode: 1, stdout: 'ok' });
    expect(o.fraction).toBe(0);
    expect(o.items![0]!.ok).toBe(false);
  });

  it('shows a multi-line expected output on one line, in a code span it cannot close', () => {
    expect(run({ run: 'x', output: 'a\nb', comparison: 'exact' }, { stdout: '' }).message.en).toContain('exactly `a⏎b`');
    expect(run({ run: 'x', output: 'say `hi`', comparison: 'exact' }, { stdout: '' }).message.en).toContain('exactly `` say `hi` ``');
  });

  it('without output nor input only the exit code counts', () => {
    expect(run({ run: 'make test' }, { exitCode: 0 }).message.en).toBe('`make test` exits with code 0.');
    expect(run({ run: 'make test' }, { exitCode: 0, stdout: 'anything' }).fraction).toBe(1);
    expect(run({ run: 'make test' }, { exitCode: 2, stdout: '' }).fraction).toBe(0);
    expect(run({ run: 'make test' }, { exitCode: 0 }).items).toHaveLength(1);
  });

  it('a failing setup fails the test and says so', () => {
    const o = run({ setup: 'gcc -o hello hello.c', run: './hello', output: 'hi' }, { stdout: 'hi' }, { exitCode: 1, output: 'hello.c:1: error' });
    expect(o.fraction).toBe(0);
    expect(o.message.en).toContain('The setup `gcc -o hello hello.c` exited with code 1');
    expect(o.details).toContain('hello.c:1: error');
  });

  it('a timeout fails the test', () => {
    const o = run({ run: 'x', output: 'y', timeout: 5 }, { timedOut: true, exitCode: null, durationMs: 5000, stdout: 'y' });
    expect(o.fraction).toBe(0);
    expect(o.message.en).toContain('stopped at 5 s');
  });

  it('refuses an invalid pattern at load', () => {
    expect(ioCheck.params.safeParse({ run: 'x', output: '(', comparison: 'regex' }).success).toBe(false);
    expect(ioCheck.params.safeParse({ run: 'x', output: '(', comparison: 'included' }).success).toBe(true);
    expect(ioCheck.params.safeParse({ run: 'x', comparison: 'contains' }).success).toBe(false);
  });
});
