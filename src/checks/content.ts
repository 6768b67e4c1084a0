import { z } from 'zod';
import { globMatcher } from '../core/glob.ts';
import { GlobsSchema, globList, RegexSchema, TextSchema } from '../core/schemas.ts';
import { bytes, counted, FILES, listed, literal, noun, ofTotal, same, t, type Locale, type Text } from '../core/text.ts';
import { creditOf, defineCheck, type Annotation, type CheckEvidence, type ChecklistItem, type FileContent } from './types.ts';

const PATTERNS = noun('patrón pedido', 'patrones pedidos', 'required pattern', 'required patterns');

const PatternSchema = z.strictObject({
  label: TextSchema.optional(),
  regex: RegexSchema,
  flags: z.string().regex(/^[ims]*$/, 'use only the flags i, m and s').default('m'),
  /** The pattern must NOT appear (a hard-coded secret, a print left behind). */
  absent: z.boolean().default(false),
});

const ContentParams = z.strictObject({
  files: GlobsSchema,
  patterns: z.array(PatternSchema).min(1, 'list at least one pattern'),
  /** `same-file`: one file must match every pattern (a FastAPI app with both endpoints). */
  scope: z.enum(['any-file', 'same-file']).default('any-file'),
  partial: z.boolean().default(true),
});
type ContentParams = z.output<typeof ContentParams>;

/**
 * Text patterns in the student's files: `import mlflow`, `@app.get("/health")`.
 * A pattern that must be absent is judged on whole files only: the grader reads the
 * first `maxReadBytes` of each file, so a file longer than that (or left out of the
 * sandbox, or past the read budget) fails the pattern and is named, rather than being
 * passed on the part read (padding would hide what the pattern looks for).
 */
export const contentCheck = defineCheck<ContentParams>({
  kind: 'content',
  params: ContentParams,
  requirements: (params) => ({ contents: globList(params.files) }),
  evaluate(params, evidence) {
    const matches = globMatcher(globList(params.files));
    const files = [...evidence.contents.values()].filter((c) => matches(c.path)).sort((a, b) => a.path.localeCompare(b.path));
    const where = globList(params.files).join(', ');
    if (files.length === 0) {
      return {
        fraction: 0,
        message: t(`No encontré archivos que coincidan con ${literal(where)}.`, `No file matches ${literal(where)}.`),
        items: params.patterns.map((p) => ({ label: labelOf(p), ok: false })),
      };
    }
    const regexes = params.patterns.map((p) => new RegExp(p.regex, `${p.flags.replace(/[gu]/g, '')}u`));
    const hit = (file: FileContent, i: number) => regexes[i]!.test(file.text);
    const unread = unreadFiles(evidence, matches);
    let unreadMatters = false;
    const items: ChecklistItem[] = [];
    const annotations: Annotation[] = [];
    if (params.scope === 'same-file') {
      const holds = (f: FileContent, i: number) => (params.patterns[i]!.absent ? !hit(f, i) && !f.truncated : hit(f, i));
      const best = files
        .map((f) => ({ f, n: params.patterns.filter((_, i) => holds(f, i)).length }))
        .sort((a, b) => b.n - a.n)[0]!;
      params.patterns.forEach((p, i) => {
        const cut = p.absent && best.f.truncated && !hit(best.f, i);
        if (cut) unreadMatters = true;
        items.push({ label: labelOf(p), ok: holds(best.f, i), note: cut ? notReadWhole([best.f.path]) : same(literal(best.f.path)) });
      });
    } else {
      params.patterns.forEach((p, i) => {
        const found = files.filter((f) => hit(f, i));
        if (p.absent) {
          for (const f of found) {
            const line = lineOf(f.text, regexes[i]!);
            annotations.push({
              path: f.path,
              ...(line ? { line } : {}),
              message: t(`Esto no debería estar aquí: ${labelOf(p).es}.`, `This should not be here: ${labelOf(p).en}.`),
            });
          }
          if (found.length === 0 && unread.length > 0) unreadMatters = true;
          items.push({
            label: labelOf(p),
            ok: found.length === 0 && unread.length === 0,
            ...(found.length ? { note: same(found.map((f) => literal(f.path)).join(', ')) } : unread.length ? { note: notReadWhole(unread) } : {}),
          });
        } else {
          items.push({ label: labelOf(p), ok: found.length > 0, ...(found.length ? { note: same(literal(found[0]!.path)) } : {}) });
        }
      });
    }
    const met = items.filter((i) => i.ok).length;
    const fraction = creditOf(items, params.partial);
    const searched = files.length <= 5 ? same(files.map((f) => literal(f.path)).join(', ')) : counted(files.length, FILES);
    const tally = ofTotal(met, items.length, PATTERNS);
    const lacking = listed(items.filter((i) => !i.ok).map((i) => i.label));
    const message: Text =
      met === items.length
        ? t(`Todo encontrado (${tally.es}) en ${searched.es}.`, `Everything found (${tally.en}) in ${searched.en}.`)
        : t(`Hay ${tally.es} en ${searched.es}. Falta: ${lacking.es}.`, `${tally.en} found in ${searched.en}. Missing: ${lacking.en}.`);
    const read = (locale: Locale) => bytes(evidence.limits.maxReadBytes, locale);
    const why = unreadMatters
      ? t(
          ` Un patrón que no debe estar solo se da por ausente en archivos leídos enteros, y Rubrica lee los primeros ${read('es')} de cada uno: acorta esos archivos o sácalos de ${literal(where)}.`,
          ` A pattern that must be absent is only judged absent in files read whole, and Rubrica reads the first ${read('en')} of each: shorten those files or move them out of ${literal(where)}.`,
        )
      : undefined;
    return {
      fraction,
      message: why ? t(message.es + why.es, message.en + why.en) : message,
      items,
      ...(annotations.length ? { annotations } : {}),
    };
  },
});

/** Matching files whose whole text the checks do not have: longer than the read, left out of the sandbox, or past the read budget. */
function unreadFiles(evidence: CheckEvidence, matches: (path: string) => boolean): string[] {
  const unread = new Set<string>();
  for (const c of evidence.contents.values()) if (c.truncated && matches(c.path)) unread.add(c.path);
  for (const f of evidence.files) if (f.type === 'file' && matches(f.path) && !evidence.contents.has(f.path)) unread.add(f.path);
  for (const s of evidence.skipped) if ((s.reason === 'too-large' || s.reason === 'snapshot-full') && matches(s.path)) unread.add(s.path);
  return [...unread].sort();
}

function notReadWhole(paths: readonly string[]): Text {
  const list = paths.length <= 5 ? paths.map((p) => literal(p)).join(', ') : `${paths.slice(0, 5).map((p) => literal(p)).join(', ')} (+${paths.length - 5})`;
  return t(`no leído entero: ${list}`, `not read whole: ${list}`);
}

function labelOf(p: { label?: Text | undefined; regex: string; absent: boolean }): Text {
  return p.label ?? (p.absent ? t(`sin /${p.regex}/`, `no /${p.regex}/`) : same(`/${p.regex}/`));
}

function lineOf(text: string, regex: RegExp): number | undefined {
  const m = new RegExp(regex.source, regex.flags.includes('g') ? regex.flags : `${regex.flags}g`).exec(text);
  return m ? text.slice(0, m.index).split('\n').length : undefined;
}
