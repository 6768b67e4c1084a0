import { z } from 'zod';
import { globMatcher, isGitInternal } from '../core/glob.ts';
import { GlobsSchema, globList, TextSchema } from '../core/schemas.ts';
import { bytes, FILES, join, listed, literal, noun, ofTotal, same, t, type Text } from '../core/text.ts';
import { creditOf, defineCheck, type ChecklistItem } from './types.ts';

const FOLDERS = noun('carpeta', 'carpetas', 'folder', 'folders');
const PATHS = noun('ruta pedida', 'rutas pedidas', 'required path', 'required paths');

const RequirementSchema = z.strictObject({
  label: TextSchema.optional(),
  glob: GlobsSchema,
  type: z.enum(['file', 'dir', 'any']).default('any'),
  min: z.number().int().min(1).default(1),
  max: z.number().int().min(1).optional(),
});

const FilesParams = z.strictObject({
  require: z.array(RequirementSchema).min(1, 'list at least one path under `require`'),
  partial: z.boolean().default(true),
  /** The exact location is part of the assignment (week 1's folder layout). */
  pathIsAssignment: z.boolean().default(false),
});
type FilesParams = z.output<typeof FilesParams>;

/** Files and folders present, with counts: `data/raw` is a folder, `mlruns/*\/*\/meta.yaml` at least 3. */
export const filesCheck = defineCheck<FilesParams>({
  kind: 'files',
  params: FilesParams,
  requirements: (params) => ({ paths: params.require.flatMap((r) => globList(r.glob)) }),
  evaluate(params, evidence) {
    const entries = evidence.files.filter((f) => !isGitInternal(f.path));
    const items: ChecklistItem[] = [];
    const hints: Text[] = [];
    for (const req of params.require) {
      const globs = globList(req.glob);
      const matches = globMatcher(globs);
      const found = entries.filter((f) => matches(f.path));
      const ofType = found.filter((f) => (req.type === 'any' ? f.type !== 'symlink' : f.type === req.type));
      const count = ofType.length;
      const ok = count >= req.min && (req.max === undefined || count <= req.max);
      const label = req.label ?? same(globs.map((g) => literal(g)).join(', '));
      let note: Text | undefined;
      if (req.min > 1 || req.max !== undefined) {
        note = t(`${count} de ${req.min}${req.max !== undefined ? `–${req.max}` : ''}`, `${count} of ${req.min}${req.max !== undefined ? `–${req.max}` : ''}`);
      }
      if (!ok && count < req.min) {
        const skipped = evidence.skipped.find((s) => matches(s.path));
        const link = found.find((f) => f.type === 'symlink');
        const wrongType = found.find((f) => f.type !== 'symlink' && f.type !== req.type);
        if (skipped) {
          note = t(
            `${literal(skipped.path)} pesa ${bytes(skipped.size, 'es')} y no se copió para corregir: los datos grandes van en DVC, no en git.`,
            `${literal(skipped.path)} is ${bytes(skipped.size)} and was not copied for grading: large data belongs in DVC, not in git.`,
          );
        } else if (link) {
          note = t(
            `${literal(link.path)} es un enlace simbólico${link.target ? ` a ${literal(link.target)}` : ''}, no un ${req.type === 'dir' ? 'directorio' : 'archivo'} real.`,
            `${literal(link.path)} is a symbolic link${link.target ? ` to ${literal(link.target)}` : ''}, not a real ${req.type === 'dir' ? 'folder' : 'file'}.`,
          );
        } else if (wrongType) {
          note = req.type === 'dir'
            ? t(`${literal(wrongType.path)} es un archivo; debe ser una carpeta.`, `${literal(wrongType.path)} is a file; it must be a folder.`)
            : t(`${literal(wrongType.path)} es una carpeta; debe ser un archivo.`, `${literal(wrongType.path)} is a folder; it must be a file.`);
        } else {
          const elsewhere = nearMiss(globs, entries.map((f) => f.path));
          if (elsewhere) {
            hints.push(t(
              `Encontré ${literal(elsewhere.found)}: muévelo a ${literal(elsewhere.wanted)}.`,
              `Found ${literal(elsewhere.found)}: move it to ${literal(elsewhere.wanted)}.`,
            ));
            note = t(`está en ${literal(elsewhere.found)}`, `it is at ${literal(elsewhere.found)}`);
          }
        }
      } else if (!ok && req.max !== undefined) {
        note = t(`${count} encontrados; el máximo es ${req.max}`, `${count} found; at most ${req.max}`);
      }
      items.push({ label, ok, ...(note ? { note } : {}) });
    }
    const met = items.filter((i) => i.ok).length;
    const fraction = creditOf(items, params.partial);
    const missing = items.filter((i) => !i.ok).map((i) => i.label);
    const what = params.require.every((r) => r.type === 'dir') ? FOLDERS : params.require.every((r) => r.type === 'file') ? FILES : PATHS;
    const tally = ofTotal(met, items.length, what);
    const parts: Text[] = [
      met === items.length
        ? t(`Está todo: ${tally.es}.`, `All present: ${tally.en}.`)
        : t(`Hay ${tally.es}. Falta: ${listed(missing).es}.`, `${tally.en} present. Missing: ${listed(missing).en}.`),
    ];
    if (met < items.length && params.pathIsAssignment) {
      parts.push(t(
        'La ubicación es parte de la consigna: usa exactamente esas rutas.',
        'The location is part of the assignment: use exactly these paths.',
      ));
    }
    parts.push(...hints);
    return { fraction, message: join(parts), items };
  },
});

/** A wanted path whose last segment exists elsewhere (`Data/Raw`, `source/data/raw`). */
function nearMiss(globs: readonly string[], paths: readonly string[]): { wanted: string; found: string } | undefined {
  for (const glob of globs) {
    if (/[*?[{]/.test(glob)) continue;
    const base = glob.split('/').pop()!.toLowerCase();
    const found = paths.find((p) => p.toLowerCase() !== glob.toLowerCase() && p.split('/').pop()!.toLowerCase() === base);
    if (found) return { wanted: glob, found };
  }
  return undefined;
}
