import { Readable } from 'node:stream';
import type { ReadableStream as WebReadableStream } from 'node:stream/web';
import type { ProbotOctokit } from 'probot';
import { COURSE_FILE, COURSE_REPO } from '../course/load.ts';
import { commitsFromApi, tarballSnapshot, type ApiCommit } from './tarball.ts';
import type { SnapshotSource } from '../sandbox/snapshot.ts';
import { annotationBatches, type CheckRunOutput } from '../report/markdown.ts';

/** An installation's authenticated client (Probot's Octokit: throttling and retries included). */
export type Octokit = InstanceType<typeof ProbotOctokit>;

export interface RepoRef {
  readonly owner: string;
  readonly repo: string;
}

/** How many commits the history checks see (newest first): 3 pages of GitHub's list. */
const MAX_COMMITS = 300;

/** The HTTP status of an Octokit RequestError (duck-typed: several copies of the class may be installed). */
export function statusOf(error: unknown): number | undefined {
  const status = (error as { status?: unknown } | null)?.status;
  return typeof status === 'number' ? status : undefined;
}

/**
 * The course file from the organization's `.github` repository, on its default branch.
 * Read explicitly, never through `context.config()`: that lets a file in the student's
 * repository replace the organization's.
 */
export async function readCourseFile(octokit: Octokit, owner: string): Promise<{ text: string; sha: string } | { missing: 'no-repo' | 'no-file' }> {
  try {
    const { data } = await octokit.rest.repos.getContent({ owner, repo: COURSE_REPO, path: COURSE_FILE });
    if (Array.isArray(data) || data.type !== 'file' || !('content' in data)) return { missing: 'no-file' };
    return { text: Buffer.from(data.content, 'base64').toString('utf8'), sha: data.sha };
  } catch (error) {
    if (statusOf(error) !== 404) throw error;
  }
  // Which one is missing decides what the instructor is told.
  try {
    await octokit.rest.repos.get({ owner, repo: COURSE_REPO });
    return { missing: 'no-file' };
  } catch (error) {
    if (statusOf(error) === 404) return { missing: 'no-repo' };
    throw error;
  }
}

/**
 * The commit's history (commits API) now, and its files (tarball) as a stream opened
 * when the snapshot is packed, so a repository is never held whole in memory and its
 * caps apply as it downloads. No git runs on the host.
 */
export async function fetchSnapshot(octokit: Octokit, ref: RepoRef, sha: string): Promise<SnapshotSource> {
  const list: ApiCommit[] = [];
  for await (const page of octokit.paginate.iterator(octokit.rest.repos.listCommits, { ...ref, sha, per_page: 100 })) {
    list.push(...(page.data as unknown as ApiCommit[]));
    if (list.length >= MAX_COMMITS) break;
  }
  const download = async () => {
    const response = await octokit.request('GET /repos/{owner}/{repo}/tarball/{ref}', { ...ref, ref: sha, request: { parseSuccessResponseBody: false } });
    const declared = Number(response.headers['content-length']);
    return {
      body: Readable.fromWeb(response.data as unknown as WebReadableStream),
      declaredBytes: response.headers['content-length'] !== undefined && Number.isFinite(declared) ? declared : undefined,
    };
  };
  return tarballSnapshot(download, `${ref.owner}/${ref.repo}@${sha.slice(0, 7)}`, { commit: sha, commits: commitsFromApi(list.slice(0, MAX_COMMITS)) });
}

export interface CheckRunStart {
  readonly name: string;
  readonly sha: string;
  /** Week and delivery time, so a re-run grades the same week even after a restart. */
  readonly externalId: string;
}

export async function createCheckRun(octokit: Octokit, ref: RepoRef, run: CheckRunStart & { status: 'queued' | 'in_progress'; output?: { title: string; summary: string } }) {
  const { data } = await octokit.rest.checks.create({
    ...ref,
    name: run.name,
    head_sha: run.sha,
    external_id: run.externalId,
    status: run.status,
    ...(run.output ? { output: run.output } : {}),
    ...(run.status === 'in_progress' ? { started_at: new Date().toISOString() } : {}),
  });
  return { id: data.id, url: data.html_url ?? undefined };
}

/**
 * Completes a check run: the first request carries the output and the first 50
 * annotations; each further batch of 50 is one more update (the Checks API's limit).
 */
export async function completeCheckRun(
  octokit: Octokit,
  ref: RepoRef,
  checkRunId: number,
  result: { name: string; conclusion: 'success' | 'failure' | 'neutral'; output: CheckRunOutput },
) {
  const [first = [], ...rest] = annotationBatches(result.output.annotations);
  const { title, summary, text } = result.output;
  await octokit.rest.checks.update({
    ...ref,
    check_run_id: checkRunId,
    name: result.name,
    status: 'completed',
    conclusion: result.conclusion,
    completed_at: new Date().toISOString(),
    output: { title, summary, text, annotations: [...first] },
  });
  for (const batch of rest) {
    await octokit.rest.checks.update({ ...ref, check_run_id: checkRunId, output: { title, summary, annotations: [...batch] } });
  }
}

