import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { plain } from '../../src/core/text.ts';
import { grade, type Grade } from '../../src/grading/grade.ts';
import { loadPack, type Pack } from '../../src/rubrics/load.ts';
import { DockerSandboxProvider } from '../../src/sandbox/sandbox.ts';
import { directorySnapshot } from '../../src/sandbox/snapshot.ts';
import { containersLeft } from '../helpers/containers.ts';
import { emptyRepo, modelSolution, modelSolutionFiles } from '../fixtures/repos.ts';

/**
 * The bootcamp-deploy pack (seed 002, week 34) against real containers: its model
 * solution's API is started and asked in the sandbox and earns full marks; an empty
 * repository earns nothing, with advice; partial work earns what it did.
 */
const provider = new DockerSandboxProvider();
const RUN = `boot-${randomUUID().slice(0, 8)}`;
const IMAGE = process.env.RUBRICA_RUNNER_IMAGE || undefined;
let pack: Pack;

async function gradeRepo(dir: string, label: string): Promise<Grade> {
  return grade({ pack, week: pack.weeks.get(1)!, source: directorySnapshot(dir), jobId: `${RUN}-${label}`, ...(IMAGE ? { image: IMAGE } : {}) }, provider);
}

const byId = (result: Grade, id: string) => result.criteria.find((c) => c.id === id)!;

beforeAll(async () => {
  pack = await loadPack('bootcamp-deploy');
});

afterAll(async () => {
  expect(await containersLeft(provider, RUN)).toEqual([]);
});

describe('bootcamp-deploy pack in real containers', () => {
  it('the model solution earns full marks: its API answers, its Dockerfile and compose file are judged from the files', async () => {
    const result = await gradeRepo(await modelSolution({ pack: 'bootcamp-deploy', prefix: 'boot-model' }), 'model');
    expect(result.criteria.filter((c) => c.status !== 'passed').map((c) => `${c.id}: ${c.message.en}`)).toEqual([]);
    expect(result.score).toBe(100);
    expect(result.errorPoints).toBe(0);
    expect(byId(result, 'api-fastapi').message.en).toMatch(/^The service answered on 127\.0\.0\.1:8000 after .*: all 3 requests answered as expected\.$/);
    expect(byId(result, 'dockerfile').message.en).toContain("Docker is not in the grader's image, so it was not run.");
    console.log(`bootcamp-deploy · model solution · ${result.score}/${result.maxScore} in ${(result.timings.totalMs / 1000).toFixed(1)} s`);
  }, 300_000);

  it('an empty repository earns 0, each criterion with what to do and where to read it', async () => {
    const result = await gradeRepo(await emptyRepo(), 'empty');
    expect(result.score).toBe(0);
    expect(result.errorPoints).toBe(0);
    expect(result.passed).toBe(false);
    for (const c of result.criteria) {
      expect(c.status, c.id).toBe('failed');
      expect(c.feedback?.es.length, c.id).toBeGreaterThan(40);
      expect(c.reading?.title.es, c.id).toBeTruthy();
    }
    expect(plain(byId(result, 'api-fastapi').message.en)).toContain('The app was not found: no file matches `app/main.py`');
    console.log(`bootcamp-deploy · empty repository · ${result.score}/${result.maxScore}`);
  }, 300_000);

  it('partial work: an API without metrics or docs, a Dockerfile on python:latest as root, no compose file', async () => {
    const files = await modelSolutionFiles('bootcamp-deploy');
    const main = files['app/main.py']!.toString();
    const noMetrics = main
      .replace('app = FastAPI(\n', 'app = FastAPI(\n    docs_url=None,\n    openapi_url=None,\n')
      .replace(/@app\.get\("\/metrics"[\s\S]*$/, '');
    expect(noMetrics).not.toBe(main);
    const dockerfile = files['Dockerfile']!.toString().replace('FROM python:3.11-slim', 'FROM python:latest').replace('USER app\n', '');
    const repo = await modelSolution({
      pack: 'bootcamp-deploy',
      prefix: 'boot-partial',
      change: { 'app/main.py': noMetrics, Dockerfile: dockerfile, 'docker-compose.yml': null },
    });
    const result = await gradeRepo(repo, 'partial');
    expect(byId(result, 'api-fastapi').score).toBe(20);
    // The prediction still counts; /metrics answers 404.
    expect(byId(result, 'metricas').score).toBe(7.5);
    expect(byId(result, 'metricas').items[1]!.note?.en).toBe('answered 404 (expected 200)');
    expect(byId(result, 'docs-endpoints').score).toBe(0);
    // slim-base and no-latest-tag and non-root fail, .dockerignore holds: 1 of 4.
    expect(byId(result, 'dockerfile').score).toBe(3.75);
    expect(byId(result, 'api-desplegable').score).toBe(20);
    expect(byId(result, 'docker-compose').score).toBe(0);
    expect(result.score).toBe(20 + 7.5 + 3.75 + 20);
    console.log(`bootcamp-deploy · partial work · ${result.score}/${result.maxScore}`);
  }, 300_000);
});
