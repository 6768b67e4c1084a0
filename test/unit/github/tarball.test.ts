import { beforeAll, describe, expect, it } from 'vitest';
import { randomBytes } from 'node:crypto';
import { createGzip, gzipSync } from 'node:zlib';
import { extract, pack } from 'tar-stream';
import { Readable } from 'node:stream';
import { tarballSnapshot } from '../../../src/github/tarball.ts';
import { DEFAULT_LIMITS, MB, SandboxLimitsSchema, snapshotCaps, type SnapshotCaps } from '../../../src/sandbox/limits.ts';
import { SnapshotTooLarge } from '../../../src/sandbox/snapshot.ts';

const caps = (c: Partial<SnapshotCaps>): SnapshotCaps => ({ ...snapshotCaps(DEFAULT_LIMITS), ...c });
const history = { commit: 'abc', commits: [] };

async function tarOf(entries: { name: string; type: 'file' | 'directory' | 'symlink' | 'link'; body?: string | Buffer; linkname?: string }[]): Promise<Buffer> {
  const p = pack();
  const chunks: Buffer[] = [];
  p.on('data', (c) => void chunks.push(c as Buffer));
  const ended = new Promise<void>((resolve) => p.on('end', () => resolve()));
  for (const e of entries) p.entry({ name: e.name, type: e.type, ...(e.linkname ? { linkname: e.linkname } : {}) }, e.body ?? '');
  p.finalize();
  await ended;
  return gzipSync(Buffer.concat(chunks));
}

async function list(tar: Readable): Promise<{ name: string; type: string; body: string; linkname?: string }[]> {
  const out: { name: string; type: string; body: string; linkname?: string }[] = [];
  const x = extract();
  x.on('entry', (h, stream, next) => {
    let body = '';
    stream.on('data', (c) => void (body += String(c)));
    stream.on('end', () => {
      out.push({ name: h.name, type: h.type ?? 'file', body, ...(h.linkname ? { linkname: h.linkname } : {}) });
      next();
    });
  });
  const done = new Promise<void>((resolve, reject) => {
    x.on('finish', () => resolve());
    x.on('error', reject);
  });
  tar.pipe(x as unknown as NodeJS.WritableStream);
  await done;
  return out;
}

