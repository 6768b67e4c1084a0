import nock from 'nock';
import { ORG, REPO, SHA, WEEK1_COMMITS, WEEK1_REPO, courseScope, payload, record, serveCommit, testApp, type Tree } from './github.ts';

/**
 * Helpers for the TA-command tests (test/app/ta-commands.test.ts): a pull request
 * graded once, TA comments as GitHub delivers them, and the GitHub calls a command makes.
 */

export const PR = 7;
export const TA = 'tere-ayudante';
export const STUDENT = 'ana-estudiante';
export const TEAM = 'mlops-tas';
export const COMMENT_ID = 492700400;
export const REPO_ID = 818181;
export const CHECK_RUN_ID = 601;
export const SCORED_COMMENT_ID = 7001;
export const CHECK_RUN_URL = `https://github.com/${ORG}/${REPO}/runs/${CHECK_RUN_ID}`;

export const paths = {
  checkRuns: `/repos/${ORG}/${REPO}/check-runs`,
  checkRun: (id: number = CHECK_RUN_ID) => `/repos/${ORG}/${REPO}/check-runs/${id}`,
  issueComments: `/repos/${ORG}/${REPO}/issues/${PR}/comments`,
  comment: (id: number = SCORED_COMMENT_ID) => `/repos/${ORG}/${REPO}/issues/comments/${id}`,
  reactions: (id: number = COMMENT_ID) => `/repos/${ORG}/${REPO}/issues/comments/${id}/reactions`,
  pull: `/repos/${ORG}/${REPO}/pulls/${PR}`,
  teamMembership: (team: string, user: string) => `/orgs/${ORG}/teams/${team}/memberships/${user}`,
  orgMembership: (user: string) => `/orgs/${ORG}/memberships/${user}`,
  team: (team: string) => `/orgs/${ORG}/teams/${team}`,
};

/** A clock the test moves: every grading gets its own time, so "the latest" is never a tie. */
export function clock(iso: string) {
  let current = new Date(iso);
  return {
    now: () => current,
    set(to: string) {
      current = new Date(to);
    },
  };
}

export type App = Awaited<ReturnType<typeof testApp>>;

/** pull_request.opened/synchronize for a head commit, with labels. */
export function prEvent(action: 'opened' | 'synchronize', sha = SHA, labels: readonly string[] = []) {
  const p = payload(`pull_request.${action}`);
  p.pull_request.head.sha = sha;
  p.pull_request.labels = labels.map((name, i) => ({ id: 100 + i, name, color: 'ededed', default: false }));
  return p;
}

/** GET /repos/{o}/{r}/pulls/{n} as GitHub answers it: the fixture's pull request with this head and labels. */
export function pullResponse(sha = SHA, labels: readonly string[] = []) {
  const pr = prEvent('opened', sha, labels).pull_request;
  return { ...pr, number: PR };
}

/** An issue_comment delivery on the pull request: GitHub's payload shape, with this body. */
export function commentEvent(action: 'created' | 'edited' | 'deleted', body: string, change: (p: any) => void = () => {}) {
  const p = payload(`issue_comment.${action}`);
  p.comment.body = body;
  change(p);
  return p;
}

/** Who someone is to GitHub, as the TA check asks: team membership, org membership, the team's parent. */
export type Role = 'ta' | 'org-owner' | 'parent-team' | 'pending' | 'student';

export function memberships(scope: nock.Scope, user: string, role: Role): nock.Scope {
  const notFound = { message: 'Not Found', documentation_url: 'https://docs.github.com/rest' };
  const team = (slug: string, parent: string | null) => ({ id: 77, slug, name: slug, privacy: 'closed', parent: parent ? { id: 70, slug: parent, name: parent } : null });
  switch (role) {
    case 'ta':
      return scope.get(paths.teamMembership(TEAM, user)).reply(200, { url: `https://api.github.com${paths.teamMembership(TEAM, user)}`, role: 'member', state: 'active' });
    case 'org-owner':
      return scope
        .get(paths.teamMembership(TEAM, user))
        .reply(404, notFound)
        .get(paths.orgMembership(user))
        .reply(200, { state: 'active', role: 'admin', organization: { login: ORG }, user: { login: user } });
    case 'parent-team':
      return scope
        .get(paths.teamMembership(TEAM, user))
        .reply(404, notFound)
        .get(paths.orgMembership(user))
        .reply(200, { state: 'active', role: 'member', organization: { login: ORG }, user: { login: user } })
        .get(paths.team(TEAM))
        .reply(200, team(TEAM, 'profesores'))
        .get(paths.teamMembership('profesores', user))
        .reply(200, { role: 'member', state: 'active' });
    case 'pending':
      return scope
        .get(paths.teamMembership(TEAM, user))
        .reply(200, { role: 'member', state: 'pending' })
        .get(paths.orgMembership(user))
        .reply(200, { state: 'pending', role: 'member', organization: { login: ORG }, user: { login: user } })
        .get(paths.team(TEAM))
        .reply(200, team(TEAM, null));
    case 'student':
      return scope
        .get(paths.teamMembership(TEAM, user))
        .reply(404, notFound)
        .get(paths.orgMembership(user))
        .reply(404, notFound)
        .get(paths.team(TEAM))
        .reply(200, team(TEAM, null));
  }
}

