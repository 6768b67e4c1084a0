import { CourseConfigSchema, type CourseConfig } from '../course/config.ts';
import { loadPack, RUBRICS_DIR, type Pack } from '../rubrics/load.ts';
import { countedByRepository, type Effective } from '../report/gradebook.ts';
import type { GradingRecord } from '../store/records.ts';
import type { Store } from '../store/store.ts';

/** What the dashboard's services work with: the store, the clock, where the rubric packs are. */
export interface ServiceDeps {
  readonly store: Store;
  now(): Date;
  readonly rubricsDir?: string;
}

/**
 * A course as the record last saw it (the rubrica.yml saved with its gradings) and its
 * pack, read from our own rubrics: a service never reads GitHub. Undefined: no grading
 * of that organization was recorded yet.
 */
export async function courseOf(deps: ServiceDeps, org: string): Promise<{ config: CourseConfig; pack: Pack } | undefined> {
  const course = await deps.store.record.course(org);
  if (!course) return undefined;
  const config = CourseConfigSchema.parse(course.config);
  return { config, pack: await loadPack(config.pack, deps.rubricsDir ?? RUBRICS_DIR) };
}

/**
 * A course's gradings in force, and each repository's counted grading of each week (of
 * one week, if given), as the gradebook and the overview count them: the course's rule
 * over the gradings with the TAs' overrides applied. One read of the record.
 */
export async function courseCounts(deps: ServiceDeps, org: string, week?: number): Promise<{ gradings: readonly GradingRecord[]; counted: Effective[] }> {
  const course = await deps.store.record.course(org);
  if (!course) return { gradings: [], counted: [] };
  const filter = { org: course.org, ...(week !== undefined ? { week } : {}) };
  const [gradings, overrides] = await Promise.all([deps.store.record.gradingRecords(filter), deps.store.tas.overrides(filter)]);
  const counted = countedByRepository({ weeks: course.weeks, rule: course.counts, gradings, overrides }).flatMap((r) => r.counted.filter((e): e is Effective => e !== undefined));
  return { gradings, counted };
}
