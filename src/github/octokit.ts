import { ProbotOctokit } from 'probot';

/**
 * Probot's Octokit (throttling and retries), except that a secondary rate limit is
 * retried after its `retry-after` instead of only logged (Probot's default handler
 * drops the request): a dropped write would be a grading nobody sees.
 */
export const RubricaOctokit = ProbotOctokit.defaults((options: Record<string, any>) => ({
  ...options,
  throttle: {
    ...options.throttle,
    onSecondaryRateLimit: (retryAfter: number, request: { method: string; url: string }, octokit: { log: { warn(m: string): void } }, retryCount: number) => {
      octokit.log.warn(`secondary rate limit on ${request.method} ${request.url}: retrying in ${retryAfter} s (retry ${retryCount + 1})`);
      return retryCount < 5;
    },
  },
})) as typeof ProbotOctokit;

/** Where GitHub's API is: github.com's by default, or a GitHub Enterprise Server (GHE_HOST, GHE_PROTOCOL). */
export function baseUrlFromEnv(env: NodeJS.ProcessEnv = process.env): string | undefined {
  return env.GHE_HOST ? `${env.GHE_PROTOCOL ?? 'https'}://${env.GHE_HOST}/api/v3` : undefined;
}
