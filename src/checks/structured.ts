import { parse as parseToml, TomlError } from 'smol-toml';
import { parseAllDocuments } from 'yaml';
import { z } from 'zod';
import { globMatcher } from '../core/glob.ts';
import { GlobsSchema, globList, RegexSchema, TextSchema } from '../core/schemas.ts';
import { bytes, counted, FILES, join, listed, literal, ofTotal, REQUIREMENTS, same, t, type Text } from '../core/text.ts';
import { isHclPath, MAX_HCL_DEPTH } from '../grading/hcl.ts';
import { creditOf, defineCheck, type Annotation, type ChecklistItem, type FileContent, type HclDocument } from './types.ts';

const Scalar = z.union([z.string(), z.number(), z.boolean()], { error: 'use a string, a number or true/false' });
type Scalar = z.infer<typeof Scalar>;

/** `a.b`, `containers[].image`, `stages.*.cmd`, `[]` alone for a top-level list. */
const PATH_SEGMENT = /^(?:[^.[\]]+)?(?:\[\])*$/;
const PathSchema = z
  .string()
  .min(1, 'write a dotted path, e.g. `spec.replicas`')
  .refine((p) => p.split('.').every((s) => s.length > 0 && PATH_SEGMENT.test(s)), {
    message: 'write a dotted path with no empty parts; `[]` (every array item) goes right after a key, e.g. `containers[].image`',
  });

const RequireSchema = z.strictObject({
  label: TextSchema.optional(),
  /** Dotted, with `[]` for every array item and `*` for every key: `spec.template.spec.containers[].resources.limits.memory`. */
  path: PathSchema,
  /** The value equals one of these; a list (or a map's keys) contains one. */
  anyOf: z.array(Scalar).min(1, 'list at least one value under `anyOf`').optional(),
  /** A scalar value (or an item of a list, or a key of a map) matches this regular expression. */
  match: RegexSchema.optional(),
  /** The path gives at least this many values, or the list/map at the path has this many entries. */
  minCount: z.number().int().min(1, '`minCount` must be 1 or more').optional(),
  /** Every document, and every value at the path, must hold (every container has probes), not just one. */
  every: z.boolean().default(false),
});

const StructuredParams = z.strictObject({
  files: GlobsSchema,
  format: z.enum(['auto', 'yaml', 'json', 'toml'], { error: 'use auto, yaml, json or toml' }).default('auto'),
  /** Only documents where every dotted path has the value (or one of the values): `{ kind: Deployment }`. */
  where: z
    .record(PathSchema, z.union([Scalar, z.array(Scalar).min(1)]))
    .refine((w) => Object.keys(w).length > 0, { message: 'give at least one path under `where`, or leave it out' })
    .optional(),
  minDocuments: z.number().int().min(1, '`minDocuments` must be 1 or more').default(1),
  require: z.array(RequireSchema).default([]),
  partial: z.boolean().default(true),
});
export type StructuredParams = z.output<typeof StructuredParams>;
type Requirement = StructuredParams['require'][number];
/** HCL (Terraform's .tf, .tfvars, .hcl) is recognised by name under `auto`; the grader parses it while gathering evidence. */
type Format = 'yaml' | 'json' | 'toml' | 'hcl';

/** Aliases a YAML document may expand; a "billion laughs" file is refused, not expanded. */
const MAX_ALIASES = 100;

interface Problem {
  readonly path: string;
  readonly format: Format;
  readonly line?: number;
  /** What is wrong, ending without a period. */
  readonly what: Text;
  /** The parser refused the syntax: worth checking locally with Python. */
  readonly syntax?: boolean;
}

interface Found {
  readonly path: string;
  /** 1-based position in a multi-document YAML file. */
  readonly index: number;
  readonly multi: boolean;
  readonly doc: unknown;
}

