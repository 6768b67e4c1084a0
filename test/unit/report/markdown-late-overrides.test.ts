import { describe, expect, it } from 'vitest';
import { t } from '../../../src/core/text.ts';
import type { Grade } from '../../../src/grading/grade.ts';
import type { CriterionOverride } from '../../../src/grading/score.ts';
import {
  annotationBatches,
  checkRunOutput,
  fitTo,
  conclusionOf,
  GITHUB_LIMITS,
  lateLine,
  localDeadline,
  overrideNotes,
  pullRequestComment,
  scoreLine,
  scoreTitle,
  taNotesSection,
  type LateVerdict,
} from '../../../src/report/markdown.ts';
import type { Lateness } from '../../../src/store/records.ts';
import { grade, result } from '../../helpers/grade.ts';

/*
 * What a student sees when they deliver late, when a TA overrides a criterion, and
 * when the output is long: the exact lines, in both languages.
 */

function verdict(status: Lateness['status'], daysLate: number, extra: Partial<LateVerdict> = {}): LateVerdict {
  return {
    late: {
      deadline: '2026-09-14T02:59:00.000Z',
      effectiveDeadline: '2026-09-14T02:59:00.000Z',
      minutesLate: daysLate * 1440,
      daysLate,
      penaltyFraction: daysLate / 10,
      status,
    },
    penalty: daysLate * 10,
    finalScore: status === 'too-late' ? null : 45 - daysLate * 10,
    ...extra,
  };
}

const BA = 'America/Argentina/Buenos_Aires';

