import { weekNumberOf } from '../../course/unit.ts';
import { attachment } from '../../admin.ts';
import { ExportError, exportGrades } from '../../report/export.ts';
import { byLogin, rosterOf } from '../../store/roster.ts';
import type { RouteGroup, WebContext } from '../context.ts';
import '../pages/words.ts';
import { overview, parseOverviewQuery } from '../pages/overview.ts';
import { repositoryPage } from '../pages/repository.ts';
import { weekPage } from '../pages/week.ts';

/** The course list and each course's pages: the record only (access is checked by the router). */
export const courseRoutes: RouteGroup = (router, deps) => {
  router.get('/dashboard', 'signed-in', async (ctx) => {
    const courses = [];
    // Only the courses this user is on the teaching team of (each answer reused for minutes).
    for (const c of await deps.store.record.courses()) if (await deps.access.allowed(c.org, ctx.session!.login)) courses.push(c);
    ctx.render('courses', { title: ctx.t('courses.title'), courses });
  });

  router.get('/dashboard/:org', 'course', async (ctx) => {
    const course = ctx.course!;
    const [gradings, overrides, roster, failedJobs] = await Promise.all([
      deps.store.record.gradingRecords({ org: course.org, course: course.course }),
      deps.store.tas.overrides({ org: course.org, course: course.course }),
      rosterOf(deps.store.db, course.org),
      deps.store.queue.jobs({ state: 'failed', limit: 500 }),
    ]);
    // Gradings that failed on our side (a TA command's failure is not a cell's).
    const failed = new Set(
      failedJobs.filter((j) => j.kind === 'grade' && j.request.owner?.toLowerCase() === course.org.toLowerCase() && weekNumberOf(j.request.unit ?? '') > 0).map((j) => `${j.repoId}:${weekNumberOf(j.request.unit!)}`),
    );
    // The overview's columns are the weekly portfolio's (an assignment-only course has none yet).
    const weeks = course.units.filter((u) => weekNumberOf(u) > 0).length;
    const view = overview({ weeks, rule: course.counts, gradings, overrides, roster: byLogin(roster), failed }, parseOverviewQuery(ctx.url.searchParams, weeks));
    ctx.render('overview', { title: course.org, nav: 'overview', view, sortLink: sortLink(ctx, view.query), fmt: points });
  });

  router.get('/dashboard/:org/repos/:repoId', 'course', async (ctx) => {
    const course = ctx.course!;
    const repoId = Number(ctx.params.repoId);
    if (!/^\d{1,15}$/.test(ctx.params.repoId!)) return ctx.refuse(404, 'error.404.title', 'error.404.body');
    const gradings = await deps.store.record.gradings({ org: course.org, course: course.course, repoId });
    if (gradings.length === 0) return ctx.refuse(404, 'error.404.title', 'error.404.body');
    const weeks = [...new Set(gradings.map((g) => g.week))].filter((w) => w > 0);
    const [overrides, extensions, roster] = await Promise.all([
      deps.store.tas.overrides({ org: course.org, repoId }),
      Promise.all(weeks.map((w) => deps.store.record.extensionFor(repoId, `week-${w}`))),
      rosterOf(deps.store.db, course.org),
    ]);
    const view = repositoryPage({ course, gradings, overrides, extensions: extensions.flatMap((e) => (e ? [e] : [])), roster: byLogin(roster), webUrl: githubWeb(ctx) });
    ctx.render('repository', { title: view.title, nav: 'overview', view, fmt: points, when: when(ctx) });
  });

  router.get('/dashboard/:org/weeks/:week', 'course', async (ctx) => {
    const course = ctx.course!;
    const week = Number(ctx.params.week);
    if (!/^\d{1,2}$/.test(ctx.params.week!) || week < 1 || week > course.weeks) return ctx.refuse(404, 'error.404.title', 'error.404.body');
    const [gradings, overrides] = await Promise.all([deps.store.record.gradings({ org: course.org, week }), deps.store.tas.overrides({ org: course.org, week })]);
    const view = weekPage({ course, week, gradings, overrides, locale: ctx.locale });
    ctx.render('week', { title: ctx.t('week.title', { week }), nav: 'weeks', view, fmt: points });
  });

  // The same files as `rubrica export` and /admin/grades.*, from the record.
  router.get('/dashboard/:org/export/:file', 'course', async (ctx) => {
    const course = ctx.course!;
    const file = /^grades(?:-week-(\d{1,2}))?\.(csv|json)$/.exec(ctx.params.file!);
    if (!file) return ctx.refuse(404, 'error.404.title', 'error.404.body');
    const week = file[1] ? Number(file[1]) : undefined;
    try {
      const result = await exportGrades(deps.store, { org: course.org, format: file[2] as 'csv' | 'json', ...(week !== undefined ? { week } : {}) });
      ctx.send(200, { 'content-type': result.contentType, 'content-disposition': attachment(`${result.org}-${ctx.params.file}`) }, result.body);
    } catch (error) {
      if (!(error instanceof ExportError)) throw error;
      ctx.refuse(404, 'error.404.title', 'error.404.body');
    }
  });
};

/** Points as people read them: at most two decimals, the course's decimal mark. */
export function points(n: number | null): string {
  return n === null ? '—' : String(Math.round(n * 100) / 100);
}

export function when(ctx: WebContext): (at: string | number) => string {
  const format = new Intl.DateTimeFormat(ctx.locale === 'es' ? 'es' : 'en', { dateStyle: 'medium', timeStyle: 'short', timeZone: typeof ctx.course?.config.timezone === 'string' ? ctx.course.config.timezone : 'UTC' });
  return (at) => format.format(new Date(at));
}

/** GitHub's web address, for links to commits, check runs and pull requests. */
function githubWeb(ctx: WebContext): string {
  return ctx.deps.oauth?.webUrl ?? 'https://github.com';
}

/** A column header's link: sorts by it, or flips the order when it already does. */
function sortLink(ctx: WebContext, query: { q: string; section: string; sort: string; dir: string }): (key: string) => { href: string; sort: 'ascending' | 'descending' | 'none' } {
  return (key) => {
    const params = new URLSearchParams();
    if (query.q) params.set('q', query.q);
    if (query.section) params.set('section', query.section);
    params.set('sort', key);
    const current = query.sort === key;
    params.set('dir', current && query.dir === 'asc' ? 'desc' : 'asc');
    return { href: `/dashboard/${encodeURIComponent(ctx.course!.org)}?${params}`, sort: current ? (query.dir === 'asc' ? 'ascending' : 'descending') : 'none' };
  };
}