/** Assertions on YAML/JSON/TOML/HCL documents found wherever the student put them. */
export const structuredCheck = defineCheck<StructuredParams>({
  kind: 'structured',
  params: StructuredParams,
  requirements(params) {
    // Only globs that can name an HCL file (*.tf, or a wildcard ending) ask the grader to parse HCL.
    const hcl = params.format === 'auto' ? globList(params.files).filter((g) => isHclPath(g) || g.endsWith('*')) : [];
    return { contents: globList(params.files), ...(hcl.length ? { hcl } : {}) };
  },
  evaluate(params, evidence) {
    const globs = globList(params.files);
    const matches = globMatcher(globs);
    const wanted = globs.map((g) => literal(g)).join(', ');
    const files = [...evidence.contents.values()].filter((c) => matches(c.path)).sort((a, b) => a.path.localeCompare(b.path));
    const skipped = evidence.skipped.filter((s) => matches(s.path));

    const problems: Problem[] = [];
    const all: Found[] = [];
    for (const file of files) {
      const parsed = parseFile(file, params.format, evidence.hcl);
      problems.push(...parsed.problems);
      parsed.documents.forEach((doc, i) => all.push({ path: file.path, index: i + 1, multi: parsed.documents.length > 1, doc }));
    }
    const documents = all.filter((d) => matchesWhere(d.doc, params.where));
    const whereWords = params.where
      ? Object.entries(params.where).map(([k, v]) => `${k}: ${Array.isArray(v) ? v.join(' | ') : String(v)}`).join(', ')
      : '';

    const items: ChecklistItem[] = [documentsItem(params, documents, whereWords, wanted)];
    for (const req of params.require) items.push(requirementItem(req, documents));

    const met = items.filter((i) => i.ok).length;
    const fraction = documents.length === 0 ? 0 : creditOf(items, params.partial);

    const parts: Text[] = [];
    if (files.length === 0 && skipped.length === 0) {
      parts.push(t(
        `No encontré archivos ${wanted}. Créalo y haz commit (revisa nombre y carpeta).`,
        `No ${wanted} file was found. Create it and commit it (check its name and folder).`,
      ));
    } else if (documents.length === 0 && params.where && all.length > 0) {
      const seen = seenValues(all.map((d) => d.doc), Object.keys(params.where)[0]!);
      parts.push(t(
        `Ningún documento de ${counted(files.length, FILES).es} tiene ${literal(whereWords)}${seen ? ` (encontré ${seen})` : ''}. Agrega ese documento.`,
        `No document in ${counted(files.length, FILES).en} has ${literal(whereWords)}${seen ? ` (found ${seen})` : ''}. Add that document.`,
      ));
    } else if (documents.length === 0) {
      parts.push(t(
        `No hay documentos válidos en ${wanted}.`,
        `There are no valid documents in ${wanted}.`,
      ));
    } else {
      const missing = items.filter((i) => !i.ok);
      const where = [...new Set(documents.map((d) => literal(d.path)))].slice(0, 3).join(', ');
      parts.push(
        missing.length === 0
          ? t(`Todo presente (${ofTotal(met, items.length, REQUIREMENTS).es}) en ${where}.`, `Everything present (${ofTotal(met, items.length, REQUIREMENTS).en}) in ${where}.`)
          : t(
              `Hay ${ofTotal(met, items.length, REQUIREMENTS).es} en ${where}. Falta: ${listed(missing.map((i) => i.label)).es}. Agrégalo y vuelve a hacer push.`,
              `${ofTotal(met, items.length, REQUIREMENTS).en} met in ${where}. Missing: ${listed(missing.map((i) => i.label)).en}. Add it and push again.`,
            ),
      );
    }
    for (const s of skipped) {
      parts.push(t(
        `${literal(s.path)} (${bytes(s.size, 'es')}) no se pudo leer para corregir.`,
        `${literal(s.path)} (${bytes(s.size)}) could not be read for grading.`,
      ));
    }
    for (const p of problems) parts.push(problemSentence(p));

    const annotations: Annotation[] = problems.map((p) => ({
      path: p.path,
      ...(p.line ? { line: p.line } : {}),
      message: t(`No es ${formatName(p.format)} válido: ${p.what.es}.`, `Not valid ${formatName(p.format)}: ${p.what.en}.`),
    }));
    return { fraction, message: join(parts), items, ...(annotations.length ? { annotations } : {}) };
  },
});

