/**
 * The little SQL both backends share: statements are written once with `?`
 * placeholders and portable types (TEXT, BIGINT epoch milliseconds, INTEGER), and
 * each adapter runs them its own way. Rows come back as plain objects.
 */
export type Dialect = 'sqlite' | 'postgres';
export type SqlValue = string | number | null;
export type Row = Record<string, unknown>;

export interface SqlRunner {
  readonly dialect: Dialect;
  all<T = Row>(sql: string, params?: readonly SqlValue[]): Promise<T[]>;
  /** Returns how many rows changed. */
  run(sql: string, params?: readonly SqlValue[]): Promise<number>;
}

export interface SqlDatabase extends SqlRunner {
  /**
   * Runs `fn` in one transaction that holds the write lock from its start
   * (SQLite: BEGIN IMMEDIATE; PostgreSQL: row locks taken by the statements).
   */
  transaction<T>(fn: (tx: SqlRunner) => Promise<T>): Promise<T>;
  close(): Promise<void>;
  /** Where the data lives, for logs (never a password). */
  readonly description: string;
}

export async function one<T = Row>(db: SqlRunner, sql: string, params?: readonly SqlValue[]): Promise<T | undefined> {
  return (await db.all<T>(sql, params))[0];
}

/** `FOR UPDATE SKIP LOCKED` where row locks exist; SQLite's transaction already holds the only write lock. */
export function skipLocked(db: SqlRunner): string {
  return db.dialect === 'postgres' ? ' FOR UPDATE SKIP LOCKED' : '';
}

export function forUpdate(db: SqlRunner): string {
  return db.dialect === 'postgres' ? ' FOR UPDATE' : '';
}
