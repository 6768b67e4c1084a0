import { CourseConfigSchema, type CourseConfig } from '../course/config.ts';
import { loadPack, RUBRICS_DIR, type Pack } from '../rubrics/load.ts';
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
