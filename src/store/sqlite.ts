import { mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
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

export class SqliteDatabase implements SqlDatabase {
  readonly dialect = 'sqlite' as const;
  readonly description: string;
  private readonly db: DatabaseSync;
  private readonly lock: { tail: Promise<unknown> };
  private readonly direct: SqlRunner;

  constructor(path: string) {
    if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
    this.description = `sqlite:${path}`;
    const key = path === ':memory:' ? `memory:${Math.random()}` : resolve(path);
    this.lock = locks.get(key) ?? { tail: Promise.resolve() };
    locks.set(key, this.lock);
    this.db = new DatabaseSync(path, { timeout: 10_000 });
    this.db.exec('PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; PRAGMA foreign_keys = ON;');
    const db = this.db;
    this.direct = {
      dialect: 'sqlite',
      async all<T>(sql: string, params: readonly SqlValue[] = []) {
        return db.prepare(sql).all(...params) as T[];
      },
      async run(sql: string, params: readonly SqlValue[] = []) {
        return Number(db.prepare(sql).run(...params).changes);
      },
    };
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
    await this.exclusive(async () => this.db.close());
  }
}
