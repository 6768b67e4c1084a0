import nock from 'nock';
import { API, ORG, REPO, SHA, WEEK1_COMMITS, WEEK1_REPO, courseScope, githubNock, payload, record, serveCommit, testApp, type Tree } from './github.ts';

/**
 * Helpers for the TA-command tests (test/app/ta-commands.test.ts): a pull request
 * graded once, TA comments as GitHub delivers them, the GitHub calls a command makes,
 * and the organization's teams and memberships (a directory GitHub's lookups read).
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

/** A membership's state on GitHub: an invitation not yet accepted is `pending`. */
export type MembershipState = 'active' | 'pending';

/**
 * Who is who in the organization, as GitHub keeps it: teams (each with its parent and
 * its direct members) and organization memberships. The course's TA team sits under a
 * wider parent team (the whole course, students included) and has a child team of lab TAs.
 */
export interface Directory {
  readonly teams: Readonly<Record<string, { readonly parent?: string; readonly members: Readonly<Record<string, MembershipState>> }>>;
  readonly org: Readonly<Record<string, { readonly role: 'admin' | 'member'; readonly state: MembershipState }>>;
}

/** The people of the TA tests, named for what they are to the course. */
export const PEOPLE = {
  ta: TA,
  labTa: 'lab-ayudante', // a member of the TA team's child team
  invitedTa: 'nuevo-ayudante', // invited to the TA team, not accepted yet
  parentOnly: 'profe-titular', // only in the TA team's parent team
  invitedToParent: 'invitada-curso', // invited to the parent team, not accepted yet
  owner: 'profe-duena', // an organization owner on no team
  invitedOwner: 'duena-invitada', // invited as an owner, not accepted yet
  student: STUDENT,
} as const;

export const PARENT_TEAM = 'mlops-2026';
export const CHILD_TEAM = 'mlops-tas-lab';

export const COURSE_DIRECTORY: Directory = {
  teams: {
    [PARENT_TEAM]: { members: { [PEOPLE.student]: 'active', [PEOPLE.parentOnly]: 'active', [PEOPLE.invitedToParent]: 'pending' } },
    [TEAM]: { parent: PARENT_TEAM, members: { [PEOPLE.ta]: 'active', [PEOPLE.invitedTa]: 'pending' } },
    [CHILD_TEAM]: { parent: TEAM, members: { [PEOPLE.labTa]: 'active' } },
  },
  org: {
    [PEOPLE.ta]: { role: 'member', state: 'active' },
    [PEOPLE.labTa]: { role: 'member', state: 'active' },
    [PEOPLE.invitedTa]: { role: 'member', state: 'pending' },
    [PEOPLE.parentOnly]: { role: 'member', state: 'active' },
    [PEOPLE.invitedToParent]: { role: 'member', state: 'pending' },
    [PEOPLE.owner]: { role: 'admin', state: 'active' },
    [PEOPLE.invitedOwner]: { role: 'admin', state: 'pending' },
    [PEOPLE.student]: { role: 'member', state: 'active' },
  },
};

/**
 * GitHub's answer to "is `user` a member of `team`": as GitHub computes it, members of
 * the team's child teams (at any depth) count; the team's parent does not. An active
 * membership anywhere below wins over a pending one.
 */
export function teamMembershipOf(directory: Directory, team: string, user: string): MembershipState | undefined {
  if (!directory.teams[team]) return undefined;
  const below = (slug: string): string[] => [slug, ...Object.entries(directory.teams).filter(([, t]) => t.parent === slug).flatMap(([child]) => below(child))];
  const states = below(team).map((slug) => directory.teams[slug]!.members[user]).filter((s): s is MembershipState => s !== undefined);
  return states.includes('active') ? 'active' : states[0];
}

/**
 * Serves the organization's teams and memberships from `directory`, whatever lookups a
 * TA check makes and in whatever order (nothing here is required to be asked). While
 * `outage` lasts (its first `requests` membership lookups), GitHub answers `status` instead.
 */
export function serveDirectory(directory: Directory = COURSE_DIRECTORY, outage?: { status: number; requests: number }) {
  const notFound = { message: 'Not Found', documentation_url: 'https://docs.github.com/rest' };
  const lookups: string[] = [];
  const pathOf = (uri: unknown) => new URL(typeof uri === 'string' ? uri : (uri as { url: string }).url, API).pathname;
  const failing = (path: string): [number, unknown] | undefined => {
    lookups.push(path);
    return outage && lookups.length <= outage.requests ? [outage.status, { message: outage.status >= 500 ? 'Server Error' : 'Resource not accessible by integration' }] : undefined;
  };
  nock(API)
    .persist()
    .get(new RegExp(`^/orgs/${ORG}/teams/[^/]+/memberships/[^/?]+$`))
    .optionally()
    .reply((uri: unknown) => {
      const path = pathOf(uri);
      const failure = failing(path);
      if (failure) return failure;
      const [, , , , team, , user] = path.split('/').map(decodeURIComponent); // /orgs/{org}/teams/{team}/memberships/{user}
      const state = teamMembershipOf(directory, team!, user!);
      return state ? [200, { url: `${API}${path}`, role: 'member', state }] : [404, notFound];
    })
    .get(new RegExp(`^/orgs/${ORG}/memberships/[^/?]+$`))
    .optionally()
    .reply((uri: unknown) => {
      const path = pathOf(uri);
      const failure = failing(path);
      if (failure) return failure;
      const user = decodeURIComponent(path.split('/').at(-1)!);
      const member = directory.org[user];
      return member ? [200, { url: `${API}${path}`, state: member.state, role: member.role, organization: { login: ORG }, user: { login: user } }] : [404, notFound];
    })
    .get(new RegExp(`^/orgs/${ORG}/teams/[^/]+$`))
    .optionally()
    .reply((uri: unknown) => {
      const slug = decodeURIComponent(pathOf(uri).split('/').at(-1)!);
      const team = directory.teams[slug];
      if (!team) return [404, notFound];
      return [200, { id: slug.length, slug, name: slug, privacy: 'closed', parent: team.parent ? { slug: team.parent, name: team.parent } : null }];
    });
  return { lookups };
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
 * What an accepted command costs on GitHub: the course file, the pull request, the
 * reaction, and (`republish`) the check run and scored comment edited. Who is a TA is
 * not mocked here: `serveDirectory` answers those lookups, whichever are made.
 */
export function acceptedCommand(scope: nock.Scope, options: { sha?: string; labels?: readonly string[]; republish?: boolean; commentId?: number } = {}) {
  courseScope(scope);
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
 * A command answered with a reply and nothing else: the course file, the pull request
 * (a TA's command needs it; a refused one may read it or not) and one POST of the reply.
 */
export function repliedCommand(scope: nock.Scope, options: { refused?: boolean; sha?: string; labels?: readonly string[] } = {}) {
  courseScope(scope);
  const pull = scope.get(paths.pull);
  (options.refused ? pull.optionally() : pull).reply(200, pullResponse(options.sha ?? SHA, options.labels ?? []));
  return scope.post(paths.issueComments).reply(201, { id: 7100 });
}

/** GitHub faked for a TA test: the organization's teams and memberships served from `directory`. */
export function taNock(directory: Directory = COURSE_DIRECTORY) {
  const scope = githubNock();
  serveDirectory(directory);
  return scope;
}
