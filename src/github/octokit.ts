import { ProbotOctokit } from 'probot';

/**
 * Probot's Octokit (throttling and retries). A rate-limited read is retried after its
 * `retry-after` (Probot's default handler drops the request). A rate-limited write is
 * handed back at once: the outbox pauses the installation's lane in the store until
 * GitHub's `retry-after` (or `x-ratelimit-reset`), for every process, shows
 * instructors when publications will go out, and tries again then. Nothing is dropped.
 */
export const RubricaOctokit = ProbotOctokit.defaults((options: Record<string, any>) => ({
  ...options,
  throttle: {
    ...options.throttle,
    onSecondaryRateLimit: (retryAfter: number, request: { method: string; url: string }, octokit: { log: { warn(m: string): void } }, retryCount: number) => {
      const read = String(request.method).toUpperCase() === 'GET';
      octokit.log.warn(`secondary rate limit on ${request.method} ${request.url}: ${read ? `retrying in ${retryAfter} s (retry ${retryCount + 1})` : `GitHub asks to wait ${retryAfter} s; the outbox holds the installation's publications until then`}`);
      return read && retryCount < 5;
    },
    onRateLimit: (retryAfter: number, request: { method: string; url: string }, octokit: { log: { warn(m: string): void } }, retryCount: number) => {
      const read = String(request.method).toUpperCase() === 'GET';
      octokit.log.warn(`rate limit on ${request.method} ${request.url}: resets in ${retryAfter} s`);
      return read && retryCount < 1;
    },
  },
})) as typeof ProbotOctokit;

/** Where GitHub's API is: github.com's by default, or a GitHub Enterprise Server (GHE_HOST, GHE_PROTOCOL). */
export function baseUrlFromEnv(env: NodeJS.ProcessEnv = process.env): string | undefined {
  return env.GHE_HOST ? `${env.GHE_PROTOCOL ?? 'https'}://${env.GHE_HOST}/api/v3` : undefined;
}
