import { formatProblem, type RubricProblem } from '../rubrics/problems.ts';
import { loadPack, PackNotFoundError, parseYamlFile, RUBRICS_DIR, type Pack } from '../rubrics/load.ts';
import { RubricError } from '../rubrics/problems.ts';
import { CourseConfigSchema, type CourseConfig } from './config.ts';

/** Where the course file lives: in the organization's `.github` repository, never in a student's. */
export const COURSE_REPO = '.github';
export const COURSE_FILE = '.github/rubrica.yml';

export type CourseSetup =
  | { readonly status: 'ready'; readonly config: CourseConfig; readonly pack: Pack }
  | { readonly status: 'missing'; readonly reason: 'no-repo' | 'no-file' }
  | { readonly status: 'invalid'; readonly problems: readonly string[] };

/**
 * The course file's text, checked: the schema, then the pack it names and whether the
 * pack has the weeks the course runs. Pure but for reading the (server-side) packs.
 */
export async function parseCourseFile(source: string, rubricsDir = RUBRICS_DIR): Promise<CourseSetup> {
  const problems: RubricProblem[] = [];
  const parsed = parseYamlFile(COURSE_FILE, source, CourseConfigSchema, problems);
  if (!parsed) return { status: 'invalid', problems: problems.map(formatProblem) };
  const config = parsed.data as CourseConfig;
  let pack: Pack;
  try {
    pack = await loadPack(config.pack, rubricsDir);
  } catch (error) {
    if (error instanceof PackNotFoundError) return { status: 'invalid', problems: [`${COURSE_FILE}: pack: ${error.message}`] };
    if (error instanceof RubricError) return { status: 'invalid', problems: error.problems.map(formatProblem) };
    throw error;
  }
  const missing = Array.from({ length: config.weeks }, (_, i) => i + 1).filter((w) => !pack.weeks.has(w));
  if (missing.length) {
    return {
      status: 'invalid',
      problems: [`${COURSE_FILE}: weeks: the course runs ${config.weeks} weeks but pack "${pack.name}" has no rubric for week ${missing.join(', ')}`],
    };
  }
  return { status: 'ready', config, pack };
}

/** The student's login from the course's naming (`<prefix><login>`, GitHub Classroom's), if the name follows it. */
export function loginFromName(config: CourseConfig, name: string): string | null {
  const { prefix } = config.students;
  return prefix && name.toLowerCase().startsWith(prefix.toLowerCase()) && name.length > prefix.length ? name.slice(prefix.length) : null;
}

/** Which repositories are students': `<prefix><login>` (GitHub Classroom's naming) or a topic. */
export function studentOf(config: CourseConfig, repo: { readonly name: string; readonly topics?: readonly string[] }): string | null {
  const login = loginFromName(config, repo.name);
  if (login !== null) return login;
  const { topic } = config.students;
  if (topic && repo.topics?.includes(topic)) return repo.name;
  return null;
}
