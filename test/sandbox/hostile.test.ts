import { promises as fs } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { grade, type Grade } from '../../src/grading/grade.ts';
import { loadPack, type Pack } from '../../src/rubrics/load.ts';
import { DockerSandboxProvider } from '../../src/sandbox/sandbox.ts';
import { containersLeft } from '../helpers/containers.ts';
import { directorySnapshot } from '../../src/sandbox/snapshot.ts';
import { gitRepo, writeTree, type FileTree } from '../fixtures/repos.ts';

const HOSTILE_PACK = fileURLToPath(new URL('../fixtures/packs/hostile/', import.meta.url));
const SECRET = 'rubrica-test-secret-5f1c9a';

/** A well-behaved repository; each case adds its hostile part on top. */
const BASE: FileTree = {
  'README.md': '# Proyecto\n',
  '.gitignore': '.venv/\n__pycache__/\n',
  'configs/config.yaml': 'model:\n  name: rf\n',
  'tests/test_ok.py': 'def test_ok():\n    assert 1 + 1 == 2\n',
};

let pack: Pack;
const provider = new DockerSandboxProvider();

async function repo(extra: FileTree): Promise<string> {
  return gitRepo([{ message: 'feat: proyecto', files: { ...BASE, ...extra } }], 'hostile');
}

async function gradeDir(dir: string, name: string): Promise<Grade> {
  return grade({ pack, week: pack.weeks.get(1)!, source: directorySnapshot(dir), jobId: `hostile-${name}` }, provider);
}

function criterion(result: Grade, id: string) {
  const c = result.criteria.find((x) => x.id === id);
  if (!c) throw new Error(`no criterion ${id}`);
  return c;
}


beforeAll(async () => {
  // Anything of ours that leaked into a container would show up in its output.
  process.env.RUBRICA_TEST_SECRET = SECRET;
  pack = await loadPack(HOSTILE_PACK);
});

afterAll(async () => {
  delete process.env.RUBRICA_TEST_SECRET;
  expect(await containersLeft(provider, 'hostile-')).toEqual([]);
});

