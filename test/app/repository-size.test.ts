import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { COURSE_YAML, ORG, REPO, courseScope, githubNock, payload, record, resetGithub, serveCommit, testApp } from '../helpers/github.ts';

const PACKS = fileURLToPath(new URL('../fixtures/packs/', import.meta.url));

afterEach(() => {
  // Cleaned before asserting: a failure here must not leak interceptors into the next test.
  expect(resetGithub()).toEqual([]);
});

/** A push graded by a pack of the fixtures; the check run it created and the job as recorded. */
async function gradeWith(pack: string, files: Record<string, string>) {
  const { probot, rubrica } = await testApp({ rubricsDir: PACKS });
  const scope = courseScope(githubNock(), COURSE_YAML.replace('pack: mlops', `pack: ${pack}`).replace('weeks: 10', 'weeks: 1'));
  await serveCommit(scope, files, ['feat: todo']);
  const creates: any[] = [];
  scope.post(`/repos/${ORG}/${REPO}/check-runs`).reply(201, { id: 806 });
  scope.patch(`/repos/${ORG}/${REPO}/check-runs/806`).optionally().times(5).reply(200, {});
  record(scope, 'POST', `/repos/${ORG}/${REPO}/check-runs`, creates);
  await probot.receive({ id: `size-${pack}`, name: 'push', payload: payload('push') });
  await rubrica.queue.idle();
  expect(scope.pendingMocks()).toEqual([]);
  const [job] = await rubrica.store.queue.jobs();
  const [grading] = await rubrica.store.record.gradings({ org: ORG });
  return { check: creates[0], job, grading };
}

describe('a repository larger than the course allows', () => {
  it("is the student's result: a failing grade that says why, recorded once, not retried", async () => {
    const files: Record<string, string> = { 'README.md': '# x\n' };
    for (let i = 0; i < 45; i++) files[`data/empty_${i}.csv`] = '';
    const { check, job, grading } = await gradeWith('small-snapshot', files);
    expect(job).toMatchObject({ state: 'done', outcome: 'graded', attempts: 1 });
    expect(check).toMatchObject({ status: 'completed', conclusion: 'failure', output: { title: '0/100' } });
    expect(check.output.summary).toContain('Tu repositorio es más grande de lo que permite el curso: tiene más de 40 archivos, carpetas y enlaces');
    expect(check.output.summary).toContain('DVC');
    expect(grading).toMatchObject({ score: 0, errorPoints: 0, criteria: [{ id: 'readme', score: 0, status: 'failed' }] });
  });

  it('cut off in the middle of a file on its way into the sandbox: refused, and the app goes on grading', async () => {
    const { check, job, grading } = await gradeWith('small-snapshot', { 'README.md': '# x\n', 'data/raw.csv': 'a,b\n1,2\n'.repeat(300_000) });
    expect(job).toMatchObject({ state: 'done', outcome: 'graded', attempts: 1 });
    expect(check.output.summary).toContain('descomprimido pasa de 1,0 MB');
    expect(grading).toMatchObject({ score: 0, criteria: [{ id: 'readme', status: 'failed' }] });
  });

  it('under the caps, the same pack grades it (the caps are what refused the larger ones)', async () => {
    const files: Record<string, string> = { 'README.md': '# x\n' };
    for (let i = 0; i < 30; i++) files[`data/empty_${i}.csv`] = '';
    const { check, grading } = await gradeWith('small-snapshot', files);
    expect(check).toMatchObject({ conclusion: 'success', output: { title: '100/100' } });
    expect(grading).toMatchObject({ score: 100 });
  });
});

describe('a pattern that must be absent', () => {
  it('is not judged absent in a file padded past what the grader reads: the file is named, the item fails', async () => {
    const padding = `# ${'x'.repeat(100)}\n`.repeat(3000); // ~300 KB before the key
    const { check, grading } = await gradeWith('annotated', { 'README.md': '# x\n', 'src/app.py': `${padding}API_KEY = "sk-hidden"\n`, 'src/ok.py': 'import os\n' });
    expect(grading!.criteria).toEqual([
      expect.objectContaining({ id: 'sin-secretos', score: 0, status: 'failed' }),
      expect.objectContaining({ id: 'readme', score: 40, status: 'passed' }),
    ]);
    expect(check.output.summary).toContain('src/app.py');
    expect(check.output.summary).toContain('256,0 KB');
  });
});
