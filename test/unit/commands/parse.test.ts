import { describe, expect, it } from 'vitest';
import { t } from '../../../src/core/text.ts';
import {
  helpMessage,
  MAX_EXTENSION_MINUTES,
  parseCommands,
  validateCommand,
  type Command,
  type CommandRubric,
  type ParsedLine,
} from '../../../src/commands/parse.ts';

const rubric: CommandRubric = {
  week: 3,
  title: t('DVC', 'DVC'),
  criteria: [
    { id: 'estructura', points: 25, manual: false, title: t('Estructura', 'Structure') },
    { id: 'tests', points: 10, manual: false },
    { id: 'readme-sections', points: 12.5, manual: false },
    { id: 'video', points: 15, manual: true },
  ],
};

/** The one command of a one-line comment, failing the test on an error. */
function command(body: string): Command {
  const parsed = parseCommands(body);
  expect(parsed).toHaveLength(1);
  const [only] = parsed;
  if (!only?.ok) throw new Error(`expected a command, got ${JSON.stringify(only)}`);
  return only.command;
}

/** The error of a one-line comment, failing the test on a command. */
function error(body: string): { es: string; en: string } {
  const parsed = parseCommands(body);
  expect(parsed).toHaveLength(1);
  const [only] = parsed;
  if (!only || only.ok) throw new Error(`expected an error, got ${JSON.stringify(only)}`);
  return only.error;
}

const kinds = (parsed: readonly ParsedLine[]) => parsed.map((p) => (p.ok ? p.command.kind : 'error'));

