import type { RouteGroup } from '../context.ts';

/** The course list and each course's pages (the record only; access checked by the router). */
export const courseRoutes: RouteGroup = (router, deps) => {
  router.get('/dashboard', 'signed-in', async (ctx) => {
    const courses = [];
    // Only the courses this user is on the teaching team of (each answer cached for minutes).
    for (const c of await deps.store.record.courses()) if (await deps.access.allowed(c.org, ctx.session!.login)) courses.push(c);
    ctx.render('courses', { title: ctx.t('courses.title'), courses });
  });

  router.get('/dashboard/:org', 'course', async (ctx) => {
    ctx.render('overview', { title: ctx.course!.org, nav: 'overview' });
  });
};
