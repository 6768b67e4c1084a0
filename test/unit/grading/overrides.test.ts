import { describe, expect, it } from 'vitest';
import { gradeWithOverrides } from '../../../src/grading/overrides.ts';
import { checkRunOutput, conclusionOf, lateLine, pullRequestComment, scoreTitle, overrideNotes } from '../../../src/report/markdown.ts';
import type { Override } from '../../../src/store/records.ts';
import { grade } from '../../helpers/grade.ts';

const by = (criterion: string, points: number, automaticPoints: number | null, reason = 'revisado en clase'): Override => ({
  org: 'clase',
  course: 'default',
  repoId: 1,
  unit: 'week-3',
  week: 3,
  criterion,
  points,
  reason,
  by: 'tere-ayudante',
  at: '2026-09-20T10:00:00Z',
  automaticPoints,
});

describe('a grade with TA overrides', () => {
  it('replaces the criterion’s points, keeps the automatic result beside them, and recomputes total and pass', () => {
    const g = gradeWithOverrides(grade, [by('stages', 30, 10), by('remote', 15, 0)]);
    expect(g.score).toBe(80);
    expect(g.passed).toBe(true);
    const stages = g.criteria.find((c) => c.id === 'stages')!;
    expect(stages).toMatchObject({ score: 30, status: 'passed', override: { automatic: 10, points: 30, by: 'tere-ayudante', kind: 'override', automaticChanged: false } });
    expect(stages.feedback).toBeUndefined();
    expect(g.criteria.find((c) => c.id === 'remote')).toMatchObject({ score: 15, status: 'partial' });
    // The record's grade is untouched.
    expect(grade.score).toBe(45);
  });

  it('scores a pending manual criterion, which stops being pending', () => {
    const g = gradeWithOverrides(grade, [by('analysis', 12, null)]);
    expect(g.pendingPoints).toBe(0);
    expect(g.score).toBe(57);
    expect(g.criteria.find((c) => c.id === 'analysis')).toMatchObject({ score: 12, status: 'partial', override: { kind: 'manual', automatic: null, automaticChanged: false } });
  });

  it('keeps points within the criterion’s range and notices when the automatic result changed since', () => {
    const g = gradeWithOverrides(grade, [by('stages', 99, 25)]);
    const stages = g.criteria.find((c) => c.id === 'stages')!;
    expect(stages.score).toBe(30);
    expect(stages.override?.automaticChanged).toBe(true);
    expect(overrideNotes(g, 'es')).toEqual([expect.stringContaining('`stages`: el resultado automático cambió desde el ajuste de tere-ayudante (ahora 10)')]);
    expect(overrideNotes(gradeWithOverrides(grade, [by('stages', 20, 10)]), 'en')).toEqual([]);
  });

  it('shows automatic → override with the TA’s reason, in the check run and the comment, and notes for TAs', () => {
    const g = gradeWithOverrides(grade, [by('stages', 25, 10, 'la etapa train existe | con otro nombre')]);
    const output = checkRunOutput(g, { locale: 'es', reveal: false, taNotes: ['nota para TAs'] });
    expect(output.title).toBe('60/100');
    expect(output.summary).toContain('| 🟡 | Título stages | ~~10~~ → 25 / 30 | ✏️ Ajustado por tere-ayudante: la etapa train existe \\| con otro nombre |');
    expect(output.summary).toContain('#### Para el equipo docente\n\n- nota para TAs');
    const comment = pullRequestComment(g, { locale: 'en', reveal: false, commit: 'abcdef1' });
    expect(comment).toContain('| ~~10~~ → 25 / 30 | ✏️ Adjusted by tere-ayudante:');
    expect(comment).not.toContain('For the teaching team');
    expect(comment).not.toMatch(/\n{3,}/);
  });
});

