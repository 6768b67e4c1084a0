import { describe, expect, it } from 'vitest';
import { gzipSync } from 'node:zlib';
import { extract, pack } from 'tar-stream';
import type { Readable } from 'node:stream';
import { tarballSnapshot } from '../../../src/github/tarball.ts';

async function tarOf(entries: { name: string; type: 'file' | 'directory' | 'symlink' | 'link'; body?: string; linkname?: string }[]): Promise<Buffer> {
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
    const packed = source.pack({ maxFileBytes: 1000, maxTotalBytes: 10_000 });
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
    const packed = source.pack({ maxFileBytes: 1000, maxTotalBytes: 10_000 });
    packed.tar.on('error', () => {});
    packed.tar.resume();
    await expect(packed.done).rejects.toThrow();
  });
});
