import { timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { parseUnitKey } from './course/unit.ts';
import { GITHUB_LIMITS, type WriteLimits } from './outbox/budget.ts';
import { outboxPlan } from './outbox/plan.ts';
import { ExportError, exportGrades, type ExportResult } from './report/export.ts';
import type { JobState, Store } from './store/store.ts';

/**
 * The instructors' HTTP door, under /admin, behind a bearer token from the
 * environment (RUBRICA_ADMIN_TOKEN; without it the door does not exist):
 *   GET  /admin/grades.csv?org=ORG[&course=ID][&week=N|&unit=KEY]   the gradebook (or one unit by criterion)
 *   GET  /admin/grades.json?org=ORG[&course=ID][&week=N|&unit=KEY]
 *        (both name what the runner image lacks that students declare in `x-rubrica-runner-image-lacks`)
 *   GET  /admin/runner-image?org=ORG[&week=N]  the course's note: modules to add to the runner image
 *   GET  /admin/export/canvas|moodle|long|gradescope?org=ORG   what an LMS imports as it is;
 *        graded students not on the roster are named in `x-rubrica-not-on-roster`
 *   GET  /admin/courses                       the courses recorded, and repositories two courses claim (not graded)
 *   GET  /admin/jobs?state=failed             jobs, e.g. infrastructure errors to look at
 *   POST /admin/jobs/requeue[?id=JOB]         grade failed jobs again
 *   GET  /admin/outbox[?state=failed]         publications still to go, and when each is expected to
 *   POST /admin/outbox/retry[?id=ID]          send failed publications again
 */
/** Distribution names are normalized (letters, digits, dashes): safe in a header. */
function lacksHeader(result: ExportResult): Record<string, string> {
  const names = (result.runnerImage?.modules ?? []).map((m) => m.distribution).filter((d) => /^[a-z0-9-]{1,100}$/.test(d));
  return names.length ? { 'x-rubrica-runner-image-lacks': names.join(', ') } : {};
}

export function adminHandler(store: Store, token: string | undefined, limits: WriteLimits = GITHUB_LIMITS) {
  return async (req: IncomingMessage, res: ServerResponse): Promise<boolean> => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    if (!url.pathname.startsWith('/admin/')) return false;
    if (!token) return false;
    if (!authorized(req.headers.authorization, token)) {
      res.writeHead(401, { 'content-type': 'text/plain', 'www-authenticate': 'Bearer' }).end('unauthorized\n');
      return true;
    }
    try {
      const match = /^\/admin\/grades\.(csv|json)$/.exec(url.pathname);
      if (req.method === 'GET' && match) {
        const weekParam = url.searchParams.get('week');
        const org = url.searchParams.get('org');
        // A week is a small whole number; anything else is a bad request, never echoed into a header.
        if (weekParam !== null && !/^[0-9]{1,3}$/.test(weekParam)) return badRequest(res, 'week must be a whole number of the course (e.g. week=3)');
        const week = weekParam === null ? undefined : Number(weekParam);
        const course = url.searchParams.get('course');
        const unit = url.searchParams.get('unit');
        // Ids and unit keys are lowercase letters, digits, dashes (and one slash): anything else is refused, never echoed.
        if (course !== null && !/^[a-z0-9][a-z0-9-]{0,62}$/.test(course)) return badRequest(res, 'course must be a course id of the course file (e.g. course=amq2)');
        if (unit !== null && !parseUnitKey(unit)) return badRequest(res, 'unit must be a unit of the course (e.g. unit=week-3 or unit=final/first)');
        const result = await exportGrades(store, { format: match[1] as 'csv' | 'json', ...(org ? { org } : {}), ...(course ? { course } : {}), ...(week !== undefined ? { week } : {}), ...(unit ? { unit } : {}) });
        const part = unit ? `-${unit.replace('/', '-')}` : week !== undefined ? `-week-${week}` : '';
        const filename = `${result.org}${course ? `-${course}` : ''}-grades${part}.${match[1]}`;
        res.writeHead(200, { 'content-type': result.contentType, 'content-disposition': attachment(filename), ...lacksHeader(result) }).end(result.body);
        return true;
      }
      if (req.method === 'GET' && url.pathname === '/admin/runner-image') {
        const weekParam = url.searchParams.get('week');
        const org = url.searchParams.get('org');
        if (weekParam !== null && !/^[0-9]{1,3}$/.test(weekParam)) return badRequest(res, 'week must be a whole number of the course (e.g. week=3)');
        const week = weekParam === null ? undefined : Number(weekParam);
        const result = await exportGrades(store, { format: 'json', ...(org ? { org } : {}), ...(week !== undefined ? { week } : {}) });
        const body = { org: result.org, ...(week !== undefined ? { week } : {}), modules: result.runnerImage?.modules ?? [] };
        res.writeHead(200, { 'content-type': 'application/json' }).end(`${JSON.stringify(body, null, 2)}\n`);
        return true;
      }
      const lms = /^\/admin\/export\/(canvas|moodle|long|gradescope)$/.exec(url.pathname);
      if (req.method === 'GET' && lms) {
        const org = url.searchParams.get('org');
        const result = await exportGrades(store, { format: lms[1] as 'canvas' | 'moodle' | 'long' | 'gradescope', ...(org ? { org } : {}) });
        // Logins are GitHub's charset (letters, digits, dashes): safe in a header.
        const missing = result.notOnRoster.map((r) => r.login).filter((l) => /^[A-Za-z0-9-]{1,39}$/.test(l));
        res
          .writeHead(200, {
            'content-type': result.contentType,
            'content-disposition': attachment(`${result.org}-${lms[1]}.${result.extension}`),
            'x-rubrica-not-on-roster-count': String(result.notOnRoster.length),
            ...(missing.length ? { 'x-rubrica-not-on-roster': missing.join(', ') } : {}),
          })
          .end(result.body);
        return true;
      }
      if (req.method === 'GET' && url.pathname === '/admin/courses') {
        const ambiguous = new Map<string, { repo: string; lastPushAt: string }>();
        for (const j of await store.queue.jobs({ outcome: 'ambiguous-course', limit: 500 })) {
          const repo = `${j.request.owner}/${j.request.repo}`;
          if (!ambiguous.has(repo)) ambiguous.set(repo, { repo, lastPushAt: j.request.deliveredAt });
        }
        const body = { courses: await store.record.courses(), ambiguous: [...ambiguous.values()] };
        res.writeHead(200, { 'content-type': 'application/json' }).end(`${JSON.stringify(body, null, 2)}\n`);
        return true;
      }
      if (req.method === 'GET' && url.pathname === '/admin/jobs') {
        const state = url.searchParams.get('state');
        if (state !== null && !JOB_STATES.includes(state as JobState)) return badRequest(res, `state must be one of ${JOB_STATES.join(', ')}`);
        const jobs = await store.queue.jobs({ ...(state ? { state: state as never } : {}), limit: 500 });
        res.writeHead(200, { 'content-type': 'application/json' }).end(`${JSON.stringify(jobs.map(({ request, ...j }) => ({ ...j, repo: `${request.owner}/${request.repo}`, trigger: request.trigger })), null, 2)}\n`);
        return true;
      }
      if (req.method === 'GET' && url.pathname === '/admin/outbox') {
        const body = url.searchParams.get('state') === 'failed'
          ? { failed: (await store.outbox.list({ states: ['failed'], limit: 500 })).map(({ publication, ...f }) => ({ ...f, about: publication })) }
          : { counts: await store.outbox.counts(), plan: (await outboxPlan(store, limits)).map((p) => ({ ...p, expectedAt: new Date(p.expectedAt).toISOString(), createdAt: new Date(p.createdAt).toISOString() })) };
        res.writeHead(200, { 'content-type': 'application/json' }).end(`${JSON.stringify(body, null, 2)}\n`);
        return true;
      }
      if (req.method === 'POST' && url.pathname === '/admin/outbox/retry') {
        const retried = await store.outbox.retry(url.searchParams.get('id') ?? undefined);
        res.writeHead(200, { 'content-type': 'application/json' }).end(`${JSON.stringify({ retried })}\n`);
        return true;
      }
      if (req.method === 'POST' && url.pathname === '/admin/jobs/requeue') {
        const requeued = await store.queue.requeue(url.searchParams.get('id') ?? undefined);
        res.writeHead(200, { 'content-type': 'application/json' }).end(`${JSON.stringify({ requeued })}\n`);
        return true;
      }
      res.writeHead(404, { 'content-type': 'text/plain' }).end('not found\n');
    } catch (error) {
      if (error instanceof ExportError) {
        res.writeHead(error.kind === 'bad-request' ? 400 : 404, { 'content-type': 'text/plain' }).end(`${error.message}\n`);
      } else {
        res.writeHead(500, { 'content-type': 'text/plain' }).end('internal error\n');
      }
    }
    return true;
  };
}

const JOB_STATES: readonly JobState[] = ['queued', 'running', 'done', 'superseded', 'failed', 'dropped'];

function badRequest(res: ServerResponse, message: string): true {
  res.writeHead(400, { 'content-type': 'text/plain' }).end(`${message}\n`);
  return true;
}

/**
 * A Content-Disposition naming a download: the plain filename quoted and reduced to safe
 * characters (an organization's login is already), and the exact one in RFC 5987 form.
 */
export function attachment(filename: string): string {
  const plain = filename.replace(/[^A-Za-z0-9._-]/g, '_');
  return `attachment; filename="${plain}"; filename*=UTF-8''${encodeURIComponent(filename)}`;
}

function authorized(header: string | undefined, token: string): boolean {
  const given = Buffer.from(/^Bearer (.+)$/.exec(header ?? '')?.[1] ?? '');
  const expected = Buffer.from(token);
  return given.length === expected.length && timingSafeEqual(given, expected);
}
