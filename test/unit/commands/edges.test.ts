import { describe, expect, it } from 'vitest';
import { parseCommands, type Command } from '../../../src/commands/parse.ts';

/** Which lines of a comment are commands (line number and command), as GitHub would show the comment. */
function commandsIn(body: string): { line: number; command: Command }[] {
  return parseCommands(body).flatMap((p) => (p.ok ? [{ line: p.line, command: p.command }] : []));
}

function only(line: string): Command {
  const parsed = parseCommands(line);
  if (parsed.length !== 1 || !parsed[0]!.ok) throw new Error(`expected one command, got ${JSON.stringify(parsed)}`);
  return parsed[0]!.command;
}

function refused(line: string): string {
  const parsed = parseCommands(line);
  if (parsed.length !== 1 || parsed[0]!.ok) throw new Error(`expected one error, got ${JSON.stringify(parsed)}`);
  return parsed[0]!.error.en;
}

describe('what GitHub shows as text, not code, quote or comment', () => {
  it("does not let a quote's comment opener hide the lines after the quote", () => {
    expect(commandsIn('> <!--\n/rubrica help\n-->')).toEqual([{ line: 2, command: { kind: 'help' } }]);
    expect(commandsIn('  > <!--\n/rubrica help\n-->')).toEqual([{ line: 2, command: { kind: 'help' } }]);
  });

  it('opens a fence only at the start of a line, with three or more fence characters', () => {
    expect(commandsIn('see ```js\n/rubrica help')).toEqual([{ line: 2, command: { kind: 'help' } }]);
    expect(commandsIn('~~ not a fence\n/rubrica help')).toEqual([{ line: 2, command: { kind: 'help' } }]);
    expect(commandsIn('~~~\n/rubrica help\n~~~\n/rubrica regrade')).toEqual([{ line: 4, command: { kind: 'regrade' } }]);
    expect(commandsIn('```x```\n/rubrica help')).toEqual([{ line: 2, command: { kind: 'help' } }]);
    // Only a backtick fence's info string cannot hold a backtick; a tilde fence's can.
    expect(commandsIn('~~~ a`b\n/rubrica help\n~~~')).toEqual([]);
  });

  it('closes a fence only with a line of fence characters alone, at least as long as the opener', () => {
    expect(commandsIn('```js\nx ```\n/rubrica help\n```')).toEqual([]);
    expect(commandsIn('```js\n``` not closing\n/rubrica help\n```')).toEqual([]);
    expect(commandsIn('````\n```\n/rubrica help\n````\n/rubrica regrade')).toEqual([{ line: 5, command: { kind: 'regrade' } }]);
    expect(commandsIn('```\n/rubrica help\n```\n/rubrica regrade')).toEqual([{ line: 4, command: { kind: 'regrade' } }]);
    expect(commandsIn('```\n/rubrica help\n```  \n/rubrica regrade')).toEqual([{ line: 4, command: { kind: 'regrade' } }]);
  });

  it('reads what follows the end of a comment, on its line and after', () => {
    expect(commandsIn('<!--\nx -->\n/rubrica help')).toEqual([{ line: 3, command: { kind: 'help' } }]);
    expect(commandsIn('<!--\n--> /rubrica help')).toEqual([{ line: 2, command: { kind: 'help' } }]);
    // A comment that ends where a quote begins: the lines after it are read again.
    expect(commandsIn('<!--\n--> > cita\n/rubrica help')).toEqual([{ line: 3, command: { kind: 'help' } }]);
  });

  it('takes an escaped comment opener or backtick as text', () => {
    expect(only('/rubrica override a 1 motivo \\<!-- nota')).toMatchObject({ reason: 'motivo \\<!-- nota' });
    expect(commandsIn('texto \\`\n/rubrica help\nmás `')).toEqual([{ line: 2, command: { kind: 'help' } }]);
  });

  it('hides a line inside a code span only within one paragraph', () => {
    expect(commandsIn('a `b\n/rubrica help\nc` d')).toEqual([]);
    expect(commandsIn('texto `\n   \n/rubrica help\nmás `')).toEqual([{ line: 3, command: { kind: 'help' } }]);
    expect(commandsIn('a `b\nc`\n/rubrica help')).toEqual([{ line: 3, command: { kind: 'help' } }]);
    // However many lines a span runs over, the line it closes on starts inside it.
    expect(parseCommands(`\`\n${'x\n'.repeat(15)}/rubrica help\``)).toEqual([]);
  });

  it('keeps a comment opener inside a code span, closed by a backtick run of its own length', () => {
    expect(only('/rubrica override a 1 ``a`<!--`` fin')).toMatchObject({ reason: '``a`<!--`` fin' });
    expect(only('/rubrica override a 1 ``a`<!-- x``')).toMatchObject({ reason: '``a`<!-- x``' });
    expect(only('/rubrica override a 1 ````x<!--```` fin')).toMatchObject({ reason: '````x<!--```` fin' });
  });
});

