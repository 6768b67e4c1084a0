import { describe, expect, it } from 'vitest';
import { t } from '../../../src/core/text.ts';
import { renderJson } from '../../../src/report/json.ts';
import { grade, result } from '../../helpers/grade.ts';

/** The `--json` report: field names and values a script relies on. */
const graded = {
  ...grade,
  criteria: [
    result('stages', 10, 30, 'partial', {
      items: [
        { label: t('etapa train', 'train stage'), ok: false, note: t('falta `cmd`', '`cmd` missing') },
        { label: t('etapa test', 'test stage'), ok: true },
      ],
      details: 'dvc.yaml: 2 stages',
      annotations: [
        { path: 'dvc.yaml', line: 3, message: t('aquí', 'here') },
        { path: 'params.yaml', message: t('todo el archivo', 'the whole file') },
      ],
    }),
    result('dvc-init', 20, 20, 'passed'),
    result('secret', 0, 15, 'failed', {
      visibility: 'after-deadline',
      details: 'secret details',
      items: [{ label: t('oculto', 'hidden'), ok: false }],
      annotations: [{ path: 'secret.py', line: 1, message: t('oculto', 'hidden') }],
    }),
  ],
};

describe('the --json report', () => {
  it("carries the week's totals and each criterion's results, in the chosen language", () => {
    const json = renderJson(graded, 'en', false);
    expect(json).toMatchObject({
      pack: 'mlops',
      week: 3,
      title: 'DVC',
      commit: 'abcdef1234567890',
      score: 45,
      maxScore: 100,
      pendingPoints: 15,
      errorPoints: 0,
      passMark: 60,
      passed: false,
      skipped: [],
      image: 'rubrica/runner-mlops:1',
      packHash: 'h',
      timings: grade.timings,
    });
    expect(json.criteria[0]).toEqual({
      id: 'stages',
      title: 'Title stages',
      kind: 'files',
      score: 10,
      maxScore: 30,
      status: 'partial',
      message: 'message stages',
      feedback: 'do stages',
      items: [
        { label: 'train stage', ok: false, note: '`cmd` missing' },
        { label: 'test stage', ok: true },
      ],
      details: 'dvc.yaml: 2 stages',
      annotations: [
        { path: 'dvc.yaml', line: 3, message: 'here' },
        { path: 'params.yaml', message: 'the whole file' },
      ],
      visibility: 'always',
    });
    expect(renderJson(graded, 'es', false).criteria[0]).toMatchObject({ title: 'Título stages', message: 'mensaje stages', feedback: 'haz stages', items: [{ label: 'etapa train', note: 'falta `cmd`' }, { label: 'etapa test' }] });
  });

  it('has no feedback or details for a criterion without them', () => {
    const passed = renderJson(graded, 'en', false).criteria[1]!;
    expect(passed).not.toHaveProperty('feedback');
    expect(passed).not.toHaveProperty('details');
  });

  it("keeps an after-deadline criterion's message, feedback, checklist, details and annotations out until revealed", () => {
    const hidden = renderJson(graded, 'en', false).criteria[2]!;
    expect(hidden).toMatchObject({ id: 'secret', message: null, items: [], annotations: [], visibility: 'after-deadline' });
    expect(hidden).not.toHaveProperty('feedback');
    expect(hidden).not.toHaveProperty('details');
    expect(renderJson(graded, 'en', true).criteria[2]).toMatchObject({
      message: 'message secret',
      feedback: 'do secret',
      details: 'secret details',
      items: [{ label: 'hidden', ok: false }],
      annotations: [{ path: 'secret.py', line: 1, message: 'hidden' }],
    });
  });
});

describe('--json for a project week', () => {
  it('names the graded folder, its candidates and what the runner image lacks; neither for a repository week', () => {
    const project = { root: 'portfolio/mlops\n', rule: 'most-deliverables' as const, candidates: [{ root: 'portfolio/mlops\n', deliverables: 4 }, { root: 'old', deliverables: 1 }] };
    const environment = { missing: [{ module: 'pandera', distribution: 'pandera', declaredIn: 'requirements.txt' }] };
    const json = renderJson({ ...graded, project, environment }, 'en', false);
    // One line each: a folder name cannot forge lines in a script's output.
    expect(json.project).toEqual({ root: 'portfolio/mlops ', rule: 'most-deliverables', candidates: [{ root: 'portfolio/mlops ', deliverables: 4 }, { root: 'old', deliverables: 1 }] });
    expect(json.environment).toEqual(environment);
    const plainWeek = renderJson(graded, 'en', false);
    expect('project' in plainWeek || 'environment' in plainWeek).toBe(false);
  });
});
