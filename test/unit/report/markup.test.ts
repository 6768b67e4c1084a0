import { Lexer, type Token, type Tokens } from 'marked';
import { describe, expect, it } from 'vitest';
import { walkTokens } from '../../../src/checks/markdown.ts';
import { helpMessage } from '../../../src/commands/parse.ts';
import { literal, multiLine, plain, segments, singleLine } from '../../../src/core/text.ts';
import { codeSpan, fencedBlock, inline } from '../../../src/report/markup.ts';
import { loadPack } from '../../../src/rubrics/load.ts';

/** The text a reader sees in one line of rendered Markdown, and the kinds of inline tokens in it. */
function rendered(markdown: string): { text: string; types: string[] } {
  const [paragraph] = new Lexer({ gfm: true }).lex(markdown) as Tokens.Paragraph[];
  const types: string[] = [];
  const text = (tokens: Token[]): string =>
    tokens
      .map((tk) => {
        types.push(tk.type);
        const nested = (tk as { tokens?: Token[] }).tokens;
        return nested?.length ? text(nested) : (tk as Tokens.Text).text;
      })
      .join('');
  return { text: text(paragraph!.tokens), types };
}

describe('inline: rubric and student text as Markdown that renders as written', () => {
  it('shows a rubric label with globs literally (no bold, no italics)', () => {
    const label = 'cachés de Python (__pycache__, *.pyc) … (*.egg-info)';
    expect(inline(label)).toBe('cachés de Python (\\_\\_pycache\\_\\_, \\*.pyc) … (\\*.egg-info)');
    expect(rendered(inline(label))).toEqual({ text: label, types: expect.not.arrayContaining(['strong', 'em']) });
  });

  it("keeps the rubric's code spans and escapes the rest", () => {
    const out = inline('Agrega `__pycache__/` y **no** `data/` <b>');
    expect(out).toBe('Agrega `__pycache__/` y \\*\\*no\\*\\* `data/` \\<b\\>');
    const { text, types } = rendered(out);
    expect(text).toBe('Agrega __pycache__/ y **no** data/ <b>');
    expect(types.filter((x) => x === 'codespan')).toHaveLength(2);
    expect(types).not.toContain('strong');
    expect(types).not.toContain('html');
  });

  it('escapes an unmatched backtick run instead of opening a span', () => {
    expect(inline('a ``` b')).toBe('a \\`\\`\\` b');
    expect(rendered(inline('a ``` b')).text).toBe('a ``` b');
  });

  it('shows a literal value as a code span no backtick inside can close', () => {
    expect(codeSpan('a ` b `` c')).toBe('```a ` b `` c```');
    expect(codeSpan('`x`')).toBe('`` `x` ``');
    expect(codeSpan('')).toBe('` `');
    for (const value of ['a ` b `` c', '`x`', '``', ' padded ', '**100 / 100**']) {
      const { text, types } = rendered(`see ${inline(`${literal(value)}`)} here`);
      expect(types).toEqual(['text', 'codespan', 'text']);
      expect(text).toBe(`see ${value} here`);
    }
  });

  it('keeps a table row whole: pipes in text and in code, after any backslashes', () => {
    for (const value of ['a | b', 'a \\| b', 'a \\\\| b']) {
      const row = `| ${inline(literal(value), { table: true })} | ${inline(value, { table: true })} |`;
      const [table] = new Lexer({ gfm: true }).lex(`| x | y |\n|---|---|\n${row}`) as Tokens.Table[];
      expect(table!.type).toBe('table');
      expect(table!.rows[0]).toHaveLength(2);
    }
  });

  it('never pings: an @ gets a zero-width joiner, outside code', () => {
    expect(inline('hola @prof-ta y @org/tas')).toBe('hola @\u200dprof-ta y @\u200dorg/tas');
    expect(inline(`${literal('@prof-ta')}`)).toBe('`@prof-ta`');
  });

  it('escapes math, entities and what would start a block', () => {
    expect(inline('$x$ &#64;a')).toBe('\\$x\\$ \\&\\#64;a');
    expect(inline('- item')).toBe('\\- item');
    expect(inline('1. item')).toBe('1\\. item');
    expect(inline('# title')).toBe('\\# title');
    expect(inline('> quote')).toBe('\\> quote');
    expect(inline('    code')).toBe('code');
  });

  it('drops line breaks and control characters from one-line fields', () => {
    expect(inline(literal('a\nb\r\nc\u2028d'))).toBe('`a b c d`');
    expect(inline('line\n## heading')).toBe('line \\#\\# heading');
  });

  it('fences multi-line output with a fence longer than any run inside it', () => {
    expect(fencedBlock('a\n```\nb')).toBe('````text\na\n```\nb\n````');
    expect(fencedBlock('x')).toBe('```text\nx\n```');
    const [code] = new Lexer().lex(fencedBlock('a\n`````\n</details>\n<!--')) as Tokens.Code[];
    expect(code!.type).toBe('code');
    expect(code!.text).toBe('a\n`````\n</details>\n<!--');
  });
});

