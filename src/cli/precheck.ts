import picomatch from 'picomatch';
import { say, singleLine, t, type Locale, type Text } from '../core/text.ts';
import type { Grade } from '../grading/grade.ts';
import type { CriterionResult } from '../grading/score.ts';
import { formatPoints } from '../report/terminal.ts';
import type { Criterion } from '../rubrics/load.ts';
import type { WorktreeChange } from '../sandbox/commit-snapshot.ts';

/**
 * What a student's check graded (HEAD, or the folder with --worktree) and, for
 * --worktree, where the folder's result differs from what a push of HEAD would get,
 * with the uncommitted paths behind each difference.
 */

export type GradedWhat = { readonly what: 'head'; readonly commit: string; readonly changes: readonly WorktreeChange[] } | { readonly what: 'worktree'; readonly changes: readonly WorktreeChange[] };

export interface Difference {
  readonly criterion: CriterionResult;
  readonly pushed: CriterionResult;
  /** The uncommitted paths that likely made the difference (those the criterion's parameters name). */
  readonly paths: readonly WorktreeChange[];
}

/** Criteria that score differently in the working folder than in HEAD, with the changes they concern. */
export function differencesFromPush(criteria: readonly Criterion[], here: Grade, pushed: Grade, changes: readonly WorktreeChange[]): Difference[] {
  const out: Difference[] = [];
  for (const c of here.criteria) {
    const other = pushed.criteria.find((p) => p.id === c.id);
    if (!other || (other.score === c.score && other.status === c.status)) continue;
    const params = criteria.find((k) => k.id === c.id)?.params;
    const named = changes.filter((change) => namesPath(params, change.path.replace(/\/$/, '')));
    out.push({ criterion: c, pushed: other, paths: named.length ? named : changes });
  }
  return out;
}

/** True when a string in a check's parameters is a glob or path that matches `path` or something under it. */
function namesPath(params: unknown, path: string): boolean {
  const strings: string[] = [];
  const collect = (v: unknown) => {
    if (typeof v === 'string') strings.push(v);
    else if (Array.isArray(v)) v.forEach(collect);
    else if (v && typeof v === 'object') Object.values(v).forEach(collect);
  };
  collect(params);
  return strings.some((s) => {
    if (/\s/.test(s) || !s) return false;
    const glob = s.replace(/\/+$/, '');
    return glob === path || glob.startsWith(`${path}/`) || path.startsWith(`${glob}/`) || picomatch(glob, { dot: true })(path);
  });
}

const CHANGE_TEXT: Record<WorktreeChange['change'], Text> = {
  untracked: t('sin commit', 'not committed'),
  modified: t('cambiado desde el último commit', 'changed since the last commit'),
  deleted: t('borrado aquí, pero sigue en el último commit', 'deleted here, but still in the last commit'),
  'empty-folder': t('carpeta vacía: git no guarda carpetas vacías; agrégale un .gitkeep', 'an empty folder: git does not keep empty folders; add a .gitkeep'),
  ignored: t('ignorado por .gitignore: no se sube', 'ignored by .gitignore: a push leaves it out'),
};

function points(n: number | null, locale: Locale): string {
  if (n === null) return '—';
  const s = formatPoints(n);
  return locale === 'es' ? s.replace('.', ',') : s;
}

export function describeGraded(graded: GradedWhat, differences: readonly Difference[], pushed: Grade | undefined, locale: Locale, worktreeCommand: string): string {
  const es = locale === 'es';
  const lines: string[] = [];
  if (graded.what === 'head') {
    lines.push(es ? `Calificado: el último commit (${graded.commit.slice(0, 7)}), lo que recibiría GitHub al subirlo.` : `Graded: the last commit (${graded.commit.slice(0, 7)}), what GitHub would receive on a push.`);
    // Ignored files are not pushed either way: only what `git status` would list counts here.
    const n = graded.changes.filter((c) => c.change !== 'ignored').length;
    if (n) {
      lines.push(
        es
          ? `${n} ${n === 1 ? 'cambio sin commit no cuenta' : 'cambios sin commit no cuentan'}; \`${worktreeCommand}\` los califica también.`
          : `${n} uncommitted ${n === 1 ? 'change does' : 'changes do'} not count; \`${worktreeCommand}\` grades them too.`,
      );
    }
  } else {
    lines.push(es ? 'Calificado: la carpeta tal como está (--worktree), con lo que no tiene commit.' : 'Graded: the folder as it is (--worktree), uncommitted work included.');
    if (pushed) {
      lines.push(
        differences.length === 0
          ? es ? `Al subir el último commit el resultado sería el mismo (${points(pushed.score, locale)}/${points(pushed.maxScore, locale)}).` : `Pushing the last commit would give the same result (${points(pushed.score, locale)}/${points(pushed.maxScore, locale)}).`
          : es ? `⚠ Al subir el último commit sacarías ${points(pushed.score, locale)}/${points(pushed.maxScore, locale)}, no lo de arriba:` : `⚠ Pushing the last commit would score ${points(pushed.score, locale)}/${points(pushed.maxScore, locale)}, not the above:`,
      );
      for (const d of differences) {
        lines.push(`  ${say(d.criterion.title, locale)}: ${points(d.criterion.score, locale)} → ${points(d.pushed.score, locale)} / ${points(d.criterion.maxScore, locale)}`);
        for (const p of d.paths.slice(0, 10)) lines.push(`    ${singleLine(p.path)}  (${say(CHANGE_TEXT[p.change], locale)})`);
        if (d.paths.length > 10) lines.push(`    … ${es ? `y ${d.paths.length - 10} más` : `and ${d.paths.length - 10} more`}`);
      }
      if (differences.length) lines.push(es ? 'Haz commit de esos cambios (`git add`, `git commit`) antes de subir.' : 'Commit those changes (`git add`, `git commit`) before pushing.');
    }
  }
  return `\n${lines.join('\n')}\n`;
}

export function gradedJson(graded: GradedWhat, differences: readonly Difference[]) {
  return {
    what: graded.what,
    ...(graded.what === 'head' ? { commit: graded.commit } : {}),
    uncommitted: graded.changes.map((c) => ({ path: singleLine(c.path), change: c.change })),
    ...(graded.what === 'worktree'
      ? { differsFromPush: differences.map((d) => ({ criterion: d.criterion.id, score: d.criterion.score, pushedScore: d.pushed.score, paths: d.paths.map((p) => singleLine(p.path)) })) }
      : {}),
  };
}

