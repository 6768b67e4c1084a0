import { unitLabel, weekNumberOf } from '../course/unit.ts';
import { t, type Locale, type Text } from '../core/text.ts';
import { closest } from '../rubrics/problems.ts';
import { inline } from '../report/markup.ts';

/**
 * TA commands in pull-request comments → commands, or what is wrong with them. Pure:
 * who may run a command and what it changes are decided elsewhere.
 */
export type Command =
  | { readonly kind: 'override'; readonly criterion: string; readonly points: number; readonly reason: string; readonly week?: number }
  | { readonly kind: 'manual'; readonly criterion: string; readonly points: number; readonly reason: string; readonly week?: number }
  | { readonly kind: 'clear'; readonly criterion: string; readonly week?: number }
  | { readonly kind: 'extend'; readonly minutes: number; readonly reason?: string; readonly week?: number }
  | { readonly kind: 'regrade'; readonly week?: number }
  | { readonly kind: 'help'; readonly week?: number }
  /** A student's request that a TA look at a criterion again (the only command a student may use). */
  | { readonly kind: 'review'; readonly criterion: string; readonly reason: string; readonly week?: number };

export type CommandKind = Command['kind'];

/** One `/rubrica` line: `line` counts from 1; `raw` is the line as rendered (HTML comments removed), trimmed. */
export type ParsedLine = { readonly line: number; readonly raw: string } & (
  | { readonly ok: true; readonly command: Command }
  | { readonly ok: false; readonly error: Text }
);

/** What validation and help need of a week (or an assignment's unit); a rubric `Week` fits. */
export interface CommandRubric {
  readonly week: number;
  /** The unit it grades (`week-3`, `final/first`); without it, its week. */
  readonly unit?: string;
  readonly title?: Text;
  readonly criteria: readonly { readonly id: string; readonly points: number; readonly manual: boolean; readonly title?: Text }[];
}

/** How a rubric is named in a sentence: "la semana 3" / "week 3", or its unit (`final/first`). */
function rubricNamed(rubric: CommandRubric): { readonly es: string; readonly en: string } {
  const week = rubric.unit === undefined ? rubric.week : weekNumberOf(rubric.unit);
  return week > 0 ? { es: `la semana ${week}`, en: `week ${week}` } : { es: `la entrega \`${rubric.unit}\``, en: `\`${rubric.unit}\`` };
}

const capitalised = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);

/** Sixty days: longer than any course's week is a typo, not an extension. */
export const MAX_EXTENSION_MINUTES = 60 * 24 * 60;

const KINDS: readonly CommandKind[] = ['override', 'manual', 'clear', 'extend', 'regrade', 'help', 'review'];

/** English word, the Spanish word shown in Spanish texts, and every alias. */
const WORDS: Record<CommandKind, { readonly en: string; readonly es: string; readonly aliases: readonly string[] }> = {
  override: { en: 'override', es: 'ajustar', aliases: ['ajustar', 'corregir'] },
  manual: { en: 'manual', es: 'puntuar', aliases: ['puntuar'] },
  clear: { en: 'clear', es: 'quitar', aliases: ['quitar', 'borrar'] },
  extend: { en: 'extend', es: 'extender', aliases: ['extender', 'prorroga', 'prórroga'] },
  regrade: { en: 'regrade', es: 'recorregir', aliases: ['recorregir', 'corregir-de-nuevo'] },
  help: { en: 'help', es: 'ayuda', aliases: ['ayuda'] },
  review: { en: 'review', es: 'revisar', aliases: ['revisar', 'revision', 'revisión'] },
};

const KIND_BY_WORD = new Map<string, CommandKind>(
  KINDS.flatMap((kind) => [WORDS[kind].en, ...WORDS[kind].aliases].map((w) => [w, kind] as const)),
);

const USAGE_ARGS: Record<CommandKind, Text> = {
  override: t('<criterio> <puntos> <motivo> [--semana N]', '<criterion> <points> <reason> [--week N]'),
  manual: t('<criterio> <puntos> <motivo> [--semana N]', '<criterion> <points> <reason> [--week N]'),
  clear: t('<criterio> [--semana N]', '<criterion> [--week N]'),
  extend: t('<duración> [motivo] [--semana N]', '<duration> [reason] [--week N]'),
  regrade: t('[--semana N]', '[--week N]'),
  help: t('', ''),
  review: t('<criterio> <motivo> [--semana N]', '<criterion> <why> [--week N]'),
};

