import { createHmac, hkdfSync, randomBytes, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';

/**
 * The dashboard's session: a signed cookie (HMAC-SHA256), HttpOnly, SameSite=Lax
 * (the OAuth callback is a top-level navigation back from GitHub), Secure behind HTTPS.
 * It carries who signed in and the session's CSRF token, never a GitHub token: the
 * permission check uses the app's installation, so the user's token is dropped at sign-in.
 */
export interface Session {
  readonly login: string;
  readonly userId: number;
  /** The synchronizer token every state-changing request must carry (csrf.ts). */
  readonly csrf: string;
  /** Seconds since the epoch. */
  readonly issuedAt: number;
  readonly expiresAt: number;
}

export const SESSION_COOKIE = 'rubrica_session';
export const STATE_COOKIE = 'rubrica_oauth';
/** A working day: a stolen cookie is worth little for long, and a TA signs in again each morning. */
export const SESSION_SECONDS = 12 * 60 * 60;

/**
 * The signing key, derived from a secret the app already has (the GitHub App's client
 * secret, which sign-in needs anyway): no new secret to keep. Rotating the client
 * secret signs everyone out.
 */
export function sessionKey(secret: string, salt = 'rubrica'): Buffer {
  return Buffer.from(hkdfSync('sha256', secret, salt, 'rubrica dashboard session v1', 32));
}

const b64 = (b: Buffer | string) => Buffer.from(b).toString('base64url');

export function seal(key: Buffer, value: unknown): string {
  const body = b64(JSON.stringify(value));
  return `${body}.${b64(createHmac('sha256', key).update(body).digest())}`;
}

/** The value of a cookie we signed, or undefined when it is missing, forged or malformed. */
export function unseal<T>(key: Buffer, sealed: string | undefined): T | undefined {
  if (!sealed) return undefined;
  const dot = sealed.indexOf('.');
  if (dot <= 0) return undefined;
  const body = sealed.slice(0, dot);
  const given = Buffer.from(sealed.slice(dot + 1), 'base64url');
  const expected = createHmac('sha256', key).update(body).digest();
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return undefined;
  try {
    return JSON.parse(Buffer.from(body, 'base64url').toString('utf8')) as T;
  } catch {
    return undefined;
  }
}

export function newSession(user: { login: string; id: number }, nowMs: number): Session {
  const issuedAt = Math.floor(nowMs / 1000);
  return { login: user.login, userId: user.id, csrf: randomBytes(24).toString('base64url'), issuedAt, expiresAt: issuedAt + SESSION_SECONDS };
}

/** The session of a request, if its cookie is ours and still valid. */
export function sessionOf(req: IncomingMessage, key: Buffer, nowMs: number): Session | undefined {
  const s = unseal<Session>(key, cookies(req)[SESSION_COOKIE]);
  if (!s || typeof s.login !== 'string' || typeof s.csrf !== 'string' || typeof s.expiresAt !== 'number') return undefined;
  return s.expiresAt * 1000 > nowMs ? s : undefined;
}

export function cookies(req: IncomingMessage): Record<string, string> {
  const out: Record<string, string> = {};
  for (const part of (req.headers.cookie ?? '').split(';')) {
    const eq = part.indexOf('=');
    if (eq < 0) continue;
    const name = part.slice(0, eq).trim();
    if (name && !(name in out)) {
      try {
        out[name] = decodeURIComponent(part.slice(eq + 1).trim());
      } catch {
        // A cookie we did not write: ignored.
      }
    }
  }
  return out;
}

/** A Set-Cookie header for one of ours; maxAge 0 deletes it. */
export function cookie(name: string, value: string, options: { secure: boolean; maxAge: number; path?: string }): string {
  return [
    `${name}=${encodeURIComponent(value)}`,
    `Path=${options.path ?? '/dashboard'}`,
    `Max-Age=${options.maxAge}`,
    'HttpOnly',
    'SameSite=Lax',
    ...(options.secure ? ['Secure'] : []),
  ].join('; ');
}