describe('late deliveries', () => {
  it("show the deadline in the course's time zone, or in UTC without one", () => {
    expect(localDeadline('2026-09-14T02:59:00.000Z', BA)).toBe(`2026-09-13 23:59 (${BA})`);
    // Midnight is 00, not 24 (hourCycle h23), and the date is the local one.
    expect(localDeadline('2026-09-14T03:00:00.000Z', BA)).toBe(`2026-09-14 00:00 (${BA})`);
    expect(localDeadline('2026-09-14T02:59:00.000Z', undefined)).toBe('2026-09-14 02:59 UTC');
  });

  it('say nothing when on time or without a verdict', () => {
    expect(lateLine(undefined, 100, 'en')).toBe('');
    expect(lateLine(verdict('on-time', 0), 100, 'es')).toBe('');
    expect(scoreTitle(grade, undefined, 'en')).toBe('45/100');
    expect(scoreTitle(grade, verdict('on-time', 0), 'es')).toBe('45/100');
  });

  it('say how late, the penalty and the final score, one day or more', () => {
    const oneDay = verdict('late', 1, { timeZone: BA });
    expect(lateLine(oneDay, 100, 'en')).toBe(`⏰ Delivered 1 day late (−10 pts). Deadline: 2026-09-13 23:59 (${BA}).`);
    expect(lateLine(oneDay, 100, 'es')).toBe(`⏰ Entregado 1 día tarde (−10 pts). Plazo: 2026-09-13 23:59 (${BA}).`);
    // The final score leads the score line, the raw score and the penalty after it.
    expect(scoreLine({ ...grade, pendingPoints: 0 }, 'en', oneDay)).toBe('**35 / 100 — not passed** (pass mark: 60) · 45 / 100 − 10 late');
    const twoDays = verdict('late', 2, { penalty: 12.5, finalScore: 32.5 });
    expect(lateLine(twoDays, 100, 'en')).toBe('⏰ Delivered 2 days late (−12.5 pts). Deadline: 2026-09-14 02:59 UTC.');
    expect(lateLine(twoDays, 100, 'es')).toBe('⏰ Entregado 2 días tarde (−12,5 pts). Plazo: 2026-09-14 02:59 UTC.');
    expect(scoreLine({ ...grade, pendingPoints: 0 }, 'en', twoDays)).toBe('**32.5 / 100 — not passed** (pass mark: 60) · 45 / 100 − 12.5 late');
    expect(scoreLine({ ...grade, pendingPoints: 0 }, 'es', twoDays)).toBe('**32,5 / 100 — no aprobado** (aprobación: 60) · 45 / 100 − 12,5 por atraso');
    expect(scoreTitle(grade, twoDays, 'en')).toBe('32.5/100 (45/100 − 12.5 late)');
    expect(scoreTitle(grade, twoDays, 'es')).toBe('32,5/100 (45/100 − 12,5 por atraso)');
  });

  it('say a delivery past the maximum days late is recorded but earns nothing', () => {
    const tooLate = verdict('too-late', 9, { timeZone: BA });
    expect(lateLine(tooLate, 100, 'en')).toBe(
      `⏰ Delivered 9 days after the deadline: it is recorded, but it is past the course's maximum days late and earns no points. Deadline: 2026-09-13 23:59 (${BA}). If you have an extension, ask your TA to record it.`,
    );
    expect(lateLine(tooLate, 100, 'es')).toMatch(/^⏰ Entregado 9 días después del plazo: queda registrado, pero pasó el máximo.* Plazo: 2026-09-13 23:59 \(America\/Argentina\/Buenos_Aires\)\. /);
    expect(scoreTitle(grade, tooLate, 'en')).toBe('45/100 · too late, not counted');
    expect(scoreTitle(grade, tooLate, 'es')).toBe('45/100 · fuera de plazo, no cuenta');
  });

  it('put the late line under the score in both renderings', () => {
    const late = verdict('late', 1);
    const { summary, title } = checkRunOutput(grade, { locale: 'en', reveal: false, late });
    expect(title).toBe('35/100 (45/100 − 10 late)');
    expect(summary.split('\n').slice(0, 4)).toEqual([
      '**35 / 100 — not passed** (pass mark: 60) · 45 / 100 − 10 late · 15 pts pending a TA\'s review',
      '⏰ Delivered 1 day late (−10 pts). Deadline: 2026-09-14 02:59 UTC.',
      '',
      '| | Criterion | Points | Result |',
    ]);
    const body = pullRequestComment(grade, { locale: 'en', reveal: false, late, commit: 'abcdef1234' });
    expect(body).toContain("**35 / 100 — not passed** (pass mark: 60) · 45 / 100 − 10 late · 15 pts pending a TA's review · commit abcdef1\n⏰ Delivered 1 day late");
    // On time: no empty line where the late line would be.
    expect(pullRequestComment(grade, { locale: 'en', reveal: false, commit: 'abcdef1234' })).toContain('commit abcdef1\n\n| |');
  });

  it('pass or fail by the final score; too late is neutral', () => {
    const passing = { ...grade, score: 70, passed: true };
    expect(conclusionOf(passing, 'failure', verdict('late', 1, { finalScore: 60 }))).toBe('success');
    expect(conclusionOf(passing, 'failure', verdict('late', 1, { finalScore: 59.5 }))).toBe('failure');
    expect(conclusionOf(passing, 'neutral', verdict('late', 1, { finalScore: 59.5 }))).toBe('neutral');
    expect(conclusionOf(passing, 'failure', verdict('late', 1, { finalScore: null }))).toBe('failure');
    expect(conclusionOf(passing, 'failure', verdict('too-late', 9))).toBe('neutral');
    expect(conclusionOf(passing, 'failure', verdict('on-time', 0, { finalScore: 70 }))).toBe('success');
  });
});

function override(extra: Partial<CriterionOverride>): CriterionOverride {
  return { automatic: 10, points: 25, by: 'prof-ta', reason: 'good analysis', at: '2026-09-15T12:00:00Z', kind: 'override', automaticChanged: false, ...extra };
}

