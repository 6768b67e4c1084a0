import { parseAllDocuments } from 'yaml';
import { z } from 'zod';
import { globMatcher } from '../core/glob.ts';
import { GlobsSchema, globList } from '../core/schemas.ts';
import { counted, join, listed, literal, noun, ofTotal, REQUIREMENTS, t, type Text } from '../core/text.ts';
import { creditOf, defineCheck, type Annotation, type CheckEvidence, type ChecklistItem, type FileContent } from './types.ts';

const STAGES = noun('etapa', 'etapas', 'stage', 'stages');
const RULES = noun('regla', 'reglas', 'rule', 'rules');
const BASE_IMAGES = noun('imagen base', 'imágenes base', 'base image', 'base images');

const FACTS = ['multi-stage', 'non-root-user', 'healthcheck', 'dockerignore', 'slim-base', 'no-latest-tag'] as const;
type Fact = (typeof FACTS)[number];

const DockerfileParams = z.strictObject({
  file: GlobsSchema.default(['Dockerfile', '**/Dockerfile', '**/*.Dockerfile', '**/Dockerfile.*']),
  require: z
    .array(z.enum(FACTS, { error: `use one of ${FACTS.join(', ')}` }))
    .min(1, `list at least one of ${FACTS.join(', ')} under \`require\``),
  minStages: z.number().int().min(2, 'a multi-stage build has at least 2 stages').default(2),
  /** A HEALTHCHECK may live in docker-compose instead of the Dockerfile. */
  composeFiles: GlobsSchema.default(['docker-compose.y*ml', 'compose.y*ml', '**/docker-compose.y*ml', '**/compose.y*ml']),
  partial: z.boolean().default(true),
});
export type DockerfileParams = z.output<typeof DockerfileParams>;

export interface Instruction {
  /** 1-based line where the instruction starts. */
  readonly line: number;
  readonly keyword: string;
  readonly args: string;
}

export interface Stage {
  readonly from: Instruction;
  /** The base image with global `ARG` defaults filled in; may still hold `$` when unknown. */
  readonly image: string;
  readonly name?: string;
  /** The earlier stage this one builds on (`FROM builder AS final`). */
  readonly parent?: number;
  readonly instructions: readonly Instruction[];
}

const FIX: Record<Fact, Text> = {
  'multi-stage': t(
    'separa una etapa `FROM python:3.11-slim AS builder` de la final y copia solo lo necesario con `COPY --from=builder`',
    'split a `FROM python:3.11-slim AS builder` stage from the final one and copy only what you need with `COPY --from=builder`',
  ),
  'non-root-user': t(
    'crea un usuario (`RUN useradd --create-home app`) y termina la última etapa con `USER app`',
    'create a user (`RUN useradd --create-home app`) and end the final stage with `USER app`',
  ),
  healthcheck: t(
    'agrega `HEALTHCHECK CMD python -c "import urllib.request; urllib.request.urlopen(\'http://localhost:8000/health\')"` en la última etapa (o `healthcheck:` en el servicio de docker-compose)',
    'add `HEALTHCHECK CMD python -c "import urllib.request; urllib.request.urlopen(\'http://localhost:8000/health\')"` to the final stage (or `healthcheck:` in the docker-compose service)',
  ),
  dockerignore: t(
    'crea `.dockerignore` junto al Dockerfile con `.git`, `.venv`, `__pycache__`, `data/`, `mlruns/` y `.env`',
    'create `.dockerignore` next to the Dockerfile with `.git`, `.venv`, `__pycache__`, `data/`, `mlruns/` and `.env`',
  ),
  'slim-base': t('usa una base liviana para la etapa final, p. ej. `python:3.11-slim`', 'use a small base for the final stage, e.g. `python:3.11-slim`'),
  'no-latest-tag': t('fija la versión de cada imagen, p. ej. `python:3.11-slim` en vez de `python` o `python:latest`', 'pin every image version, e.g. `python:3.11-slim` instead of `python` or `python:latest`'),
};

const LABEL: Record<Fact, (p: DockerfileParams) => Text> = {
  'multi-stage': (p) => t(`${p.minStages}+ etapas (multi-stage)`, `${p.minStages}+ stages (multi-stage)`),
  'non-root-user': () => t('usuario no root (`USER`)', 'a non-root user (`USER`)'),
  healthcheck: () => t('`HEALTHCHECK`', '`HEALTHCHECK`'),
  dockerignore: () => t('`.dockerignore`', '`.dockerignore`'),
  'slim-base': () => t('imagen base liviana (slim/alpine/distroless)', 'a small base image (slim/alpine/distroless)'),
  'no-latest-tag': () => t('versiones de imagen fijas (sin `latest`)', 'pinned image versions (no `latest`)'),
};

