import type { z } from 'zod';
import { isMap, isPair, isScalar, isSeq, LineCounter, type Document, type Node as YamlNode } from 'yaml';

/** One thing wrong with a rubric, located the way an instructor's editor shows it. */
export interface RubricProblem {
  readonly file: string;
  readonly line?: number;
  readonly column?: number;
  /** Dotted path of the field at fault, e.g. `criteria[2].points`. */
  readonly field?: string;
  readonly message: string;
}

export class RubricError extends Error {
  readonly problems: readonly RubricProblem[];
  constructor(problems: readonly RubricProblem[]) {
    super(problems.map(formatProblem).join('\n'));
    this.name = 'RubricError';
    this.problems = problems;
  }
}

export function formatProblem(p: RubricProblem): string {
  const where = p.line ? `${p.file}:${p.line}${p.column ? `:${p.column}` : ''}` : p.file;
  return `${where}: ${p.field ? `${p.field}: ` : ''}${p.message}`;
}

export function fieldName(path: readonly PropertyKey[]): string {
  let out = '';
  for (const key of path) {
    if (typeof key === 'number') out += `[${key}]`;
    else out += out ? `.${String(key)}` : String(key);
  }
  return out;
}

/** Where `path` sits in the YAML source; for a missing key, where its parent is. */
export function locate(
  doc: Document,
  lines: LineCounter,
  path: readonly PropertyKey[],
  key?: string,
): { line: number; column: number } | undefined {
  let node: unknown = doc.contents;
  let found: unknown = node;
  for (const segment of path) {
    const next = childOf(node, segment);
    if (next === undefined) break;
    node = next;
    found = next;
  }
  if (key !== undefined && isMap(found)) {
    const pair = found.items.find((p) => isScalar(p.key) && p.key.value === key);
    if (pair && isScalar(pair.key) && pair.key.range) return position(lines, pair.key.range[0]);
  }
  const range = (found as YamlNode | undefined)?.range;
  return range ? position(lines, range[0]) : undefined;
}

function position(lines: LineCounter, offset: number): { line: number; column: number } {
  const { line, col } = lines.linePos(offset);
  return { line, column: col };
}

function childOf(node: unknown, segment: PropertyKey): unknown {
  if (isMap(node)) {
    const pair = node.items.find((p) => isPair(p) && isScalar(p.key) && p.key.value === segment);
    return pair?.value ?? undefined;
  }
  if (isSeq(node) && typeof segment === 'number') return node.items[segment];
  return undefined;
}

const KNOWN_TYPES: Record<string, string> = {
  string: 'text',
  number: 'a number',
  boolean: 'true or false',
  array: 'a list',
  object: 'a mapping of fields',
};

/** Zod's issue, said in a sentence a course instructor understands. */
export function describeIssue(issue: z.core.$ZodIssue, knownKeys: readonly string[] = []): string {
  switch (issue.code) {
    case 'invalid_type': {
      const expected = KNOWN_TYPES[issue.expected] ?? issue.expected;
      if (issue.input === undefined) return `this field is required (${expected}).`;
      return `should be ${expected}, but is ${describeValue(issue.input)}.`;
    }
    case 'unrecognized_keys': {
      return issue.keys
        .map((k) => {
          const guess = closest(k, knownKeys);
          return `\`${k}\` is not a field here${guess ? `; did you mean \`${guess}\`?` : '.'}`;
        })
        .join(' ');
    }
    case 'invalid_value':
      return `should be one of ${issue.values.map((v) => `\`${String(v)}\``).join(', ')}, but is ${describeValue(issue.input)}.`;
    case 'too_small':
      return issue.origin === 'array'
        ? `needs at least ${String(issue.minimum)} item(s).`
        : issue.origin === 'string'
          ? 'cannot be empty.'
          : `should be at least ${String(issue.minimum)}${issue.inclusive === false ? ' (exclusive)' : ''}.`;
    case 'too_big':
      return `should be at most ${String(issue.maximum)}.`;
    case 'not_multiple_of':
      return `should be a multiple of ${String(issue.divisor)}.`;
    case 'invalid_union':
      return `does not have an accepted form: ${issue.message}.`;
    default:
      return issue.message.endsWith('.') ? issue.message : `${issue.message}.`;
  }
}

function describeValue(v: unknown): string {
  if (v === null) return 'empty';
  if (Array.isArray(v)) return 'a list';
  if (typeof v === 'object') return 'a mapping';
  if (typeof v === 'string') return `the text "${v.length > 40 ? `${v.slice(0, 40)}…` : v}"`;
  return `${typeof v === 'number' ? 'the number ' : ''}${String(v)}`;
}

/** The known key a typo most likely meant (edit distance ≤ 2). */
export function closest(word: string, candidates: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = 3;
  for (const c of candidates) {
    const d = distance(word.toLowerCase(), c.toLowerCase());
    if (d < bestDistance) {
      best = c;
      bestDistance = d;
    }
  }
  return best;
}

function distance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let prev = row[0]!;
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const current = row[j]!;
      row[j] = Math.min(row[j]! + 1, row[j - 1]! + 1, prev + (a[i - 1] === b[j - 1] ? 0 : 1));
      prev = current;
    }
  }
  return row[b.length]!;
}
