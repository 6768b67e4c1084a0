import { spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, promises as fs } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isDeadOwner } from '../../src/jobs/queue.ts';
import { DEFAULT_LIMITS } from '../../src/sandbox/limits.ts';
import { CONTAINER_MARGIN_SECONDS, DockerSandboxProvider, OWNER_LABEL, SANDBOX_LABEL } from '../../src/sandbox/sandbox.ts';
import { containersOfProcess, runningContainerOf } from '../helpers/containers.ts';
import { exited, launch, ROOT, type Launched } from '../helpers/processes.ts';
import { gitRepo, tempDir } from '../fixtures/repos.ts';

/**
 * The CLI and graders as real processes: `bin/rubrica.js` run the way `npx rubrica`
 * runs it, exit codes and signals, and what happens to a container when its grader
 * dies (killed with SIGKILL, with and without a restarted grader).
 */
const BIN = join(ROOT, 'bin/rubrica.js');
const HOLDER = fileURLToPath(new URL('../helpers/sandbox-holder.ts', import.meta.url));
const ANNOTATED_PACK = fileURLToPath(new URL('../fixtures/packs/annotated/', import.meta.url));
const provider = new DockerSandboxProvider();
const children: ChildProcess[] = [];
let student: string;
let packs: string;

const PACK_YAML = `title: { es: Prueba, en: Test }
locale: en
runner:
  image: rubrica/runner-mlops:1
scale: 100
passMark: 0.6
`;
const commandWeek = (run: string, requires: string[] = []) => `week: 1
title: { es: Semana, en: Week }
criteria:
  - id: comando
    title: { es: Comando, en: Command }
    points: 100
    check:
      kind: command
      run: ${JSON.stringify(run)}
      timeout: 120
      requires: ${JSON.stringify(requires)}
    feedback: { es: Arréglalo., en: Fix it. }
`;

async function writePack(name: string, week: string): Promise<string> {
  const dir = join(packs, name);
  await fs.mkdir(dir, { recursive: true });
  await fs.writeFile(join(dir, 'pack.yaml'), PACK_YAML);
  await fs.writeFile(join(dir, 'week-01.yaml'), week);
  return dir;
}

/** Runs the CLI to its end, as `npx rubrica` would (the shebang's node, here the test's). */
function cli(args: string[], options: { node?: string; env?: NodeJS.ProcessEnv } = {}) {
  const result = spawnSync(options.node ?? process.execPath, [BIN, ...args], {
    cwd: ROOT,
    env: { PATH: process.env.PATH, ...(process.env.DOCKER_HOST ? { DOCKER_HOST: process.env.DOCKER_HOST } : {}), ...options.env },
    encoding: 'utf8',
    timeout: 120_000,
  });
  return { code: result.status, out: result.stdout, err: result.stderr };
}

const start = (command: string, args: string[]) => launch(command, args, { PATH: process.env.PATH }, children);