interface Result {
  readonly fact: Fact;
  readonly item: ChecklistItem;
}

/** Dockerfile facts a TA checks: stages, a non-root USER, a HEALTHCHECK, a .dockerignore, the base image. */
export const dockerfileCheck = defineCheck<DockerfileParams>({
  kind: 'dockerfile',
  params: DockerfileParams,
  requirements: (params) => ({
    contents: [...globList(params.file), ...globList(params.composeFiles), '.dockerignore', '**/.dockerignore', '**/*.dockerignore'],
  }),
  evaluate(params, evidence) {
    const isDockerfile = globMatcher(globList(params.file));
    const candidates = [...evidence.contents.values()]
      .filter((c) => isDockerfile(c.path) && !/\.dockerignore$/i.test(c.path) && c.encoding !== 'binary')
      .sort((a, b) => depth(a.path) - depth(b.path) || a.path.localeCompare(b.path));
    if (candidates.length === 0) {
      return {
        fraction: 0,
        message: t(
          'No encontré un `Dockerfile`. Empieza por uno en la raíz del repositorio: `FROM python:3.11-slim`, `WORKDIR /app`, `COPY requirements.txt .`, `RUN pip install --no-cache-dir -r requirements.txt`, `COPY . .` y `CMD [...]`; pruébalo con `docker build -t app .`.',
          'No `Dockerfile` was found. Start with one at the root of the repository: `FROM python:3.11-slim`, `WORKDIR /app`, `COPY requirements.txt .`, `RUN pip install --no-cache-dir -r requirements.txt`, `COPY . .` and `CMD [...]`; try it with `docker build -t app .`.',
        ),
      };
    }
    const judged = candidates.map((file) => judgeFile(file, params, evidence));
    const usable = judged.filter((j) => j.stages > 0);
    if (usable.length === 0) {
      const path = candidates[0]!.path;
      return {
        fraction: 0,
        message: t(
          `${literal(path)} no tiene ninguna instrucción \`FROM\`, así que no es un Dockerfile válido. Empieza con \`FROM python:3.11-slim\`.`,
          `${literal(path)} has no \`FROM\` instruction, so it is not a valid Dockerfile. Start with \`FROM python:3.11-slim\`.`,
        ),
        annotations: [{ path, line: 1, message: t('Falta `FROM <imagen>`.', 'Missing `FROM <image>`.') }],
      };
    }
    // With several Dockerfiles (api/, training/), the one that does best is graded; the first wins a tie.
    const best = usable.reduce((a, b) => (met(b.results) > met(a.results) ? b : a));
    const items = best.results.map((r) => r.item);
    const count = met(best.results);
    const fraction = creditOf(items, params.partial);
    const missing = best.results.filter((r) => !r.item.ok);
    const tally = ofTotal(count, items.length, REQUIREMENTS);
    const lacking = listed(missing.map((r) => t(`${r.item.label.es} (${FIX[r.fact].es})`, `${r.item.label.en} (${FIX[r.fact].en})`)));
    const parts: Text[] = [
      missing.length === 0
        ? t(`${literal(best.path)} cumple todo (${tally.es}).`, `${literal(best.path)} meets everything (${tally.en}).`)
        : t(
            `${literal(best.path)} cumple ${tally.es}. Falta: ${lacking.es}.`,
            `${literal(best.path)} meets ${tally.en}. Missing: ${lacking.en}.`,
          ),
    ];
    if (usable.length > 1) {
      const others = usable.filter((u) => u !== best).map((u) => literal(u.path)).join(', ');
      parts.push(t(`También hay ${others}; se evaluó el que más cumple.`, `There is also ${others}; the one that does best was graded.`));
    }
    return { fraction, message: join(parts), items, ...(best.annotations.length ? { annotations: best.annotations } : {}) };
  },
});

function depth(path: string): number {
  return path.split('/').length;
}

function met(results: readonly Result[]): number {
  return results.filter((r) => r.item.ok).length;
}

