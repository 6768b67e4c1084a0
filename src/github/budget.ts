import { endpointOf, resumeAt, type WriteLimits } from '../outbox/budget.ts';
import type { Store } from '../store/store.ts';
import { statusOf, type Octokit } from './api.ts';

/** The two spacings of GitHub's limits (the other limits: src/outbox/budget.ts). */
export interface WriteSpacing {
  readonly writeMs: number;
  readonly notifyMs: number;
}

export const WRITE_SPACING: WriteSpacing = { writeMs: 1_000, notifyMs: 3_000 };

const WRITE_METHODS = new Set(['POST', 'PATCH', 'PUT', 'DELETE']);

/** Writes that notify people: comments and issues (GitHub spaces these the most). */
export function notifies(method: string, url: string): boolean {
  return method === 'POST' && (/\/comments$/.test(url) || /\/issues$/.test(url));
}

export function isWrite(method: string, url: string): boolean {
  // An installation token is the app's own request, outside the content budget.
  return WRITE_METHODS.has(method.toUpperCase()) && !/\/app\/installations\/[^/{]+\/access_tokens/.test(url) && !/\/app\/installations\/\{installation_id\}\/access_tokens/.test(url);
}

/** What a write goes through before it leaves: the publication's lease (and a count of the writes that went out). */
export interface WriteGuard {
  confirm(): Promise<void>;
  written?(): void;
}

/**
 * Makes every write of this client wait for its slot in the installation's shared
 * budget (every limit of src/outbox/budget.ts, kept in the store for all processes),
 * and pass `guard` right before it leaves. An answer that says GitHub wants a pause
 * (`retry-after`, `x-ratelimit-remaining: 0`) pauses the installation for everyone.
 */
export function budgetedWrites(octokit: Octokit, installationId: number, store: Pick<Store, 'budget'>, limits: WriteLimits, guard?: WriteGuard): Octokit {
  octokit.hook.before('request', async (options) => {
    const method = String(options.method ?? 'GET').toUpperCase();
    const url = String(options.url ?? '');
    if (!isWrite(method, url)) return;
    const slot = await store.budget.reserve(installationId, { endpoint: endpointOf(method, url), creates: method === 'POST', notifies: notifies(method, url) }, limits);
    const wait = slot - Date.now();
    if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
    // Checked after the wait, the last moment before the request leaves.
    await guard?.confirm();
  });
  octokit.hook.after('request', async (response, options) => {
    if (isWrite(String(options.method ?? 'GET'), String(options.url ?? ''))) guard?.written?.();
    const until = resumeAt(response.status, response.headers as Record<string, string>, Date.now());
    if (until !== undefined && until > Date.now()) await store.budget.pause(installationId, until);
  });
  octokit.hook.error('request', async (error) => {
    const headers = ((error as { response?: { headers?: Record<string, string> } }).response?.headers ?? {}) as Record<string, string>;
    const until = resumeAt(statusOf(error), headers, Date.now(), (error as Error).message);
    if (until !== undefined) await store.budget.pause(installationId, until);
    throw error;
  });
  return octokit;
}

/** Jobs only read from GitHub: a write from one is a bug (the outbox is the one writer), refused before it leaves. */
export function readOnly(octokit: Octokit): Octokit {
  octokit.hook.before('request', (options) => {
    const method = String(options.method ?? 'GET').toUpperCase();
    const url = String(options.url ?? '');
    if (isWrite(method, url)) throw new Error(`a job tried to write to GitHub (${method} ${url}): publications go through the outbox`);
  });
  return octokit;
}
