import type { IncomingMessage, ServerResponse } from 'node:http';

/**
 * A small router for the dashboard: GET and POST routes with `:name` segments
 * (one path segment each, URL-decoded). Each route says who may take it:
 *   public     anyone (sign-in, the callback, assets)
 *   signed-in  a signed-in user (the list of their courses, sign-out)
 *   course     a signed-in member of the teaching staff of the route's `:org`
 * Every POST must carry the session's CSRF token (checked before the route runs).
 */
export type Access = 'public' | 'signed-in' | 'course';

export interface Route<C> {
  readonly method: 'GET' | 'POST';
  readonly access: Access;
  readonly pattern: RegExp;
  readonly names: readonly string[];
  readonly handle: (ctx: C) => Promise<void> | void;
}

export class Router<C> {
  readonly routes: Route<C>[] = [];

  get(path: string, access: Access, handle: Route<C>['handle']): this {
    return this.add('GET', path, access, handle);
  }

  /** A state-changing route: the CSRF token is checked before `handle` runs. */
  post(path: string, access: Exclude<Access, 'public'>, handle: Route<C>['handle']): this {
    return this.add('POST', path, access, handle);
  }

  private add(method: 'GET' | 'POST', path: string, access: Access, handle: Route<C>['handle']): this {
    const names: string[] = [];
    const source = path
      .split('/')
      .map((part) => {
        if (!part.startsWith(':')) return part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
        names.push(part.slice(1));
        return '([^/]+)';
      })
      .join('/');
    this.routes.push({ method, access, pattern: new RegExp(`^${source}/?$`), names, handle });
    return this;
  }

  /** The route for a method and path, with its parameters; `methodMismatch` when only another method matches. */
  match(method: string, pathname: string): { route: Route<C>; params: Record<string, string> } | { methodMismatch: boolean } {
    let other = false;
    for (const route of this.routes) {
      const m = route.pattern.exec(pathname);
      if (!m) continue;
      if (route.method !== method && !(method === 'HEAD' && route.method === 'GET')) {
        other = true;
        continue;
      }
      const params: Record<string, string> = {};
      try {
        route.names.forEach((name, i) => (params[name] = decodeURIComponent(m[i + 1]!)));
      } catch {
        return { methodMismatch: false };
      }
      return { route, params };
    }
    return { methodMismatch: other };
  }
}

export type RawHandler = (req: IncomingMessage, res: ServerResponse) => Promise<boolean>;
