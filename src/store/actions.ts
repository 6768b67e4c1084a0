import { randomUUID } from 'node:crypto';
import type { SqlDatabase } from './sql.ts';

export interface DashboardAction {
  readonly org: string;
  readonly by: string;
  readonly at: string;
  /** What was done: `manual`, `override`, `clear`, `extend`, `requeue`, `answer-review`, `regrade`, `regrade-publish`, `regrade-discard`. */
  readonly action: string;
  readonly detail: Readonly<Record<string, unknown>>;
}

/** The dashboard's actions, each with who and when: the audit trail beside the record's own (overrides, extensions). */
export class ActionLog {
  private readonly db: SqlDatabase;

  constructor(db: SqlDatabase) {
    this.db = db;
  }

  async add(a: DashboardAction): Promise<void> {
    await this.db.run(`INSERT INTO dashboard_actions (id, org, by_login, at, action, detail) VALUES (?, ?, ?, ?, ?, ?)`, [randomUUID(), a.org, a.by, a.at, a.action, JSON.stringify(a.detail)]);
  }

  /** An organization's actions, newest first. */
  async list(org: string, limit = 200): Promise<DashboardAction[]> {
    const rows = await this.db.all<{ org: string; by_login: string; at: string; action: string; detail: string }>(`SELECT * FROM dashboard_actions WHERE org = ? ORDER BY at DESC, id LIMIT ?`, [org, limit]);
    return rows.map((r) => ({ org: r.org, by: r.by_login, at: r.at, action: r.action, detail: JSON.parse(r.detail) as Record<string, unknown> }));
  }
}
