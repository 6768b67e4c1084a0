import { describe, expect, it } from 'vitest';
import { MIGRATIONS } from '../../src/store/migrations.ts';
import type { SqlDatabase } from '../../src/store/sql.ts';
import { Store } from '../../src/store/store.ts';
import { BACKENDS } from '../helpers/store.ts';

/**
 * Migration 7 keys the record by course and grading unit. A record written before it
 * (one course per organization, weeks only) reads afterwards as the `default` course's
 * weeks: every grading, extension, override, check run and comment keeps its meaning.
 */
async function beforeCourses(db: SqlDatabase): Promise<void> {
  await db.run(`CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)`);
  for (const m of MIGRATIONS.filter((m) => m.version <= 5)) {
    for (const statement of m.statements) await db.run(statement);
    await db.run('INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)', [m.version, m.name, '2026-09-01T00:00:00.000Z']);
  }
  const sha = 'a'.repeat(40);
  await db.run(
    `INSERT INTO gradings (job_id, installation_id, org, repo_id, repo, students, week, sha, delivered_at, graded_at, trigger_kind, pull_request,
       pack_name, pack_hash, image, image_id, score, max_score, pending_points, error_points, criteria, late, penalty, final_score, check_run_id, check_run_url, grade)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    ['old-job', 1, 'clase', 10, 'mlops-ana', '["ana"]', 2, sha, '2026-09-15T12:00:00.000Z', '2026-09-15T12:00:05.000Z', 'push', 7, 'mlops', 'h', 'img', 'sha256:1', 80, 100, 0, 0, '[{"id":"readme","maxScore":100,"score":80,"status":"partial"}]',
      '{"deadline":"2026-09-21T02:59:00.000Z","effectiveDeadline":"2026-09-21T02:59:00.000Z","minutesLate":0,"daysLate":0,"penaltyFraction":0,"status":"on-time"}', 0, 80, 55, null, '{"week":2,"score":80,"maxScore":100}'],
  );
  await db.run(`INSERT INTO extensions (org, repo_id, week, minutes, granted_by, granted_at, reason) VALUES (?, ?, ?, ?, ?, ?, ?)`, ['clase', 10, 2, 1440, 'tere', '2026-09-16T10:00:00.000Z', 'certificado']);
  await db.run(`INSERT INTO overrides (id, org, repo_id, week, criterion, action, points, reason, by_login, at, seq, automatic_points, comment_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`, [
    'o1', 'clase', 10, 2, 'readme', 'override', 90, 'visto en clase', 'tere', '2026-09-16T10:00:00.000Z', 1, 80, null,
  ]);
  await db.run(`INSERT INTO check_runs (repo_id, sha, week, check_run_id, url) VALUES (?, ?, ?, ?, ?)`, [10, sha, 2, 55, 'https://github.com/clase/mlops-ana/runs/55']);
  await db.run(`INSERT INTO comments (repo_id, issue, week, comment_id) VALUES (?, ?, ?, ?)`, [10, 7, 2, 66]);
  await db.run(`INSERT INTO courses (org, weeks, counts, config, updated_at) VALUES (?, ?, ?, ?, ?)`, ['clase', 3, 'best', '{}', '2026-09-15T12:00:05.000Z']);
}

describe.each(BACKENDS)('migration 7 (courses and grading units) on $name', (backend) => {
  it('reads a record written before it as the default course’s weeks', async () => {
    const { db } = await backend.fresh();
    await beforeCourses(db);
    const store = await Store.open(db);
    try {
      const [g] = await store.record.gradings({ org: 'clase', course: 'default' });
      expect(g).toMatchObject({ jobId: 'old-job', course: 'default', unit: 'week-2', week: 2, finalScore: 80, pullRequest: 7 });
      expect((await store.record.latestGradingOf(10, 'a'.repeat(40), 'week-2'))?.jobId).toBe('old-job');
      expect(await store.record.extensionFor(10, 'week-2')).toEqual({ org: 'clase', course: 'default', repoId: 10, unit: 'week-2', minutes: 1440, grantedBy: 'tere', grantedAt: '2026-09-16T10:00:00.000Z', reason: 'certificado' });
      expect(await store.tas.overrides({ repoId: 10, unit: 'week-2' })).toEqual([
        expect.objectContaining({ course: 'default', unit: 'week-2', week: 2, criterion: 'readme', points: 90 }),
      ]);
      expect(await store.published.checkRunFor(10, 'a'.repeat(40), 'week-2')).toEqual({ id: 55, url: 'https://github.com/clase/mlops-ana/runs/55' });
      expect(await store.published.commentFor(10, 7, 'week-2')).toBe(66);
      expect(await store.record.courses()).toEqual([{ org: 'clase', course: 'default', weeks: 3, units: ['week-1', 'week-2', 'week-3'], counts: 'best', config: {} }]);
      // The rebuilt tables keep their keys: one extension per repository and unit, the newer replacing it.
      await store.record.saveExtension({ org: 'clase', course: 'default', repoId: 10, unit: 'week-2', minutes: 60, grantedBy: 'luz', grantedAt: '2026-09-17T10:00:00.000Z' });
      await store.record.saveExtension({ org: 'clase', course: 'amq2', repoId: 10, unit: 'final/first', minutes: 30, grantedBy: 'luz', grantedAt: '2026-09-17T10:00:00.000Z' });
      expect((await store.record.extensionFor(10, 'week-2'))?.minutes).toBe(60);
      expect((await store.record.extensionFor(10, 'final/first'))?.minutes).toBe(30);
    } finally {
      await store.close();
    }
  });
});
