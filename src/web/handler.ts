import { randomBytes } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { isLocale, type Locale } from '../core/text.ts';
import { GITHUB_LIMITS, type WriteLimits } from '../outbox/budget.ts';
import type { Store } from '../store/store.ts';
import { CourseAccess, type MembershipLookup } from './access.ts';
import type { CourseInfo, DashboardDeps, WebContext } from './context.ts';
import { csrfOk } from './csrf.ts';
import { browserLocale, translator } from './i18n.ts';
import type { OAuthConfig } from './oauth.ts';
import { renderView } from './render.ts';
import { Router, type RawHandler } from './router.ts';
import { ROUTE_GROUPS } from './routes/index.ts';
import { sessionKey, sessionOf } from './session.ts';

export interface DashboardOptions {
  readonly store: Store;
  /** Asks GitHub what a user is to an organization's course (src/web/github.ts). */
  readonly membership: MembershipLookup;
  readonly oauth?: OAuthConfig | undefined;
  /** RUBRICA_PUBLIC_URL: the redirect URI's origin; https here makes cookies Secure. */
  readonly publicUrl?: string | undefined;
  /** How long an answer about access is reused (default 3 minutes). */
  readonly accessTtlMs?: number;
  readonly now?: () => number;
  readonly log?: DashboardDeps['log'];
  /** Where the rubric packs are (the actions validate against them); our own rubrics/ by default. */
  readonly rubricsDir?: string;
  /** How many gradings run at once: the operations page's drain estimate. */
  readonly concurrency?: number;
  /** GitHub's write limits the outbox keeps to: the operations page's plan of held-back publications. */
  readonly writeLimits?: WriteLimits;
}

/**
 * The teaching team's web dashboard under /dashboard, mounted on the app's HTTP server
 * like the /admin door (probot's addHandler). Pages read the record (the Store), never
 * GitHub, except to check who may see a course. Routes live in routes/ (see routes/index.ts).
 */
export function dashboardHandler(options: DashboardOptions): RawHandler {
  const now = options.now ?? Date.now;
  const deps: DashboardDeps = {
    store: options.store,
    access: new CourseAccess(options.membership, { ...(options.accessTtlMs !== undefined ? { ttlMs: options.accessTtlMs } : {}), now }),
    oauth: options.oauth,
    // Derived from the client secret (no new secret); without sign-in, nobody can hold a session anyway.
    sessionKey: options.oauth ? sessionKey(options.oauth.clientSecret, options.oauth.clientId) : randomBytes(32),
    publicUrl: options.publicUrl?.replace(/\/+$/, ''),
    now,
    log: options.log ?? { warn: () => {}, error: () => {}, info: () => {} },
    ...(options.rubricsDir !== undefined ? { rubricsDir: options.rubricsDir } : {}),
    concurrency: options.concurrency ?? 1,
    writeLimits: options.writeLimits ?? GITHUB_LIMITS,
  };
  const router = new Router<WebContext>();
  for (const group of ROUTE_GROUPS) group(router, deps);

  return async (req, res) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    if (url.pathname !== '/dashboard' && !url.pathname.startsWith('/dashboard/')) return false;
    securityHeaders(res);
    const session = sessionOf(req, deps.sessionKey, now());
    let locale: Locale = browserLocale(req);
    const ctx = context(req, res, url, deps, session, () => locale);
    try {
      const found = router.match(req.method ?? 'GET', url.pathname);
      if (!('route' in found)) {
        if (found.methodMismatch) return (ctx.refuse(405, 'error.405.title', 'error.404.body'), true);
        ctx.refuse(404, 'error.404.title', 'error.404.body');
        return true;
      }
      const { route, params } = found;
      Object.assign(ctx, { params });
      if (route.method === 'POST') {
        Object.assign(ctx, { form: await readForm(req) });
        if (!csrfOk(req, session, ctx.form, ownOrigin(req, deps))) {
          ctx.refuse(403, 'error.csrf.title', 'error.csrf.body');
          return true;
        }
      }
      if (route.access !== 'public' && !session) {
        ctx.redirect(`/dashboard/sign-in?next=${encodeURIComponent(url.pathname + url.search)}`);
        return true;
      }
      if (route.access === 'course') {
        const course = await courseInfo(deps.store, params.org ?? '');
        if (!course) {
          ctx.refuse(404, 'error.404.title', 'error.404.body');
          return true;
        }
        locale = course.locale;
        if (!(await deps.access.allowed(course.org, session!.login))) {
          deps.log.info({ login: session!.login, org: course.org, path: url.pathname }, 'dashboard access refused');
          ctx.refuse(403, 'error.403.title', 'error.403.body', { org: course.org, login: session!.login });
          return true;
        }
        Object.assign(ctx, { course });
      }
      await route.handle(ctx);
    } catch (error) {
      if (res.headersSent) {
        res.destroy();
        return true;
      }
      if (error instanceof FormTooLarge) {
        ctx.refuse(400, 'error.404.title', 'error.404.body');
        return true;
      }
      // A failed membership lookup (GitHub 5xx, our network) is neither a grant nor a refusal.
      const github = typeof (error as { status?: unknown }).status === 'number' || (error as Error).name === 'HttpError';
      deps.log.error({ err: { message: (error as Error).message }, path: url.pathname }, github ? 'dashboard could not check access with GitHub' : 'dashboard page failed');
      page(ctx, github ? 503 : 500, 'message', { title: ctx.t(github ? 'error.503.title' : 'error.500.title'), text: ctx.t(github ? 'error.503.body' : 'error.500.body') });
    }
    return true;
  };
}

