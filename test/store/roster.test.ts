import { promises as fs } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { dirname, join } from 'node:path';
import { parse } from 'csv-parse/sync';
import { afterEach, describe, expect, it } from 'vitest';
import { adminHandler } from '../../src/admin.ts';
import { main } from '../../src/cli/main.ts';
import { exportGrades } from '../../src/report/export.ts';
import { parseRoster } from '../../src/roster/parse.ts';
import { replaceRoster, rosterOf } from '../../src/store/roster.ts';
import { Store, type StoredGrading } from '../../src/store/store.ts';
import { tempDir } from '../fixtures/repos.ts';
import { BACKENDS } from '../helpers/store.ts';

const opened: Store[] = [];
afterEach(async () => {
  await Promise.all(opened.splice(0).map((s) => s.close().catch(() => undefined)));
});

const ON_TIME: StoredGrading['late'] = { deadline: '2026-09-14T02:59:00.000Z', effectiveDeadline: '2026-09-14T02:59:00.000Z', minutesLate: 0, daysLate: 0, penaltyFraction: 0, status: 'on-time' };
let n = 0;
function grading(repoId: number, login: string, week: number, tests: number, deliveredAt: string): StoredGrading {
  return {
    jobId: `roster-job-${n++}`, installationId: 1, org: 'Clase-MLOps', repoId, repo: `tp-${login}`, students: [login], course: 'default', unit: `week-${week}`, week,
    sha: String(n).padStart(40, 'a'), deliveredAt, gradedAt: deliveredAt, trigger: 'push', packName: 'p', packHash: 'h',
    image: 'rubrica/runner-mlops:1', imageId: 'sha256:1', score: 10 + tests, maxScore: 20, pendingPoints: 0, errorPoints: 0,
    criteria: [
      { id: 'greets', maxScore: 10, score: 10, status: 'passed' },
      { id: 'counts', maxScore: 10, score: tests, status: tests === 10 ? 'passed' : tests > 0 ? 'partial' : 'failed' },
    ],
    late: ON_TIME, penalty: 0, finalScore: 10 + tests, grade: { week } as never,
  };
}

// Classroom's roster export; `bo` is on it twice, `cy` was graded but is not on it.
const ROSTER = [
  'identifier,github_username,github_id,name,email,section',
  'S-1,ana-dev,1,"Pérez, Ana",ana@uni.edu,A',
  'S-2,Bo,2,Bo Li,bo@uni.edu,B',
  'S-3,dee,3,Dee Roe,dee@uni.edu,A',
  'S-4,bo,2,Bo Li (again),bo2@uni.edu,B',
  'S-5,,,"Eve, not linked",eve@uni.edu,B',
].join('\n');

async function seed(backend: (typeof BACKENDS)[number]) {
  const { db, url } = await backend.fresh();
  const store = await Store.open(db);
  opened.push(store);
  for (const g of [
    grading(1, 'ana-dev', 1, 10, '2026-09-13T12:00:00.000Z'),
    grading(1, 'ana-dev', 2, 5, '2026-09-20T12:00:00.000Z'),
    grading(2, 'bo', 1, 0, '2026-09-13T12:00:00.000Z'),
    grading(3, 'cy', 1, 10, '2026-09-13T12:00:00.000Z'),
  ]) expect(await store.record.recordGrading(g)).toBe(true);
  await store.record.saveCourse('Clase-MLOps', { id: 'default', weeks: 2, units: ['week-1', 'week-2'], counts: 'latest', config: {} });
  return { store, url };
}

const rows = (body: string) => parse(body) as string[][];

