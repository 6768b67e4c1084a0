import { execFileSync } from 'node:child_process';
import { promises as fs } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

/**
 * The CLI as a student installs it: `npm pack` builds the package, and the package runs
 * from a node_modules folder, where Node strips no TypeScript, so it must carry built
 * JavaScript and every file it reads (the sandbox's helpers, the rubric packs).
 */
const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const dirs: string[] = [];

afterAll(async () => {
  await Promise.all(dirs.map((d) => fs.rm(d, { recursive: true, force: true })));
});

describe('the published package', () => {
  it('runs from node_modules after npm pack', async () => {
    const dest = await fs.mkdtemp(join(tmpdir(), 'rubrica-pack-'));
    dirs.push(dest);
    const [packed] = JSON.parse(execFileSync('npm', ['pack', '--json', '--pack-destination', dest], { cwd: ROOT, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] })) as { filename: string; files: { path: string }[] }[];
    const files = packed!.files.map((f) => f.path);
    expect(files).toEqual(expect.arrayContaining(['bin/rubrica.js', 'dist/cli/main.js', 'dist/sandbox/inside/probe.py', 'dist/web/views/layout.eta', 'dist/web/assets/dashboard.css', 'rubrics/mlops/pack.yaml', 'rubrics/mlops/example/README.md', 'app.yml']));
    expect(files.filter((f) => f.startsWith('src/') || f.startsWith('test/'))).toEqual([]);

    const installed = join(dest, 'node_modules', 'rubrica');
    await fs.mkdir(installed, { recursive: true });
    execFileSync('tar', ['-xzf', join(dest, packed!.filename), '-C', installed, '--strip-components=1']);
    await fs.symlink(join(ROOT, 'node_modules'), join(installed, 'node_modules'));
    const cli = (...args: string[]) => execFileSync(process.execPath, [join(installed, 'bin', 'rubrica.js'), ...args], { cwd: dest, encoding: 'utf8' });
    expect(cli('pack', 'list', '--lang', 'en')).toMatch(/^mlops\tMLOps — .+ \(10 weeks\)$/m);
    expect(cli('example', 'mlops', join(dest, 'mlops-ana'), '--lang', 'en')).toContain('conventional commits');
    expect(execFileSync('git', ['-C', join(dest, 'mlops-ana'), 'log', '--oneline'], { encoding: 'utf8' }).trim().split('\n').length).toBeGreaterThanOrEqual(5);
  });
});