describe('lateness as students read it', () => {
  const late = { deadline: '2026-09-14T02:59:00.000Z', effectiveDeadline: '2026-09-14T02:59:00.000Z', minutesLate: 100, daysLate: 1, penaltyFraction: 0.1, status: 'late' as const };
  it('titles the check run with the final score and says what lateness cost, in the course’s time zone', () => {
    const verdict = { late, penalty: 10, finalScore: 35, timeZone: 'America/Argentina/Buenos_Aires' };
    expect(scoreTitle(grade, verdict, 'es')).toBe('35/100 (45/100 − 10 por atraso)');
    expect(scoreTitle(grade, verdict, 'en')).toBe('35/100 (45/100 − 10 late)');
    expect(lateLine(verdict, 100, 'es')).toBe('⏰ Entregado 1 día tarde (−10 pts). Plazo: 2026-09-13 23:59 (America/Argentina/Buenos_Aires).');
    const summary = checkRunOutput(grade, { locale: 'es', reveal: false, late: verdict }).summary.split('\n');
    // The counted score and its verdict first; the raw score and the penalty after it.
    expect(summary[0]).toMatch(/^\*\*35 \/ 100 — \S.*\*\* \(aprobación: 60\) · 45 \/ 100 − 10 por atraso/);
    expect(summary[1]).toContain('⏰ Entregado 1 día tarde');
  });
  it('concludes on the final score: a late penalty can fail a passing score, a too-late push is neutral', () => {
    const passing = { ...grade, score: 65, passed: true };
    expect(conclusionOf(passing, 'failure')).toBe('success');
    expect(conclusionOf(passing, 'failure', { late, penalty: 10, finalScore: 55 })).toBe('failure');
    expect(conclusionOf(passing, 'neutral', { late, penalty: 10, finalScore: 55 })).toBe('neutral');
    expect(conclusionOf(passing, 'failure', { late: { ...late, status: 'on-time', daysLate: 0 }, penalty: 0, finalScore: 65 })).toBe('success');
    expect(conclusionOf(passing, 'failure', { late: { ...late, status: 'too-late', daysLate: 9 }, penalty: 65, finalScore: null })).toBe('neutral');
  });

  it('says nothing when on time, and that a too-late push is recorded but not counted', () => {
    expect(lateLine({ late: { ...late, status: 'on-time', daysLate: 0 }, penalty: 0, finalScore: 45 }, 100, 'es')).toBe('');
    expect(scoreTitle(grade, { late: { ...late, status: 'on-time' }, penalty: 0, finalScore: 45 }, 'es')).toBe('45/100');
    const tooLate = { late: { ...late, status: 'too-late' as const, daysLate: 9 }, penalty: 45, finalScore: null };
    expect(scoreTitle(grade, tooLate, 'en')).toBe('45/100 · too late, not counted');
    expect(lateLine(tooLate, 100, 'en')).toContain('it is recorded, but it is past the course\'s maximum days late and earns no points');
  });
});

describe('one override rule for the check run and the gradebook', () => {
  it('a TA’s points beyond a criterion’s range (the rubric lowered it since) count the same in both: clamped to the range', async () => {
    const { gradebook } = await import('../../../src/report/gradebook.ts');
    const { finalScore } = await import('../../../src/grading/late.ts');
    const late = { deadline: '2026-09-21T02:59:00.000Z', effectiveDeadline: '2026-09-21T02:59:00.000Z', minutesLate: 0, daysLate: 0, penaltyFraction: 0, status: 'on-time' as const };
    const overrides = [by('stages', 99, 10), by('remote', -5, 0)];
    const shown = gradeWithOverrides(grade, overrides);
    const record = {
      jobId: 'j', installationId: 1, org: 'clase', repoId: 1, repo: 'mlops-ana', students: ['ana'], course: 'default', unit: 'week-3', week: 3, sha: 'a'.repeat(40), deliveredAt: '2026-09-20T09:00:00Z', gradedAt: '2026-09-20T09:01:00Z',
      trigger: 'push' as const, packName: 'mlops', packHash: 'h', image: 'i', imageId: 'sha256:1', score: grade.score, maxScore: grade.maxScore, pendingPoints: grade.pendingPoints, errorPoints: grade.errorPoints,
      criteria: grade.criteria.map((c) => ({ id: c.id, maxScore: c.maxScore, score: c.score, status: c.status })), late, ...finalScore(grade.score, grade.maxScore, late),
    };
    const [row] = gradebook({ weeks: 3, rule: 'best', gradings: [record], overrides });
    const stagesMax = grade.criteria.find((c) => c.id === 'stages')!.maxScore;
    expect(shown.criteria.find((c) => c.id === 'stages')!.score).toBe(stagesMax);
    expect(shown.criteria.find((c) => c.id === 'remote')!.score).toBe(0);
    expect(row!.weeks[2]).toBe(shown.score);
  });
});
