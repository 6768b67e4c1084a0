import { describe, expect, it } from 'vitest';
import { manualCheck } from '../../../src/checks/manual.ts';
import { t } from '../../../src/core/text.ts';
import { scoreCriterion, scoreWeek } from '../../../src/grading/score.ts';
import type { Criterion, Pack, Week } from '../../../src/rubrics/load.ts';

const criterion = (id: string, points: number): Criterion => ({
  id,
  title: t(id, id),
  points,
  kind: 'files',
  check: manualCheck as Criterion['check'],
  params: {},
  feedback: t(`Arregla ${id}.`, `Fix ${id}.`),
  manual: false,
  visibility: 'always',
});

describe("what a criterion's result carries from its check", () => {
  it("keeps the check's checklist, annotations and details", () => {
    const items = [{ label: t('a', 'a'), ok: true }];
    const annotations = [{ path: 'README.md', line: 1, message: t('falta', 'missing') }];
    const r = scoreCriterion(criterion('readme', 10), { fraction: 1, message: t('', ''), items, annotations, details: 'pytest: 3 passed' });
    expect(r).toMatchObject({ items, annotations, details: 'pytest: 3 passed' });
  });

  it('has an empty checklist and no annotations or details when the check gave none', () => {
    const r = scoreCriterion(criterion('readme', 10), { fraction: 1, message: t('', '') });
    expect(r.items).toEqual([]);
    expect(r.annotations).toEqual([]);
    expect(r).not.toHaveProperty('details');
  });
});

describe('a week against its pass mark', () => {
  const pack = { scale: 10, passMark: 0.5 } as Pack;
  const week = { week: 2, title: t('S2', 'W2') } as Week;
  const scored = (fraction: number) => scoreWeek(pack, week, [scoreCriterion(criterion('a', 10), { fraction, message: t('', '') })]);

  it('passes at exactly the pass mark, and not one hundredth below', () => {
    expect(scored(0.5)).toMatchObject({ score: 5, passMark: 5, passed: true });
    expect(scored(0.499)).toMatchObject({ score: 4.99, passed: false });
  });
});
