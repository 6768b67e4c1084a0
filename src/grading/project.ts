import type { FileEntry } from '../checks/types.ts';
import { globMatcher } from '../core/glob.ts';
import { literal, t, type Text } from '../core/text.ts';

/**
 * Where a week's project sits in a repository, found the way a TA finds it: a folder
 * holding a Python project's declaration (pyproject.toml, setup.cfg, setup.py or
 * requirements.txt) beside its code or tests. A portfolio holds several projects;
 * the one with most of the week's deliverables is graded. Pure: it reads the
 * snapshot's listing (made inside the sandbox, symlinks never followed) and nothing else.
 */

/** What a week's deliverable is: the repository itself (paths from its root), or a Python project anywhere in it. */
export type Deliverable = 'repository' | 'python-project';

/** Files that declare a Python project. */
export const PROJECT_MARKERS = ['pyproject.toml', 'setup.cfg', 'setup.py', 'requirements.txt'] as const;

/**
 * Paths a project inherits from the repository root when it has none of its own: tools
 * read them only at the git root (GitHub's workflows, DVC's folder, pre-commit), and git
 * applies the root .gitignore to every folder.
 */
export const REPOSITORY_LEVEL = ['.github', '.dvc', '.dvcignore', '.pre-commit-config.yaml', '.gitignore'] as const;

export interface ProjectCandidate {
  /** Folder relative to the repository; '' is the repository root. */
  readonly root: string;
  /** How many of the week's criteria find something of theirs in this folder. */
  readonly deliverables: number;
}

export interface ProjectChoice {
  /** The graded folder; '' is the repository root. */
  readonly root: string;
  /** Every folder that looks like a project, best first (empty: none; the repository root is graded). */
  readonly candidates: readonly ProjectCandidate[];
  /**
   * What decided: `only` one candidate, or among several the one with `most-deliverables`,
   * then the `shallowest`, then the first `alphabetical`ly; `none` found.
   */
  readonly rule: 'none' | 'only' | 'most-deliverables' | 'shallowest' | 'alphabetical';
}

/** Folders that are never a student's project: tool caches, virtual environments, dependencies. */
function skipped(dir: string): boolean {
  return dir.split('/').some((s) => s.startsWith('.') || s === 'node_modules' || s === 'site-packages' || s === '__pycache__');
}

const parentOf = (path: string) => (path.includes('/') ? path.slice(0, path.lastIndexOf('/')) : '');
const inside = (root: string, path: string) => (root === '' ? path : `${root}/${path}`);
const depthOf = (root: string) => (root === '' ? 0 : root.split('/').length);

/** Folders holding a project marker and at least one of `src/`, `tests/` or a package (a folder with `__init__.py`). */
export function projectFolders(files: readonly FileEntry[]): string[] {
  const realFiles = new Set(files.filter((f) => f.type === 'file').map((f) => f.path));
  const realDirs = new Set(files.filter((f) => f.type === 'dir').map((f) => f.path));
  const marked = new Set<string>();
  for (const path of realFiles) {
    const name = path.slice(path.lastIndexOf('/') + 1);
    if ((PROJECT_MARKERS as readonly string[]).includes(name)) marked.add(parentOf(path));
  }
  // A folder with __init__.py is a package of its parent.
  const withPackage = new Set<string>();
  for (const path of realFiles) {
    if (!path.endsWith('/__init__.py')) continue;
    const pkg = parentOf(path);
    if (realDirs.has(pkg)) withPackage.add(parentOf(pkg));
  }
  const out: string[] = [];
  for (const dir of marked) {
    if ((dir !== '' && !realDirs.has(dir)) || skipped(dir) || realFiles.has(inside(dir, 'pyvenv.cfg'))) continue;
    if (realDirs.has(inside(dir, 'src')) || realDirs.has(inside(dir, 'tests')) || withPackage.has(dir)) out.push(dir);
  }
  return out.sort();
}

/**
 * The project to grade. `deliverables` holds, per criterion of the week judged from
 * the project, the globs of what it looks for; a candidate's score is how many of them
 * find at least one path inside it.
 */
/** Candidates weighed at most, the shallowest first: a repository of a thousand project folders costs no more. */
export const MAX_CANDIDATES = 20;

