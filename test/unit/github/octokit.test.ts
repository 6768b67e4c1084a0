import nock from 'nock';
import { afterEach, describe, expect, it } from 'vitest';
import { baseUrlFromEnv, RubricaOctokit } from '../../../src/github/octokit.ts';

const API = 'https://api.github.com';

afterEach(() => {
  nock.cleanAll();
  nock.enableNetConnect();
});

/** The Octokit the app runs with (src/main.ts, `rubrica worker`): Probot's, throttling on, our secondary-limit handler. */
function realOctokit() {
  const warnings: string[] = [];
  const log = { debug: () => {}, info: () => {}, warn: (m: string) => void warnings.push(m), error: () => {} };
  return { octokit: new RubricaOctokit({ auth: { token: 'ghs_test' }, log }), warnings };
}

describe("GitHub's secondary rate limit, through the app's real Octokit (throttling on)", () => {
  it('a 403 with retry-after is waited for, then the same request is retried and succeeds', async () => {
    nock.disableNetConnect();
    const { octokit, warnings } = realOctokit();
    const answeredAt: number[] = [];
    nock(API)
      .get('/repos/clase-mlops/mlops-ana')
      .reply(() => {
        answeredAt.push(Date.now());
        return [403, { message: 'You have exceeded a secondary rate limit. Please wait a few minutes before you try again.', documentation_url: 'https://docs.github.com/rest' }, { 'retry-after': '1' }];
      })
      .get('/repos/clase-mlops/mlops-ana')
      .reply(() => {
        answeredAt.push(Date.now());
        return [200, { id: 818181, name: 'mlops-ana' }];
      });
    const { data, status } = await octokit.rest.repos.get({ owner: 'clase-mlops', repo: 'mlops-ana' });
    expect(status).toBe(200);
    expect(data).toMatchObject({ id: 818181 });
    expect(answeredAt).toHaveLength(2);
    // It waited for GitHub's retry-after (1 s) before asking again.
    expect(answeredAt[1]! - answeredAt[0]!).toBeGreaterThanOrEqual(950);
    expect(warnings.some((w) => w.includes('secondary rate limit') && w.includes('GET'))).toBe(true);
    expect(nock.pendingMocks()).toEqual([]);
  });
});

describe("GitHub's API address", () => {
  it("is github.com's by default and a GitHub Enterprise Server's when GHE_HOST is set", () => {
    expect(baseUrlFromEnv({})).toBeUndefined();
    expect(baseUrlFromEnv({ GHE_HOST: 'git.example.edu' })).toBe('https://git.example.edu/api/v3');
    expect(baseUrlFromEnv({ GHE_HOST: 'git.example.edu', GHE_PROTOCOL: 'http' })).toBe('http://git.example.edu/api/v3');
  });
});
