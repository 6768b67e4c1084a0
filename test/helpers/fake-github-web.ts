import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A stand-in for GitHub over real HTTP on 127.0.0.1: the web's OAuth pages
 * (/login/oauth/authorize, /login/oauth/access_token) and the API's /user,
 * organization installation and the memberships the TA rule asks about
 * (served under /api/v3, as a GitHub Enterprise Server does).
 */
export interface FakeUser {
  readonly login: string;
  readonly id: number;
}

export class FakeGitHubWeb {
  readonly clientId = 'Iv1.dashboardtest';
  readonly clientSecret = 'dashboard-client-secret';
  /** Who "signs in" at the authorize page next. */
  signInAs: FakeUser = { login: 'nobody', id: 1 };
  /** org → team slug → active member logins. */
  readonly teams = new Map<string, Map<string, Set<string>>>();
  /** org → owner logins. */
  readonly owners = new Map<string, Set<string>>();
  /** Every request, as `METHOD /path?query`. */
  readonly requests: string[] = [];
  /** When set, the membership lookups answer this status (e.g. 502). */
  failMemberships: number | undefined;
  private readonly codes = new Map<string, FakeUser>();
  private readonly tokens = new Map<string, FakeUser>();
  private server!: Server;
  origin = '';

  async start(): Promise<this> {
    this.server = createServer((req, res) => void this.handle(req, res));
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    this.origin = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this;
  }

  close(): Promise<void> {
    return new Promise((resolve) => this.server.close(() => resolve()));
  }

  addTa(org: string, team: string, login: string): void {
    const teams = this.teams.get(org) ?? new Map<string, Set<string>>();
    this.teams.set(org, teams);
    teams.set(team, (teams.get(team) ?? new Set()).add(login));
  }

  removeTa(org: string, team: string, login: string): void {
    this.teams.get(org)?.get(team)?.delete(login);
  }

  count(prefix: string): number {
    return this.requests.filter((r) => r.startsWith(prefix)).length;
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', this.origin);
    this.requests.push(`${req.method} ${url.pathname}${url.search}`);
    const json = (status: number, body: unknown) => void res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
    if (req.method === 'GET' && url.pathname === '/login/oauth/authorize') {
      if (url.searchParams.get('client_id') !== this.clientId) return void res.writeHead(404).end('unknown app');
      const code = `code-${Math.random().toString(36).slice(2)}`;
      this.codes.set(code, this.signInAs);
      const back = new URL(url.searchParams.get('redirect_uri')!);
      back.searchParams.set('code', code);
      back.searchParams.set('state', url.searchParams.get('state') ?? '');
      return void res.writeHead(302, { location: back.toString() }).end();
    }
    if (req.method === 'POST' && url.pathname === '/login/oauth/access_token') {
      let body = '';
      for await (const chunk of req) body += chunk;
      const form = JSON.parse(body) as { client_id: string; client_secret: string; code: string };
      const user = this.codes.get(form.code);
      this.codes.delete(form.code);
      if (form.client_id !== this.clientId || form.client_secret !== this.clientSecret || !user) return json(200, { error: 'bad_verification_code' });
      const token = `ghu_${Math.random().toString(36).slice(2)}`;
      this.tokens.set(token, user);
      return json(200, { access_token: token, token_type: 'bearer' });
    }
    if (req.method === 'GET' && url.pathname === '/api/v3/user') {
      const user = this.tokens.get(/^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1] ?? '');
      return user ? json(200, { login: user.login, id: user.id }) : json(401, { message: 'Bad credentials' });
    }
    let m = /^\/api\/v3\/orgs\/([^/]+)\/installation$/.exec(url.pathname);
    if (req.method === 'GET' && m) return json(200, { id: 4242, account: { login: m[1] } });
    if (req.method === 'POST' && /^\/api\/v3\/app\/installations\/\d+\/access_tokens$/.test(url.pathname)) return json(201, { token: 'ghs_installation', expires_at: new Date(Date.now() + 3_600_000).toISOString(), permissions: {} });
    m = /^\/api\/v3\/orgs\/([^/]+)\/teams\/([^/]+)\/memberships\/([^/]+)$/.exec(url.pathname);
    if (req.method === 'GET' && m) {
      if (this.failMemberships) return json(this.failMemberships, { message: 'Server Error' });
      const member = this.teams.get(m[1]!)?.get(m[2]!)?.has(m[3]!);
      return member ? json(200, { state: 'active', role: 'member' }) : json(404, { message: 'Not Found' });
    }
    m = /^\/api\/v3\/orgs\/([^/]+)\/memberships\/([^/]+)$/.exec(url.pathname);
    if (req.method === 'GET' && m) {
      if (this.failMemberships) return json(this.failMemberships, { message: 'Server Error' });
      return this.owners.get(m[1]!)?.has(m[2]!) ? json(200, { state: 'active', role: 'admin' }) : json(200, { state: 'active', role: 'member' });
    }
    json(404, { message: 'Not Found' });
  }
}
