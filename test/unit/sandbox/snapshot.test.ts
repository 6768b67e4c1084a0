import { promises as fs } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { extract } from 'tar-stream';
import { describe, expect, it } from 'vitest';
import { directorySnapshot } from '../../../src/sandbox/snapshot.ts';

interface Entry {
  name: string;
  type: string;
  linkname?: string;
  body: string;
}

async function unpack(root: string, limits = { maxFileBytes: 1 << 20, maxTotalBytes: 8 << 20 }) {
  const packed = directorySnapshot(root).pack(limits);
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
});
