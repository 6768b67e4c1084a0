import { describe, expect, it } from 'vitest';
import { t } from '../../../src/core/text.ts';
import { helpMessage, parseCommands, validateCommand, type CommandRubric } from '../../../src/commands/parse.ts';

/**
 * What a TA reads, word for word, in both languages: each way a command can be wrong,
 * and the help. The TA acts on these texts, so a changed word is a changed behaviour.
 */
function errorOf(line: string) {
  const [only, ...rest] = parseCommands(line);
  if (!only || only.ok || rest.length) throw new Error(`expected one error, got ${JSON.stringify(parseCommands(line))}`);
  return only.error;
}

const EXTEND_USAGE = {
  es: 'Escríbelo así: `/rubrica extend <duración> [motivo] [--semana N]` (duración: `2d`, `36h`, `90m`, `1d12h`)',
  en: 'Write it as: `/rubrica extend <duration> [reason] [--week N]` (duration: `2d`, `36h`, `90m`, `1d12h`)',
};

describe('what a TA is told about a malformed command', () => {
  it.each([
    ['/rubrica clear', 'Falta el criterio. Escríbelo así: `/rubrica clear <criterio> [--semana N]`', 'The criterion is missing. Write it as: `/rubrica clear <criterion> [--week N]`'],
    [
      '/rubrica manual',
      'Faltan el criterio, los puntos y el motivo. Escríbelo así: `/rubrica manual <criterio> <puntos> <motivo> [--semana N]`',
      'The criterion, the points and the reason are missing. Write it as: `/rubrica manual <criterion> <points> <reason> [--week N]`',
    ],
    [
      '/rubrica puntuar video',
      'Faltan los puntos y el motivo. Escríbelo así: `/rubrica puntuar <criterio> <puntos> <motivo> [--semana N]`',
      'The points and the reason are missing. Write it as: `/rubrica puntuar <criterion> <points> <reason> [--week N]`',
    ],
    [
      '/rubrica override 5 tests ok',
      'El criterio va antes de los puntos. Escríbelo así: `/rubrica override <criterio> <puntos> <motivo> [--semana N]`',
      'The criterion goes before the points. Write it as: `/rubrica override <criterion> <points> <reason> [--week N]`',
    ],
    [
      '/rubrica manual video 5',
      'Falta el motivo: el estudiante lo lee, así que explica la nota. Escríbelo así: `/rubrica manual <criterio> <puntos> <motivo> [--semana N]`',
      'The reason is missing: the student reads it, so say why. Write it as: `/rubrica manual <criterion> <points> <reason> [--week N]`',
    ],
    ['/rubrica regrade ahora', 'Sobra `ahora`. Escríbelo así: `/rubrica regrade [--semana N]`', '`ahora` was not expected. Write it as: `/rubrica regrade [--week N]`'],
    [
      '/rubrica override tests -1 ok',
      'Los puntos no pueden ser negativos (`-1`). Escríbelo así: `/rubrica override <criterio> <puntos> <motivo> [--semana N]`',
      'The points cannot be negative (`-1`). Write it as: `/rubrica override <criterion> <points> <reason> [--week N]`',
    ],
    [
      '/rubrica override tests 7.255 ok',
      '`7.255` tiene más de dos decimales. Escríbelo así: `/rubrica override <criterio> <puntos> <motivo> [--semana N]`',
      '`7.255` has more than two decimals. Write it as: `/rubrica override <criterion> <points> <reason> [--week N]`',
    ],
    [
      '/rubrica override tests 1-2 ok',
      '`1-2` no son puntos: escribe un número como `7`, `7.5` o `7,5`. Escríbelo así: `/rubrica override <criterio> <puntos> <motivo> [--semana N]`',
      '`1-2` is not a number of points: write a number like `7`, `7.5` or `7,5`. Write it as: `/rubrica override <criterion> <points> <reason> [--week N]`',
    ],
    [
      '/rubrica regrade --wek 3',
      '`--wek` no es una opción; ¿querías decir `--semana`? Escríbelo así: `/rubrica regrade [--semana N]`',
      '`--wek` is not an option; did you mean `--week`? Write it as: `/rubrica regrade [--week N]`',
    ],
    [
      '/rubrica regrade --week',
      '`--week` necesita el número de la semana, como `--semana 3`. Escríbelo así: `/rubrica regrade [--semana N]`',
      "`--week` needs the week's number, like `--week 3`. Write it as: `/rubrica regrade [--week N]`",
    ],
    [
      '/rubrica recorregir --semana 3 --semana 4',
      'La semana se indica dos veces (3 y 4). Escríbelo así: `/rubrica recorregir [--semana N]`',
      'The week is given twice (3 and 4). Write it as: `/rubrica recorregir [--week N]`',
    ],
  ])('%s', (line, es, en) => {
    expect(errorOf(line)).toEqual({ es, en });
  });

  it.each([
    ['/rubrica extend 12', 'A `12` le falta la unidad, junto al número: `d` (días), `h` (horas) o `m` (minutos).', '`12` needs a unit next to the number: `d` (days), `h` (hours) or `m` (minutes).'],
    ['/rubrica extend x2', '`x2` no es una duración.', '`x2` is not a duration.'],
    ['/rubrica extend', 'Falta la duración.', 'The duration is missing.'],
    ['/rubrica extend 1d 1d', '`1d1d` repite `d`.', '`1d1d` gives `d` twice.'],
    ['/rubrica extend 0m', 'La prórroga tiene que ser de más de cero minutos.', 'The extension must be longer than zero minutes.'],
  ])('%s', (line, es, en) => {
    expect(errorOf(line)).toEqual({ es: `${es} ${EXTEND_USAGE.es}`, en: `${en} ${EXTEND_USAGE.en}` });
  });

  it('lists every command, in the words of each language, for a word that is nothing like one', () => {
    expect(errorOf('/rubrica xyzzyplugh')).toEqual({
      es: '`/rubrica xyzzyplugh` no es un comando. Los comandos son: `/rubrica ajustar <criterio> <puntos> <motivo> [--semana N]`, `/rubrica puntuar <criterio> <puntos> <motivo> [--semana N]`, `/rubrica quitar <criterio> [--semana N]`, `/rubrica extender <duración> [motivo] [--semana N]` (duración: `2d`, `36h`, `90m`, `1d12h`), `/rubrica recorregir [--semana N]`, `/rubrica ayuda`, `/rubrica revisar <criterio> <motivo> [--semana N]`. `/rubrica ayuda` los explica.',
      en: '`/rubrica xyzzyplugh` is not a command. The commands are: `/rubrica override <criterion> <points> <reason> [--week N]`, `/rubrica manual <criterion> <points> <reason> [--week N]`, `/rubrica clear <criterion> [--week N]`, `/rubrica extend <duration> [reason] [--week N]` (duration: `2d`, `36h`, `90m`, `1d12h`), `/rubrica regrade [--week N]`, `/rubrica help`, `/rubrica review <criterion> <why> [--week N]`. `/rubrica help` explains them.',
    });
  });

  it('quotes at most 40 characters of what was written, with a fence longer than any backticks in it', () => {
    const forty = `/rubrica ${'b'.repeat(31)}`;
    expect(errorOf(forty).en).toMatch(new RegExp(`^\`${forty}\` is not a command`));
    expect(errorOf(`${forty}c`).en).toMatch(new RegExp(`^\`${forty}…\` is not a command`));
    expect(errorOf('/rubrica a``b').en).toMatch(/^``` \/rubrica a``b ``` is not a command/);
  });
});

