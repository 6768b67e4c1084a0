import { t } from '../../src/core/text.ts';
import type { Grade } from '../../src/grading/grade.ts';
import type { CriterionResult } from '../../src/grading/score.ts';

/** A criterion's result as the scorer would give it. */
export function result(id: string, score: number | null, maxScore: number, status: CriterionResult['status'], extra: Partial<CriterionResult> = {}): CriterionResult {
  return {
    id,
    title: t(`Título ${id}`, `Title ${id}`),
    kind: 'files',
    maxScore,
    score,
    status,
    message: t(`mensaje ${id}`, `message ${id}`),
    ...(status === 'passed' || status === 'pending' ? {} : { feedback: t(`haz ${id}`, `do ${id}`) }),
    items: [],
    annotations: [],
    visibility: 'always',
    ...extra,
  };
}

/** A week-3 grade: passed, partial, failed, hidden-until-deadline and pending criteria. */
export const grade: Grade = {
  week: 3,
  title: t('DVC', 'DVC'),
  score: 45,
  maxScore: 100,
  pendingPoints: 15,
  errorPoints: 0,
  passMark: 60,
  passed: false,
  criteria: [
    result('dvc-init', 20, 20, 'passed'),
    result('stages', 10, 30, 'partial', { items: [{ label: t('etapa train', 'train stage'), ok: false, note: t('falta `cmd`', '`cmd` missing') }] }),
    result('remote', 0, 20, 'failed'),
    result('secret', 15, 15, 'passed', { visibility: 'after-deadline' }),
    result('analysis', null, 15, 'pending'),
  ],
  pack: 'mlops',
  packHash: 'h',
  commit: 'abcdef1234567890',
  image: 'rubrica/runner-mlops:1',
  imageId: 'sha256:x',
  skipped: [],
  timings: { totalMs: 1, containerMs: 1, copyMs: 1, inspectMs: 1, commandsMs: 0 },
};
