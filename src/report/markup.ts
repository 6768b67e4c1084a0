import { multiLine, segments, singleLine } from '../core/text.ts';

/**
 * The one way text becomes Markdown on GitHub (check run summary and text, PR and
 * commit comments, replies to commands; annotations, shown as plain text, get
 * `plain()` from core/text.ts). Messages are plain
 * sentences whose only markup is a backtick code span; everything else shows as
 * written: a student's value (marked with `literal()`) is a code span whose fence
 * no backtick inside it can close, and all other text has Markdown's and HTML's
 * characters escaped. So no `@` pings, no image or HTML renders, no `**…**` or
 * table row or heading can be forged, and an unclosed `<!--` or fence cannot hide
 * what follows. Line breaks and control characters never survive a one-line field.
 */

export interface InlineOptions {
  /** Inside a GFM table cell, where a `|` splits the row even inside a code span. */
  readonly table?: boolean;
}

// `\` and every character that can start markup in GFM or open HTML; `$` starts math on GitHub.
const SIGNIFICANT = /[\\`*_[\]<>#!|~&$]/g;
// A zero-width joiner after `@` keeps the text readable and stops GitHub's mention (and team mention) links.
const AT = /@/g;

/** One line of text as Markdown that renders exactly as written. */
export function inline(text: string, options: InlineOptions = {}): string {
  const out = segments(text)
    .map((part) => (part.literal ? codeSpan(part.text, options) : authored(part.text, options)))
    .join('')
    .trimStart();
  // What would start a list, a block quote or a setext underline if the text opens a line.
  return out.replace(/^([-+=])/, '\\$1').replace(/^(\d+)([.)])/, '$1\\$2');
}

/** A value shown verbatim: a code span with a fence longer than any backtick run inside it. */
export function codeSpan(value: string, options: InlineOptions = {}): string {
  let v = singleLine(value);
  // In a table, every pipe needs an odd number of backslashes before it, or it ends the cell.
  if (options.table) v = v.replace(/\\*\|/g, (m) => `${'\\'.repeat(2 * (m.length - 1))}\\|`);
  if (v.trim() === '') return v === '' ? '` `' : `\`${v}\``;
  const longest = Math.max(0, ...[...v.matchAll(/`+/g)].map((m) => m[0].length));
  const fence = '`'.repeat(longest + 1);
  const pad = v.startsWith('`') || v.endsWith('`') || (v.startsWith(' ') && v.endsWith(' ')) ? ' ' : '';
  return `${fence}${pad}${v}${pad}${fence}`;
}

/** Multi-line output (a command's) in a fenced block the content cannot close. */
export function fencedBlock(body: string, info = 'text'): string {
  const text = multiLine(body);
  const fence = '`'.repeat(Math.max(3, ...[...text.matchAll(/`+/g)].map((m) => m[0].length + 1)));
  return `${fence}${info}\n${text}\n${fence}`;
}

/** Text written by us or the rubric: its backtick code spans kept (as CommonMark pairs them), the rest escaped. */
function authored(text: string, options: InlineOptions): string {
  const s = singleLine(text);
  const runs = [...s.matchAll(/`+/g)].map((m) => ({ at: m.index, length: m[0].length }));
  // A run closes at the next run of the same length; found for all runs in one pass from the end.
  const closing: number[] = [];
  const later = new Map<number, number>();
  for (let i = runs.length - 1; i >= 0; i--) {
    closing[i] = later.get(runs[i]!.length) ?? -1;
    later.set(runs[i]!.length, i);
  }
  let out = '';
  let from = 0;
  for (let i = 0; i < runs.length; i++) {
    const j = closing[i]!;
    if (j < 0) continue; // an unmatched run is plain backticks, escaped below
    const open = runs[i]!;
    const close = runs[j]!;
    let content = s.slice(open.at + open.length, close.at);
    if (content.length > 1 && content.startsWith(' ') && content.endsWith(' ') && content.trim()) content = content.slice(1, -1);
    out += escapeText(s.slice(from, open.at)) + codeSpan(content, options);
    from = close.at + close.length;
    i = j;
  }
  return out + escapeText(s.slice(from));
}

function escapeText(s: string): string {
  return s.replace(SIGNIFICANT, '\\$&').replace(AT, '@\u200d');
}
