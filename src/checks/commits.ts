import { CommitParser } from 'conventional-commits-parser';
import { z } from 'zod';
import { counted, literal, noun, ofTotal, t } from '../core/text.ts';
import { defineCheck, type ChecklistItem } from './types.ts';

const CONVENTIONAL = noun('commit convencional', 'commits convencionales', 'Conventional Commit', 'Conventional Commits');
const COMMITS = noun('commit', 'commits', 'commit', 'commits');

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
    // The example is said once, in the message; each bad commit is only listed.
    const items: ChecklistItem[] = bad.slice(0, 5).map((header) => ({
      label: t(literal(header.slice(0, 72)), literal(header.slice(0, 72))),
      ok: false,
    }));
    const total = window.length;
    const found = params.last
      ? t(
          `${counted(count, CONVENTIONAL).es} en ${total === 1 ? 'el último commit' : `los últimos ${total} commits`}`,
          `${count} of the last ${counted(total, COMMITS).en} ${count === 1 ? 'is' : 'are'} conventional`,
        )
      : t(`${counted(count, CONVENTIONAL).es} de ${total}`, `${ofTotal(count, total, COMMITS).en} ${count === 1 ? 'is' : 'are'} conventional`);
    const needed = params.min - count;
    const message =
      count >= params.min
        ? t(`${found.es} (mínimo ${params.min}).`, `${found.en} (at least ${params.min}).`)
        : t(
            `${found.es}; se piden ${params.min}, ${needed === 1 ? 'falta 1' : `faltan ${needed}`}. No hace falta reescribir los commits anteriores: cuentan los commits nuevos (sin rebase ni push --force). Escribe los próximos como \`tipo: descripción\`, p. ej. \`git commit -m "feat: agrega carga de datos"\`.`,
            `${found.en}; ${params.min} are needed, ${needed} more. Old commits need not be rewritten: new commits count (no rebase or force-push). Write the next ones as \`type: description\`, e.g. \`git commit -m "feat: add data loading"\`.`,
          );
    return { fraction: Math.min(1, count / params.min), message, items };
  },
});