describe('what a TA is told about a command this week cannot take', () => {
  const rubric: CommandRubric = { week: 3, criteria: [{ id: 'tests', points: 10, manual: false }, { id: 'video', points: 7.5, manual: true }] };

  it('names the criteria the week has, or says it has none', () => {
    expect(validateCommand({ kind: 'clear', criterion: 'zzz' }, rubric)).toEqual({
      es: 'La semana 3 no tiene el criterio `zzz`. Sus criterios son `tests` y `video`. Escríbelo así: `/rubrica quitar <criterio> [--semana N]`',
      en: 'Week 3 has no criterion `zzz`. Its criteria are `tests` and `video`. Write it as: `/rubrica clear <criterion> [--week N]`',
    });
    expect(validateCommand({ kind: 'override', criterion: 'zzz', points: 1, reason: 'x' }, { week: 4, criteria: [] })).toEqual({
      es: 'La semana 4 no tiene el criterio `zzz`. No tiene criterios. Escríbelo así: `/rubrica ajustar <criterio> <puntos> <motivo> [--semana N]`',
      en: 'Week 4 has no criterion `zzz`. It has no criteria. Write it as: `/rubrica override <criterion> <points> <reason> [--week N]`',
    });
  });

  it('sends manual scoring of an automatic criterion to override, naming the manual criteria or their absence', () => {
    expect(validateCommand({ kind: 'manual', criterion: 'tests', points: 1, reason: 'x' }, rubric)).toEqual({
      es: '`tests` se corrige automáticamente, así que `manual` no lo puede puntuar: `manual` (o `puntuar`) es para los criterios que corrige un TA (en la semana 3: `video`). Para cambiar una nota automática, usa `/rubrica ajustar tests <puntos> <motivo>`.',
      en: '`tests` is graded automatically, so `manual` cannot score it: `manual` is for the criteria a TA grades (in week 3: `video`). To change an automatic score, use `/rubrica override tests <points> <reason>`.',
    });
    const two = { week: 6, criteria: [...rubric.criteria, { id: 'demo', points: 5, manual: true }] };
    expect(validateCommand({ kind: 'manual', criterion: 'tests', points: 1, reason: 'x' }, two)).toMatchObject({
      es: expect.stringContaining('(en la semana 6: `video` y `demo`)'),
      en: expect.stringContaining('(in week 6: `video` and `demo`)'),
    });
    expect(validateCommand({ kind: 'manual', criterion: 'tests', points: 1, reason: 'x' }, { week: 5, criteria: [rubric.criteria[0]!] })).toMatchObject({
      es: expect.stringContaining('(y la semana 5 no tiene ninguno)'),
      en: expect.stringContaining('(and week 5 has none)'),
    });
  });

  it('gives the range in each language’s decimals', () => {
    expect(validateCommand({ kind: 'manual', criterion: 'video', points: 8.5, reason: 'x' }, rubric)).toEqual({
      es: '`video` vale de 0 a 7,5 puntos, no 8,5. Escríbelo así: `/rubrica puntuar <criterio> <puntos> <motivo> [--semana N]`',
      en: '`video` is worth 0 to 7.5 points, not 8.5. Write it as: `/rubrica manual <criterion> <points> <reason> [--week N]`',
    });
  });
});