/**
 * A grading published in one write: the check run is created already completed, with
 * the first 50 annotations; each further batch of 50 is one more update.
 */
export async function createCompletedCheckRun(
  octokit: Octokit,
  ref: RepoRef,
  run: CheckRunStart & { conclusion: 'success' | 'failure' | 'neutral'; output: CheckRunOutput },
): Promise<{ id: number; url?: string }> {
  const [first = [], ...rest] = annotationBatches(run.output.annotations);
  const { title, summary, text } = run.output;
  const now = new Date().toISOString();
  const { data } = await octokit.rest.checks.create({
    ...ref,
    name: run.name,
    head_sha: run.sha,
    external_id: run.externalId,
    status: 'completed',
    started_at: now,
    completed_at: now,
    conclusion: run.conclusion,
    output: { title, summary, text, annotations: [...first] },
  });
  for (const batch of rest) {
    await octokit.rest.checks.update({ ...ref, check_run_id: data.id, output: { title, summary, annotations: [...batch] } });
  }
  return { id: data.id, url: data.html_url ?? undefined };
}

/**
 * The students of a repository recognised by topic: its direct collaborators
 * without admin rights (an organization's owners and TAs reach it through the org).
 */
export async function repositoryStudents(octokit: Octokit, ref: RepoRef): Promise<string[]> {
  const collaborators = await octokit.paginate(octokit.rest.repos.listCollaborators, { ...ref, affiliation: 'direct', per_page: 100 });
  return collaborators.filter((c) => c.type !== 'Bot' && !c.permissions?.admin).map((c) => c.login).sort();
}

/** A check run created already completed: the cases without a grade (not configured, outside the course). */
export async function completedCheckRun(
  octokit: Octokit,
  ref: RepoRef,
  run: { name: string; sha: string; conclusion: 'neutral' | 'success' | 'failure'; title: string; summary: string; externalId?: string },
) {
  const { data } = await octokit.rest.checks.create({
    ...ref,
    name: run.name,
    head_sha: run.sha,
    status: 'completed',
    conclusion: run.conclusion,
    completed_at: new Date().toISOString(),
    ...(run.externalId ? { external_id: run.externalId } : {}),
    output: { title: run.title, summary: run.summary },
  });
  return { id: data.id };
}

/**
 * Creates or edits Rubrica's comment on a pull request for a week. The comment id
 * comes from our store; without it, an existing comment is found by its marker but
 * only if our app wrote it (anyone with write access can write a marker).
 */
export async function upsertIssueComment(
  octokit: Octokit,
  ref: RepoRef,
  issue: number,
  body: string,
  known: { commentId?: number; marker: string; botLogin: string },
): Promise<{ id: number; created: boolean }> {
  if (known.commentId !== undefined) {
    try {
      await octokit.rest.issues.updateComment({ ...ref, comment_id: known.commentId, body });
      return { id: known.commentId, created: false };
    } catch (error) {
      if (statusOf(error) !== 404) throw error; // deleted by someone: write a new one
    }
  } else {
    for await (const page of octokit.paginate.iterator(octokit.rest.issues.listComments, { ...ref, issue_number: issue, per_page: 100 })) {
      const ours = page.data.find((c) => c.user?.login === known.botLogin && c.body?.startsWith(known.marker));
      if (ours) {
        await octokit.rest.issues.updateComment({ ...ref, comment_id: ours.id, body });
        return { id: ours.id, created: false };
      }
    }
  }
  const { data } = await octokit.rest.issues.createComment({ ...ref, issue_number: issue, body });
  return { id: data.id, created: true };
}

/** An open issue of ours with `marker` in the course repository, created or brought up to date. */
export async function upsertCourseIssue(
  octokit: Octokit,
  owner: string,
  issue: { title: string; body: string; marker: string; botLogin: string },
): Promise<'created' | 'updated' | 'unchanged'> {
  const ref = { owner, repo: COURSE_REPO };
  const open = await octokit.paginate(octokit.rest.issues.listForRepo, { ...ref, state: 'open', creator: issue.botLogin, per_page: 100 });
  const ours = open.find((i) => !i.pull_request && i.body?.includes(issue.marker));
  if (ours) {
    if (ours.body === issue.body && ours.title === issue.title) return 'unchanged';
    await octokit.rest.issues.update({ ...ref, issue_number: ours.number, title: issue.title, body: issue.body });
    return 'updated';
  }
  await octokit.rest.issues.create({ ...ref, title: issue.title, body: issue.body });
  return 'created';
}