function documentsItem(params: StructuredParams, documents: readonly Found[], whereWords: string, wanted: string): ChecklistItem {
  const n = params.minDocuments;
  const label = params.where
    ? n > 1
      ? t(`${n} documentos con ${literal(whereWords)}`, `${n} documents with ${literal(whereWords)}`)
      : t(`un documento con ${literal(whereWords)}`, `a document with ${literal(whereWords)}`)
    : n > 1
      ? t(`${n} documentos en ${wanted}`, `${n} documents in ${wanted}`)
      : t(`un documento válido en ${wanted}`, `a valid document in ${wanted}`);
  const paths = [...new Set(documents.map((d) => d.path))];
  const shown = paths.slice(0, 3).map((p) => literal(p)).join(', ') + (paths.length > 3 ? ', …' : '');
  return {
    label,
    ok: documents.length >= n,
    note: documents.length
      ? t(`${documents.length} de ${n} en ${shown}`, `${documents.length} of ${n} in ${shown}`)
      : t('ninguno encontrado', 'none found'),
  };
}

function requirementItem(req: Requirement, documents: readonly Found[]): ChecklistItem {
  const label = req.label ?? same(literal(req.path));
  if (documents.length === 0) return { label, ok: false };
  const judged = documents.map((d) => ({ d, j: judge(d.doc, req) }));
  if (req.every) {
    const bad = judged.find((x) => !x.j.ok);
    if (!bad) {
      return { label, ok: true, note: documents.length === 1 ? t('en el único documento', 'in the only document') : t(`en los ${documents.length} documentos`, `in all ${documents.length} documents`) };
    }
    const whereEs = `${docName(bad.d, 'es')}${bad.j.failing ? `, elemento ${bad.j.failing}` : ''}`;
    const whereEn = `${docName(bad.d, 'en')}${bad.j.failing ? `, item ${bad.j.failing}` : ''}`;
    return {
      label,
      ok: false,
      note: bad.j.values.length
        ? t(`no se cumple en ${whereEs}: ${literal(req.path)} = ${summary(bad.j.values)}`, `does not hold in ${whereEn}: ${literal(req.path)} = ${summary(bad.j.values)}`)
        : t(`falta ${literal(req.path)} en ${whereEs}`, `${literal(req.path)} is missing in ${whereEn}`),
    };
  }
  const good = judged.find((x) => x.j.ok);
  if (good) {
    return { label, ok: true, note: t(`${docName(good.d, 'es')}: ${summary(good.j.values)}`, `${docName(good.d, 'en')}: ${summary(good.j.values)}`) };
  }
  const withValues = judged.find((x) => x.j.values.length > 0);
  return {
    label,
    ok: false,
    note: withValues
      ? t(
          `en ${docName(withValues.d, 'es')} ${literal(req.path)} es ${summary(withValues.j.values)}${expectation(req, 'es')}`,
          `in ${docName(withValues.d, 'en')} ${literal(req.path)} is ${summary(withValues.j.values)}${expectation(req, 'en')}`,
        )
      : t(`${literal(req.path)} no está en ningún documento`, `${literal(req.path)} is in no document`),
  };
}

function expectation(req: Requirement, locale: 'es' | 'en'): string {
  const parts: string[] = [];
  if (req.anyOf) parts.push(locale === 'es' ? `uno de ${req.anyOf.join(', ')}` : `one of ${req.anyOf.join(', ')}`);
  if (req.match) parts.push(locale === 'es' ? `que coincida con /${req.match}/` : `matching /${req.match}/`);
  if (req.minCount) parts.push(locale === 'es' ? `al menos ${req.minCount}` : `at least ${req.minCount}`);
  if (!parts.length) return '';
  return locale === 'es' ? `; se espera ${parts.join(', ')}` : `; expected ${parts.join(', ')}`;
}

function docName(d: Found, locale: 'es' | 'en'): string {
  if (!d.multi) return literal(d.path);
  const kind = d.doc && typeof d.doc === 'object' && !Array.isArray(d.doc) ? (d.doc as Record<string, unknown>)['kind'] : undefined;
  const extra = typeof kind === 'string' ? ` ${literal(kind)}` : '';
  return locale === 'es' ? `${literal(d.path)} (documento ${d.index}${extra})` : `${literal(d.path)} (document ${d.index}${extra})`;
}