describe.each(BACKENDS)('the roster and LMS exports on $name', (backend) => {
  it('stores a roster, replaces it on re-import, and matches logins case-insensitively', async () => {
    const { store } = await seed(backend);
    await replaceRoster(store.db, 'clase-mlops', parseRoster('r.csv', Buffer.from(ROSTER)), 'r.csv');
    const roster = await rosterOf(store.db, 'CLASE-MLOPS');
    expect(roster.entries.map((e) => e.login)).toEqual(['ana-dev', 'Bo', 'dee', 'bo', null]);
    expect(roster.entries[0]).toMatchObject({ identifier: 'S-1', name: 'Pérez, Ana', email: 'ana@uni.edu', section: 'A', githubId: 1 });
    await replaceRoster(store.db, 'Clase-MLOps', parseRoster('r2.csv', Buffer.from('github_username,name\nana-dev,Ana\n')), 'r2.csv');
    expect((await rosterOf(store.db, 'clase-mlops')).entries).toEqual([expect.objectContaining({ login: 'ana-dev', name: 'Ana', identifier: null })]);
  });

  it('exports Canvas\'s gradebook layout: the five student columns, a column per week and the total, the Points Possible row', async () => {
    const { store } = await seed(backend);
    await expect(exportGrades(store, { format: 'canvas' })).rejects.toThrow('matches students through the roster');
    await replaceRoster(store.db, 'Clase-MLOps', parseRoster('r.csv', Buffer.from(ROSTER)), 'r.csv');
    const result = await exportGrades(store, { format: 'canvas' });
    expect(rows(result.body)).toEqual([
      ['Student', 'ID', 'SIS User ID', 'SIS Login ID', 'Section', 'Week 1', 'Week 2', 'Rubrica total'],
      ['    Points Possible', '', '', '', '', '20', '20', '40'],
      ['Pérez, Ana', '', 'S-1', 'ana@uni.edu', 'A', '20', '15', '35'],
      ['Bo Li', '', 'S-2', 'bo@uni.edu', 'B', '10', '', '10'],
    ]);
    expect(result.notOnRoster).toEqual([{ login: 'cy', repo: 'tp-cy' }]);
  });

  it('exports Moodle\'s import layout: ID number, email, a grade and a feedback column per week', async () => {
    const { store } = await seed(backend);
    await replaceRoster(store.db, 'Clase-MLOps', parseRoster('r.csv', Buffer.from(ROSTER)), 'r.csv');
    const body = rows((await exportGrades(store, { format: 'moodle' })).body);
    expect(body[0]).toEqual(['ID number', 'Email address', 'Full name', 'Week 1', 'Week 1 feedback', 'Week 2', 'Week 2 feedback']);
    expect(body[1]).toEqual(['S-1', 'ana@uni.edu', 'Pérez, Ana', '20', 'greets 10/10; counts 10/10', '15', 'greets 10/10; counts 5/10']);
    expect(body).toHaveLength(3);
  });

  it('exports one long row per student × week × criterion, and Gradescope results per student and week', async () => {
    const { store } = await seed(backend);
    await replaceRoster(store.db, 'Clase-MLOps', parseRoster('r.csv', Buffer.from(ROSTER)), 'r.csv');
    const long = rows((await exportGrades(store, { format: 'long' })).body);
    expect(long[0]!.slice(0, 12)).toEqual(['login', 'identifier', 'name', 'email', 'section', 'on_roster', 'repo', 'week', 'criterion', 'points', 'max', 'status']);
    expect(long).toHaveLength(1 + 2 * 4); // 4 counted gradings (cy included), 2 criteria each
    expect(long.find((r) => r[0] === 'cy' && r[8] === 'counts')!.slice(0, 12)).toEqual(['cy', '', '', '', '', 'no', 'tp-cy', '1', 'counts', '10', '10', 'passed']);
    const gs = await exportGrades(store, { format: 'gradescope' });
    const files = JSON.parse(gs.body);
    expect(Object.keys(files).sort()).toEqual(['ana-dev/week-01/results.json', 'ana-dev/week-02/results.json', 'bo/week-01/results.json', 'cy/week-01/results.json']);
    expect(files['ana-dev/week-02/results.json']).toEqual({
      score: 15,
      tests: [
        { name: 'greets', score: 10, max_score: 10, status: 'passed', output: 'passed', visibility: 'visible' },
        { name: 'counts', score: 5, max_score: 10, status: 'failed', output: 'partial', visibility: 'visible' },
      ],
    });
  });

  it('the gradebook rows carry the roster\'s identifier, name, email and section', async () => {
    const { store } = await seed(backend);
    await replaceRoster(store.db, 'Clase-MLOps', parseRoster('r.csv', Buffer.from(ROSTER)), 'r.csv');
    const csv = rows((await exportGrades(store, { format: 'csv' })).body);
    expect(csv[0]).toEqual(['login', 'identifier', 'name', 'email', 'section', 'repo', 'week_1', 'week_2', 'late_penalty', 'total']);
    expect(csv.find((r) => r[0] === 'ana-dev')).toEqual(['ana-dev', 'S-1', 'Pérez, Ana', 'ana@uni.edu', 'A', 'tp-ana-dev', '20', '15', '0', '35']);
    expect(csv.find((r) => r[0] === 'cy')).toEqual(['cy', '', '', '', '', 'tp-cy', '20', '', '0', '20']);
  });
});

