import { describe, expect, it } from 'vitest';
import { loadPack } from '../../../src/rubrics/load.ts';

describe('the MLOps pack', () => {
  it('loads with the course settings', async () => {
    const pack = await loadPack('mlops');
    expect(pack.runner.image).toBe('rubrica/runner-mlops:1');
    expect(pack.locale).toBe('es');
    expect(pack.scale).toBe(100);
    expect(pack.passMark).toBe(0.6);
    expect(pack.title.es).toBeTruthy();
    expect(pack.title.en).toBeTruthy();
  });

  it('has 10 weeks of 100 points, 3 to 7 criteria each, week 1 as the course plan (4 x 25)', async () => {
    const pack = await loadPack('mlops');
    expect([...pack.weeks.keys()]).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    for (const week of pack.weeks.values()) {
      expect(week.criteria.reduce((s, c) => s + c.points, 0)).toBe(100);
      expect(week.criteria.length).toBeGreaterThanOrEqual(3);
      expect(week.criteria.length).toBeLessThanOrEqual(7);
    }
    const first = pack.weeks.get(1)!.criteria;
    expect(first.map((c) => c.points)).toEqual([25, 25, 25, 25]);
    expect(first.map((c) => c.kind)).toEqual(['files', 'commits', 'markdown', 'gitignore']);
    expect((first[0]!.params as { pathIsAssignment: boolean }).pathIsAssignment).toBe(true);
  });

  it("grades weeks 2-10 as a Python project wherever it sits, week 1's layout as the repository's", async () => {
    const pack = await loadPack('mlops');
    expect([...pack.weeks.values()].map((w) => w.deliverable)).toEqual(['repository', ...Array(9).fill('python-project')]);
  });

  it('gives every criterion a title and advice in Spanish and English', async () => {
    const pack = await loadPack('mlops');
    for (const week of pack.weeks.values()) {
      for (const c of week.criteria) {
        const where = `week ${week.week}, ${c.id}`;
        expect(c.title.es, where).toBeTruthy();
        expect(c.title.en, where).toBeTruthy();
        expect(c.feedback.es.length, where).toBeGreaterThan(40);
        expect(c.feedback.en.length, where).toBeGreaterThan(40);
        expect(c.feedback.es, where).not.toBe(c.feedback.en);
      }
    }
  });

  it('keeps what no machine can judge manual, at 10 to 15 points', async () => {
    const pack = await loadPack('mlops');
    const manual = [...pack.weeks.values()].flatMap((w) => w.criteria.filter((c) => c.manual).map((c) => ({ week: w.week, c })));
    expect(manual.map(({ week, c }) => `${week}:${c.id}`)).toEqual(['5:comparacion-runs', '10:video-calidad']);
    for (const { c } of manual) {
      expect(c.kind).toBe('manual');
      expect(c.points).toBeGreaterThanOrEqual(10);
      expect(c.points).toBeLessThanOrEqual(15);
    }
    for (const week of pack.weeks.values()) {
      for (const c of week.criteria) expect(c.manual).toBe(c.kind === 'manual');
    }
  });

  it('runs commands only for what the runner image can do offline', async () => {
    const pack = await loadPack('mlops');
    const commands = [...pack.weeks.values()].flatMap((w) =>
      w.criteria.filter((c) => c.kind === 'command' || c.kind === 'pytest-tests').map((c) => `${w.week}:${c.id}`),
    );
    expect(commands).toEqual([
      '2:instalable',
      '6:tests-training',
      '6:tests-config',
      '6:tests-pasan',
      '6:cobertura',
      '8:api-tests-escritos',
      '8:api-tests-pasan',
    ]);
    // DVC and MLflow are not in the image: weeks 3 and 5 are judged from files.
    for (const n of [3, 5]) {
      for (const c of pack.weeks.get(n)!.criteria) expect(['command', 'pytest-tests']).not.toContain(c.kind);
    }
  });
});
