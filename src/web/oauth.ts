/**
 * "Sign in with GitHub" through the GitHub App's own user authorization (the OAuth web
 * flow): the browser goes to GitHub's /login/oauth/authorize with the app's client id,
 * comes back to /dashboard/callback with a code, which is exchanged (with the client
 * secret) for a user token, which names the user (GET /user). The token is then dropped.
 * GitHub Enterprise Server: GHE_HOST (and GHE_PROTOCOL) move both the web and API addresses.
 */
export interface OAuthConfig {
  readonly clientId: string;
  readonly clientSecret: string;
  /** Where users sign in: https://github.com, or the GHE server's web address. */
  readonly webUrl: string;
  /** GitHub's REST API: https://api.github.com, or the GHE server's /api/v3. */
  readonly apiUrl: string;
}

export function oauthFromEnv(env: NodeJS.ProcessEnv = process.env): OAuthConfig | undefined {
  const clientId = env.GITHUB_CLIENT_ID?.trim();
  const clientSecret = env.GITHUB_CLIENT_SECRET?.trim();
  if (!clientId || !clientSecret) return undefined;
  const webUrl = env.GHE_HOST ? `${env.GHE_PROTOCOL ?? 'https'}://${env.GHE_HOST}` : 'https://github.com';
  const apiUrl = env.GHE_HOST ? `${webUrl}/api/v3` : 'https://api.github.com';
  return { clientId, clientSecret, webUrl, apiUrl };
}

export function authorizeUrl(config: OAuthConfig, redirectUri: string, state: string): string {
  const url = new URL('/login/oauth/authorize', config.webUrl);
  url.searchParams.set('client_id', config.clientId);
  url.searchParams.set('redirect_uri', redirectUri);
  url.searchParams.set('state', state);
  // A GitHub App's user token carries the app's permissions, not scopes: none is asked for.
  url.searchParams.set('allow_signup', 'false');
  return url.toString();
}

export class SignInFailed extends Error {}

/** The signed-in user, from the code GitHub sent back. */
export async function userFromCode(config: OAuthConfig, code: string, redirectUri: string): Promise<{ login: string; id: number }> {
  const exchange = await fetch(new URL('/login/oauth/access_token', config.webUrl), {
    method: 'POST',
    headers: { accept: 'application/json', 'content-type': 'application/json' },
    body: JSON.stringify({ client_id: config.clientId, client_secret: config.clientSecret, code, redirect_uri: redirectUri }),
    signal: AbortSignal.timeout(15_000),
  });
  const token = exchange.ok ? ((await exchange.json()) as { access_token?: unknown; error?: unknown }) : {};
  if (typeof token.access_token !== 'string') throw new SignInFailed(`GitHub refused the code (${exchange.status}${typeof token.error === 'string' ? `: ${token.error}` : ''})`);
  const user = await fetch(`${config.apiUrl.replace(/\/$/, '')}/user`, {
    headers: { accept: 'application/vnd.github+json', authorization: `Bearer ${token.access_token}`, 'user-agent': 'rubrica-dashboard' },
    signal: AbortSignal.timeout(15_000),
  });
  const data = user.ok ? ((await user.json()) as { login?: unknown; id?: unknown }) : {};
  if (typeof data.login !== 'string' || typeof data.id !== 'number') throw new SignInFailed(`GitHub did not name the user (${user.status})`);
  return { login: data.login, id: data.id };
}
