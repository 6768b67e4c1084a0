import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { fromIssueComment } from '../../../src/events/requests.ts';
import { isWrite, notifies } from '../../../src/github/budget.ts';

const fixture = (name: string) => JSON.parse(readFileSync(new URL(`../../fixtures/payloads/${name}.json`, import.meta.url), 'utf8'));
const meta = { deliveryId: 'd1', receivedAt: new Date('2026-09-08T15:01:00Z'), botLogin: 'rubrica[bot]' };

function comment(body: string, over: Record<string, unknown> = {}) {
  const pr = fixture('pull_request.opened');
  return {
    action: 'created',
    issue: { number: pr.number, pull_request: { url: 'x' } },
    comment: { id: 77, body, user: { login: 'tere-ayudante', type: 'User' }, created_at: '2026-09-08T15:00:30Z' },
    repository: pr.repository,
    sender: { login: 'tere-ayudante', type: 'User' },
    installation: { id: 4242 },
    ...over,
  };
}

describe('issue_comment → command request', () => {
  it('passes on a new pull-request comment with a command, with who wrote it and when it arrived', () => {
    expect(fromIssueComment(comment('Gracias.\n/rubrica override readme 20 ok'), meta)).toEqual({
      request: expect.objectContaining({ action: 'created', trigger: 'command', pullRequest: { number: expect.any(Number) }, comment: { id: 77, body: 'Gracias.\n/rubrica override readme 20 ok', author: 'tere-ayudante', createdAt: '2026-09-08T15:00:30Z' }, deliveredAt: '2026-09-08T15:01:00.000Z', sender: 'tere-ayudante' }),
    });
  });

  it('ignores comments without a command, on issues, by bots, and in code blocks', () => {
    expect(fromIssueComment(comment('buen trabajo'), meta)).toEqual({ skip: 'no command' });
    expect(fromIssueComment(comment('```\n/rubrica override readme 20 ok\n```'), meta)).toEqual({ skip: 'no command' });
    expect(fromIssueComment({ ...comment('/rubrica help'), issue: { number: 3 } }, meta)).toEqual({ skip: 'not a pull request' });
    expect(fromIssueComment(comment('/rubrica help', { comment: { id: 1, body: '/rubrica help', user: { login: 'rubrica[bot]', type: 'Bot' }, created_at: 'x' } }), meta)).toEqual({ skip: 'a comment by a bot' });
  });

  it('passes on edits and deletions whatever the text now says (a tampering check, never a change)', () => {
    const edited = fromIssueComment({ ...comment('texto cambiado'), action: 'edited', sender: { login: 'ana-estudiante' } }, meta);
    expect(edited).toMatchObject({ request: { action: 'edited', sender: 'ana-estudiante', comment: { author: 'tere-ayudante' } } });
    expect(fromIssueComment({ ...comment(''), action: 'deleted' }, meta)).toMatchObject({ request: { action: 'deleted' } });
    expect(fromIssueComment({ ...comment('/rubrica help'), action: 'pinned' }, meta)).toEqual({ skip: 'comment pinned' });
  });
});

describe('GitHub’s write budget', () => {
  it('counts content writes, not reads nor installation tokens; comments and issues notify', () => {
    expect(isWrite('POST', '/repos/{owner}/{repo}/check-runs')).toBe(true);
    expect(isWrite('PATCH', '/repos/{owner}/{repo}/check-runs/{check_run_id}')).toBe(true);
    expect(isWrite('GET', '/repos/{owner}/{repo}/tarball/{ref}')).toBe(false);
    expect(isWrite('POST', '/app/installations/{installation_id}/access_tokens')).toBe(false);
    expect(notifies('POST', '/repos/{owner}/{repo}/issues/{issue_number}/comments')).toBe(true);
    expect(notifies('POST', '/repos/{owner}/{repo}/issues')).toBe(true);
    expect(notifies('PATCH', '/repos/{owner}/{repo}/issues/comments/{comment_id}')).toBe(false);
    expect(notifies('POST', '/repos/{owner}/{repo}/check-runs')).toBe(false);
  });
});