/** The usage line, with the word the TA typed (an alias works as well as the English word). */
function usage(kind: CommandKind, word?: string): Text {
  const line = (locale: Locale) => `/rubrica ${word ?? WORDS[kind][locale]} ${USAGE_ARGS[kind][locale]}`.trimEnd();
  const example = kind === 'extend' ? t(' (duración: `2d`, `36h`, `90m`, `1d12h`)', ' (duration: `2d`, `36h`, `90m`, `1d12h`)') : t('', '');
  return t(`\`${line('es')}\`${example.es}`, `\`${line('en')}\`${example.en}`);
}

/**
 * Text a commenter wrote, as inline code: shortened, and fenced so a backtick in it
 * cannot break out (nor an @mention inside it notify anyone).
 */
function code(s: string): string {
  const short = s.length > 40 ? `${s.slice(0, 40)}…` : s;
  const longest = Math.max(0, ...[...short.matchAll(/`+/g)].map((m) => m[0].length));
  const fence = '`'.repeat(longest + 1);
  return longest ? `${fence} ${short} ${fence}` : `${fence}${short}${fence}`;
}

/** What was wrong, then how to write it. */
function wrong(what: Text, kind: CommandKind, word?: string): Text {
  const u = usage(kind, word);
  return t(`${what.es} Escríbelo así: ${u.es}`, `${what.en} Write it as: ${u.en}`);
}

// ---------------------------------------------------------------------------------------
// Finding the command lines: what GitHub renders as plain text, not code, quotes or comments.

const COMMAND_LINE = /^\s*\/rubrica(?=\s|$)/i;
const QUOTE_LINE = /^\s*>/;
const FENCE_OPEN = /^\s*(`{3,}|~{3,})(.*)$/;

interface Fence {
  readonly char: string;
  readonly length: number;
}

/** The command a line names by its first word (even when the rest is malformed), if any. */
export function kindOf(line: Pick<ParsedLine, 'raw'>): CommandKind | undefined {
  const word = /^\/rubrica\s+(\S+)/i.exec(line.raw)?.[1];
  return word ? KIND_BY_WORD.get(word.normalize('NFC').toLowerCase()) : undefined;
}

export function parseCommands(body: string): ParsedLine[] {
  const lines = visibleLines(body.split(/\r\n|\r|\n/));
  const out: ParsedLine[] = [];
  lines.forEach((text, i) => {
    if (text === null || !COMMAND_LINE.test(text)) return;
    const raw = text.trim();
    const result = parseLine(raw.replace(/^\/rubrica/i, ''));
    out.push({ line: i + 1, raw, ...result });
  });
  return out;
}

/**
 * Each line's text as plain prose, or null where GitHub shows it as code, a quote or
 * nothing (an HTML comment). HTML comments are removed first and the rest read as Markdown.
 */
function visibleLines(lines: readonly string[]): (string | null)[] {
  const out: (string | null)[] = [];
  let fence: Fence | undefined;
  let inComment = false;
  for (const line of lines) {
    let text = line;
    if (fence) {
      const close = /^\s*(`{3,}|~{3,})\s*$/.exec(text)?.[1];
      if (close && close[0] === fence.char && close.length >= fence.length) fence = undefined;
      out.push(null);
      continue;
    }
    if (inComment) {
      const end = text.indexOf('-->');
      if (end < 0) {
        out.push(null);
        continue;
      }
      inComment = false;
      text = text.slice(end + 3);
    }
    // A quote's fences and comments end with the quote, so they open nothing outside it.
    if (QUOTE_LINE.test(text)) {
      out.push(null);
      continue;
    }
    const open = FENCE_OPEN.exec(text);
    // A backtick fence's info string cannot hold a backtick: "```x```" is inline code.
    if (open && !(open[1]![0] === '`' && open[2]!.includes('`'))) {
      fence = { char: open[1]![0]!, length: open[1]!.length };
      out.push(null);
      continue;
    }
    const stripped = stripComments(text);
    inComment = stripped.open;
    out.push(stripped.text);
  }
  return hideCodeSpanLines(out);
}

