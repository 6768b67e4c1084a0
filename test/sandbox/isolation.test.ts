import { Readable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { grade } from '../../src/grading/grade.ts';
import { loadPack, type Pack } from '../../src/rubrics/load.ts';
import { DEFAULT_LIMITS } from '../../src/sandbox/limits.ts';
import { DockerSandboxProvider, type Sandbox } from '../../src/sandbox/sandbox.ts';
import { directorySnapshot } from '../../src/sandbox/snapshot.ts';
import { gitRepo } from '../fixtures/repos.ts';
import { containersLeft } from '../helpers/containers.ts';

/**
 * What the sandbox guarantees the grader, tried from inside a real container: the
 * student's uid holds no capability and cannot signal its supervisor, reports are read
 * only as regular files reached without links, nothing of the student's outlives its
 * command, and a supervisor lost mid-command is the student's result, not an error of ours.
 */
const provider = new DockerSandboxProvider();
const HOSTILE_PACK = fileURLToPath(new URL('../fixtures/packs/hostile/', import.meta.url));
const image = 'rubrica/runner-mlops:1';
let sandbox: Sandbox;
let pack: Pack;

function emptyTar(): Readable {
  return Readable.from([Buffer.alloc(1024)]);
}

async function sh(run: string, reports: string[] = [], timeoutSeconds = 20) {
  return sandbox.run({ run, timeoutSeconds, requires: [], reports });
}

beforeAll(async () => {
  pack = await loadPack(HOSTILE_PACK);
  sandbox = await provider.open({ image, limits: DEFAULT_LIMITS, jobId: 'iso-main' });
  await sandbox.unpack(emptyTar());
});

afterAll(async () => {
  await sandbox?.close();
  expect(await containersLeft(provider, 'iso-')).toEqual([]);
});

describe('the student cannot reach the grader', () => {
  it('runs the command as uid 1000 with no capabilities, no core dumps, under a root supervisor', async () => {
    const result = await sh(
      'id -u; grep -E "^(CapEff|CapPrm|NoNewPrivs)" /proc/self/status; ulimit -c; ulimit -H -c; grep -E "^Uid" /proc/$PPID/status; echo "safe=$PYTHONSAFEPATH nousersite=$PYTHONNOUSERSITE"',
    );
    expect(result.exitCode).toBe(0);
    const lines = result.output.trim().split('\n');
    expect(lines[0]).toBe('1000');
    expect(result.output).toMatch(/CapPrm:\s+0+\n/);
    expect(result.output).toMatch(/CapEff:\s+0+\n/);
    expect(result.output).toMatch(/NoNewPrivs:\s+1/);
    expect(result.output).toMatch(/\n0\n0\n/);
    expect(result.output).toMatch(/Uid:\s+0\s+0\s+0\s+0/);
    expect(result.output).toContain('safe=1 nousersite=1');
  });

  it('refuses to let the command stop or kill its supervisor, and still reports', async () => {
    const result = await sh('kill -STOP $PPID; echo stop=$?; python3 -c "import os; os.kill(-1, 9)"; echo after');
    expect(result.output).toMatch(/stop=1/);
    expect(result.failure).toBeUndefined();
    // kill(-1) ended the student's own shell: that is its result.
    expect(result.exitCode).toBe(137);
  });

  it('cannot write where the grader keeps its files', async () => {
    const result = await sh('touch /work/grader/x; echo grader=$?; touch /work/x; echo work=$?; touch /work/out/ok; echo out=$?', [], 10);
    expect(result.output).toMatch(/grader=1/);
    expect(result.output).toMatch(/work=1/);
    expect(result.output).toMatch(/out=0/);
  });

  it('reads a report only when it is a regular file reached without links, and never blocks on a FIFO', async () => {
    const started = Date.now();
    const result = await sh(
      [
        'mkfifo /work/out/fifo.json',
        'ln -s /etc/shadow /work/out/shadow.json',
        'mkdir /work/out/real && echo \'{"n": 1}\' > /work/out/real/r.json && chmod 000 /work/out/real/r.json',
        'ln -s real /work/out/link',
      ].join(' && '),
      ['/work/out/fifo.json', '/work/out/shadow.json', '/work/out/link/r.json', '/work/out/real/r.json'],
    );
    expect(Date.now() - started).toBeLessThan(15_000);
    expect(result.reports).toEqual({
      '/work/out/fifo.json': null,
      '/work/out/shadow.json': null,
      '/work/out/link/r.json': null,
      '/work/out/real/r.json': '{"n": 1}\n',
    });
  });

  it('clears a report path before the command without following a linked folder', async () => {
    await sh('mkdir -p /work/out/keep && echo mine > /work/out/keep/r.json && ln -s keep /work/out/via');
    const result = await sh('cat /work/out/keep/r.json', ['/work/out/via/r.json']);
    // The supervisor (root) removed nothing through the link; the student's file is intact.
    expect(result.output).toBe('mine\n');
    expect(result.reports['/work/out/via/r.json']).toBeNull();
  });

  it('ends every process of the student before reading reports, so a daemon cannot rewrite them', async () => {
    const result = await sh(
      'echo honest > /work/out/r.json; setsid sh -c \'sleep 0.3; while :; do echo forged > /work/out/r.json; done\' </dev/null >/dev/null 2>&1 &',
      ['/work/out/r.json'],
    );
    expect(result.reports['/work/out/r.json']).toBe('honest\n');
    const next = await sh('sleep 1; cat /work/out/r.json');
    expect(next.output).toBe('honest\n');
  });
});

describe('a supervisor lost while the student ran is the student result', () => {
  it('grades the criterion as failed with what happened and what to do, instead of an error of ours', async () => {
    const dir = await gitRepo([{ message: 'feat: inicio', files: { 'README.md': '# P\n', 'tests/test_a.py': 'import time\n\ndef test_a():\n    time.sleep(8)\n' } }]);
    // Stands in for whatever ends the supervisor (the kernel's OOM killer, most likely):
    // the test kills it from outside, as root, once the student's test is running.
    const killing = {
      open: async (options: Parameters<DockerSandboxProvider['open']>[0]) => {
        const opened = await provider.open(options);
        const run = opened.run.bind(opened);
        opened.run = async (request) => {
          const container = provider.docker.getContainer(opened.containerId);
          const kill = (async () => {
            await new Promise((r) => setTimeout(r, 3000));
            const exec = await container.exec({
              Cmd: ['python3', '-I', '-c', "import os\nfor p in os.listdir('/proc'):\n    try:\n        c = open(f'/proc/{p}/cmdline', 'rb').read()\n    except OSError:\n        continue\n    if (b'output' + b'Cap') in c:\n        os.kill(int(p), 9)\n"],
              User: '0:0',
            });
            await exec.start({});
          })();
          const result = await run(request);
          await kill;
          return result;
        };
        return opened;
      },
    };
    const result = await grade({ pack, week: pack.weeks.get(1)!, source: directorySnapshot(dir), jobId: 'iso-lost' }, killing);
    const tests = result.criteria.find((c) => c.id === 'tests')!;
    expect(tests.status).toBe('failed');
    expect(tests.score).toBe(0);
    expect(tests.message.en).toMatch(/supervisor was ended abruptly/);
    expect(tests.message.es).toMatch(/supervisor del corrector terminó de golpe/);
    expect(result.criteria.find((c) => c.id === 'readme')!.status).toBe('passed');
  });
});