describe('TA overrides and notes', () => {
  const overridden: Grade = {
    ...grade,
    criteria: [
      result('stages', 25, 30, 'partial', { override: override({}) }),
      result('analysis', 12, 15, 'partial', { override: override({ kind: 'manual', automatic: null, points: 12, reason: 'three runs' }) }),
      result('remote', 5, 20, 'partial', { override: override({ automatic: null, points: 5, automaticChanged: true }) }),
      result('secret', 15, 15, 'passed', { visibility: 'after-deadline', override: override({ automatic: 15, points: 15, automaticChanged: true }) }),
      result('lint', 0, 20, 'failed'),
    ],
  };

  it('show the automatic result struck through, the points and who set them', () => {
    for (const [locale, rows] of [
      ['en', ['| 🟡 | Title stages | ~~10~~ → 25 / 30 | ✏️ Adjusted by prof-ta: good analysis |', '| 🟡 | Title analysis | 12 / 15 | ✏️ Scored by prof-ta: three runs |', '| 🟡 | Title remote | ~~pending~~ → 5 / 20 | ✏️ Adjusted by prof-ta: good analysis |', '| ✅ | Title secret | ~~15~~ → 15 / 15 | ✏️ Adjusted by prof-ta: good analysis |']],
      ['es', ['| 🟡 | Título stages | ~~10~~ → 25 / 30 | ✏️ Ajustado por prof-ta: good analysis |', '| 🟡 | Título analysis | 12 / 15 | ✏️ Puntuado por prof-ta: three runs |', '| 🟡 | Título remote | ~~pendiente~~ → 5 / 20 | ✏️ Ajustado por prof-ta: good analysis |']],
    ] as const) {
      const { summary } = checkRunOutput(overridden, { locale, reveal: false });
      for (const row of rows) expect(summary).toContain(row);
    }
  });

  it('tell TAs where the checks now disagree with an override, and nothing else', () => {
    expect(overrideNotes(overridden, 'en')).toEqual([
      "⚠️ `remote`: the automatic result changed since prof-ta's override (now no result); the override still stands. Review it or remove it with `/rubrica clear remote`.",
      "⚠️ `secret`: the automatic result changed since prof-ta's override (now 15); the override still stands. Review it or remove it with `/rubrica clear secret`.",
    ]);
    expect(overrideNotes(overridden, 'es')).toEqual([
      '⚠️ `remote`: el resultado automático cambió desde el ajuste de prof-ta (ahora sin resultado); el ajuste sigue vigente. Revísalo o quítalo con `/rubrica clear remote`.',
      '⚠️ `secret`: el resultado automático cambió desde el ajuste de prof-ta (ahora 15); el ajuste sigue vigente. Revísalo o quítalo con `/rubrica clear secret`.',
    ]);
    expect(overrideNotes(grade, 'en')).toEqual([]);
  });

  it('put the notes for TAs in their own section, and none without notes', () => {
    expect(taNotesSection({ locale: 'en', reveal: false })).toBe('');
    expect(taNotesSection({ locale: 'en', reveal: false, taNotes: [] })).toBe('');
    expect(taNotesSection({ locale: 'en', reveal: false, taNotes: ['one', 'two'] })).toBe('#### For the teaching team\n\n- one\n- two');
    expect(taNotesSection({ locale: 'es', reveal: false, taNotes: ['uno'] })).toBe('#### Para el equipo docente\n\n- uno');
    const body = pullRequestComment(grade, { locale: 'en', reveal: false, commit: 'abcdef1234', taNotes: ['one'], checkRunUrl: 'https://github.example/runs/1' });
    expect(body.endsWith('\n\n#### For the teaching team\n\n- one\n\n[See the details](https://github.example/runs/1)')).toBe(true);
    const { summary } = checkRunOutput(grade, { locale: 'es', reveal: false, taNotes: ['uno'] });
    expect(summary.endsWith('\n\n#### Para el equipo docente\n\n- uno')).toBe(true);
    // No link and no notes: the comment ends with what to do first.
    expect(pullRequestComment(grade, { locale: 'en', reveal: false, commit: 'abcdef1234' }).endsWith('(−20): do remote')).toBe(true);
  });
});