/** The line without its HTML comments (not those inside inline code); `open` if one runs on. */
function stripComments(line: string): { text: string; open: boolean } {
  const unclosed = new Set<number>();
  let text = '';
  let from = 0;
  let i = 0;
  while (i < line.length) {
    if (line[i] === '\\') {
      i += 2;
    } else if (line[i] === '`') {
      const span = codeSpanAt(line, i, unclosed);
      i = span ? span.end : i + runLength(line, i);
    } else if (line.startsWith('<!--', i)) {
      text += line.slice(from, i);
      // `<!-->` and `<!--->` are complete (empty) comments too.
      const end = line.indexOf('-->', i + 2);
      if (end < 0) return { text, open: true };
      i = from = end + 3;
    } else {
      i++;
    }
  }
  return { text: text + line.slice(from), open: false };
}

/**
 * A code span may run over several lines of a paragraph; a line that starts inside one
 * is code, even if it reads `/rubrica …`.
 */
function hideCodeSpanLines(lines: (string | null)[]): (string | null)[] {
  const out = [...lines];
  let start = 0;
  while (start < lines.length) {
    if (lines[start] === null || lines[start]!.trim() === '') {
      start++;
      continue;
    }
    let end = start;
    while (end < lines.length && lines[end] !== null && lines[end]!.trim() !== '') end++;
    const paragraph = lines.slice(start, end) as string[];
    const text = paragraph.join('\n');
    const spans = codeSpans(text);
    let offset = 0;
    paragraph.forEach((line, k) => {
      if (spans.some((s) => s.start < offset && offset < s.end)) out[start + k] = null;
      offset += line.length + 1;
    });
    start = end;
  }
  return out;
}

function codeSpans(text: string): { start: number; end: number }[] {
  const spans: { start: number; end: number }[] = [];
  const unclosed = new Set<number>();
  let i = 0;
  while (i < text.length) {
    if (text[i] === '\\') {
      i += 2;
    } else if (text[i] === '`') {
      const span = codeSpanAt(text, i, unclosed);
      if (span) spans.push(span);
      i = span ? span.end : i + runLength(text, i);
    } else {
      i++;
    }
  }
  return spans;
}

/**
 * The code span opened by the backtick run at `i`: closed by a run of the same length, or
 * none. `unclosed` remembers run lengths with no closing run left, so a text full of
 * backticks is not searched over and over.
 */
function codeSpanAt(text: string, i: number, unclosed: Set<number>): { start: number; end: number } | undefined {
  const n = runLength(text, i);
  if (unclosed.has(n)) return undefined;
  let k = i + n;
  while (k < text.length) {
    if (text[k] !== '`') {
      k++;
      continue;
    }
    const m = runLength(text, k);
    if (m === n) return { start: i, end: k + m };
    k += m;
  }
  unclosed.add(n);
  return undefined;
}

function runLength(text: string, i: number): number {
  let j = i;
  while (text[j] === '`') j++;
  return j - i;
}

// ---------------------------------------------------------------------------------------
// One command line.

interface Token {
  /** The text inside the quotes for a quoted token; as written otherwise. */
  readonly value: string;
  readonly quoted: boolean;
  readonly start: number;
  readonly end: number;
}

/** An argument, and whether a `--week` was taken out right before it (a reason is not joined across it). */
interface Arg extends Token {
  readonly afterFlag: boolean;
}

const QUOTES: Record<string, string> = { '"': '"', "'": "'", '“': '”', '‘': '’', '«': '»', '„': '“' };

function tokenize(s: string): Token[] {
  const tokens: Token[] = [];
  // Past where a quote found no closing one, later ones will not either: keeps this linear.
  const unclosedFrom = new Map<string, number>();
  let i = 0;
  while (i < s.length) {
    if (/\s/.test(s[i]!)) {
      i++;
      continue;
    }
    const close = QUOTES[s[i]!];
    if (close !== undefined && i < (unclosedFrom.get(close) ?? Infinity)) {
      // A closing quote ends the token only before a space: "it's" stays one word.
      let j = s.indexOf(close, i + 1);
      while (j >= 0 && j + 1 < s.length && !/\s/.test(s[j + 1]!)) j = s.indexOf(close, j + 1);
      if (j < 0) unclosedFrom.set(close, i);
      if (j >= 0) {
        tokens.push({ value: s.slice(i + 1, j), quoted: true, start: i, end: j + 1 });
        i = j + 1;
        continue;
      }
    }
    let j = i;
    while (j < s.length && !/\s/.test(s[j]!)) j++;
    tokens.push({ value: s.slice(i, j), quoted: false, start: i, end: j });
    i = j;
  }
  return tokens;
}