describe('the help reply', () => {
  const week: CommandRubric = {
    week: 3,
    title: t('DVC', 'DVC'),
    criteria: [
      { id: 'tests', points: 10, manual: false, title: t('Pruebas', 'Tests') },
      { id: 'video', points: 7.5, manual: true },
    ],
  };

  it('in Spanish, with the other words for each command', () => {
    expect(helpMessage(week).es).toBe(
      [
        '### Comandos de Rubrica · Semana 3 — DVC',
        '',
        'Escribe cada comando en su propia línea de un comentario del pull request, empezando por `/rubrica`.',
        '',
        '| Comando | Qué hace |',
        '|---|---|',
        '| `/rubrica ajustar <criterio> <puntos> <motivo>` (`override`, `corregir`) | Cambia la nota de un criterio; el estudiante ve el motivo. |',
        '| `/rubrica puntuar <criterio> <puntos> <motivo>` (`manual`) | Puntúa un criterio que corrige un TA (✋ abajo). |',
        '| `/rubrica quitar <criterio>` (`clear`, `borrar`) | Deshace el ajuste o la nota manual de un criterio. |',
        '| `/rubrica extender <duración> [motivo]` (`extend`, `prorroga`, `prórroga`) | Amplía el plazo de entrega: `2d`, `36h`, `90m`, `1d12h` (hasta 60 días). |',
        '| `/rubrica recorregir` (`regrade`, `corregir-de-nuevo`) | Vuelve a corregir. |',
        '| `/rubrica ayuda` (`help`) | Muestra este mensaje. |',
        '| `/rubrica revisar <criterio> <motivo>` (`review`, `revision`, `revisión`) | (Estudiantes) Pide a un TA que revise un criterio. |',
        '',
        'Añade `--semana N` (o `--week N`) para actuar sobre otra semana distinta de la del pull request. Los puntos admiten decimales: `7.5` o `7,5`. El motivo puede ir entre comillas.',
        '',
        '**Criterios de la semana 3**',
        '',
        '- `tests` — Pruebas: 0–10 puntos',
        '- `video` — 0–7,5 puntos ✋ manual',
      ].join('\n'),
    );
  });

  it('in English', () => {
    expect(helpMessage(week).en).toBe(
      [
        '### Rubrica commands · Week 3 — DVC',
        '',
        'Write each command on its own line of a pull-request comment, starting with `/rubrica`.',
        '',
        '| Command | What it does |',
        '|---|---|',
        "| `/rubrica override <criterion> <points> <reason>` | Replaces a criterion's score; the student sees the reason. |",
        '| `/rubrica manual <criterion> <points> <reason>` | Scores a criterion a TA grades (✋ below). |',
        "| `/rubrica clear <criterion>` | Undoes a criterion's override or manual score. |",
        '| `/rubrica extend <duration> [reason]` | Extends the deadline: `2d`, `36h`, `90m`, `1d12h` (up to 60 days). |',
        '| `/rubrica regrade` | Grades again. |',
        '| `/rubrica help` | Shows this message. |',
        '| `/rubrica review <criterion> <why>` | (Students) Asks a TA to look at a criterion again. |',
        '',
        "Add `--week N` to act on a week other than the pull request's. Points may have decimals: `7.5` or `7,5`. The reason may be in quotes.",
        '',
        '**Criteria of week 3**',
        '',
        '- `tests` — Tests: 0–10 points',
        '- `video` — 0–7.5 points ✋ manual',
      ].join('\n'),
    );
  });

  it('says so when the week has no criteria', () => {
    const empty = helpMessage({ week: 4, criteria: [] });
    expect(empty.es.endsWith('**Criterios de la semana 4**\n\n_Esta semana no tiene criterios._')).toBe(true);
    expect(empty.en.endsWith('**Criteria of week 4**\n\n_This week has no criteria._')).toBe(true);
  });
});