describe('the score line and what to do first', () => {
  it('says passed, or the pass mark, and the points we could not grade', () => {
    const passed = { ...grade, score: 60, passed: true, pendingPoints: 0 };
    expect(checkRunOutput(passed, { locale: 'en', reveal: false }).summary.split('\n')[0]).toBe('**60 / 100 — passed** (pass mark: 60)');
    expect(checkRunOutput(passed, { locale: 'es', reveal: false }).summary.split('\n')[0]).toBe('**60 / 100 — aprobado** (aprobación: 60)');
    const failed = { ...grade, pendingPoints: 0 };
    expect(checkRunOutput(failed, { locale: 'en', reveal: false }).summary.split('\n')[0]).toBe('**45 / 100 — not passed** (pass mark: 60)');
    const broken = { ...grade, pendingPoints: 0, errorPoints: 12.5 };
    expect(checkRunOutput(broken, { locale: 'en', reveal: false }).summary.split('\n')[0]).toBe('**45 / 100 — not passed yet** (pass mark: 60) · 12.5 pts not graded because of a course problem (not yours)');
    expect(checkRunOutput(broken, { locale: 'es', reveal: false }).summary.split('\n')[0]).toBe('**45 / 100 — aún sin aprobar** (aprobación: 60) · 12,5 pts sin corregir por un problema del curso (no tuyo)');
  });

  it('lists the five biggest losses in the check run and three in the comment, each with its unmet items', () => {
    const many: Grade = {
      ...grade,
      criteria: [
        ...Array.from({ length: 7 }, (_, i) => result(`c${i}`, 0, 10 + i, 'failed')),
        result('hidden', 0, 50, 'failed', { visibility: 'after-deadline' }),
        result('items', 1, 2, 'partial', { feedback: undefined, items: [{ label: t('uno', 'one'), ok: true }, { label: t('dos', 'two'), ok: false }] }),
      ],
    };
    const { summary } = checkRunOutput(many, { locale: 'en', reveal: false });
    const todo = summary.slice(summary.indexOf('### What to do first'));
    expect(todo).toBe(['### What to do first', '', '1. **Title c6** (−16): do c6', '2. **Title c5** (−15): do c5', '3. **Title c4** (−14): do c4', '4. **Title c3** (−13): do c3', '5. **Title c2** (−12): do c2'].join('\n'));
    const body = pullRequestComment(many, { locale: 'es', reveal: true, commit: 'abcdef1234' });
    expect(body.slice(body.indexOf('### Qué hacer primero'))).toBe(['### Qué hacer primero', '', '1. **Título hidden** (−50): haz hidden', '2. **Título c6** (−16): haz c6', '3. **Título c5** (−15): haz c5'].join('\n'));
    // Without feedback, the message; and only the unmet items.
    const one = checkRunOutput({ ...many, criteria: [many.criteria[8]!] }, { locale: 'en', reveal: false }).summary;
    expect(one.slice(one.indexOf('1.'))).toBe('1. **Title items** (−1): message items\n   - two');
    // Nothing to fix: no heading, and both renderings end with the table.
    const allPassed = { ...grade, criteria: [result('ok', 1, 1, 'passed')] };
    expect(checkRunOutput(allPassed, { locale: 'en', reveal: false }).summary.endsWith('| ✅ | Title ok | 1 / 1 | message ok |')).toBe(true);
    expect(pullRequestComment(allPassed, { locale: 'en', reveal: false, commit: 'abcdef1234' }).endsWith('| ✅ | Title ok | 1 / 1 | message ok |')).toBe(true);
  });
});

describe('the table', () => {
  it('has a header, an icon per status and hides what shows after the deadline, in both languages', () => {
    const g: Grade = { ...grade, criteria: [...grade.criteria, result('broken', null, 5, 'error')] };
    const es = checkRunOutput(g, { locale: 'es', reveal: false }).summary;
    expect(es).toContain('| | Criterio | Puntos | Resultado |\n|---|---|---|---|\n| ✅ | Título dvc-init | 20 / 20 | mensaje dvc-init |');
    expect(es).toContain('| ✅ | Título secret | ? | Se muestra después de la fecha de entrega. |');
    expect(es).toContain('| ⚠️ | Título broken | – / 5 | mensaje broken |');
    expect(es).toContain('| ❌ | Título remote | 0 / 20 |');
    expect(es).toContain('| ⏳ | Título analysis | – / 15 |');
    expect(checkRunOutput(g, { locale: 'en', reveal: false }).summary).toContain('| | Criterion | Points | Result |');
  });
});

