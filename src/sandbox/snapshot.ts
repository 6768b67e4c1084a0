import { constants, createReadStream, promises as fs } from 'node:fs';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { pack as tarPack } from 'tar-stream';
import type { Commit } from '../checks/types.ts';
import { bytes, t, type Text } from '../core/text.ts';
import type { SnapshotCaps } from './limits.ts';

/** A file the grader left out of the sandbox, told to the student. */
export interface SkippedFile {
  readonly path: string;
  readonly size: number;
  readonly reason: 'too-large' | 'snapshot-full' | 'special-file' | 'unreadable' | 'environment';
}

export interface PackedSnapshot {
  readonly tar: Readable;
  /** Settles when the tar has been fully written. */
  readonly done: Promise<{ readonly skipped: readonly SkippedFile[]; readonly bytes: number }>;
}

/** Where a grading job's files come from: a local checkout, or a commit's tarball from GitHub. */
export interface SnapshotSource {
  readonly description: string;
  /** `done` rejects with SnapshotTooLarge past a cap that refuses the whole snapshot. */
  pack(limits: SnapshotCaps): PackedSnapshot;
  /**
   * The commit graded and its history, when the snapshot carries no `.git` (a GitHub
   * tarball): read from GitHub's API by the adapter, newest first.
   */
  readonly history?: { readonly commit: string; readonly commits: readonly Commit[] };
}

/**
 * A repository past a cap that refuses it whole (its download, what it unpacks to, its
 * number of entries). The student's result, not a failure of ours: they committed it.
 */
export class SnapshotTooLarge extends Error {
  readonly cap: 'download' | 'unpacked' | 'entries';
  /** The course's limit, in bytes or entries. */
  readonly allowed: number;
  readonly text: Text;
  constructor(cap: SnapshotTooLarge['cap'], allowed: number, declared?: number) {
    const text = tooLargeText(cap, allowed, declared);
    super(text.en);
    this.name = 'SnapshotTooLarge';
    this.cap = cap;
    this.allowed = allowed;
    this.text = text;
  }
}

function tooLargeText(cap: SnapshotTooLarge['cap'], allowed: number, declared?: number): Text {
  const dvc = t(
    'Guarda datos y modelos en DVC (o fuera del repositorio), no en git, y vuelve a hacer push.',
    'Keep data and models in DVC (or outside the repository), not in git, and push again.',
  );
  const [es, en] =
    cap === 'entries'
      ? [`tiene más de ${allowed} archivos, carpetas y enlaces`, `it has more than ${allowed} files, folders and links`]
      : cap === 'download'
        ? declared !== undefined
          ? [`su descarga ocupa ${bytes(declared, 'es')} y el máximo es ${bytes(allowed, 'es')}`, `its download is ${bytes(declared)} and the limit is ${bytes(allowed)}`]
          : [`su descarga pasa de ${bytes(allowed, 'es')}`, `its download passes ${bytes(allowed)}`]
        : [`descomprimido pasa de ${bytes(allowed, 'es')}`, `unpacked, it passes ${bytes(allowed)}`];
  return t(
    `Tu repositorio es más grande de lo que permite el curso: ${es}. No se pudo revisar nada. ${dvc.es}`,
    `Your repository is larger than the course allows: ${en}. Nothing could be checked. ${dvc.en}`,
  );
}

/**
 * A local folder (with its .git) as a tar stream. Entries are read with lstat and
 * symlinks are stored as symlinks, never followed; regular files are opened with
 * O_NOFOLLOW so a file swapped for a link meanwhile is not read either.
 */