function problemSentence(p: Problem): Text {
  const at = p.line ? { es: `, línea ${p.line}`, en: `, line ${p.line}` } : { es: '', en: '' };
  const how = validator(p);
  return t(
    `${literal(p.path)}${at.es} no es ${formatName(p.format)} válido: ${p.what.es}.${how ? ` Corrígelo y compruébalo con ${literal(how)}.` : ''}`,
    `${literal(p.path)}${at.en} is not valid ${formatName(p.format)}: ${p.what.en}.${how ? ` Fix it and check it with ${literal(how)}.` : ''}`,
  );
}

function validator(p: Problem): string | undefined {
  if (!p.syntax) return undefined;
  switch (p.format) {
    case 'yaml':
      return `python -c "import yaml,sys; list(yaml.safe_load_all(open(sys.argv[1])))" ${p.path}`;
    case 'json':
      return `python -m json.tool ${p.path}`;
    case 'toml':
      return `python -c "import tomllib,sys; tomllib.load(open(sys.argv[1],'rb'))" ${p.path}`;
    case 'hcl':
      return 'terraform fmt -check && terraform validate';
  }
}

function formatName(format: Format): string {
  return format.toUpperCase();
}

function formatOf(path: string, format: StructuredParams['format']): Format {
  if (format !== 'auto') return format;
  if (/\.(json|ipynb|geojson)$/i.test(path)) return 'json';
  if (/\.toml$/i.test(path)) return 'toml';
  if (isHclPath(path)) return 'hcl';
  return 'yaml';
}

function firstLine(message: string): string {
  return (message.split('\n')[0] ?? '').replace(/ at line \d+, column \d+:?$/, '').replace(/:$/, '').trim();
}

function parseFile(file: FileContent, format: StructuredParams['format'], hcl: ReadonlyMap<string, HclDocument> | undefined): { documents: unknown[]; problems: Problem[] } {
  const kind = formatOf(file.path, format);
  const problem = (what: Text, line?: number, syntax = false): { documents: unknown[]; problems: Problem[] } => ({
    documents: [],
    problems: [{ path: file.path, format: kind, ...(line ? { line } : {}), what, syntax }],
  });
  if (file.truncated) {
    return problem(t('es demasiado grande para leerlo entero, así que no se analizó', 'it is too large to read whole, so it was not parsed'));
  }
  if (file.encoding === 'binary') return problem(t('no es un archivo de texto', 'it is not a text file'));
  if (kind === 'json') {
    try {
      return { documents: [JSON.parse(file.text)], problems: [] };
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      const line = /\(line (\d+) column \d+\)/.exec(message)?.[1];
      const what = message.replace(/\s*\(line \d+ column \d+\)/, '').replace(/ in JSON at position \d+/, '');
      return problem(t(`JSON dice ${literal(what)}`, `JSON says ${literal(what)}`), line ? Number(line) : undefined, true);
    }
  }
  if (kind === 'hcl') return hclDocuments(file, hcl?.get(file.path), problem);
  if (kind === 'toml') {
    try {
      return { documents: [parseToml(file.text)], problems: [] };
    } catch (error) {
      const message = error instanceof Error ? firstLine(error.message).replace(/^Invalid TOML document: /, '') : String(error);
      const line = error instanceof TomlError ? error.line : undefined;
      return problem(t(`TOML dice ${literal(message)}`, `TOML says ${literal(message)}`), line, true);
    }
  }
  const documents: unknown[] = [];
  const problems: Problem[] = [];
  let docs;
  try {
    docs = parseAllDocuments(file.text, { prettyErrors: true, merge: true });
  } catch (error) {
    return problem(t(`yaml dice ${literal(firstLine(String(error)))}`, `yaml says ${literal(firstLine(String(error)))}`), undefined, true);
  }
  for (const doc of docs) {
    const error = doc.errors[0];
    if (error) {
      const line = error.linePos?.[0]?.line;
      const what = firstLine(error.message);
      problems.push({ path: file.path, format: kind, ...(line ? { line } : {}), what: t(`yaml dice ${literal(what)}`, `yaml says ${literal(what)}`), syntax: true });
      continue;
    }
    let value: unknown;
    try {
      value = doc.toJS({ maxAliasCount: MAX_ALIASES });
    } catch (e) {
      const bomb = e instanceof Error && /alias/i.test(e.message);
      problems.push({
        path: file.path,
        format: kind,
        what: bomb
          ? t(`usa demasiados alias (\`*ancla\`): más de ${MAX_ALIASES} expansiones, como una «bomba de alias»; escribe los valores sin alias`, `it uses too many aliases (\`*anchor\`): over ${MAX_ALIASES} expansions, like an "alias bomb"; write the values without aliases`)
          : t(`yaml dice ${literal(firstLine(String(e)))}`, `yaml says ${literal(firstLine(String(e)))}`),
      });
      continue;
    }
    if (isCircular(value)) {
      problems.push({ path: file.path, format: kind, what: t('un ancla (`&a`) se contiene a sí misma', 'an anchor (`&a`) contains itself') });
      continue;
    }
    if (value !== null && value !== undefined) documents.push(value);
  }
  return { documents, problems };
}

