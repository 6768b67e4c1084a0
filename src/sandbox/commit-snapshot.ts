import { createHash } from 'node:crypto';
import { constants, promises as fs } from 'node:fs';
import { join, relative, sep } from 'node:path';
import ignore, { type Ignore } from 'ignore';
import git from 'isomorphic-git';
import { pack as tarPack } from 'tar-stream';
import type { Commit } from '../checks/types.ts';
import { isEnvironment, packing, SnapshotTooLarge } from './snapshot.ts';
import type { SkippedFile, SnapshotSource } from './snapshot.ts';

/**
 * What a push of a local checkout would deliver: the tree of its HEAD commit and the
 * history behind it, read from the repository's object store by isomorphic-git. The
 * host's git is never run on the repository (its config and hooks are the student's:
 * `core.fsmonitor` alone runs a program), and no symlink under `.git` is followed.
 */

export class LocalRepoError extends Error {
  readonly code: 'no-git' | 'git-elsewhere' | 'no-commits' | 'unreadable';
  constructor(code: LocalRepoError['code'], message: string) {
    super(message);
    this.code = code;
  }
}

export interface HeadEntry {
  readonly mode: string;
  readonly oid: string;
  readonly type: 'blob' | 'tree' | 'commit';
}

export interface LocalHead {
  readonly root: string;
  readonly commit: string;
  /** Newest first, as `git log` and GitHub's commit list give them. */
  readonly commits: readonly Commit[];
  /** Every path of HEAD's tree (folders included), sorted. */
  readonly tree: ReadonlyMap<string, HeadEntry>;
  readBlob(oid: string): Promise<Uint8Array>;
}

const MAX_COMMITS = 1000;

function fail(code: string, path: string): never {
  throw Object.assign(new Error(`${code}: ${path}`), { code });
}

/**
 * A read-only file system for isomorphic-git confined to `gitdir`: every component of
 * a path is checked with lstat, so a symlinked `objects/` or packfile is refused
 * rather than followed, and files are opened with O_NOFOLLOW.
 */
function confinedFs(gitdir: string) {
  async function check(path: string): Promise<void> {
    const rel = relative(gitdir, path);
    if (rel.startsWith('..') || rel.startsWith(sep)) fail('EACCES', path);
    let at = gitdir;
    for (const part of rel ? rel.split(sep) : []) {
      at = join(at, part);
      const st = await fs.lstat(at);
      if (st.isSymbolicLink()) fail('ENOENT', at);
    }
  }
  const readOnly = async (path: string) => fail('EROFS', path);
  return {
    promises: {
      async readFile(path: string, options?: { encoding?: BufferEncoding } | BufferEncoding) {
        await check(path);
        const handle = await fs.open(path, constants.O_RDONLY | constants.O_NOFOLLOW);
        try {
          const data = await handle.readFile();
          const encoding = typeof options === 'string' ? options : options?.encoding;
          return encoding ? data.toString(encoding) : data;
        } finally {
          await handle.close();
        }
      },
      async stat(path: string) {
        await check(path);
        return fs.lstat(path);
      },
      async lstat(path: string) {
        await check(path);
        return fs.lstat(path);
      },
      async readdir(path: string) {
        await check(path);
        return fs.readdir(path);
      },
      readlink: readOnly,
      writeFile: readOnly,
      mkdir: readOnly,
      rmdir: readOnly,
      unlink: readOnly,
      symlink: readOnly,
      chmod: readOnly,
    },
  };
}

