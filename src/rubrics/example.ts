import * as nodeFs from 'node:fs';
import { promises as fs } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import git from 'isomorphic-git';
import type { Pack } from './load.ts';

/**
 * A pack's model solution (`rubrics/<pack>/example/`) as a student's repository: a
 * real git checkout whose history is one Conventional Commit per top-level entry, so
 * grading it earns full marks. The files are kept plain in Rubrica's repository; a path
 * segment `dot-x` is written as `.x`, so the example's own `.gitignore` and workflows
 * do not act on Rubrica's repository.
 */

export type FileTree = Record<string, string | Buffer | null>;

export interface CommitSpec {
  readonly message: string;
  /** Files to write (null deletes) before committing. */
  readonly files: FileTree;
}

export const EXAMPLE_FOLDER = 'example';

export class ExampleError extends Error {
  readonly code: 'no-example' | 'target-not-empty';
  constructor(code: ExampleError['code'], message: string) {
    super(message);
    this.code = code;
  }
}

export function exampleDir(pack: Pack): string {
  return join(pack.dir, EXAMPLE_FOLDER);
}

/** The example's files, keyed by their path in the student's repository. */
export async function exampleFiles(pack: Pack): Promise<Record<string, Buffer>> {
  const root = exampleDir(pack);
  if (!(await fs.stat(root).catch(() => null))?.isDirectory()) {
    throw new ExampleError('no-example', `the pack "${pack.name}" has no model solution (${root})`);
  }
  const files: Record<string, Buffer> = {};
  async function walk(dir: string) {
    for (const entry of await fs.readdir(dir, { withFileTypes: true })) {
      const full = join(dir, entry.name);
      if (entry.isDirectory()) await walk(full);
      else files[studentPath(relative(root, full))] = await fs.readFile(full);
    }
  }
  await walk(root);
  return files;
}

function studentPath(path: string): string {
  return path
    .split('/')
    .map((s) => (s.startsWith('dot-') ? `.${s.slice(4)}` : s))
    .join('/');
}

/** Conventional Commit type for a top-level entry of a repository. */
function commitType(top: string): string {
  if (top.endsWith('.md') || top === 'docs') return 'docs';
  if (top === 'tests') return 'test';
  if (top === '.github') return 'ci';
  if (['pyproject.toml', 'Dockerfile', '.dockerignore', 'docker-compose.yml', 'requirements.txt', 'Makefile'].includes(top)) return 'build';
  if (top.startsWith('.')) return 'chore';
  return 'feat';
}

function rank(top: string): number {
  return top === 'README.md' ? 0 : top === '.gitignore' ? 1 : 2;
}

/** A plausible history for a tree: the README first, then .gitignore, then one commit per top-level entry. */
export function exampleHistory(files: FileTree): CommitSpec[] {
  const groups = new Map<string, FileTree>();
  for (const [path, content] of Object.entries(files)) {
    if (content === null) continue;
    const top = path.split('/')[0]!;
    groups.set(top, { ...groups.get(top), [path]: content });
  }
  const order = [...groups.keys()].sort((a, b) => rank(a) - rank(b) || a.localeCompare(b));
  return order.map((top) => ({ message: `${commitType(top)}: agrega ${top}`, files: groups.get(top)! }));
}

export const EXAMPLE_AUTHOR = { name: 'Ana Estudiante', email: 'ana@example.edu' };

/**
 * Writes `commits` as a new git repository in `dir` (which must be empty or absent),
 * with isomorphic-git: no git program is needed, and none of the host's git config applies.
 * Commit n is dated 2026-09-n, 10:00 at UTC−3.
 */
export async function writeRepository(dir: string, commits: readonly CommitSpec[]): Promise<string> {
  const existing = await fs.readdir(dir).catch(() => null);
  if (existing && existing.length > 0) throw new ExampleError('target-not-empty', `${dir} is not empty`);
  await fs.mkdir(dir, { recursive: true });
  await git.init({ fs: nodeFs, dir, defaultBranch: 'main' });
  let head = '';
  for (const [i, commit] of commits.entries()) {
    for (const [path, content] of Object.entries(commit.files)) {
      const full = join(dir, path);
      if (content === null) {
        await fs.rm(full, { recursive: true, force: true });
        await git.remove({ fs: nodeFs, dir, filepath: path });
        continue;
      }
      await fs.mkdir(dirname(full), { recursive: true });
      await fs.writeFile(full, content);
      await git.add({ fs: nodeFs, dir, filepath: path, force: true });
    }
    const timestamp = Date.UTC(2026, 8, Math.min(i + 1, 28), 13) / 1000;
    const who = { ...EXAMPLE_AUTHOR, timestamp, timezoneOffset: 180 };
    head = await git.commit({ fs: nodeFs, dir, message: commit.message, author: who, committer: who });
  }
  return head;
}

/** `rubrica example PACK DIR`: the pack's model solution as a checkout in DIR. */
export async function materialiseExample(pack: Pack, dir: string): Promise<{ commit: string; commits: number; files: number }> {
  const files = await exampleFiles(pack);
  const history = exampleHistory(files);
  const commit = await writeRepository(dir, history);
  return { commit, commits: history.length, files: Object.keys(files).length };
}
