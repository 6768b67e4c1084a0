import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { dirname } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { adminHandler } from '../../src/admin.ts';
import { main } from '../../src/cli/main.ts';
import { exportGrades } from '../../src/report/export.ts';
import type { StoredGrading } from '../../src/store/store.ts';
import { Store } from '../../src/store/store.ts';
import { BACKENDS } from '../helpers/store.ts';

const opened: Store[] = [];
afterEach(async () => {
  await Promise.all(opened.splice(0).map((s) => s.close().catch(() => undefined)));
});

type Late = StoredGrading['late'];
const ON_TIME: Late = { deadline: '2026-09-14T02:59:00.000Z', effectiveDeadline: '2026-09-14T02:59:00.000Z', minutesLate: 0, daysLate: 0, penaltyFraction: 0, status: 'on-time' };
const lateBy = (days: number): Late => ({ ...ON_TIME, minutesLate: days * 1440 - 600, daysLate: days, penaltyFraction: days / 10, status: days > 7 ? 'too-late' : 'late' });

let n = 0;
function grading(repoId: number, login: string, week: number, score: number, late: Late, deliveredAt: string): StoredGrading {
  const penalty = Math.min(score, late.penaltyFraction * 100);
  return {
    jobId: `job-${n++}`,
    installationId: 1,
    org: 'clase-mlops',
    repoId,
    repo: `mlops-${login}`,
    students: [login],
    course: 'default',
    unit: `week-${week}`,
    week,
    sha: String(n).padStart(40, '0'),
    deliveredAt,
    gradedAt: deliveredAt,
    trigger: 'push',
    packName: 'mlops',
    packHash: 'hash',
    image: 'rubrica/runner-mlops:1',
    imageId: 'sha256:1',
    score,
    maxScore: 100,
    pendingPoints: 0,
    errorPoints: 0,
    criteria: [
      { id: 'estructura', maxScore: 50, score: Math.min(50, score), status: score >= 50 ? 'passed' : 'partial' },
      { id: 'tests', maxScore: 50, score: Math.max(0, score - 50), status: score >= 100 ? 'passed' : score > 50 ? 'partial' : 'failed' },
    ],
    late,
    penalty,
    finalScore: late.status === 'too-late' ? null : score - penalty,
    grade: { week, score, maxScore: 100 } as never,
  };
}

/** A week's counted score under the course's rule 'best', worked out from the records by hand. */
function bestOf(records: StoredGrading[], repoId: number, week: number): number | null {
  const scores = records.filter((r) => r.repoId === repoId && r.week === week && r.finalScore !== null).map((r) => r.finalScore!);
  return scores.length ? Math.max(...scores) : null;
}

async function seedStore(backend: (typeof BACKENDS)[number]) {
  const { db, url } = await backend.fresh();
    const store = await Store.open(db);
    opened.push(store);
    const records = [
      grading(1, 'ana', 1, 100, ON_TIME, '2026-09-13T12:00:00.000Z'),
      grading(1, 'ana', 2, 80, ON_TIME, '2026-09-20T12:00:00.000Z'),
      grading(1, 'ana', 2, 95, lateBy(1), '2026-09-21T12:00:00.000Z'), // 95 − 10 = 85 beats 80
      grading(2, 'bruno', 1, 60, lateBy(2), '2026-09-15T12:00:00.000Z'), // 60 − 20 = 40
      grading(2, 'bruno', 2, 100, lateBy(9), '2026-09-30T12:00:00.000Z'), // too late: recorded, not scored
      grading(3, '=cmd', 1, 70, ON_TIME, '2026-09-13T12:00:00.000Z'),
    ];
    for (const r of records) expect(await store.record.recordGrading(r)).toBe(true);
    await store.record.saveCourse('clase-mlops', { id: 'default', weeks: 3, units: ['week-1', 'week-2', 'week-3'], counts: 'best', config: {} });
    return { store, records, url };
}

describe('`rubrica grades export` (embedded store)', () => {
  it('prints the same gradebook from the data folder', async () => {
    const { store, url } = await seedStore(BACKENDS[0]!);
    const expected = (await exportGrades(store, { format: 'csv' })).body;
    let out = '';
    let err = '';
    const io = { stdout: { write: (s: string) => (out += s) }, stderr: { write: (s: string) => (err += s) }, env: { RUBRICA_DATA_DIR: dirname(url) } };
    expect(await main(['grades', 'export', '--format', 'csv'], io)).toBe(0);
    expect(out).toBe(expected);
    expect(await main(['grades', 'export', '--org', 'otra-org'], io)).toBe(2);
    expect(err).toContain('no course for organization "otra-org"');
  });
});