type Result = { readonly ok: true; readonly command: Command } | { readonly ok: false; readonly error: Text };

// Phones turn `--` into a dash; the flag still means the week.
const WEEK_FLAG = /^(?:--|[—–])(week|semana)(?:=(.*))?$/i;
const SOME_FLAG = /^(?:--|[—–])(\p{L}+)(?:=.*)?$/u;

function parseLine(rest: string): Result {
  const word = /^\s*(\S*)/.exec(rest)![1]!;
  if (word === '') return { ok: true, command: { kind: 'help' } };
  const normalized = word.normalize('NFC').toLowerCase();
  const kind = KIND_BY_WORD.get(normalized);
  if (!kind) return { ok: false, error: unknownCommand(word) };

  const argText = rest.slice(rest.indexOf(word) + word.length);
  const flags = takeWeek(tokenize(argText), kind, normalized);
  if ('error' in flags) return { ok: false, error: flags.error };
  const { args } = flags;
  const week = flags.week === undefined ? {} : { week: flags.week };
  const fail = (what: Text): Result => ({ ok: false, error: wrong(what, kind, normalized) });

  switch (kind) {
    case 'help':
      return { ok: true, command: { kind, ...week } };
    case 'regrade':
      if (args.length > 0) return fail(unexpected(argText, args));
      return { ok: true, command: { kind, ...week } };
    case 'clear': {
      const criterion = criterionOf(args[0]);
      if (!criterion) return fail(t('Falta el criterio.', 'The criterion is missing.'));
      if (args.length > 1) return fail(unexpected(argText, args.slice(1)));
      return { ok: true, command: { kind, criterion, ...week } };
    }
    case 'override':
    case 'manual': {
      const criterion = criterionOf(args[0]);
      if (!criterion) return fail(t('Faltan el criterio, los puntos y el motivo.', 'The criterion, the points and the reason are missing.'));
      if (!args[1]) return fail(t('Faltan los puntos y el motivo.', 'The points and the reason are missing.'));
      const points = parsePoints(args[1].value);
      if (typeof points !== 'number') {
        // `override 5 tests …`: the order is the likelier mistake than a bad number.
        if (typeof parsePoints(args[0]!.value) === 'number') {
          return fail(t('El criterio va antes de los puntos.', 'The criterion goes before the points.'));
        }
        return fail(points);
      }
      const reason = reasonOf(argText, args.slice(2));
      if (!reason) {
        return fail(t('Falta el motivo: el estudiante lo lee, así que explica la nota.', 'The reason is missing: the student reads it, so say why.'));
      }
      return { ok: true, command: { kind, criterion, points, reason, ...week } };
    }
    case 'review': {
      const criterion = criterionOf(args[0]);
      if (!criterion) return fail(t('Faltan el criterio y el motivo.', 'The criterion and the reason are missing.'));
      const reason = reasonOf(argText, args.slice(1));
      if (!reason) return fail(t('Falta el motivo: di por qué quieres que se revise.', 'The reason is missing: say why it should be looked at again.'));
      return { ok: true, command: { kind, criterion, reason, ...week } };
    }
    case 'extend': {
      const taken = args.findIndex((a) => a.quoted || !DURATION_PART.test(a.value));
      const durationArgs = taken < 0 ? args : args.slice(0, taken);
      if (durationArgs.length === 0) {
        const first = args[0]?.value;
        if (first && /^\d+([.,]\d+)?$/.test(first)) {
          return fail(t(`A ${code(first)} le falta la unidad, junto al número: \`d\` (días), \`h\` (horas) o \`m\` (minutos).`, `${code(first)} needs a unit next to the number: \`d\` (days), \`h\` (hours) or \`m\` (minutes).`));
        }
        return fail(first ? t(`${code(first)} no es una duración.`, `${code(first)} is not a duration.`) : t('Falta la duración.', 'The duration is missing.'));
      }
      const minutes = parseDuration(durationArgs.map((a) => a.value).join(''));
      if (typeof minutes !== 'number') return fail(minutes);
      const reason = reasonOf(argText, taken < 0 ? [] : args.slice(taken));
      return { ok: true, command: { kind, minutes, ...(reason ? { reason } : {}), ...week } };
    }
  }
}

