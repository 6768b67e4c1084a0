import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { fromCheckRunRerequest, fromCheckSuiteRerequest, fromIssueComment, fromPullRequest, fromPush, parseExternalId, type Translation } from '../../../src/events/requests.ts';

/** Every path from a webhook payload to a request or to the reason it is not graded. */
const fixture = (name: string) => JSON.parse(readFileSync(new URL(`../../fixtures/payloads/${name}.json`, import.meta.url), 'utf8'));
const receivedAt = new Date('2026-09-08T15:01:00Z');
const meta = { deliveryId: 'd1', receivedAt, botLogin: 'rubrica[bot]', appId: 123 };

function requestOf(translation: Translation) {
  if ('skip' in translation) throw new Error(`expected a request, skipped: ${translation.skip}`);
  return translation.request;
}

function push(over: Record<string, unknown> = {}, repository: Record<string, unknown> = {}) {
  const p = fixture('push');
  return { ...p, ...over, repository: { ...p.repository, ...repository } };
}

describe('what no event of a repository is graded for', () => {
  const cases: [Record<string, unknown>, string][] = [
    [{ name: '.github' }, 'the course configuration repository'],
    [{ archived: true }, 'archived repository'],
    [{ is_template: true }, 'template repository'],
  ];

  it.each(cases)('%o: %s', (repository, reason) => {
    const pr = fixture('pull_request.opened');
    const run = fixture('check_run.rerequested');
    expect(fromPush(push({}, repository), meta)).toEqual({ skip: reason });
    expect(fromPullRequest({ ...pr, repository: { ...pr.repository, ...repository } }, meta)).toEqual({ skip: reason });
    expect(fromCheckRunRerequest({ ...run, repository: { ...run.repository, ...repository } }, meta)).toEqual({ skip: reason });
    expect(fromCheckSuiteRerequest({ check_suite: { head_sha: 'abc' }, repository: { ...run.repository, ...repository }, installation: { id: 1 } }, meta)).toEqual({ skip: reason });
    expect(
      fromIssueComment(
        {
          action: 'created',
          issue: { number: 7, pull_request: {} },
          comment: { id: 1, body: '/rubrica help', user: { login: 'tere' }, created_at: '2026-09-08T15:00:00Z' },
          repository: { ...pr.repository, ...repository },
          sender: { login: 'tere' },
          installation: { id: 1 },
        },
        meta,
      ),
    ).toEqual({ skip: reason });
  });

  it('grades a repository that is neither archived nor a template, nor the course repository', () => {
    expect(fromPush(push({}, { name: 'mlops-github', archived: false, is_template: false }), meta)).toMatchObject({ request: { repo: 'mlops-github' } });
  });
});

describe('push → grading request, in full', () => {
  it('carries the delivery, installation, repository, topics and commit', () => {
    expect(fromPush(push({}, { topics: ['mlops-2026'] }), meta)).toEqual({
      request: {
        deliveryId: 'd1',
        installationId: 4242,
        owner: 'clase-mlops',
        repo: 'mlops-ana',
        repoId: 818181,
        topics: ['mlops-2026'],
        sha: 'a1b2c3d4e5f60718293a4b5c6d7e8f9012345678',
        deliveredAt: '2026-09-08T15:00:00.000Z',
        trigger: 'push',
      },
    });
  });

  it("takes the owner from the full name when the payload has no owner object, and no topics as none", () => {
    expect(fromPush(push({}, { owner: null, full_name: 'otra-org/mlops-ana', topics: undefined }), meta)).toMatchObject({
      request: { owner: 'otra-org', topics: [] },
    });
  });

  it('trusts pushed_at up to a minute ahead of our clock, not more, and not zero or text (even digits)', () => {
    const at = (pushed: unknown) => requestOf(fromPush(push({}, { pushed_at: pushed }), meta)).deliveredAt;
    const seconds = receivedAt.getTime() / 1000;
    expect(at(seconds + 60)).toBe('2026-09-08T15:02:00.000Z');
    expect(at(seconds + 61)).toBe('2026-09-08T15:01:00.000Z');
    expect(at(seconds - 3600)).toBe('2026-09-08T14:01:00.000Z');
    expect(at(0)).toBe('2026-09-08T15:01:00.000Z');
    expect(at(-5)).toBe('2026-09-08T15:01:00.000Z');
    expect(at('2026-09-08T14:00:00Z')).toBe('2026-09-08T15:01:00.000Z');
    expect(at(null)).toBe('2026-09-08T15:01:00.000Z');
    expect(at(String(seconds - 3600))).toBe('2026-09-08T15:01:00.000Z');
  });

  it('says why a push is not graded', () => {
    expect(fromPush(push({ deleted: true }), meta)).toEqual({ skip: 'branch deleted' });
    expect(fromPush(push({ after: '0'.repeat(40) }), meta)).toEqual({ skip: 'branch deleted' });
    expect(fromPush(push({ ref: 'refs/tags/main' }), meta)).toEqual({ skip: 'not a branch' });
    expect(fromPush(push({ ref: 'refs/heads/main-old' }), meta)).toEqual({ skip: 'not the default branch' });
    expect(fromPush(push({ sender: { login: 'rubrica[bot]' } }), meta)).toEqual({ skip: 'pushed by Rubrica' });
  });

  it('grades a commit whose id merely starts or ends with forty zeros (SHA-256 ids are 64 long), a push without a sender, and the default branch however named', () => {
    expect(fromPush(push({ after: `${'1'.repeat(24)}${'0'.repeat(40)}` }), meta)).toMatchObject({ request: { trigger: 'push' } });
    expect(fromPush(push({ after: `${'0'.repeat(40)}${'1'.repeat(24)}` }), meta)).toMatchObject({ request: { trigger: 'push' } });
    expect(fromPush(push({ sender: undefined }), meta)).toMatchObject({ request: { trigger: 'push' } });
    expect(fromPush(push({ ref: 'refs/heads/trunk' }, { default_branch: 'trunk' }), meta)).toMatchObject({ request: { trigger: 'push' } });
  });
});

