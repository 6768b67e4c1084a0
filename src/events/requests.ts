import { COURSE_REPO } from '../course/load.ts';
import { weekNamedBy } from '../course/calendar.ts';
import { parseUnitKey, unitKey, weekNumberOf, weekUnit } from '../course/unit.ts';
import { parseCommands } from '../commands/parse.ts';

/**
 * GitHub events → grading requests. Pure: a webhook payload in, a request (or the
 * reason it is not graded) out. Whether the repository is a student's is decided later,
 * with the course file; everything decidable from the payload alone is decided here.
 */
/** What every request carries: the delivery, the installation and the repository. */
export interface RequestBase {
  readonly deliveryId: string;
  readonly installationId: number;
  readonly owner: string;
  readonly repo: string;
  readonly repoId: number;
  readonly topics: readonly string[];
  readonly sha: string;
  /** When GitHub delivered the event (ISO): decides the week and lateness. Never the commit's date. */
  readonly deliveredAt: string;
}

export interface GradingRequest extends RequestBase {
  readonly trigger: 'push' | 'pull_request' | 'rerun';
  readonly pullRequest?: PullRequestRef;
  /**
   * What to grade, when named (src/course/unit.ts key: `week-3`, `final/first`): by the
   * pull request (label or branch `week-3`) or by the check run being re-run. Else the
   * course decides it: the calendar's week, or the assignment's open delivery.
   */
  readonly unit?: string;
  /** Re-run: the check run to grade into again. */
  readonly checkRunId?: number;
  /** A whole-week regrade's id: the grading and its publications are held until an instructor decides. */
  readonly hold?: string;
}

/** A pull request a grading came by; `author` and `fork` (when known) decide whether it is the student's own. */
export interface PullRequestRef {
  readonly number: number;
  /** Who opened it. */
  readonly author?: string;
  /** Its head is in another repository (a fork, or a fork since deleted). */
  readonly fork?: boolean;
}

export type Translation = { readonly request: GradingRequest } | { readonly skip: string };

interface RepositoryPayload {
  readonly id: number;
  readonly name: string;
  readonly full_name: string;
  readonly owner: { readonly login: string } | null;
  readonly default_branch: string;
  readonly archived?: boolean;
  readonly is_template?: boolean;
  readonly topics?: readonly string[];
  readonly pushed_at?: number | string | null;
}

interface Sender {
  readonly login: string;
  readonly type?: string;
}

const ZERO_SHA = /^0{40}$/;

function repositorySkip(repository: RepositoryPayload): string | null {
  if (repository.name === COURSE_REPO) return 'the course configuration repository';
  if (repository.archived) return 'archived repository';
  if (repository.is_template) return 'template repository';
  return null;
}

/** GitHub's own time for a push (`pushed_at`, seconds), else the time we received it. */
function pushTime(repository: RepositoryPayload, receivedAt: Date): string {
  const pushed = repository.pushed_at;
  if (typeof pushed === 'number' && pushed > 0 && pushed * 1000 <= receivedAt.getTime() + 60_000) return new Date(pushed * 1000).toISOString();
  return receivedAt.toISOString();
}

function base(deliveryId: string, installationId: number, repository: RepositoryPayload) {
  return {
    deliveryId,
    installationId,
    owner: repository.owner?.login ?? repository.full_name.split('/')[0]!,
    repo: repository.name,
    repoId: repository.id,
    topics: repository.topics ?? [],
  };
}

export function fromPush(
  payload: { ref: string; after: string; deleted: boolean; repository: RepositoryPayload; sender?: Sender; installation?: { id: number } },
  meta: { deliveryId: string; receivedAt: Date; botLogin: string },
): Translation {
  if (!payload.installation) return { skip: 'no installation' };
  const skip = repositorySkip(payload.repository);
  if (skip) return { skip };
  if (payload.deleted || ZERO_SHA.test(payload.after)) return { skip: 'branch deleted' };
  if (!payload.ref.startsWith('refs/heads/')) return { skip: 'not a branch' };
  // Pushes to other branches are graded through their pull request, if they have one.
  if (payload.ref !== `refs/heads/${payload.repository.default_branch}`) return { skip: 'not the default branch' };
  if (payload.sender?.login === meta.botLogin) return { skip: 'pushed by Rubrica' };
  return {
    request: {
      ...base(meta.deliveryId, payload.installation.id, payload.repository),
      sha: payload.after,
      deliveredAt: pushTime(payload.repository, meta.receivedAt),
      trigger: 'push',
    },
  };
}

export function fromPullRequest(
  payload: {
    action: string;
    pull_request: {
      number: number;
      state: string;
      head: { sha: string; ref: string; repo?: { id: number } | null };
      labels?: readonly { name: string }[];
      updated_at?: string;
      user?: { login: string } | null;
    };
    repository: RepositoryPayload;
    sender: Sender;
    installation?: { id: number };
  },
  meta: { deliveryId: string; receivedAt: Date; botLogin: string },
): Translation {
  if (!payload.installation) return { skip: 'no installation' };
  const skip = repositorySkip(payload.repository);
  if (skip) return { skip };
  const pr = payload.pull_request;
  if (pr.state !== 'open') return { skip: 'pull request not open' };
  if (payload.sender.login === meta.botLogin) return { skip: 'pushed by Rubrica' };
  const week = weekNamedBy((pr.labels ?? []).map((l) => l.name), pr.head.ref);
  const unit = week === undefined ? undefined : unitKey(weekUnit(week));
  return {
    request: {
      ...base(meta.deliveryId, payload.installation.id, payload.repository),
      sha: pr.head.sha,
      deliveredAt: meta.receivedAt.toISOString(),
      trigger: 'pull_request',
      pullRequest: { number: pr.number, fork: !pr.head.repo || pr.head.repo.id !== payload.repository.id, ...(pr.user ? { author: pr.user.login } : {}) },
      ...(unit !== undefined ? { unit } : {}),
    },
  };
}

