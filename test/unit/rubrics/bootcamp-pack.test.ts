import { describe, expect, it } from 'vitest';
import { scoreCriterion } from '../../../src/grading/score.ts';
import { loadPack } from '../../../src/rubrics/load.ts';

describe('the bootcamp-deploy pack (seed 002, week 34)', () => {
  it('has the seed’s six deliverables in one week of 100 points', async () => {
    const pack = await loadPack('bootcamp-deploy');
    expect([...pack.weeks.keys()]).toEqual([1]);
    const week = pack.weeks.get(1)!;
    expect(week.title.es).toContain('Semana 34');
    expect(week.criteria.map((c) => [c.id, c.kind, c.points])).toEqual([
      ['api-fastapi', 'http', 20],
      ['dockerfile', 'dockerfile', 15],
      ['metricas', 'http', 15],
      ['api-desplegable', 'content', 20],
      ['docker-compose', 'structured', 15],
      ['docs-endpoints', 'http', 15],
    ]);
    expect(week.criteria.every((c) => c.reading)).toBe(true);
    // Docker is not in the runner image: those criteria say they were judged from the files.
    expect(week.criteria.filter((c) => c.judgedFromArtifacts).map((c) => [c.id, c.judgedFromArtifacts!.tool])).toEqual([
      ['dockerfile', 'Docker'],
      ['api-desplegable', 'Docker'],
      ['docker-compose', 'Docker'],
    ]);
  });

  it('a criterion judged from artifacts says so in its result, passed or not', async () => {
    const criterion = (await loadPack('bootcamp-deploy')).weeks.get(1)!.criteria.find((c) => c.id === 'dockerfile')!;
    for (const fraction of [1, 0]) {
      const result = scoreCriterion(criterion, { fraction, message: { es: 'Hecho.', en: 'Done.' } });
      expect(result.message.en).toBe("Done. Judged from the files, as a TA reading them would: Docker is not in the grader's image, so it was not run.");
      expect(result.message.es).toContain('Docker no está en la imagen del corrector');
    }
  });
});
