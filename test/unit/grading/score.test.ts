import { describe, expect, it } from 'vitest';
import { manualCheck } from '../../../src/checks/manual.ts';
import { t } from '../../../src/core/text.ts';
import { scoreCriterion, scoreWeek } from '../../../src/grading/score.ts';
import type { Criterion, Pack, Week } from '../../../src/rubrics/load.ts';

function criterion(id: string, points: number, extra: Partial<Criterion> = {}): Criterion {
  return {
    id,
    title: t(id, id),
    points,
    kind: 'manual',
    check: manualCheck as Criterion['check'],
    params: { instructions: t('x', 'x') },
    feedback: t(`Arregla ${id}.`, `Fix ${id}.`),
    manual: false,
    visibility: 'always',
    ...extra,
  };
}

const pack = { scale: 100, passMark: 0.6 } as Pack;
const week = { week: 1, title: t('S1', 'W1') } as Week;

describe('scoring', () => {
  it('gives partial credit as a share of the points, two decimals', () => {
    const r = scoreCriterion(criterion('estructura', 25), { fraction: 4 / 6, message: t('4 de 6', '4 of 6') });
    expect(r).toMatchObject({ score: 16.67, maxScore: 25, status: 'partial' });
    expect(r.feedback?.en).toBe('Fix estructura.');
  });

  it('passes a full criterion without feedback and clamps fractions out of range', () => {
    expect(scoreCriterion(criterion('a', 10), { fraction: 1.5, message: t('', '') })).toMatchObject({ score: 10, status: 'passed' });
    expect(scoreCriterion(criterion('a', 10), { fraction: 1, message: t('', '') }).feedback).toBeUndefined();
    expect(scoreCriterion(criterion('a', 10), { fraction: Number.NaN, message: t('', '') })).toMatchObject({ score: 0, status: 'failed' });
  });

  it('leaves manual criteria pending and errors unscored', () => {
    const pending = scoreCriterion(criterion('video', 15, { manual: true }), { fraction: 0, message: t('TA', 'TA') });
    expect(pending).toMatchObject({ score: null, status: 'pending' });
    const broken = scoreCriterion(criterion('tests', 30), {
      fraction: 0,
      message: t('', ''),
      error: { code: 'runner-image-incomplete', message: t('sin módulo', 'no module') },
    });
    expect(broken).toMatchObject({ score: null, status: 'error', message: { en: 'no module' } });
  });

  it('adds up a week, with pending and error points apart, against the pass mark', () => {
    const results = [
      scoreCriterion(criterion('a', 40), { fraction: 1, message: t('', '') }),
      scoreCriterion(criterion('b', 30), { fraction: 0.5, message: t('', '') }),
      scoreCriterion(criterion('c', 15, { manual: true }), { fraction: 0, message: t('', '') }),
      scoreCriterion(criterion('d', 15), { fraction: 0, message: t('', ''), error: { code: 'check-crashed', message: t('', '') } }),
    ];
    const scored = scoreWeek(pack, week, results);
    expect(scored).toMatchObject({ score: 55, maxScore: 100, pendingPoints: 15, errorPoints: 15, passMark: 60, passed: false });
  });
});
