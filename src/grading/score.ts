import type { ChecklistItem, Annotation, Outcome } from '../checks/types.ts';
import type { Text } from '../core/text.ts';
import type { Criterion, Pack, Reading, Week } from '../rubrics/load.ts';

export type CriterionStatus = 'passed' | 'partial' | 'failed' | 'pending' | 'error';

export interface CriterionResult {
  readonly id: string;
  readonly title: Text;
  readonly kind: string;
  readonly maxScore: number;
  /** null while pending (a TA scores it) or when the check could not be run (an error of ours). */
  readonly score: number | null;
  readonly status: CriterionStatus;
  readonly message: Text;
  /** The rubric's advice, for a criterion not fully met. */
  readonly feedback?: Text;
  /** The module or reading that teaches it, with the advice. */
  readonly reading?: Reading;
  readonly items: readonly ChecklistItem[];
  readonly details?: string;
  readonly annotations: readonly Annotation[];
  readonly visibility: 'always' | 'after-deadline';
  /** A TA's points in place of the checks' (shown as automatic → override, with the reason). */
  readonly override?: CriterionOverride;
}

export interface CriterionOverride {
  /** What the checks gave (null: pending or not graded). */
  readonly automatic: number | null;
  readonly points: number;
  readonly by: string;
  readonly reason: string;
  readonly at: string;
  /** 'manual': a TA scored a manual criterion; 'override': a TA replaced an automatic result. */
  readonly kind: 'override' | 'manual';
  /** The automatic result now differs from the one the TA saw when overriding. */
  readonly automaticChanged: boolean;
}

export interface ScoredWeek {
  /** The week number; 0 for an assignment (see `unit`). */
  readonly week: number;
  /** What was graded (src/course/unit.ts): `week-3`, `final`, `final/first`. Older grades lack it: their week says. */
  readonly unit?: string;
  readonly title: Text;
  readonly score: number;
  readonly maxScore: number;
  /** Points of manual criteria a TA has yet to score. */
  readonly pendingPoints: number;
  /** Points not scored because of an error of ours or of the course's setup. */
  readonly errorPoints: number;
  readonly passMark: number;
  readonly passed: boolean;
  readonly criteria: readonly CriterionResult[];
}

/** A result recorded now but shown to the student after the deadline (unless revealed, for instructors). */
export function isHidden(c: Pick<CriterionResult, 'visibility'>, reveal: boolean): boolean {
  return c.visibility === 'after-deadline' && !reveal;
}

/** Two decimals: 4 of 6 folders of 25 points is 16.67. */
export function roundPoints(n: number): number {
  return Math.round(n * 100) / 100;
}

/** A criterion's outcome, turned into points. */
export function scoreCriterion(criterion: Criterion, outcome: Outcome): CriterionResult {
  const base = {
    id: criterion.id,
    title: criterion.title,
    kind: criterion.kind,
    maxScore: criterion.points,
    items: outcome.items ?? [],
    annotations: outcome.annotations ?? [],
    visibility: criterion.visibility,
    ...(outcome.details ? { details: outcome.details } : {}),
  };
  if (outcome.error) {
    return { ...base, score: null, status: 'error', message: outcome.error.message };
  }
  if (criterion.manual) {
    return { ...base, score: null, status: 'pending', message: outcome.message };
  }
  const message = criterion.judgedFromArtifacts ? judgedFromArtifacts(outcome.message, criterion.judgedFromArtifacts.tool) : outcome.message;
  const fraction = Math.min(1, Math.max(0, Number.isFinite(outcome.fraction) ? outcome.fraction : 0));
  const score = roundPoints(criterion.points * fraction);
  const status: CriterionStatus = fraction >= 1 ? 'passed' : fraction > 0 ? 'partial' : 'failed';
  return {
    ...base,
    score,
    status,
    message,
    ...(status === 'passed' ? {} : { feedback: criterion.feedback, ...(criterion.reading ? { reading: criterion.reading } : {}) }),
  };
}

/** The sentence that tells a student the tool was not run, only its files read. */
function judgedFromArtifacts(message: Text, tool: string): Text {
  return {
    es: `${message.es} Juzgado a partir de los archivos, como lo haría un ayudante al leerlos: ${tool} no está en la imagen del corrector, así que no se ejecutó.`,
    en: `${message.en} Judged from the files, as a TA reading them would: ${tool} is not in the grader's image, so it was not run.`,
  };
}

export function scoreWeek(pack: Pack, week: Week, results: readonly CriterionResult[]): ScoredWeek {
  const score = roundPoints(results.reduce((sum, r) => sum + (r.score ?? 0), 0));
  const pendingPoints = roundPoints(results.filter((r) => r.status === 'pending').reduce((s, r) => s + r.maxScore, 0));
  const errorPoints = roundPoints(results.filter((r) => r.status === 'error').reduce((s, r) => s + r.maxScore, 0));
  const maxScore = week.scale ?? pack.scale;
  const passMark = roundPoints(pack.passMark * maxScore);
  return {
    week: week.week,
    unit: week.unit,
    title: week.title,
    score,
    maxScore,
    pendingPoints,
    errorPoints,
    passMark,
    passed: score >= passMark,
    criteria: results,
  };
}
