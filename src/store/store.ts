import { ActionLog } from './actions.ts';
import { BudgetStore } from './budget.ts';
import { migrate } from './migrations.ts';
import { OutboxStore } from './outbox.ts';
import { PublishedStore } from './published.ts';
import { QueueStore } from './queue.ts';
import { RecordStore } from './record.ts';
import { RegradeStore } from './regrades.ts';
import { ReviewStore } from './reviews.ts';
import type { SqlDatabase } from './sql.ts';
import { TaStore } from './tas.ts';

export { commitKeyOf, laneOf, LeaseLost, type EnqueueResult, type JobKind, type JobRow, type JobState, type Lease } from './queue.ts';
export type { StoredGrading } from './record.ts';
export type { Regrade, RegradeItem } from './regrades.ts';
export type { ReviewRequest } from './reviews.ts';

/**
 * Rubrica's durable store over SQLite or PostgreSQL, one part per concern (each in
 * its own file here): the grading queue, the grade record, what TAs did, where
 * results were published, the outbox of what is still to publish, and GitHub's
 * shared write budget. Every method is one short transaction.
 */
export class Store {
  readonly db: SqlDatabase;
  /** Jobs: recorded, leased, retried, ended (queue.ts). */
  readonly queue: QueueStore;
  /** Gradings, extensions, course settings (record.ts). */
  readonly record: RecordStore;
  /** Overrides, commands, tampering (tas.ts). */
  readonly tas: TaStore;
  /** Each commit and week's check run, each PR and week's comment (published.ts). */
  readonly published: PublishedStore;
  /** What waits to be told to GitHub (outbox.ts). */
  readonly outbox: OutboxStore;
  /** GitHub's write budget per installation (budget.ts). */
  readonly budget: BudgetStore;
  /** Students' review requests (reviews.ts). */
  readonly reviews: ReviewStore;
  /** Whole-week regrades held until decided (regrades.ts). */
  readonly regrades: RegradeStore;
  /** What the teaching team did in the dashboard, with who and when (actions.ts). */
  readonly actions: ActionLog;

  private constructor(db: SqlDatabase, clock: () => number) {
    this.db = db;
    this.outbox = new OutboxStore(db, clock);
    this.budget = new BudgetStore(db, clock);
    this.published = new PublishedStore(db, clock);
    this.tas = new TaStore(db);
    this.record = new RecordStore(db, clock, (lease, fn) => this.queue.withLease(lease, fn));
    this.reviews = new ReviewStore(db);
    this.actions = new ActionLog(db);
    this.regrades = new RegradeStore(db, this.record, this.outbox);
    this.queue = new QueueStore(db, clock, this.record, this.outbox, this.regrades);
  }

  static async open(db: SqlDatabase, options: { clock?: () => number } = {}): Promise<Store> {
    await migrate(db);
    return new Store(db, options.clock ?? Date.now);
  }

  close(): Promise<void> {
    return this.db.close();
  }
}
