import { promises as fs, readFileSync } from 'node:fs';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseEnv } from 'node:util';
import nock from 'nock';
import type { BrowserContext } from 'playwright-core';
import { launchBrowser } from '../helpers/browser.ts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { startSetupServer } from '../../src/setup.ts';
import { PRIVATE_KEY } from '../helpers/github.ts';

/**
 * The registration page in a real browser (Debian's chromium, headless): the form the
 * "Register GitHub App" button submits must carry app.yml's whole manifest. GitHub's
 * "new app" address is intercepted, so nothing leaves the machine.
 */
const APP_YML = readFileSync(new URL('../../app.yml', import.meta.url), 'utf8');
const appYml = parseYaml(APP_YML) as Record<string, any>;

let context: BrowserContext;
let browser: Awaited<ReturnType<typeof launchBrowser>> | undefined;
const servers: Server[] = [];

async function serve(env: NodeJS.ProcessEnv, cwd = process.cwd()) {
  const server = await startSetupServer({ cwd, env, port: 0, host: '127.0.0.1' });
  servers.push(server);
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

/** Opens the page, clicks Register, and returns the manifest GitHub would receive. */
async function registeredManifest(origin: string): Promise<Record<string, any>> {
  const posted = new Promise<string>((resolve) => {
    void context.route('https://github.com/settings/apps/new', async (route) => {
      resolve(route.request().postData() ?? '');
      await route.fulfill({ status: 200, contentType: 'text/html', body: '<p>GitHub</p>' });
    });
  });
  const page = await context.newPage();
  await page.goto(origin);
  await page.click('#register');
  const form = new URLSearchParams(await posted);
  await context.unrouteAll();
  await page.close();
  return JSON.parse(form.get('manifest') ?? 'null');
}

beforeAll(async () => {
  browser = await launchBrowser();
  context = browser.context;
});

afterAll(async () => {
  await browser?.close();
  await Promise.all(servers.map((s) => new Promise((resolve) => s.close(resolve))));
});

describe('registering the app from the setup page', () => {
  it("posts app.yml's complete manifest with the public host's webhook URL", async () => {
    const origin = await serve({ RUBRICA_PUBLIC_URL: 'https://rubrica.example.edu/' });
    const manifest = await registeredManifest(origin);
    expect(manifest.description).toBe(appYml.description);
    expect(manifest.description).toContain("students'");
    expect(manifest.name).toBe('Rubrica');
    expect(manifest.default_permissions).toEqual(appYml.default_permissions);
    expect(manifest.default_events).toEqual(appYml.default_events);
    expect(manifest.hook_attributes).toEqual({ url: 'https://rubrica.example.edu/api/github/webhooks', active: true });
    expect(manifest.redirect_url).toBe('https://rubrica.example.edu/probot/setup');
    expect(manifest.callback_urls).toEqual(['https://rubrica.example.edu/dashboard/callback']);
  });

  it("uses the webhook proxy's URL for a trial on a laptop, and says GitHub cannot reach localhost otherwise", async () => {
    const proxied = await registeredManifest(await serve({ WEBHOOK_PROXY_URL: 'https://proxy.example.net/AbCdEf' }));
    expect(proxied.hook_attributes.url).toBe('https://proxy.example.net/AbCdEf');
    expect(proxied.default_permissions).toEqual(appYml.default_permissions);

    const bare = await serve({});
    const page = await context.newPage();
    await page.goto(bare);
    const text = await page.textContent('body');
    expect(text).toContain(`${bare}/api/github/webhooks`);
    expect(text).toContain('GitHub cannot reach this address');
    await page.goto(`${bare}/probot/import`);
    expect(await page.textContent('body')).toMatch(/replace its Webhook URL with\s+http:\/\/127\.0\.0\.1:\d+\/api\/github\/webhooks/);
    await page.close();
  });
});

describe('the code GitHub sends back', () => {
  it('is exchanged for the credentials, written to .env, and the browser goes on to install the app', async () => {
    const cwd = await fs.mkdtemp(join(tmpdir(), 'rubrica-setup-'));
    await fs.writeFile(join(cwd, '.env'), '# mine\nPORT=3000\n');
    const origin = await serve({ RUBRICA_PUBLIC_URL: 'https://rubrica.example.edu' }, cwd);
    nock.enableNetConnect('127.0.0.1');
    const github = nock('https://api.github.com')
      .post('/app-manifests/c0de/conversions')
      .reply(201, { id: 987, slug: 'rubrica-test', pem: PRIVATE_KEY, webhook_secret: 's3cret', client_id: 'Iv1.x', client_secret: 'cs', html_url: 'https://github.com/apps/rubrica-test' });
    try {
      const res = await fetch(`${origin}/probot/setup?code=c0de`, { redirect: 'manual' });
      expect(res.status).toBe(302);
      expect(res.headers.get('location')).toBe('https://github.com/apps/rubrica-test/installations/new');
      expect(github.isDone()).toBe(true);
      const text = await fs.readFile(join(cwd, '.env'), 'utf8');
      expect(text.startsWith('# mine\nPORT=3000\n')).toBe(true);
      const env = parseEnv(text);
      expect(env).toMatchObject({ APP_ID: '987', WEBHOOK_SECRET: 's3cret', PORT: '3000' });
      expect(env.PRIVATE_KEY).toBe(PRIVATE_KEY);
    } finally {
      nock.cleanAll();
      await fs.rm(cwd, { recursive: true, force: true });
    }
  });

  it("saves an existing app's id, key and secret from the import form, and refuses an incomplete one", async () => {
    const cwd = await fs.mkdtemp(join(tmpdir(), 'rubrica-import-'));
    const origin = await serve({}, cwd);
    nock.enableNetConnect('127.0.0.1');
    try {
      const post = (form: Record<string, string>) =>
        fetch(`${origin}/probot/import`, { method: 'POST', body: new URLSearchParams(form) });
      expect((await post({ appId: '55', pem: PRIVATE_KEY })).status).toBe(400);
      await expect(fs.stat(join(cwd, '.env'))).rejects.toThrow();
      const saved = await post({ appId: '55', pem: PRIVATE_KEY, webhook_secret: 'w s' });
      expect(saved.status).toBe(200);
      expect(parseEnv(await fs.readFile(join(cwd, '.env'), 'utf8'))).toEqual({ APP_ID: '55', PRIVATE_KEY, WEBHOOK_SECRET: 'w s' });
    } finally {
      await fs.rm(cwd, { recursive: true, force: true });
    }
  });
});