function unknownCommand(word: string): Text {
  const guess = closest(word.normalize('NFC'), [...KIND_BY_WORD.keys()]);
  const what = t(`${code(`/rubrica ${word}`)} no es un comando.`, `${code(`/rubrica ${word}`)} is not a command.`);
  if (guess) {
    const kind = KIND_BY_WORD.get(guess)!;
    const u = usage(kind, guess);
    return t(`${what.es} ¿Querías decir \`${guess}\`? Escríbelo así: ${u.es}`, `${what.en} Did you mean \`${guess}\`? Write it as: ${u.en}`);
  }
  const list = (locale: Locale) => KINDS.map((k) => usage(k, WORDS[k][locale])[locale]).join(', ');
  return t(
    `${what.es} Los comandos son: ${list('es')}. \`/rubrica ayuda\` los explica.`,
    `${what.en} The commands are: ${list('en')}. \`/rubrica help\` explains them.`,
  );
}

function unexpected(argText: string, args: readonly Arg[]): Text {
  const extra = argText.slice(args[0]!.start, args[args.length - 1]!.end);
  return t(`Sobra ${code(extra)}.`, `${code(extra)} was not expected.`);
}

/** `--week N` may go anywhere after the command word; it is taken out of the arguments. */
function takeWeek(tokens: readonly Token[], kind: CommandKind, word: string): { week?: number; args: Arg[] } | { error: Text } {
  const args: Arg[] = [];
  let week: number | undefined;
  let afterFlag = false;
  for (let i = 0; i < tokens.length; i++) {
    const token = tokens[i]!;
    const flag = token.quoted ? null : WEEK_FLAG.exec(token.value);
    if (!flag) {
      const other = token.quoted ? null : SOME_FLAG.exec(token.value);
      const guess = other ? closest(other[1]!, ['week', 'semana']) : undefined;
      if (guess) {
        return { error: wrong(t(`${code(token.value)} no es una opción; ¿querías decir \`--semana\`?`, `${code(token.value)} is not an option; did you mean \`--week\`?`), kind, word) };
      }
      args.push({ ...token, afterFlag });
      afterFlag = false;
      continue;
    }
    let value = flag[2];
    if (value === undefined) {
      const next = tokens[i + 1];
      if (next && /^\d+$/.test(next.value)) {
        value = next.value;
        i++;
      }
    }
    const n = value !== undefined && /^\d{1,2}$/.test(value) ? Number(value) : 0;
    if (n < 1) {
      return { error: wrong(t(`${code(token.value)} necesita el número de la semana, como \`--semana 3\`.`, `${code(token.value)} needs the week's number, like \`--week 3\`.`), kind, word) };
    }
    if (week !== undefined && week !== n) {
      return { error: wrong(t(`La semana se indica dos veces (${week} y ${n}).`, `The week is given twice (${week} and ${n}).`), kind, word) };
    }
    week = n;
    afterFlag = true;
  }
  return { ...(week === undefined ? {} : { week }), args };
}

/** Criterion ids are lowercase (the rubric schema says so); backticks around one are Markdown, not the id. */
function criterionOf(arg: Arg | undefined): string | undefined {
  const id = arg?.value.replace(/^`+|`+$/g, '').trim().toLowerCase();
  return id || undefined;
}

/** Points as a TA writes them (`7`, `7.5`, `7,5`; two decimals at most), or what is wrong. */
export function parsePoints(value: string): number | Text {
  if (/^-\d/.test(value)) return t(`Los puntos no pueden ser negativos (${code(value)}).`, `The points cannot be negative (${code(value)}).`);
  const m = /^(\d+)(?:[.,](\d+))?$/.exec(value);
  if (!m) return t(`${code(value)} no son puntos: escribe un número como \`7\`, \`7.5\` o \`7,5\`.`, `${code(value)} is not a number of points: write a number like \`7\`, \`7.5\` or \`7,5\`.`);
  // Scores are kept to two decimals; more would be rounded without the TA knowing.
  if ((m[2] ?? '').length > 2) return t(`${code(value)} tiene más de dos decimales.`, `${code(value)} has more than two decimals.`);
  return Number(`${m[1]}.${m[2] ?? '0'}`);
}

