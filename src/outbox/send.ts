import {
  completeCheckRun,
  completedCheckRun,
  createCheckRun,
  createCompletedCheckRun,
  upsertCourseIssue,
  upsertIssueComment,
  type Octokit,
  type RepoRef,
} from '../github/api.ts';
import { commentMarker, pullRequestComment, type CheckRunOutput } from '../report/markdown.ts';
import type { Store } from '../store/store.ts';
import type { SqlRunner } from '../store/sql.ts';
import type { ParsedPublication } from './publications.ts';

export interface SendContext {
  readonly store: Store;
  /** `<app-slug>[bot]`: the author of our comments. */
  readonly botLogin: string;
  /** 1 on the first try; a later try first looks for what an interrupted one may have written. */
  readonly attempt: number;
}

export interface Sent {
  /** What GitHub answered that is worth keeping (ids, what was done). */
  readonly result: Record<string, unknown>;
  /** What it made, recorded in the transaction that marks it sent. */
  readonly record: (tx: SqlRunner) => Promise<void>;
}

/**
 * Sends one publication: the only code that writes to GitHub. Each write goes
 * through the installation's budget (the client's hook) and the publication's lease.
 */
export async function send(octokit: Octokit, p: ParsedPublication, ctx: SendContext): Promise<Sent> {
  const nothing = async () => {};
  switch (p.kind) {
    case 'check-run':
      return sendCheckRun(octokit, p, ctx);
    case 'pr-comment': {
      const ref: RepoRef = { owner: p.owner, repo: p.repo };
      const checkRunUrl = (await ctx.store.published.checkRunFor(p.repoId, p.sha, p.unit))?.url;
      const body = pullRequestComment(p.grade, { ...p.render, commit: p.sha, ...(checkRunUrl ? { checkRunUrl } : {}) });
      const commentId = await ctx.store.published.commentFor(p.repoId, p.pullRequest, p.unit);
      const comment = await upsertIssueComment(octokit, ref, p.pullRequest, body, { ...(commentId !== undefined ? { commentId } : {}), marker: p.marker, botLogin: ctx.botLogin });
      return { result: { commentId: comment.id, created: comment.created }, record: (tx) => ctx.store.published.recordPublished(tx, { comment: { repoId: p.repoId, issue: p.pullRequest, unit: p.unit, id: comment.id } }) };
    }
    case 'commit-comment': {
      const checkRunUrl = (await ctx.store.published.checkRunFor(p.repoId, p.sha, p.unit))?.url;
      const body = pullRequestComment(p.grade, { ...p.render, commit: p.sha, ...(checkRunUrl ? { checkRunUrl } : {}) });
      if (ctx.attempt > 1) {
        // An interrupted try may have posted it: the commit's comment of this unit is ours already.
        const marker = commentMarker(p.unit);
        const comments = await octokit.paginate(octokit.rest.repos.listCommentsForCommit, { owner: p.owner, repo: p.repo, commit_sha: p.sha, per_page: 100 });
        const ours = comments.find((c) => c.user?.login === ctx.botLogin && c.body.startsWith(marker));
        if (ours) return { result: { commentId: ours.id, found: true }, record: nothing };
      }
      const { data } = await octokit.rest.repos.createCommitComment({ owner: p.owner, repo: p.repo, commit_sha: p.sha, body });
      return { result: { commentId: data.id }, record: nothing };
    }
    case 'reply': {
      const ref: RepoRef = { owner: p.owner, repo: p.repo };
      if (ctx.attempt > 1) {
        // An interrupted try may have written it already: a reply is never posted twice.
        const comments = await octokit.paginate(octokit.rest.issues.listComments, { ...ref, issue_number: p.pullRequest, per_page: 100 });
        const ours = comments.find((c) => c.user?.login === ctx.botLogin && c.body === p.body);
        if (ours) return { result: { commentId: ours.id, found: true }, record: nothing };
      }
      const { data } = await octokit.rest.issues.createComment({ ...ref, issue_number: p.pullRequest, body: p.body });
      return { result: { commentId: data.id }, record: nothing };
    }
    case 'reaction': {
      if (ctx.attempt > 1) {
        // GitHub would answer a repeated reaction with the existing one, but the write still costs budget.
        const reactions = await octokit.paginate(octokit.rest.reactions.listForIssueComment, { owner: p.owner, repo: p.repo, comment_id: p.commentId, content: p.content, per_page: 100 });
        const ours = reactions.find((r) => r.user?.login === ctx.botLogin);
        if (ours) return { result: { reactionId: ours.id, found: true }, record: nothing };
      }
      const { data } = await octokit.rest.reactions.createForIssueComment({ owner: p.owner, repo: p.repo, comment_id: p.commentId, content: p.content });
      return { result: { reactionId: data.id }, record: nothing };
    }
    case 'course-issue': {
      const done = await upsertCourseIssue(octokit, p.owner, { title: p.title, body: p.body, marker: p.marker, botLogin: ctx.botLogin });
      return { result: { issue: done }, record: nothing };
    }
  }
}