describe('override', () => {
  it('takes a criterion, points and a reason', () => {
    expect(command('/rubrica override tests 8 Good coverage of the edge cases')).toEqual({
      kind: 'override',
      criterion: 'tests',
      points: 8,
      reason: 'Good coverage of the edge cases',
    });
  });

  it.each(['ajustar', 'corregir', 'OVERRIDE', 'Ajustar'])('has the alias %s', (word) => {
    expect(command(`/rubrica ${word} tests 8 bien`)).toMatchObject({ kind: 'override', criterion: 'tests', points: 8, reason: 'bien' });
  });

  it('reads decimals with a dot or a comma', () => {
    expect(command('/rubrica override tests 7.5 ok')).toMatchObject({ points: 7.5 });
    expect(command('/rubrica ajustar tests 12,5 ok')).toMatchObject({ points: 12.5 });
    expect(command('/rubrica ajustar tests 0 nada')).toMatchObject({ points: 0 });
  });

  it('keeps the reason as written, without the quotes around all of it', () => {
    expect(command('/rubrica override tests 8 "Falta el test de `train`, ojo"')).toMatchObject({ reason: 'Falta el test de `train`, ojo' });
    expect(command('/rubrica override tests 8 “comillas tipográficas”')).toMatchObject({ reason: 'comillas tipográficas' });
    expect(command("/rubrica override tests 8 it's  fine,   really  ")).toMatchObject({ reason: "it's  fine,   really" });
    expect(command('/rubrica override tests 8 a "quoted" word')).toMatchObject({ reason: 'a "quoted" word' });
  });

  it('takes --week or --semana anywhere after the command word', () => {
    expect(command('/rubrica override --week 2 tests 8 ok')).toEqual({ kind: 'override', criterion: 'tests', points: 8, reason: 'ok', week: 2 });
    expect(command('/rubrica override tests --semana 2 8 ok')).toMatchObject({ criterion: 'tests', points: 8, week: 2 });
    expect(command('/rubrica override tests 8 great --week 2 work')).toMatchObject({ reason: 'great work', week: 2 });
    expect(command('/rubrica override tests 8 ok --week=11')).toMatchObject({ reason: 'ok', week: 11 });
    // Phones turn `--` into a dash.
    expect(command('/rubrica override tests 8 ok —semana 4')).toMatchObject({ reason: 'ok', week: 4 });
  });

  it('leaves a --week inside a quoted reason alone', () => {
    const c = command('/rubrica override tests 8 "see --week 3 notes" --week 2');
    expect(c).toMatchObject({ reason: 'see --week 3 notes', week: 2 });
  });

  it('refuses a missing reason, saying the student reads it', () => {
    const e = error('/rubrica override tests 8');
    expect(e.en).toContain('The reason is missing');
    expect(e.en).toContain('`/rubrica override <criterion> <points> <reason> [--week N]`');
    expect(e.es).toContain('Falta el motivo');
    expect(error('/rubrica override tests 8 --week 2').en).toContain('The reason is missing');
    expect(error('/rubrica override tests 8 ""').en).toContain('The reason is missing');
  });

  it('explains missing or wrong points and criteria', () => {
    expect(error('/rubrica override').en).toMatch(/^The criterion, the points and the reason are missing\. Write it as: `\/rubrica override/);
    expect(error('/rubrica ajustar tests').es).toMatch(/^Faltan los puntos y el motivo\. Escríbelo así: `\/rubrica ajustar <criterio> <puntos> <motivo> \[--semana N\]`$/);
    expect(error('/rubrica override tests ocho bien').en).toContain('`ocho` is not a number of points');
    expect(error('/rubrica override tests -2 bad').en).toContain('cannot be negative');
    expect(error('/rubrica override tests 1,000 ok').en).toContain('more than two decimals');
    expect(error('/rubrica override 8 tests ok').en).toMatch(/^The criterion goes before the points\./);
    // The usage line repeats the word as typed, so an alias stays an alias.
    expect(error('/rubrica CORREGIR tests 8').es).toContain('`/rubrica corregir <criterio> <puntos> <motivo> [--semana N]`');
  });

  it('needs a week number after --week, once', () => {
    expect(error('/rubrica override tests 8 ok --week').en).toContain('needs the week\'s number, like `--week 3`');
    expect(error('/rubrica override tests 8 ok --week 0').en).toContain('needs the week');
    expect(error('/rubrica override tests 8 ok --week 2 --semana 3').en).toContain('The week is given twice (2 and 3)');
    expect(error('/rubrica override tests 8 ok --wek 2').en).toContain('`--wek` is not an option; did you mean `--week`?');
  });

  it('lowercases the criterion and drops backticks around it (ids are lowercase)', () => {
    expect(command('/rubrica override `Tests` 8 ok')).toMatchObject({ criterion: 'tests' });
  });
});

describe('the other commands', () => {
  it.each(['clear', 'quitar', 'borrar'])('%s takes a criterion', (word) => {
    expect(command(`/rubrica ${word} tests`)).toEqual({ kind: 'clear', criterion: 'tests' });
    expect(command(`/rubrica ${word} tests --semana 5`)).toEqual({ kind: 'clear', criterion: 'tests', week: 5 });
  });

  it('clear refuses a missing criterion and extra words', () => {
    expect(error('/rubrica clear').en).toBe('The criterion is missing. Write it as: `/rubrica clear <criterion> [--week N]`');
    expect(error('/rubrica quitar tests porque sí').es).toBe('Sobra `porque sí`. Escríbelo así: `/rubrica quitar <criterio> [--semana N]`');
  });

  it.each(['manual', 'puntuar'])('%s takes a criterion, points and a reason', (word) => {
    expect(command(`/rubrica ${word} video 13,5 Clear demo --week 3`)).toEqual({
      kind: 'manual',
      criterion: 'video',
      points: 13.5,
      reason: 'Clear demo',
      week: 3,
    });
    expect(error(`/rubrica ${word} video 10`).en).toContain('The reason is missing');
  });

  it.each(['regrade', 'recorregir', 'corregir-de-nuevo'])('%s takes nothing but a week', (word) => {
    expect(command(`/rubrica ${word}`)).toEqual({ kind: 'regrade' });
    expect(command(`/rubrica ${word} --week 2`)).toEqual({ kind: 'regrade', week: 2 });
    expect(error(`/rubrica ${word} now please`).en).toMatch(/^`now please` was not expected\. Write it as: `\/rubrica .+ \[--week N\]`$/);
  });

  it.each(['/rubrica help', '/rubrica ayuda', '/rubrica', '  /rubrica  ', '/rubrica help me please'])('%j asks for help', (body) => {
    expect(command(body)).toEqual({ kind: 'help' });
  });
});

describe('extend', () => {
  it.each([
    ['2d', 2 * 24 * 60],
    ['36h', 36 * 60],
    ['90m', 90],
    ['1d12h', 36 * 60],
    ['1d 12h', 36 * 60],
    ['1d 2h 30m', 24 * 60 + 150],
    ['2D', 2 * 24 * 60],
    ['60d', MAX_EXTENSION_MINUTES],
  ])('reads %s as %i minutes', (duration, minutes) => {
    expect(command(`/rubrica extend ${duration}`)).toEqual({ kind: 'extend', minutes });
  });

  it.each(['extender', 'prorroga', 'prórroga', 'PRÓRROGA'])('has the alias %s', (word) => {
    expect(command(`/rubrica ${word} 2d`)).toEqual({ kind: 'extend', minutes: 2880 });
  });

  it('takes an optional reason and --week anywhere', () => {
    expect(command('/rubrica extend 2d --week 3 family emergency')).toEqual({ kind: 'extend', minutes: 2880, reason: 'family emergency', week: 3 });
    expect(command('/rubrica prórroga --semana 3 48h "certificado médico"')).toEqual({ kind: 'extend', minutes: 2880, reason: 'certificado médico', week: 3 });
  });

  it('refuses durations it cannot read, saying how to write them', () => {
    const noUnit = error('/rubrica extend 2 days');
    expect(noUnit.en).toContain('`2` needs a unit next to the number');
    expect(noUnit.en).toContain('(duration: `2d`, `36h`, `90m`, `1d12h`)');
    expect(error('/rubrica extend tomorrow').en).toMatch(/^`tomorrow` is not a duration\. Write it as: `\/rubrica extend <duration> \[reason\] \[--week N\]`/);
    expect(error('/rubrica extend').en).toContain('The duration is missing');
    expect(error('/rubrica extend 1.5d').en).toContain('`1.5d` is not a duration');
    expect(error('/rubrica extend 1d2d').en).toContain('gives `d` twice');
    expect(error('/rubrica extend 0d').en).toContain('longer than zero');
  });

  it('refuses more than 60 days', () => {
    expect(error('/rubrica extend 61d').en).toContain('over the maximum of 60 days');
    expect(error('/rubrica extend 59d 25h').es).toContain('más que el máximo de 60 días');
    expect(error('/rubrica extend 99999999999999999999m').en).toContain('over the maximum');
  });
});

describe('finding commands in a comment', () => {
  it('reads several commands, one per line, with their line numbers', () => {
    const parsed = parseCommands('Thanks!\n\n/rubrica override tests 8 ok\n  /rubrica manual video 15 great demo\nbye');
    expect(parsed.map((p) => [p.line, p.raw])).toEqual([
      [3, '/rubrica override tests 8 ok'],
      [4, '/rubrica manual video 15 great demo'],
    ]);
    expect(kinds(parsed)).toEqual(['override', 'manual']);
  });

  it('reads only lines that start with /rubrica as a word', () => {
    expect(parseCommands('please run /rubrica regrade\n/rubricas help\n`/rubrica help`\n- /rubrica help\n\\/rubrica help')).toEqual([]);
  });

  it('handles CRLF and lone CR', () => {
    const parsed = parseCommands('hi\r\n/rubrica override tests 8 ok\r\n/rubrica extend 2d\r/rubrica regrade\r\n');
    expect(parsed.map((p) => p.line)).toEqual([2, 3, 4]);
    expect(parsed[0]).toMatchObject({ raw: '/rubrica override tests 8 ok', command: { reason: 'ok' } });
  });

  it('ignores fenced code, with backticks or tildes, indented or unclosed', () => {
    const body = [
      '```',
      '/rubrica regrade',
      '```',
      '~~~md',
      '/rubrica regrade',
      '```',
      '/rubrica regrade',
      '~~~',
      '   ````text',
      '/rubrica regrade',
      '```',
      '/rubrica regrade',
      '   ````',
      '/rubrica help',
      '```',
      '/rubrica regrade',
    ].join('\n');
    expect(parseCommands(body).map((p) => p.line)).toEqual([14]);
  });

  it('does not take inline code for a fence', () => {
    expect(kinds(parseCommands('```x``` is code\n/rubrica regrade'))).toEqual(['regrade']);
  });

  it('ignores quoted lines, nested or spaced', () => {
    const body = '> /rubrica regrade\n>> /rubrica regrade\n > > /rubrica help\n>```\n/rubrica extend 2d';
    expect(kinds(parseCommands(body))).toEqual(['extend']);
  });

  it('ignores lines inside inline code spanning lines', () => {
    const body = 'Write `\n/rubrica regrade` to grade again.\n\n`` a\n/rubrica help ``\n\nan unclosed ` backtick\n/rubrica extend 2d';
    expect(kinds(parseCommands(body))).toEqual(['extend']);
    // A paragraph ends at a blank line, and so does a code span.
    expect(kinds(parseCommands('open `\n\n/rubrica regrade\nclose `'))).toEqual(['regrade']);
  });

  it('ignores HTML comments, across lines, and their text in a reason', () => {
    const body = [
      '<!-- /rubrica regrade -->',
      '<!--',
      '/rubrica regrade',
      '```',
      '-->',
      '/rubrica override tests 8 good <!-- TA note: lenient --> work',
      '`<!--` in code opens nothing',
      '/rubrica help',
      '<!-- unclosed',
      '/rubrica regrade',
    ].join('\n');
    const parsed = parseCommands(body);
    expect(parsed.map((p) => p.line)).toEqual([6, 8]);
    expect(parsed[0]).toMatchObject({ raw: '/rubrica override tests 8 good  work', command: { reason: 'good  work' } });
  });

  it('says what an unknown command is, and suggests the likely one', () => {
    const typo = error('/rubrica overide tests 8 ok');
    expect(typo.en).toBe(
      '`/rubrica overide` is not a command. Did you mean `override`? Write it as: `/rubrica override <criterion> <points> <reason> [--week N]`',
    );
    expect(error('/rubrica prorogar 2d').es).toContain('¿Querías decir `prorroga`?');
    const unknown = error('/rubrica launch');
    expect(unknown.en).toContain('`/rubrica launch` is not a command. The commands are: `/rubrica override <criterion> <points> <reason> [--week N]`');
    expect(unknown.en).toContain('`/rubrica help` explains them');
    expect(unknown.es).toContain('`/rubrica ajustar <criterio> <puntos> <motivo> [--semana N]`');
  });

  it('keeps what a commenter wrote from breaking out of inline code', () => {
    expect(error('/rubrica x`@team`').en).toMatch(/^`` \/rubrica x`@team` `` is not a command/);
  });

  it('reports good and bad lines of one comment separately', () => {
    const parsed = parseCommands('/rubrica override tests 8\n/rubrica clear tests');
    expect(parsed).toMatchObject([{ line: 1, ok: false }, { line: 2, ok: true, command: { kind: 'clear' } }]);
  });
});

