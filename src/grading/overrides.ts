import { t } from '../core/text.ts';
import type { Override } from '../store/records.ts';
import type { Grade } from './grade.ts';
import { roundPoints, type CriterionResult } from './score.ts';

/**
 * A grade as it stands with the TAs' overrides for its week: each overridden
 * criterion keeps its automatic result beside the TA's points and reason; the
 * total, pending points and pass follow. Pure: the record keeps the automatic grade.
 */
export function gradeWithOverrides(grade: Grade, overrides: readonly Override[]): Grade {
  if (overrides.length === 0) return grade;
  const byCriterion = new Map(overrides.map((o) => [o.criterion, o]));
  const criteria = grade.criteria.map((c): CriterionResult => {
    const o = byCriterion.get(c.id);
    if (!o) return c;
    const points = roundPoints(Math.min(c.maxScore, Math.max(0, o.points)));
    const { feedback: _feedback, ...rest } = c;
    const status = points >= c.maxScore ? 'passed' : points > 0 ? 'partial' : 'failed';
    const manual = c.status === 'pending' || c.kind === 'manual';
    // The TA's reason is what the student reads, also in "what to do first": the checks' message no longer applies.
    const said = t(`${manual ? 'Puntuado por' : 'Ajustado por'} ${o.by}: ${o.reason}`, `${manual ? 'Scored by' : 'Adjusted by'} ${o.by}: ${o.reason}`);
    return {
      ...rest,
      score: points,
      status,
      message: said,
      ...(status !== 'passed' ? { feedback: said } : {}),
      override: {
        automatic: c.score,
        points,
        by: o.by,
        reason: o.reason,
        at: o.at,
        kind: manual ? 'manual' : 'override',
        automaticChanged: c.status !== 'pending' && o.automaticPoints !== c.score,
      },
    };
  });
  const score = roundPoints(criteria.reduce((sum, c) => sum + (c.score ?? 0), 0));
  const pendingPoints = roundPoints(criteria.filter((c) => c.status === 'pending').reduce((s, c) => s + c.maxScore, 0));
  const errorPoints = roundPoints(criteria.filter((c) => c.status === 'error').reduce((s, c) => s + c.maxScore, 0));
  return { ...grade, criteria, score, pendingPoints, errorPoints, passed: score >= grade.passMark };
}