export function findProject(files: readonly FileEntry[], deliverables: readonly (readonly string[])[]): ProjectChoice {
  const roots = projectFolders(files)
    .sort((a, b) => depthOf(a) - depthOf(b) || (a < b ? -1 : a > b ? 1 : 0))
    .slice(0, MAX_CANDIDATES);
  if (roots.length === 0) return { root: '', candidates: [], rule: 'none' };
  const paths = files.filter((f) => f.type !== 'other').map((f) => f.path);
  const matchers = deliverables.filter((g) => g.length > 0).map((g) => globMatcher(g));
  const candidates = roots
    .map((root) => {
      const view = root === '' ? paths : paths.filter((p) => p.startsWith(`${root}/`)).map((p) => p.slice(root.length + 1));
      return { root, deliverables: matchers.filter((m) => view.some(m)).length };
    })
    .sort((a, b) => b.deliverables - a.deliverables || depthOf(a.root) - depthOf(b.root) || (a.root < b.root ? -1 : a.root > b.root ? 1 : 0));
  const [best, next] = candidates as [ProjectCandidate, ProjectCandidate | undefined];
  const rule = !next
    ? 'only'
    : best.deliverables > next.deliverables
      ? 'most-deliverables'
      : depthOf(best.root) < depthOf(next.root)
        ? 'shallowest'
        : 'alphabetical';
  return { root: best.root, candidates, rule };
}

/** The snapshot as seen from a project folder: paths relative to it, plus what it inherits from the repository root. */
export interface ProjectView {
  readonly files: readonly FileEntry[];
  /** The repository path of each path of the view. */
  readonly real: ReadonlyMap<string, string>;
}

export function projectView(files: readonly FileEntry[], root: string): ProjectView {
  if (root === '') return { files, real: new Map(files.map((f) => [f.path, f.path])) };
  const prefix = `${root}/`;
  const own = files.filter((f) => f.path.startsWith(prefix)).map((f) => ({ ...f, path: f.path.slice(prefix.length) }));
  const ownPaths = new Set(own.map((f) => f.path));
  const real = new Map(own.map((f) => [f.path, prefix + f.path]));
  const inherited = files.filter((f) => {
    const top = f.path.split('/')[0]!;
    return (REPOSITORY_LEVEL as readonly string[]).includes(top) && !ownPaths.has(top);
  });
  for (const f of inherited) real.set(f.path, f.path);
  return { files: [...own, ...inherited].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0)), real };
}

/** Which folder was graded and why, for the student; with several candidates, how to make it unambiguous. */
export function projectNote(choice: ProjectChoice): Text {
  const folder = (root: string) => (root === '' ? t('la raíz del repositorio', "the repository's root") : t(literal(root), literal(root)));
  if (choice.rule === 'none') {
    return t(
      'Carpeta corregida: la raíz del repositorio (no hay una carpeta con pyproject.toml, setup.cfg, setup.py o requirements.txt junto a src/, tests/ o un paquete).',
      "Graded folder: the repository's root (no folder holds a pyproject.toml, setup.cfg, setup.py or requirements.txt beside src/, tests/ or a package).",
    );
  }
  const graded = folder(choice.root);
  const relativeTo = choice.root === '' ? t('', '') : t(' Las rutas de abajo son relativas a ella.', ' The paths below are relative to it.');
  if (choice.rule === 'only') return t(`Carpeta corregida: ${graded.es}.${relativeTo.es}`, `Graded folder: ${graded.en}.${relativeTo.en}`);
  const listed = (l: 'es' | 'en') => choice.candidates.map((c) => `${folder(c.root)[l]} (${c.deliverables})`).join(', ');
  const why =
    choice.rule === 'most-deliverables'
      ? t('la que tiene más entregables de esta semana', "the one with most of this week's deliverables")
      : choice.rule === 'shallowest'
        ? t('empatadas en entregables, la menos profunda', 'tied on deliverables, the shallowest')
        : t('empatadas en entregables y profundidad, la primera en orden alfabético', 'tied on deliverables and depth, the first alphabetically');
  return t(
    `Carpeta corregida: ${graded.es}, de ${choice.candidates.length} carpetas de proyecto (entre paréntesis, los entregables de esta semana que tiene cada una): ${listed('es')}; se eligió ${why.es}.${relativeTo.es} Si tu entrega es otra, deja esta semana todo en una sola carpeta con pyproject.toml (o requirements.txt) junto a src/ y tests/.`,
    `Graded folder: ${graded.en}, of ${choice.candidates.length} project folders (in brackets, how many of this week's deliverables each holds): ${listed('en')}; chosen: ${why.en}.${relativeTo.en} If your work is another one, keep this week's work in one folder with a pyproject.toml (or requirements.txt) beside src/ and tests/.`,
  );
}
