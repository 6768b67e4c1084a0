import { parse as parseToml } from 'smol-toml';
import { parseAllDocuments } from 'yaml';
import { z } from 'zod';
import { globMatcher } from '../core/glob.ts';
import { GlobsSchema, globList, RegexSchema, TextSchema } from '../core/schemas.ts';
import { join, same, t, type Text } from '../core/text.ts';
import { defineCheck, shareOf, type Annotation, type ChecklistItem, type FileContent } from './types.ts';

const Scalar = z.union([z.string(), z.number(), z.boolean()]);
type Scalar = z.infer<typeof Scalar>;

const StructuredParams = z.strictObject({
  files: GlobsSchema,
  format: z.enum(['auto', 'yaml', 'json', 'toml']).default('auto'),
  /** Only documents where every dotted path has the value (or one of the values): `{ kind: Deployment }`. */
  where: z.record(z.string(), z.union([Scalar, z.array(Scalar).min(1)])).optional(),
  minDocuments: z.number().int().min(1).default(1),
  require: z
    .array(
      z.strictObject({
        label: TextSchema.optional(),
        /** Dotted, with `[]` for every array item and `*` for every key: `spec.template.spec.containers[].resources.limits.memory`. */
        path: z.string().min(1),
        anyOf: z.array(Scalar).min(1).optional(),
        match: RegexSchema.optional(),
        minCount: z.number().int().min(1).optional(),
        /** Every resolved value must hold (every container has probes), not just one. */
        every: z.boolean().default(false),
      }),
    )
    .default([]),
  partial: z.boolean().default(true),
});
type StructuredParams = z.output<typeof StructuredParams>;
type Requirement = StructuredParams['require'][number];

/** Aliases a YAML document may expand; a "billion laughs" file is refused, not expanded. */
const MAX_ALIASES = 100;

interface Parsed {
  readonly path: string;
  readonly documents: unknown[];
  readonly error?: { readonly line?: number; readonly message: string };
}

/** Assertions on YAML/JSON/TOML documents found wherever the student put them. */
export const structuredCheck = defineCheck<StructuredParams>({
  kind: 'structured',
  params: StructuredParams,
  requirements: (params) => ({ contents: globList(params.files) }),
  evaluate(params, evidence) {
    const matches = globMatcher(globList(params.files));
    const files = [...evidence.contents.values()].filter((c) => matches(c.path)).sort((a, b) => a.path.localeCompare(b.path));
    const where = globList(params.files).join(', ');
    const parsed = files.map((f) => parseFile(f, params.format));
    const broken = parsed.filter((p) => p.error);
    const annotations: Annotation[] = broken.map((p) => ({
      path: p.path,
      ...(p.error!.line ? { line: p.error!.line } : {}),
      message: t(`No se puede leer: ${p.error!.message}`, `Cannot be read: ${p.error!.message}`),
    }));
    const documents = parsed.flatMap((p) => p.documents.map((doc) => ({ path: p.path, doc }))).filter(({ doc }) => matchesWhere(doc, params.where));
    const kindWords = params.where ? Object.entries(params.where).map(([k, v]) => `${k}: ${Array.isArray(v) ? v.join('|') : String(v)}`).join(', ') : '';
    const items: ChecklistItem[] = [
      {
        label: params.where
          ? t(`documento con \`${kindWords}\``, `a document with \`${kindWords}\``)
          : t(`archivo \`${where}\` válido`, `a valid \`${where}\` file`),
        ok: documents.length >= params.minDocuments,
        note: t(
          `${documents.length} encontrado(s)${params.minDocuments > 1 ? ` de ${params.minDocuments}` : ''}${documents.length ? ` en ${[...new Set(documents.map((d) => d.path))].join(', ')}` : ''}`,
          `${documents.length} found${params.minDocuments > 1 ? ` of ${params.minDocuments}` : ''}${documents.length ? ` in ${[...new Set(documents.map((d) => d.path))].join(', ')}` : ''}`,
        ),
      },
    ];
    for (const req of params.require) {
      const holds = documents.filter(({ doc }) => satisfies(doc, req));
      items.push({
        label: req.label ?? same(`\`${req.path}\``),
        ok: holds.length > 0,
        ...(holds.length ? { note: same(holds[0]!.path) } : {}),
      });
    }
    const met = items.filter((i) => i.ok).length;
    const fraction = documents.length === 0 ? 0 : params.partial ? shareOf(items) : met === items.length ? 1 : 0;
    const parts: Text[] = [];
    if (files.length === 0) {
      parts.push(t(`No encontré archivos \`${where}\`.`, `No \`${where}\` file was found.`));
    } else if (documents.length === 0 && params.where) {
      parts.push(t(`Ningún documento de ${files.length} archivo(s) tiene \`${kindWords}\`.`, `No document in ${files.length} file(s) has \`${kindWords}\`.`));
    } else {
      const missing = items.filter((i) => !i.ok);
      parts.push(
        missing.length === 0
          ? t(`Todo presente (${met} de ${items.length}).`, `Everything present (${met} of ${items.length}).`)
          : t(`${met} de ${items.length}. Falta: ${missing.map((i) => i.label.es).join('; ')}.`, `${met} of ${items.length}. Missing: ${missing.map((i) => i.label.en).join('; ')}.`),
      );
    }
    for (const b of broken) {
      parts.push(
        t(
          `\`${b.path}\`${b.error!.line ? ` (línea ${b.error!.line})` : ''} no es válido: ${b.error!.message}. Revísalo con \`python -c "import yaml,sys; yaml.safe_load(open(sys.argv[1]))" ${b.path}\`.`,
          `\`${b.path}\`${b.error!.line ? ` (line ${b.error!.line})` : ''} is not valid: ${b.error!.message}. Check it with \`python -c "import yaml,sys; yaml.safe_load(open(sys.argv[1]))" ${b.path}\`.`,
        ),
      );
    }
    return { fraction, message: join(parts), items, ...(annotations.length ? { annotations } : {}) };
  },
});