describe('reasons in quotes', () => {
  it.each([
    ['«muy bien»'],
    ['‘muy bien’'],
    ['„muy bien“'],
    ["'muy bien'"],
    ['"  muy bien  "'],
  ])('drops the quotes around all of %s', (quoted) => {
    expect(only(`/rubrica override a 1 ${quoted}`)).toMatchObject({ reason: 'muy bien' });
  });

  it('keeps quotes that do not close, or that are only part of the reason, as written', () => {
    expect(only('/rubrica override a 1 "sin cerrar')).toMatchObject({ reason: '"sin cerrar' });
    expect(only('/rubrica override a 1 "a "b "c')).toMatchObject({ reason: '"a "b "c' });
    expect(only('/rubrica override a 1 «a» «b')).toMatchObject({ reason: '«a» «b' });
    expect(only('/rubrica override a 1 "x" y')).toMatchObject({ reason: '"x" y' });
    expect(only('/rubrica override a 1 "')).toMatchObject({ reason: '"' });
    expect(only('/rubrica override a 1 muy "bien"')).toMatchObject({ reason: 'muy "bien"' });
    expect(refused('/rubrica extend "2d')).toMatch(/^`"2d` is not a duration/);
  });

  it('ends a quoted reason only at a closing quote before a space or the end', () => {
    expect(only('/rubrica override a 1 "a"b c"')).toMatchObject({ reason: 'a"b c' });
  });

  it('refuses an empty quoted reason', () => {
    expect(refused('/rubrica override a 1 ""')).toMatch(/^The reason is missing/);
  });

  it('takes a quoted criterion', () => {
    expect(only('/rubrica clear "tests"')).toEqual({ kind: 'clear', criterion: 'tests' });
    expect(only('/rubrica clear " tests "')).toEqual({ kind: 'clear', criterion: 'tests' });
  });
});

describe('--week', () => {
  it('takes weeks 1 to 99, once or repeated alike', () => {
    expect(only('/rubrica regrade --week 1')).toEqual({ kind: 'regrade', week: 1 });
    expect(only('/rubrica regrade --week 12')).toEqual({ kind: 'regrade', week: 12 });
    expect(only('/rubrica regrade --week 3 --semana 3')).toEqual({ kind: 'regrade', week: 3 });
    expect(only('/rubrica help --week 2')).toEqual({ kind: 'help', week: 2 });
  });

  it('has no week at all when none is given', () => {
    expect(only('/rubrica regrade')).not.toHaveProperty('week');
    expect(only('/rubrica clear tests')).not.toHaveProperty('week');
    expect(only('/rubrica override tests 1 ok')).not.toHaveProperty('week');
  });

  it('refuses week 0, three digits, and a number with letters', () => {
    for (const line of ['/rubrica regrade --week 0', '/rubrica regrade --week=123', '/rubrica regrade --week 3x']) {
      expect(refused(line)).toMatch(/needs the week's number/);
    }
  });

  it('with =N, does not also take the next number', () => {
    expect(refused('/rubrica regrade --week=3 4')).toMatch(/^`4` was not expected/);
  });

  it('is a flag only as a whole word; near misses are questioned, other words are arguments', () => {
    expect(refused('/rubrica regrade x--week=3')).toMatch(/^`x--week=3` was not expected/);
    expect(refused('/rubrica regrade --wek3')).toMatch(/^`--wek3` was not expected/);
    for (const flag of ['--weekly', '—wek', '--wek=33', '--semna']) {
      expect(refused(`/rubrica regrade ${flag} 3`)).toMatch(/is not an option; did you mean `--week`\?/);
    }
  });
});

describe('criteria, points and durations', () => {
  it('drops any run of backticks around a criterion, not inside it', () => {
    expect(only('/rubrica clear ``tests``')).toEqual({ kind: 'clear', criterion: 'tests' });
    expect(only('/rubrica clear `tests')).toEqual({ kind: 'clear', criterion: 'tests' });
    expect(only('/rubrica clear te`st')).toEqual({ kind: 'clear', criterion: 'te`st' });
  });

  it('reads points only as a whole number with up to two decimals', () => {
    expect(only('/rubrica override a 7.25 ok')).toMatchObject({ points: 7.25 });
    for (const points of ['x7', '7x']) expect(refused(`/rubrica override a ${points} ok`)).toMatch(/is not a number of points/);
  });

  it('reads a duration only as whole number-unit parts, and a bare decimal as lacking its unit', () => {
    expect(only('/rubrica extend 1d 12h por enfermedad')).toEqual({ kind: 'extend', minutes: 36 * 60, reason: 'por enfermedad' });
    expect(refused('/rubrica extend 2dx')).toMatch(/^`2dx` is not a duration/);
    expect(refused('/rubrica extend 2.55')).toMatch(/^`2.55` needs a unit/);
  });
});
