import { promises as fs, readFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { join } from 'node:path';
import { parseEnv } from 'node:util';
import { Octokit } from '@octokit/rest';
import { parse as parseYaml } from 'yaml';
import { baseUrlFromEnv } from './github/octokit.ts';

/**
 * The registration page `npm start` serves until the app has credentials: it posts a
 * GitHub App manifest built from app.yml, exchanges the code GitHub sends back for
 * the app's id, key and webhook secret, and writes them into .env.
 *
 * It replaces Probot's setup app, which (Probot 14.3) puts the manifest JSON in a
 * single-quoted HTML attribute without escaping it, so the apostrophe in app.yml's
 * description ends the attribute and GitHub receives a truncated manifest, and which
 * sets the webhook URL to the site's root instead of the path Probot serves webhooks on.
 */

export const DEFAULT_WEBHOOK_PATH = '/api/github/webhooks';

export interface WebhookTarget {
  readonly url: string;
  /** proxy: Probot's webhook proxy (a laptop trial); public: RUBRICA_PUBLIC_URL; request: the address the page was opened at. */
  readonly via: 'proxy' | 'public' | 'request';
}

/** Where GitHub will deliver webhooks once the app is registered. */
export function webhookTarget(env: NodeJS.ProcessEnv, requestBase: string): WebhookTarget {
  if (env.WEBHOOK_PROXY_URL) return { url: env.WEBHOOK_PROXY_URL, via: 'proxy' };
  const path = env.WEBHOOK_PATH || DEFAULT_WEBHOOK_PATH;
  if (env.RUBRICA_PUBLIC_URL) return { url: `${env.RUBRICA_PUBLIC_URL.replace(/\/+$/, '')}${path}`, via: 'public' };
  return { url: `${requestBase}${path}`, via: 'request' };
}

/** True for a webhook URL GitHub cannot reach: plain HTTP, or this machine's own names. */
export function unreachableFromGitHub(url: string): boolean {
  const { protocol, hostname } = new URL(url);
  return protocol !== 'https:' || hostname === 'localhost' || hostname.endsWith('.localhost') || /^(127\.|0\.0\.0\.0$|\[::1?\]$)/.test(hostname);
}

/** The manifest GitHub's "new app" form takes: app.yml, with the URLs of this server. */
export function manifestFor(appYml: string, { webhookUrl, baseUrl }: { webhookUrl: string; baseUrl: string }): Record<string, unknown> {
  const app = (parseYaml(appYml) ?? {}) as Record<string, unknown>;
  return {
    ...app,
    hook_attributes: { ...(app.hook_attributes as object | undefined), url: webhookUrl, active: true },
    redirect_url: `${baseUrl}/probot/setup`,
    // The dashboard's "Sign in with GitHub" comes back here (the App's user authorization).
    callback_urls: [`${baseUrl}/dashboard/callback`],
  };
}

/** Escapes text for HTML content and for attribute values in either kind of quotes. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

const STYLE = `body{font:16px/1.5 system-ui,sans-serif;max-width:44rem;margin:3rem auto;padding:0 1rem;color:#1f2328}
code,textarea,input{font:14px ui-monospace,monospace}.warn{background:#fff8c5;border:1px solid #d4a72c;padding:.75rem;border-radius:6px}
button{font-size:1rem;padding:.5rem 1rem;cursor:pointer}label{display:block;margin-top:1rem}textarea,input{width:100%;box-sizing:border-box}`;

function page(title: string, body: string): string {
  return `<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)}</title><style>${STYLE}</style></head>
<body>${body}</body></html>`;
}

function webhookNotice(target: WebhookTarget): string {
  const url = `<code>${escapeHtml(target.url)}</code>`;
  if (target.via === 'proxy') return `<p>GitHub will send webhooks to the webhook proxy ${url} (WEBHOOK_PROXY_URL), which forwards them to this server.</p>`;
  const line = `<p>GitHub will send webhooks to ${url}.</p>`;
  if (!unreachableFromGitHub(target.url)) return line;
  return `${line}<p class="warn">GitHub cannot reach this address. On a server, set <code>RUBRICA_PUBLIC_URL=https://&lt;host&gt;</code>
(HTTPS in front of Rubrica); for a trial on a laptop, set <code>WEBHOOK_PROXY_URL</code> to a webhook proxy channel.
Then restart and reload this page.</p>`;
}

export function setupPage({ name, description, createAppUrl, manifest, target }: {
  name: string;
  description: string;
  createAppUrl: string;
  manifest: Record<string, unknown>;
  target: WebhookTarget;
}): string {
  return page(
    `Register ${name}`,
    `<h1>Register ${escapeHtml(name)}</h1>
<p>${escapeHtml(description)}</p>
${webhookNotice(target)}
<form action="${escapeHtml(createAppUrl)}" method="post" target="_blank">
<input type="hidden" name="manifest" value="${escapeHtml(JSON.stringify(manifest))}">
<button type="submit" id="register">Register GitHub App</button>
</form>
<p>GitHub asks for the app's name and where to create it, then sends you back here; this server writes
<code>APP_ID</code>, <code>PRIVATE_KEY</code> and <code>WEBHOOK_SECRET</code> into <code>.env</code>. Restart it afterwards.</p>
<p><a href="/probot/import">Use an existing GitHub App instead</a></p>`,
  );
}

export function importPage({ target, appsUrl }: { target: WebhookTarget; appsUrl: string }): string {
  return page(
    'Use an existing GitHub App',
    `<h1>Use an existing GitHub App</h1>
<p>1. In <a href="${escapeHtml(appsUrl)}" target="_blank" rel="noreferrer">your app's settings</a>, replace its Webhook URL with
<code>${escapeHtml(target.url)}</code> and set a webhook secret.</p>
${target.via === 'proxy' ? '' : unreachableFromGitHub(target.url) ? webhookNotice(target) : ''}
<p>2. Paste the app's id, a private key (generate one in the same settings) and the webhook secret:</p>
<form method="post" action="/probot/import">
<label>App ID <input name="appId" required></label>
<label>Private key (PEM) <textarea name="pem" rows="8" required></textarea></label>
<label>Webhook secret <input name="webhook_secret" required></label>
<p><button type="submit">Save to .env</button></p>
</form>`,
  );
}

function donePage(html: string): string {
  return page('Rubrica is registered', `<h1>Registered</h1><p>${html}</p><p>Restart Rubrica (<code>npm start</code>) so it uses them.</p>`);
}

/** Sets keys in a .env file, keeping its other lines (and their comments) as they are. */
export async function updateEnvFile(path: string, values: Record<string, string>): Promise<void> {
  const text = await fs.readFile(path, 'utf8').catch(() => '');
  const lines = text.split('\n').filter((line, i, all) => !(i === all.length - 1 && line === ''));
  const pending = new Map(Object.entries(values));
  // Node's .env parser (Probot reads .env with it) turns \n back into newlines in double quotes only.
  const format = (key: string, value: string) =>
    `${key}=${value.includes('\n') || (/[#\s']/.test(value) && !value.includes('"')) ? `"${value.replace(/\n/g, '\\n')}"` : /[#\s"]/.test(value) ? `'${value}'` : value}`;
  const updated = lines.map((line) => {
    const key = /^\s*([A-Za-z_][A-Za-z0-9_]*)\s*=/.exec(line)?.[1];
    if (!key || !pending.has(key)) return line;
    const value = pending.get(key)!;
    pending.delete(key);
    return format(key, value);
  });
  for (const [key, value] of pending) updated.push(format(key, value));
  await fs.writeFile(path, `${updated.join('\n')}\n`, { mode: 0o600 });
}

/** The environment as Probot will see it: its run() assigns .env's values over the process's. */
export function envWithDotenv(cwd: string, env: NodeJS.ProcessEnv = process.env): NodeJS.ProcessEnv {
  let file: NodeJS.Dict<string> = {};
  try {
    file = parseEnv(readFileSync(join(cwd, '.env'), 'utf8'));
  } catch {
    // no .env yet
  }
  return { ...env, ...file };
}

/** Without an app id and key, Probot cannot start: the app must be registered first. */
export function needsRegistration(env: NodeJS.ProcessEnv): boolean {
  return !env.APP_ID || !(env.PRIVATE_KEY || env.PRIVATE_KEY_PATH);
}

export interface SetupOptions {
  /** Where app.yml and .env are (the working folder). */
  readonly cwd: string;
  readonly env: NodeJS.ProcessEnv;
  readonly log?: (line: string) => void;
}

function requestBase(req: IncomingMessage): string {
  const proto = String(req.headers['x-forwarded-proto'] ?? '').split(',')[0]?.trim() || ('encrypted' in req.socket && req.socket.encrypted ? 'https' : 'http');
  const host = String(req.headers['x-forwarded-host'] ?? req.headers.host ?? 'localhost').split(',')[0]!.trim();
  return `${proto}://${host}`;
}

async function body(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > 64 << 10) throw new Error('request too large');
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}

