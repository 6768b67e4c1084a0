import { weekNumberOf } from '../course/unit.ts';
import type { WriteLimits } from '../outbox/budget.ts';
import { outboxPlan, type PlannedPublication } from '../outbox/plan.ts';
import type { JobRow, ReviewRequest } from '../store/store.ts';
import { courseCounts, type ServiceDeps } from './course.ts';

/** A manual criterion of a counted grading that no TA has scored yet. */
export interface PendingManual {
  readonly repoId: number;
  readonly repo: string;
  readonly students: readonly string[];
  readonly week: number;
  readonly criterion: string;
  readonly maxScore: number;
  readonly sha: string;
  readonly pullRequest: number | null;
  readonly gradedAt: string;
}

export interface TaQueue {
  readonly manual: readonly PendingManual[];
  /** Open review requests, oldest first, with the criterion's score as it stands in the counted grading. */
  readonly reviews: readonly (ReviewRequest & { readonly score: number | null; readonly maxScore: number | null })[];
  /** Command comments edited or deleted by someone else. */
  readonly tampering: readonly { readonly repo: string; readonly repoId: number; readonly pullRequest: number; readonly commentId: number; readonly action: 'edited' | 'deleted'; readonly by: string; readonly author: string; readonly at: string }[];
}

/** What waits for the teaching team: manual criteria to score, students' review requests, tampering flags. Read from the record only. */
export async function taQueue(deps: ServiceDeps, org: string): Promise<TaQueue> {
  const { counted } = await courseCounts(deps, org);
  const orgName = (await deps.store.record.course(org))?.org ?? org;
  const manual: PendingManual[] = [];
  for (const e of counted) {
    const g = e.record;
    for (const c of e.criteria) {
      if (c.status !== 'pending' || c.overridden) continue;
      manual.push({ repoId: g.repoId, repo: g.repo, students: g.students, week: g.week, criterion: c.id, maxScore: c.maxScore, sha: g.sha, pullRequest: g.pullRequest ?? null, gradedAt: g.gradedAt });
    }
  }
  manual.sort((a, b) => a.gradedAt.localeCompare(b.gradedAt));
  const countedOf = new Map(counted.map((e) => [`${e.record.repoId}:${e.record.week}`, e]));
  const reviews = (await deps.store.reviews.list({ org: orgName, state: 'open' })).map((r) => {
    // The points as they stand, a TA's override included.
    const c = countedOf.get(`${r.repoId}:${r.week}`)?.criteria.find((x) => x.id === r.criterion);
    return { ...r, score: c?.score ?? null, maxScore: c?.maxScore ?? null };
  });
  const repos = new Map(counted.map((e) => [e.record.repoId, e.record.repo]));
  const tampering = (await deps.store.tas.tamperingOfOrg(orgName)).map((t) => ({ ...t, repo: repos.get(t.repoId) ?? String(t.repoId) }));
  return { manual, reviews, tampering };
}

export interface Operations {
  /** The course's failed grading jobs, newest first. */
  readonly failed: readonly { readonly id: string; readonly repo: string; readonly sha: string; readonly week: number | null; readonly attempts: number; readonly finishedAt: number | null; readonly error: string | null; readonly outcome: string | null }[];
  readonly waiting: number;
  readonly running: number;
  /** Typical grading time over the last finished jobs (ms), if any finished. */
  readonly typicalJobMs: number | null;
  /** When the course's waiting and running jobs are expected to be done, behind every course's, at the workers' concurrency (epoch ms); null when idle or unknown. */
  readonly drainAt: number | null;
  /** Publications of the course held back by GitHub's write budget, in the order they will go. */
  readonly heldBack: readonly PlannedPublication[];
  /** Publications of the course still to go. */
  readonly pendingPublications: number;
  /** The rubric versions the course's gradings used: per week and pack hash, how many and when. */
  readonly rubricVersions: readonly { readonly week: number; readonly packName: string; readonly packHash: string; readonly gradings: number; readonly first: string; readonly last: string; readonly counted: number }[];
}

const ownedBy = (org: string) => (j: JobRow) => j.request.owner.toLowerCase() === org.toLowerCase();

/**
 * The operations page's data: failed jobs, the queue and when it should drain, the
 * publications GitHub's budget holds back, the rubric version each grading used.
 */
export async function operations(deps: ServiceDeps, org: string, options: { concurrency: number; limits: WriteLimits }): Promise<Operations> {
  const mine = ownedBy(org);
  const failed = (await deps.store.queue.jobs({ state: 'failed', limit: 2000 })).filter((j) => j.kind === 'grade' && mine(j));
  const waitingJobs = (await deps.store.queue.jobs({ state: 'queued', limit: 10_000 })).filter((j) => j.kind !== 'ta-command' && mine(j));
  const runningJobs = (await deps.store.queue.jobs({ state: 'running', limit: 10_000 })).filter(mine);
  // The median of the last finished gradings: one stuck job does not move the estimate.
  const durations = (await deps.store.queue.jobs({ state: 'done', limit: 200 }))
    .filter((j) => j.kind === 'grade' && j.startedAt !== null && j.finishedAt !== null && j.outcome === 'graded')
    .map((j) => j.finishedAt! - j.startedAt!)
    .sort((a, b) => a - b);
  const typicalJobMs = durations.length ? durations[Math.floor(durations.length / 2)]! : null;
  const now = deps.now().getTime();
  // The workers are shared by every course: the course's last job waits behind all the others.
  const counts = await deps.store.queue.counts();
  const busy = counts.queued + counts.running;
  const drainAt = waitingJobs.length + runningJobs.length === 0 || typicalJobMs === null ? null : now + Math.ceil(busy / Math.max(1, options.concurrency)) * typicalJobMs;
  const plan = (await outboxPlan(deps.store, options.limits, now)).filter((p) => p.about.toLowerCase().startsWith(`${org.toLowerCase()}/`));
  const all = await courseCounts(deps, org);
  const gradings = all.gradings;
  const counted = new Set(all.counted.map((e) => e.record.jobId));
  const versions = new Map<string, { week: number; packName: string; packHash: string; gradings: number; first: string; last: string; counted: number }>();
  for (const g of gradings) {
    const key = `${g.week}:${g.packHash}`;
    const v = versions.get(key) ?? { week: g.week, packName: g.packName, packHash: g.packHash, gradings: 0, first: g.gradedAt, last: g.gradedAt, counted: 0 };
    versions.set(key, { ...v, gradings: v.gradings + 1, first: g.gradedAt < v.first ? g.gradedAt : v.first, last: g.gradedAt > v.last ? g.gradedAt : v.last, counted: v.counted + (counted.has(g.jobId) ? 1 : 0) });
  }
  return {
    failed: failed.map((j) => ({ id: j.id, repo: `${j.request.owner}/${j.request.repo}`, sha: j.sha, week: (j.request.unit ? weekNumberOf(j.request.unit) : 0) || null, attempts: j.attempts, finishedAt: j.finishedAt, error: j.lastError, outcome: j.outcome })),
    waiting: waitingJobs.length,
    running: runningJobs.length,
    typicalJobMs,
    drainAt,
    heldBack: plan.filter((p) => p.heldBy !== null),
    pendingPublications: plan.length,
    rubricVersions: [...versions.values()].sort((a, b) => a.week - b.week || a.first.localeCompare(b.first)),
  };
}
