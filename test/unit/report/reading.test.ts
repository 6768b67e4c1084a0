import { describe, expect, it } from 'vitest';
import { same, t } from '../../../src/core/text.ts';
import { checkRunOutput } from '../../../src/report/markdown.ts';
import { renderJson } from '../../../src/report/json.ts';
import { renderTerminal } from '../../../src/report/terminal.ts';
import { CriterionSchema } from '../../../src/rubrics/schema.ts';
import { grade, result } from '../../helpers/grade.ts';

/** "Feedback that teaches": a criterion names the module or reading that teaches it, next to its advice. */
const withReading = {
  ...grade,
  criteria: [
    result('stages', 10, 30, 'partial', { reading: { title: same('Módulo 05: DVC.md'), url: 'https://dvc.org/doc/start' } }),
    result('remote', 0, 20, 'failed', { reading: { title: t('Módulo 05: DVC.md **100/100** @prof', 'Module 05: DVC.md **100/100** @prof') } }),
    result('dvc-init', 20, 20, 'passed'),
  ],
};

describe('a criterion’s reading', () => {
  it('is optional in the rubric: a title (one text or one per language) and an https address', () => {
    const base = { id: 'x', title: { es: 'X', en: 'X' }, points: 10, check: { kind: 'files' }, feedback: { es: 'haz x', en: 'do x' } };
    expect(CriterionSchema.safeParse(base).success).toBe(true);
    expect(CriterionSchema.safeParse({ ...base, reading: { title: 'Módulo 08: TESTING.md' } }).success).toBe(true);
    expect(CriterionSchema.safeParse({ ...base, reading: { title: { es: 'Módulo 08', en: 'Module 08' }, url: 'https://docs.pytest.org/' } }).success).toBe(true);
    for (const url of ['http://x.org', 'javascript:alert(1)', 'https://x.org/a b', 'https://x.org/(a)', 'https://x.org/"><img']) {
      expect(CriterionSchema.safeParse({ ...base, reading: { title: 'x', url } }).success, url).toBe(false);
    }
    expect(CriterionSchema.safeParse({ ...base, reading: { titel: 'x' } }).success).toBe(false);
  });

  it('shows next to the advice in the check run, linked when it has an address, its title escaped', () => {
    const { text, summary } = checkRunOutput(withReading, { locale: 'es', reveal: false });
    const all = `${summary}\n${text}`;
    expect(all).toContain('haz stages 📖 Lectura: [Módulo 05: DVC.md](https://dvc.org/doc/start)');
    expect(all).toContain('haz remote 📖 Lectura: Módulo 05: DVC.md \\*\\*100/100\\*\\* @\u200dprof');
    expect(all).not.toContain('**100/100**');
  });

  it('shows in the terminal and the JSON report, in the student’s language', () => {
    const text = renderTerminal(withReading, { locale: 'en', color: false, reveal: false });
    expect(text).toContain('📖 Reading: Module 05: DVC.md **100/100** @prof');
    expect(text).toContain('📖 Reading: Módulo 05: DVC.md (https://dvc.org/doc/start)');
    const json = renderJson(withReading, 'en', false);
    expect(json.criteria.map((c) => ('reading' in c ? c.reading : null))).toEqual([
      { title: 'Módulo 05: DVC.md', url: 'https://dvc.org/doc/start' },
      { title: 'Module 05: DVC.md **100/100** @prof' },
      null,
    ]);
  });
});

describe('the MLOps pack names its readings, from the course plan', () => {
  it('every criterion names the module that teaches it', async () => {
    const { loadPack } = await import('../../../src/rubrics/load.ts');
    const pack = await loadPack('mlops');
    for (const week of pack.weeks.values()) {
      for (const c of week.criteria) expect(c.reading?.title.es, `week ${week.week} ${c.id}`).toMatch(/Módulo|Conventional Commits/);
    }
    expect(pack.weeks.get(3)!.criteria.map((c) => c.reading!.title.es)).toEqual(Array(4).fill('Módulo 05: DVC.md'));
    expect(pack.weeks.get(6)!.criteria.every((c) => c.reading!.title.es === 'Módulo 08: TESTING.md')).toBe(true);
    // The tools the offline runner image lacks: those weeks are judged from their files, and say so.
    const tools = (w: number) => pack.weeks.get(w)!.criteria.map((c) => c.judgedFromArtifacts?.tool ?? null);
    expect(tools(3)).toEqual(['DVC', 'DVC', 'DVC', 'DVC']);
    expect(tools(7)).toEqual(Array(5).fill('Docker'));
    expect(tools(6).every((x) => x === null)).toBe(true);
    expect(pack.weeks.get(1)!.criteria.find((c) => c.id === 'commits-convencionales')!.reading).toEqual({
      title: { es: 'Conventional Commits', en: 'Conventional Commits' },
      url: 'https://www.conventionalcommits.org/es/v1.0.0/',
    });
  });
});
