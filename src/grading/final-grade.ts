import { parseUnitKey, unitOfGrade } from '../course/unit.ts';
import type { Text } from '../core/text.ts';
import type { Grade } from './grade.ts';
import type { FinalGradeSpec, UnitSelector } from '../rubrics/schema.ts';
import { roundPoints } from './score.ts';

/**
 * The course's final grade, from the gradings that count (pure). A pack declares it in
 * `pack.yaml` under `final:` in one of two ways:
 *  - weighted components (000's "Rúbrica de Evaluación Final", 001's 25/30/25/20): each
 *    component is the share of the points earned over the weeks or criteria it names, and
 *    the grade is the weighted mean of those shares on the grade scale;
 *  - levels (003: "local" 6–8, "containers" 8–10): one grading decides; a level is reached
 *    when every lower level is and its own criteria earn at least `reach` of their points,
 *    and the grade moves within the highest level reached with that level's share. Below
 *    the first level the grade is the first level's lower bound times its share (a fail).
 */

/** What the final grade reads of one counted grading (overrides and lateness applied). */
export interface CountedUnit {
  readonly week: number;
  readonly assignment?: string;
  readonly delivery?: string;
  readonly maxScore: number;
  /** The score after TAs' overrides, before the late penalty. */
  readonly score: number;
  /** After the late penalty; null when too late to be scored. */
  readonly finalScore: number | null;
  readonly criteria: readonly { readonly id: string; readonly maxScore: number; readonly score: number | null }[];
}

export interface FinalComponent {
  readonly id: string;
  readonly title: Text;
  readonly weight: number;
  readonly earned: number;
  readonly possible: number;
  /** earned ÷ possible, 0 when nothing is possible yet. */
  readonly share: number;
}

export interface FinalGrade {
  readonly grade: number;
  readonly scale: { readonly min: number; readonly max: number };
  /** Reaches the pack's pass grade (when it declares one). */
  readonly passed?: boolean;
  readonly passGrade?: number;
  /** The level reached (levels only); null below the first. */
  readonly level?: { readonly id: string; readonly title: Text } | null;
  readonly components?: readonly FinalComponent[];
  /** Points still waiting for a TA in what the grade reads (counted as 0 until scored). */
  readonly pendingPoints: number;
  /** Every unit the grade reads that is due has a counted grading. */
  readonly complete: boolean;
}

/** Does `selector` name this grading's unit? One place, so a new unit shape is matched here only. */
export function selects(selector: UnitSelector, unit: Pick<CountedUnit, 'week' | 'assignment' | 'delivery'>): boolean {
  if (selector.week !== undefined) return unit.assignment === undefined && unit.week === selector.week;
  if (selector.assignment !== unit.assignment) return false;
  return selector.delivery === undefined || selector.delivery === unit.delivery;
}

interface Tally {
  earned: number;
  possible: number;
  pending: number;
  missing: boolean;
}

/** Points earned and possible over what `selectors` name, in the counted gradings. */
function tally(selectors: readonly UnitSelector[], units: readonly CountedUnit[], possibleOf: (s: UnitSelector) => number): Tally {
  const t: Tally = { earned: 0, possible: 0, pending: 0, missing: false };
  for (const selector of selectors) {
    const unit = units.find((u) => selects(selector, u));
    if (!unit) {
      // Not handed in: its points are possible and none is earned (none possible before it is due).
      const points = possibleOf(selector);
      t.possible += points;
      if (points > 0) t.missing = true;
      continue;
    }
    // The late penalty falls on a subset of criteria in proportion: a week 20% late loses 20% of each part.
    const kept = unit.finalScore === null ? 0 : unit.score > 0 ? unit.finalScore / unit.score : 1;
    const criteria = selector.criteria ? unit.criteria.filter((c) => selector.criteria!.includes(c.id)) : unit.criteria;
    for (const c of criteria) {
      t.possible += c.maxScore;
      if (c.score === null) t.pending += c.maxScore;
      else t.earned += c.score * kept;
    }
  }
  return t;
}

const share = (t: Tally) => (t.possible > 0 ? t.earned / t.possible : 0);

function onScale(spec: FinalGradeSpec, fraction: number, from = spec.scale.min, to = spec.scale.max): number {
  const factor = 10 ** spec.scale.decimals;
  return Math.round((from + (to - from) * Math.min(1, Math.max(0, fraction))) * factor) / factor;
}

/**
 * The final grade from the counted gradings of one repository. `possibleOf` gives the
 * points of a unit (or of its named criteria) from the pack, for units not handed in.
 */
