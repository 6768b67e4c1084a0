import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PostgresDatabase } from '../../src/store/postgres.ts';
import type { SqlDatabase } from '../../src/store/sql.ts';
import { SqliteDatabase } from '../../src/store/sqlite.ts';
import { Store } from '../../src/store/store.ts';

/** A fresh SQLite store in its own temporary folder. */
export async function tempStore(options: { clock?: () => number } = {}): Promise<Store> {
  return Store.open(new SqliteDatabase(tempSqlitePath()), options);
}

export function tempSqlitePath(): string {
  return join(mkdtempSync(join(tmpdir(), 'rubrica-store-')), 'rubrica.sqlite');
}

/**
 * The PostgreSQL the tests use: RUBRICA_TEST_DATABASE_URL (.ci/run starts one and sets it).
 * Without it every PostgreSQL test fails, saying so; RUBRICA_SKIP_PG=1 leaves the
 * backend out on purpose (a quick local run on SQLite only).
 */
export const PG_URL = process.env.RUBRICA_TEST_DATABASE_URL;
export const SKIP_PG = process.env.RUBRICA_SKIP_PG === '1';
const NO_PG = 'RUBRICA_TEST_DATABASE_URL is not set: the PostgreSQL half of the store tests cannot run. Point it at a database (e.g. postgres://rubrica:rubrica@127.0.0.1:5432/rubrica_test; .ci/run sets one up), or set RUBRICA_SKIP_PG=1 to leave PostgreSQL out on purpose.';

let schemaCounter = 0;

/** A PostgreSQL database in a schema of its own, so test files never see each other's rows. */
export async function tempPostgres(): Promise<SqlDatabase> {
  if (!PG_URL) throw new Error(NO_PG);
  const schema = `t_${process.pid}_${Date.now().toString(36)}_${schemaCounter++}`;
  const admin = new PostgresDatabase(PG_URL, { max: 1 });
  await admin.run(`CREATE SCHEMA ${schema}`);
  await admin.close();
  const url = new URL(PG_URL);
  url.searchParams.set('options', `-c search_path=${schema}`);
  return new PostgresDatabase(url.toString());
}

export interface Backend {
  readonly name: 'sqlite' | 'postgres';
  /** A fresh, empty database of this backend; `path` reopens the same one (for restarts). */
  fresh(): Promise<{ db: SqlDatabase; reopen: () => SqlDatabase; url: string }>;
}

export const BACKENDS: readonly Backend[] = [
  {
    name: 'sqlite',
    async fresh() {
      const path = tempSqlitePath();
      return { db: new SqliteDatabase(path), reopen: () => new SqliteDatabase(path), url: path };
    },
  },
  ...(!SKIP_PG
    ? [
        {
          name: 'postgres' as const,
          async fresh() {
            // Unset, it fails here, in every PostgreSQL test, rather than dropping the backend silently.
            const db = await tempPostgres();
            const url = (db as PostgresDatabase).connectionUrl;
            return { db, reopen: () => new PostgresDatabase(url), url };
          },
        },
      ]
    : []),
];

if (SKIP_PG) console.warn('RUBRICA_SKIP_PG=1: the store tests run on SQLite only (CI runs both)');
