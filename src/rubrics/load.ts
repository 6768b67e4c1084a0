import { createHash } from 'node:crypto';
import { promises as fs } from 'node:fs';
import { basename, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { LineCounter, parseDocument } from 'yaml';
import { CHECK_KINDS } from '../checks/index.ts';
import type { CheckKind } from '../checks/types.ts';
import type { Deliverable } from '../grading/project.ts';
import { same, type Locale, type Text } from '../core/text.ts';
import { SandboxLimitsSchema, type SandboxLimits } from '../sandbox/limits.ts';
import { describeIssue, fieldName, locate, RubricError, type RubricProblem } from './problems.ts';
import { unknownReferences, type UnitCriteria } from '../grading/final-grade.ts';
import { AssignmentFileSchema, PackFileSchema, WeekFileSchema, type FinalGradeSpec } from './schema.ts';

/** The rubric packs shipped with Rubrica. */
export const RUBRICS_DIR = fileURLToPath(new URL('../../rubrics/', import.meta.url));

export interface Criterion {
  readonly id: string;
  readonly title: Text;
  readonly points: number;
  readonly kind: string;
  readonly check: CheckKind<unknown>;
  /** The check's parameters, parsed by its own schema (defaults filled in). */
  readonly params: unknown;
  readonly feedback: Text;
  /** The module or reading that teaches it, shown with the feedback. */
  readonly reading?: Reading;
  /** The tool it would take is not in the runner image: judged from the files, and the result says so. */
  readonly judgedFromArtifacts?: { readonly tool: string };
  readonly manual: boolean;
  readonly visibility: 'always' | 'after-deadline';
}

export interface Reading {
  readonly title: Text;
  readonly url?: string;
}

/**
 * A rubric: a week's (`week-NN.yaml`) or an assignment's (`assignment-ID.yaml`, whose
 * `week` is 0). `unit` is the key of what it grades (`week-3`, `final`, `final/first`:
 * see src/course/unit.ts).
 */
export interface Week {
  readonly week: number;
  readonly unit: string;
  /** Its full points when they are not the pack's scale (a delivery graded on part of a rubric). */
  readonly scale?: number;
  readonly title: Text;
  readonly summary?: Text;
  /** The week's own, or the pack's. */
  readonly deliverable: Deliverable;
  readonly criteria: readonly Criterion[];
  readonly file: string;
}

export interface Pack {
  readonly name: string;
  readonly dir: string;
  readonly title: Text;
  readonly description?: Text;
  readonly locale: Locale;
  readonly runner: { readonly image: string; readonly limits: SandboxLimits };
  readonly scale: number;
  readonly passMark: number;
  readonly weeks: ReadonlyMap<number, Week>;
  /** Assignment rubrics by their `assignment:` id. */
  readonly assignments: ReadonlyMap<string, Week>;
  /** How the course's final grade is computed (pack.yaml's `final:`), if it has one. */
  readonly final?: FinalGradeSpec;
  /** sha256 of every file of the pack: which rubric version produced a grade. */
  readonly hash: string;
}

const WEEK_FILE = /^week-(\d{1,2})\.ya?ml$/;
const ASSIGNMENT_FILE = /^assignment-([a-z0-9][a-z0-9-]*)\.ya?ml$/;

/** The names of the packs under `rubricsDir`. */
export async function listPacks(rubricsDir = RUBRICS_DIR): Promise<string[]> {
  const entries = await fs.readdir(rubricsDir, { withFileTypes: true }).catch(() => []);
  const names: string[] = [];
  for (const e of entries) {
    // Dot folders are not packs (an import's scratch folder, editors' and VCS's own).
    if (e.isDirectory() && !e.name.startsWith('.') && (await exists(join(rubricsDir, e.name, 'pack.yaml')))) names.push(e.name);
  }
  return names.sort();
}

/** A pack by name (a folder under `rubricsDir`) or by path. */
export async function loadPack(nameOrPath: string, rubricsDir = RUBRICS_DIR): Promise<Pack> {
  const byPath = nameOrPath.includes('/') || nameOrPath.startsWith('.');
  const dir = resolve(byPath ? nameOrPath : join(rubricsDir, nameOrPath));
  if (!byPath && !/^[a-z0-9][a-z0-9_-]*$/i.test(nameOrPath)) {
    throw new PackNotFoundError(nameOrPath, await listPacks(rubricsDir));
  }
  if (!(await exists(join(dir, 'pack.yaml')))) {
    throw new PackNotFoundError(nameOrPath, byPath ? [] : await listPacks(rubricsDir));
  }
  const display = (file: string) => relative(process.cwd(), file) || file;
  const problems: RubricProblem[] = [];
  const hash = createHash('sha256');

  const packPath = join(dir, 'pack.yaml');
  const packSource = await fs.readFile(packPath, 'utf8');
  hash.update(`pack.yaml\0${packSource}\0`);
  const packFile = parseYamlFile(display(packPath), packSource, PackFileSchema, problems)?.data;

  const files = (await fs.readdir(dir)).filter((f) => f !== 'pack.yaml' && /\.ya?ml$/.test(f)).sort();
  const weeks = new Map<number, ParsedWeek>();
  const assignments = new Map<string, ParsedWeek>();
  for (const file of files) {
    const path = join(dir, file);
    const assignment = ASSIGNMENT_FILE.exec(file);
    if (assignment) {
      const source = await fs.readFile(path, 'utf8');
      hash.update(`${file}\0${source}\0`);
      const rubric = parseRubric(display(path), source, problems, 'assignment');
      if (!rubric) continue;
      if (rubric.unit !== assignment[1]) {
        problems.push({ file: display(path), field: 'assignment', message: `says assignment ${rubric.unit}, but the file name says ${assignment[1]}.` });
        continue;
      }
      assignments.set(rubric.unit, rubric);
      continue;
    }
    const match = WEEK_FILE.exec(file);
    if (!match) {
      problems.push({ file: display(path), message: 'is not a rubric file: name week files `week-01.yaml`, `week-02.yaml`, … and assignment files `assignment-final.yaml`' });
      continue;
    }
    const source = await fs.readFile(path, 'utf8');
    hash.update(`${file}\0${source}\0`);
    const week = parseRubric(display(path), source, problems, 'week');
    if (!week) continue;
    if (week.week !== Number(match[1])) {
      problems.push({ file: display(path), field: 'week', message: `says week ${week.week}, but the file name says week ${Number(match[1])}.` });
      continue;
    }
    weeks.set(week.week, week);
  }

  const rubrics = [...weeks.values(), ...assignments.values()];
  if (packFile) {
    for (const week of rubrics) {
      const total = week.criteria.reduce((sum, c) => sum + c.points, 0);
      if (Math.abs(total - packFile.scale) > 1e-9) {
        problems.push({
          file: week.file,
          field: 'criteria',
          message: `the points add up to ${total}, but the pack's scale is ${packFile.scale}: adjust the criteria's points.`,
        });
      }
    }
  }
  if (packFile) {
    // A check's own timeout may not exceed the pack's per-check limit: the limit is the
    // course's promise about how long one check can hold a grader.
    const limit = SandboxLimitsSchema.parse(packFile.runner.limits).checkTimeoutSeconds;
    for (const week of rubrics) {
      for (const c of week.criteria) {
        for (const spec of Object.values(c.check.requirements(c.params).commands ?? {})) {
          if (spec.timeoutSeconds > limit) {
            problems.push({
              file: week.file,
              field: `criteria[${week.criteria.indexOf(c)}].check.timeout`,
              message: `the timeout of ${spec.timeoutSeconds} s is over the pack's per-check limit of ${limit} s: lower it, or raise \`runner.limits.checkTimeoutSeconds\` in pack.yaml.`,
            });
          }
        }
      }
    }
  }
  if (packFile?.final) {
    for (const p of unknownReferences(packFile.final, unitCriteria(weeks, assignments))) problems.push({ file: display(packPath), field: fieldName(p.path), message: `${p.message}.` });
  }
  if (weeks.size === 0 && files.length === 0) {
    problems.push({ file: display(dir), message: 'has no rubric files: add `week-01.yaml` (or `assignment-ID.yaml`).' });
  }
  const numbers = [...weeks.keys()].sort((a, b) => a - b);
  numbers.forEach((n, i) => {
    if (n !== i + 1 && !problems.length) {
      problems.push({ file: display(dir), message: `week ${i + 1} is missing: weeks are numbered from 1 without gaps.` });
    }
  });

  if (problems.length > 0 || !packFile) throw new RubricError(problems);
  return {
    name: basename(dir),
    dir,
    title: packFile.title,
    ...(packFile.description ? { description: packFile.description } : {}),
    locale: packFile.locale,
    runner: { image: packFile.runner.image, limits: SandboxLimitsSchema.parse(packFile.runner.limits) },
    scale: packFile.scale,
    passMark: packFile.passMark,
    weeks: new Map(numbers.map((n) => [n, { ...weeks.get(n)!, deliverable: weeks.get(n)!.deliverable ?? packFile.deliverable }])),
    assignments: new Map([...assignments.keys()].sort().map((id) => [id, { ...assignments.get(id)!, deliverable: assignments.get(id)!.deliverable ?? packFile.deliverable }])),
    ...(packFile.final ? { final: packFile.final } : {}),
    hash: hash.digest('hex'),
  };
}

/**
 * The criteria of a week or assignment of a pack, as the final grade refers to them (a
 * delivery is graded with its assignment's rubric or a part of it: the course file says).
 */
export function unitCriteria(weeks: ReadonlyMap<number, Pick<Week, 'criteria'>>, assignments: ReadonlyMap<string, Pick<Week, 'criteria'>> = new Map()): UnitCriteria {
  return (selector) => (selector.week !== undefined ? weeks.get(selector.week)?.criteria : selector.assignment !== undefined ? assignments.get(selector.assignment)?.criteria : undefined);
}

export class PackNotFoundError extends Error {
  readonly available: readonly string[];
  constructor(name: string, available: readonly string[]) {
    super(
      `No rubric pack "${name}"${available.length ? `; available: ${available.join(', ')}` : ''}.`,
    );
    this.name = 'PackNotFoundError';
    this.available = available;
  }
}

/** A rubric as its file says: without `deliverable`, the pack's applies. */
type ParsedWeek = Omit<Week, 'deliverable'> & { readonly deliverable?: Deliverable };

function parseRubric(file: string, source: string, problems: RubricProblem[], shape: 'week' | 'assignment'): ParsedWeek | undefined {
  const schema = shape === 'week' ? WeekFileSchema : AssignmentFileSchema;
  const parsed = parseYamlFile(file, source, schema as typeof WeekFileSchema | typeof AssignmentFileSchema, problems) as
    | { data: { week?: number; assignment?: string; title: Text; summary?: Text; deliverable?: Deliverable; criteria: (typeof WeekFileSchema)['_output']['criteria'] }; doc: ReturnType<typeof parseDocument>; lines: LineCounter }
    | undefined;
  if (!parsed) return undefined;
  const { doc, lines } = parsed;
  const criteria: Criterion[] = [];
  const seen = new Set<string>();
  let ok = true;
  parsed.data.criteria.forEach((c, i) => {
    const at = ['criteria', i];
    if (seen.has(c.id)) {
      ok = false;
      problems.push({ file, ...locate(doc, lines, [...at, 'id']), field: fieldName([...at, 'id']), message: `the id \`${c.id}\` is used twice in this week: ids name a criterion in the gradebook, so they must differ.` });
    }
    seen.add(c.id);
    const check = CHECK_KINDS.get(c.check.kind);
    if (!check) {
      ok = false;
      problems.push({
        file,
        ...locate(doc, lines, [...at, 'check', 'kind']),
        field: fieldName([...at, 'check', 'kind']),
        message: `\`${c.check.kind}\` is not a check kind; use one of ${[...CHECK_KINDS.keys()].map((k) => `\`${k}\``).join(', ')}.`,
      });
      return;
    }
    if (c.check.kind === 'manual' && !c.manual) {
      ok = false;
      problems.push({ file, ...locate(doc, lines, at), field: fieldName([...at, 'manual']), message: 'a `manual` check is scored by a TA: add `manual: true` to the criterion.' });
    }
    const { kind: _kind, ...rawParams } = c.check;
    const params = check.params.safeParse(rawParams);
    if (!params.success) {
      ok = false;
      for (const issue of params.error.issues) {
        problems.push(zodProblem(file, doc, lines, { ...issue, path: [...at, 'check', ...issue.path] }, schema, check.params, at.length + 1));
      }
      return;
    }
    criteria.push({
      id: c.id,
      title: c.title,
      points: c.points,
      kind: c.check.kind,
      check,
      params: params.data,
      feedback: c.feedback,
      ...(c.reading
        ? { reading: { title: typeof c.reading.title === 'string' ? same(c.reading.title) : c.reading.title, ...(c.reading.url ? { url: c.reading.url } : {}) } }
        : {}),
      ...(c.judgedFromArtifacts ? { judgedFromArtifacts: c.judgedFromArtifacts } : {}),
      manual: c.manual,
      visibility: c.visibility,
    });
  });
  if (!ok) return undefined;
  const week = parsed.data.week ?? 0;
  return {
    week,
    unit: parsed.data.assignment ?? `week-${week}`,
    title: parsed.data.title,
    ...(parsed.data.summary ? { summary: parsed.data.summary } : {}),
    ...(parsed.data.deliverable ? { deliverable: parsed.data.deliverable } : {}),
    criteria,
    file,
  };
}

/** A YAML file validated by `schema`; problems are located in `file` by line and field (packs and the course file). */
export function parseYamlFile<S extends z.ZodType>(
  file: string,
  source: string,
  schema: S,
  problems: RubricProblem[],
): { data: z.output<S>; doc: ReturnType<typeof parseDocument>; lines: LineCounter } | undefined {
  const lines = new LineCounter();
  const doc = parseDocument(source, { lineCounter: lines, prettyErrors: false, uniqueKeys: true });
  if (doc.errors.length > 0) {
    for (const e of doc.errors) problems.push(yamlProblem(file, lines, e));
    return undefined;
  }
  const value = toJS(file, doc, lines, problems);
  if (value === failed) return undefined;
  const parsed = schema.safeParse(value);
  if (!parsed.success) {
    for (const issue of parsed.error.issues) problems.push(zodProblem(file, doc, lines, issue, schema));
    return undefined;
  }
  return { data: parsed.data, doc, lines };
}

const failed = Symbol('failed');

/** YAML that parses but cannot become data (an alias to nothing, `*.pyc` unquoted). */
function toJS(file: string, doc: ReturnType<typeof parseDocument>, lines: LineCounter, problems: RubricProblem[]): unknown {
  try {
    return doc.toJS({ maxAliasCount: 50 });
  } catch (error) {
    const alias = /alias/i.test((error as Error).message);
    problems.push({
      file,
      message: alias
        ? `${(error as Error).message}. A value starting with \`*\` or \`&\` is read as a YAML alias or anchor: put it in quotes ("*.pyc").`
        : `this YAML cannot be read: ${(error as Error).message}.`,
    });
    return failed;
  }
}

function yamlProblem(file: string, lines: LineCounter, e: { message: string; pos: [number, number] }): RubricProblem {
  const { line, col } = lines.linePos(e.pos[0]);
  const first = e.message.split('\n')[0] ?? e.message;
  return { file, line, column: col, message: `this is not valid YAML (${first.replace(/ at line \d+, column \d+:?$/, '')}). Check the indentation and the colons around here.` };
}

function zodProblem(
  file: string,
  doc: ReturnType<typeof parseDocument>,
  lines: LineCounter,
  issue: z.core.$ZodIssue,
  schema: z.ZodType,
  /** For a check's parameters: its schema, and how many path segments lead to it. */
  nested?: z.ZodType,
  nestedDepth = 0,
): RubricProblem {
  const path = issue.path;
  const knownKeys =
    issue.code === 'unrecognized_keys'
      ? nested
        ? keysAt(nested, path.slice(nestedDepth))
        : keysAt(schema, path)
      : [];
  const key = issue.code === 'unrecognized_keys' ? issue.keys[0] : undefined;
  const pos = locate(doc, lines, path, key);
  return {
    file,
    ...pos,
    ...(path.length ? { field: fieldName(path) } : {}),
    message: describeIssue(issue, knownKeys),
  };
}

/** The field names a zod object schema accepts at `path`, for "did you mean" hints. */
function keysAt(schema: z.ZodType, path: readonly PropertyKey[]): string[] {
  let current: z.ZodType | undefined = unwrap(schema);
  for (const segment of path) {
    if (!current) return [];
    if (current instanceof z.ZodObject) current = unwrap(current.shape[String(segment)] as z.ZodType | undefined);
    else if (current instanceof z.ZodArray) current = unwrap(current.element as z.ZodType);
    else return [];
  }
  return current instanceof z.ZodObject ? Object.keys(current.shape) : [];
}

function unwrap(schema: z.ZodType | undefined): z.ZodType | undefined {
  let s = schema;
  while (s && (s instanceof z.ZodOptional || s instanceof z.ZodDefault || s instanceof z.ZodNullable)) {
    s = s.unwrap() as z.ZodType;
  }
  return s;
}

async function exists(path: string): Promise<boolean> {
  return fs.stat(path).then(
    () => true,
    () => false,
  );
}
