import { timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { Session } from './session.ts';

/**
 * CSRF protection of every state-changing request, two ways at once: the session's
 * synchronizer token (a hidden `_csrf` field, views/partials/csrf.eta, or an
 * `x-csrf-token` header) must match, and a browser's Origin / Sec-Fetch-Site must be ours.
 * The router applies it to every POST route before the route runs.
 */
export function csrfOk(req: IncomingMessage, session: Session | undefined, form: URLSearchParams, ownOrigin: string): boolean {
  if (!session) return false;
  if (req.headers['sec-fetch-site'] === 'cross-site') return false;
  const origin = req.headers.origin;
  if (origin !== undefined && origin !== ownOrigin) return false;
  const given = Buffer.from(String(req.headers['x-csrf-token'] ?? form.get('_csrf') ?? ''));
  const expected = Buffer.from(session.csrf);
  return given.length === expected.length && timingSafeEqual(given, expected);
}