/**
 * The unit and delivery time travel with the check run (`external_id`), so "Re-run"
 * grades the same unit at the same lateness even after a restart. Only our app can
 * write a check run's external_id. A week's keeps the form it always had (`week=3`).
 */
export function checkRunExternalId(unit: string, deliveredAt: string): string {
  const week = weekNumberOf(unit);
  return week > 0 ? `rubrica:week=${week};delivered=${deliveredAt}` : `rubrica:unit=${unit};delivered=${deliveredAt}`;
}

export function parseExternalId(id: string | null | undefined): { unit: string; deliveredAt: string } | null {
  const old = /^rubrica:week=(\d{1,2});delivered=([0-9T:.Z-]+)$/.exec(id ?? '');
  if (old) return { unit: `week-${Number(old[1])}`, deliveredAt: old[2]! };
  const m = /^rubrica:unit=([a-z0-9/-]{1,80});delivered=([0-9T:.Z-]+)$/.exec(id ?? '');
  return m && parseUnitKey(m[1]!) ? { unit: m[1]!, deliveredAt: m[2]! } : null;
}

export function fromCheckRunRerequest(
  payload: {
    check_run: { id: number; head_sha: string; external_id?: string | null; app?: { id: number | null } | null; pull_requests?: readonly { number: number }[] };
    repository: RepositoryPayload;
    installation?: { id: number };
  },
  meta: { deliveryId: string; receivedAt: Date; appId: number },
): Translation {
  if (!payload.installation) return { skip: 'no installation' };
  if (payload.check_run.app && payload.check_run.app.id !== meta.appId) return { skip: "another app's check run" };
  const skip = repositorySkip(payload.repository);
  if (skip) return { skip };
  const original = parseExternalId(payload.check_run.external_id);
  const pr = payload.check_run.pull_requests?.[0];
  return {
    request: {
      ...base(meta.deliveryId, payload.installation.id, payload.repository),
      sha: payload.check_run.head_sha,
      deliveredAt: original?.deliveredAt ?? meta.receivedAt.toISOString(),
      trigger: 'rerun',
      ...(original ? { unit: original.unit, checkRunId: payload.check_run.id } : {}),
      ...(pr ? { pullRequest: { number: pr.number } } : {}),
    },
  };
}

export function fromCheckSuiteRerequest(
  payload: {
    check_suite: { head_sha: string; app?: { id: number | null } | null; pull_requests?: readonly { number: number }[] };
    repository: RepositoryPayload;
    installation?: { id: number };
  },
  meta: { deliveryId: string; receivedAt: Date; appId: number },
): Translation {
  if (!payload.installation) return { skip: 'no installation' };
  if (payload.check_suite.app && payload.check_suite.app.id !== meta.appId) return { skip: "another app's check suite" };
  const skip = repositorySkip(payload.repository);
  if (skip) return { skip };
  const pr = payload.check_suite.pull_requests?.[0];
  return {
    request: {
      ...base(meta.deliveryId, payload.installation.id, payload.repository),
      sha: payload.check_suite.head_sha,
      deliveredAt: meta.receivedAt.toISOString(),
      trigger: 'rerun',
      ...(pr ? { pullRequest: { number: pr.number } } : {}),
    },
  };
}

/** A TA command (or a change to one) in a pull request's comments, to be carried out by a worker. */
export interface CommandRequest extends RequestBase {
  /** `sha` is not known from a comment's payload (''): the worker reads the pull request's head. */
  readonly trigger: 'command';
  readonly pullRequest: { readonly number: number };
  readonly action: 'created' | 'edited' | 'deleted';
  readonly comment: { readonly id: number; readonly body: string; readonly author: string; readonly createdAt: string };
  /** Who edited or deleted it (for edited and deleted). */
  readonly sender: string;
}

export type CommandTranslation = { readonly request: CommandRequest } | { readonly skip: string };

/**
 * issue_comment → a command request. Only `created` comments are acted on; an edit
 * or deletion is passed on so the worker can tell whether a recorded command was
 * tampered with (it never changes a grade).
 */
export function fromIssueComment(
  payload: {
    action: string;
    issue: { number: number; pull_request?: unknown };
    comment: { id: number; body?: string | null; user: { login: string; type?: string } | null; created_at: string };
    repository: RepositoryPayload;
    sender: Sender;
    installation?: { id: number };
  },
  meta: { deliveryId: string; receivedAt: Date; botLogin: string },
): CommandTranslation {
  if (!payload.installation) return { skip: 'no installation' };
  const action = payload.action;
  if (action !== 'created' && action !== 'edited' && action !== 'deleted') return { skip: `comment ${action}` };
  if (!payload.issue.pull_request) return { skip: 'not a pull request' };
  const skip = repositorySkip(payload.repository);
  if (skip) return { skip };
  const author = payload.comment.user?.login ?? 'ghost';
  if (author === meta.botLogin || payload.comment.user?.type === 'Bot') return { skip: 'a comment by a bot' };
  const body = payload.comment.body ?? '';
  // Edits and deletions matter whatever the text now says; a new comment only with a command in it.
  if (action === 'created' && parseCommands(body).length === 0) return { skip: 'no command' };
  return {
    request: {
      ...base(meta.deliveryId, payload.installation.id, payload.repository),
      sha: '',
      deliveredAt: meta.receivedAt.toISOString(),
      trigger: 'command',
      pullRequest: { number: payload.issue.number },
      action,
      comment: { id: payload.comment.id, body, author, createdAt: payload.comment.created_at },
      sender: payload.sender.login,
    },
  };
}
