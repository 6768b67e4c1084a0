import { promises as fs } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.ts';
import { commitsFromApi, tarballSnapshot } from '../../src/github/tarball.ts';
import { grade } from '../../src/grading/grade.ts';
import { loadPack } from '../../src/rubrics/load.ts';
import { DockerSandboxProvider } from '../../src/sandbox/sandbox.ts';
import { apiCommits, tarball, WEEK1_COMMITS, WEEK1_REPO, type Tree } from '../fixtures/github-repo.ts';
import { git, gitRepo } from '../fixtures/repos.ts';

/**
 * A student's check before pushing grades what the push would deliver. The beginner's
 * trap: folders made with `mkdir` and never committed (git keeps no empty folder), and
 * a file written but not added. The default check must score what GitHub's tarball of
 * the same commit scores; --worktree scores the folder and names what a push loses.
 */
const provider = new DockerSandboxProvider();
const COMMITTED = Object.fromEntries(
  Object.entries(WEEK1_REPO).filter(([path]) => !/^(models|tests|configs|docs)\//.test(path)),
) as Record<string, string>;
let repo: string;

async function cli(args: string[]) {
  let out = '';
  let err = '';
  const code = await main(args, { stdout: { write: (s: string) => (out += s) }, stderr: { write: (s: string) => (err += s) }, env: {}, provider });
  return { code, out, err };
}

const points = (report: any, id: string) => report.criteria.find((c: any) => c.id === id)?.score;

beforeAll(async () => {
  repo = await gitRepo(WEEK1_COMMITS.map((message, i) => ({ message, files: i === 0 ? COMMITTED : { [`notes-${i}.md`]: `${message}\n` } })), 'precheck');
  for (const folder of ['models', 'tests', 'configs', 'docs']) await fs.mkdir(join(repo, folder));
  await fs.writeFile(join(repo, 'configs', 'config.yaml'), 'seed: 42\n'); // written, never added
});

afterAll(async () => {
  await fs.rm(repo, { recursive: true, force: true });
});

describe('rubrica check before pushing', () => {
  it('grades HEAD by default, scoring what the push of that commit scores', async () => {
    const { code, out } = await cli(['check', '--week', '1', '--json', repo]);
    expect(code).toBe(0);
    const local = JSON.parse(out);
    const head = git(repo, ['rev-parse', 'HEAD']).trim();
    expect(local.graded).toMatchObject({ what: 'head', commit: head });
    expect(local.graded.uncommitted).toEqual([
      { path: 'configs/', change: 'untracked' },
      { path: 'docs/', change: 'empty-folder' },
      { path: 'models/', change: 'empty-folder' },
      { path: 'tests/', change: 'empty-folder' },
    ]);

    // The same commit as the server grades it: GitHub's tarball and commit list.
    const files: Tree = {};
    for (const path of git(repo, ['ls-tree', '-r', '--name-only', 'HEAD']).split('\n').filter(Boolean)) files[path] = git(repo, ['show', `HEAD:${path}`]);
    const pack = await loadPack('mlops');
    const pushed = await grade(
      { pack, week: pack.weeks.get(1)!, source: tarballSnapshot(await tarball(files, head), 'push', { commit: head, commits: commitsFromApi(apiCommits(WEEK1_COMMITS, head)) }), jobId: 'precheck-push' },
      provider,
    );
    expect(local.criteria.map((c: any) => [c.id, c.score])).toEqual(pushed.criteria.map((c) => [c.id, c.score]));
    expect(points(local, 'estructura')).toBeLessThan(25);
    expect(local.score).toBe(pushed.score);
  });

  it('with --worktree, grades the folder and names each uncommitted path that changed the result', async () => {
    const { code, out } = await cli(['check', '--week', '1', '--json', '--worktree', repo]);
    expect(code).toBe(0);
    const here = JSON.parse(out);
    expect(here.graded.what).toBe('worktree');
    expect(points(here, 'estructura')).toBe(25);
    const structure = here.graded.differsFromPush.find((d: any) => d.criterion === 'estructura');
    expect(structure.pushedScore).toBeLessThan(25);
    expect(structure.paths).toEqual(['configs/', 'docs/', 'models/', 'tests/']);
    // Criteria the uncommitted work does not touch are not named.
    expect(here.graded.differsFromPush.map((d: any) => d.criterion)).toEqual(['estructura']);

    const text = await cli(['check', '--week', '1', '--worktree', '--lang', 'en', repo]);
    expect(text.out).toMatch(/Pushing the last commit would score [\d.]+\/100, not the above/);
    expect(text.out).toContain('models/  (an empty folder: git does not keep empty folders; add a .gitkeep)');
    expect(text.out).toContain('configs/  (not committed)');
  });

  it('refuses a folder that is not a repository unless --worktree is given', async () => {
    const plain = await fs.mkdtemp(join(repo, '..', 'rubrica-plain-'));
    try {
      await fs.writeFile(join(plain, 'README.md'), '# hola\n');
      const refused = await cli(['check', '--week', '1', '--json', '--lang', 'es', plain]);
      expect(refused.code).toBe(2);
      expect(JSON.parse(refused.out).error).toMatchObject({ code: 'no-git', hint: expect.stringContaining('--worktree') });
      const graded = await cli(['check', '--week', '1', '--json', '--worktree', plain]);
      expect(graded.code).toBe(0);
      expect(JSON.parse(graded.out).graded).toEqual({ what: 'worktree', uncommitted: [], differsFromPush: [] });
    } finally {
      await fs.rm(plain, { recursive: true, force: true });
    }
  });
});