/** The registration server's request handler (GET /, /probot, /probot/setup, /probot/import; POST /probot/import). */
export function setupHandler({ cwd, env, log = () => {} }: SetupOptions) {
  const webHost = env.GHE_HOST ? `${env.GHE_PROTOCOL ?? 'https'}://${env.GHE_HOST}` : 'https://github.com';
  const createAppUrl = `${webHost}${env.GH_ORG ? `/organizations/${encodeURIComponent(env.GH_ORG)}` : ''}/settings/apps/new`;
  const envPath = join(cwd, '.env');
  const html = (res: ServerResponse, status: number, text: string): void =>
    void res.writeHead(status, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' }).end(text);

  return async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const base = env.RUBRICA_PUBLIC_URL?.replace(/\/+$/, '') || requestBase(req);
    const target = webhookTarget(env, base);
    try {
      if (req.method === 'GET' && url.pathname === '/') return void res.writeHead(302, { location: '/probot' }).end();
      if (req.method === 'GET' && url.pathname === '/probot') {
        const appYml = await fs.readFile(join(cwd, 'app.yml'), 'utf8');
        const manifest = manifestFor(appYml, { webhookUrl: target.url, baseUrl: base });
        return html(res, 200, setupPage({ name: String(manifest.name ?? 'Rubrica'), description: String(manifest.description ?? ''), createAppUrl, manifest, target }));
      }
      if (req.method === 'GET' && url.pathname === '/probot/setup') {
        const code = url.searchParams.get('code');
        if (!code) return html(res, 400, page('Missing code', '<p>GitHub did not send a registration code.</p>'));
        const baseUrl = baseUrlFromEnv(env);
        const github = new Octokit(baseUrl ? { baseUrl } : {});
        const { data } = await github.rest.apps.createFromManifest({ code });
        await updateEnvFile(envPath, {
          APP_ID: String(data.id),
          PRIVATE_KEY: data.pem,
          WEBHOOK_SECRET: data.webhook_secret ?? '',
          GITHUB_CLIENT_ID: data.client_id,
          GITHUB_CLIENT_SECRET: data.client_secret,
        });
        log(`Registered the GitHub App ${data.slug ?? data.id}; its credentials are in ${envPath}. Restart Rubrica.`);
        return void res.writeHead(302, { location: `${data.html_url}/installations/new` }).end();
      }
      if (req.method === 'GET' && url.pathname === '/probot/import') return html(res, 200, importPage({ target, appsUrl: `${webHost}/settings/apps` }));
      if (req.method === 'POST' && url.pathname === '/probot/import') {
        const form = new URLSearchParams(await body(req));
        const appId = form.get('appId')?.trim();
        const pem = form.get('pem')?.trim();
        const secret = form.get('webhook_secret')?.trim();
        if (!appId || !/^\d+$/.test(appId) || !pem || !secret) {
          return html(res, 400, page('Missing fields', '<p>The app id (a number), the private key and the webhook secret are all needed.</p><p><a href="/probot/import">Back</a></p>'));
        }
        await updateEnvFile(envPath, { APP_ID: appId, PRIVATE_KEY: `${pem}\n`, WEBHOOK_SECRET: secret });
        log(`Saved the GitHub App ${appId}'s credentials in ${envPath}. Restart Rubrica.`);
        return html(res, 200, donePage(`The app's id, key and webhook secret are in <code>${escapeHtml(envPath)}</code>.`));
      }
      res.writeHead(404, { 'content-type': 'text/plain' }).end('Rubrica is not registered yet: open / to register it.\n');
    } catch (error) {
      log(`setup: ${(error as Error).message}`);
      html(res, 500, page('Registration failed', `<p>${escapeHtml((error as Error).message)}</p><p><a href="/probot">Start again</a></p>`));
    }
  };
}

/** Serves the registration page until the app has credentials (`npm start` without APP_ID). */
export async function startSetupServer(options: SetupOptions & { port: number; host?: string }): Promise<Server> {
  const server = createServer(setupHandler(options));
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => resolve());
  });
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : options.port;
  const target = webhookTarget(options.env, options.env.RUBRICA_PUBLIC_URL?.replace(/\/+$/, '') || `http://localhost:${port}`);
  const log = options.log ?? (() => {});
  log(`Listening on http://${options.host ?? 'localhost'}:${port}`);
  log(`Rubrica is not registered with GitHub yet (no APP_ID and PRIVATE_KEY): open http://localhost:${port} to register it.`);
  log(`Its webhook URL will be ${target.url}${unreachableFromGitHub(target.url) && target.via !== 'proxy' ? ', which GitHub cannot reach: set RUBRICA_PUBLIC_URL (a server) or WEBHOOK_PROXY_URL (a laptop trial) first.' : '.'}`);
  return server;
}
