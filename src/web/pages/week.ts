import { plain, type Locale } from '../../core/text.ts';
import type { OverriddenCriterion } from '../../grading/overrides.ts';
import { countedByRepository } from '../../report/gradebook.ts';
import type { StoredGrading } from '../../store/record.ts';
import type { Override } from '../../store/records.ts';
import type { CourseInfo } from '../context.ts';
import { parts, type TextPart } from './repository.ts';

/**
 * One week across the class (pure): of the counted gradings, each criterion's share
 * passed, partial, failed, pending and not graded (an error of ours), as bars of an
 * inline SVG chart; and the failure messages seen most often: what the class struggles with.
 */
export const OUTCOMES = ['passed', 'partial', 'failed', 'pending', 'error'] as const;
export type Outcome = (typeof OUTCOMES)[number];

export interface CriterionRate {
  readonly id: string;
  readonly title: string;
  readonly counts: Readonly<Record<Outcome, number>>;
  readonly total: number;
  /** Share passed, 0..100, whole. */
  readonly passPercent: number;
  /** The chart's bar segments (x and width in the chart's units). */
  readonly segments: readonly { readonly outcome: Outcome; readonly x: number; readonly width: number; readonly count: number }[];
}

export interface CommonFailure {
  readonly criterion: string;
  readonly title: string;
  readonly message: readonly TextPart[];
  readonly count: number;
}

export interface WeekPage {
  readonly week: number;
  readonly weeks: number;
  readonly counted: number;
  readonly criteria: readonly CriterionRate[];
  readonly failures: readonly CommonFailure[];
  readonly chart: { readonly width: number; readonly height: number; readonly labelWidth: number; readonly barWidth: number; readonly row: number };
}

// Narrow enough that a phone's width still shows the labels at a readable size.
const CHART = { width: 560, labelWidth: 210, barWidth: 290, row: 30 };

/** What a criterion came to once the TAs' points are in: an overridden one by its points. */
function outcomeOf(c: OverriddenCriterion): Outcome {
  if (!c.overridden) return c.status;
  const score = c.score ?? 0;
  return score >= c.maxScore ? 'passed' : score > 0 ? 'partial' : 'failed';
}

export function weekPage(input: { readonly course: CourseInfo; readonly week: number; readonly gradings: readonly StoredGrading[]; readonly overrides: readonly Override[]; readonly locale: Locale }): WeekPage {
  const counted = countedByRepository({ weeks: input.course.weeks, rule: input.course.counts, gradings: input.gradings.filter((g) => g.week === input.week), overrides: input.overrides })
    .flatMap((r) => (r.counted[input.week - 1] ? [r.counted[input.week - 1]!] : []));
  const rates = new Map<string, { title: string; counts: Record<Outcome, number> }>();
  const failures = new Map<string, CommonFailure>();
  for (const effective of counted) {
    const full = (effective.record as StoredGrading).grade;
    const titles = new Map((full?.criteria ?? []).map((c) => [c.id, c]));
    for (const c of effective.criteria) {
      const result = titles.get(c.id);
      let rate = rates.get(c.id);
      if (!rate) rates.set(c.id, (rate = { title: result?.title[input.locale] ?? c.id, counts: { passed: 0, partial: 0, failed: 0, pending: 0, error: 0 } }));
      const outcome = outcomeOf(c);
      rate.counts[outcome]++;
      if ((outcome === 'failed' || outcome === 'partial') && !c.overridden && result) {
        const text = result.message[input.locale];
        const key = `${c.id}\u0000${plain(text)}`;
        const seen = failures.get(key);
        failures.set(key, seen ? { ...seen, count: seen.count + 1 } : { criterion: c.id, title: rate.title, message: parts(text), count: 1 });
      }
    }
  }
  const criteria = [...rates.entries()].map(([id, r]) => {
    const total = OUTCOMES.reduce((sum, o) => sum + r.counts[o], 0);
    let x = CHART.labelWidth;
    const segments = OUTCOMES.filter((o) => r.counts[o] > 0).map((outcome) => {
      const width = total ? (r.counts[outcome] / total) * CHART.barWidth : 0;
      const segment = { outcome, x: round(x), width: round(width), count: r.counts[outcome] };
      x += width;
      return segment;
    });
    return { id, title: r.title, counts: r.counts, total, passPercent: total ? Math.round((r.counts.passed / total) * 100) : 0, segments };
  });
  return {
    week: input.week,
    weeks: input.course.weeks,
    counted: counted.length,
    criteria,
    failures: [...failures.values()].sort((a, b) => b.count - a.count || a.criterion.localeCompare(b.criterion)).slice(0, 10),
    chart: { ...CHART, height: Math.max(1, criteria.length) * CHART.row + 10 },
  };
}

const round = (n: number) => Math.round(n * 10) / 10;
