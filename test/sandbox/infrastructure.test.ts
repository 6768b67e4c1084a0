import { promises as fs } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Docker from 'dockerode';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.ts';
import { InfrastructureError } from '../../src/core/errors.ts';
import { grade } from '../../src/grading/grade.ts';
import { loadPack, type Pack } from '../../src/rubrics/load.ts';
import { DockerSandboxProvider } from '../../src/sandbox/sandbox.ts';
import { containersLeft } from '../helpers/containers.ts';
import { directorySnapshot } from '../../src/sandbox/snapshot.ts';
import { gitRepo } from '../fixtures/repos.ts';

const HOSTILE_PACK = fileURLToPath(new URL('../fixtures/packs/hostile/', import.meta.url));
const provider = new DockerSandboxProvider();
let pack: Pack;
let student: string;

function capture() {
  let out = '';
  let err = '';
  return {
    io: { stdout: { write: (s: string) => (out += s) }, stderr: { write: (s: string) => (err += s) } },
    get out() {
      return out;
    },
    get err() {
      return err;
    },
  };
}

beforeAll(async () => {
  pack = await loadPack(HOSTILE_PACK);
  student = await gitRepo([
    { message: 'feat: inicio', files: { 'README.md': '# P\n', 'tests/test_a.py': 'def test_a():\n    pass\n' } },
  ]);
});

afterAll(async () => {
  expect(await containersLeft(provider, 't-')).toEqual([]);
  expect(await containersLeft(provider, 'cli-')).toEqual([]);
});

describe('failures of ours are never a grade', () => {
  it('reports Docker unavailable as an infrastructure error', async () => {
    const down = new DockerSandboxProvider(new Docker({ socketPath: join(tmpdir(), 'no-docker-here.sock') }));
    const attempt = grade({ pack, week: pack.weeks.get(1)!, source: directorySnapshot(student), jobId: 't-down' }, down);
    await expect(attempt).rejects.toBeInstanceOf(InfrastructureError);
    await expect(attempt).rejects.toMatchObject({ code: 'docker-unavailable' });
  });

  it('reports a missing runner image as the course setup, not the student', async () => {
    const attempt = grade(
      { pack, week: pack.weeks.get(1)!, source: directorySnapshot(student), jobId: 't-image', image: 'rubrica/no-such-image:0' },
      provider,
    );
    await expect(attempt).rejects.toMatchObject({ code: 'runner-image-missing' });
  });

  it('leaves a criterion whose module the image lacks ungraded, and grades the rest', async () => {
    const dir = await fs.mkdtemp(join(tmpdir(), 'rubrica-pack-'));
    await fs.writeFile(join(dir, 'pack.yaml'), await fs.readFile(join(HOSTILE_PACK, 'pack.yaml')));
    const week = (await fs.readFile(join(HOSTILE_PACK, 'week-01.yaml'), 'utf8')).replace(
      '      timeout: 15\n',
      '      timeout: 15\n      requires: [mlflow_not_in_image]\n',
    );
    await fs.writeFile(join(dir, 'week-01.yaml'), week);
    const incomplete = await loadPack(dir);
    const result = await grade({ pack: incomplete, week: incomplete.weeks.get(1)!, source: directorySnapshot(student), jobId: 't-module' }, provider);
    const tests = result.criteria.find((c) => c.id === 'tests')!;
    expect(tests).toMatchObject({ status: 'error', score: null });
    expect(tests.message.en).toContain('mlflow_not_in_image');
    expect(result.errorPoints).toBe(40);
    expect(result.criteria.find((c) => c.id === 'readme')!.status).toBe('passed');
  });
});

describe('one job, each command once', () => {
  it('runs a command shared by two criteria once, even when only one reads its report', async () => {
    const dir = await fs.mkdtemp(join(tmpdir(), 'rubrica-pack-'));
    await fs.writeFile(join(dir, 'pack.yaml'), await fs.readFile(join(HOSTILE_PACK, 'pack.yaml')));
    const run = 'python3 -c "import json; json.dump({\\"n\\": 7}, open(\\"/work/out/n.json\\", \\"w\\"))"';
    const criterion = (id: string, points: number, metric: string) => `  - id: ${id}
    title: { es: ${id}, en: ${id} }
    points: ${points}
    check:
      kind: command
      run: '${run}'
${metric}    feedback: { es: Arregla., en: Fix it. }
`;
    await fs.writeFile(
      join(dir, 'week-01.yaml'),
      `week: 1\ntitle: { es: Uno, en: One }\ncriteria:\n${criterion('plain', 50, '')}${criterion(
        'metric',
        50,
        "      metric: { label: { es: n, en: n }, report: /work/out/n.json, path: n, min: 5 }\n",
      )}`,
    );
    const shared = await loadPack(dir);
    let opened = 0;
    let runs = 0;
    const counting = {
      open: async (options: Parameters<DockerSandboxProvider['open']>[0]) => {
        opened++;
        const sandbox = await provider.open(options);
        const inner = sandbox.run.bind(sandbox);
        sandbox.run = (request) => {
          runs++;
          return inner(request);
        };
        return sandbox;
      },
    };
    const result = await grade({ pack: shared, week: shared.weeks.get(1)!, source: directorySnapshot(student), jobId: 't-shared' }, counting);
    expect([opened, runs]).toEqual([1, 1]);
    expect(result.criteria.map((c) => [c.id, c.status])).toEqual([
      ['plain', 'passed'],
      ['metric', 'passed'],
    ]);
  });
});

describe('rubrica check (CLI)', () => {
  it('prints one JSON object and exits 0 whatever the score', async () => {
    const run = capture();
    const code = await main(['check', '--week', '1', '--pack', HOSTILE_PACK, '--json', student], { ...run.io, env: {}, provider });
    expect(code).toBe(0);
    const report = JSON.parse(run.out);
    expect(report).toMatchObject({ week: 1, maxScore: 100 });
    expect(report.score).toBeLessThan(100); // no configs/ and no .gitignore
    for (const c of report.criteria) {
      expect(Object.keys(c)).toEqual(expect.arrayContaining(['id', 'score', 'maxScore', 'status', 'message']));
    }
  });

  it('prints a readable report in the chosen language', async () => {
    const run = capture();
    const code = await main(['check', '--week', '1', '--pack', HOSTILE_PACK, '--lang', 'en', student], { ...run.io, env: {}, provider });
    expect(code).toBe(0);
    expect(run.out).toContain('Rubrica · Week 1');
    expect(run.out).toMatch(/Score: \d+(\.\d)?\/100/);
    expect(run.out).toContain('What to do first');
    expect(run.out).not.toContain('\u001b['); // no colours when stdout is not a terminal
  });

  it("exits 3 when Docker is down, saying it is this machine's Docker and how to start it", async () => {
    const run = capture();
    const down = new DockerSandboxProvider(new Docker({ socketPath: join(tmpdir(), 'no-docker-here.sock') }));
    const code = await main(['check', '--week', '1', '--pack', HOSTILE_PACK, '--lang', 'en', student], { ...run.io, env: {}, provider: down });
    expect(code).toBe(3);
    expect(run.err).toContain('Docker is not answering on this machine');
    expect(run.err).toContain('systemctl start docker');
  });
});
