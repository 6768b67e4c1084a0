import { describe, expect, it } from 'vitest';
import { loadPack } from '../../../src/rubrics/load.ts';

describe('the MLOps pack', () => {
  it('has 10 weeks of 100 points, week 1 as the course plan (4 x 25)', async () => {
    const pack = await loadPack('mlops');
    expect([...pack.weeks.keys()]).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    for (const week of pack.weeks.values()) {
      expect(week.criteria.reduce((s, c) => s + c.points, 0)).toBe(100);
    }
    expect(pack.weeks.get(1)!.criteria.map((c) => c.points)).toEqual([25, 25, 25, 25]);
  });

  it('gives every criterion advice in Spanish and English, and keeps manual ones manual', async () => {
    const pack = await loadPack('mlops');
    for (const week of pack.weeks.values()) {
      for (const c of week.criteria) {
        expect(c.feedback.es).not.toBe(c.feedback.en);
        expect(c.manual).toBe(c.kind === 'manual');
      }
    }
    const manual = [...pack.weeks.values()].flatMap((w) => w.criteria.filter((c) => c.manual).map((c) => `${w.week}:${c.id}`));
    expect(manual).toEqual(['5:comparacion-runs', '10:video-calidad']);
  });
});