describe.each(BACKENDS)('the gradebook export on $name', (backend) => {
  const seeded = () => seedStore(backend);

  it('has one row per student, a column per week with the counted score, and matches the record', async () => {
    const { store, records } = await seeded();
    const { body } = await exportGrades(store, { format: 'json' });
    const rows = JSON.parse(body) as { login: string; repo: string; weeks: (number | null)[]; latePenalties: number; total: number }[];
    expect(rows.map((r) => r.login)).toEqual(["=cmd", 'ana', 'bruno']);
    for (const row of rows) {
      const repoId = records.find((r) => r.repo === row.repo)!.repoId;
      const expected = [1, 2, 3].map((w) => bestOf(records, repoId, w));
      expect(row.weeks).toEqual(expected);
      expect(row.total).toBeCloseTo(expected.reduce<number>((s, x) => s + (x ?? 0), 0), 5);
    }
    expect(rows.find((r) => r.login === 'ana')).toMatchObject({ weeks: [100, 85, null], latePenalties: 10, total: 185 });
    expect(rows.find((r) => r.login === 'bruno')).toMatchObject({ weeks: [40, null, null], latePenalties: 20, total: 40 });
  });

  it('writes CSV an LMS can import, with formula-looking cells defused, and one week by criterion', async () => {
    const { store } = await seeded();
    const csv = (await exportGrades(store, { format: 'csv' })).body.trim().split(/\r?\n/);
    // The MLOps pack defines a final grade: its last column. Ana's "code" component (weight
    // 30 of 100) has earned 100 + 85 of week 1 (100), week 2 (100), weeks 3–5 not handed in
    // (300) and week 8's api-endpoints (25): 30 × 185 / 525 = 10.6; her other components are 0.
    expect(csv[0]).toBe('login,repo,week_1,week_2,week_3,late_penalty,total,final');
    expect(csv).toContain("'=cmd,mlops-=cmd,70,,,0,70,4");
    expect(csv).toContain('ana,mlops-ana,100,85,,10,185,10.6');
    const week = (await exportGrades(store, { format: 'csv', week: 2 })).body.trim().split(/\r?\n/);
    expect(week[0]).toContain('estructura');
    expect(week[0]).toContain('tests');
    expect(week.find((l) => l.startsWith('ana,'))).toMatch(/,late,50,45,95,10,85$/);
    await expect(exportGrades(store, { format: 'csv', week: 4 })).rejects.toThrow('week 4 is not a week of the course (1–3)');
  });

  it('serves the CSV at the admin path only with the token', async () => {
    const { store } = await seeded();
    const handle = adminHandler(store, 's3cret-token');
    const server = createServer((req, res) => {
      void Promise.resolve(handle(req, res)).then((done) => done || res.writeHead(404).end());
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    try {
      expect((await fetch(`${base}/admin/grades.csv`)).status).toBe(401);
      expect((await fetch(`${base}/admin/grades.csv`, { headers: { authorization: 'Bearer wrong-token!' } })).status).toBe(401);
      const res = await fetch(`${base}/admin/grades.csv?org=clase-mlops`, { headers: { authorization: 'Bearer s3cret-token' } });
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toContain('text/csv');
      expect(await res.text()).toBe((await exportGrades(store, { format: 'csv' })).body);
      const jobs = await fetch(`${base}/admin/jobs?state=failed`, { headers: { authorization: 'Bearer s3cret-token' } });
      expect(await jobs.json()).toEqual([]);
      // The week is a whole number of the course, else a 400 that echoes nothing into a header.
      const auth = { headers: { authorization: 'Bearer s3cret-token' } };
      for (const week of ['abc', '1.5', '-1', '2%0D%0AX-Injected:%20yes', '4', '0', '']) {
        const bad = await fetch(`${base}/admin/grades.csv?org=clase-mlops&week=${week}`, auth);
        expect(bad.status, `week=${week}`).toBe(400);
        expect(bad.headers.get('content-disposition')).toBeNull();
        expect(bad.headers.get('x-injected')).toBeNull();
      }
      const weekTwo = await fetch(`${base}/admin/grades.json?org=clase-mlops&week=2`, auth);
      expect(weekTwo.status).toBe(200);
      expect(weekTwo.headers.get('content-disposition')).toBe(`attachment; filename="clase-mlops-grades-week-2.json"; filename*=UTF-8''clase-mlops-grades-week-2.json`);
      expect(await weekTwo.json()).toEqual(JSON.parse((await exportGrades(store, { format: 'json', week: 2 })).body));
      expect((await fetch(`${base}/admin/grades.csv?org=otra-org`, auth)).status).toBe(404);
      expect((await fetch(`${base}/admin/jobs?state=nonsense`, auth)).status).toBe(400);
      // Held-back publications: what waits and when each is expected to go out (a pause GitHub asked for, here).
      await store.budget.pause(7, Date.now() + 120_000);
      await store.outbox.enqueue([{ kind: 'reply', installationId: 7, owner: 'clase-mlops', repo: 'mlops-ana', repoId: 1, pullRequest: 3, body: 'hola' }]);
      const outbox = await (await fetch(`${base}/admin/outbox`, auth)).json();
      expect(outbox.counts).toMatchObject({ waiting: 1 });
      expect(outbox.plan).toEqual([expect.objectContaining({ kind: 'reply', about: 'clase-mlops/mlops-ana#3', heldBy: 'retry-after' })]);
      expect(Date.parse(outbox.plan[0].expectedAt)).toBeGreaterThan(Date.now() + 100_000);
      expect((await fetch(`${base}/admin/outbox`)).status).toBe(401);
    } finally {
      await new Promise((r) => server.close(r));
    }
  });
});

describe.each(BACKENDS)('what the runner image lacks, from the record ($name)', (backend) => {
  it('is one note per course: the export, the admin JSON and a header; each week-detail row names its modules', async () => {
    const { db } = await backend.fresh();
    const store = await Store.open(db);
    opened.push(store);
    const missing = (modules: string[]) => ({ environment: { missing: modules.map((m) => ({ module: m, distribution: m, declaredIn: 'requirements.txt' })) } });
    const lacking = (g: StoredGrading, modules: string[]): StoredGrading => ({ ...g, errorPoints: 50, grade: { ...g.grade, ...missing(modules) } as never });
    const records = [
      lacking(grading(1, 'ana', 6, 50, ON_TIME, '2026-10-20T12:00:00.000Z'), ['pandera']),
      lacking(grading(2, 'bruno', 6, 50, ON_TIME, '2026-10-20T13:00:00.000Z'), ['pandera', 'ctgan']),
      grading(3, 'carla', 6, 100, ON_TIME, '2026-10-20T14:00:00.000Z'),
    ];
    for (const r of records) expect(await store.record.recordGrading(r)).toBe(true);
    await store.record.saveCourse('clase-mlops', { id: 'default', weeks: 10, units: Array.from({ length: 10 }, (_, i) => `week-${i + 1}`), counts: 'best', config: {} });

    const week = await exportGrades(store, { format: 'json', week: 6 });
    expect(week.runnerImage).toEqual({
      modules: [
        { module: 'pandera', distribution: 'pandera', repositories: 2, weeks: [6], units: ['week-6'] },
        { module: 'ctgan', distribution: 'ctgan', repositories: 1, weeks: [6], units: ['week-6'] },
      ],
    });
    expect(JSON.parse(week.body).map((r: { login: string; notGradableHere?: string[] }) => [r.login, r.notGradableHere ?? null])).toEqual([
      ['ana', ['pandera']],
      ['bruno', ['pandera', 'ctgan']],
      ['carla', null],
    ]);
    expect((await exportGrades(store, { format: 'csv', week: 5 })).runnerImage).toBeUndefined();

    const handle = adminHandler(store, 's3cret-token');
    const server = createServer((req, res) => {
      void Promise.resolve(handle(req, res)).then((done) => done || res.writeHead(404).end());
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const auth = { headers: { authorization: 'Bearer s3cret-token' } };
    try {
      const note = await fetch(`${base}/admin/runner-image?org=clase-mlops`, auth);
      expect(note.status).toBe(200);
      expect(await note.json()).toEqual({ org: 'clase-mlops', modules: week.runnerImage!.modules });
      expect(await (await fetch(`${base}/admin/runner-image?org=clase-mlops&week=5`, auth)).json()).toEqual({ org: 'clase-mlops', week: 5, modules: [] });
      expect((await fetch(`${base}/admin/runner-image?org=clase-mlops&week=x`, auth)).status).toBe(400);
      expect((await fetch(`${base}/admin/runner-image?org=clase-mlops`)).status).toBe(401);
      const csv = await fetch(`${base}/admin/grades.csv?org=clase-mlops&week=6`, auth);
      expect(csv.headers.get('x-rubrica-runner-image-lacks')).toBe('pandera, ctgan');
      expect((await csv.text()).split('\r\n')[0]).toMatch(/,not_gradable_here$/);
    } finally {
      await new Promise((r) => server.close(r));
    }
  });
});