/** The course of `org` in the record, with its locale and TA team from the recorded rubrica.yml. */
export async function courseInfo(store: Store, org: string): Promise<CourseInfo | undefined> {
  if (!/^[A-Za-z0-9-]{1,39}$/.test(org)) return undefined;
  const row = await store.record.course(org);
  if (!row) return undefined;
  const config = (row.config && typeof row.config === 'object' ? row.config : {}) as Record<string, unknown>;
  const locale = typeof config.locale === 'string' && isLocale(config.locale) ? config.locale : 'es';
  return { org: row.org, course: row.course, units: row.units, weeks: row.weeks, counts: row.counts, locale, tas: typeof config.tas === 'string' ? config.tas : '', config };
}

function context(req: IncomingMessage, res: ServerResponse, url: URL, deps: DashboardDeps, session: WebContext['session'], locale: () => Locale): WebContext {
  const cookies: string[] = [];
  const ctx: WebContext = {
    req,
    res,
    url,
    params: {},
    store: deps.store,
    get locale() {
      return locale();
    },
    get t() {
      return translator(locale());
    },
    session,
    course: undefined,
    form: new URLSearchParams(),
    now: () => new Date(deps.now()),
    deps,
    render: (view, data, status = 200) => page(ctx, status, view, data),
    redirect: (location) => {
      // Only our own paths: a `next` from a query string never sends a user elsewhere.
      const safe = location.startsWith('/dashboard') || /^https?:\/\//.test(location) ? location : '/dashboard';
      res.writeHead(303, { location: safe, ...(cookies.length ? { 'set-cookie': cookies } : {}) }).end();
    },
    send: (status, headers, body) => {
      res.writeHead(status, { ...headers, ...(cookies.length ? { 'set-cookie': cookies } : {}) }).end(body);
    },
    refuse: (status, titleKey, textKey, vars) => page(ctx, status, 'message', { title: ctx.t(titleKey), text: ctx.t(textKey, vars), ...(status === 403 && !session && textKey !== 'error.csrf.body' ? { signIn: '/dashboard/sign-in' } : {}) }),
    setCookie: (c) => void cookies.push(c),
  };
  return ctx;
}

/** A page: the view inside the layout, with what every page shows (who is signed in, the course, the CSRF token). */
function page(ctx: WebContext, status: number, view: string, data: Record<string, unknown>): void {
  const html = renderView(view, {
    ...data,
    t: ctx.t,
    locale: ctx.locale,
    user: ctx.session ? { login: ctx.session.login } : undefined,
    csrf: ctx.session?.csrf ?? '',
    course: ctx.course,
    navLinks: ctx.course ? courseNav(ctx) : [],
  });
  ctx.send(status, { 'content-type': 'text/html; charset=utf-8' }, html);
}

/**
 * The links of a course's pages, in the header. dashops: add the TA queue and
 * operations here (id = the `nav` a page passes to render, so it is marked current).
 */
export function courseNav(ctx: WebContext): { id: string; href: string; label: string }[] {
  const org = encodeURIComponent(ctx.course!.org);
  return [
    { id: 'weeks', href: `/dashboard/${org}/weeks/1`, label: ctx.t('nav.weeks') },
    { id: 'queue', href: `/dashboard/${org}/queue`, label: ctx.t('nav.queue') },
    { id: 'operations', href: `/dashboard/${org}/operations`, label: ctx.t('nav.operations') },
  ];
}

/**
 * Nothing but our own files: no inline script or style, no other origin, forms post
 * only to us (sign-in is a link to GitHub, not a form), no framing. Pages are private (no-store).
 */
export function securityHeaders(res: ServerResponse): void {
  res.setHeader(
    'content-security-policy',
    ["default-src 'none'", "script-src 'self'", "style-src 'self'", "img-src 'self' data:", "connect-src 'self'", "form-action 'self'", "frame-ancestors 'none'", "base-uri 'none'"].join('; '),
  );
  res.setHeader('x-content-type-options', 'nosniff');
  res.setHeader('x-frame-options', 'DENY');
  res.setHeader('referrer-policy', 'same-origin');
  res.setHeader('cache-control', 'no-store');
  res.setHeader('cross-origin-opener-policy', 'same-origin');
}

/** Where browsers reach us: RUBRICA_PUBLIC_URL, else the request's own host. */
export function ownOrigin(req: IncomingMessage, deps: Pick<DashboardDeps, 'publicUrl'>): string {
  if (deps.publicUrl) return new URL(deps.publicUrl).origin;
  return `${isHttps(req, deps) ? 'https' : 'http'}://${req.headers.host ?? 'localhost'}`;
}

/** Behind HTTPS: the public URL says so, or the proxy in front of us (X-Forwarded-Proto), or TLS here. */
export function isHttps(req: IncomingMessage, deps: Pick<DashboardDeps, 'publicUrl'>): boolean {
  if (deps.publicUrl) return deps.publicUrl.startsWith('https:');
  return req.headers['x-forwarded-proto'] === 'https' || Boolean((req.socket as { encrypted?: boolean }).encrypted);
}

class FormTooLarge extends Error {}

/** A urlencoded form body, up to 64 KB (a TA's reason, a score: never more). */
async function readForm(req: IncomingMessage): Promise<URLSearchParams> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > 64 * 1024) throw new FormTooLarge();
    chunks.push(chunk as Buffer);
  }
  const type = String(req.headers['content-type'] ?? '');
  if (!type.startsWith('application/x-www-form-urlencoded') && size > 0) return new URLSearchParams();
  return new URLSearchParams(Buffer.concat(chunks).toString('utf8'));
}