async function opened(child: Launched, timeoutMs = 60_000): Promise<string> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const id = /^open (\w+)$/m.exec(child.output())?.[1];
    if (id) return id;
    if (child.exitCode !== null || Date.now() > until) throw new Error(`the holder did not open a sandbox:\n${child.output()}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/**
 * A grader holding one sandbox, in its own UTS namespace under another host name: to
 * every other grader on this engine (other test files, other checkouts) it is a grader
 * on another machine, whose containers they never judge, so only this file's steps
 * decide what happens to them.
 */
const ELSEWHERE = 'rubrica-lifecycle-test';
const holder = (jobId: string, seconds: number) =>
  start('unshare', ['--uts', 'sh', '-c', `hostname ${ELSEWHERE} && exec "$0" "$@"`, process.execPath, HOLDER, jobId, String(seconds)]);
/** isDeadOwner, told that the holders' host is this one. */
const isDeadHolder = (owner: string) => owner.startsWith(`${ELSEWHERE}:`) && isDeadOwner(`${hostname()}:${owner.slice(ELSEWHERE.length + 1)}`);
const holderContainers = async () => (await provider.docker.listContainers({ all: true, filters: { label: [SANDBOX_LABEL] } })).filter((c) => c.Labels[OWNER_LABEL]?.startsWith(`${ELSEWHERE}:`));

const exists = async (id: string) => (await provider.docker.listContainers({ all: true, filters: { id: [id] } })).length > 0;

beforeAll(async () => {
  student = await gitRepo([{ message: 'feat: inicio', files: { 'README.md': '# P\n', 'main.py': 'print(1)\n' } }]);
  packs = await tempDir('packs');
});

afterAll(async () => {
  for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  await Promise.all(children.map(exited));
  // Whatever a failed test left goes, so the failure is reported here and not as a leftover.
  const left = [...(await holderContainers()).map((c) => c.Id), ...(await Promise.all(children.map((c) => containersOfProcess(provider, c.pid!)))).flat().map((c) => c.id)];
  await Promise.all(left.map((id) => provider.docker.getContainer(id).remove({ force: true }).catch(() => undefined)));
  expect(left).toEqual([]);
});

describe('bin/rubrica.js exit codes', () => {
  it('0 for a grade, whatever the score', () => {
    const { code, out } = cli(['check', '--week', '1', '--pack', ANNOTATED_PACK, '--lang', 'en', student]);
    expect(code).toBe(0);
    expect(out).toMatch(/\d+\s*\/\s*100/);
  });

  it('2 for an unknown pack, an invalid rubric and bad arguments', async () => {
    expect(cli(['check', '--week', '1', '--pack', 'no-such-pack', student])).toMatchObject({ code: 2, err: expect.stringContaining('no-such-pack') });
    const invalid = await writePack('invalid', commandWeek('true').replace('points: 100', 'points: cien'));
    expect(cli(['check', '--week', '1', '--pack', invalid, student])).toMatchObject({ code: 2, err: expect.stringContaining('rubric pack is invalid') });
    expect(cli(['pack', 'validate', invalid]).code).toBe(2);
    expect(cli(['check', '--weeks', '1', student]).code).toBe(2);
    expect(cli(['check', '--week', '1', '--pack', ANNOTATED_PACK, join(student, 'no-such-dir')]).code).toBe(2);
  });

  it('3 for criteria in error and for a failure of ours', async () => {
    const incomplete = await writePack('incomplete', commandWeek('true', ['no_such_module_rubrica']));
    const inError = cli(['check', '--week', '1', '--pack', incomplete, '--lang', 'en', student]);
    expect(inError).toMatchObject({ code: 3, err: expect.stringContaining('could not be graded') });
    expect(inError.out).toContain('no_such_module_rubrica');
    const noImage = cli(['check', '--week', '1', '--pack', ANNOTATED_PACK, student], { env: { RUBRICA_RUNNER_IMAGE: 'rubrica/no-such-image:0' } });
    expect(noImage).toMatchObject({ code: 3, err: expect.stringContaining('runner-image-missing') });
  });

  it('no arguments is a usage error (2), --help is not (0); both print the usage', () => {
    const bare = cli([]);
    const help = cli(['--help']);
    expect(bare.code).toBe(2);
    expect(help.code).toBe(0);
    expect(bare.out).toContain('Usage:');
    expect(help.out).toBe(bare.out);
  });

  const oldNode = ['/usr/bin/node', '/usr/local/bin/node'].find((n) => existsSync(n) && !/^v(2[3-9]|[3-9]\d)|^v22\.(1[89]|[2-9]\d)/.test(spawnSync(n, ['-v'], { encoding: 'utf8' }).stdout));
  it.runIf(oldNode)('on an unsupported Node, one line says which Node is needed and how to get it', () => {
    const { code, out, err } = cli(['--help'], { node: oldNode! });
    expect(code).toBe(3);
    expect(out).toBe('');
    expect(err.trimEnd().split('\n')).toHaveLength(1);
    expect(err).toMatch(/needs Node\.js 22\.18 or newer, not 2\d\.\d+\.\d+: .*(export PATH=\/opt\/node24|\.ci\/run)/);
  });
});

describe('npm start', () => {
  const oldNodeFirst = existsSync('/usr/bin/npm') && existsSync('/usr/bin/node') && !/^v(2[3-9]|22\.(1[89]|[2-9]\d))/.test(spawnSync('/usr/bin/node', ['-v'], { encoding: 'utf8' }).stdout);
  it.runIf(oldNodeFirst && existsSync('/opt/node24'))('with an old node first on PATH, serves with .ci/run’s Node in the process npm started, which npm’s SIGTERM stops', async () => {
    const port = 39_000 + (process.pid % 1000);
    const npm = launch('/usr/bin/npm', ['start'], { PATH: '/usr/bin:/bin', PORT: String(port), HOST: '127.0.0.1', HOME: process.env.HOME ?? '/root' }, children);
    const listening = `Listening on http://127.0.0.1:${port}`;
    for (let i = 0; i < 600 && !npm.output().includes(listening); i++) await new Promise((r) => setTimeout(r, 100));
    expect(npm.output()).toContain(listening);
    const served = spawnSync('ps', ['--ppid', String(npm.pid), '-o', 'pid=,args='], { encoding: 'utf8' }).stdout.trim().split('\n');
    expect(served).toHaveLength(1);
    expect(served[0]).toMatch(/^\s*\d+ \/opt\/node24\/\S+\/bin\/node \S*bin\/serve\.js$/);
    const pid = Number(served[0]!.trim().split(' ')[0]);
    npm.kill('SIGTERM');
    await exited(npm);
    const alive = () => spawnSync('ps', ['-p', String(pid)]).status === 0;
    for (let i = 0; i < 100 && alive(); i++) await new Promise((r) => setTimeout(r, 100));
    expect(alive()).toBe(false);
  });
});

