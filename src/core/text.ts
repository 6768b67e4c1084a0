/** Every sentence a student or instructor reads exists in each supported locale. */
export const LOCALES = ['es', 'en'] as const;
export type Locale = (typeof LOCALES)[number];

export type Text = { readonly es: string; readonly en: string };

export function t(es: string, en: string): Text {
  return { es, en };
}

/** The same words in every locale (code, paths, numbers). */
export function same(s: string): Text {
  return { es: s, en: s };
}

export function join(parts: readonly Text[], sep = ' '): Text {
  return {
    es: parts.map((p) => p.es).join(sep),
    en: parts.map((p) => p.en).join(sep),
  };
}

export function say(text: Text, locale: Locale): string {
  return text[locale];
}

export function isLocale(value: string): value is Locale {
  return (LOCALES as readonly string[]).includes(value);
}

/*
 * Numbers and counts as each language writes them, in one place: every message that
 * counts something or shows a decimal goes through these, so Spanish gets "8,3" and
 * "1 commit de 3", English "8.3" and "1 of 3 commits".
 */

/** A noun in each locale, singular then plural: `noun('carpeta', 'carpetas', 'folder', 'folders')`. */
export interface Noun {
  readonly es: readonly [string, string];
  readonly en: readonly [string, string];
}

export function noun(esOne: string, esMany: string, enOne: string, enMany: string): Noun {
  return { es: [esOne, esMany], en: [enOne, enMany] };
}

/** The noun's form for `n` in a locale (1 takes the singular in both; 0 the plural). */
export function nounFor(n: number, what: Noun, locale: Locale): string {
  return what[locale][n === 1 ? 0 : 1];
}

/** A decimal as the locale writes it: `8,3` in Spanish, `8.3` in English; integers without decimals. */
export function decimal(n: number, locale: Locale, digits = 1): string {
  return new Intl.NumberFormat(locale, { maximumFractionDigits: digits, useGrouping: false }).format(n);
}

/** A decimal in both locales. */
export function num(n: number, digits = 1): Text {
  return { es: decimal(n, 'es', digits), en: decimal(n, 'en', digits) };
}

/** A percentage: `98,7 %` (Spanish writes a space before the sign), `98.7%`. */
export function percent(n: number, digits = 1): Text {
  return { es: `${decimal(n, 'es', digits)} %`, en: `${decimal(n, 'en', digits)}%` };
}

/** `1 test`, `0 tests`, `3 carpetas`. */
export function counted(n: number, what: Noun): Text {
  return { es: `${decimal(n, 'es')} ${nounFor(n, what, 'es')}`, en: `${decimal(n, 'en')} ${nounFor(n, what, 'en')}` };
}

/** `2 de 6 carpetas`, `1 of 1 folder`: the noun agrees with the total. */
export function ofTotal(part: number, total: number, what: Noun): Text {
  return {
    es: `${decimal(part, 'es')} de ${decimal(total, 'es')} ${nounFor(total, what, 'es')}`,
    en: `${decimal(part, 'en')} of ${decimal(total, 'en')} ${nounFor(total, what, 'en')}`,
  };
}

/** Items joined as a sentence lists them: `uso y estructura`, `a, b and c`. */
export function listed(items: readonly Text[]): Text {
  return {
    es: new Intl.ListFormat('es', { type: 'conjunction' }).format(items.map((i) => i.es)),
    en: new Intl.ListFormat('en', { type: 'conjunction' }).format(items.map((i) => i.en)),
  };
}

/** What most checklists count. */
export const REQUIREMENTS = noun('requisito', 'requisitos', 'requirement', 'requirements');
export const FILES = noun('archivo', 'archivos', 'file', 'files');

/** Seconds read by people: "120 s", "2.5 s" (Spanish "2,5 s"). */
export function seconds(ms: number, locale: Locale = 'en'): string {
  return `${decimal(ms / 1000, locale)} s`;
}

/** A size with one decimal: "1.5 MB" (Spanish "1,5 MB"). */
export function bytes(n: number, locale: Locale = 'en'): string {
  const one = (x: number) => new Intl.NumberFormat(locale, { minimumFractionDigits: 1, maximumFractionDigits: 1, useGrouping: false }).format(x);
  if (n >= 1024 ** 3) return `${one(n / 1024 ** 3)} GB`;
  if (n >= 1024 ** 2) return `${one(n / 1024 ** 2)} MB`;
  if (n >= 1024) return `${one(n / 1024)} KB`;
  return `${n} B`;
}

/*
 * Text a student controls (paths, symlink targets, commit subjects, README headings,
 * YAML keys and values, pytest lines, command output) reaches a PR comment, a check
 * run and an instructor's terminal. Checks mark each such value with `literal()`
 * where they interpolate it; renderers show a marked value exactly as written and
 * never as markup (a code span in Markdown), and strip control characters from
 * everything they print.
 */

/** Private-use characters around a literal value; a student's own copies are removed. */
export const LITERAL_OPEN = '\uE000';
export const LITERAL_CLOSE = '\uE001';

// ESC/CSI/OSC sequences first (so their parameters go too), then lone C0/C1 controls,
// bidirectional overrides (text that reads differently than it is) and our markers.
const ESCAPE_SEQUENCES = /\u001b\[[0-?]*[ -/]*[@-~]|\u009b[0-?]*[ -/]*[@-~]|(?:\u001b[\]PX^_]|[\u0090\u0098\u009d\u009e\u009f])[^\u0007\u001b\u009c]*(?:\u0007|\u001b\\|\u009c)?|\u001b[ -/]*[0-~]/g;
const CONTROLS = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069\uE000\uE001]/g;

/** Text safe to print anywhere, keeping its lines: no escape sequences or control characters. */
export function multiLine(s: string): string {
  return s.replace(ESCAPE_SEQUENCES, '').replace(/\r\n?/g, '\n').replace(CONTROLS, '').replace(/[\u2028\u2029]/g, '\n');
}

/** One line of text safe to print anywhere: line breaks and tabs become spaces. */
export function singleLine(s: string): string {
  return multiLine(s).replace(/[\n\t]/g, ' ');
}

/** A value the student wrote, marked so renderers show it verbatim: `Encontré ${literal(path)}`. */
export function literal(value: string | number): string {
  return `${LITERAL_OPEN}${singleLine(String(value))}${LITERAL_CLOSE}`;
}

/** Splits a message into the text around literal values and the values themselves. */
export function segments(s: string): { readonly text: string; readonly literal: boolean }[] {
  const out: { text: string; literal: boolean }[] = [];
  let rest = s;
  while (rest.length > 0) {
    const open = rest.indexOf(LITERAL_OPEN);
    if (open < 0) {
      out.push({ text: rest, literal: false });
      break;
    }
    if (open > 0) out.push({ text: rest.slice(0, open), literal: false });
    const close = rest.indexOf(LITERAL_CLOSE, open + 1);
    // A value cut short (a message sliced to a limit) runs to the end.
    const end = close < 0 ? rest.length : close;
    out.push({ text: rest.slice(open + 1, end), literal: true });
    rest = rest.slice(end + 1);
  }
  return out;
}

/** A message as plain text (terminal, JSON, annotations): literal values in backticks, no control characters. */
export function plain(s: string): string {
  return segments(s)
    .map((part) => (part.literal ? `\`${singleLine(part.text)}\`` : singleLine(part.text)))
    .join('');
}
