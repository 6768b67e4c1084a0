import { randomUUID } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { DockerInstaller } from '../../src/sandbox/install.ts';
import { DockerSandboxProvider } from '../../src/sandbox/sandbox.ts';
import { COURSE_YAML, ORG, REPO, courseScope, githubNock, payload, record, resetGithub, serveCommit, testApp } from '../helpers/github.ts';
import { IMAGE, startTestIndex, studentFiles, type TestIndex } from '../helpers/package-index.ts';

/**
 * A course with an install phase, end to end: the course file names the index, a push
 * is graded with the student's declared package installed from it, and the check run
 * says so; an index that does not answer is ours (retried, then a neutral check run).
 * The app builds its own installer; RUBRICA_INSTALL_NETWORK points its forwarder at
 * the test index's network.
 */
const PACKS = fileURLToPath(new URL('../fixtures/packs/', import.meta.url));
const RUN = `app-install-${randomUUID().slice(0, 8)}`;
const docker = new DockerSandboxProvider().docker;
let index: TestIndex;
const previousNetwork = process.env.RUBRICA_INSTALL_NETWORK;

beforeAll(async () => {
  index = await startTestIndex(docker, RUN);
  process.env.RUBRICA_INSTALL_NETWORK = index.network;
}, 60_000);

afterAll(async () => {
  if (previousNetwork === undefined) delete process.env.RUBRICA_INSTALL_NETWORK;
  else process.env.RUBRICA_INSTALL_NETWORK = previousNetwork;
  await index?.close();
  for (const url of [index.url, `http://${index.decoyHost}:9/simple/`]) {
    await docker.getVolume(await new DockerInstaller(docker).cacheVolume(ORG, url)).remove().catch(() => undefined);
  }
}, 60_000);

afterEach(() => {
  // Cleaned before asserting: a failure here must not leak interceptors into the next test.
  expect(resetGithub()).toEqual([]);
});

function courseWith(indexUrl: string): string {
  return `${COURSE_YAML.replace('pack: mlops', 'pack: install').replace('weeks: 10', 'weeks: 1')}install:\n  index: ${indexUrl}\n  timeoutSeconds: 60\n`;
}

describe('a course with an install phase', () => {
  it("grades a push with the student's declared package installed from the course's index, and says so", async () => {
    const { probot, rubrica } = await testApp({ rubricsDir: PACKS, runnerImage: IMAGE });
    const scope = courseScope(githubNock(), courseWith(index.url));
    await serveCommit(scope, { 'README.md': '# x\n', ...studentFiles('tinydep==1.0\n', index) }, ['feat: tests']);
    const creates: any[] = [];
    scope.post(`/repos/${ORG}/${REPO}/check-runs`).reply(201, { id: 901 });
    record(scope, 'POST', `/repos/${ORG}/${REPO}/check-runs`, creates);
    await probot.receive({ id: `${RUN}-push`, name: 'push', payload: payload('push') });
    await rubrica.queue.idle();
    expect(scope.pendingMocks()).toEqual([]);
    expect(creates).toHaveLength(1);
    expect(creates[0]).toMatchObject({ status: 'completed', conclusion: 'success', output: { title: '100/100' } });
    expect(creates[0].output.summary).toContain('Antes de corregir se instalaron tus dependencias declaradas: `tinydep==1.0`.');
    const [grading] = await rubrica.store.record.gradings({ org: ORG });
    expect(grading).toMatchObject({ score: 100, grade: { install: { status: 'installed', packages: [{ name: 'tinydep', version: '1.0' }] } } });
    expect(await index.accessLog()).toContain('GET /simple/tinydep/ 200');
  }, 180_000);

  it('an index that does not answer is ours: retried, then a neutral check run, never a grade', async () => {
    const { probot, rubrica } = await testApp({ rubricsDir: PACKS, runnerImage: IMAGE });
    const scope = courseScope(githubNock(), courseWith(`http://${index.decoyHost}:9/simple/`), { times: 3 });
    for (let i = 0; i < 3; i++) await serveCommit(scope, { 'README.md': '# x\n', ...studentFiles('tinydep\n', index) }, ['feat: tests']);
    const creates: any[] = [];
    scope.post(`/repos/${ORG}/${REPO}/check-runs`).reply(201, { id: 902 });
    record(scope, 'POST', `/repos/${ORG}/${REPO}/check-runs`, creates);
    await probot.receive({ id: `${RUN}-down`, name: 'push', payload: payload('push') });
    await rubrica.queue.idle();
    expect(scope.pendingMocks()).toEqual([]);
    expect(creates).toEqual([expect.objectContaining({ conclusion: 'neutral', output: expect.objectContaining({ title: 'No se pudo corregir (problema nuestro)' }) })]);
    expect(creates[0].output.summary).toContain('El índice de paquetes del curso no responde');
    expect(await rubrica.store.record.gradings()).toEqual([]);
    const [job] = await rubrica.store.queue.jobs();
    expect(job).toMatchObject({ state: 'failed', outcome: 'infrastructure-error', attempts: 3 });
  }, 240_000);
});
