import pg from 'pg';
import type { SqlDatabase, SqlRunner, SqlValue } from './sql.ts';

/** BIGINT (epoch milliseconds) back as a number, not a string. */
const types = {
  getTypeParser(oid: number, format?: 'text' | 'binary') {
    if (oid === pg.types.builtins.INT8) return (v: string) => Number(v);
    return pg.types.getTypeParser(oid, format);
  },
};

/** `?` placeholders, numbered for PostgreSQL. Our statements never hold a literal `?`. */
function numbered(sql: string): string {
  let n = 0;
  return sql.replace(/\?/g, () => `$${++n}`);
}

function runner(client: pg.Pool | pg.PoolClient): SqlRunner {
  return {
    dialect: 'postgres',
    async all<T>(sql: string, params: readonly SqlValue[] = []) {
      return (await client.query(numbered(sql), params as SqlValue[])).rows as T[];
    },
    async run(sql: string, params: readonly SqlValue[] = []) {
      return (await client.query(numbered(sql), params as SqlValue[])).rowCount ?? 0;
    },
  };
}

/**
 * PostgreSQL (DATABASE_URL): several app instances and workers on several machines
 * share one queue and one record. Claims lock rows (`FOR UPDATE SKIP LOCKED`), so two
 * workers never take the same job.
 */
export class PostgresDatabase implements SqlDatabase {
  readonly dialect = 'postgres' as const;
  readonly description: string;
  /** The URL it was opened with (a worker process opens the same database from it). */
  readonly connectionUrl: string;
  private readonly pool: pg.Pool;
  private readonly direct: SqlRunner;

  constructor(url: string, options: { max?: number } = {}) {
    const parsed = new URL(url);
    this.connectionUrl = url;
    this.description = `postgres://${parsed.host}${parsed.pathname}`;
    this.pool = new pg.Pool({ connectionString: url, max: options.max ?? 10, types });
    // An idle connection dropped by the server must not crash the process.
    this.pool.on('error', () => undefined);
    this.direct = runner(this.pool);
  }

  all<T>(sql: string, params?: readonly SqlValue[]): Promise<T[]> {
    return this.direct.all<T>(sql, params);
  }

  run(sql: string, params?: readonly SqlValue[]): Promise<number> {
    return this.direct.run(sql, params);
  }

  async transaction<T>(fn: (tx: SqlRunner) => Promise<T>): Promise<T> {
    const client = await this.pool.connect();
    try {
      await client.query('BEGIN');
      const result = await fn(runner(client));
      await client.query('COMMIT');
      return result;
    } catch (error) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw error;
    } finally {
      client.release();
    }
  }

  async close(): Promise<void> {
    await this.pool.end();
  }
}