/** Bodies of the requests a test cares about, as GitHub received them. */
export interface Calls {
  checkRunCreates: any[];
  checkRunPatches: any[];
  commentPosts: any[];
  commentPatches: any[];
  reactions: any[];
}

export function calls(scope: nock.Scope, checkRunId = CHECK_RUN_ID): Calls {
  const c: Calls = { checkRunCreates: [], checkRunPatches: [], commentPosts: [], commentPatches: [], reactions: [] };
  record(scope, 'POST', paths.checkRuns, c.checkRunCreates);
  record(scope, 'PATCH', paths.checkRun(checkRunId), c.checkRunPatches);
  record(scope, 'POST', paths.issueComments, c.commentPosts);
  record(scope, 'PATCH', paths.comment(), c.commentPatches);
  // Reactions on any comment: a test with several TA comments sees them all.
  scope.on('request', (req: { method?: string; url?: string; path?: string }, _interceptor: unknown, body: string) => {
    const url = new URL(req.url ?? `https://api.github.com${req.path}`);
    if (req.method === 'POST' && /^\/repos\/[^/]+\/[^/]+\/issues\/comments\/\d+\/reactions$/.test(url.pathname)) c.reactions.push({ path: url.pathname, ...(body ? JSON.parse(body) : {}) });
  });
  return c;
}

/**
 * The pull request opened and graded (course file, tarball, commits, one completed check
 * run, one scored comment); returns what was created.
 */
export async function gradeOpenedPullRequest(app: App, scope: nock.Scope, options: { labels?: readonly string[]; files?: Tree; commits?: readonly string[] } = {}) {
  const created: any[] = [];
  const posted: any[] = [];
  record(scope, 'POST', paths.checkRuns, created);
  record(scope, 'POST', paths.issueComments, posted);
  courseScope(scope);
  await serveCommit(scope, options.files ?? WEEK1_REPO, options.commits ?? WEEK1_COMMITS, SHA);
  scope
    .post(paths.checkRuns)
    .reply(201, { id: CHECK_RUN_ID, html_url: CHECK_RUN_URL })
    .get(paths.issueComments)
    .query(true)
    .reply(200, [])
    .post(paths.issueComments)
    .reply(201, { id: SCORED_COMMENT_ID });
  await app.probot.receive({ id: 'pr-opened', name: 'pull_request', payload: prEvent('opened', SHA, options.labels ?? []) as never });
  await app.rubrica.queue.idle();
  if (scope.pendingMocks().length) throw new Error(`grading the pull request left GitHub calls undone: ${scope.pendingMocks().join(', ')}`);
  if (created.length !== 1 || posted.length !== 1) throw new Error(`expected one check run and one comment, got ${created.length} and ${posted.length}`);
  return { checkRun: created[0], comment: posted[0] };
}

/**
 * What an accepted command costs on GitHub: the course file, the TA check, the pull
 * request, the reaction, and (`republish`) the check run and scored comment edited.
 */
export function acceptedCommand(scope: nock.Scope, options: { user?: string; role?: Role; sha?: string; labels?: readonly string[]; republish?: boolean; commentId?: number } = {}) {
  courseScope(scope);
  memberships(scope, options.user ?? TA, options.role ?? 'ta');
  scope
    .get(paths.pull)
    .reply(200, pullResponse(options.sha ?? SHA, options.labels ?? []))
    .post(paths.reactions(options.commentId ?? COMMENT_ID), { content: '+1' })
    .reply(201, { id: 1, content: '+1', user: { login: 'rubrica[bot]' } });
  if (options.republish ?? true) {
    scope.patch(paths.checkRun()).reply(200, { id: CHECK_RUN_ID, html_url: CHECK_RUN_URL }).patch(paths.comment()).reply(200, { id: SCORED_COMMENT_ID });
  }
  return scope;
}

/** Delivers a comment event and waits until every job it caused is done. */
export async function deliver(app: App, id: string, event: any) {
  await app.probot.receive({ id, name: 'issue_comment', payload: event as never });
  await app.rubrica.queue.idle();
}

/**
 * A command answered with a reply and nothing else: the course file, the TA check, the
 * pull request (only when the author is a TA) and one POST of the reply.
 */
export function repliedCommand(scope: nock.Scope, options: { user?: string; role?: Role; sha?: string; labels?: readonly string[] } = {}) {
  const role = options.role ?? 'ta';
  courseScope(scope);
  memberships(scope, options.user ?? TA, role);
  if (role !== 'student' && role !== 'pending') scope.get(paths.pull).reply(200, pullResponse(options.sha ?? SHA, options.labels ?? []));
  return scope.post(paths.issueComments).reply(201, { id: 7100 });
}
