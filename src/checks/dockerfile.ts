import { parseAllDocuments } from 'yaml';
import { z } from 'zod';
import { globMatcher } from '../core/glob.ts';
import { GlobsSchema, globList } from '../core/schemas.ts';
import { t, type Text } from '../core/text.ts';
import { defineCheck, shareOf, type Annotation, type ChecklistItem } from './types.ts';

const FACTS = ['multi-stage', 'non-root-user', 'healthcheck', 'dockerignore', 'slim-base', 'no-latest-tag'] as const;
type Fact = (typeof FACTS)[number];

const DockerfileParams = z.strictObject({
  file: GlobsSchema.default(['Dockerfile', '**/Dockerfile', '**/*.Dockerfile', '**/Dockerfile.*']),
  require: z.array(z.enum(FACTS)).min(1),
  minStages: z.number().int().min(2).default(2),
  /** A HEALTHCHECK may live in docker-compose instead of the Dockerfile. */
  composeFiles: GlobsSchema.default(['docker-compose.y*ml', 'compose.y*ml', '**/docker-compose.y*ml', '**/compose.y*ml']),
  partial: z.boolean().default(true),
});
type DockerfileParams = z.output<typeof DockerfileParams>;

export interface Instruction {
  readonly line: number;
  readonly keyword: string;
  readonly args: string;
}

export interface Stage {
  readonly from: Instruction;
  readonly image: string;
  readonly name?: string;
  readonly instructions: readonly Instruction[];
}

/** Dockerfile facts a TA checks: stages, a non-root USER, a HEALTHCHECK, a .dockerignore. */
export const dockerfileCheck = defineCheck<DockerfileParams>({
  kind: 'dockerfile',
  params: DockerfileParams,
  requirements: (params) => ({ contents: [...globList(params.file), ...globList(params.composeFiles), '.dockerignore', '**/.dockerignore'] }),
  evaluate(params, evidence) {
    const isDockerfile = globMatcher(globList(params.file));
    const dockerfile = [...evidence.contents.values()]
      .filter((c) => isDockerfile(c.path))
      .sort((a, b) => a.path.split('/').length - b.path.split('/').length || a.path.localeCompare(b.path))[0];
    if (!dockerfile) {
      return {
        fraction: 0,
        message: t(
          'No encontré un `Dockerfile`. Empieza por uno en la raíz: `FROM python:3.11-slim AS build`, instala dependencias, y una segunda etapa `FROM python:3.11-slim` que copie lo construido.',
          'No `Dockerfile` was found. Start with one at the root: `FROM python:3.11-slim AS build`, install dependencies, and a second stage `FROM python:3.11-slim` that copies what was built.',
        ),
      };
    }
    const stages = parseDockerfile(dockerfile.text);
    const final = stages.at(-1);
    const dir = dockerfile.path.includes('/') ? dockerfile.path.slice(0, dockerfile.path.lastIndexOf('/') + 1) : '';
    const items: ChecklistItem[] = [];
    const annotations: Annotation[] = [];
    const at = (line: number, message: Text) => annotations.push({ path: dockerfile.path, line, message });

    for (const fact of params.require) {
      switch (fact) {
        case 'multi-stage': {
          const ok = stages.length >= params.minStages;
          items.push({
            label: t(`${params.minStages}+ etapas (multi-stage)`, `${params.minStages}+ stages (multi-stage)`),
            ok,
            note: t(`${stages.length} etapa(s)`, `${stages.length} stage(s)`),
          });
          break;
        }
        case 'non-root-user': {
          const user = final?.instructions.filter((i) => i.keyword === 'USER').at(-1);
          const name = user?.args.split(/\s+/)[0] ?? '';
          const ok = Boolean(user) && !/^(root|0)(:(root|0))?$/.test(name);
          items.push({
            label: t('usuario no root (`USER`)', 'non-root user (`USER`)'),
            ok,
            note: user ? t(`línea ${user.line}: USER ${user.args}`, `line ${user.line}: USER ${user.args}`) : t('falta `USER` en la última etapa', 'no `USER` in the final stage'),
          });
          if (!ok && user) at(user.line, t('Usa un usuario sin privilegios (`RUN useradd -m app` y `USER app`).', 'Use an unprivileged user (`RUN useradd -m app` and `USER app`).'));
          break;
        }
        case 'healthcheck': {
          const hc = final?.instructions.find((i) => i.keyword === 'HEALTHCHECK' && !/^none\b/i.test(i.args));
          const compose = hc ? undefined : composeHealthcheck(params, evidence.contents);
          items.push({
            label: t('`HEALTHCHECK`', '`HEALTHCHECK`'),
            ok: Boolean(hc || compose),
            note: hc ? t(`línea ${hc.line}`, `line ${hc.line}`) : compose ? t(`en ${compose}`, `in ${compose}`) : t('agrega `HEALTHCHECK CMD curl -f http://localhost:8000/health || exit 1`', 'add `HEALTHCHECK CMD curl -f http://localhost:8000/health || exit 1`'),
          });
          break;
        }
        case 'dockerignore': {
          const candidates = [`${dir}.dockerignore`, '.dockerignore'];
          const found = candidates.map((p) => evidence.contents.get(p)).find((c) => c && c.text.trim().length > 0);
          items.push({
            label: t('`.dockerignore`', '`.dockerignore`'),
            ok: Boolean(found),
            ...(found ? {} : { note: t('crea `.dockerignore` con `.git`, `.venv`, `data/`, `mlruns/`', 'create `.dockerignore` with `.git`, `.venv`, `data/`, `mlruns/`') }),
          });
          break;
        }
        case 'slim-base': {
          const ok = Boolean(final && /slim|alpine|distroless/i.test(final.image));
          items.push({ label: t('imagen base liviana (slim/alpine)', 'a small base image (slim/alpine)'), ok, ...(final ? { note: { es: final.image, en: final.image } } : {}) });
          if (!ok && final) at(final.from.line, t('Usa una base liviana, p. ej. `python:3.11-slim`.', 'Use a small base, e.g. `python:3.11-slim`.'));
          break;
        }
        case 'no-latest-tag': {
          const stageNames = new Set(stages.map((s) => s.name?.toLowerCase()).filter(Boolean));
          const floating = stages.filter((s) => !stageNames.has(s.image.toLowerCase()) && s.image !== 'scratch' && (!/:[^/]+$/.test(s.image) || /:latest$/.test(s.image)) && !s.image.includes('@'));
          items.push({ label: t('versiones fijas de imagen (no `latest`)', 'pinned image versions (no `latest`)'), ok: floating.length === 0 });
          for (const s of floating) at(s.from.line, t('Fija la versión de la imagen (p. ej. `python:3.11-slim`).', 'Pin the image version (e.g. `python:3.11-slim`).'));
          break;
        }
      }
    }
    const met = items.filter((i) => i.ok).length;
    const fraction = params.partial ? shareOf(items) : met === items.length ? 1 : 0;
    const missing = items.filter((i) => !i.ok);
    const message =
      missing.length === 0
        ? t(`\`${dockerfile.path}\` cumple todo (${met} de ${items.length}).`, `\`${dockerfile.path}\` meets everything (${met} of ${items.length}).`)
        : t(
            `\`${dockerfile.path}\`: ${met} de ${items.length}. Falta: ${missing.map((i) => i.label.es).join('; ')}.`,
            `\`${dockerfile.path}\`: ${met} of ${items.length}. Missing: ${missing.map((i) => i.label.en).join('; ')}.`,
          );
    return { fraction, message, items, ...(annotations.length ? { annotations } : {}) };
  },
});