describe('a GitHub tarball as a snapshot', () => {
  it('drops the top folder, keeps symlinks as links, and leaves out hard links, .git and climbing paths', async () => {
    const gz = await tarOf([
      { name: 'org-repo-abc1234/', type: 'directory' },
      { name: 'org-repo-abc1234/README.md', type: 'file', body: '# hola\n' },
      { name: 'org-repo-abc1234/src/', type: 'directory' },
      { name: 'org-repo-abc1234/src/a.py', type: 'file', body: 'print(1)\n' },
      { name: 'org-repo-abc1234/secret', type: 'symlink', linkname: '/etc/shadow' },
      { name: 'org-repo-abc1234/hard', type: 'link', linkname: 'org-repo-abc1234/README.md' },
      { name: 'org-repo-abc1234/../escape.txt', type: 'file', body: 'x' },
      { name: 'org-repo-abc1234/.git/config', type: 'file', body: '[core]\n\tfsmonitor = evil\n' },
      { name: 'org-repo-abc1234/big.bin', type: 'file', body: 'x'.repeat(2000) },
    ]);
    const source = tarballSnapshot(gz, 'org/repo@abc1234', { commit: 'abc', commits: [] });
    const packed = source.pack(caps({ maxFileBytes: 1000, maxTotalBytes: 10_000 }));
    const [entries, { skipped }] = await Promise.all([list(packed.tar), packed.done]);
    expect(entries).toEqual([
      { name: 'README.md', type: 'file', body: '# hola\n' },
      { name: 'src', type: 'directory', body: '' },
      { name: 'src/a.py', type: 'file', body: 'print(1)\n' },
      { name: 'secret', type: 'symlink', body: '', linkname: '/etc/shadow' },
    ]);
    expect(skipped.map((s) => [s.path, s.reason])).toEqual([
      ['hard', 'special-file'],
      ['../escape.txt', 'special-file'],
      ['.git/config', 'special-file'],
      ['big.bin', 'too-large'],
    ]);
    expect(source.history).toEqual({ commit: 'abc', commits: [] });
  });

  it('a corrupt download is an error, not an empty repository', async () => {
    const source = tarballSnapshot(Buffer.from('not gzip at all'), 'x', { commit: 'abc', commits: [] });
    const packed = source.pack(caps({ maxFileBytes: 1000, maxTotalBytes: 10_000 }));
    packed.tar.on('error', () => {});
    packed.tar.resume();
    await expect(packed.done).rejects.toThrow();
  });

  it('leaves out files once the snapshot is full, and names them', async () => {
    const gz = await tarOf([
      { name: 'top/', type: 'directory' },
      ...['a', 'b', 'c', 'd'].map((n) => ({ name: `top/${n}.csv`, type: 'file' as const, body: n.repeat(600) })),
    ]);
    const packed = tarballSnapshot(gz, 'x', history).pack(caps({ maxFileBytes: 1000, maxTotalBytes: 1300 }));
    const [entries, { skipped, bytes }] = await Promise.all([list(packed.tar), packed.done]);
    expect(entries.map((e) => e.name)).toEqual(['a.csv', 'b.csv']);
    expect(skipped).toEqual([
      { path: 'c.csv', size: 600, reason: 'snapshot-full' },
      { path: 'd.csv', size: 600, reason: 'snapshot-full' },
    ]);
    expect(bytes).toBe(1200);
  });

  it('keeps every file at the largest limits a pack may set (no 32-bit overflow in MB → bytes)', async () => {
    const gz = await tarOf([
      { name: 'top/', type: 'directory' },
      { name: 'top/data.csv', type: 'file', body: 'x'.repeat(3000) },
    ]);
    for (const mb of [2048, 4096, 8192]) {
      const limits = SandboxLimitsSchema.parse({ maxSnapshotMb: mb, maxFileMb: Math.min(mb, 4096) });
      const packed = tarballSnapshot(gz, 'x', history).pack(snapshotCaps(limits));
      const [entries, { skipped }] = await Promise.all([list(packed.tar), packed.done]);
      expect({ mb, files: entries.map((e) => e.name), skipped }).toEqual({ mb, files: ['data.csv'], skipped: [] });
    }
  });

  describe('caps that refuse the whole repository', { timeout: 60_000 }, () => {
    async function refusal(download: Buffer | Readable, c: Partial<SnapshotCaps>) {
      const source = tarballSnapshot(Buffer.isBuffer(download) ? download : async () => ({ body: download }), 'x', history);
      const packed = source.pack(caps(c));
      packed.tar.on('error', () => {}); // `done` carries the reason
      packed.tar.resume();
      return packed.done.then(
        () => undefined,
        (e: unknown) => e,
      );
    }

    // A gzip bomb: 200 MB of zeros in one file, which compress to a few hundred KB.
    const BOMB_BYTES = 200 * MB;
    let bomb: Buffer;
    beforeAll(async () => {
      const tar = pack();
      const gzip = createGzip({ level: 9 });
      const chunks: Buffer[] = [];
      gzip.on('data', (c: Buffer) => chunks.push(c));
      const ended = new Promise<void>((resolve) => gzip.on('end', () => resolve()));
      tar.pipe(gzip as unknown as NodeJS.WritableStream);
      tar.entry({ name: 'top/', type: 'directory' });
      const entry = tar.entry({ name: 'top/zeros.bin', type: 'file', size: BOMB_BYTES });
      const zeros = Buffer.alloc(MB);
      for (let i = 0; i < BOMB_BYTES / MB; i++) {
        if (!entry.write(zeros)) await new Promise<void>((resolve) => entry.once('drain', () => resolve()));
      }
      (entry as unknown as { end(): void }).end();
      tar.finalize();
      await ended;
      bomb = Buffer.concat(chunks);
    }, 60_000);

    it('a gzip bomb is cut off at the unpacked cap, though its one file would be left out anyway', async () => {
      expect(bomb.length).toBeLessThan(1 * MB);
      const error = await refusal(bomb, { maxFileBytes: MB, maxUnpackedBytes: 64 * MB });
      expect(error).toBeInstanceOf(SnapshotTooLarge);
      expect(error).toMatchObject({ cap: 'unpacked', allowed: 64 * MB });
      expect((error as SnapshotTooLarge).text.en).toContain('Your repository is larger than the course allows: unpacked, it passes 64.0 MB');
      expect((error as SnapshotTooLarge).text.es).toContain('DVC');
      // Under a cap it fits, the same archive is a snapshot with the file left out: the cap is what refused it.
      const packed = tarballSnapshot(bomb, 'x', history).pack(caps({ maxFileBytes: MB, maxUnpackedBytes: 256 * MB }));
      const [entries, { skipped }] = await Promise.all([list(packed.tar), packed.done]);
      expect(entries).toEqual([]);
      expect(skipped).toEqual([{ path: 'zeros.bin', size: BOMB_BYTES, reason: 'too-large' }]);
    });

    it('an entry bomb: empty files, folders and symlinks count, one past the cap refuses it', async () => {
      const bombEntries: Parameters<typeof tarOf>[0] = [{ name: 'top/', type: 'directory' }];
      for (let i = 0; i < 1000; i++) {
        bombEntries.push({ name: `top/d${i}/`, type: 'directory' }, { name: `top/e${i}`, type: 'file' }, { name: `top/l${i}`, type: 'symlink', linkname: 'e0' });
      }
      const gz = await tarOf(bombEntries);
      const fits = tarballSnapshot(gz, 'x', history).pack(caps({ maxEntries: 3001 }));
      const [entries] = await Promise.all([list(fits.tar), fits.done]);
      expect(entries).toHaveLength(3000);
      const error = await refusal(gz, { maxEntries: 3000 });
      expect(error).toMatchObject({ cap: 'entries', allowed: 3000 });
      expect((error as SnapshotTooLarge).text.en).toContain('more than 3000 files, folders and links');
    });

    it('a cut in the middle of a file rejects `done` and raises nothing else (an uncaught error would take the grader down)', async () => {
      const uncaught: unknown[] = [];
      const onUncaught = (e: unknown) => void uncaught.push(e);
      process.on('uncaughtException', onUncaught);
      try {
        const gz = await tarOf([
          { name: 'top/', type: 'directory' },
          { name: 'top/a.bin', type: 'file', body: randomBytes(4 * MB) },
        ]);
        const chunks = Array.from({ length: Math.ceil(gz.length / 65536) }, (_, i) => gz.subarray(i * 65536, (i + 1) * 65536));
        for (const c of [{ maxDownloadBytes: MB }, { maxUnpackedBytes: 2 * MB }]) {
          const source = tarballSnapshot(async () => ({ body: Readable.from(chunks) }), 'x', history);
          const packed = source.pack(caps(c));
          // No error listener of the test's: a cap can trip before the sandbox listens.
          packed.tar.resume();
          await expect(packed.done).rejects.toBeInstanceOf(SnapshotTooLarge);
          await new Promise((resolve) => setTimeout(resolve, 50));
        }
        expect(uncaught).toEqual([]);
      } finally {
        process.off('uncaughtException', onUncaught);
      }
    });

    it('a download past its cap is refused: at once when its size is declared, as it flows when not', async () => {
      const gz = await tarOf([
        { name: 'top/', type: 'directory' },
        { name: 'top/a.bin', type: 'file', body: randomBytes(20_000) },
      ]);
      expect(await refusal(gz, { maxDownloadBytes: gz.length })).toBeUndefined();
      expect(await refusal(gz, { maxDownloadBytes: gz.length - 1 })).toMatchObject({ cap: 'download', allowed: gz.length - 1 });
      const declared = (await refusal(gz, { maxDownloadBytes: 1000 })) as SnapshotTooLarge;
      expect(declared.text.en).toContain(`its download is ${(gz.length / 1024).toFixed(1)} KB and the limit is 1000 B`);
      // Undeclared, in small chunks: counted as it arrives.
      const chunks = Array.from({ length: Math.ceil(gz.length / 512) }, (_, i) => gz.subarray(i * 512, (i + 1) * 512));
      expect(await refusal(Readable.from(chunks), { maxDownloadBytes: gz.length - 1 })).toMatchObject({ cap: 'download' });
      expect(await refusal(Readable.from(chunks), { maxDownloadBytes: gz.length })).toBeUndefined();
    });
  });
});
