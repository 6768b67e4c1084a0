import { Lexer, type Tokens } from 'marked';
import { describe, expect, it } from 'vitest';
import { t } from '../../../src/core/text.ts';
import {
  annotationBatches,
  checkRunName,
  checkRunOutput,
  commentMarker,
  conclusionOf,
  fitTo,
  GITHUB_LIMITS,
  pullRequestComment,
} from '../../../src/report/markdown.ts';
import { grade, result } from '../../helpers/grade.ts';

describe('check run output', () => {
  it('is named for the week and titled with the score', () => {
    expect(checkRunName(grade, 'es')).toBe('Rubrica · Semana 3 — DVC');
    expect(checkRunName(grade, 'en')).toBe('Rubrica · Week 3 — DVC');
    const output = checkRunOutput(grade, { locale: 'es', reveal: false });
    expect(output.title).toBe('45/100');
  });

  it('summarises every criterion in a table, with what to fix first and pending points', () => {
    const { summary } = checkRunOutput(grade, { locale: 'en', reveal: false });
    expect(summary).toContain('| 🟡 | Title stages | 10 / 30 | message stages |');
    expect(summary).toContain('| ⏳ | Title analysis | – / 15 |');
    expect(summary).toContain('15 pts pending');
    expect(summary).toMatch(/### What to do first\n\n1\. \*\*Title stages\*\* \(−20\): do stages\n {3}- train stage — `cmd` missing/);
    // Hidden until the deadline: neither score nor message.
    expect(summary).toContain('| ✅ | Title secret | ? | Shown after the deadline. |');
    expect(summary).not.toContain('message secret');
  });

  it('escapes table cells and fences output so a student cannot break the layout', () => {
    const tricky = {
      ...grade,
      criteria: [result('x', 0, 100, 'failed', { message: t('a | b\nc', 'a | b\nc'), details: 'before\n```\n# not a heading\n```\nafter' })],
    };
    const output = checkRunOutput(tricky, { locale: 'en', reveal: false });
    expect(output.summary).toContain('| a \\| b c |');
    expect(output.text).toContain('````text\nbefore\n```\n# not a heading\n```\nafter\n````');
  });

  it("stays within GitHub's 65,535 characters, saying it was cut", () => {
    const huge = { ...grade, criteria: Array.from({ length: 40 }, (_, i) => result(`c${i}`, 0, 2.5, 'failed', { details: 'x'.repeat(20_000) })) };
    const output = checkRunOutput(huge, { locale: 'en', reveal: false });
    expect(output.text.length).toBeLessThanOrEqual(GITHUB_LIMITS.outputChars);
    expect(output.text).toMatch(/cut at GitHub's limit/);
    // Cut between sections: every output fence is closed and the note is a paragraph of its own.
    const blocks = new Lexer().lex(output.text).filter((tk) => tk.type !== 'space');
    expect(blocks.at(-1)).toMatchObject({ type: 'paragraph', text: expect.stringContaining("cut at GitHub's limit") });
    expect(blocks.filter((tk) => tk.type === 'code').every((tk) => (tk as Tokens.Code).text.endsWith('x'.repeat(100)))).toBe(true);
    expect(fitTo('short', 10, 'x')).toBe('short');
  });

  it('sends annotations in batches of 50', () => {
    const many = {
      ...grade,
      criteria: [
        result('lint', 0, 100, 'failed', {
          annotations: Array.from({ length: 120 }, (_, i) => ({ path: 'src/a.py', line: i + 1, message: t('mal', 'bad') })),
        }),
      ],
    };
    const { annotations } = checkRunOutput(many, { locale: 'en', reveal: false });
    expect(annotations[0]).toEqual({ path: 'src/a.py', start_line: 1, end_line: 1, annotation_level: 'warning', title: 'Title lint', message: 'bad' });
    expect(annotationBatches(annotations).map((b) => b.length)).toEqual([50, 50, 20]);
  });

  it("concludes by the pass mark, and never fails a student for our errors", () => {
    expect(conclusionOf(grade, 'failure')).toBe('failure');
    expect(conclusionOf(grade, 'neutral')).toBe('neutral');
    expect(conclusionOf({ ...grade, passed: true }, 'failure')).toBe('success');
    expect(conclusionOf({ ...grade, passed: false, errorPoints: 20 }, 'failure')).toBe('neutral');
  });
});

describe('pull request comment', () => {
  it('carries the week marker, the score, the table, what to fix and a link', () => {
    const body = pullRequestComment(grade, { locale: 'es', reveal: false, commit: 'abcdef1234', checkRunUrl: 'https://github.example/runs/1' });
    expect(body.startsWith(commentMarker(3))).toBe(true);
    expect(body).toContain('## Rubrica · Semana 3 — DVC');
    expect(body).toContain('**45 / 100** · aprobación: 60 · 15 pts pendientes de revisión de un ayudante · commit abcdef1');
    expect(body).toContain('### Qué hacer primero');
    expect(body).toContain('[Ver el detalle](https://github.example/runs/1)');
  });
});

describe('the graded folder', () => {
  const project = {
    root: 'portfolio/mlops',
    rule: 'most-deliverables' as const,
    candidates: [
      { root: 'portfolio/mlops', deliverables: 5 },
      { root: 'old', deliverables: 1 },
    ],
  };

  it('is said under the score, as code, with the candidates and how to make it unambiguous', () => {
    const { summary } = checkRunOutput({ ...grade, project }, { locale: 'en', reveal: false });
    const line = summary.split('\n').find((l) => l.startsWith('📁'))!;
    expect(line).toMatch(/^📁 Graded folder: `portfolio\/mlops`, of 2 project folders .*`portfolio\/mlops` \(5\), `old` \(1\); chosen: the one with most of this week's deliverables\./);
    expect(line).toContain('keep this week\'s work in one folder');
    expect(summary.indexOf('📁')).toBeLessThan(summary.indexOf('| |'));
  });

  it('is not said for a week whose deliverable is the repository', () => {
    expect(checkRunOutput(grade, { locale: 'en', reveal: false }).summary).not.toContain('📁');
  });

  it('cannot be turned into markup by a folder name', () => {
    const hostile = { ...project, root: 'x`](http://evil)<img src=x>', candidates: [{ root: 'x`](http://evil)<img src=x>', deliverables: 1 }], rule: 'only' as const };
    const { summary } = checkRunOutput({ ...grade, project: hostile }, { locale: 'en', reveal: false });
    // A code span, fenced with more backticks than the name holds: shown as written, never rendered.
    expect(summary).toContain('📁 Graded folder: ``x`](http://evil)<img src=x>``.');
  });
});
