import { promises as fs } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { commitSnapshot, LocalRepoError, readLocalHead, worktreeChanges } from '../../../src/sandbox/commit-snapshot.ts';
import { SnapshotTooLarge } from '../../../src/sandbox/snapshot.ts';
import { git, gitRepo, tempDir } from '../../fixtures/repos.ts';

/**
 * HEAD of a local checkout, read without the host's git: the repository is the
 * student's, and so are its config (core.fsmonitor runs a program on `git status`)
 * and any symlink under .git.
 */
const made: string[] = [];
async function repo() {
  const dir = await gitRepo([
    { message: 'feat: inicio', files: { 'README.md': '# hola\n', 'src/a.py': 'print(1)\n', 'run.sh': '#!/bin/sh\n' } },
    { message: 'docs: uso\n\nCon cuerpo.', files: { 'docs/uso.md': 'uso\n' } },
  ]);
  made.push(dir);
  return dir;
}

afterAll(async () => {
  await Promise.all(made.map((d) => fs.rm(d, { recursive: true, force: true })));
});

describe('reading HEAD of a local checkout', () => {
  it("gives HEAD's commit, history and tree as git itself sees them", async () => {
    const dir = await repo();
    const head = await readLocalHead(dir);
    expect(head.commit).toBe(git(dir, ['rev-parse', 'HEAD']).trim());
    expect(head.commits.map((c) => [c.message, c.parents])).toEqual([['docs: uso\n\nCon cuerpo.', 1], ['feat: inicio', 0]]);
    expect([...head.tree.keys()]).toEqual(git(dir, ['ls-tree', '-r', '-t', '--name-only', 'HEAD']).trim().split('\n').sort());
  });

  it("never runs the repository's git config on this machine", async () => {
    const dir = await repo();
    const marker = join(dir, '..', `${made.length}-fsmonitor-ran`);
    await fs.writeFile(join(dir, 'hook.sh'), `#!/bin/sh\ntouch ${marker}\n`, { mode: 0o755 });
    git(dir, ['config', 'core.fsmonitor', join(dir, 'hook.sh')]);
    const head = await readLocalHead(dir);
    await worktreeChanges(head);
    await expect(fs.stat(marker)).rejects.toThrow();
  });

  it('follows no symlink under .git, and refuses a .git that is a link', async () => {
    const dir = await repo();
    const elsewhere = await tempDir('objects');
    made.push(elsewhere);
    await fs.rename(join(dir, '.git', 'objects'), join(elsewhere, 'objects'));
    await fs.symlink(join(elsewhere, 'objects'), join(dir, '.git', 'objects'));
    await expect(readLocalHead(dir)).rejects.toMatchObject({ code: 'unreadable' });

    const linked = await tempDir('linked');
    made.push(linked);
    await fs.symlink(join(await repo(), '.git'), join(linked, '.git'));
    await expect(readLocalHead(linked)).rejects.toBeInstanceOf(LocalRepoError);
    await expect(readLocalHead(linked)).rejects.toMatchObject({ code: 'git-elsewhere' });
  });

  it('says when there is no repository or no commit yet', async () => {
    const plain = await tempDir('plain');
    made.push(plain);
    await expect(readLocalHead(plain)).rejects.toMatchObject({ code: 'no-git' });
    git(plain, ['init', '-q']);
    await expect(readLocalHead(plain)).rejects.toMatchObject({ code: 'no-commits' });
  });

  it('lists what a push would not carry: new, changed, deleted and ignored files, new folders as one entry, and empty folders', async () => {
    const dir = await repo();
    await fs.writeFile(join(dir, 'README.md'), '# cambiado\n');
    await fs.rm(join(dir, 'docs', 'uso.md'));
    await fs.writeFile(join(dir, 'nuevo.txt'), 'x\n');
    await fs.mkdir(join(dir, 'data', 'raw'), { recursive: true });
    await fs.mkdir(join(dir, '.venv'));
    await fs.writeFile(join(dir, '.venv', 'pyvenv.cfg'), 'home = /usr\n');
    await fs.chmod(join(dir, 'run.sh'), 0o755); // a mode change is not a content change
    await fs.mkdir(join(dir, 'src', 'nuevo', 'mod'), { recursive: true });
    await fs.writeFile(join(dir, 'src', 'nuevo', 'mod', 'b.py'), 'print(2)\n');
    await fs.writeFile(join(dir, 'src', '.gitignore'), '*.log\n');
    await fs.writeFile(join(dir, 'src', 'debug.log'), 'x\n');
    const changes = await worktreeChanges(await readLocalHead(dir));
    expect(changes).toEqual([
      { path: 'README.md', change: 'modified' },
      { path: 'data/raw/', change: 'empty-folder' },
      { path: 'docs/uso.md', change: 'deleted' },
      { path: 'nuevo.txt', change: 'untracked' },
      { path: 'src/.gitignore', change: 'untracked' },
      { path: 'src/debug.log', change: 'ignored' },
      { path: 'src/nuevo/', change: 'untracked' },
    ]);
  });

  it("meets the caps GitHub's tarball of the commit would: entries and unpacked bytes refuse it whole", async () => {
    const head = await readLocalHead(await repo());
    const caps = { maxFileBytes: 1 << 20, maxTotalBytes: 1 << 20, maxDownloadBytes: 1 << 20, maxUnpackedBytes: 1 << 20, maxEntries: 100 };
    const drain = (limits: typeof caps) => {
      const packed = commitSnapshot(head).pack(limits);
      packed.tar.resume();
      return packed.done;
    };
    await expect(drain(caps)).resolves.toMatchObject({ skipped: [] });
    await expect(drain({ ...caps, maxEntries: 3 })).rejects.toMatchObject({ cap: 'entries' });
    await expect(drain({ ...caps, maxUnpackedBytes: 600 })).rejects.toBeInstanceOf(SnapshotTooLarge);
    await expect(drain({ ...caps, maxFileBytes: 5 })).resolves.toMatchObject({ skipped: expect.arrayContaining([expect.objectContaining({ path: 'README.md', reason: 'too-large' })]) });
  });
});