export function finalGrade(spec: FinalGradeSpec, units: readonly CountedUnit[], possibleOf: (s: UnitSelector) => number): FinalGrade {
  const scale = { min: spec.scale.min, max: spec.scale.max };
  const verdict = (grade: number) => (spec.passGrade === undefined ? {} : { passGrade: spec.passGrade, passed: grade >= spec.passGrade });
  if (spec.levels) {
    const { from, list } = spec.levels;
    let reached = -1;
    let pending = 0;
    const tallies = list.map((level) => tally([{ ...from, criteria: level.criteria }], units, possibleOf));
    for (const [i, level] of list.entries()) {
      pending += tallies[i]!.pending;
      if (reached === i - 1 && share(tallies[i]!) >= level.reach - 1e-9) reached = i;
    }
    const complete = !tallies[0]!.missing;
    const first = list[0]!;
    const grade =
      reached < 0
        ? onScale(spec, share(tallies[0]!), spec.scale.min, first.grade.min)
        : onScale(spec, share(tallies[reached]!), list[reached]!.grade.min, list[reached]!.grade.max);
    const level = reached < 0 ? null : { id: list[reached]!.id, title: list[reached]!.title };
    return { grade, scale, ...verdict(grade), level, pendingPoints: roundPoints(pending), complete };
  }
  const components = (spec.components ?? []).map((c) => ({ spec: c, t: tally(c.from, units, possibleOf) }));
  // A component with nothing possible yet (nothing due, nothing handed in) weighs nothing so far.
  const counting = components.filter((c) => c.t.possible > 0);
  const weights = counting.reduce((sum, c) => sum + c.spec.weight, 0);
  const weighted = counting.reduce((sum, c) => sum + c.spec.weight * share(c.t), 0);
  const grade = onScale(spec, weights > 0 ? weighted / weights : 0);
  return {
    grade,
    scale,
    ...verdict(grade),
    components: components.map(({ spec: c, t }) => ({ id: c.id, title: c.title, weight: c.weight, earned: roundPoints(t.earned), possible: roundPoints(t.possible), share: Math.round(share(t) * 1e4) / 1e4 })),
    pendingPoints: roundPoints(components.reduce((sum, c) => sum + c.t.pending, 0)),
    complete: components.every((c) => !c.t.missing),
  };
}

/** What a pack holds, as the final grade refers to it: a unit's criteria and their points. */
export type UnitCriteria = (selector: UnitSelector) => readonly { readonly id: string; readonly points: number }[] | undefined;

/**
 * The points of what `selector` names, from the pack, for units not handed in; 0 for
 * those not yet due (`due`), so a grade mid-course is the standing so far.
 */
export function pointsOf(criteriaOf: UnitCriteria, due: (selector: UnitSelector) => boolean = () => true): (selector: UnitSelector) => number {
  return (selector) => {
    if (!due(selector)) return 0;
    const criteria = criteriaOf(selector) ?? [];
    return criteria.filter((c) => !selector.criteria || selector.criteria.includes(c.id)).reduce((sum, c) => sum + c.points, 0);
  };
}

/** The references of `final:` that name no week, assignment or criterion of the pack (for `rubrica pack validate`). */
export function unknownReferences(spec: FinalGradeSpec, criteriaOf: UnitCriteria): { path: (string | number)[]; message: string }[] {
  const problems: { path: (string | number)[]; message: string }[] = [];
  const name = (s: UnitSelector) => (s.week !== undefined ? `week ${s.week}` : `assignment \`${s.assignment}\`${s.delivery ? ` (delivery \`${s.delivery}\`)` : ''}`);
  const check = (selector: UnitSelector, criteria: readonly string[] | undefined, path: (string | number)[]) => {
    const known = criteriaOf(selector);
    if (!known) return problems.push({ path, message: `names ${name(selector)}, which the pack does not have` });
    const ids = new Set(known.map((c) => c.id));
    for (const id of criteria ?? []) if (!ids.has(id)) problems.push({ path, message: `names the criterion \`${id}\`, which ${name(selector)} does not have` });
    return 0;
  };
  for (const [i, c] of (spec.components ?? []).entries()) for (const [j, s] of c.from.entries()) check(s, s.criteria, ['final', 'components', i, 'from', j]);
  for (const [i, level] of (spec.levels?.list ?? []).entries()) check(spec.levels!.from, level.criteria, ['final', 'levels', 'list', i, 'criteria']);
  return problems;
}

/**
 * What one grading alone says of the final grade (the CLI, before anything is recorded):
 * units other than this one weigh nothing. Decisive for a pack graded by levels.
 */
export function finalOfOneGrading(spec: FinalGradeSpec, criteriaOf: UnitCriteria, unit: CountedUnit): FinalGrade {
  return finalGrade(spec, [unit], pointsOf(criteriaOf, () => false));
}

/** Which unit a grading is, as the final grade's selectors name it (src/course/unit.ts's key read into its fields). */
export function unitFieldsOf(key: string): Pick<CountedUnit, 'week' | 'assignment' | 'delivery'> {
  const unit = parseUnitKey(key);
  if (unit?.kind !== 'assignment') return { week: unit?.week ?? 0 };
  return { week: 0, assignment: unit.assignment, ...(unit.delivery !== undefined ? { delivery: unit.delivery } : {}) };
}

/** A grading as the final grade reads it, before lateness (the CLI's). */
export function countedUnitOf(grade: Pick<Grade, 'week' | 'unit' | 'score' | 'maxScore' | 'criteria'>): CountedUnit {
  return { ...unitFieldsOf(unitOfGrade(grade)), maxScore: grade.maxScore, score: grade.score, finalScore: grade.score, criteria: grade.criteria.map((c) => ({ id: c.id, maxScore: c.maxScore, score: c.score })) };
}
