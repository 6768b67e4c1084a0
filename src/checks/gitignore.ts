import { z } from 'zod';
import { TextSchema } from '../core/schemas.ts';
import { same, t } from '../core/text.ts';
import { defineCheck, shareOf, type Annotation, type ChecklistItem } from './types.ts';

const GitignoreParams = z.strictObject({
  /** Kinds of files that must be ignored, each by sample paths (any one ignored is enough). */
  ignored: z.array(z.strictObject({ label: TextSchema, anyOf: z.array(z.string().min(1)).min(1) })).min(1),
  /** Paths that must stay versioned (`src/main.py`, `data/raw/.gitkeep`). */
  kept: z.array(z.string().min(1)).default([]),
  partial: z.boolean().default(true),
});
type GitignoreParams = z.output<typeof GitignoreParams>;

/** `.gitignore` coverage, judged by git's own rules (`git check-ignore`) on sample paths. */
export const gitignoreCheck = defineCheck<GitignoreParams>({
  kind: 'gitignore',
  params: GitignoreParams,
  requirements: (params) => ({ ignorePaths: [...params.ignored.flatMap((i) => i.anyOf), ...params.kept], contents: ['.gitignore'] }),
  evaluate(params, evidence) {
    if (evidence.gitignoreEncoding === 'utf-16' || evidence.gitignoreEncoding === 'binary') {
      return {
        fraction: 0,
        message: t(
          'Tu `.gitignore` está guardado en UTF-16 (PowerShell lo hace con `echo ... > .gitignore`) y git no puede leerlo: no ignora nada. Guárdalo como UTF-8: en VS Code, «Guardar con codificación → UTF-8», o en PowerShell `Get-Content .gitignore | Set-Content -Encoding utf8 .gitignore`.',
          'Your `.gitignore` is saved as UTF-16 (PowerShell does that with `echo ... > .gitignore`) and git cannot read it: it ignores nothing. Save it as UTF-8: in VS Code, "Save with Encoding → UTF-8", or in PowerShell `Get-Content .gitignore | Set-Content -Encoding utf8 .gitignore`.',
        ),
        annotations: [{ path: '.gitignore', message: t('Guarda este archivo como UTF-8.', 'Save this file as UTF-8.') }],
      };
    }
    const hasFile = evidence.files.some((f) => f.path === '.gitignore' && f.type === 'file');
    if (!hasFile) {
      return {
        fraction: 0,
        message: t(
          'No hay `.gitignore` en la raíz. Crea uno con, al menos: `.venv/`, `__pycache__/`, `*.pyc`, `.env`, `mlruns/`, `data/*` y `!data/.gitkeep` si corresponde.',
          'There is no `.gitignore` at the root. Create one with at least: `.venv/`, `__pycache__/`, `*.pyc`, `.env`, `mlruns/`, `data/*` and `!data/.gitkeep` where it applies.',
        ),
      };
    }
    const items: ChecklistItem[] = [];
    const annotations: Annotation[] = [];
    for (const wanted of params.ignored) {
      const hit = wanted.anyOf.map((p) => ({ path: p, v: evidence.ignore.get(p) })).find((x) => x.v?.ignored);
      items.push({
        label: wanted.label,
        ok: Boolean(hit),
        note: hit
          ? t(`\`${wanted.anyOf[0]}\` ignorado por ${describeRule(hit.v!.rule)}`, `\`${wanted.anyOf[0]}\` ignored by ${describeRule(hit.v!.rule)}`)
          : t(`agrega una regla que ignore \`${wanted.anyOf[0]}\`, p. ej. \`${suggest(wanted.anyOf[0]!)}\``, `add a rule that ignores \`${wanted.anyOf[0]}\`, e.g. \`${suggest(wanted.anyOf[0]!)}\``),
      });
    }
    for (const path of params.kept) {
      const v = evidence.ignore.get(path);
      const ok = !v?.ignored;
      items.push({
        label: t(`\`${path}\` se versiona`, `\`${path}\` is versioned`),
        ok,
        ...(ok ? {} : { note: t(`lo ignora ${describeRule(v!.rule)}`, `ignored by ${describeRule(v!.rule)}`) }),
      });
      if (!ok && v?.rule) {
        const [file, line] = v.rule.split(':');
        annotations.push({
          path: file ?? '.gitignore',
          ...(line && /^\d+$/.test(line) ? { line: Number(line) } : {}),
          message: t(`Esta regla ignora \`${path}\`, que debe versionarse.`, `This rule ignores \`${path}\`, which must be versioned.`),
        });
      }
    }
    const met = items.filter((i) => i.ok).length;
    const fraction = params.partial ? shareOf(items) : met === items.length ? 1 : 0;
    const missing = items.filter((i) => !i.ok);
    const message =
      missing.length === 0
        ? t(`El .gitignore cubre lo pedido (${met} de ${items.length}, según \`git check-ignore\`).`, `The .gitignore covers what is asked (${met} of ${items.length}, per \`git check-ignore\`).`)
        : t(
            `Según \`git check-ignore\`, ${met} de ${items.length}. Falta: ${missing.map((i) => i.label.es).join('; ')}.`,
            `Per \`git check-ignore\`, ${met} of ${items.length}. Missing: ${missing.map((i) => i.label.en).join('; ')}.`,
          );
    return { fraction, message, items, ...(annotations.length ? { annotations } : {}) };
  },
});

function describeRule(rule: string | undefined) {
  if (!rule) return same('?').es;
  const [file, line, ...pattern] = rule.split(':');
  return `${file}:${line} \`${pattern.join(':')}\``;
}

/** The rule a student would add for a sample path: `.venv/pyvenv.cfg` → `.venv/`, `a/b.pyc` → `*.pyc`. */
function suggest(path: string): string {
  const parts = path.split('/');
  if (parts.length > 1) return `${parts[0]}/`;
  const ext = /\.[a-z0-9]+$/i.exec(path);
  return ext && !path.startsWith('.') ? `*${ext[0]}` : path;
}
