import { execFileSync } from 'node:child_process';
import { promises as fs } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Docker from 'dockerode';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.ts';
import { DockerSandboxProvider, type SandboxProvider } from '../../src/sandbox/sandbox.ts';

/**
 * An instructor's first run of the CLI on a laptop: the model solution written by
 * `rubrica example` earns full marks, and the failures of this machine (no runner
 * image, Docker stopped) say what to do here, in both languages and with --json.
 */
let root: string;
let model: string;

async function cli(args: string[], options: { env?: NodeJS.ProcessEnv; provider?: SandboxProvider } = {}) {
  let out = '';
  let err = '';
  const code = await main(args, { stdout: { write: (s: string) => (out += s) }, stderr: { write: (s: string) => (err += s) }, env: options.env ?? {}, ...(options.provider ? { provider: options.provider } : {}) });
  return { code, out, err };
}

beforeAll(async () => {
  root = await fs.mkdtemp(join(tmpdir(), 'rubrica-firstrun-'));
  model = join(root, 'mlops-ana');
});

afterAll(async () => {
  await fs.rm(root, { recursive: true, force: true });
});

describe('rubrica example', () => {
  it("writes the pack's model solution as a git checkout with Conventional Commits, and it earns full marks", async () => {
    const made = await cli(['example', 'MLOps', model, '--lang', 'en']);
    expect(made.code).toBe(0);
    expect(made.out).toContain(`rubrica check --week 1 ${model}`);
    // The host's git reads it as an ordinary repository (this is our own folder, not a student's).
    const subjects = execFileSync('git', ['-C', model, 'log', '--format=%s'], { encoding: 'utf8' }).trim().split('\n');
    expect(subjects.length).toBeGreaterThanOrEqual(5);
    for (const s of subjects) expect(s).toMatch(/^(feat|docs|test|ci|build|chore): /);
    expect(execFileSync('git', ['-C', model, 'status', '--porcelain'], { encoding: 'utf8' })).toBe('');

    for (const week of ['1', '2']) {
      const graded = await cli(['check', '--week', week, '--json', model]);
      expect(graded.code).toBe(0);
      const report = JSON.parse(graded.out);
      expect(report.score).toBe(report.maxScore - report.pendingPoints);
      expect(report.graded.uncommitted).toEqual([]);
      // The MLOps pack has a final grade: this week alone, at full marks, is 100 of it.
      expect(report.final).toEqual({ grade: 100, scale: { min: 0, max: 100 }, passed: true, basis: 'this-grading' });
    }
    expect((await cli(['example', 'mlops', model, '--json'])).out).toContain('"target-not-empty"');
  });
});

describe("this machine's failures, told to the person at it", () => {
  it('a missing runner image names RUBRICA_RUNNER_IMAGE and how to build it', async () => {
    for (const lang of ['es', 'en'] as const) {
      const result = await cli(['check', '--week', '1', '--json', '--lang', lang, model], { env: { RUBRICA_RUNNER_IMAGE: 'rubrica/no-such-runner:0' } });
      expect(result.code).toBe(3);
      const { error } = JSON.parse(result.out);
      expect(error.code).toBe('runner-image-missing');
      expect(error.message).toContain('rubrica/no-such-runner:0');
      expect(error.hint).toContain('npm run runner:build');
      expect(error.hint).toContain('RUBRICA_RUNNER_IMAGE');
      expect(`${error.message} ${error.hint}`).not.toMatch(/staff|docente|tu entrega|your work/);
    }
  });

  it('Docker down says how to start Docker, not that it will be graded later', async () => {
    const stopped = new DockerSandboxProvider(new Docker({ socketPath: join(root, 'no-docker.sock') }));
    for (const lang of ['es', 'en'] as const) {
      const result = await cli(['check', '--week', '1', '--json', '--lang', lang, model], { provider: stopped });
      expect(result.code).toBe(3);
      const { error } = JSON.parse(result.out);
      expect(error.code).toBe('docker-unavailable');
      expect(error.hint).toContain('systemctl start docker');
      expect(`${error.message} ${error.hint}`).not.toMatch(/cuando vuelva|when Docker is back/);
    }
  });
});
