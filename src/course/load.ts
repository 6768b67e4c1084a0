import { formatProblem, type RubricProblem } from '../rubrics/problems.ts';
import { loadPack, PackNotFoundError, parseYamlFile, RUBRICS_DIR, type Pack, type Week } from '../rubrics/load.ts';
import { assignmentOf, assignmentUnitAt, courseMomentAt, type CourseMoment } from './calendar.ts';
import { assignmentUnit, parseUnitKey, unitKey, weekUnit, type UnitKey } from './unit.ts';
import { RubricError } from '../rubrics/problems.ts';
import { parse as parseYaml } from 'yaml';
import { CourseConfigSchema, MultiCourseFileSchema, type AssignmentConfig, type CourseConfig, type CourseFile } from './config.ts';

/** Where the course file lives: in the organization's `.github` repository, never in a student's. */
export const COURSE_REPO = '.github';
export const COURSE_FILE = '.github/rubrica.yml';

/** One course of the file, with its pack loaded. */
export interface Course {
  readonly config: CourseConfig;
  readonly pack: Pack;
}

export type CourseSetup =
  | { readonly status: 'ready'; readonly courses: readonly Course[] }
  | { readonly status: 'missing'; readonly reason: 'no-repo' | 'no-file' }
  | { readonly status: 'invalid'; readonly problems: readonly string[] };

/** Whether the file lists courses (`courses:` at the top) rather than being one course. */
function listsCourses(source: string): boolean {
  try {
    const value: unknown = parseYaml(source);
    return typeof value === 'object' && value !== null && !Array.isArray(value) && 'courses' in value;
  } catch {
    return false;
  }
}

/**
 * The course file's text, checked: the schema, then each course's pack and whether it
 * has the rubrics the course uses (every week of a weekly course, every assignment's and
 * delivery's rubric and criteria). Pure but for reading the (server-side) packs.
 */
export async function parseCourseFile(source: string, rubricsDir = RUBRICS_DIR): Promise<CourseSetup> {
  const problems: RubricProblem[] = [];
  const many = listsCourses(source);
  const parsed = many ? parseYamlFile(COURSE_FILE, source, MultiCourseFileSchema, problems) : parseYamlFile(COURSE_FILE, source, CourseConfigSchema, problems);
  if (!parsed) return { status: 'invalid', problems: problems.map(formatProblem) };
  const configs: CourseConfig[] = many ? (parsed.data as CourseFile).courses : [parsed.data as CourseConfig];
  const courses: Course[] = [];
  const found: string[] = [];
  for (const [i, config] of configs.entries()) {
    const at = many ? `${COURSE_FILE}: courses[${i}].` : `${COURSE_FILE}: `;
    let pack: Pack;
    try {
      pack = await loadPack(config.pack, rubricsDir);
    } catch (error) {
      if (error instanceof PackNotFoundError) {
        found.push(`${at}pack: ${error.message}`);
        continue;
      }
      if (error instanceof RubricError) {
        found.push(...error.problems.map(formatProblem));
        continue;
      }
      throw error;
    }
    found.push(...rubricProblems(config, pack).map((p) => `${at}${p}`));
    courses.push({ config, pack });
  }
  if (found.length) return { status: 'invalid', problems: found };
  return { status: 'ready', courses };
}

/** What a course asks of its pack that the pack lacks. */
function rubricProblems(config: CourseConfig, pack: Pack): string[] {
  const problems: string[] = [];
  if (config.students) {
    const missing = Array.from({ length: config.weeks }, (_, i) => i + 1).filter((w) => !pack.weeks.has(w));
    if (missing.length) problems.push(`weeks: the course runs ${config.weeks} weeks but pack "${pack.name}" has no rubric for week ${missing.join(', ')}`);
  }
  const known = [...pack.assignments.keys()].join(', ') || 'none';
  config.assignments.forEach((a, i) => {
    const rubricId = a.rubric ?? a.id;
    if (!pack.assignments.has(rubricId)) problems.push(`assignments[${i}].rubric: pack "${pack.name}" has no \`assignment-${rubricId}.yaml\` (its assignment rubrics: ${known})`);
    (a.deliveries ?? []).forEach((d, j) => {
      const rubric = pack.assignments.get(d.rubric ?? rubricId);
      if (!rubric) {
        if (d.rubric) problems.push(`assignments[${i}].deliveries[${j}].rubric: pack "${pack.name}" has no \`assignment-${d.rubric}.yaml\` (its assignment rubrics: ${known})`);
        return;
      }
      const ids = new Set(rubric.criteria.map((c) => c.id));
      const unknown = (d.criteria ?? []).filter((c) => !ids.has(c));
      if (unknown.length) problems.push(`assignments[${i}].deliveries[${j}].criteria: ${unknown.join(', ')} ${unknown.length === 1 ? 'is not a criterion' : 'are not criteria'} of \`${rubric.file}\``);
    });
  });
  return problems;
}

/** The student's login from the course's naming (`<prefix><login>`, GitHub Classroom's), if the name follows it. */
export function loginFromName(config: CourseConfig, name: string): string | null {
  return afterPrefix(config.students?.prefix, name);
}

/** The rest of a repository's name after a prefix (case-insensitive), if it starts with it and has more. */
function afterPrefix(prefix: string | undefined, name: string): string | null {
  return prefix && name.toLowerCase().startsWith(prefix.toLowerCase()) && name.length > prefix.length ? name.slice(prefix.length) : null;
}