/** The grader's parse of an HCL file (src/grading/hcl.ts) as documents or a problem. */
function hclDocuments(
  file: FileContent,
  parsed: HclDocument | undefined,
  problem: (what: Text, line?: number, syntax?: boolean) => { documents: unknown[]; problems: Problem[] },
): { documents: unknown[]; problems: Problem[] } {
  if (!parsed) return problem(t('no se pudo analizar', 'it could not be parsed'));
  if ('value' in parsed) return { documents: parsed.value && typeof parsed.value === 'object' && Object.keys(parsed.value).length ? [parsed.value] : [], problems: [] };
  if ('refused' in parsed) {
    return parsed.refused === 'too-large'
      ? problem(t(`es demasiado grande para analizarlo (más de ${bytes(parsed.limit)}); divídelo en varios archivos .tf`, `it is too large to parse (over ${bytes(parsed.limit)}); split it into several .tf files`))
      : problem(t(`anida más de ${MAX_HCL_DEPTH} niveles de llaves o corchetes`, `it nests more than ${MAX_HCL_DEPTH} levels of braces or brackets`));
  }
  return problem(t(`HCL dice ${literal(parsed.error)}`, `HCL says ${literal(parsed.error)}`), parsed.line, true);
}

/** An anchor used inside itself (`a: &a [*a]`) makes a loop no path walk should follow. */
function isCircular(value: unknown): boolean {
  const active = new Set<object>();
  const done = new Set<object>();
  const visit = (v: unknown): boolean => {
    if (!v || typeof v !== 'object') return false;
    if (active.has(v)) return true;
    if (done.has(v)) return false;
    active.add(v);
    const children = v instanceof Map ? [...v.values()] : Array.isArray(v) ? v : Object.values(v);
    const circular = children.some(visit);
    active.delete(v);
    done.add(v);
    return circular;
  };
  return visit(value);
}

type Segment = { readonly kind: 'key'; readonly key: string } | { readonly kind: 'items' } | { readonly kind: 'any' };

function segmentsOf(path: string): Segment[] {
  return path.split('.').flatMap((s): Segment[] => {
    const m = /^(.*?)((?:\[\])*)$/.exec(s)!;
    const head: Segment[] = m[1] === '*' ? [{ kind: 'any' }] : m[1] ? [{ kind: 'key', key: m[1] }] : [];
    return [...head, ...Array.from({ length: m[2]!.length / 2 }, (): Segment => ({ kind: 'items' }))];
  });
}

