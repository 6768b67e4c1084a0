import type { Store } from '../store/store.ts';
import type { Octokit } from './api.ts';

/**
 * GitHub's guidance for content writes, which Probot's limiter follows inside one
 * process: at least 1 s between writes per installation, 3 s between writes that
 * notify people (comments, issues). Here the spacing is kept in the store, so
 * several workers and instances still spend one budget per installation.
 */
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
  return WRITE_METHODS.has(method.toUpperCase()) && !/\/app\/installations\/[^/]+\/access_tokens/.test(url);
}

/**
 * Makes every write of this client wait for its slot in the installation's shared
 * lane; with `guard` (a job's lease), each write first confirms it may still be made.
 */
export function budgetedWrites(octokit: Octokit, installationId: number, store: Pick<Store, 'reserveWrite'>, spacing: WriteSpacing, guard?: { confirm(): Promise<void> }): Octokit {
  octokit.hook.before('request', async (options) => {
    const method = String(options.method ?? 'GET').toUpperCase();
    const url = String(options.url ?? '');
    if (!isWrite(method, url)) return;
    const slot = await store.reserveWrite(installationId, spacing, notifies(method, url));
    const wait = slot - Date.now();
    if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
    // Checked after the wait, the last moment before the request leaves.
    await guard?.confirm();
  });
  return octokit;
}
