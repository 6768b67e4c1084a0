import { createHash } from 'node:crypto';
import type { Logger } from 'pino';
import { COURSE_FILE, COURSE_REPO, parseCourseFile, type CourseSetup } from '../course/load.ts';
import { readCourseFile, type Octokit } from '../github/api.ts';
import type { ParsedPublication } from '../outbox/publications.ts';
import { RUBRICS_DIR } from '../rubrics/load.ts';

interface CourseDirectoryOptions {
  readonly ttlMs: number;
  readonly rubricsDir?: string;
  readonly botLogin: string;
  readonly log: Logger;
  readonly now?: () => number;
}

const ISSUE_MARKER = '<!-- rubrica:course-config -->';
/** How long a problem told to an organization is not told again. */
export const TELL_AGAIN_MS = 10 * 60_000;

/**
 * Each organization's course, read from its `.github` repository and kept for a
 * short while (a deadline rush would otherwise read it on every push). A push to the
 * `.github` repository drops the cached copy at once.
 */
export class CourseDirectory {
  private readonly cache = new Map<string, { at: number; setup: CourseSetup }>();
  private readonly reading = new Map<string, Promise<CourseSetup>>();
  /**
   * The last problem told to each organization and when, so a rush tells it once. The
   * mark is made when the job returns the publication, before it is recorded: a job that
   * then loses its lease records nothing, so the mark is trusted only for a while. Telling
   * again costs one read (the issue is left alone when it already says this).
   */
  private readonly told = new Map<string, { fingerprint: string; at: number }>();
  /** The repositories reported as claimed by several courses, with those courses. */
  private readonly ambiguous = new Map<string, string>();

  private readonly options: CourseDirectoryOptions;
  constructor(options: CourseDirectoryOptions) {
    this.options = options;
  }

  async get(octokit: Octokit, owner: string): Promise<CourseSetup> {
    const now = (this.options.now ?? Date.now)();
    const hit = this.cache.get(owner);
    if (hit && now - hit.at < this.options.ttlMs) return hit.setup;
    // A rush starts many jobs at once: they share one read of the file.
    const pending = this.reading.get(owner);
    if (pending) return pending;
    const read = (async () => {
      const file = await readCourseFile(octokit, owner);
      const setup: CourseSetup = 'missing' in file ? { status: 'missing', reason: file.missing } : await parseCourseFile(file.text, this.options.rubricsDir ?? RUBRICS_DIR);
      this.cache.set(owner, { at: now, setup });
      return setup;
    })();
    this.reading.set(owner, read);
    try {
      return await read;
    } finally {
      this.reading.delete(owner);
    }
  }

  /**
   * A repository two courses claim: graded by neither, logged once per repository and set
   * of courses for the instructors (and listed at /admin/courses from the jobs' outcomes).
   */
  reportAmbiguous(owner: string, repo: string, courses: readonly string[]): void {
    const key = `${owner}/${repo}`;
    const fingerprint = courses.join(',');
    if (this.ambiguous.get(key) === fingerprint) return;
    this.ambiguous.set(key, fingerprint);
    this.options.log.error({ owner, repo: key, courses, outcome: 'ambiguous-course' }, `${key} matches several courses (${courses.join(', ')}): not graded until the course file tells them apart`);
  }

  invalidate(owner: string): void {
    for (const key of this.ambiguous.keys()) if (key.startsWith(`${owner}/`)) this.ambiguous.delete(key);
    this.cache.delete(owner);
    this.told.delete(owner);
  }

  /**
   * What tells the instructors, once per distinct problem: an issue in the `.github`
   * repository (edited, not duplicated, when the problem changes), sent by the
   * outbox. Without that repository there is nowhere of theirs to write: it is logged.
   */
  tellInstructors(installationId: number, owner: string, setup: Exclude<CourseSetup, { status: 'ready' }>): ParsedPublication | undefined {
    const body = courseProblemBody(owner, setup);
    const fingerprint = createHash('sha256').update(body).digest('hex');
    const now = (this.options.now ?? Date.now)();
    const last = this.told.get(owner);
    if (last?.fingerprint === fingerprint && now - last.at < TELL_AGAIN_MS) return undefined;
    this.told.set(owner, { fingerprint, at: now });
    if (setup.status === 'missing' && setup.reason === 'no-repo') {
      this.options.log.error({ owner, outcome: 'not-configured' }, `no ${owner}/${COURSE_REPO} repository (or the app cannot see it): grading is off`);
      return undefined;
    }
    this.options.log.warn({ owner, outcome: 'not-configured' }, 'course configuration problem: instructors are told in an issue');
    return {
      kind: 'course-issue',
      installationId,
      owner,
      title: 'Rubrica: la configuración del curso necesita atención / the course configuration needs attention',
      body,
      marker: ISSUE_MARKER,
    };
  }
}

export function courseProblemBody(owner: string, setup: Exclude<CourseSetup, { status: 'ready' }>): string {
  const where = `\`${owner}/${COURSE_REPO}\` → \`${COURSE_FILE}\``;
  const lines = [ISSUE_MARKER];
  if (setup.status === 'missing') {
    lines.push(
      `Rubrica está instalada pero no encuentra ${where}, así que **no corrige**: cada push de un estudiante recibe un check run neutral que lo dice.`,
      '',
      `Rubrica is installed but cannot find ${where}, so it **is not grading**: each student push gets a neutral check run saying so.`,
      '',
      'Crea el archivo (ejemplo completo en el README de Rubrica) / Create the file (complete example in Rubrica\'s README):',
      '',
      '```yaml',
      'pack: mlops',
      'start: 2026-09-07',
      'timezone: America/Argentina/Buenos_Aires',
      'weeks: 10',
      'students:',
      '  prefix: mlops-',
      'tas: mlops-tas',
      'locale: es',
      '```',
    );
  } else {
    lines.push(
      `${where} tiene problemas, así que Rubrica **no corrige** hasta que se arreglen (nunca corrige con valores por defecto):`,
      '',
      `${where} has problems, so Rubrica **is not grading** until they are fixed (it never grades with defaults):`,
      '',
      ...setup.problems.map((p) => `- \`${p.replace(/`/g, "'")}\``),
    );
  }
  lines.push('', 'Este issue se actualiza solo; ciérralo cuando esté resuelto. / This issue keeps itself up to date; close it once fixed.');
  return lines.join('\n');
}