describe('details and annotations', () => {
  it('shows a section per criterion with items or output, its checklist and the output', () => {
    const g: Grade = {
      ...grade,
      criteria: [
        result('plain', 1, 1, 'passed'),
        result('items', 1, 2, 'partial', { items: [{ label: t('uno', 'one'), ok: true }, { label: t('dos', 'two'), ok: false, note: t('falta', 'missing') }] }),
        result('run', 0, 2, 'failed', { details: '$ make\nboom' }),
        result('later', 0, 2, 'failed', { details: 'secret output', visibility: 'after-deadline' }),
      ],
    };
    expect(checkRunOutput(g, { locale: 'en', reveal: false }).text).toBe(
      [
        '### 🟡 Title items',
        '',
        'message items',
        '',
        '- ✅ one',
        '- ❌ two — missing',
        '',
        '### ❌ Title run',
        '',
        'message run',
        '',
        '<details><summary>Output</summary>',
        '',
        '```text\n$ make\nboom\n```',
        '',
        '</details>',
      ].join('\n'),
    );
    const es = checkRunOutput(g, { locale: 'es', reveal: true }).text;
    expect(es).toContain('<summary>Salida</summary>');
    expect(es).toContain('### ❌ Título later');
  });

  it('keeps the end of a long output, where failures print', () => {
    const long = 'a'.repeat(5_000) + 'b'.repeat(12_000);
    const { text } = checkRunOutput({ ...grade, criteria: [result('run', 0, 2, 'failed', { details: long })] }, { locale: 'en', reveal: false });
    expect(text).toContain('```text\n…\n' + 'b'.repeat(12_000) + '\n```');
    expect(text).not.toContain('ab');
    const exact = 'c'.repeat(12_000);
    expect(checkRunOutput({ ...grade, criteria: [result('run', 0, 2, 'failed', { details: exact })] }, { locale: 'en', reveal: false }).text).toContain('```text\n' + exact + '\n```');
  });

  it('annotates as a notice when passed and a warning otherwise, on line 1 without a line, hidden ones left out', () => {
    const g: Grade = {
      ...grade,
      criteria: [
        result('ok', 1, 1, 'passed', { title: t('t', 'x'.repeat(300)), annotations: [{ path: 'a.py', message: t('bien', 'fine') }] }),
        result('bad', 0, 1, 'partial', { annotations: [{ path: 'b.py', line: 7, message: t('mal', 'y'.repeat(70_000)) }] }),
        result('later', 0, 1, 'failed', { visibility: 'after-deadline', annotations: [{ path: 'c.py', line: 1, message: t('x', 'x') }] }),
      ],
    };
    const { annotations } = checkRunOutput(g, { locale: 'en', reveal: false });
    expect(annotations).toEqual([
      { path: 'a.py', start_line: 1, end_line: 1, annotation_level: 'notice', title: 'x'.repeat(255), message: 'fine' },
      { path: 'b.py', start_line: 7, end_line: 7, annotation_level: 'warning', title: 'Title bad', message: 'y'.repeat(64_000) },
    ]);
    expect(checkRunOutput(g, { locale: 'es', reveal: true }).annotations.map((a) => a.path)).toEqual(['a.py', 'b.py', 'c.py']);
  });
});

