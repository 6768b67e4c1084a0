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
 * RUBRICA_REQUIRE_PG=1 makes its absence a failure rather than a skipped backend.
 */
export const PG_URL = process.env.RUBRICA_TEST_DATABASE_URL;
if (!PG_URL && process.env.RUBRICA_REQUIRE_PG === '1') throw new Error('RUBRICA_TEST_DATABASE_URL is not set but RUBRICA_REQUIRE_PG=1: PostgreSQL tests cannot be skipped');

let schemaCounter = 0;

/** A PostgreSQL database in a schema of its own, so test files never see each other's rows. */
export async function tempPostgres(): Promise<SqlDatabase> {
  if (!PG_URL) throw new Error('RUBRICA_TEST_DATABASE_URL is not set');
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
  ...(PG_URL
    ? [
        {
          name: 'postgres' as const,
          async fresh() {
            const db = await tempPostgres();
            const url = (db as PostgresDatabase).connectionUrl;
            return { db, reopen: () => new PostgresDatabase(url), url };
          },
        },
      ]
    : []),
];

if (!PG_URL) console.warn('RUBRICA_TEST_DATABASE_URL is not set: the store tests run on SQLite only (.ci/run runs both)');
