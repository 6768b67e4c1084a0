import { deadlineOfUnit } from '../course/calendar.ts';
import type { CourseConfig } from '../course/config.ts';
import { assignmentUnit, unitKey, weekUnit, type GradingUnit } from '../course/unit.ts';
import type { CountingRule, Lateness } from '../store/records.ts';
import { roundPoints } from './score.ts';

/**
 * The late policy, as pure functions of the course file and the recorded gradings.
 * Lateness is measured in elapsed time from the effective deadline, never in calendar
 * days, so a daylight-saving change cannot make a push a day more or less late.
 */

const MINUTE = 60_000;
const DAY = 86_400_000;

/** How late a push delivered at `deliveredAt` is for its unit (a week, an assignment's delivery), with a TA's extension if any. */
export function lateness(config: CourseConfig, unit: GradingUnit, deliveredAt: Date, extensionMinutes = 0): Lateness {
  const deadline = deadlineOfUnit(config, unit);
  if (!deadline) throw new Error(`the course has no ${unitKey(unit)}`);
  const effective = new Date(deadline.getTime() + extensionMinutes * MINUTE);
  const base = { deadline: deadline.toISOString(), effectiveDeadline: effective.toISOString() };
  const elapsed = deliveredAt.getTime() - effective.getTime();
  if (elapsed <= config.late.graceMinutes * MINUTE) {
    return { ...base, minutesLate: 0, daysLate: 0, penaltyFraction: 0, status: 'on-time' };
  }
  // Past grace, days count from the deadline itself: one minute past grace is a whole day.
  const daysLate = Math.ceil(elapsed / DAY);
  // Rounded so 3 × 0.1 is stored as 0.3, not 0.30000000000000004.
  const penaltyFraction = Math.round(Math.min(daysLate * config.late.penaltyPerDay, config.late.maxPenalty) * 1e6) / 1e6;
  return {
    ...base,
    minutesLate: Math.ceil(elapsed / MINUTE),
    daysLate,
    penaltyFraction,
    status: daysLate > config.late.maxDaysLate ? 'too-late' : 'late',
  };
}

/**
 * Points off for lateness and what is left. The penalty is a share of the week's scale
 * (so a late perfect week and a late half week lose the same points), capped at the score.
 * A too-late push keeps its penalty for the record but scores nothing (null, not 0).
 */
export function finalScore(score: number, maxScore: number, late: Lateness): { penalty: number; finalScore: number | null } {
  const penalty = Math.max(0, Math.min(roundPoints(late.penaltyFraction * maxScore), score));
  if (late.status === 'too-late') return { penalty, finalScore: null };
  return { penalty, finalScore: roundPoints(Math.max(0, score - penalty)) };
}

/**
 * The one lateness rule every caller uses (the grading, an extension's re-measure):
 * how late a delivery is for its unit and what its score comes to.
 */
export function measuredLateness(config: CourseConfig, unit: GradingUnit, deliveredAt: Date, extensionMinutes: number, score: number, maxScore: number): { late: Lateness; penalty: number; finalScore: number | null } {
  const late = lateness(config, unit, deliveredAt, extensionMinutes);
  return { late, ...finalScore(score, maxScore, late) };
}

/**
 * Which units are past their deadline at `now` (for the final grade's standing so far): a
 * week, an assignment, or a delivery; an assignment named without its delivery is due with
 * its last one. A unit the course does not have (a week past its last) never falls due.
 */
export function dueBy(config: CourseConfig, now: Date): (unit: { readonly week?: number; readonly assignment?: string; readonly delivery?: string }) => boolean {
  return (unit) => {
    let named: GradingUnit | undefined;
    if (unit.week !== undefined) named = weekUnit(unit.week);
    else if (unit.assignment !== undefined) {
      const last = config.assignments.find((a) => a.id === unit.assignment)?.deliveries?.at(-1)?.id;
      named = assignmentUnit(unit.assignment, unit.delivery ?? last);
    }
    const deadline = named ? deadlineOfUnit(config, named) : undefined;
    return deadline !== undefined && deadline.getTime() < now.getTime();
  };
}

interface Countable {
  readonly gradedAt: string;
  readonly deliveredAt: string;
  readonly finalScore: number | null;
  readonly late: Lateness;
}

/** Later delivery first, then later grading (a re-run of the same push). */
function compareRecency(a: Countable, b: Countable): number {
  return Date.parse(a.deliveredAt) - Date.parse(b.deliveredAt) || Date.parse(a.gradedAt) - Date.parse(b.gradedAt);
}

function latestOf<T extends Countable>(gradings: readonly T[]): T | undefined {
  let latest: T | undefined;
  for (const g of gradings) if (latest === undefined || compareRecency(g, latest) >= 0) latest = g;
  return latest;
}

/**
 * The grading that counts for a week under the course's rule. Under `latest` a too-late
 * push still counts (and counts as nothing): a student who pushed after the window chose
 * to replace the earlier work. Under `best`, a scored grading always beats an unscored one.
 */
export function countedGrading<T extends Countable>(gradings: readonly T[], rule: CountingRule): T | undefined {
  switch (rule) {
    case 'latest':
      return latestOf(gradings);
    case 'latest-on-time':
      return latestOf(gradings.filter((g) => g.late.status === 'on-time'));
    case 'best': {
      const scored = gradings.filter((g) => g.finalScore !== null);
      if (scored.length === 0) return latestOf(gradings);
      const top = Math.max(...scored.map((g) => g.finalScore!));
      return latestOf(scored.filter((g) => g.finalScore === top));
    }
  }
}
