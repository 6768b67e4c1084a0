import { z } from 'zod';
import { globMatcher } from '../core/glob.ts';
import { GlobsSchema, globList, RegexSchema, TextSchema } from '../core/schemas.ts';
import { literal, same, t, type Text } from '../core/text.ts';
import { creditOf, defineCheck, type Annotation, type ChecklistItem, type FileContent } from './types.ts';

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

/** Text patterns in the student's files: `import mlflow`, `@app.get("/health")`. */
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
    const items: ChecklistItem[] = [];
    const annotations: Annotation[] = [];
    if (params.scope === 'same-file') {
      const best = files
        .map((f) => ({ f, n: params.patterns.filter((p, i) => hit(f, i) !== p.absent).length }))
        .sort((a, b) => b.n - a.n)[0]!;
      params.patterns.forEach((p, i) => {
        items.push({ label: labelOf(p), ok: hit(best.f, i) !== p.absent, note: same(literal(best.f.path)) });
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
          items.push({
            label: labelOf(p),
            ok: found.length === 0,
            ...(found.length ? { note: same(found.map((f) => literal(f.path)).join(', ')) } : {}),
          });
        } else {
          items.push({ label: labelOf(p), ok: found.length > 0, ...(found.length ? { note: same(literal(found[0]!.path)) } : {}) });
        }
      });
    }
    const met = items.filter((i) => i.ok).length;
    const fraction = creditOf(items, params.partial);
    const searched = files.length <= 5 ? files.map((f) => literal(f.path)).join(', ') : `${files.length}`;
    const message: Text =
      met === items.length
        ? t(`Todo encontrado (${met} de ${items.length}) en ${searched}.`, `Everything found (${met} of ${items.length}) in ${searched}.`)
        : t(
            `${met} de ${items.length} encontrados en ${searched}. Falta: ${items.filter((i) => !i.ok).map((i) => i.label.es).join('; ')}.`,
            `${met} of ${items.length} found in ${searched}. Missing: ${items.filter((i) => !i.ok).map((i) => i.label.en).join('; ')}.`,
          );
    return { fraction, message, items, ...(annotations.length ? { annotations } : {}) };
  },
});

function labelOf(p: { label?: Text | undefined; regex: string; absent: boolean }): Text {
  return p.label ?? (p.absent ? t(`sin /${p.regex}/`, `no /${p.regex}/`) : same(`/${p.regex}/`));
}

function lineOf(text: string, regex: RegExp): number | undefined {
  const m = new RegExp(regex.source, regex.flags.includes('g') ? regex.flags : `${regex.flags}g`).exec(text);
  return m ? text.slice(0, m.index).split('\n').length : undefined;
}
