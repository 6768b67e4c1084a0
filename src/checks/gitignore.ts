import { z } from 'zod';
import { TextSchema } from '../core/schemas.ts';
import { join, listed, literal, ofTotal, REQUIREMENTS, t, type Text } from '../core/text.ts';
import { creditOf, defineCheck, type Annotation, type ChecklistItem, type IgnoreVerdict } from './types.ts';

const SamplePath = z
  .string()
  .min(1, 'write a path')
  .refine((p) => !p.startsWith('/') && !p.split('/').includes('..') && !p.endsWith('/'), {
    message: 'write a file path relative to the repository root (no leading `/`, no `..`, no trailing `/`)',
  });

const GitignoreParams = z.strictObject({
  /** Kinds of files that must be ignored, each by sample paths (any one ignored is enough). */
  ignored: z
    .array(
      z.strictObject({
        label: TextSchema,
        anyOf: z.array(SamplePath).min(1, 'give at least one sample path under `anyOf`'),
      }),
    )
    .min(1, 'list at least one kind of file under `ignored`'),
  /** Paths that must stay versioned (`src/main.py`, `data/raw/.gitkeep`). */
  kept: z.array(SamplePath).default([]),
  partial: z.boolean().default(true),
});
export type GitignoreParams = z.output<typeof GitignoreParams>;

/** Lines of GitHub's Python template (gitignore.io has the same) a first .gitignore should start from. */
const STARTER = ['.venv/', '__pycache__/', '*.py[cod]', '*.egg-info/', '.env', '.ipynb_checkpoints/', '.pytest_cache/'];

/** Folders a student ignores whole wherever they appear. */
const KNOWN_DIRS = new Set([
  '.venv', 'venv', 'env', '.env', '__pycache__', '.ipynb_checkpoints', '.pytest_cache', '.mypy_cache', '.ruff_cache',
  '.tox', '.nox', 'node_modules', 'mlruns', 'mlartifacts', 'build', 'dist', 'htmlcov', 'wandb', 'outputs', '.idea', '.vscode',
]);

interface Rule {
  readonly file: string;
  readonly line?: number;
  readonly pattern: string;
}