describe('validation against the week', () => {
  const override = (criterion: string, points: number): Command => ({ kind: 'override', criterion, points, reason: 'r' });

  it('accepts known criteria within their points, and commands without a criterion', () => {
    expect(validateCommand(override('tests', 10), rubric)).toBeNull();
    expect(validateCommand(override('readme-sections', 12.5), rubric)).toBeNull();
    expect(validateCommand(override('video', 0), rubric)).toBeNull();
    expect(validateCommand({ kind: 'manual', criterion: 'video', points: 15, reason: 'r' }, rubric)).toBeNull();
    expect(validateCommand({ kind: 'clear', criterion: 'estructura' }, rubric)).toBeNull();
    expect(validateCommand({ kind: 'extend', minutes: 60 }, rubric)).toBeNull();
    expect(validateCommand({ kind: 'regrade' }, rubric)).toBeNull();
    expect(validateCommand({ kind: 'help' }, rubric)).toBeNull();
  });

  it('suggests the closest criterion for a typo and lists them all', () => {
    const e = validateCommand(override('tets', 5), rubric);
    expect(e?.en).toBe(
      'Week 3 has no criterion `tets`. Did you mean `tests`? Its criteria are `estructura`, `tests`, `readme-sections` and `video`. Write it as: `/rubrica override <criterion> <points> <reason> [--week N]`',
    );
    expect(e?.es).toContain('La semana 3 no tiene el criterio `tets`. ¿Querías decir `tests`?');
    const far = validateCommand({ kind: 'clear', criterion: 'deployment' }, rubric);
    expect(far?.en).not.toContain('Did you mean');
    expect(far?.en).toContain('`/rubrica clear <criterion> [--week N]`');
  });

  it('states the range of points when they are over', () => {
    const e = validateCommand(override('readme-sections', 13), rubric);
    expect(e?.en).toMatch(/^`readme-sections` is worth 0 to 12\.5 points, not 13\. Write it as:/);
    expect(e?.es).toMatch(/^`readme-sections` vale de 0 a 12,5 puntos, no 13\./);
  });

  it('refuses manual on an automatic criterion, naming the manual ones and the way to override', () => {
    const e = validateCommand({ kind: 'manual', criterion: 'tests', points: 5, reason: 'r' }, rubric);
    expect(e?.en).toContain('`tests` is graded automatically');
    expect(e?.en).toContain('in week 3: `video`');
    expect(e?.en).toContain('`/rubrica override tests <points> <reason>`');
    expect(e?.es).toContain('`/rubrica ajustar tests <puntos> <motivo>`');
    const none = validateCommand({ kind: 'manual', criterion: 'tests', points: 5, reason: 'r' }, { week: 1, criteria: [{ id: 'tests', points: 10, manual: false }] });
    expect(none?.en).toContain('week 1 has none');
  });

  it('lets override change a manual criterion too', () => {
    expect(validateCommand(override('video', 7), rubric)).toBeNull();
  });

  it('validates what parseCommands produced', () => {
    const [parsed] = parseCommands('/rubrica ajustar tests 12,5 ok');
    expect(parsed?.ok && validateCommand(parsed.command, rubric)?.en).toContain('is worth 0 to 10 points, not 12.5');
  });
});

