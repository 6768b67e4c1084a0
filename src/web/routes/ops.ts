import { parseDuration, parsePoints } from '../../commands/parse.ts';
import { latestGradingOfUnit } from '../../commands/apply.ts';
import { unitKey, weekUnit } from '../../course/unit.ts';
import { say, type Text } from '../../core/text.ts';
import { courseOf, type ServiceDeps } from '../../services/course.ts';
import { operations, taQueue } from '../../services/pages.ts';
import { discardRegrade, publishRegrade, regradeSummary, startRegrade } from '../../services/regrade.ts';
import { answerReview, clearCriterion, extendDeadline, isCourseRepository, overrideCriterion, requeueFailed, scoreCriterion, type ActionResult } from '../../services/ta-actions.ts';
import type { DashboardDeps, RouteGroup, WebContext } from '../context.ts';
import '../pages/ops-words.ts';
import { points, when } from './course.ts';

/**
 * The TA queue, operations, a student's week to change, and the regrade before/after:
 * pages read the record (src/services/pages.ts); each POST runs one service (src/services),
 * which records who (the session's login) and when, and publishes through the outbox.
 */
export const opsRoutes: RouteGroup = (router, deps) => {
  router.get('/dashboard/:org/queue', 'course', (ctx) => queuePage(ctx, deps));

  router.post('/dashboard/:org/queue/manual', 'course', async (ctx) => {
    const target = targetOf(ctx);
    const points = pointsOf(ctx);
    if (!target || typeof points !== 'number') return queuePage(ctx, deps, typeof points === 'object' ? points : undefined);
    const result = await scoreCriterion(services(ctx, deps), target, ctx.form.get('criterion') ?? '', points, ctx.form.get('reason') ?? '');
    return result.ok ? ctx.redirect(`${base(ctx)}/queue?done=manual`) : queuePage(ctx, deps, result.error);
  });

  router.post('/dashboard/:org/reviews/:id/answer', 'course', async (ctx) => {
    const result = await answerReview(services(ctx, deps), ctx.course!.org, ctx.params.id!, ctx.session!.login, ctx.form.get('answer') ?? '');
    return result.ok ? ctx.redirect(`${base(ctx)}/queue?done=answer`) : queuePage(ctx, deps, result.error);
  });

  router.get('/dashboard/:org/repos/:repoId/weeks/:week/change', 'course', (ctx) => changePage(ctx, deps));

  router.post('/dashboard/:org/repos/:repoId/weeks/:week/:action', 'course', async (ctx) => {
    const target = targetOf(ctx);
    const action = ctx.params.action!;
    if (!target || !['override', 'manual', 'clear', 'extend'].includes(action)) return ctx.refuse(404, 'error.404.title', 'error.404.body');
    const s = services(ctx, deps);
    const criterion = ctx.form.get('criterion') ?? '';
    let result: ActionResult;
    if (action === 'clear') {
      result = await clearCriterion(s, target, criterion);
    } else if (action === 'extend') {
      const minutes = parseDuration((ctx.form.get('duration') ?? '').replace(/\s+/g, ''));
      if (typeof minutes !== 'number') return changePage(ctx, deps, minutes);
      result = await extendDeadline(s, target, minutes, ctx.form.get('reason')?.trim() || undefined);
    } else {
      const points = pointsOf(ctx);
      if (typeof points !== 'number') return changePage(ctx, deps, points);
      result = await (action === 'manual' ? scoreCriterion : overrideCriterion)(s, target, criterion, points, ctx.form.get('reason') ?? '');
    }
    return result.ok ? ctx.redirect(`${base(ctx)}/repos/${target.repoId}/weeks/${target.week}/change?done=${action}`) : changePage(ctx, deps, result.error);
  });

  router.get('/dashboard/:org/operations', 'course', (ctx) => operationsPage(ctx, deps));

  router.post('/dashboard/:org/jobs/requeue', 'course', async (ctx) => {
    const job = ctx.form.get('job') || undefined;
    const result = await requeueFailed(services(ctx, deps), ctx.course!.org, ctx.session!.login, job);
    return result.ok ? ctx.redirect(`${base(ctx)}/operations?done=requeue&count=${result.count ?? 0}`) : operationsPage(ctx, deps, result.error);
  });

  router.post('/dashboard/:org/regrades', 'course', async (ctx) => {
    const week = Number(ctx.form.get('week'));
    const result = await startRegrade(services(ctx, deps), ctx.course!.org, Number.isInteger(week) ? week : 0, ctx.session!.login);
    return result.ok ? ctx.redirect(`${base(ctx)}/regrades/${result.regrade.id}`) : operationsPage(ctx, deps, result.error);
  });

  router.get('/dashboard/:org/regrades/:id', 'course', (ctx) => regradePage(ctx, deps));

  router.post('/dashboard/:org/regrades/:id/:decision', 'course', async (ctx) => {
    const decision = ctx.params.decision;
    if (decision !== 'publish' && decision !== 'discard') return ctx.refuse(404, 'error.404.title', 'error.404.body');
    const result = await (decision === 'publish' ? publishRegrade : discardRegrade)(services(ctx, deps), ctx.course!.org, ctx.params.id!, ctx.session!.login);
    return result.ok ? ctx.redirect(`${base(ctx)}/regrades/${encodeURIComponent(ctx.params.id!)}?done=${decision}`) : regradePage(ctx, deps, result.error);
  });
};

