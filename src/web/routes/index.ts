import type { RouteGroup } from '../context.ts';
import { assetRoutes } from './assets.ts';
import { authRoutes } from './auth.ts';
import { courseRoutes } from './course.ts';
import { opsRoutes } from './ops.ts';

/**
 * Every route of the dashboard, one group per file. To add pages: write a group
 * (`export const myRoutes: RouteGroup = (router) => { router.get('/dashboard/:org/queue', 'course', async (ctx) => ctx.render('queue', { title, nav: 'queue', … })) }`),
 * its views under views/ (each starts with `<% layout('./layout') %>`), its words in a
 * catalogue (addCatalogue, i18n.ts), and add it to this list. POST routes get the CSRF
 * check for free; forms include views/partials/csrf.eta.
 */
export const ROUTE_GROUPS: readonly RouteGroup[] = [assetRoutes, authRoutes, courseRoutes, opsRoutes];