describe('the CLI stopped mid-grading', () => {
  // The pack speaks English: SIGINT is asked for in Spanish (and --json), SIGTERM follows the pack.
  const CASES = [
    { signal: 'SIGINT', code: 130, args: ['--lang', 'es', '--json'], said: 'rubrica: se detuvo por SIGINT (Ctrl-C); no se calificó nada y se quitó el contenedor de corrección.' },
    { signal: 'SIGTERM', code: 143, args: [], said: 'rubrica: stopped by SIGTERM; nothing was graded and the sandbox container was removed.' },
  ] as const;
  for (const { signal, code, args, said } of CASES) {
    it(`${signal}: the container is removed, the exit code is ${code}, and it says so in the reader's language`, async () => {
      const slow = await writePack(`slow-${signal}`, commandWeek('sleep 600'));
      const child = start(process.execPath, [BIN, 'check', '--week', '1', '--pack', slow, ...args, student]);
      const container = await runningContainerOf(provider, child.pid!);
      // The command is running (not merely the container started) when the signal comes.
      for (let i = 0; i < 100 && !(await provider.docker.getContainer(container).top()).Processes.some((p: string[]) => p.join(' ').includes('sleep 600')); i++) await new Promise((r) => setTimeout(r, 100));
      const sent = Date.now();
      child.kill(signal);
      expect(await exited(child)).toEqual({ code, signal: null });
      expect(Date.now() - sent).toBeLessThan(15_000);
      expect(child.output()).toContain(said);
      if ((args as readonly string[]).includes('--json')) expect(child.output()).toContain('"code": "interrupted"');
      expect(await containersOfProcess(provider, child.pid!)).toEqual([]);
    });
  }
});

describe('the container’s PID 1', () => {
  it('a student’s kill 1 does not end the grading', async () => {
    const pack = await writePack('kill-init', commandWeek('kill -TERM 1; kill -INT 1; kill -HUP 1; kill -KILL 1; sleep 1; echo still-here'));
    const { code, out } = cli(['check', '--week', '1', '--pack', pack, '--json', student]);
    expect(code).toBe(0);
    const comando = JSON.parse(out).criteria.find((c: { id: string }) => c.id === 'comando');
    expect(comando).toMatchObject({ status: 'passed' });
    expect(comando.details).toContain('still-here');
  });
});

describe('a grader killed with SIGKILL', () => {
  it('a restarted grader removes the dead grader’s container, never a live grader’s', async () => {
    const dead = holder('lifecycle-dead', 600);
    const live = holder('lifecycle-live', 600);
    const [deadContainer, liveContainer] = await Promise.all([opened(dead), opened(live)]);
    dead.kill('SIGKILL');
    await exited(dead);
    // The killed grader's container is still running: nothing of it is left to remove it.
    expect(await exists(deadContainer)).toBe(true);

    expect(await new DockerSandboxProvider().removeLeftovers(isDeadHolder)).toBe(1);
    expect(await exists(deadContainer)).toBe(false);
    expect((await holderContainers()).map((c) => [c.Id, c.State])).toEqual([[liveContainer, 'running']]);

    live.kill('SIGKILL');
    await exited(live);
    expect(await new DockerSandboxProvider().removeLeftovers(isDeadHolder)).toBe(1);
    expect(await exists(liveContainer)).toBe(false);
  });

  it('with no restart, its container ends by itself at the job limit plus the margin', async () => {
    const limitSeconds = 10;
    const orphaner = holder('lifecycle-orphan', limitSeconds);
    // One in this process too, which the grader still holds when its container ends.
    const held = await provider.open({ image: process.env.RUBRICA_RUNNER_IMAGE ?? 'rubrica/runner-mlops:1', limits: { ...DEFAULT_LIMITS, jobTimeoutSeconds: limitSeconds }, jobId: 'lifecycle-held' });
    const container = await opened(orphaner);
    const openedAt = Date.now();
    orphaner.kill('SIGKILL');
    await exited(orphaner);
    const bound = (limitSeconds + CONTAINER_MARGIN_SECONDS) * 1000;
    while ((await exists(container)) && Date.now() - openedAt < bound + 15_000) await new Promise((r) => setTimeout(r, 500));
    const goneAfter = Date.now() - openedAt;
    expect(await exists(container)).toBe(false);
    console.log(`orphaned container gone ${(goneAfter / 1000).toFixed(1)} s after it opened (job limit ${limitSeconds} s + margin ${CONTAINER_MARGIN_SECONDS} s)`);
    // Not before its job's time was up: a slow grading is never cut short by this.
    expect(goneAfter).toBeGreaterThanOrEqual(bound - 2_000);
    // The grader that still holds one is told its job's time is up (ours, not a crash); closing it is a no-op.
    while (await exists(held.containerId)) await new Promise((r) => setTimeout(r, 500));
    await expect(held.probe({})).rejects.toMatchObject({ code: 'job-timeout' });
    await expect(held.close()).resolves.toBeUndefined();
  });
});
