import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Locale } from '../core/text.ts';
import type { WriteLimits } from '../outbox/budget.ts';
import type { CountingRule } from '../store/records.ts';
import type { Store } from '../store/store.ts';
import type { CourseAccess } from './access.ts';
import type { Translate } from './i18n.ts';
import type { OAuthConfig } from './oauth.ts';
import type { Router } from './router.ts';
import type { Session } from './session.ts';

/** A course as the record knows it (the settings saved with its gradings). */
export interface CourseInfo {
  readonly org: string;
  /** Its id in the course file (`default` for a single-course file). */
  readonly course: string;
  /** Its grading units (`week-1`…, `final/first`). */
  readonly units: readonly string[];
  readonly weeks: number;
  readonly counts: CountingRule;
  readonly locale: Locale;
  /** Slug of the TA team (rubrica.yml's `tas`). */
  readonly tas: string;
  /** rubrica.yml as last recorded. */
  readonly config: Readonly<Record<string, unknown>>;
}

/** What a route gets: the request, who asked, the course (on course routes), and ways to answer. */
export interface WebContext {
  readonly req: IncomingMessage;
  readonly res: ServerResponse;
  readonly url: URL;
  /** The route's `:name` segments, URL-decoded. */
  readonly params: Readonly<Record<string, string>>;
  readonly store: Store;
  readonly locale: Locale;
  readonly t: Translate;
  /** Set on `signed-in` and `course` routes. */
  readonly session: Session | undefined;
  /** Set on `course` routes: the `:org` of the path, its access already checked. */
  readonly course: CourseInfo | undefined;
  /** A POST's urlencoded body (its CSRF token already checked); empty on GET. */
  readonly form: URLSearchParams;
  readonly now: () => Date;
  readonly deps: DashboardDeps;
  /** Renders a page (views/<view>.eta inside the layout): `data.title` names it. */
  render(view: string, data: { readonly title: string; readonly nav?: string } & Record<string, unknown>, status?: number): void;
  /** 303 to a path of ours (after a POST, or to sign in). */
  redirect(location: string): void;
  /** Any other answer (a download, JSON). */
  send(status: number, headers: Record<string, string>, body: string | Buffer): void;
  /** A page saying no (403, 404, …) in the context's locale, with no data. */
  refuse(status: 400 | 403 | 404 | 405 | 409, titleKey: string, textKey: string, vars?: Record<string, string>): void;
  setCookie(cookie: string): void;
}

/** What the dashboard is built with (dashboardHandler's options, resolved). */
export interface DashboardDeps {
  readonly store: Store;
  readonly access: CourseAccess;
  /** The GitHub App's user authorization; undefined: sign-in is not set up. */
  readonly oauth: OAuthConfig | undefined;
  readonly sessionKey: Buffer;
  /** The origin browsers reach us at (e.g. https://rubrica.example.edu); undefined: the request's Host. */
  readonly publicUrl: string | undefined;
  readonly now: () => number;
  readonly log: { warn(obj: object, msg: string): void; error(obj: object, msg: string): void; info(obj: object, msg: string): void };
  readonly rubricsDir?: string;
  readonly concurrency: number;
  readonly writeLimits: WriteLimits;
}

/** A group of routes (one file under routes/), registered on the dashboard's router. */
export type RouteGroup = (router: Router<WebContext>, deps: DashboardDeps) => void;