/** Reads HEAD's commit, history and tree of the checkout at `root`. */
export async function readLocalHead(root: string): Promise<LocalHead> {
  const gitdir = join(root, '.git');
  const st = await fs.lstat(gitdir).catch(() => null);
  if (!st?.isDirectory()) {
    // A .git file (worktree, submodule) or link points out of the checkout: not followed.
    throw st ? new LocalRepoError('git-elsewhere', `${gitdir} is not a folder (a git worktree, a submodule or a link)`) : new LocalRepoError('no-git', `${root} has no .git folder`);
  }
  const options = { fs: confinedFs(gitdir), gitdir, cache: {} };
  let commit: string;
  try {
    commit = await git.resolveRef({ ...options, ref: 'HEAD' });
  } catch {
    throw new LocalRepoError('no-commits', `${root} has no commits yet`);
  }
  try {
    const log = await git.log({ ...options, ref: commit, depth: MAX_COMMITS });
    const commits: Commit[] = log.map(({ oid, commit: c }) => ({
      sha: oid,
      parents: c.parent.length,
      author: c.author.name,
      date: new Date(c.author.timestamp * 1000).toISOString(),
      message: c.message.replace(/\n+$/, ''),
    }));
    const tree = new Map<string, HeadEntry>();
    async function walk(oid: string, prefix: string): Promise<void> {
      const { tree: entries } = await git.readTree({ ...options, oid });
      for (const entry of entries) {
        // git refuses such names, but a crafted object can carry them: never a path that climbs or hides in .git.
        if (!isSafeName(entry.path)) continue;
        const path = prefix + entry.path;
        tree.set(path, { mode: entry.mode, oid: entry.oid, type: entry.type });
        if (entry.type === 'tree') await walk(entry.oid, `${path}/`);
      }
    }
    await walk(commit, '');
    return {
      root,
      commit,
      commits,
      tree: new Map([...tree].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))),
      readBlob: async (oid) => (await git.readBlob({ ...options, oid })).blob,
    };
  } catch (error) {
    throw new LocalRepoError('unreadable', `could not read ${root}'s git history: ${(error as Error).message}`);
  }
}

function isSafeName(name: string): boolean {
  return name !== '' && name !== '.' && name !== '..' && name.toLowerCase() !== '.git' && !/[/\\\0]/.test(name);
}

/** The HEAD commit's files as the sandbox's tar, with its history: what GitHub would serve for a push. */
export function commitSnapshot(head: LocalHead): SnapshotSource {
  return {
    description: `${head.root}@${head.commit.slice(0, 7)}`,
    history: { commit: head.commit, commits: head.commits },
    pack(limits) {
      const tar = tarPack();
      // `done` carries why a pack failed; the consumer may not listen to the tar yet.
      tar.on('error', () => {});
      const skipped: SkippedFile[] = [];
      let total = 0;
      const add = (header: Parameters<typeof tar.entry>[0], body: Buffer | string = '') =>
        new Promise<void>((resolve, reject) => tar.entry(header, body, (err) => (err ? reject(err) : resolve())));
      async function write(): Promise<void> {
        // The caps GitHub's tarball of this commit would meet: entries, and what it unpacks to
        // (a 512-byte header per entry, files left out included).
        if (head.tree.size > limits.maxEntries) throw new SnapshotTooLarge('entries', limits.maxEntries);
        let unpacked = 0;
        for (const [path, entry] of head.tree) {
          unpacked += 512;
          if (entry.type === 'tree') await add({ name: path, type: 'directory', mode: 0o755 });
          else if (entry.type === 'commit') await add({ name: path, type: 'directory', mode: 0o755 }); // a submodule: GitHub's tarball has an empty folder
          else if (entry.mode === '120000') await add({ name: path, type: 'symlink', linkname: Buffer.from(await head.readBlob(entry.oid)).toString('utf8'), mode: 0o777 });
          else {
            const blob = Buffer.from(await head.readBlob(entry.oid));
            unpacked += blob.length;
            if (unpacked > limits.maxUnpackedBytes) throw new SnapshotTooLarge('unpacked', limits.maxUnpackedBytes);
            if (blob.length > limits.maxFileBytes) skipped.push({ path, size: blob.length, reason: 'too-large' });
            else if (total + blob.length > limits.maxTotalBytes) skipped.push({ path, size: blob.length, reason: 'snapshot-full' });
            else {
              total += blob.length;
              await add({ name: path, type: 'file', size: blob.length, mode: entry.mode === '100755' ? 0o755 : 0o644 }, blob);
            }
          }
        }
      }
      return packing(tar, write(), () => ({ skipped, bytes: total }));
    },
  };
}

