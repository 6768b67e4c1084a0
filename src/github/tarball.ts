import { Readable, Transform } from 'node:stream';
import { createGunzip } from 'node:zlib';
import { extract as tarExtract, pack as tarPack, type Header } from 'tar-stream';
import type { Commit } from '../checks/types.ts';
import { SnapshotTooLarge, type SkippedFile, type SnapshotSource } from '../sandbox/snapshot.ts';

/** The tarball's bytes as they arrive, and the size the server declared (Content-Length), if any. */
export interface TarballDownload {
  readonly body: Readable;
  readonly declaredBytes?: number | undefined;
}

/**
 * A commit's files as GitHub serves them (`GET /repos/{o}/{r}/tarball/{sha}`: a gzipped
 * tar under one top folder `owner-repo-sha/`), re-packed for the sandbox without the top
 * folder. Nothing is written to the host's disk and nothing is held whole in memory:
 * entries flow from the download to the container, so a repository costs the grader
 * a few buffers whatever its size. The download, what it unpacks to and the number of
 * entries are capped as they flow; past a cap the download is cut and `done` rejects
 * with SnapshotTooLarge. Symlinks stay symlinks (at worst they point inside the
 * container); hard links, devices and paths that climb out (`..`) are left out and named.
 *
 * `download` is opened when the snapshot is packed (a Buffer is the whole tarball, for tests and benchmarks).
 */
export function tarballSnapshot(
  download: Buffer | (() => Promise<TarballDownload>),
  description: string,
  history: NonNullable<SnapshotSource['history']>,
): SnapshotSource {
  const open = Buffer.isBuffer(download) ? async (): Promise<TarballDownload> => ({ body: Readable.from([download]), declaredBytes: download.length }) : download;
  return {
    description,
    history,
    pack(limits) {
      const out = tarPack();
      // The consumer may not listen yet (the container's exec is still starting) when a cap trips.
      out.on('error', ignore);
      const input = tarExtract();
      const skipped: SkippedFile[] = [];
      let total = 0;
      let entries = 0;
      let chain: (Readable | Transform)[] = [];
      let failed = false;

      const done = new Promise<{ skipped: SkippedFile[]; bytes: number }>((resolve, reject) => {
        const fail = (err: Error) => {
          if (failed) return;
          failed = true;
          reject(err);
          // Destroying the download closes the connection: nothing more is read.
          for (const stream of chain) stream.destroy();
          input.destroy();
          out.destroy(err);
        };
        input.on('entry', (header: Header, body, next) => {
          body.on('error', ignore);
          if (++entries > limits.maxEntries) return fail(new SnapshotTooLarge('entries', limits.maxEntries));
          const drop = (reason?: SkippedFile['reason']) => {
            if (reason) skipped.push({ path: stripTop(header.name) ?? header.name, size: header.size ?? 0, reason });
            body.on('end', () => next());
            body.resume();
          };
          const name = stripTop(header.name);
          if (name === null) return drop(); // the top folder itself, or the pax header carrying the sha
          if (!isSafePath(name)) return drop('special-file');
          const size = header.size ?? 0;
          if (header.type === 'directory') {
            out.entry({ name, type: 'directory', mode: 0o755 }, (err) => (err ? fail(err) : undefined)).on('error', ignore);
            return drop();
          }
          if (header.type === 'symlink') {
            out.entry({ name, type: 'symlink', linkname: header.linkname ?? '', mode: 0o777 }, (err) => (err ? fail(err) : undefined)).on('error', ignore);
            return drop();
          }
          // tar-stream reads pax headers itself; what is left (hard links, devices, fifos) is not a file of a commit.
          if (header.type !== 'file') return drop('special-file');
          if (size > limits.maxFileBytes) return drop('too-large');
          if (total + size > limits.maxTotalBytes) return drop('snapshot-full');
          total += size;
          const mode = (header.mode ?? 0o644) & 0o111 ? 0o755 : 0o644;
          const entry = out.entry({ name, type: 'file', size, mode }, (err) => (err ? fail(err) : next()));
          entry.on('error', ignore);
          body.pipe(entry);
        });
        input.on('finish', () => {
          if (failed) return;
          out.finalize();
          resolve({ skipped, bytes: total });
        });
        input.on('error', fail);
        open().then(({ body, declaredBytes }) => {
          if (failed) return void body.destroy();
          if (declaredBytes !== undefined && declaredBytes > limits.maxDownloadBytes) {
            return fail(new SnapshotTooLarge('download', limits.maxDownloadBytes, declaredBytes));
          }
          // Piped by hand, each stream reporting to `fail`, which destroys them all: a cut at any point stops the download.
          chain = [body, byteCap(limits.maxDownloadBytes, 'download'), createGunzip(), byteCap(limits.maxUnpackedBytes, 'unpacked')];
          for (const stream of chain) stream.on('error', fail);
          chain.reduce((from, to) => from.pipe(to as NodeJS.WritableStream) as unknown as Readable).pipe(input as unknown as NodeJS.WritableStream);
        }, fail);
      });
      return { tar: out as unknown as Readable, done };
    },
  };
}

/**
 * For the archive and its entry streams: `done` carries the reason a pack failed, and
 * destroying the archive mid-file destroys the entry in flight with the same error. A
 * stream's 'error' without a listener is an uncaught exception, so without this the
 * whole grader would go down with one student's download.
 */
function ignore(): void {}

/** Passes bytes through until `max`; one byte more fails the stream with SnapshotTooLarge. */
function byteCap(max: number, cap: 'download' | 'unpacked'): Transform {
  let seen = 0;
  return new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      seen += chunk.length;
      if (seen > max) return callback(new SnapshotTooLarge(cap, max));
      callback(null, chunk);
    },
  });
}

/** `owner-repo-sha/src/a.py` → `src/a.py`; the top folder alone → null. */
function stripTop(name: string): string | null {
  const slash = name.indexOf('/');
  if (slash < 0) return null;
  const rest = name.slice(slash + 1).replace(/\/+$/, '');
  return rest === '' ? null : rest;
}

function isSafePath(path: string): boolean {
  return !path.startsWith('/') && !path.split('/').some((part) => part === '..' || part === '.git');
}

/** GitHub's commit list (newest first) in the shape the commits check reads. */
export interface ApiCommit {
  readonly sha: string;
  readonly parents: readonly unknown[];
  readonly commit: { readonly message: string; readonly author: { readonly name?: string; readonly date?: string } | null };
}

export function commitsFromApi(list: readonly ApiCommit[]): Commit[] {
  return list.map((c) => ({
    sha: c.sha,
    parents: c.parents.length,
    author: c.commit.author?.name ?? '',
    date: c.commit.author?.date ?? '',
    message: c.commit.message,
  }));
}
