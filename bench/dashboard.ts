// Server time of the dashboard's course overview for a class of 300 students × 16 weeks
// (one or two gradings a week each, a few overrides), on the real store: SQLite by
// default, PostgreSQL with --pg URL (or RUBRICA_TEST_DATABASE_URL). The request goes
// through the whole handler over HTTP (session, access from cache, store, model, Eta).
// Target: < 300 ms. Prints figures; asserts nothing.   npm run bench:dashboard [-- --runs 20 --pg URL]
import { weekNumberOf } from '../src/course/unit.ts';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import { PostgresDatabase } from '../src/store/postgres.ts';
import { byLogin, rosterOf } from '../src/store/roster.ts';
import { Store } from '../src/store/store.ts';
import { dashboardHandler } from '../src/web/handler.ts';
import { overview, parseOverviewQuery } from '../src/web/pages/overview.ts';
import { renderView } from '../src/web/render.ts';
import { newSession, seal, sessionKey } from '../src/web/session.ts';
import { recordAll, syntheticClass } from '../test/helpers/dashboard.ts';
import { tempStore } from '../test/helpers/store.ts';

const { values } = parseArgs({ options: { runs: { type: 'string', default: '20' }, students: { type: 'string', default: '300' }, weeks: { type: 'string', default: '16' }, pg: { type: 'string' } } });
const runs = Math.max(1, Number(values.runs));
const students = Number(values.students);
const weeks = Number(values.weeks);
const org = 'clase-grande';

async function openStore(): Promise<{ store: Store; backend: string }> {
  const url = values.pg;
  if (!url) return { store: await tempStore(), backend: 'sqlite' };
  const schema = `bench_dashboard_${process.pid}`;
  const admin = new PostgresDatabase(url, { max: 1 });
  await admin.run(`CREATE SCHEMA ${schema}`);
  await admin.close();
  const scoped = new URL(url);
  scoped.searchParams.set('options', `-c search_path=${schema}`);
  return { store: await Store.open(new PostgresDatabase(scoped.toString())), backend: 'postgres' };
}

const { store, backend } = await openStore();
const seeded = performance.now();
const gradings = syntheticClass(org, students, weeks);
await store.record.saveCourse(org, { id: 'default', weeks, units: Array.from({ length: weeks }, (_, i) => `week-${i + 1}`), counts: 'best', config: { tas: 'ayudantes', locale: 'es', timezone: 'America/Santiago' } });
await recordAll(store, gradings);
for (let i = 0; i < 60; i++) {
  await store.tas.saveOverride({ org, course: 'default', repoId: 1000 + i * 5, unit: `week-${1 + (i % weeks)}`, criterion: 'tests', action: 'override', points: 20, reason: 'revisado', by: 'ayudante', at: '2026-04-01T10:00:00Z', automaticPoints: 10 });
}
console.log(`seeded ${gradings.length} gradings (${students} students × ${weeks} weeks) in ${backend} in ${Math.round(performance.now() - seeded)} ms`);

const oauth = { clientId: 'Iv1.bench', clientSecret: 'bench-secret', webUrl: 'https://github.com', apiUrl: 'https://api.github.com' };
const handler = dashboardHandler({ store, membership: async () => 'ta', oauth });
const server = createServer((req, res) => void handler(req, res));
await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/dashboard/${org}`;
const cookie = `rubrica_session=${seal(sessionKey(oauth.clientSecret, oauth.clientId), newSession({ login: 'ayudante', id: 1 }, Date.now()))}`;

const stats = (times: number[]) => {
  const sorted = [...times].sort((a, b) => a - b);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
  return `median ${at(0.5).toFixed(1)} ms, p90 ${at(0.9).toFixed(1)} ms, max ${sorted[sorted.length - 1]!.toFixed(1)} ms`;
};

// The first request compiles the templates; it is reported apart.
// Server time is measured inside the server (request in → response finished), wall clock
// and CPU of this process (the CPU figure does not count other processes on a shared machine).
let size = 0;
const served: { wall: number; cpu: number }[] = [];
server.prependListener('request', (_req, res) => {
  const wall = performance.now();
  const cpu = process.cpuUsage();
  res.on('finish', () => {
    const used = process.cpuUsage(cpu);
    served.push({ wall: performance.now() - wall, cpu: (used.user + used.system) / 1000 });
  });
});
const request = async () => {
  const res = await fetch(url, { headers: { cookie } });
  const body = await res.text();
  if (res.status !== 200) throw new Error(`overview answered ${res.status}`);
  size = body.length;
};
await request();
const first = served.shift()!;
for (let i = 0; i < runs; i++) await request();
const times = served.map((s) => s.wall);
console.log(`load average before the runs: ${loadavg().map((l) => l.toFixed(1)).join(' ')} on this machine`);
console.log(`overview, first request (compiles the templates): ${first.wall.toFixed(1)} ms`);
console.log(`overview server time, ${runs} runs, wall: ${stats(times)}; ${(size / 1024).toFixed(0)} KB of HTML`);
console.log(`overview server time, ${runs} runs, CPU:  ${stats(served.map((s) => s.cpu))}`);

// Where the time goes, stage by stage (same work as the route).
const read: number[] = [];
const model: number[] = [];
const render: number[] = [];
console.log('where the time goes (wall):');
for (let i = 0; i < runs; i++) {
  let t = performance.now();
  const [g, o, r, f] = await Promise.all([store.record.gradingRecords({ org }), store.tas.overrides({ org }), rosterOf(store.db, org), store.queue.jobs({ state: 'failed', limit: 500 })]);
  read.push(performance.now() - t);
  t = performance.now();
  const view = overview({ weeks, rule: 'best', gradings: g, overrides: o, roster: byLogin(r), failed: new Set(f.map((j) => `${j.repoId}:${weekNumberOf(j.request.unit ?? '')}`)) }, parseOverviewQuery(new URLSearchParams(), weeks));
  model.push(performance.now() - t);
  t = performance.now();
  renderView('overview', { title: org, view, t: (k: string) => k, locale: 'es', csrf: '', course: { org }, navLinks: [], sortLink: () => ({ href: '', sort: 'none' }), fmt: (n: number | null) => String(n) });
  render.push(performance.now() - t);
}
console.log(`  store read: ${stats(read)}`);
console.log(`  model:      ${stats(model)}`);
console.log(`  render:     ${stats(render)}`);
const median = [...times].sort((a, b) => a - b)[Math.floor(times.length / 2)]!;
console.log(`target < 300 ms (median wall): ${median < 300 ? 'met' : 'NOT met'} (${median.toFixed(1)} ms)`);
server.close();
await store.close();