/** `.gitignore` coverage, judged by git's own rules (`git check-ignore`) on sample paths. */
export const gitignoreCheck = defineCheck<GitignoreParams>({
  kind: 'gitignore',
  params: GitignoreParams,
  requirements: (params) => ({
    ignorePaths: [...new Set([...params.ignored.flatMap((i) => i.anyOf), ...params.kept])],
    contents: ['.gitignore'],
  }),
  evaluate(params, evidence) {
    if (evidence.gitignoreEncoding === 'utf-16') {
      return {
        fraction: 0,
        message: t(
          'Tu `.gitignore` está guardado en UTF-16 (PowerShell lo hace con `echo ... > .gitignore`) y git no puede leerlo: no ignora nada de lo que escribiste. Guárdalo como UTF-8: en VS Code, clic en «UTF-16 LE» de la barra inferior → «Guardar con codificación» → «UTF-8»; o en PowerShell `Get-Content .gitignore | Set-Content -Encoding utf8 .gitignore`. Luego haz commit y push.',
          'Your `.gitignore` is saved as UTF-16 (PowerShell does that with `echo ... > .gitignore`) and git cannot read it: nothing you wrote is ignored. Save it as UTF-8: in VS Code, click "UTF-16 LE" in the status bar → "Save with Encoding" → "UTF-8"; or in PowerShell `Get-Content .gitignore | Set-Content -Encoding utf8 .gitignore`. Then commit and push.',
        ),
        annotations: [{ path: '.gitignore', message: t('Guarda este archivo como UTF-8: git no lee UTF-16.', 'Save this file as UTF-8: git does not read UTF-16.') }],
      };
    }
    if (evidence.gitignoreEncoding === 'binary') {
      return {
        fraction: 0,
        message: t(
          'Tu `.gitignore` tiene bytes nulos (¿UTF-16 sin marca de orden, o un archivo que no es texto?) y git no lo lee bien. Bórralo y créalo de nuevo como texto UTF-8 (en VS Code, «Guardar con codificación» → «UTF-8»), con una regla por línea.',
          'Your `.gitignore` has NUL bytes (UTF-16 without a byte order mark, or not a text file?) and git does not read it properly. Delete it and create it again as UTF-8 text (in VS Code, "Save with Encoding" → "UTF-8"), one rule per line.',
        ),
        annotations: [{ path: '.gitignore', message: t('Vuelve a crear este archivo como texto UTF-8.', 'Create this file again as UTF-8 text.') }],
      };
    }
    const entry = evidence.files.find((f) => f.path === '.gitignore');
    const anyIgnored = [...evidence.ignore.values()].some((v) => v.ignored);
    if (entry?.type !== 'file' && !anyIgnored) {
      const starter = STARTER.map((l) => literal(l)).join(', ');
      return {
        fraction: 0,
        message:
          entry?.type === 'symlink'
            ? t(
                `Tu \`.gitignore\` es un enlace simbólico y git no sigue enlaces para \`.gitignore\`: no ignora nada. Reemplázalo por un archivo normal con, al menos: ${starter}.`,
                `Your \`.gitignore\` is a symbolic link and git does not follow links for \`.gitignore\`: nothing is ignored. Replace it with a regular file with at least: ${starter}.`,
              )
            : t(
                `No hay \`.gitignore\` en la raíz del repositorio. Créalo partiendo de la plantilla de Python (github.com/github/gitignore o gitignore.io) con, al menos: ${starter}; haz commit y push.`,
                `There is no \`.gitignore\` at the root of the repository. Create one from the Python template (github.com/github/gitignore or gitignore.io) with at least: ${starter}; commit and push.`,
              ),
      };
    }

    const present = new Set(evidence.files.map((f) => f.path));
    const items: ChecklistItem[] = [];
    const annotations: Annotation[] = [];
    const toAdd: string[] = [];
    const annotate = (rule: Rule, message: Text) => {
      if (present.has(rule.file)) annotations.push({ path: rule.file, ...(rule.line ? { line: rule.line } : {}), message });
    };

    for (const wanted of params.ignored) {
      const verdicts = wanted.anyOf.map((path) => ({ path, v: evidence.ignore.get(path) }));
      const hit = verdicts.find((x) => x.v?.ignored);
      if (hit) {
        const rule = parseRule(hit.v?.rule);
        items.push({
          label: wanted.label,
          ok: true,
          note: rule
            ? t(`${literal(hit.path)} ignorado por ${ruleText(rule)}`, `${literal(hit.path)} ignored by ${ruleText(rule)}`)
            : t(`${literal(hit.path)} ignorado`, `${literal(hit.path)} ignored`),
        });
        continue;
      }
      const negated = verdicts.map((x) => ({ path: x.path, rule: parseRule(x.v?.rule) })).find((x) => x.rule?.pattern.startsWith('!'));
      if (negated?.rule) {
        items.push({
          label: wanted.label,
          ok: false,
          note: t(
            `${literal(negated.path)} vuelve a incluirse por ${ruleText(negated.rule)}: quita esa línea`,
            `${literal(negated.path)} is included again by ${ruleText(negated.rule)}: remove that line`,
          ),
        });
        annotate(negated.rule, t(`Esta regla hace que ${literal(negated.path)} se versione; debería ignorarse.`, `This rule makes ${literal(negated.path)} versioned; it should be ignored.`));
        continue;
      }
      const lines = suggest(wanted.anyOf[0]!, params.kept);
      toAdd.push(...lines);
      const shown = lines.map((l) => literal(l)).join(' + ');
      items.push({
        label: wanted.label,
        ok: false,
        note: t(`${literal(wanted.anyOf[0]!)} no está ignorado; agrega ${shown}`, `${literal(wanted.anyOf[0]!)} is not ignored; add ${shown}`),
      });
    }

    const wronglyIgnored: string[] = [];
    for (const path of params.kept) {
      const v: IgnoreVerdict | undefined = evidence.ignore.get(path);
      if (!v?.ignored) {
        items.push({ label: t(`${literal(path)} se versiona`, `${literal(path)} is versioned`), ok: true });
        continue;
      }
      wronglyIgnored.push(path);
      const rule = parseRule(v.rule);
      const fix = rule ? keepFix(path, rule) : { es: `agrega \`!${path}\``, en: `add \`!${path}\`` };
      items.push({
        label: t(`${literal(path)} se versiona`, `${literal(path)} is versioned`),
        ok: false,
        note: rule
          ? t(`lo ignora ${ruleText(rule)}; ${fix.es}`, `ignored by ${ruleText(rule)}; ${fix.en}`)
          : t(`está ignorado; ${fix.es}`, `it is ignored; ${fix.en}`),
      });
      if (rule) annotate(rule, t(`Esta regla ignora ${literal(path)}, que debe versionarse: ${fix.es}.`, `This rule ignores ${literal(path)}, which must be versioned: ${fix.en}.`));
    }

    const met = items.filter((i) => i.ok).length;
    const fraction = creditOf(items, params.partial);
    const missing = items.filter((i) => !i.ok);
    const parts: Text[] = [];
    const tally = ofTotal(met, items.length, REQUIREMENTS);
    if (missing.length === 0) {
      parts.push(t(
        `El \`.gitignore\` cubre lo pedido (${tally.es}, según \`git check-ignore\`).`,
        `The \`.gitignore\` covers what is asked (${tally.en}, per \`git check-ignore\`).`,
      ));
    } else {
      const lacking = listed(missing.map((i) => i.label));
      parts.push(t(
        `Según \`git check-ignore\`, se cumplen ${tally.es}. Falta: ${lacking.es}.`,
        `Per \`git check-ignore\`, ${tally.en} hold. Missing: ${lacking.en}.`,
      ));
      if (entry?.type === 'file' && entry.size === 0) {
        parts.push(t('Tu `.gitignore` está vacío.', 'Your `.gitignore` is empty.'));
      }
      const add = [...new Set(toAdd)];
      if (add.length) {
        const lines = add.map((l) => literal(l)).join(', ');
        parts.push(t(`Agrega a \`.gitignore\`: ${lines}.`, `Add to \`.gitignore\`: ${lines}.`));
      }
      if (wronglyIgnored.length) {
        const list = wronglyIgnored.map((p) => literal(p)).join(', ');
        parts.push(t(
          `${list} debe versionarse y hoy está ignorado: ajusta la regla marcada.`,
          `${list} must be versioned and is ignored today: adjust the marked rule.`,
        ));
      }
      parts.push(t('Compruébalo con `git check-ignore -v <ruta>`.', 'Check it with `git check-ignore -v <path>`.'));
    }
    return { fraction, message: join(parts), items, ...(annotations.length ? { annotations } : {}) };
  },
});