describe('roster and export on the command line and /admin (embedded store)', () => {
  it('imports, checks, re-imports, and lists who an export leaves out', async () => {
    const { store, url } = await seed(BACKENDS[0]!);
    const dir = await tempDir('roster-cli');
    await fs.writeFile(join(dir, 'roster.csv'), ROSTER);
    let out = '';
    let err = '';
    const io = { stdout: { write: (s: string) => (out += s) }, stderr: { write: (s: string) => (err += s) }, env: { RUBRICA_DATA_DIR: dirname(url) } };
    expect(await main(['roster', 'import', join(dir, 'roster.csv')], io)).toBe(0);
    expect(out).toContain('Roster of Clase-MLOps: 5 student(s) from roster.csv');
    out = '';
    expect(await main(['roster', 'check'], io)).toBe(0);
    expect(out).toMatch(/On the roster, no repository graded \(1\):\n {2}dee · S-3 · Dee Roe\n/);
    expect(out).toMatch(/On the roster without a GitHub login \(1\):\n {2}S-5 · Eve, not linked\n/);
    expect(out).toMatch(/Graded, not on the roster \(1\):\n {2}cy \(tp-cy\)\n/);
    expect(out).toMatch(/Logins on more than one row \(1\):\n {2}Bo: Bo · S-2 · Bo Li \| bo · S-4 · Bo Li \(again\)\n/);
    out = '';
    expect(await main(['grades', 'export', '--format', 'canvas'], io)).toBe(0);
    expect(rows(out)).toHaveLength(4);
    expect(err).toContain('1 graded student(s) are not on the roster and are NOT in this canvas file: cy (tp-cy)');
    const gsDir = join(dir, 'gs');
    out = '';
    expect(await main(['grades', 'export', '--format', 'gradescope', '--out', gsDir], io)).toBe(0);
    expect(JSON.parse(await fs.readFile(join(gsDir, 'bo/week-01/results.json'), 'utf8'))).toMatchObject({ score: 10 });
    // A malformed file changes nothing: the roster stays as it was.
    await fs.writeFile(join(dir, 'bad.csv'), 'name,email\nAna,a@x\n');
    err = '';
    expect(await main(['roster', 'import', join(dir, 'bad.csv')], io)).toBe(2);
    expect(err).toContain('the roster was not imported');
    expect((await rosterOf(store.db, 'Clase-MLOps')).entries).toHaveLength(5);

    const handle = adminHandler(store, 'tok');
    const server = createServer((req, res) => {
      void handle(req, res).then((handled) => handled || res.writeHead(404).end());
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
      const auth = { headers: { authorization: 'Bearer tok' } };
      const res = await fetch(`${base}/admin/export/moodle?org=clase-mlops`, auth);
      expect(res.status).toBe(200);
      expect(res.headers.get('content-disposition')).toContain('Clase-MLOps-moodle.csv');
      expect(res.headers.get('x-rubrica-not-on-roster')).toBe('cy');
      expect(rows(await res.text())[0]![0]).toBe('ID number');
      expect((await fetch(`${base}/admin/export/gradescope`, auth)).headers.get('content-type')).toBe('application/json');
      expect((await fetch(`${base}/admin/export/canvas`, { headers: { authorization: 'Bearer no' } })).status).toBe(401);
    } finally {
      server.close();
    }
  });
});