/** Which repositories are students' weekly portfolios: `<prefix><login>` (GitHub Classroom's naming) or a topic. */
export function studentOf(config: CourseConfig, repo: { readonly name: string; readonly topics?: readonly string[] }): string | null {
  const login = loginFromName(config, repo.name);
  if (login !== null) return login;
  const topic = config.students?.topic;
  if (topic && repo.topics?.includes(topic)) return repo.name;
  return null;
}

/**
 * Which course (and assignment) a repository is of. A repository belongs to at most
 * one course: when two courses' prefixes or topics match it, it is `ambiguous` and
 * graded by neither (the instructors are told; nothing is guessed).
 */
export type Membership =
  | {
      readonly status: 'member';
      readonly course: Course;
      /** The assignment whose prefix names the repository; none for the weekly portfolio. */
      readonly assignment?: AssignmentConfig;
      /** The student the name gives (`<prefix><login>`); null when the members are read from GitHub (topic, group). */
      readonly namedLogin: string | null;
      /** A group assignment's group: the name after the prefix. */
      readonly group?: string;
    }
  | { readonly status: 'none' }
  | { readonly status: 'ambiguous'; readonly courses: readonly string[] };

type CourseMatch = Omit<Extract<Membership, { status: 'member' }>, 'status' | 'course'>;

/** How one course claims a repository: its assignments' prefixes first (the longest wins), then its weekly students. */
function courseMatch(config: CourseConfig, repo: { readonly name: string; readonly topics?: readonly string[] }): CourseMatch | null {
  let best: { assignment: AssignmentConfig; rest: string } | undefined;
  for (const assignment of config.assignments) {
    const rest = afterPrefix(assignment.prefix, repo.name);
    if (rest !== null && (!best || assignment.prefix.length > best.assignment.prefix.length)) best = { assignment, rest };
  }
  if (best) return best.assignment.group ? { assignment: best.assignment, namedLogin: null, group: best.rest } : { assignment: best.assignment, namedLogin: best.rest };
  if (studentOf(config, repo) === null) return null;
  return { namedLogin: loginFromName(config, repo.name) };
}

export function membershipOf(courses: readonly Course[], repo: { readonly name: string; readonly topics?: readonly string[] }): Membership {
  const matches = courses.flatMap((course) => {
    const match = courseMatch(course.config, repo);
    return match ? [{ course, match }] : [];
  });
  if (matches.length === 0) return { status: 'none' };
  if (matches.length > 1) return { status: 'ambiguous', courses: matches.map((m) => m.course.config.id) };
  const { course, match } = matches[0]!;
  return { status: 'member', course, ...match };
}

/**
 * The rubric a unit is graded with in a course, for a repository of `assignment` (none:
 * the weekly portfolio). A week of an assignment's repository, or another assignment's
 * unit, is none of its: undefined. A delivery graded on part of its rubric keeps those
 * criteria and their points as its scale.
 */
export function rubricOf(course: Course, assignment: AssignmentConfig | undefined, key: UnitKey): Week | undefined {
  const unit = parseUnitKey(key);
  if (!unit) return undefined;
  const { config, pack } = course;
  if (unit.kind === 'week') {
    if (assignment || !config.students || unit.week > config.weeks) return undefined;
    const rubric = pack.weeks.get(unit.week);
    return rubric ? { ...rubric, unit: key } : undefined;
  }
  if (!assignment || unit.assignment !== assignment.id) return undefined;
  const found = assignmentOf(config, unit);
  if (!found) return undefined;
  const rubric = pack.assignments.get(found.delivery?.rubric ?? assignment.rubric ?? assignment.id);
  if (!rubric) return undefined;
  const only = found.delivery?.criteria;
  if (!only) return { ...rubric, unit: key };
  const criteria = rubric.criteria.filter((c) => only.includes(c.id));
  return { ...rubric, unit: key, criteria, scale: criteria.reduce((sum, c) => sum + c.points, 0) };
}

/** A course's units in the gradebook's order: its weeks (when it has a weekly portfolio), then each assignment (or its deliveries). */
export function courseUnits(config: CourseConfig): UnitKey[] {
  const weeks = config.students ? Array.from({ length: config.weeks }, (_, i) => unitKey(weekUnit(i + 1))) : [];
  return [...weeks, ...config.assignments.flatMap((a) => (a.deliveries ? a.deliveries.map((d) => unitKey(assignmentUnit(a.id, d.id))) : [unitKey(assignmentUnit(a.id))]))];
}

/**
 * The unit a delivery counts for when nothing names one: an assignment repository's open
 * delivery, else the calendar's week (before, after the course or in a break: none).
 */
export function unitAt(member: Extract<Membership, { status: 'member' }>, deliveredAt: Date): { readonly unit: UnitKey } | { readonly outside: Exclude<CourseMoment, { status: 'week' }> } {
  const { config } = member.course;
  if (member.assignment) return { unit: unitKey(assignmentUnitAt(config, member.assignment, deliveredAt)) };
  const moment = courseMomentAt(config, deliveredAt);
  return moment.status === 'week' ? { unit: unitKey(weekUnit(moment.week)) } : { outside: moment };
}