describe("cutting to GitHub's limits", () => {
  it('sends no empty batch of annotations', () => {
    expect(annotationBatches([])).toEqual([]);
    expect(annotationBatches(Array.from({ length: 100 }, (_, i) => i)).map((b) => b.length)).toEqual([50, 50]);
    expect(annotationBatches([1, 2, 3], 2)).toEqual([[1, 2], [3]]);
  });

  it('keeps text of exactly the limit whole', () => {
    expect(fitTo('12345', 5, 'cut')).toBe('12345');
    expect(fitTo('123456789012', 11, 'cut')).toBe('1234\n\n… cut');
    // A single section of exactly 65,535 characters is not cut.
    const sized = (k: number): Grade => ({ ...grade, criteria: [result('m', 0, 1, 'failed', { message: t('m', 'm'.repeat(k)), details: 'x' })] });
    const base = checkRunOutput(sized(0), { locale: 'en', reveal: false }).text.length;
    const exact = checkRunOutput(sized(GITHUB_LIMITS.outputChars - base), { locale: 'en', reveal: false }).text;
    expect(exact).toHaveLength(GITHUB_LIMITS.outputChars);
    expect(exact).not.toContain('cut at');
  });

  it('keeps a section that fits exactly with the note', () => {
    const tail = "\n\n… cut at GitHub's limit; run `rubrica check --week 3 .` in your checkout to see it all.";
    const first = result('a', 0, 1, 'failed', { details: 'a'.repeat(1_000) });
    const second = (k: number) => result('b', 0, 1, 'failed', { message: t('m', 'm'.repeat(k)), details: 'b' });
    const third = result('c', 0, 1, 'failed', { details: 'c'.repeat(12_000) });
    const two = (k: number) => checkRunOutput({ ...grade, criteria: [first, second(k)] }, { locale: 'en', reveal: false }).text.length;
    const k = GITHUB_LIMITS.outputChars - tail.length - two(0);
    const { text } = checkRunOutput({ ...grade, criteria: [first, second(k), third] }, { locale: 'en', reveal: false });
    expect(text).toHaveLength(GITHUB_LIMITS.outputChars);
    expect(text.endsWith(`\n\`\`\`\n\n</details>${tail}`)).toBe(true);
    expect(text).toContain('### ❌ Title b');
    expect(text).not.toContain('### ❌ Title c');
    // A last section shorter than the note itself is dropped too: the note's room is counted once, not refunded.
    const small = result('c', 0, 1, 'failed', { details: 'c'.repeat(50) });
    const cut = checkRunOutput({ ...grade, criteria: [first, second(k), small] }, { locale: 'en', reveal: false }).text;
    expect(cut).toHaveLength(GITHUB_LIMITS.outputChars);
    expect(cut).not.toContain('### ❌ Title c');
  });

  const sectionOf = (i: number, size: number) => result(`c${i}`, 0, 1, 'failed', { details: `${i}`.repeat(size) });

  it('keeps whole sections that fit and says it was cut, in the reader’s language', () => {
    // Each section is about 6 KB: ten fit in 65,535 characters with the note, the eleventh does not.
    const g: Grade = { ...grade, criteria: Array.from({ length: 12 }, (_, i) => sectionOf(i % 10, 6_000)) };
    const { text } = checkRunOutput(g, { locale: 'es', reveal: false });
    expect(text.length).toBeLessThanOrEqual(GITHUB_LIMITS.outputChars);
    expect(text.match(/^### /gm)).toHaveLength(10);
    expect(text.endsWith('\n\n… recortado al límite de GitHub; corre `rubrica check --week 3 .` en tu copia para verlo entero.')).toBe(true);
    expect(text).toContain('</details>\n\n… recortado');
    // Room is counted with the note: what is kept plus the note never passes the limit, and a section that fits is kept.
    const sizes = checkRunOutput({ ...grade, criteria: Array.from({ length: 12 }, (_, i) => sectionOf(i % 10, 6_000)) }, { locale: 'en', reveal: false }).text;
    expect(sizes.length).toBeGreaterThan(GITHUB_LIMITS.outputChars - 7_000);
  });

  it('cuts inside the first section when even that is too long', () => {
    // 12,000 characters of output per section are kept; many short lines of message make it long.
    const g: Grade = { ...grade, criteria: [result('huge', 0, 1, 'failed', { message: t('m', 'm'.repeat(70_000)), details: 'x' })] };
    const { text } = checkRunOutput(g, { locale: 'en', reveal: false });
    expect(text).toHaveLength(GITHUB_LIMITS.outputChars);
    expect(text.startsWith('### ❌ Title huge\n\nmmm')).toBe(true);
    expect(text.endsWith("\n\n… cut at GitHub's limit; run `rubrica check --week 3 .` in your checkout to see it all.")).toBe(true);
  });

  it('keeps the score, the table and the notes for TAs within the comment limit', () => {
    const notes = ['n'.repeat(40_000)];
    const huge: Grade = { ...grade, criteria: Array.from({ length: 600 }, (_, i) => result(`c${i}`, 0, 1, 'failed', { message: t('m'.repeat(200), 'm'.repeat(200)) })) };
    const body = pullRequestComment(huge, { locale: 'en', reveal: false, commit: 'abcdef1234', taNotes: notes });
    expect(body).toHaveLength(GITHUB_LIMITS.commentChars);
    expect(body.startsWith('<!-- rubrica:week=3 -->\n## Rubrica · Week 3 — DVC\n\n**45 / 100 — not passed yet** (pass mark: 60)')).toBe(true);
    // The notes are cut to half the limit, so the body keeps the other half.
    const at = body.indexOf('#### For the teaching team');
    expect(at).toBe(GITHUB_LIMITS.commentChars - Math.floor(GITHUB_LIMITS.commentChars / 2));
    expect(body.slice(0, at)).toMatch(/\n\n… cut; the check run has the details\.\n\n$/);
    expect(body.endsWith('\n\n… cut; the check run has the details.')).toBe(true);
    const es = pullRequestComment(huge, { locale: 'es', reveal: false, commit: 'abcdef1234' });
    expect(es).toHaveLength(GITHUB_LIMITS.commentChars);
    expect(es.endsWith('\n\n… recortado; el detalle está en el check run.')).toBe(true);
  });
});