/** The reason as written; quotes around all of it are not part of it. */
function reasonOf(argText: string, args: readonly Arg[]): string {
  if (args.length === 1 && args[0]!.quoted) return args[0]!.value.trim();
  const pieces: string[] = [];
  let from: Arg | undefined;
  let last: Arg | undefined;
  for (const arg of args) {
    if (from && last && arg.afterFlag) {
      pieces.push(argText.slice(from.start, last.end));
      from = undefined;
    }
    from ??= arg;
    last = arg;
  }
  if (from && last) pieces.push(argText.slice(from.start, last.end));
  return pieces.join(' ').trim();
}

const DURATION_PART = /^(\d+[dhm])+$/i;

/** `2d`, `36h`, `90m`, `1d12h` (or `1d 12h`) → minutes, at most 60 days. */
export function parseDuration(text: string): number | Text {
  const seen = new Set<string>();
  let minutes = 0;
  for (const [, amount, unit] of text.toLowerCase().matchAll(/(\d+)([dhm])/g)) {
    if (seen.has(unit!)) return t(`${code(text)} repite \`${unit}\`.`, `${code(text)} gives \`${unit}\` twice.`);
    seen.add(unit!);
    minutes += Number(amount) * (unit === 'd' ? 24 * 60 : unit === 'h' ? 60 : 1);
  }
  if (minutes === 0) return t('La prórroga tiene que ser de más de cero minutos.', 'The extension must be longer than zero minutes.');
  if (minutes > MAX_EXTENSION_MINUTES) {
    return t(`${code(text)} es más que el máximo de 60 días (\`60d\`).`, `${code(text)} is over the maximum of 60 days (\`60d\`).`);
  }
  return minutes;
}

// ---------------------------------------------------------------------------------------
// Against the week's rubric.

/** What is wrong with a well-formed command for this week's rubric, or null. */
export function validateCommand(command: Command, rubric: CommandRubric): Text | null {
  if (command.kind !== 'override' && command.kind !== 'manual' && command.kind !== 'clear' && command.kind !== 'review') return null;
  const { kind } = command;
  const ids = rubric.criteria.map((c) => c.id);
  const criterion = rubric.criteria.find((c) => c.id === command.criterion);
  if (!criterion) {
    const guess = closest(command.criterion, ids);
    const hint = guess ? t(` ¿Querías decir \`${guess}\`?`, ` Did you mean \`${guess}\`?`) : t('', '');
    const list = ids.length
      ? t(` Sus criterios son ${listOf(ids, 'y')}.`, ` Its criteria are ${listOf(ids, 'and')}.`)
      : t(' No tiene criterios.', ' It has no criteria.');
    return wrong(
      t(
        `${capitalised(rubricNamed(rubric).es)} no tiene el criterio ${code(command.criterion)}.${hint.es}${list.es}`,
        `${capitalised(rubricNamed(rubric).en)} has no criterion ${code(command.criterion)}.${hint.en}${list.en}`,
      ),
      kind,
    );
  }
  if (kind === 'manual' && !criterion.manual) {
    const manual = rubric.criteria.filter((c) => c.manual).map((c) => c.id);
    const which = manual.length
      ? t(`en ${rubricNamed(rubric).es}: ${listOf(manual, 'y')}`, `in ${rubricNamed(rubric).en}: ${listOf(manual, 'and')}`)
      : t(`y ${rubricNamed(rubric).es} no tiene ninguno`, `and ${rubricNamed(rubric).en} has none`);
    return t(
      `\`${criterion.id}\` se corrige automáticamente, así que \`manual\` no lo puede puntuar: \`manual\` (o \`puntuar\`) es para los criterios que corrige un TA (${which.es}). Para cambiar una nota automática, usa \`/rubrica ajustar ${criterion.id} <puntos> <motivo>\`.`,
      `\`${criterion.id}\` is graded automatically, so \`manual\` cannot score it: \`manual\` is for the criteria a TA grades (${which.en}). To change an automatic score, use \`/rubrica override ${criterion.id} <points> <reason>\`.`,
    );
  }
  if ((command.kind === 'override' || command.kind === 'manual') && command.points > criterion.points) {
    return wrong(
      t(
        `\`${criterion.id}\` vale de 0 a ${points(criterion.points, 'es')} puntos, no ${points(command.points, 'es')}.`,
        `\`${criterion.id}\` is worth 0 to ${points(criterion.points, 'en')} points, not ${points(command.points, 'en')}.`,
      ),
      kind,
    );
  }
  return null;
}