/** Instructions grouped by stage, with their line numbers; continuations and comments handled. */
export function parseDockerfile(text: string): Stage[] {
  const instructions: Instruction[] = [];
  const lines = text.split(/\r?\n/);
  let i = 0;
  while (i < lines.length) {
    const start = i;
    let line = lines[i]!;
    i++;
    if (/^\s*(#|$)/.test(line)) continue;
    while (/\\\s*$/.test(line) && i < lines.length) {
      const next = lines[i]!;
      i++;
      if (/^\s*#/.test(next)) continue;
      line = `${line.replace(/\\\s*$/, ' ')}${next}`;
    }
    const m = /^\s*([A-Za-z]+)\s*(.*)$/.exec(line);
    if (m) instructions.push({ line: start + 1, keyword: m[1]!.toUpperCase(), args: m[2]!.trim() });
  }
  const stages: { from: Instruction; image: string; name?: string; instructions: Instruction[] }[] = [];
  for (const ins of instructions) {
    if (ins.keyword === 'FROM') {
      const words = ins.args.split(/\s+/).filter((w) => !w.startsWith('--'));
      const asIndex = words.findIndex((w) => w.toLowerCase() === 'as');
      stages.push({ from: ins, image: words[0] ?? '', ...(asIndex > 0 && words[asIndex + 1] ? { name: words[asIndex + 1]! } : {}), instructions: [] });
    } else {
      stages.at(-1)?.instructions.push(ins);
    }
  }
  return stages;
}

function composeHealthcheck(params: DockerfileParams, contents: ReadonlyMap<string, { path: string; text: string }>): string | undefined {
  const isCompose = globMatcher(globList(params.composeFiles));
  for (const file of contents.values()) {
    if (!isCompose(file.path)) continue;
    try {
      for (const doc of parseAllDocuments(file.text) as Iterable<{ toJS(o: object): unknown; errors: unknown[] }>) {
        if (doc.errors.length) continue;
        const value = doc.toJS({ maxAliasCount: 100 }) as { services?: Record<string, { healthcheck?: { disable?: boolean } }> } | null;
        for (const service of Object.values(value?.services ?? {})) {
          if (service?.healthcheck && !service.healthcheck.disable) return file.path;
        }
      }
    } catch {
      // A compose file that does not parse has no healthcheck to offer; the structured check reports it.
    }
  }
  return undefined;
}
