import { promises as fs } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { extract } from 'tar-stream';
import { describe, expect, it } from 'vitest';
import { DEFAULT_LIMITS, snapshotCaps, type SnapshotCaps } from '../../../src/sandbox/limits.ts';
import { directorySnapshot, SnapshotTooLarge } from '../../../src/sandbox/snapshot.ts';

interface Entry {
  name: string;
  type: string;
  linkname?: string;
  body: string;
}

async function unpack(root: string, limits: Partial<SnapshotCaps> = { maxFileBytes: 1 << 20, maxTotalBytes: 8 << 20 }) {
  const packed = directorySnapshot(root).pack({ ...snapshotCaps(DEFAULT_LIMITS), ...limits });
  const entries: Entry[] = [];
  const ex = extract();
  ex.on('entry', (header, stream, next) => {
    const chunks: Buffer[] = [];
    stream.on('data', (c: unknown) => chunks.push(c as Buffer));
    stream.on('end', () => {
      entries.push({ name: header.name, type: header.type ?? 'file', ...(header.linkname ? { linkname: header.linkname } : {}), body: Buffer.concat(chunks).toString() });
      next();
    });
  });
  const finished = new Promise((resolve, reject) => {
    ex.on('finish', () => resolve(undefined));
    ex.on('error', reject);
  });
  packed.tar.pipe(ex as unknown as NodeJS.WritableStream);
  const [{ skipped }] = await Promise.all([packed.done, finished]);
  return { entries, skipped };
}

describe('directorySnapshot', () => {
  it('stores symlinks as links and never reads what they point to', async () => {
    const root = await fs.mkdtemp(join(tmpdir(), 'rubrica-snap-'));
    await fs.writeFile(join(root, 'README.md'), '# hola\n');
    await fs.symlink('/etc/passwd', join(root, 'passwd'));
    const { entries } = await unpack(root);
    expect(entries.find((e) => e.name === 'passwd')).toMatchObject({ type: 'symlink', linkname: '/etc/passwd', body: '' });
    expect(entries.find((e) => e.name === 'README.md')?.body).toBe('# hola\n');
    expect(JSON.stringify(entries)).not.toContain('root:x:0:0');
  });

  it('leaves out files over the limit, and virtualenvs and caches, and names them', async () => {
    const root = await fs.mkdtemp(join(tmpdir(), 'rubrica-snap-'));
    await fs.writeFile(join(root, 'big.bin'), Buffer.alloc(2 << 20));
    await fs.mkdir(join(root, '.venv/lib'), { recursive: true });
    await fs.writeFile(join(root, '.venv/pyvenv.cfg'), 'home = /usr/bin\n');
    await fs.mkdir(join(root, 'src/__pycache__'), { recursive: true });
    await fs.writeFile(join(root, 'src/__pycache__/m.pyc'), 'x');
    await fs.writeFile(join(root, 'src/m.py'), 'x = 1\n');
    const { entries, skipped } = await unpack(root);
    expect(skipped).toEqual(
      expect.arrayContaining([
        { path: 'big.bin', size: 2 << 20, reason: 'too-large' },
        { path: '.venv', size: 0, reason: 'environment' },
        { path: 'src/__pycache__', size: 0, reason: 'environment' },
      ]),
    );
    expect(entries.map((e) => e.name).sort()).toEqual(['src', 'src/m.py']);
  });

  it('stops adding files when the snapshot is full', async () => {
    const root = await fs.mkdtemp(join(tmpdir(), 'rubrica-snap-'));
    for (const name of ['a', 'b', 'c']) await fs.writeFile(join(root, name), Buffer.alloc(600));
    const { entries, skipped } = await unpack(root, { maxFileBytes: 1000, maxTotalBytes: 1300 });
    expect(entries.map((e) => e.name)).toEqual(['a', 'b']);
    expect(skipped).toEqual([{ path: 'c', size: 600, reason: 'snapshot-full' }]);
  });

  it('refuses a folder with more entries than allowed, empty files, folders and links counted', async () => {
    const root = await fs.mkdtemp(join(tmpdir(), 'rubrica-snap-'));
    for (let i = 0; i < 4; i++) await fs.mkdir(join(root, `d${i}`));
    for (let i = 0; i < 4; i++) await fs.writeFile(join(root, `e${i}`), '');
    for (let i = 0; i < 4; i++) await fs.symlink('e0', join(root, `l${i}`));
    await expect(unpack(root, { maxEntries: 12 })).resolves.toMatchObject({ skipped: [] });
    const refused = unpack(root, { maxEntries: 11 });
    await expect(refused).rejects.toBeInstanceOf(SnapshotTooLarge);
    await expect(refused).rejects.toMatchObject({ cap: 'entries', allowed: 11 });
  });
});
