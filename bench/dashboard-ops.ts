// Server time of the dashboard's TA queue and operations pages for a class of 300
// students × 16 weeks on the real store (SQLite), with 200 open review requests, 50
// failed jobs and 100 publications waiting. Each request goes through the whole handler
// over HTTP. Prints figures; asserts nothing.   npm run bench:dashboard-ops [-- --runs 20]
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { availableParallelism, loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import { dashboardHandler } from '../src/web/handler.ts';
import { newSession, seal, sessionKey } from '../src/web/session.ts';
import { recordAll, syntheticClass } from '../test/helpers/dashboard.ts';
import { tempStore } from '../test/helpers/store.ts';

const { values } = parseArgs({ options: { runs: { type: 'string', default: '20' }, students: { type: 'string', default: '300' }, weeks: { type: 'string', default: '16' } } });
const runs = Math.max(1, Number(values.runs));
const students = Number(values.students);
const weeks = Number(values.weeks);
const org = 'clase-grande';

const store = await tempStore();
const gradings = syntheticClass(org, students, weeks);
await store.record.saveCourse(org, { id: 'default', weeks, units: Array.from({ length: weeks }, (_, i) => `week-${i + 1}`), counts: 'best', config: { tas: 'ayudantes', locale: 'es', timezone: 'America/Santiago' } });
await recordAll(store, gradings);
for (let i = 0; i < 200; i++) {
  await store.reviews.record({ org, installationId: 1, repoId: 1000 + i, repo: `entrega-${i}`, pullRequest: 1, week: 1 + (i % weeks), criterion: 'tests', reason: 'mis tests pasan en local', student: `estudiante-${i}`, commentId: 10_000 + i, at: '2026-04-01T10:00:00Z' });
}
for (let i = 0; i < 50; i++) await store.queue.enqueue({ deliveryId: `d-${i}`, installationId: 1, owner: org, repo: `entrega-${i}`, repoId: 1000 + i, topics: [], sha: String(i).padStart(40, 'a'), deliveredAt: '2026-04-01T10:00:00Z', trigger: 'push' }, { maxAttempts: 1 });
for (let i = 0; i < 50; i++) {
  const job = (await store.queue.claim('bench', 60_000))!;
  await store.queue.finish(job.lease!, 'failed', 'infrastructure-error', 'Docker is down');
}
await store.db.transaction((tx) => store.outbox.add(tx, Array.from({ length: 100 }, (_, i) => ({ kind: 'check-run' as const, installationId: 1, owner: org, repo: `entrega-${i}`, repoId: 1000 + i, sha: String(i).padStart(40, 'b'), unit: 'week-1', name: 'Semana 1', status: 'completed' as const, conclusion: 'success' as const, output: { title: '1/1', summary: 's', annotations: [] } }))));
console.log(`seeded ${gradings.length} gradings (${students} students × ${weeks} weeks), 200 review requests, 50 failed jobs, 100 publications waiting (sqlite)`);

const oauth = { clientId: 'Iv1.bench', clientSecret: 'bench-secret', webUrl: 'https://github.com', apiUrl: 'https://api.github.com' };
const handler = dashboardHandler({ store, membership: async () => 'ta', oauth, concurrency: 2 });
const server = createServer((req, res) => void handler(req, res));
await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/dashboard/${org}`;
const cookie = `rubrica_session=${seal(sessionKey(oauth.clientSecret, oauth.clientId), newSession({ login: 'ayudante', id: 1 }, Date.now()))}`;

// Wall clock and this process's CPU per request (on a shared machine the CPU figure is the steadier one).
let served = { wall: 0, cpu: 0 };
server.prependListener('request', (_req, res) => {
  const started = performance.now();
  const cpu = process.cpuUsage();
  res.on('finish', () => {
    const used = process.cpuUsage(cpu);
    served = { wall: performance.now() - started, cpu: (used.user + used.system) / 1000 };
  });
});
for (const page of ['queue', 'operations']) {
  const times: { wall: number; cpu: number }[] = [];
  let size = 0;
  for (let i = 0; i <= runs; i++) {
    const res = await fetch(`${base}/${page}`, { headers: { cookie } });
    const body = await res.text();
    if (res.status !== 200) throw new Error(`${page} answered ${res.status}`);
    size = body.length;
    if (i > 0) times.push(served); // the first compiles the templates
  }
  const figures = (pick: (t: { wall: number; cpu: number }) => number) => {
    const sorted = times.map(pick).sort((a, b) => a - b);
    const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
    return `median ${at(0.5).toFixed(1)} ms, p90 ${at(0.9).toFixed(1)} ms`;
  };
  console.log(`${page}: server wall ${figures((t) => t.wall)}; CPU ${figures((t) => t.cpu)}; over ${runs} requests; ${Math.round(size / 1024)} KB of HTML`);
}
console.log(`load average ${loadavg().map((l) => l.toFixed(1)).join(' ')} on ${availableParallelism()} cores`);
server.close();
await store.close();