type CheckRunPublication = Extract<ParsedPublication, { kind: 'check-run' }>;

/**
 * A check run: one per commit and week. The one this commit and week already has
 * (a re-run's, a "queued" one) is completed rather than a second created; a try
 * after an interruption looks on GitHub for one it may have created but not recorded.
 */
async function sendCheckRun(octokit: Octokit, p: CheckRunPublication, ctx: SendContext): Promise<Sent> {
  const ref: RepoRef = { owner: p.owner, repo: p.repo };
  const id = p.checkRunId ?? (p.unit !== '' ? (await ctx.store.published.checkRunFor(p.repoId, p.sha, p.unit))?.id : undefined);
  const record = (run: { id: number; url?: string }) => (tx: SqlRunner) =>
    ctx.store.published.recordPublished(tx, { checkRun: { repoId: p.repoId, sha: p.sha, unit: p.unit, ...run, ...(p.gradingJobId ? { gradingJobId: p.gradingJobId } : {}), ...(p.noticeForJob ? { noticeForJob: p.noticeForJob } : {}) } });
  if (id === undefined && ctx.attempt > 1) {
    // The interrupted try created it (with this very content): recorded, not written again.
    const found = await findCheckRun(octokit, ref, p);
    if (found) return { result: { checkRunId: found.id, found: true }, record: record(found) };
  }
  if (p.status === 'queued') {
    // A "queued" notice for a commit that already shows a check run has nothing to add.
    if (id !== undefined) return { result: { checkRunId: id, existing: true }, record: record({ id }) };
    const run = await createCheckRun(octokit, ref, { name: p.name, sha: p.sha, externalId: p.externalId ?? '', status: 'queued', output: { title: p.output.title, summary: p.output.summary } });
    return { result: { checkRunId: run.id, created: true }, record: record(run) };
  }
  const conclusion = p.conclusion ?? 'neutral';
  // A graded check run carries the report (text, annotations); the others a title and a summary.
  const graded = p.output.text !== undefined && conclusion !== 'skipped';
  if (graded) {
    const output: CheckRunOutput = { title: p.output.title, summary: p.output.summary, text: p.output.text ?? '', annotations: p.output.annotations };
    const verdict = conclusion as 'success' | 'failure' | 'neutral';
    if (id !== undefined) {
      await completeCheckRun(octokit, ref, id, { name: p.name, conclusion: verdict, output });
      return { result: { checkRunId: id, completed: true }, record: record({ id }) };
    }
    const run = await createCompletedCheckRun(octokit, ref, { name: p.name, sha: p.sha, externalId: p.externalId ?? '', conclusion: verdict, output });
    return { result: { checkRunId: run.id, created: true }, record: record(run) };
  }
  if (id !== undefined) {
    await octokit.rest.checks.update({ ...ref, check_run_id: id, status: 'completed', conclusion, completed_at: new Date().toISOString(), output: { title: p.output.title, summary: p.output.summary } });
    return { result: { checkRunId: id, completed: true }, record: record({ id }) };
  }
  const run = await completedCheckRun(octokit, ref, { name: p.name, sha: p.sha, conclusion: conclusion === 'skipped' ? 'neutral' : conclusion, title: p.output.title, summary: p.output.summary, ...(p.externalId ? { externalId: p.externalId } : {}) });
  return { result: { checkRunId: run.id, created: true }, record: record(run) };
}

/** Our check run of this name on the commit, if an interrupted try created it (a read: no write budget). */
async function findCheckRun(octokit: Octokit, ref: RepoRef, p: CheckRunPublication): Promise<{ id: number; url?: string } | undefined> {
  const { data } = await octokit.rest.checks.listForRef({ ...ref, ref: p.sha, check_name: p.name, filter: 'all', per_page: 100 });
  const ours = data.check_runs.find((r) => r.name === p.name && (p.externalId === undefined || r.external_id === p.externalId));
  return ours ? { id: ours.id, ...(ours.html_url ? { url: ours.html_url } : {}) } : undefined;
}
