import { mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { DatabaseSync, type StatementSync } from 'node:sqlite';
import { Worker } from 'node:worker_threads';
import type { SqlDatabase, SqlRunner, SqlValue } from './sql.ts';

/**
 * The embedded store: a SQLite file (Node's built-in `node:sqlite`, so nothing
 * native to build). WAL lets readers run beside the writer; BEGIN IMMEDIATE takes
 * the write lock up front, so two processes sharing the file never interleave a
 * claim. The calls are synchronous: one in-process lock keeps a transaction's
 * awaits from letting another statement in.
 */
/**
 * One lock per file for the whole process: with a synchronous driver, a second
 * connection waiting on the file's lock would block the thread the first needs to
 * release it. Other processes wait on SQLite's own busy timeout.
 */
const locks = new Map<string, { tail: Promise<unknown> }>();

/**
 * Copies the WAL back into the database file on a thread of its own (its own
 * connection, PASSIVE: it never takes the write lock). Left to the writer, SQLite
 * checkpoints inside a COMMIT, on the event loop: megabytes written and fsynced
 * while a webhook waits, 100+ ms when Docker keeps the disk busy (the burst
 * bench's profile). Plain JS (eval), so it needs no loader.
 */
const CHECKPOINTER = `
const { DatabaseSync } = require('node:sqlite');
const { parentPort, workerData } = require('node:worker_threads');
const db = new DatabaseSync(workerData.path, { timeout: 1000 });
const timer = setInterval(() => { try { db.exec('PRAGMA wal_checkpoint(PASSIVE)'); } catch {} }, workerData.everyMs);
parentPort.once('message', () => { clearInterval(timer); try { db.exec('PRAGMA wal_checkpoint(PASSIVE)'); } catch {} db.close(); parentPort.close(); });
`;
const CHECKPOINT_EVERY_MS = 1_000;
/** The writer checkpoints itself only if the thread falls far behind (pages of 4 KiB: 40 MiB). */
const WRITER_CHECKPOINT_PAGES = 10_000;

export class SqliteDatabase implements SqlDatabase {
  readonly dialect = 'sqlite' as const;
  readonly description: string;
  private readonly db: DatabaseSync;
  private readonly lock: { tail: Promise<unknown> };
  private readonly direct: SqlRunner;
  /** Compiled once per statement text: compiling is most of a small query's cost. */
  private readonly statements = new Map<string, StatementSync>();
  private readonly checkpointer: Worker | undefined;

  constructor(path: string) {
    if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
    this.description = `sqlite:${path}`;
    const key = path === ':memory:' ? `memory:${Math.random()}` : resolve(path);
    this.lock = locks.get(key) ?? { tail: Promise.resolve() };
    locks.set(key, this.lock);
    this.db = new DatabaseSync(path, { timeout: 10_000 });
    this.db.exec('PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; PRAGMA foreign_keys = ON;');
    const prepared = (sql: string) => {
      let statement = this.statements.get(sql);
      if (!statement) this.statements.set(sql, (statement = this.db.prepare(sql)));
      return statement;
    };
    this.direct = {
      dialect: 'sqlite',
      async all<T>(sql: string, params: readonly SqlValue[] = []) {
        return prepared(sql).all(...params) as T[];
      },
      async run(sql: string, params: readonly SqlValue[] = []) {
        return Number(prepared(sql).run(...params).changes);
      },
    };
    if (path !== ':memory:') {
      this.db.exec(`PRAGMA wal_autocheckpoint = ${WRITER_CHECKPOINT_PAGES}`);
      this.checkpointer = new Worker(CHECKPOINTER, { eval: true, workerData: { path: resolve(path), everyMs: CHECKPOINT_EVERY_MS } });
      this.checkpointer.on('error', () => undefined); // the writer's own checkpoints remain
      this.checkpointer.unref();
    }
  }

  private exclusive<T>(fn: () => Promise<T>): Promise<T> {
    const next = this.lock.tail.then(fn, fn);
    this.lock.tail = next.catch(() => undefined);
    return next;
  }

  all<T>(sql: string, params?: readonly SqlValue[]): Promise<T[]> {
    return this.exclusive(() => this.direct.all<T>(sql, params));
  }

  run(sql: string, params?: readonly SqlValue[]): Promise<number> {
    return this.exclusive(() => this.direct.run(sql, params));
  }

  transaction<T>(fn: (tx: SqlRunner) => Promise<T>): Promise<T> {
    return this.exclusive(async () => {
      this.db.exec('BEGIN IMMEDIATE');
      try {
        const result = await fn(this.direct);
        this.db.exec('COMMIT');
        return result;
      } catch (error) {
        this.db.exec('ROLLBACK');
        throw error;
      }
    });
  }

  async close(): Promise<void> {
    const checkpointer = this.checkpointer;
    if (checkpointer) {
      const exited = new Promise<void>((r) => checkpointer.once('exit', () => r()));
      checkpointer.ref(); // so that its exit is waited for even with nothing else alive
      checkpointer.postMessage('close');
      await Promise.race([exited, new Promise((r) => setTimeout(r, 2_000).unref())]);
      await checkpointer.terminate();
    }
    await this.exclusive(async () => {
      this.statements.clear();
      this.db.close();
    });
  }
}
