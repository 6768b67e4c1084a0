import { t } from '../core/text.ts';
import type { Override, RecordedCriterion } from '../store/records.ts';
import type { Grade } from './grade.ts';
import { roundPoints, type CriterionResult } from './score.ts';

/**
 * The one override rule, which the check run, the comment and the gradebook all use:
 * a TA's points for a criterion count within its range (0 to its current maximum,
 * so a rubric that lowered the maximum cannot leave more points than it allows),
 * rounded like every score.
 */
export function overriddenPoints(maxScore: number, points: number): number {
  return roundPoints(Math.min(maxScore, Math.max(0, points)));
}

function statusOf(points: number, maxScore: number): 'passed' | 'partial' | 'failed' {
  return points >= maxScore ? 'passed' : points > 0 ? 'partial' : 'failed';
}

export type OverriddenCriterion = RecordedCriterion & {
  /** The points the checks gave (null when pending or in error). */
  readonly automatic: number | null;
  readonly overridden: boolean;
};

/**
 * A recorded grading's criteria with the TAs' overrides (the gradebook's view): a
 * TA's points replace a criterion's, pending or not; a later override of the same
 * criterion wins. Overrides naming a criterion the grading lacks (the rubric
 * changed) are ignored: without the criterion there is no scale to score it on.
 */
export function applyOverrides(
  criteria: readonly RecordedCriterion[],
  overrides: readonly { criterion: string; points: number }[],
): { criteria: OverriddenCriterion[]; score: number } {
  const points = new Map(overrides.map((o) => [o.criterion, o.points]));
  const out = criteria.map((c): OverriddenCriterion => {
    const p = points.get(c.id);
    if (p === undefined) return { ...c, automatic: c.score, overridden: false };
    const score = overriddenPoints(c.maxScore, p);
    return { ...c, score, status: statusOf(score, c.maxScore), automatic: c.score, overridden: true };
  });
  return { criteria: out, score: roundPoints(out.reduce((sum, c) => sum + (c.score ?? 0), 0)) };
}

/**
 * A grade as it stands with the TAs' overrides for its week (the check run's and the
 * comment's view; the points follow overriddenPoints, as in applyOverrides): each overridden
 * criterion keeps its automatic result beside the TA's points and reason; the
 * total, pending points and pass follow. Pure: the record keeps the automatic grade.
 */
export function gradeWithOverrides(grade: Grade, overrides: readonly Override[]): Grade {
  if (overrides.length === 0) return grade;
  const byCriterion = new Map(overrides.map((o) => [o.criterion, o]));
  const criteria = grade.criteria.map((c): CriterionResult => {
    const o = byCriterion.get(c.id);
    if (!o) return c;
    const points = overriddenPoints(c.maxScore, o.points);
    const { feedback: _feedback, ...rest } = c;
    const status = statusOf(points, c.maxScore);
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