describe('pull request → grading request, in full', () => {
  it('grades the head commit, at the time we received the event', () => {
    const pr = fixture('pull_request.opened');
    expect(fromPullRequest(pr, meta)).toEqual({
      request: {
        deliveryId: 'd1',
        installationId: pr.installation.id,
        owner: 'clase-mlops',
        repo: 'mlops-ana',
        repoId: pr.repository.id,
        topics: pr.repository.topics ?? [],
        sha: pr.pull_request.head.sha,
        deliveredAt: '2026-09-08T15:01:00.000Z',
        trigger: 'pull_request',
        pullRequest: { number: pr.pull_request.number, fork: false, author: pr.pull_request.user.login },
      },
    });
  });

  it('says why a pull request event is not graded', () => {
    const pr = fixture('pull_request.opened');
    expect(fromPullRequest({ ...pr, installation: undefined }, meta)).toEqual({ skip: 'no installation' });
    expect(fromPullRequest({ ...pr, pull_request: { ...pr.pull_request, state: 'closed' } }, meta)).toEqual({ skip: 'pull request not open' });
    expect(fromPullRequest({ ...pr, sender: { login: 'rubrica[bot]' } }, meta)).toEqual({ skip: 'pushed by Rubrica' });
    expect(fromPullRequest({ ...pr, pull_request: { ...pr.pull_request, labels: undefined, head: { ...pr.pull_request.head, ref: 'semana-5' } } }, meta)).toMatchObject({
      request: { unit: 'week-5' },
    });
  });
});