function isMap(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function walk(values: readonly unknown[], segments: readonly Segment[]): unknown[] {
  let current = [...values];
  for (const seg of segments) {
    const next: unknown[] = [];
    for (const v of current) {
      if (seg.kind === 'items') {
        if (Array.isArray(v)) next.push(...v);
      } else if (seg.kind === 'any') {
        if (isMap(v)) next.push(...Object.values(v));
      } else if (isMap(v) && Object.hasOwn(v, seg.key)) {
        next.push(v[seg.key]);
      }
    }
    current = next;
  }
  return current.filter((v) => v !== undefined && v !== null);
}

/** Every value at a dotted path: `a.b[].c`, `stages.*.cmd`. */
export function resolvePath(value: unknown, path: string): unknown[] {
  return walk([value], segmentsOf(path));
}

function matchesWhere(doc: unknown, where: StructuredParams['where']): boolean {
  if (!where) return true;
  return Object.entries(where).every(([path, wanted]) => {
    const accepted = Array.isArray(wanted) ? wanted : [wanted];
    return resolvePath(doc, path).some((v) => accepted.some((a) => String(a) === String(v)));
  });
}

/** The values found at a `where` path, to show what the student wrote instead. */
function seenValues(docs: readonly unknown[], path: string): string {
  const values = [...new Set(docs.flatMap((d) => resolvePath(d, path)).filter(isScalar).map(String))];
  if (!values.length) return '';
  return `${path}: ${values.slice(0, 5).map(literal).join(', ')}${values.length > 5 ? ', …' : ''}`;
}

function isScalar(v: unknown): v is string | number | boolean {
  return typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean';
}

interface Judgement {
  readonly ok: boolean;
  readonly values: unknown[];
  /** For `every`: the item that lacks the rest of the path (`worker`, `#2`). */
  readonly failing?: string;
}

/** Whether one document satisfies a requirement, with the values found. */
function judge(doc: unknown, req: Requirement): Judgement {
  const segments = segmentsOf(req.path);
  if (req.every) {
    // Each item at the last wildcard must have the rest of the path (every container
    // has a livenessProbe), so one container without it fails the document.
    let cut = -1;
    segments.forEach((s, i) => {
      if (s.kind !== 'key' && i < segments.length - 1) cut = i;
    });
    if (cut >= 0) {
      const items = walk([doc], segments.slice(0, cut + 1));
      const rest = segments.slice(cut + 1);
      const all: unknown[] = [];
      if (items.length === 0) return { ok: false, values: [] };
      for (const [i, item] of items.entries()) {
        const values = walk([item], rest);
        all.push(...values);
        if (!holds(values, req, true)) return { ok: false, values, failing: itemName(item, i) };
      }
      return { ok: true, values: all };
    }
  }
  const values = walk([doc], segments);
  return { ok: holds(values, req, req.every), values };
}

function itemName(item: unknown, index: number): string {
  const name = isMap(item) ? item['name'] ?? item['id'] : undefined;
  return isScalar(name) ? literal(String(name)) : `#${index + 1}`;
}

function holds(values: readonly unknown[], req: Requirement, every: boolean): boolean {
  if (values.length === 0) return false;
  if (req.minCount !== undefined) {
    const n = req.minCount;
    const size = (v: unknown) => (Array.isArray(v) ? v.length : isMap(v) ? Object.keys(v).length : 0);
    if (values.length < n && !(every ? values.every((v) => size(v) >= n) : values.some((v) => size(v) >= n))) return false;
  }
  const regex = req.match ? new RegExp(req.match, 'u') : undefined;
  const ok = (v: unknown): boolean => {
    // A list's items or a map's keys stand for it: `on: [push, pull_request]`, `on: { push: ... }`.
    const candidates =
      v instanceof Date ? [v.toISOString()] : Array.isArray(v) ? v.filter(isScalar) : isMap(v) ? Object.keys(v) : isScalar(v) ? [v] : [];
    if (req.anyOf && !candidates.some((c) => req.anyOf!.some((a) => String(a) === String(c)))) return false;
    if (regex && !candidates.some((c) => regex.test(String(c)))) return false;
    return true;
  };
  return every ? values.every(ok) : values.some(ok);
}

/** A short, readable rendering of found values for a note. */
function summary(values: readonly unknown[]): string {
  const one = (v: unknown): string => {
    if (v instanceof Date) return literal(v.toISOString());
    if (Array.isArray(v)) return `[${v.length} ${v.length === 1 ? 'item' : 'items'}]`;
    if (isMap(v)) {
      const keys = Object.keys(v);
      return `{${keys.slice(0, 4).map(literal).join(', ')}${keys.length > 4 ? ', …' : ''}}`;
    }
    const s = String(v);
    return literal(s.length > 60 ? `${s.slice(0, 57)}…` : s);
  };
  const shown = values.slice(0, 3).map(one).join(', ');
  return values.length > 3 ? `${shown} (+${values.length - 3})` : shown;
}
