import { randomUUID } from 'node:crypto';
import { one, type SqlDatabase, type SqlRunner } from './sql.ts';

/** How a review request was closed: a TA's answer in the dashboard, or an override, manual score or clearing of its criterion. */
export type ReviewAnswer = 'answered' | 'override' | 'manual' | 'clear';

export interface ReviewRequest {
  readonly id: string;
  readonly org: string;
  readonly installationId: number;
  readonly repoId: number;
  readonly repo: string;
  readonly pullRequest: number;
  readonly week: number;
  readonly criterion: string;
  /** The student's words, as written: inert text, shown escaped. */
  readonly reason: string;
  readonly student: string;
  readonly commentId: number;
  readonly at: string;
  readonly state: 'open' | 'closed';
  readonly answeredBy: string | null;
  readonly answeredAt: string | null;
  readonly answeredHow: ReviewAnswer | null;
  readonly answer: string | null;
}

export type NewReviewRequest = Omit<ReviewRequest, 'id' | 'state' | 'answeredBy' | 'answeredAt' | 'answeredHow' | 'answer'>;

/** What recording a request found: it is new, this comment already made it, or one for the criterion and week is still open. */
export type RecordedReview = { readonly status: 'recorded' | 'already-recorded'; readonly request: ReviewRequest } | { readonly status: 'already-open'; readonly request: ReviewRequest };

interface ReviewDbRow {
  id: string;
  org: string;
  installation_id: number;
  repo_id: number;
  repo: string;
  pull_request: number;
  week: number;
  criterion: string;
  reason: string;
  student: string;
  comment_id: number;
  at: string;
  state: 'open' | 'closed';
  answered_by: string | null;
  answered_at: string | null;
  answered_how: ReviewAnswer | null;
  answer: string | null;
}

function review(r: ReviewDbRow): ReviewRequest {
  return {
    id: r.id,
    org: r.org,
    installationId: Number(r.installation_id),
    repoId: Number(r.repo_id),
    repo: r.repo,
    pullRequest: Number(r.pull_request),
    week: Number(r.week),
    criterion: r.criterion,
    reason: r.reason,
    student: r.student,
    commentId: Number(r.comment_id),
    at: r.at,
    state: r.state,
    answeredBy: r.answered_by,
    answeredAt: r.answered_at,
    answeredHow: r.answered_how,
    answer: r.answer,
  };
}

/**
 * Students' review requests (`/rubrica review`): at most one open per repository,
 * week and criterion (a unique index says so on both backends), closed once by a
 * TA's answer, override, manual score or clearing of that criterion.
 */
export class ReviewStore {
  private readonly db: SqlDatabase;

  constructor(db: SqlDatabase) {
    this.db = db;
  }

  /** Records a request, once per comment; a second open one for the same criterion and week is refused with the open one. */
  record(r: NewReviewRequest): Promise<RecordedReview> {
    return this.db.transaction(async (tx) => {
      const same = await one<ReviewDbRow>(tx, `SELECT * FROM review_requests WHERE comment_id = ? AND week = ? AND criterion = ?`, [r.commentId, r.week, r.criterion]);
      if (same) return { status: 'already-recorded', request: review(same) };
      const open = await openOf(tx, r.repoId, r.week, r.criterion);
      if (open) return { status: 'already-open', request: open };
      const id = randomUUID();
      await tx.run(
        `INSERT INTO review_requests (id, org, installation_id, repo_id, repo, pull_request, week, criterion, reason, student, comment_id, at, state) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'open')`,
        [id, r.org, r.installationId, r.repoId, r.repo, r.pullRequest, r.week, r.criterion, r.reason, r.student, r.commentId, r.at],
      );
      return { status: 'recorded', request: review((await one<ReviewDbRow>(tx, `SELECT * FROM review_requests WHERE id = ?`, [id]))!) };
    });
  }

  /**
   * Closes the open request of a criterion and week (or the one named by `id`), saying
   * who answered, when and how; the closed request, or undefined when none was open.
   */
  async close(which: { id: string } | { repoId: number; week: number; criterion: string }, answer: { by: string; at: string; how: ReviewAnswer; text?: string }): Promise<ReviewRequest | undefined> {
    return this.db.transaction(async (tx) => {
      const open = 'id' in which ? await one<ReviewDbRow>(tx, `SELECT * FROM review_requests WHERE id = ? AND state = 'open'`, [which.id]).then((r) => r && review(r)) : await openOf(tx, which.repoId, which.week, which.criterion);
      if (!open) return undefined;
      const changed = await tx.run(`UPDATE review_requests SET state = 'closed', answered_by = ?, answered_at = ?, answered_how = ?, answer = ? WHERE id = ? AND state = 'open'`, [answer.by, answer.at, answer.how, answer.text ?? null, open.id]);
      if (changed !== 1) return undefined;
      return { ...open, state: 'closed' as const, answeredBy: answer.by, answeredAt: answer.at, answeredHow: answer.how, answer: answer.text ?? null };
    });
  }

  async get(id: string): Promise<ReviewRequest | undefined> {
    const row = await one<ReviewDbRow>(this.db, `SELECT * FROM review_requests WHERE id = ?`, [id]);
    return row ? review(row) : undefined;
  }

  /** Requests, oldest first: an organization's open ones for the TA queue, or a repository's. */
  async list(filter: { org?: string; repoId?: number; state?: 'open' | 'closed' } = {}): Promise<ReviewRequest[]> {
    const conditions: string[] = [];
    const params: (string | number)[] = [];
    if (filter.org !== undefined) (conditions.push('org = ?'), params.push(filter.org));
    if (filter.repoId !== undefined) (conditions.push('repo_id = ?'), params.push(filter.repoId));
    if (filter.state !== undefined) (conditions.push('state = ?'), params.push(filter.state));
    const rows = await this.db.all<ReviewDbRow>(`SELECT * FROM review_requests${conditions.length ? ` WHERE ${conditions.join(' AND ')}` : ''} ORDER BY at, id`, params);
    return rows.map(review);
  }
}

async function openOf(tx: SqlRunner, repoId: number, week: number, criterion: string): Promise<ReviewRequest | undefined> {
  const row = await one<ReviewDbRow>(tx, `SELECT * FROM review_requests WHERE repo_id = ? AND week = ? AND criterion = ? AND state = 'open'`, [repoId, week, criterion]);
  return row ? review(row) : undefined;
}
