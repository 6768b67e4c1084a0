import { CommitParser } from 'conventional-commits-parser';
import { z } from 'zod';
import { literal, t } from '../core/text.ts';
import { defineCheck, type ChecklistItem } from './types.ts';

const CommitsParams = z.strictObject({
  min: z.number().int().min(1).default(5),
  /** Only the most recent N commits count. */
  last: z.number().int().min(1).optional(),
  types: z.array(z.string().regex(/^[a-z]+$/)).min(1).default(['feat', 'fix', 'docs', 'style', 'refactor', 'perf', 'test', 'build', 'ci', 'chore', 'revert']),
  includeMerges: z.boolean().default(false),
  /** false: any commit counts (a first course, where "commit your work" is the lesson, not the format). */
  conventional: z.boolean().default(true),
});
type CommitsParams = z.output<typeof CommitsParams>;

// The parser's default header pattern misses the `!` of breaking changes (`feat(api)!: …`).
const parser = new CommitParser({
  headerPattern: /^(\w*)(?:\((.*)\))?!?: (.*)$/,
  breakingHeaderPattern: /^(\w*)(?:\((.*)\))?!: (.*)$/,
});

/** Conventional Commits in the history (`feat: …`, `fix(api): …`), parsed by conventional-commits-parser. */
export const commitsCheck = defineCheck<CommitsParams>({
  kind: 'commits',
  params: CommitsParams,
  requirements: () => ({ commits: true }),
  evaluate(params, evidence) {
    if (evidence.commits === null) {
      return {
        fraction: 0,
        message: t(
          'No hay historial de git: sube el repositorio con su carpeta `.git` (haz `git init`, commits y `git push`).',
          'There is no git history: push the repository with its `.git` folder (`git init`, commits, `git push`).',
        ),
      };
    }
    const considered = params.includeMerges ? evidence.commits : evidence.commits.filter((c) => c.parents <= 1);
    const window = params.last ? considered.slice(0, params.last) : considered;
    if (!params.conventional) {
      const n = window.length;
      return {
        fraction: Math.min(1, n / params.min),
        message:
          n >= params.min
            ? t(`${n === 1 ? 'Hay 1 commit' : `Hay ${n} commits`} en el historial (mínimo ${params.min}).`, `${n === 1 ? 'There is 1 commit' : `There are ${n} commits`} in the history (at least ${params.min}).`)
            : t(
                `${n === 1 ? 'Hay 1 commit' : `Hay ${n} commits`} en el historial; se ${params.min === 1 ? 'pide 1' : `piden ${params.min}`}. Guarda tu trabajo con \`git add .\` y \`git commit -m "agrega la estructura del proyecto"\`, y súbelo con \`git push\`.`,
                `${n === 1 ? 'There is 1 commit' : `There are ${n} commits`} in the history; ${params.min === 1 ? '1 is' : `${params.min} are`} needed. Save your work with \`git add .\` and \`git commit -m "add the project structure"\`, and push it with \`git push\`.`,
              ),
      };
    }
    const allowed = new Set(params.types);
    const good: string[] = [];
    const bad: string[] = [];
    for (const commit of window) {
      const header = commit.message.split('\n')[0] ?? '';
      const parsed = parser.parse(commit.message);
      if (parsed.type && allowed.has(parsed.type.toLowerCase()) && parsed.subject && parsed.subject.trim()) good.push(header);
      else bad.push(header);
    }
    const count = good.length;
    const items: ChecklistItem[] = bad.slice(0, 5).map((header) => ({
      label: t(literal(header.slice(0, 72)), literal(header.slice(0, 72))),
      ok: false,
      note: t('no sigue Conventional Commits; p. ej. «feat: agrega carga de datos»', 'not a Conventional Commit; e.g. "feat: add data loading"'),
    }));
    const scope = params.last
      ? t(`en los últimos ${window.length} commits`, `in the last ${window.length} commits`)
      : t(`de ${window.length} commits`, `of ${window.length} commits`);
    const message =
      count >= params.min
        ? t(`${count} commits convencionales ${scope.es} (mínimo ${params.min}).`, `${count} Conventional Commits ${scope.en} (at least ${params.min}).`)
        : t(
            `${count} commits convencionales ${scope.es}; se piden ${params.min}. Escribe el encabezado como \`tipo: descripción\`, p. ej. \`feat: agrega pipeline de entrenamiento\` o \`fix(api): valida la entrada\`.`,
            `${count} Conventional Commits ${scope.en}; ${params.min} are needed. Write the header as \`type: description\`, e.g. \`feat: add training pipeline\` or \`fix(api): validate input\`.`,
          );
    return { fraction: Math.min(1, count / params.min), message, items };
  },
});
