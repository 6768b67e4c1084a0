import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { checkRunExternalId, fromCheckRunRerequest, fromPullRequest, fromPush, parseExternalId } from '../../../src/events/requests.ts';

const fixture = (name: string) => JSON.parse(readFileSync(new URL(`../../fixtures/payloads/${name}.json`, import.meta.url), 'utf8'));
const meta = { deliveryId: 'd1', receivedAt: new Date('2026-09-08T15:01:00Z'), botLogin: 'rubrica[bot]', appId: 123 };

describe('push → grading request', () => {
  it('takes the delivery time from GitHub’s pushed_at, never from the commit', () => {
    const p = fixture('push');
    p.head_commit.timestamp = '2020-01-01T00:00:00Z'; // a student can set this
    const t = fromPush(p, meta);
    expect(t).toEqual({
      request: expect.objectContaining({ owner: 'clase-mlops', repo: 'mlops-ana', sha: p.after, deliveredAt: '2026-09-08T15:00:00.000Z', trigger: 'push', installationId: 4242 }),
    });
  });

  it('falls back to the time we received it when pushed_at is missing or in the future', () => {
    const p = fixture('push');
    p.repository.pushed_at = Date.parse('2027-01-01T00:00:00Z') / 1000;
    expect(fromPush(p, meta)).toMatchObject({ request: { deliveredAt: '2026-09-08T15:01:00.000Z' } });
    delete p.repository.pushed_at;
    expect(fromPush(p, meta)).toMatchObject({ request: { deliveredAt: '2026-09-08T15:01:00.000Z' } });
  });

  it('says why a push is not graded', () => {
    const p = fixture('push');
    expect(fromPush({ ...p, ref: 'refs/heads/otra' }, meta)).toEqual({ skip: 'not the default branch' });
    expect(fromPush({ ...p, installation: undefined }, meta)).toEqual({ skip: 'no installation' });
  });
});

describe('pull request → grading request', () => {
  it('names its week by label or head branch', () => {
    const p = fixture('pull_request.opened');
    p.pull_request.labels = [{ name: 'bug' }, { name: 'Semana-4' }];
    expect(fromPullRequest(p, meta)).toMatchObject({ request: { unit: 'week-4', pullRequest: { number: 7 }, trigger: 'pull_request' } });
    p.pull_request.labels = [];
    p.pull_request.head.ref = 'entregas/week-2';
    expect(fromPullRequest(p, meta)).toMatchObject({ request: { unit: 'week-2' } });
    p.pull_request.head.ref = 'arreglos';
    expect('week' in (fromPullRequest(p, meta) as { request: object }).request).toBe(false);
  });

  it('carries who opened it and whether its head is in another repository (a fork)', () => {
    const p = fixture('pull_request.opened');
    expect(fromPullRequest(p, meta)).toMatchObject({ request: { pullRequest: { number: 7, author: 'ana', fork: false } } });
    p.pull_request.head.repo = { ...p.pull_request.head.repo, id: p.repository.id + 1 };
    expect(fromPullRequest(p, meta)).toMatchObject({ request: { pullRequest: { fork: true } } });
    p.pull_request.head.repo = null;
    expect(fromPullRequest(p, meta)).toMatchObject({ request: { pullRequest: { fork: true } } });
  });
});

describe('re-run → grading request', () => {
  it('keeps the week and delivery time the check run was graded with', () => {
    const t = fromCheckRunRerequest(fixture('check_run.rerequested'), meta);
    expect(t).toMatchObject({ request: { unit: 'week-1', deliveredAt: '2026-09-08T15:00:00.000Z', checkRunId: 9001, trigger: 'rerun' } });
  });

  it('round-trips the external id and refuses anything else', () => {
    expect(parseExternalId(checkRunExternalId('week-10', '2026-11-01T03:00:00.000Z'))).toEqual({ unit: 'week-10', deliveredAt: '2026-11-01T03:00:00.000Z' });
    expect(checkRunExternalId('week-10', '2026-11-01T03:00:00.000Z')).toBe('rubrica:week=10;delivered=2026-11-01T03:00:00.000Z');
    expect(parseExternalId(checkRunExternalId('final/first', '2026-11-01T03:00:00.000Z'))).toEqual({ unit: 'final/first', deliveredAt: '2026-11-01T03:00:00.000Z' });
    expect(parseExternalId('rubrica:unit=Final/../x;delivered=2026-11-01T03:00:00.000Z')).toBeNull();
    expect(parseExternalId('week=1')).toBeNull();
    expect(parseExternalId(null)).toBeNull();
  });
});