function listOf(ids: readonly string[], and: string): string {
  const quoted = ids.map((id) => `\`${id}\``);
  return quoted.length <= 1 ? quoted.join('') : `${quoted.slice(0, -1).join(', ')} ${and} ${quoted[quoted.length - 1]}`;
}

/** Spanish writes decimals with a comma. */
function points(n: number, locale: Locale): string {
  return locale === 'es' ? String(n).replace('.', ',') : String(n);
}

// ---------------------------------------------------------------------------------------
// Help.

const DESCRIPTIONS: Record<CommandKind, Text> = {
  override: t('Cambia la nota de un criterio; el estudiante ve el motivo.', "Replaces a criterion's score; the student sees the reason."),
  manual: t('Puntúa un criterio que corrige un TA (✋ abajo).', 'Scores a criterion a TA grades (✋ below).'),
  clear: t('Deshace el ajuste o la nota manual de un criterio.', "Undoes a criterion's override or manual score."),
  extend: t('Amplía el plazo de entrega: `2d`, `36h`, `90m`, `1d12h` (hasta 60 días).', 'Extends the deadline: `2d`, `36h`, `90m`, `1d12h` (up to 60 days).'),
  regrade: t('Vuelve a corregir.', 'Grades again.'),
  help: t('Muestra este mensaje.', 'Shows this message.'),
  review: t('(Estudiantes) Pide a un TA que revise un criterio.', '(Students) Asks a TA to look at a criterion again.'),
};

/** The Markdown reply to `/rubrica help`: the commands, and this week's criteria with their points. */
export function helpMessage(rubric: CommandRubric): Text {
  const text = (locale: Locale): string => {
    const es = locale === 'es';
    const heading = `${unitLabel(rubric.unit ?? `week-${rubric.week}`, locale)}${rubric.title ? ` — ${inline(rubric.title[locale])}` : ''}`;
    const rows = KINDS.map((kind) => {
      // `--week` is explained once below the table.
      const args = USAGE_ARGS[kind][locale].replace(/ ?\[--(semana|week) N\]/, '');
      const line = `\`${`/rubrica ${WORDS[kind][locale]} ${args}`.trimEnd()}\``;
      const others = es ? [WORDS[kind].en, ...WORDS[kind].aliases.filter((a) => a !== WORDS[kind].es)] : [];
      const aka = others.length ? ` (${others.map((o) => `\`${o}\``).join(', ')})` : '';
      return `| ${line}${aka} | ${DESCRIPTIONS[kind][locale]} |`;
    });
    const criteria = rubric.criteria.map((c) => {
      // Rubric titles show as written (paths and globs in them are not Markdown).
      const title = c.title ? ` ${inline(c.title[locale])}:` : '';
      const manual = c.manual ? ' ✋ manual' : '';
      return `- \`${c.id}\` —${title} 0–${points(c.points, locale)} ${es ? 'puntos' : 'points'}${manual}`;
    });
    return [
      `### ${es ? 'Comandos de Rubrica' : 'Rubrica commands'} · ${heading}`,
      '',
      es
        ? 'Escribe cada comando en su propia línea de un comentario del pull request, empezando por `/rubrica`.'
        : 'Write each command on its own line of a pull-request comment, starting with `/rubrica`.',
      '',
      es ? '| Comando | Qué hace |' : '| Command | What it does |',
      '|---|---|',
      ...rows,
      '',
      es
        ? 'Añade `--semana N` (o `--week N`) para actuar sobre otra semana distinta de la del pull request. Los puntos admiten decimales: `7.5` o `7,5`. El motivo puede ir entre comillas.'
        : "Add `--week N` to act on a week other than the pull request's. Points may have decimals: `7.5` or `7,5`. The reason may be in quotes.",
      '',
      `**${es ? `Criterios de ${rubricNamed(rubric).es}` : `Criteria of ${rubricNamed(rubric).en}`}**`,
      '',
      ...(criteria.length ? criteria : [es ? '_Esta semana no tiene criterios._' : '_This week has no criteria._']),
    ].join('\n');
  };
  return t(text('es'), text('en'));
}