export function directorySnapshot(root: string): SnapshotSource {
  return {
    description: root,
    pack(limits) {
      const tar = tarPack();
      // `done` carries why a pack failed; the consumer may not listen to the tar yet.
      tar.on('error', () => {});
      const skipped: SkippedFile[] = [];
      let total = 0;
      let entries = 0;
      const count = () => {
        if (++entries > limits.maxEntries) throw new SnapshotTooLarge('entries', limits.maxEntries);
      };
      const add = (header: Parameters<typeof tar.entry>[0], body?: Buffer | string) =>
        new Promise<void>((resolve, reject) => tar.entry(header, body ?? '', (err) => (err ? reject(err) : resolve())));

      async function addFile(abs: string, rel: string, size: number, mode: number, mtime: Date) {
        if (size > limits.maxFileBytes) return void skipped.push({ path: rel, size, reason: 'too-large' });
        if (total + size > limits.maxTotalBytes) return void skipped.push({ path: rel, size, reason: 'snapshot-full' });
        let handle: fs.FileHandle;
        try {
          handle = await fs.open(abs, constants.O_RDONLY | constants.O_NOFOLLOW);
        } catch {
          return void skipped.push({ path: rel, size, reason: 'unreadable' });
        }
        try {
          total += size;
          await new Promise<void>((resolve, reject) => {
            const entry = tar.entry({ name: rel, size, mode, mtime, type: 'file' }, (err) => (err ? reject(err) : resolve()));
            const stream = createReadStream('', { fd: handle.fd, autoClose: false, end: Math.max(0, size - 1), start: 0 });
            if (size === 0) return void (entry as unknown as { end(): void }).end();
            stream.on('error', reject);
            stream.pipe(entry);
          });
        } finally {
          await handle.close();
        }
      }

      async function walk(dir: string, prefix: string): Promise<void> {
        const names = (await fs.readdir(dir)).sort();
        for (const name of names) {
          const abs = join(dir, name);
          const rel = prefix + name;
          count();
          let st;
          try {
            st = await fs.lstat(abs);
          } catch {
            skipped.push({ path: rel, size: 0, reason: 'unreadable' });
            continue;
          }
          if (st.isSymbolicLink()) {
            await add({ name: rel, type: 'symlink', linkname: await fs.readlink(abs), mode: 0o777 });
          } else if (st.isDirectory()) {
            if (await isEnvironment(abs, name)) {
              // A local checkout's virtualenv or caches are never deliverables (git would not push
              // them) and can be large enough to crowd the student's files out of the snapshot.
              skipped.push({ path: rel, size: 0, reason: 'environment' });
              continue;
            }
            await add({ name: rel, type: 'directory', mode: 0o755, mtime: st.mtime });
            await walk(abs, rel + '/');
          } else if (st.isFile()) {
            await addFile(abs, rel, st.size, st.mode & 0o111 ? 0o755 : 0o644, st.mtime);
          } else {
            skipped.push({ path: rel, size: 0, reason: 'special-file' });
          }
        }
      }

      return packing(tar, walk(root, ''), () => ({ skipped, bytes: total }));
    },
  };
}

/** A tar that `writing` fills: finalized when it is done, destroyed when it fails. */
export function packing(tar: ReturnType<typeof tarPack>, writing: Promise<void>, summary: () => { skipped: readonly SkippedFile[]; bytes: number }): PackedSnapshot {
  const done = writing.then(
    () => {
      tar.finalize();
      return summary();
    },
    (err: unknown) => {
      tar.destroy(err as Error);
      throw err;
    },
  );
  // tar-stream's Pack is a streamx Readable; Node's stream API is what consumers use.
  return { tar: tar as unknown as Readable, done };
}

const CACHE_DIRS = new Set(['node_modules', '__pycache__', '.pytest_cache', '.mypy_cache', '.ruff_cache', '.tox', '.nox']);

/** A Python virtualenv (it has pyvenv.cfg) or a tool cache. */
export async function isEnvironment(abs: string, name: string): Promise<boolean> {
  if (CACHE_DIRS.has(name)) return true;
  return fs.lstat(join(abs, 'pyvenv.cfg')).then(
    (st) => st.isFile(),
    () => false,
  );
}