function judgeFile(file: FileContent, params: DockerfileParams, evidence: CheckEvidence) {
  const stages = parseDockerfile(file.text);
  const annotations: Annotation[] = [];
  const results: Result[] = [];
  if (stages.length === 0) return { path: file.path, stages: 0, results, annotations };
  const at = (line: number, message: Text) => annotations.push({ path: file.path, line, message });
  const final = stages.at(-1)!;
  const chain = lineage(stages, stages.length - 1);
  // Where to say "add this here": the final stage's CMD/ENTRYPOINT, else its FROM.
  const anchor = [...final.instructions].reverse().find((i) => i.keyword === 'CMD' || i.keyword === 'ENTRYPOINT')?.line ?? final.from.line;
  const dir = file.path.includes('/') ? file.path.slice(0, file.path.lastIndexOf('/') + 1) : '';

  for (const fact of params.require) {
    const label = LABEL[fact](params);
    const push = (ok: boolean, note?: Text) => results.push({ fact, item: { label, ok, ...(note ? { note } : {}) } });
    switch (fact) {
      case 'multi-stage': {
        const ok = stages.length >= params.minStages;
        const list = stages.map((s, i) => `${s.name ? literal(s.name) : `#${i + 1}`} (${s.from.line})`).join(', ');
        push(ok, t(`${counted(stages.length, STAGES).es}: ${list}`, `${counted(stages.length, STAGES).en}: ${list}`));
        if (!ok) at(final.from.line, t(`Solo ${counted(stages.length, STAGES).es}: ${FIX['multi-stage'].es}.`, `Only ${counted(stages.length, STAGES).en}: ${FIX['multi-stage'].en}.`));
        break;
      }
      case 'non-root-user': {
        const user = lastIn(stages, chain, (i) => i.keyword === 'USER');
        const name = user?.args.split(/\s+/)[0] ?? '';
        const root = /^(root|0)(:.*)?$/.test(name);
        if (!user) {
          push(false, t('no hay `USER` en la última etapa: el contenedor corre como root', 'no `USER` in the final stage: the container runs as root'));
          at(anchor, t(`El contenedor corre como root: ${FIX['non-root-user'].es}.`, `The container runs as root: ${FIX['non-root-user'].en}.`));
        } else if (root) {
          push(false, t(`línea ${user.line}: ${literal(`USER ${user.args}`)} es root`, `line ${user.line}: ${literal(`USER ${user.args}`)} is root`));
          at(user.line, t(`${literal(`USER ${user.args}`)} deja el contenedor como root: ${FIX['non-root-user'].es}.`, `${literal(`USER ${user.args}`)} leaves the container as root: ${FIX['non-root-user'].en}.`));
        } else {
          push(true, t(`línea ${user.line}: ${literal(`USER ${user.args}`)}`, `line ${user.line}: ${literal(`USER ${user.args}`)}`));
        }
        break;
      }
      case 'healthcheck': {
        const hc = lastIn(stages, chain, (i) => i.keyword === 'HEALTHCHECK');
        const disabled = hc && /^none\b/i.test(hc.args);
        if (hc && !disabled) {
          push(true, t(`línea ${hc.line}`, `line ${hc.line}`));
          break;
        }
        const compose = composeHealthcheck(params, evidence);
        if (compose.found) {
          push(true, t(`en ${literal(compose.found.path)}, servicio ${literal(compose.found.service)}`, `in ${literal(compose.found.path)}, service ${literal(compose.found.service)}`));
          break;
        }
        const broken = compose.broken.length ? compose.broken.map((p) => literal(p)).join(', ') : '';
        push(
          false,
          disabled
            ? t(`línea ${hc.line}: \`HEALTHCHECK NONE\` lo desactiva`, `line ${hc.line}: \`HEALTHCHECK NONE\` turns it off`)
            : broken
              ? t(`no hay \`HEALTHCHECK\` y ${broken} no se pudo leer`, `no \`HEALTHCHECK\`, and ${broken} could not be read`)
              : t('no hay `HEALTHCHECK` en la última etapa ni `healthcheck:` en docker-compose', 'no `HEALTHCHECK` in the final stage and no `healthcheck:` in docker-compose'),
        );
        at(disabled ? hc.line : anchor, t(`${FIX.healthcheck.es[0]!.toUpperCase()}${FIX.healthcheck.es.slice(1)}.`, `${FIX.healthcheck.en[0]!.toUpperCase()}${FIX.healthcheck.en.slice(1)}.`));
        break;
      }
      case 'dockerignore': {
        const paths = [...new Set([`${dir}.dockerignore`, `${file.path}.dockerignore`, '.dockerignore'])];
        const present = paths.map((p) => evidence.files.find((f) => f.path === p && f.type === 'file')).filter((f) => f !== undefined);
        const rules = (path: string, size: number) => {
          const text = evidence.contents.get(path)?.text;
          return text === undefined ? (size > 0 ? -1 : 0) : text.split(/\r?\n/).filter((l) => l.trim() && !l.trim().startsWith('#')).length;
        };
        const good = present.map((f) => ({ path: f.path, n: rules(f.path, f.size) })).find((x) => x.n !== 0);
        if (good) {
          push(true, good.n > 0 ? t(`${literal(good.path)}: ${counted(good.n, RULES).es}`, `${literal(good.path)}: ${counted(good.n, RULES).en}`) : t(literal(good.path), literal(good.path)));
        } else if (present.length) {
          push(false, t(`${literal(present[0]!.path)} está vacío`, `${literal(present[0]!.path)} is empty`));
        } else {
          push(false, t(`no hay \`${dir}.dockerignore\``, `there is no \`${dir}.dockerignore\``));
        }
        break;
      }
      case 'slim-base': {
        const base = stages[chain.at(-1)!]!;
        const image = base.image;
        const ok = /slim|alpine|distroless/i.test(image);
        const unknown = image.includes('$');
        push(
          ok,
          unknown && !ok
            ? t(`línea ${base.from.line}: ${literal(image)} depende de un ARG sin valor por defecto`, `line ${base.from.line}: ${literal(image)} depends on an ARG with no default`)
            : t(`línea ${base.from.line}: ${literal(image)}`, `line ${base.from.line}: ${literal(image)}`),
        );
        if (!ok) at(final.from.line, t(`${literal(image)} es una imagen grande: ${FIX['slim-base'].es}.`, `${literal(image)} is a large image: ${FIX['slim-base'].en}.`));
        break;
      }
      case 'no-latest-tag': {
        const floating = stages.filter((s) => s.parent === undefined && isFloating(s.image));
        const lines = floating.map((s) => `${s.from.line}`).join(', ');
        push(
          floating.length === 0,
          floating.length
            ? t(`sin versión fija en ${floating.length === 1 ? 'la línea' : 'las líneas'} ${lines}`, `no pinned version on ${floating.length === 1 ? 'line' : 'lines'} ${lines}`)
            : t(`${counted(stages.filter((s) => s.parent === undefined).length, BASE_IMAGES).es} con versión`, `${counted(stages.filter((s) => s.parent === undefined).length, BASE_IMAGES).en} pinned`),
        );
        for (const s of floating) {
          at(s.from.line, t(`${literal(s.image)} no fija la versión: usa una etiqueta concreta (p. ej. \`python:3.11-slim\`).`, `${literal(s.image)} does not pin a version: use a specific tag (e.g. \`python:3.11-slim\`).`));
        }
        break;
      }
    }
  }
  return { path: file.path, stages: stages.length, results, annotations };
}

/** Stage indexes from `index` back through the stages it is built `FROM`. */
function lineage(stages: readonly Stage[], index: number): number[] {
  const chain: number[] = [];
  let i: number | undefined = index;
  while (i !== undefined && !chain.includes(i)) {
    chain.push(i);
    i = stages[i]!.parent;
  }
  return chain;
}

/** The last matching instruction the final image inherits (its own stage first, then the stages it builds on). */
function lastIn(stages: readonly Stage[], chain: readonly number[], test: (i: Instruction) => boolean): Instruction | undefined {
  for (const i of chain) {
    const found = stages[i]!.instructions.filter(test).at(-1);
    if (found) return found;
  }
  return undefined;
}

/** `python`, `python:latest`; not `python:3.11-slim`, `img@sha256:…`, `scratch`, or an unknown `$ARG`. */
function isFloating(image: string): boolean {
  if (!image || image.includes('$') || image.toLowerCase() === 'scratch' || image.includes('@')) return false;
  const last = image.split('/').at(-1)!;
  const tag = last.includes(':') ? last.slice(last.indexOf(':') + 1) : '';
  return tag === '' || tag.toLowerCase() === 'latest';
}

/** Instructions grouped by stage, with their line numbers; continuations, comments and heredocs handled. */
export function parseDockerfile(text: string): Stage[] {
  const lines = text.split(/\r?\n/);
  let escape = '\\';
  // Parser directives (`# escape=\``) only count at the very top.
  for (const line of lines) {
    const m = /^#\s*([a-z]+)\s*=\s*(\S+)\s*$/i.exec(line);
    if (!m) break;
    if (m[1]!.toLowerCase() === 'escape' && (m[2] === '`' || m[2] === '\\')) escape = m[2];
  }
  const continues = (line: string) => line.trimEnd().endsWith(escape);
  const strip = (line: string) => line.trimEnd().slice(0, -escape.length);

  const instructions: Instruction[] = [];
  let i = 0;
  while (i < lines.length) {
    const start = i;
    let logical = lines[i]!;
    i++;
    if (/^\s*(#|$)/.test(logical)) continue;
    while (continues(logical) && i < lines.length) {
      const next = lines[i]!;
      i++;
      if (/^\s*(#|$)/.test(next)) continue;
      logical = `${strip(logical).trimEnd()} ${next.trim()}`;
    }
    const m = /^\s*([A-Za-z]+)(?:\s+(.*))?$/.exec(logical);
    if (!m) continue;
    const keyword = m[1]!.toUpperCase();
    const args = (m[2] ?? '').trim();
    instructions.push({ line: start + 1, keyword, args });
    // Heredocs (`RUN <<EOF` … `EOF`): their lines are a script, not instructions.
    for (const h of args.matchAll(/<<(-?)(["']?)([A-Za-z_][\w.-]*)\2/g)) {
      const tabs = h[1] === '-';
      const word = h[3]!;
      while (i < lines.length) {
        const body = lines[i]!;
        i++;
        if ((tabs ? body.replace(/^\t+/, '') : body) === word) break;
      }
    }
  }

  const globals = new Map<string, string>();
  const stages: { from: Instruction; image: string; name?: string; parent?: number; instructions: Instruction[] }[] = [];
  for (const ins of instructions) {
    if (ins.keyword === 'ARG' && stages.length === 0) {
      for (const decl of ins.args.split(/\s+/)) {
        const eq = decl.indexOf('=');
        if (eq > 0) globals.set(decl.slice(0, eq), decl.slice(eq + 1).replace(/^(["'])(.*)\1$/, '$2'));
      }
    } else if (ins.keyword === 'FROM') {
      const words = ins.args.split(/\s+/).filter((w) => w && !w.startsWith('--'));
      const image = substitute(words[0] ?? '', globals);
      const asIndex = words.findIndex((w) => w.toLowerCase() === 'as');
      const name = asIndex > 0 ? words[asIndex + 1] : undefined;
      const parent = stages.findIndex((s) => s.name !== undefined && s.name.toLowerCase() === image.toLowerCase());
      stages.push({ from: ins, image, ...(name ? { name } : {}), ...(parent >= 0 ? { parent } : {}), instructions: [] });
    } else {
      stages.at(-1)?.instructions.push(ins);
    }
  }
  return stages;
}

/** `python:${PY:-3.11}-slim` with `ARG PY=3.12` before the first FROM. Unknown names stay as written. */
function substitute(image: string, args: ReadonlyMap<string, string>): string {
  return image.replace(/\$\{(\w+)(?::?[-+]([^}]*))?\}|\$(\w+)/g, (whole, braced?: string, fallback?: string, bare?: string) => {
    const name = braced ?? bare!;
    const value = args.get(name);
    if (value !== undefined && value !== '') return value;
    return fallback !== undefined && /:?-/.test(whole) ? fallback : whole;
  });
}

function composeHealthcheck(params: DockerfileParams, evidence: CheckEvidence): { found?: { path: string; service: string }; broken: string[] } {
  const isCompose = globMatcher(globList(params.composeFiles));
  const broken: string[] = [];
  const files = [...evidence.contents.values()].filter((f) => isCompose(f.path)).sort((a, b) => a.path.localeCompare(b.path));
  for (const file of files) {
    try {
      for (const doc of parseAllDocuments(file.text, { merge: true })) {
        if (doc.errors.length) {
          broken.push(file.path);
          break;
        }
        const value = doc.toJS({ maxAliasCount: 100 }) as unknown;
        const services = isRecord(value) && isRecord(value['services']) ? value['services'] : {};
        for (const [service, spec] of Object.entries(services)) {
          const hc = isRecord(spec) ? spec['healthcheck'] : undefined;
          if (!isRecord(hc) || hc['disable'] === true) continue;
          const test = hc['test'];
          const off = test === 'NONE' || (Array.isArray(test) && test[0] === 'NONE');
          if (!off) return { found: { path: file.path, service }, broken };
        }
      }
    } catch {
      // An alias bomb or a loop: the structured check reports the file; it offers no healthcheck here.
      broken.push(file.path);
    }
  }
  return { broken };
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