function formatOf(path: string, format: StructuredParams['format']): 'yaml' | 'json' | 'toml' {
  if (format !== 'auto') return format;
  if (/\.json$/i.test(path)) return 'json';
  if (/\.toml$/i.test(path)) return 'toml';
  return 'yaml';
}

function parseFile(file: FileContent, format: StructuredParams['format']): Parsed {
  if (file.truncated) return { path: file.path, documents: [], error: { message: 'the file is too large to read' } };
  if (file.encoding === 'binary') return { path: file.path, documents: [], error: { message: 'the file is not text' } };
  const kind = formatOf(file.path, format);
  try {
    if (kind === 'json') return { path: file.path, documents: [JSON.parse(file.text)] };
    if (kind === 'toml') return { path: file.path, documents: [parseToml(file.text)] };
    const docs = parseAllDocuments(file.text, { prettyErrors: false });
    const list = Array.isArray(docs) ? docs : [docs];
    const documents: unknown[] = [];
    for (const doc of list) {
      const error = doc.errors[0];
      if (error) {
        const line = error.linePos?.[0]?.line ?? lineAt(file.text, error.pos[0]);
        return { path: file.path, documents, error: { line, message: error.message.split('\n')[0]! } };
      }
      const value = doc.toJS({ maxAliasCount: MAX_ALIASES });
      if (value !== null && value !== undefined) documents.push(value);
    }
    return { path: file.path, documents };
  } catch (error) {
    const message = error instanceof Error ? error.message.split('\n')[0]! : String(error);
    const line = (error as { line?: number }).line;
    return {
      path: file.path,
      documents: [],
      error: { ...(typeof line === 'number' ? { line } : {}), message: /alias/i.test(message) ? 'too many YAML aliases (an alias bomb?)' : message },
    };
  }
}

function lineAt(text: string, offset: number): number {
  return text.slice(0, offset).split('\n').length;
}

/** Every value at a dotted path: `a.b[].c`, `stages.*.cmd`. */
export function resolvePath(value: unknown, path: string): unknown[] {
  const segments = path.split('.').flatMap((s) => {
    const m = /^(.*?)((?:\[\])*)$/.exec(s)!;
    const arrays = m[2]!.length / 2;
    return [...(m[1] ? [m[1]] : []), ...Array<string>(arrays).fill('[]')];
  });
  let current: unknown[] = [value];
  for (const seg of segments) {
    const next: unknown[] = [];
    for (const v of current) {
      if (seg === '[]') {
        if (Array.isArray(v)) next.push(...v);
      } else if (seg === '*') {
        if (v && typeof v === 'object' && !Array.isArray(v)) next.push(...Object.values(v));
      } else if (v && typeof v === 'object' && !Array.isArray(v) && Object.hasOwn(v, seg)) {
        next.push((v as Record<string, unknown>)[seg]);
      }
    }
    current = next;
  }
  return current.filter((v) => v !== undefined && v !== null);
}

function matchesWhere(doc: unknown, where: StructuredParams['where']): boolean {
  if (!where) return true;
  return Object.entries(where).every(([path, wanted]) => {
    const values = resolvePath(doc, path);
    const accepted = Array.isArray(wanted) ? wanted : [wanted];
    return values.some((v) => accepted.some((a) => String(a) === String(v)));
  });
}

function satisfies(doc: unknown, req: Requirement): boolean {
  // `every` with an array in the path: each item must have the rest of the path
  // (every container has a livenessProbe), so a container without one fails.
  const cut = req.path.lastIndexOf('[]');
  if (req.every && cut >= 0) {
    const items = resolvePath(doc, req.path.slice(0, cut + 2));
    const rest = req.path.slice(cut + 2).replace(/^\./, '');
    return items.length > 0 && items.every((item) => (rest ? holds(resolvePath(item, rest), req, false) : holds([item], req, false)));
  }
  return holds(resolvePath(doc, req.path), req, req.every);
}

function holds(values: unknown[], req: Requirement, every: boolean): boolean {
  if (values.length === 0) return false;
  if (req.minCount !== undefined) {
    const count = values.length === 1 && values[0] && typeof values[0] === 'object' ? Object.keys(values[0]).length : values.length;
    if (count < req.minCount) return false;
  }
  const regex = req.match ? new RegExp(req.match, 'iu') : undefined;
  const ok = (v: unknown): boolean => {
    if (req.anyOf) {
      const candidates = Array.isArray(v) ? v : [v];
      if (!candidates.some((c) => req.anyOf!.some((a) => String(a) === String(c)))) return false;
    }
    if (regex) {
      const text = typeof v === 'string' ? v : JSON.stringify(v);
      if (!regex.test(text)) return false;
    }
    return true;
  };
  return every ? values.every(ok) : values.some(ok);
}