describe('re-runs → grading requests', () => {
  it("refuses another app's check run or suite, and one without an installation", () => {
    const run = fixture('check_run.rerequested');
    expect(fromCheckRunRerequest({ ...run, check_run: { ...run.check_run, app: { id: 999 } } }, meta)).toEqual({ skip: "another app's check run" });
    expect(fromCheckRunRerequest({ ...run, installation: undefined }, meta)).toEqual({ skip: 'no installation' });
    const suite = { check_suite: { head_sha: 'abc', app: { id: 999 } }, repository: run.repository, installation: { id: 1 } };
    expect(fromCheckSuiteRerequest(suite, meta)).toEqual({ skip: "another app's check suite" });
    expect(fromCheckSuiteRerequest({ ...suite, installation: undefined }, meta)).toEqual({ skip: 'no installation' });
  });

  it("re-grades our own check run into itself, at its week and delivery time, for its pull request", () => {
    const run = fixture('check_run.rerequested');
    expect(fromCheckRunRerequest({ ...run, check_run: { ...run.check_run, pull_requests: [{ number: 7 }, { number: 8 }] } }, meta)).toEqual({
      request: expect.objectContaining({
        sha: run.check_run.head_sha,
        trigger: 'rerun',
        unit: 'week-1',
        checkRunId: 9001,
        deliveredAt: '2026-09-08T15:00:00.000Z',
        pullRequest: { number: 7 },
      }),
    });
    expect(fromCheckRunRerequest({ ...run, check_run: { ...run.check_run, app: null } }, meta)).toMatchObject({ request: { checkRunId: 9001 } });
    expect(requestOf(fromCheckRunRerequest({ ...run, check_run: { ...run.check_run, pull_requests: undefined } }, meta))).not.toHaveProperty('pullRequest');
  });

  it('grades a check run without our external id afresh: no week, no check run to reuse, our time', () => {
    const run = fixture('check_run.rerequested');
    const request = requestOf(fromCheckRunRerequest({ ...run, check_run: { ...run.check_run, external_id: 'something-else', pull_requests: [] } }, meta));
    expect(request).toMatchObject({ trigger: 'rerun', deliveredAt: '2026-09-08T15:01:00.000Z' });
    expect(request).not.toHaveProperty('week');
    expect(request).not.toHaveProperty('checkRunId');
    expect(request).not.toHaveProperty('pullRequest');
  });

  it('re-grades a check suite at our time, with its pull request if it has one', () => {
    const run = fixture('check_run.rerequested');
    const suite = { check_suite: { head_sha: 'abc', app: { id: 123 }, pull_requests: [{ number: 9 }] }, repository: run.repository, installation: { id: 5 } };
    expect(fromCheckSuiteRerequest(suite, meta)).toEqual({
      request: expect.objectContaining({ sha: 'abc', installationId: 5, trigger: 'rerun', deliveredAt: '2026-09-08T15:01:00.000Z', pullRequest: { number: 9 } }),
    });
    const bare = requestOf(fromCheckSuiteRerequest({ check_suite: { head_sha: 'abc' }, repository: run.repository, installation: { id: 5 } }, meta));
    expect(bare).not.toHaveProperty('pullRequest');
    expect(bare).not.toHaveProperty('week');
  });

  it('reads only a whole external id of ours', () => {
    expect(parseExternalId('rubrica:week=3;delivered=2026-09-08T15:00:00.000Z')).toEqual({ unit: 'week-3', deliveredAt: '2026-09-08T15:00:00.000Z' });
    expect(parseExternalId('x-rubrica:week=3;delivered=2026-09-08T15:00:00.000Z')).toBeNull();
    expect(parseExternalId('rubrica:week=3;delivered=2026-09-08T15:00:00.000Z;x')).toBeNull();
    expect(parseExternalId('rubrica:week=123;delivered=2026-09-08T15:00:00.000Z')).toBeNull();
    expect(parseExternalId('rubrica:week=3;delivered=')).toBeNull();
    expect(parseExternalId(undefined)).toBeNull();
  });
});

describe('issue_comment → command request, in full', () => {
  const pr = fixture('pull_request.opened');
  const comment = (over: Record<string, unknown> = {}) => ({
    action: 'created',
    issue: { number: 7, pull_request: {} },
    comment: { id: 77, body: '/rubrica regrade', user: { login: 'tere', type: 'User' }, created_at: '2026-09-08T15:00:30Z' },
    repository: pr.repository,
    sender: { login: 'tere' },
    installation: { id: 4242 },
    ...over,
  });

  it('needs an installation, and takes a deleted user as ghost and a missing body as empty', () => {
    expect(fromIssueComment(comment({ installation: undefined }), meta)).toEqual({ skip: 'no installation' });
    expect(fromIssueComment(comment({ action: 'deleted', comment: { id: 77, body: null, user: null, created_at: 'x' } }), meta)).toMatchObject({
      request: { sha: '', comment: { author: 'ghost', body: '' }, pullRequest: { number: 7 } },
    });
  });

  it("skips Rubrica's own comments even when GitHub does not mark the user as a bot", () => {
    expect(fromIssueComment(comment({ comment: { id: 1, body: '/rubrica help', user: { login: 'rubrica[bot]' }, created_at: 'x' } }), meta)).toEqual({ skip: 'a comment by a bot' });
    expect(fromIssueComment(comment({ comment: { id: 1, body: '/rubrica help', user: { login: 'other', type: 'Bot' }, created_at: 'x' } }), meta)).toEqual({ skip: 'a comment by a bot' });
  });
});