describe('hostile repositories are graded, not obeyed', () => {
  it('grades a well-behaved repository at full marks (the baseline the other cases differ from)', async () => {
    const result = await gradeDir(await repo({}), 'baseline');
    expect(result.criteria.map((c) => [c.id, c.status])).toEqual([
      ['tests', 'passed'],
      ['readme', 'passed'],
      ['config', 'passed'],
      ['gitignore', 'passed'],
    ]);
    expect(result.score).toBe(100);
  });

  it('stops an infinite loop at the check timeout and says so', async () => {
    const result = await gradeDir(await repo({ 'tests/test_loop.py': 'def test_loop():\n    while True:\n        pass\n' }), 'loop');
    const tests = criterion(result, 'tests');
    expect(tests.status).toBe('failed');
    expect(tests.message.es).toContain('15 s');
    expect(tests.message.en).toContain('15 s');
    // The static criteria are still graded.
    expect(criterion(result, 'readme').status).toBe('passed');
  });

  it('contains a fork bomb with the pids limit and kills it at the timeout', async () => {
    const bomb = 'import os\n\ndef test_bomb():\n    while True:\n        try:\n            os.fork()\n        except OSError:\n            pass\n';
    const result = await gradeDir(await repo({ 'tests/test_bomb.py': bomb }), 'forkbomb');
    expect(criterion(result, 'tests').status).toBe('failed');
    expect(criterion(result, 'tests').message.en).toMatch(/stopped|time/i);
    expect(criterion(result, 'config').status).toBe('passed');
  });

  it('kills a memory hog at the memory limit and tells the student', async () => {
    const hog = "def test_hog():\n    blocks = []\n    while True:\n        blocks.append(b'x' * (64 << 20))\n";
    const result = await gradeDir(await repo({ 'tests/test_hog.py': hog }), 'memory');
    const tests = criterion(result, 'tests');
    expect(tests.status).toBe('failed');
    expect(tests.message.en).toMatch(/memory/i);
  });

  it('keeps the start and end of hundreds of MB of output', async () => {
    const spew = "import os\n\ndef test_spew():\n    os.write(1, b'START\\n')\n    chunk = b'y' * (1 << 20)\n    for _ in range(400):\n        os.write(1, chunk)\n    os.write(1, b'\\nEND\\n')\n";
    const result = await gradeDir(await repo({ 'tests/test_spew.py': spew }), 'output');
    const tests = criterion(result, 'tests');
    expect(tests.details).toBeDefined();
    expect(tests.details!.length).toBeLessThan(200_000);
    expect(tests.details).toContain('START');
    expect(tests.details).toContain('END');
    expect(`${tests.message.en} ${tests.items.map((i) => i.note?.en ?? '').join(' ')}`).toMatch(/truncat|cut|MB/i);
  });

  it('never follows a symlink on the host, and no secret of ours reaches the container', async () => {
    const dir = await repo({
      'tests/test_leak.py':
        "import os\n\ndef test_leak():\n    for name in ['shadow', 'environ', 'root/etc/hostname']:\n        try:\n            print(name, open(os.path.join('links', name)).read()[:2000])\n        except OSError as e:\n            print(name, 'error', e)\n    print('ENV', dict(os.environ))\n    assert False\n",
    });
    await fs.mkdir(join(dir, 'links'));
    await fs.symlink('/etc/shadow', join(dir, 'links/shadow'));
    await fs.symlink('/proc/self/environ', join(dir, 'links/environ'));
    await fs.symlink('/', join(dir, 'links/root'));
    await fs.rm(join(dir, 'README.md'));
    await fs.symlink('/etc/hostname', join(dir, 'README.md'));
    const result = await gradeDir(dir, 'symlinks');
    const text = JSON.stringify(result);
    expect(text).not.toContain(SECRET);
    expect(text).not.toContain(await fs.readFile('/etc/hostname', 'utf8').then((s) => s.trim()));
    // The test ran and printed what it could see inside the container: only the container's own files.
    expect(criterion(result, 'tests').details).toContain('ENV');
    // A README that is a link to a system file is not a README.
    expect(criterion(result, 'readme').status).toBe('failed');
  });

  it('leaves a multi-GB file out of the sandbox and names it', async () => {
    const dir = await repo({});
    const big = join(dir, 'data/huge.bin');
    await fs.mkdir(join(dir, 'data'), { recursive: true });
    const handle = await fs.open(big, 'w');
    await handle.truncate(3 * 1024 ** 3); // sparse: 3 GB on paper, nothing on disk
    await handle.close();
    const result = await gradeDir(dir, 'bigfile');
    expect(result.skipped).toContainEqual(expect.objectContaining({ path: 'data/huge.bin', reason: 'too-large' }));
    expect(result.score).toBe(100);
  });

  it('refuses a YAML alias bomb as an invalid file, quickly', async () => {
    const levels = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]'];
    for (let i = 1; i < 10; i++) {
      const prev = String.fromCharCode(96 + i);
      const name = String.fromCharCode(97 + i);
      levels.push(`${name}: &${name} [${Array(9).fill(`*${prev}`).join(',')}]`);
    }
    const result = await gradeDir(await repo({ 'configs/config.yaml': `${levels.join('\n')}\nmodel:\n  name: *j\n` }), 'aliasbomb');
    const config = criterion(result, 'config');
    expect(config.status).toBe('failed');
    expect(config.message.es).toContain('configs/config.yaml');
  });

  it('handles names with spaces, accents, leading dashes and 120 nested folders', async () => {
    const deep = `${Array.from({ length: 120 }, (_, i) => `d${i}`).join('/')}/hondo.txt`;
    const result = await gradeDir(
      await repo({
        'notas con espacios.md': 'hola\n',
        'configs/configuración ñandú.yaml': 'model:\n  name: árbol\n',
        '-rf': 'no\n',
        '--help.py': 'print(1)\n',
        [deep]: 'fondo\n',
      }),
      'names',
    );
    expect(result.score).toBe(100);
    expect(criterion(result, 'config').status).toBe('passed');
  });

  it('explains a UTF-16 .gitignore that git cannot read', async () => {
    const utf16 = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from('.venv/\r\n__pycache__/\r\n', 'utf16le')]);
    const result = await gradeDir(await repo({ '.gitignore': utf16 }), 'utf16');
    const gitignore = criterion(result, 'gitignore');
    expect(gitignore.status).toBe('failed');
    expect(gitignore.message.es).toMatch(/UTF-16/);
    expect(gitignore.message.es).toMatch(/UTF-8/);
  });
});
