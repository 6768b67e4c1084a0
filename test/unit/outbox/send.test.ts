import { Octokit as RestOctokit } from '@octokit/rest';
import type { Octokit } from '../../../src/github/api.ts';
import nock from 'nock';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { commentMarker } from '../../../src/report/markdown.ts';
import { send, type SendContext } from '../../../src/outbox/send.ts';
import type { ParsedPublication } from '../../../src/outbox/publications.ts';
import type { Store } from '../../../src/store/store.ts';
import { grade } from '../../helpers/grade.ts';

/**
 * A try after an interruption (the process died between GitHub's answer and our
 * record of it) looks for what the earlier try wrote before writing again.
 */
const API = 'https://api.github.com';
const BOT = 'rubrica[bot]';
const where = { installationId: 1, owner: 'clase', repo: 'mlops-ana', repoId: 9 };
const SHA = 'a'.repeat(40);
// Only the commit's recorded check run is read by these sends: there is none.
const store = { published: { checkRunFor: async () => undefined } } as unknown as Store;
const ctx = (attempt: number): SendContext => ({ store, botLogin: BOT, attempt });
// send() uses only REST endpoints and paginate, which a plain REST client has.
const octokit = () => new RestOctokit({ auth: 'test' }) as unknown as Octokit;

beforeEach(() => {
  nock.disableNetConnect();
});
afterEach(() => {
  nock.cleanAll();
  nock.enableNetConnect();
});

describe('a commit comment sent again after an interruption', () => {
  const p = { kind: 'commit-comment', ...where, sha: SHA, unit: `week-${grade.week}`, grade, render: { locale: 'es', reveal: true } } as ParsedPublication;
  const comments = `/repos/clase/mlops-ana/commits/${SHA}/comments`;

  it('finds the one the first try posted and posts nothing', async () => {
    const scope = nock(API)
      .get(comments)
      .query(true)
      .reply(200, [
        { id: 5, user: { login: 'ana' }, body: `${commentMarker(`week-${grade.week}`)} copied by a student` },
        { id: 6, user: { login: BOT }, body: `${commentMarker(`week-${grade.week}`)}\n## …` },
      ]);
    const sent = await send(octokit(), p, ctx(2));
    expect(sent.result).toEqual({ commentId: 6, found: true });
    expect(scope.isDone()).toBe(true);
  });

  it("posts when the bot has no comment of this week there (a student's copy of the marker does not count)", async () => {
    const scope = nock(API)
      .get(comments)
      .query(true)
      .reply(200, [
        { id: 5, user: { login: 'ana' }, body: `${commentMarker(`week-${grade.week}`)} copied by a student` },
        { id: 7, user: { login: BOT }, body: `${commentMarker(`week-${grade.week + 1}`)}\n## another week` },
      ])
      .post(comments)
      .reply(201, { id: 8 });
    const sent = await send(octokit(), p, ctx(2));
    expect(sent.result).toEqual({ commentId: 8 });
    expect(scope.isDone()).toBe(true);
  });

  it('posts at once on a first try (no read)', async () => {
    const scope = nock(API).post(comments).reply(201, { id: 9 });
    expect((await send(octokit(), p, ctx(1))).result).toEqual({ commentId: 9 });
    expect(scope.isDone()).toBe(true);
  });
});

describe('a reaction sent again after an interruption', () => {
  const p = { kind: 'reaction', ...where, commentId: 31, content: '+1' } as ParsedPublication;
  const reactions = '/repos/clase/mlops-ana/issues/comments/31/reactions';

  it("finds the bot's 👍 and writes nothing", async () => {
    const scope = nock(API)
      .get(reactions)
      .query(true)
      .reply(200, [
        { id: 1, user: { login: 'ana' }, content: '+1' },
        { id: 2, user: { login: BOT }, content: '+1' },
      ]);
    expect((await send(octokit(), p, ctx(2))).result).toEqual({ reactionId: 2, found: true });
    expect(scope.isDone()).toBe(true);
  });

  it("reacts when only others' reactions are there", async () => {
    const scope = nock(API)
      .get(reactions)
      .query(true)
      .reply(200, [{ id: 1, user: { login: 'ana' }, content: '+1' }])
      .post(reactions, { content: '+1' })
      .reply(201, { id: 3, content: '+1' });
    expect((await send(octokit(), p, ctx(2))).result).toEqual({ reactionId: 3 });
    expect(scope.isDone()).toBe(true);
  });
});
