import { describe, expect, it } from 'vitest';
import type { Grade } from '../../../src/grading/grade.ts';
import { gradeWithOverrides } from '../../../src/grading/overrides.ts';
import type { Override } from '../../../src/store/records.ts';
import { grade, result } from '../../helpers/grade.ts';

const by = (criterion: string, points: number, automaticPoints: number | null, reason = 'visto en clase'): Override => ({
  org: 'clase',
  course: 'default',
  repoId: 1,
  unit: 'week-3',
  week: 3,
  criterion,
  points,
  reason,
  by: 'tere',
  at: '2026-09-20T10:00:00Z',
  automaticPoints,
});

/** The helper's week-3 grade (45/100, 15 pending) with one more criterion that could not be graded. */
const withError: Grade = {
  ...grade,
  maxScore: 120,
  errorPoints: 20,
  criteria: [...grade.criteria, result('tests', null, 20, 'error')],
};

const criterion = (g: Grade, id: string) => g.criteria.find((c) => c.id === id)!;

describe('overridden points decide the status', () => {
  it('fails a criterion a TA sets to zero, is partial in between, and passes it at full points', () => {
    const g = gradeWithOverrides(grade, [by('dvc-init', 0, 20), by('stages', 0.5, 10), by('remote', 20, 0)]);
    expect(criterion(g, 'dvc-init')).toMatchObject({ score: 0, status: 'failed' });
    expect(criterion(g, 'stages')).toMatchObject({ score: 0.5, status: 'partial' });
    expect(criterion(g, 'remote')).toMatchObject({ score: 20, status: 'passed' });
    expect(g.score).toBe(0 + 0.5 + 20 + 15);
  });

  it('clamps negative points to zero', () => {
    expect(criterion(gradeWithOverrides(grade, [by('stages', -5, 10)]), 'stages')).toMatchObject({ score: 0, status: 'failed' });
  });
});

describe("the TA's words replace the checks' message", () => {
  it('says "adjusted by" for an automatic criterion and gives the reason as its feedback while not full', () => {
    const stages = criterion(gradeWithOverrides(grade, [by('stages', 20, 10, 'la etapa existe con otro nombre')]), 'stages');
    const said = { es: 'Ajustado por tere: la etapa existe con otro nombre', en: 'Adjusted by tere: la etapa existe con otro nombre' };
    expect(stages.message).toEqual(said);
    expect(stages.feedback).toEqual(said);
    expect(stages.override).toMatchObject({ kind: 'override', reason: 'la etapa existe con otro nombre', by: 'tere', at: '2026-09-20T10:00:00Z' });
  });

  it('says "scored by" for a manual criterion, pending or not, and drops the feedback at full points', () => {
    const pending = criterion(gradeWithOverrides(grade, [by('analysis', 15, null, 'buen análisis')]), 'analysis');
    expect(pending.message).toEqual({ es: 'Puntuado por tere: buen análisis', en: 'Scored by tere: buen análisis' });
    expect(pending.feedback).toBeUndefined();
    expect(pending.override?.kind).toBe('manual');
    // A manual criterion whose check ended in an error is still a TA's to score.
    const broken = { ...grade, criteria: [result('video', null, 10, 'error', { kind: 'manual' })] };
    const video = criterion(gradeWithOverrides(broken, [by('video', 4, null, 'falta audio')]), 'video');
    expect(video).toMatchObject({ status: 'partial', message: { en: 'Scored by tere: falta audio' }, feedback: { en: 'Scored by tere: falta audio' }, override: { kind: 'manual' } });
  });
});

describe('whether the automatic result changed since the override', () => {
  it('never says so for a criterion a TA scores by hand', () => {
    // Recorded while the criterion was automatic; the rubric now makes it manual.
    expect(criterion(gradeWithOverrides(grade, [by('analysis', 10, 5)]), 'analysis').override?.automaticChanged).toBe(false);
  });

  it('says so when the checks now give other points than the TA saw', () => {
    expect(criterion(gradeWithOverrides(grade, [by('remote', 10, 5)]), 'remote').override).toMatchObject({ automatic: 0, automaticChanged: true });
    expect(criterion(gradeWithOverrides(grade, [by('remote', 10, 0)]), 'remote').override).toMatchObject({ automatic: 0, automaticChanged: false });
  });
});

describe('the week after overrides', () => {
  it('keeps pending and error points for the criteria not overridden', () => {
    const g = gradeWithOverrides(withError, [by('remote', 10, 0)]);
    expect(g).toMatchObject({ score: 55, pendingPoints: 15, errorPoints: 20 });
  });

  it('stops counting a criterion as an error or pending once a TA scores it', () => {
    const g = gradeWithOverrides(withError, [by('tests', 12, null), by('analysis', 7.5, null)]);
    expect(g).toMatchObject({ score: 64.5, pendingPoints: 0, errorPoints: 0 });
  });

  it('passes at exactly the pass mark, not below it', () => {
    // 45 + 15 = 60 = the pass mark.
    expect(gradeWithOverrides(grade, [by('analysis', 15, null)])).toMatchObject({ score: 60, passed: true });
    expect(gradeWithOverrides(grade, [by('analysis', 14.99, null)])).toMatchObject({ score: 59.99, passed: false });
  });

  it('leaves a grade without overrides as it was recorded', () => {
    expect(gradeWithOverrides(grade, [])).toEqual(grade);
  });
});