function services(ctx: WebContext, deps: DashboardDeps): ServiceDeps {
  return { store: deps.store, now: ctx.now, ...(deps.rubricsDir !== undefined ? { rubricsDir: deps.rubricsDir } : {}) };
}

const base = (ctx: WebContext) => `/dashboard/${encodeURIComponent(ctx.course!.org)}`;

/** The student's week a form acts on: from the path, else from the form's fields. */
function targetOf(ctx: WebContext) {
  const repo = ctx.params.repoId ?? ctx.form.get('repo') ?? '';
  const week = ctx.params.week ?? ctx.form.get('week') ?? '';
  if (!/^\d{1,15}$/.test(repo) || !/^\d{1,2}$/.test(week)) return undefined;
  return { org: ctx.course!.org, repoId: Number(repo), week: Number(week), by: ctx.session!.login };
}

function pointsOf(ctx: WebContext): number | Text {
  return parsePoints((ctx.form.get('points') ?? '').trim());
}

/** A page's message: what the last action did (after its redirect), or why it was not done. */
function messageOf(ctx: WebContext, error?: Text): { kind: 'done' | 'error'; text: string } | undefined {
  if (error) return { kind: 'error', text: say(error, ctx.locale) };
  const done = ctx.url.searchParams.get('done');
  if (done && /^(manual|override|clear|extend|answer|requeue|publish|discard)$/.test(done)) return { kind: 'done', text: ctx.t(`done.${done}`, { count: ctx.url.searchParams.get('count') ?? '0' }) };
  return undefined;
}

async function queuePage(ctx: WebContext, deps: DashboardDeps, error?: Text) {
  const view = await taQueue(services(ctx, deps), ctx.course!.org);
  ctx.render('queue', { title: ctx.t('queue.title'), nav: 'queue', view, message: messageOf(ctx, error), when: when(ctx), fmt: points }, error ? 400 : 200);
}

async function changePage(ctx: WebContext, deps: DashboardDeps, error?: Text) {
  const target = targetOf(ctx);
  const s = services(ctx, deps);
  const course = target && (await courseOf(s, ctx.course!.org));
  const rubric = target && course?.pack.weeks.get(target.week);
  if (!target || !course || !rubric) return ctx.refuse(404, 'error.404.title', 'error.404.body');
  const unit = unitKey(weekUnit(target.week));
  const [shown, overrides, extension, reviews] = await Promise.all([
    latestGradingOfUnit(deps.store, target.repoId, unit),
    deps.store.tas.overrides({ repoId: target.repoId, unit }),
    deps.store.record.extensionFor(target.repoId, unit),
    deps.store.reviews.list({ repoId: target.repoId, state: 'open' }),
  ]);
  // A repository of another course is not this page's, even by its number.
  if (!(await isCourseRepository(s, ctx.course!.org, target.repoId))) return ctx.refuse(404, 'error.404.title', 'error.404.body');
  const criteria = rubric.criteria.map((c) => ({
    id: c.id,
    title: c.title[ctx.locale],
    max: c.points,
    manual: c.manual,
    score: shown?.criteria.find((x) => x.id === c.id)?.score ?? null,
    override: overrides.find((o) => o.criterion === c.id),
    review: reviews.find((r) => r.week === target.week && r.criterion === c.id),
  }));
  const repo = shown?.repo ?? String(target.repoId);
  ctx.render('change', { title: ctx.t('change.title', { repo, week: target.week }), nav: 'queue', target, shown, criteria, extension, message: messageOf(ctx, error), fmt: points, when: when(ctx) }, error ? 400 : 200);
}

async function operationsPage(ctx: WebContext, deps: DashboardDeps, error?: Text) {
  const view = await operations(services(ctx, deps), ctx.course!.org, { concurrency: deps.concurrency, limits: deps.writeLimits });
  const regrades = await deps.store.regrades.list({ org: ctx.course!.org });
  ctx.render('operations', { title: ctx.t('ops.title'), nav: 'operations', view, regrades, weeks: ctx.course!.weeks, message: messageOf(ctx, error), when: when(ctx), duration }, error ? 400 : 200);
}

async function regradePage(ctx: WebContext, deps: DashboardDeps, error?: Text) {
  const summary = await regradeSummary(services(ctx, deps), ctx.params.id!);
  if (!summary || summary.regrade.org.toLowerCase() !== ctx.course!.org.toLowerCase()) return ctx.refuse(404, 'error.404.title', 'error.404.body');
  ctx.render('regrade', { title: ctx.t('regrade.title', { week: summary.regrade.week }), nav: 'operations', summary, message: messageOf(ctx, error), when: when(ctx), fmt: points }, error ? 400 : 200);
}

/** A duration in words people read at a glance: 45 s, 3 min, 2 h 10 min. */
function duration(ms: number): string {
  const s = Math.round(ms / 1000);
  if (s < 90) return `${s} s`;
  const m = Math.round(s / 60);
  return m < 90 ? `${m} min` : `${Math.floor(m / 60)} h ${m % 60} min`;
}
