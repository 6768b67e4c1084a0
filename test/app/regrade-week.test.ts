import { promises as fs } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { exportGrades } from '../../src/report/export.ts';
import { RUBRICS_DIR } from '../../src/rubrics/load.ts';
import { discardRegrade, publishRegrade, regradeSummary, startRegrade } from '../../src/services/regrade.ts';
import { tempDir } from '../fixtures/repos.ts';
import { courseScope, resetGithub, serveCommit, testApp } from '../helpers/github.ts';
import { CHECK_RUN_ID, CHECK_RUN_URL, SCORED_COMMENT_ID, calls, gradeOpenedPullRequest, paths, taNock, type App } from '../helpers/ta.ts';

const INSTRUCTOR = 'profe-duena';

const apps: App[] = [];
afterEach(async () => {
  for (const a of apps.splice(0)) await a.rubrica.queue.close();
  expect(resetGithub()).toEqual([]);
});

/** Our own packs, copied where the test can fix a rubric. */
async function packsCopy(): Promise<string> {
  const dir = await tempDir('rubrica-packs-');
  await fs.cp(join(RUBRICS_DIR, 'mlops'), join(dir, 'mlops'), { recursive: true });
  return dir;
}

/** The rubric fix: week 1's README must now have a "Modo de empleo" section, which the model solution lacks. */
async function fixRubric(dir: string) {
  const file = join(dir, 'mlops', 'week-01.yaml');
  const text = await fs.readFile(file, 'utf8');
  const fixed = text.replace('anyOf: [Uso, Usage, Cómo usar, How to use, Ejecución, Quick start]', 'anyOf: [Modo de empleo]');
  expect(fixed).not.toBe(text);
  await fs.writeFile(file, fixed);
}

/**
 * A pull request graded 100/100, the rubric fixed, and week 1 regraded for the class (its
 * jobs done): the regrade's job reads the course file and the commit again.
 */
async function regradedAfterFix() {
  const rubricsDir = await packsCopy();
  const a = await testApp({ rubricsDir });
  apps.push(a);
  const scope = taNock();
  const first = await gradeOpenedPullRequest(a, scope);
  expect(first.checkRun.output.title).toBe('100/100');
  const store = a.rubrica.store;
  const [before] = await store.record.gradings({ week: 1 });
  const deps = { store, now: () => new Date('2026-09-20T12:00:00Z'), rubricsDir };
  await fixRubric(rubricsDir);
  courseScope(scope);
  await serveCommit(scope);
  const seen = calls(scope);
  const started = await startRegrade(deps, before!.org, 1, INSTRUCTOR);
  if (!started.ok) throw new Error(started.error.en);
  await a.rubrica.queue.idle();
  return { a, scope, store, before, deps, seen, started };
}

describe('regrading a week for the whole class after a rubric fix', () => {
  it('reruns the counted commit with nothing published, shows what changed, and publishes on request: the new grading counts and reaches GitHub', async () => {
    const { a, scope, store, before, deps, seen, started } = await regradedAfterFix();
    expect(scope.pendingMocks()).toEqual([]);
    expect(seen).toEqual({ checkRunCreates: [], checkRunPatches: [], commentPosts: [], commentPatches: [], reactions: [] });
    expect(await store.outbox.list()).toEqual([]);
    // The record is as it was: the old grading still counts.
    expect((await store.record.gradings({ week: 1 })).map((g) => g.jobId)).toEqual([before!.jobId]);

    const summary = (await regradeSummary(deps, started.regrade.id))!;
    expect(summary).toMatchObject({ unfinished: 0, changed: 1 });
    const [change] = summary.changes;
    expect(change).toMatchObject({ repo: before!.repo, sha: before!.sha, job: 'done', before: 100, rubricBefore: before!.packHash });
    expect(change!.after).toBeLessThan(100);
    expect(change!.criteria.map((c) => c.id)).toEqual(['readme']);
    expect(change!.rubricAfter).not.toBe(before!.packHash);

    // Publish: the check run and the scored comment are edited with the new score.
    scope.patch(paths.checkRun()).reply(200, { id: CHECK_RUN_ID, html_url: CHECK_RUN_URL }).patch(paths.comment()).reply(200, { id: SCORED_COMMENT_ID });
    expect(await publishRegrade(deps, before!.org, started.regrade.id, INSTRUCTOR)).toMatchObject({ ok: true });
    await a.rubrica.queue.idle();
    expect(scope.pendingMocks()).toEqual([]);
    expect(seen.checkRunPatches).toHaveLength(1);
    expect(seen.checkRunPatches[0].output.title).toBe(`${change!.after}/100`);
    expect(seen.commentPatches[0].body).toContain(`**${change!.after} / 100 — `);
    // The course grade so far reads the regraded score, not the grading it replaces.
    expect(seen.commentPatches[0].body).toContain(`Nota del curso hasta ahora: ${change!.after} de 100`);
    const inForce = await store.record.gradings({ week: 1 });
    expect(inForce.map((g) => [g.sha, g.finalScore])).toEqual([[before!.sha, change!.after]]);
    const csv = (await exportGrades(store, { format: 'csv', org: before!.org })).body;
    expect(csv).toContain(String(change!.after));
  });

  it('discarded, nothing changes and nothing is published', async () => {
    const { a, store, before, deps, seen, started } = await regradedAfterFix();
    expect((await regradeSummary(deps, started.regrade.id))!.changed).toBe(1);
    expect(await discardRegrade(deps, before!.org, started.regrade.id, INSTRUCTOR)).toMatchObject({ ok: true });
    await a.rubrica.queue.idle();
    expect(seen).toEqual({ checkRunCreates: [], checkRunPatches: [], commentPosts: [], commentPatches: [], reactions: [] });
    expect(await store.outbox.list()).toEqual([]);
    expect(await store.record.gradings({ week: 1 })).toEqual([before]);
  });
});