/** `file:line:pattern`, as the sandbox reports git's verdict; the pattern may hold colons. */
function parseRule(rule: string | undefined): Rule | undefined {
  if (!rule) return undefined;
  const m = /^(.*?):(\d*):(.*)$/s.exec(rule);
  if (!m) return undefined;
  return { file: m[1]!, ...(m[2] ? { line: Number(m[2]) } : {}), pattern: m[3]! };
}

function ruleText(rule: Rule): string {
  return `${rule.file}:${rule.line ?? '?'}:${literal(rule.pattern)}`;
}

/** How to keep a path a rule ignores; git cannot re-include a file whose folder is excluded. */
function keepFix(path: string, rule: Rule): Text {
  const folder = rule.file === '.gitignore' ? ignoredFolder(path, rule.pattern) : undefined;
  if (folder !== undefined) {
    const direct = path.slice(folder.length + 1).split('/').length === 1;
    const lines = direct ? [`${folder}/*`, `!${path}`] : [`${folder}/**`, `!${folder}/**/`, `!${path}`];
    const shown = lines.map((l) => literal(l)).join(', ');
    return t(
      `cambia ${literal(rule.pattern)} por ${shown} (git no reincluye archivos de una carpeta ignorada)`,
      `replace ${literal(rule.pattern)} with ${shown} (git does not re-include files of an ignored folder)`,
    );
  }
  return t(`agrega \`!${path}\` después de esa línea o haz la regla más específica`, `add \`!${path}\` after that line or make the rule narrower`);
}

/** The folder of `path` a plain folder rule (`data/`, `/data/`, `data/raw/`) excludes, if that is what happened. */
function ignoredFolder(path: string, pattern: string): string | undefined {
  if (!pattern.endsWith('/') || /[*?[\\!]/.test(pattern)) return undefined;
  const dir = pattern.replace(/^\//, '').slice(0, -1);
  if (!dir) return undefined;
  const anchored = pattern.startsWith('/') || dir.includes('/');
  if (anchored) return path.startsWith(`${dir}/`) ? dir : undefined;
  const parents = path.split('/').slice(0, -1);
  const at = parents.indexOf(dir);
  return at >= 0 ? parents.slice(0, at + 1).join('/') : undefined;
}

/** The rule(s) a student would add for a sample path: `.venv/pyvenv.cfg` → `.venv/`, `a/b.pyc` → `*.pyc`, `data/processed/x.csv` → `data/processed/`. */
export function suggest(path: string, kept: readonly string[] = []): string[] {
  const parts = path.split('/');
  const name = parts.at(-1)!;
  const ext = /^[^.].*(\.[A-Za-z0-9]+)$/.exec(name)?.[1];
  for (const dir of parts.slice(0, -1)) {
    if (dir.endsWith('.egg-info')) return ['*.egg-info/'];
    if (KNOWN_DIRS.has(dir)) return [`${dir}/`];
  }
  if (parts.length === 1) return [ext ? `*${ext}` : name];
  const top = parts[0]!;
  const parent = parts.slice(0, -1).join('/');
  // The sample's own folder, never a folder above it: `data/` would also ignore the
  // `data/raw/.gitkeep` another criterion asks to commit (git then refuses to add it).
  const keptInside = kept.filter((k) => k.startsWith(`${top}/`));
  if (keptInside.length === 0) return [`${parent}/`];
  const keptHere = keptInside.filter((k) => k.startsWith(`${parent}/`));
  // `data/raw/*` with `!data/raw/.gitkeep`: the folder stays, its contents do not.
  if (keptHere.length && keptHere.every((k) => k.slice(parent.length + 1).startsWith('.git'))) {
    return [`${parent}/*`, ...keptHere.map((k) => `!${k}`)];
  }
  if (keptHere.length === 0) return [`${parent}/`];
  return [ext ? `*${ext}` : path];
}
