import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { PostgresDatabase } from './postgres.ts';
import type { SqlDatabase } from './sql.ts';
import { SqliteDatabase } from './sqlite.ts';
import { Store } from './store.ts';

/** Where the embedded store lives by default: `data/rubrica.sqlite` beside the app. */
export const DEFAULT_DATA_DIR = fileURLToPath(new URL('../../data', import.meta.url));

/**
 * The store the environment names: PostgreSQL when DATABASE_URL is a postgres URL
 * (several instances and workers share it), else the embedded SQLite file under
 * RUBRICA_DATA_DIR.
 */
export function databaseFromEnv(env: NodeJS.ProcessEnv = process.env): SqlDatabase {
  const url = env.DATABASE_URL;
  if (url && /^postgres(ql)?:\/\//.test(url)) return new PostgresDatabase(url);
  if (url) throw new Error('DATABASE_URL must be a postgres:// URL (leave it unset for the embedded SQLite store)');
  return new SqliteDatabase(join(env.RUBRICA_DATA_DIR ? resolve(env.RUBRICA_DATA_DIR) : DEFAULT_DATA_DIR, 'rubrica.sqlite'));
}

export function openStore(env: NodeJS.ProcessEnv = process.env): Promise<Store> {
  return Store.open(databaseFromEnv(env));
}