describe('help', () => {
  it('lists the commands and the week\'s criteria with their points, marking manual ones', () => {
    const help = helpMessage(rubric);
    expect(help.en).toContain('### Rubrica commands · Week 3 — DVC');
    expect(help.en).toContain('| `/rubrica override <criterion> <points> <reason>` |');
    expect(help.en).toContain('| `/rubrica extend <duration> [reason]` |');
    expect(help.en).toContain('| `/rubrica help` |');
    expect(help.en).toContain('`--week N`');
    expect(help.en).toContain('- `estructura` — Structure: 0–25 points');
    expect(help.en).toContain('- `video` — 0–15 points ✋ manual');
    expect(help.en).not.toContain('ajustar');
  });

  it('shows the Spanish words with their aliases in Spanish', () => {
    const help = helpMessage(rubric);
    expect(help.es).toContain('| `/rubrica ajustar <criterio> <puntos> <motivo>` (`override`, `corregir`) |');
    expect(help.es).toContain('`/rubrica extender <duración> [motivo]` (`extend`, `prorroga`, `prórroga`)');
    expect(help.es).toContain('`/rubrica recorregir` (`regrade`, `corregir-de-nuevo`)');
    expect(help.es).toContain('- `readme-sections` — 0–12,5 puntos');
    expect(help.es).toContain('- `video` — 0–15 puntos ✋ manual');
  });

  it('writes a week without a title', () => {
    expect(helpMessage({ week: 1, criteria: [] }).en).toContain('### Rubrica commands · Week 1\n');
  });
});

