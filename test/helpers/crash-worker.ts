/**
 * A worker process for the crash test: it takes a job from the store named on its
 * command line, says so, and never finishes it (the test kills it with SIGKILL).
 */
import { GradingQueue } from '../../src/jobs/queue.ts';
import { PostgresDatabase } from '../../src/store/postgres.ts';
import { SqliteDatabase } from '../../src/store/sqlite.ts';
import { Store } from '../../src/store/store.ts';

const target = process.argv[2]!;
const store = await Store.open(target.startsWith('postgres') ? new PostgresDatabase(target) : new SqliteDatabase(target));
const queue = new GradingQueue(
  store,
  async (job) => {
    process.stdout.write(`started ${job.id} attempt ${job.attempt}\n`);
    return new Promise<string>(() => {});
  },
  { concurrency: 1, retryDelaysMs: [10, 10], pollMs: 10, leaseMs: 600_000 },
);
await queue.start();