describe('control characters in student text', () => {
  const hostile = 'a\u001b[2J\u001b[H\u001b[31mb\u001b]0;title\u0007c\u001b]8;;http://x\u001b\\d\u009b2Je\u001bcf\u0007\u0008g\u202eh\u2066i\uE000j';

  it('singleLine drops escape sequences (CSI, OSC, 8-bit CSI, RIS), C0/C1 controls and bidi overrides', () => {
    expect(singleLine(hostile)).toBe('abcdefghij');
    expect(singleLine('a\tb\nc')).toBe('a b c');
  });

  it('multiLine keeps lines, turning carriage returns into line breaks', () => {
    expect(multiLine('a\r\nb\rc\n\u001b[1Ad')).toBe('a\nb\nc\nd');
  });

  it('plain shows literal values in backticks; a value cut short runs to the end', () => {
    expect(plain(`see ${literal('x\u001b[2Jy')} now`)).toBe('see `xy` now');
    expect(segments(`a ${literal('cut short')}`.slice(0, 8))).toEqual([
      { text: 'a ', literal: false },
      { text: 'cut s', literal: true },
    ]);
    // A student's own marker characters are removed, so they cannot open or close a literal.
    expect(literal('x\uE001y\uE000')).toBe('\uE000xy\uE001');
  });
});

describe('replies to commands', () => {
  it("show the pack's own rubric titles as written in the commands' help", async () => {
    const pack = await loadPack('mlops');
    for (const week of pack.weeks.values()) {
      for (const locale of ['es', 'en'] as const) {
        const help = helpMessage(week)[locale];
        const tokens: Token[] = [];
        walkTokens(new Lexer({ gfm: true }).lex(help), (tk) => tokens.push(tk));
        // The help's own Markdown (a heading, a table of commands, a bold line, a list of criteria) and nothing from the titles.
        const ours = locale === 'es' ? `Criterios de la semana ${week.week}` : `Criteria of week ${week.week}`;
        expect(tokens.filter((tk) => tk.type === 'strong').map((tk) => (tk as Tokens.Strong).text)).toEqual([ours]);
        expect(tokens.filter((tk) => ['em', 'del', 'image', 'html', 'link'].includes(tk.type))).toEqual([]);
        for (const c of week.criteria) expect(help).toContain(`\`${c.id}\``);
      }
    }
    const hostile = helpMessage({ week: 1, title: { es: '__x__ <b>', en: '__x__ <b>' }, criteria: [{ id: 'a', points: 1, manual: false, title: { es: '**100 / 100** @prof', en: '**100 / 100** @prof' } }] });
    expect(hostile.en).toContain('\\_\\_x\\_\\_ \\<b\\>');
    expect(hostile.en).toContain('\\*\\*100 / 100\\*\\* @\u200dprof');
  });
});
