import { randomBytes } from 'node:crypto';
import type { RouteGroup, WebContext } from '../context.ts';
import { isHttps, ownOrigin } from '../handler.ts';
import { authorizeUrl, SignInFailed, userFromCode } from '../oauth.ts';
import { cookie, cookies, newSession, seal, SESSION_COOKIE, SESSION_SECONDS, STATE_COOKIE, unseal } from '../session.ts';

/** Where to go after signing in: one of our paths, nothing else. */
function nextPath(raw: string | null | undefined): string {
  return raw && /^\/dashboard(\/[^\\]*)?(\?.*)?$/.test(raw) && !raw.startsWith('//') ? raw : '/dashboard';
}

const redirectUri = (ctx: WebContext) => `${ownOrigin(ctx.req, ctx.deps)}/dashboard/callback`;

export const authRoutes: RouteGroup = (router, deps) => {
  router.get('/dashboard/sign-in', 'public', (ctx) => {
    if (!deps.oauth) return ctx.render('message', { title: ctx.t('auth.signInTitle'), text: ctx.t('auth.notConfigured') }, 503);
    const next = nextPath(ctx.url.searchParams.get('next'));
    if (ctx.url.searchParams.get('go') !== '1') return ctx.render('sign-in', { title: ctx.t('auth.signInTitle'), go: `/dashboard/sign-in?go=1&next=${encodeURIComponent(next)}` });
    // The state ties GitHub's answer to this browser (a signed, short-lived cookie).
    const state = randomBytes(18).toString('base64url');
    ctx.setCookie(cookie(STATE_COOKIE, seal(deps.sessionKey, { state, next, at: deps.now() }), { secure: isHttps(ctx.req, deps), maxAge: 600 }));
    ctx.redirect(authorizeUrl(deps.oauth, redirectUri(ctx), state));
  });

  router.get('/dashboard/callback', 'public', async (ctx) => {
    const secure = isHttps(ctx.req, deps);
    const pending = unseal<{ state: string; next: string; at: number }>(deps.sessionKey, cookies(ctx.req)[STATE_COOKIE]);
    const code = ctx.url.searchParams.get('code');
    ctx.setCookie(cookie(STATE_COOKIE, '', { secure, maxAge: 0 }));
    if (!deps.oauth || !pending || !code || pending.state !== ctx.url.searchParams.get('state') || deps.now() - pending.at > 600_000) {
      return ctx.render('message', { title: ctx.t('auth.signInTitle'), text: ctx.t('auth.failed'), signIn: '/dashboard/sign-in' }, 400);
    }
    let user: { login: string; id: number };
    try {
      user = await userFromCode(deps.oauth, code, redirectUri(ctx));
    } catch (error) {
      deps.log.warn({ err: { message: (error as Error).message } }, 'dashboard sign-in failed');
      if (!(error instanceof SignInFailed) && !(error instanceof Error)) throw error;
      return ctx.render('message', { title: ctx.t('auth.signInTitle'), text: ctx.t('auth.failed'), signIn: '/dashboard/sign-in' }, 502);
    }
    // Access is asked of GitHub afresh at each sign-in.
    deps.access.forget(user.login);
    deps.log.info({ login: user.login }, 'dashboard sign-in');
    ctx.setCookie(cookie(SESSION_COOKIE, seal(deps.sessionKey, newSession(user, deps.now())), { secure, maxAge: SESSION_SECONDS }));
    ctx.redirect(nextPath(pending.next));
  });

  router.post('/dashboard/sign-out', 'signed-in', (ctx) => {
    deps.access.forget(ctx.session!.login);
    ctx.setCookie(cookie(SESSION_COOKIE, '', { secure: isHttps(ctx.req, deps), maxAge: 0 }));
    Object.assign(ctx, { session: undefined });
    ctx.render('message', { title: ctx.t('auth.signedOut'), text: ctx.t('auth.signedOut'), signIn: '/dashboard/sign-in' });
  });
};