describe('a student asks for a review', () => {
  it('reads the criterion and the why, in both languages, with a week anywhere', () => {
    expect(command('/rubrica review tests my test_load passes locally')).toEqual({ kind: 'review', criterion: 'tests', reason: 'my test_load passes locally' });
    expect(command('/rubrica revisar `video` "lo subí a tiempo" --semana 2')).toEqual({ kind: 'review', criterion: 'video', reason: 'lo subí a tiempo', week: 2 });
    expect(command('/rubrica revisión estructura --week 3 falta una carpeta')).toEqual({ kind: 'review', criterion: 'estructura', reason: 'falta una carpeta', week: 3 });
  });

  it('needs both the criterion and the why', () => {
    expect(error('/rubrica review').en).toBe('The criterion and the reason are missing. Write it as: `/rubrica review <criterion> <why> [--week N]`');
    expect(error('/rubrica revisar tests').es).toBe('Falta el motivo: di por qué quieres que se revise. Escríbelo así: `/rubrica revisar <criterio> <motivo> [--semana N]`');
  });

  it('names a criterion of the week', () => {
    expect(validateCommand({ kind: 'review', criterion: 'tests', reason: 'x' }, rubric)).toBeNull();
    expect(validateCommand({ kind: 'review', criterion: 'test', reason: 'x' }, rubric)?.en).toContain('Week 3 has no criterion `test`. Did you mean `tests`?');
  });
});
