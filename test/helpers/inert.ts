import { Lexer, type Token, type Tokens } from 'marked';
import { walkTokens } from '../../src/checks/markdown.ts';
import { expect } from 'vitest';
import { say, type Locale } from '../../src/core/text.ts';
import type { Grade } from '../../src/grading/grade.ts';
import { inline } from '../../src/report/markup.ts';
import { formatPoints } from '../../src/report/terminal.ts';

/*
 * What GitHub would make of our Markdown, read with marked's lexer (GFM): the
 * assertions that student and rubric text stayed inert.
 */

export interface Read {
  readonly top: Token[];
  readonly all: Token[];
  /** Text outside code, as GitHub would scan it for mentions. */
  readonly prose: string;
  readonly code: string[];
}

export function read(markdown: string): Read {
  const top = new Lexer({ gfm: true }).lex(markdown);
  const all: Token[] = [];
  walkTokens(top, (token) => all.push(token));
  const prose = all
    .filter((tk) => (tk.type === 'text' || tk.type === 'escape') && !(tk as { tokens?: Token[] }).tokens?.length)
    .map((tk) => (tk as Tokens.Text).text)
    .join('\u0000');
  const code = all.filter((tk) => tk.type === 'codespan' || tk.type === 'code').map((tk) => (tk as Tokens.Codespan).text);
  return { top, all, prose, code };
}

export const OUR_HTML = /^(<!-- rubrica:week=\d+ -->|<details><summary>(Salida|Output)<\/summary>|<\/details>)$/;

export function expectInert(markdown: string, grade: Grade, locale: Locale, options: { notes: readonly string[]; ourLinks?: number }) {
  const { top, all, prose } = read(markdown);
  // No image, no HTML but our own marker and details blocks.
  expect(all.filter((tk) => tk.type === 'image')).toEqual([]);
  expect(all.filter((tk) => tk.type === 'html').map((tk) => tk.raw.trim()).filter((raw) => !OUR_HTML.test(raw))).toEqual([]);
  // No @login outside code: the only way GitHub pings.
  expect(prose).not.toMatch(/(^|[^\w`])@[A-Za-z0-9]/);
  // Bold only where we put it: the score with its verdict, once, and the titles of what to do first.
  const score = `${formatPoints(grade.score, locale)} / ${formatPoints(grade.maxScore, locale)} — `;
  const strong = all.filter((tk) => tk.type === 'strong').map((tk) => (tk as Tokens.Strong).text);
  const titles = new Set(grade.criteria.map((c) => inline(say(c.title, locale))));
  const ours = strong.filter((s) => !titles.has(s));
  expect(ours).toHaveLength(1);
  expect(ours[0]!.startsWith(score), ours[0]).toBe(true);
  // Rubric and student text are never emphasis, strikethrough or links; only an override strikes out the automatic points.
  const struck = grade.criteria.filter((c) => c.override?.kind === 'override').map((c) => `~~${formatPoints(c.override!.automatic ?? 0, locale)}~~`);
  expect(all.filter((tk) => tk.type === 'em')).toEqual([]);
  expect(all.filter((tk) => tk.type === 'del').map((tk) => tk.raw)).toEqual(struck);
  expect(all.filter((tk) => tk.type === 'link').length).toBe(options.ourLinks ?? 0);
  // The table keeps one row per criterion, four cells each.
  const table = top.find((tk) => tk.type === 'table') as Tokens.Table;
  expect(table.rows.length).toBe(grade.criteria.length);
  for (const row of table.rows) expect(row.length).toBe(4);
  // The TA-only notes are rendered content: a top-level heading, then a list with each note.
  const heading = top.findIndex((tk) => tk.type === 'heading' && (tk as Tokens.Heading).text === (locale === 'es' ? 'Para el equipo docente' : 'For the teaching team'));
  expect(heading).toBeGreaterThan(-1);
  const list = top.slice(heading + 1).find((tk) => tk.type !== 'space') as Tokens.List;
  expect(list.type).toBe('list');
  expect(list.items.length).toBe(options.notes.length);
  const bare = (s: string) => s.replace(/[\\`]/g, '');
  list.items.forEach((item, i) => expect(bare(item.text)).toContain(bare(options.notes[i]!)));
}


/** The check run's text (a section per criterion): no image, bold, emphasis or link at all, no HTML but ours, no @login outside code. */
export function expectSectionsInert(markdown: string, criteria: number): Read {
  const text = read(markdown);
  expect(text.all.filter((tk) => ['image', 'em', 'del', 'link', 'strong'].includes(tk.type))).toEqual([]);
  expect(text.all.filter((tk) => tk.type === 'html').map((tk) => tk.raw.trim()).filter((raw) => !OUR_HTML.test(raw))).toEqual([]);
  expect(text.prose).not.toMatch(/(^|[^\w`])@[A-Za-z0-9]/);
  // One heading per criterion: no forged heading splits a section in two.
  expect(text.top.filter((tk) => tk.type === 'heading').length).toBe(criteria);
  return text;
}
