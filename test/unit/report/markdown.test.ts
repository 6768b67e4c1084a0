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
  lateLine,
  GITHUB_LIMITS,
  pullRequestComment,
  scoreLine,
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
    expect(body.startsWith(commentMarker('week-3'))).toBe(true);
    expect(body).toContain('## Rubrica · Semana 3 — DVC');
    expect(body).toContain('**45 / 100 — aún sin aprobar** (aprobación: 60) · 15 pts pendientes de revisión de un ayudante · commit abcdef1');
    expect(body).toContain('### Qué hacer primero');
    expect(body).toContain('[Ver el detalle](https://github.example/runs/1)');
  });
});

describe('the score line: the score that counts and the verdict are read first', () => {
  const onTime = { ...grade, score: 44, pendingPoints: 0, passed: false, criteria: grade.criteria.filter((c) => c.status !== 'pending') };
  const late = { deadline: '2026-09-14T02:59:00.000Z', effectiveDeadline: '2026-09-14T02:59:00.000Z', minutesLate: 3000, daysLate: 3, penaltyFraction: 0.3, status: 'late' as const };

  it('opens the check run summary and the PR comment with the score and the verdict, in both languages', () => {
    for (const [locale, line] of [
      ['es', '**44 / 100 — no aprobado** (aprobación: 60)'],
      ['en', '**44 / 100 — not passed** (pass mark: 60)'],
    ] as const) {
      expect(checkRunOutput(onTime, { locale, reveal: false }).summary.split('\n')[0]).toBe(line);
      const comment = pullRequestComment(onTime, { locale, reveal: false, commit: 'abcdef1' }).split('\n');
      // The marker and the heading, then the score line.
      expect(comment[3]!.startsWith(`${line} · commit abcdef1`)).toBe(true);
    }
    expect(scoreLine({ ...onTime, score: 60, passed: true }, 'es')).toBe('**60 / 100 — aprobado** (aprobación: 60)');
  });

  it('says "not passed yet" while a TA\'s pending points or our errors could still carry it over', () => {
    expect(scoreLine({ ...onTime, score: 45, pendingPoints: 15 }, 'en')).toMatch(/^\*\*45 \/ 100 — not passed yet\*\*/);
    expect(scoreLine({ ...onTime, score: 45, pendingPoints: 10 }, 'en')).toMatch(/^\*\*45 \/ 100 — not passed\*\*/);
    expect(scoreLine({ ...onTime, errorPoints: 20 }, 'es')).toMatch(/^\*\*44 \/ 100 — aún sin aprobar\*\*/);
  });

  it('when late, puts the counted score first and the raw score and penalty after it, with no nested parentheses', () => {
    const passing = { ...onTime, score: 75, passed: true };
    const es = scoreLine(passing, 'es', { late, penalty: 22.5, finalScore: 52.5 });
    const en = scoreLine(passing, 'en', { late, penalty: 22.5, finalScore: 52.5 });
    expect(es).toBe('**52,5 / 100 — no aprobado** (aprobación: 60) · 75 / 100 − 22,5 por atraso');
    expect(en).toBe('**52.5 / 100 — not passed** (pass mark: 60) · 75 / 100 − 22.5 late');
    for (const text of [es, en, lateLine({ late, penalty: 22.5, finalScore: 52.5, timeZone: 'America/Argentina/Buenos_Aires' }, 100, 'es')]) {
      expect(text).not.toMatch(/\([^)]*\(/);
    }
    const tooLate = scoreLine(passing, 'es', { late: { ...late, status: 'too-late' }, penalty: 75, finalScore: null });
    expect(tooLate.startsWith('**Fuera de plazo: no cuenta**')).toBe(true);
  });
});

describe('what to fix first, for someone new to Git', () => {
  const criteria = [
    result('estructura', 4.2, 25, 'partial'),
    result('commits', 0, 25, 'failed', { kind: 'commits', items: [{ label: t('`cambios`', '`cambios`'), ok: false }] }),
    result('readme', 10, 25, 'partial'),
    result('gitignore', 0, 25, 'failed'),
    result('extra', 5, 10, 'partial'),
  ];
  const week = { ...grade, score: 19.2, pendingPoints: 0, criteria };

  it('puts the commits criterion after the fixes whose commits earn it, even when it loses the most, and keeps it in a short list', () => {
    const order = (text: string) => [...text.matchAll(/^\d+\. \*\*(?:Título|Title) (\w+)\*\*/gm)].map((m) => m[1]);
    // The most points back first; commits last, since committing each fix conventionally earns them.
    expect(order(checkRunOutput(week, { locale: 'es', reveal: false }).summary)).toEqual(['gitignore', 'estructura', 'readme', 'extra', 'commits']);
    // The comment lists three fixes, and still how to commit them.
    const comment = pullRequestComment(week, { locale: 'en', reveal: false, commit: 'abcdef1' });
    expect(order(comment)).toEqual(['gitignore', 'estructura', 'readme', 'commits']);
    // The old commits are not listed as things to fix: new commits earn the points.
    expect(comment).not.toContain('cambios');
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