/** How a path of the working folder differs from HEAD. */
export interface WorktreeChange {
  /** A folder ends with `/`. */
  readonly path: string;
  /** ignored: untracked and matched by a .gitignore, so a push leaves it out too. */
  readonly change: 'untracked' | 'modified' | 'deleted' | 'empty-folder' | 'ignored';
}

/** git's id of a file's content. */
function blobOid(content: Buffer): string {
  return createHash('sha1').update(`blob ${content.length}\0`).update(content).digest('hex');
}

interface IgnoreRules {
  readonly base: string;
  readonly rules: Ignore;
}

/**
 * What the working folder has that HEAD does not, and the other way round: the paths
 * a push would not carry. As `git status` does, a folder with nothing committed under
 * it is one entry, and an empty folder is named (git keeps none). Read with lstat,
 * links never followed (.gitignore files too); virtualenvs and tool caches are left
 * out, as the folder snapshot leaves them out.
 */
export async function worktreeChanges(head: LocalHead): Promise<WorktreeChange[]> {
  const changes: WorktreeChange[] = [];
  const seen = new Set<string>();
  const committedDirs = new Set<string>();
  for (const [path, entry] of head.tree) if (entry.type === 'tree') committedDirs.add(path);

  const ignored = (path: string, dir: boolean, stack: readonly IgnoreRules[]) =>
    stack.some(({ base, rules }) => rules.ignores(path.slice(base.length) + (dir ? '/' : '')));

  /** True when the folder holds at least one file (at any depth). */
  async function hasFile(dir: string): Promise<boolean> {
    for (const name of await fs.readdir(dir)) {
      const st = await fs.lstat(join(dir, name)).catch(() => null);
      if (st && (!st.isDirectory() ? true : await hasFile(join(dir, name)))) return true;
    }
    return false;
  }

  async function walk(dir: string, prefix: string, parent: readonly IgnoreRules[]): Promise<void> {
    const names = (await fs.readdir(dir)).sort();
    const own = names.includes('.gitignore') ? await readNoFollow(join(dir, '.gitignore')) : null;
    const stack = own ? [...parent, { base: prefix, rules: ignore().add(own.toString('utf8')) }] : parent;
    for (const name of names) {
      if (!prefix && name === '.git') continue;
      const abs = join(dir, name);
      const path = prefix + name;
      const st = await fs.lstat(abs).catch(() => null);
      if (!st) continue;
      if (st.isDirectory()) {
        if (await isEnvironment(abs, name)) continue;
        seen.add(path);
        if (head.tree.get(path)?.type === 'commit') continue; // a submodule's checkout
        if (!committedDirs.has(path)) {
          // Nothing of it is committed: one entry, as git status shows it.
          if (!(await hasFile(abs))) {
            if ((await fs.readdir(abs)).length === 0) changes.push({ path: `${path}/`, change: 'empty-folder' });
            else await walk(abs, `${path}/`, stack); // only empty folders inside: name the innermost
          } else changes.push({ path: `${path}/`, change: ignored(path, true, stack) ? 'ignored' : 'untracked' });
          continue;
        }
        await walk(abs, `${path}/`, stack);
        continue;
      }
      seen.add(path);
      const committed = head.tree.get(path);
      if (!committed || committed.type === 'tree') {
        changes.push({ path, change: ignored(path, false, stack) ? 'ignored' : 'untracked' });
        continue;
      }
      const content = st.isSymbolicLink() ? Buffer.from(await fs.readlink(abs)) : st.isFile() ? await readNoFollow(abs) : null;
      if (content === null || blobOid(content) !== committed.oid) changes.push({ path, change: 'modified' });
    }
    // A committed folder whose files were all deleted is left empty: the deletions say it.
  }
  await walk(head.root, '', []);
  for (const [path, entry] of head.tree) {
    if (entry.type === 'blob' && !seen.has(path)) changes.push({ path, change: 'deleted' });
  }
  return changes.sort((a, b) => (a.path < b.path ? -1 : 1));
}

async function readNoFollow(path: string): Promise<Buffer | null> {
  const handle = await fs.open(path, constants.O_RDONLY | constants.O_NOFOLLOW).catch(() => null);
  if (!handle) return null;
  try {
    return await handle.readFile();
  } finally {
    await handle.close();
  }
}
