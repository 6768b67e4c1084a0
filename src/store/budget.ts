import { nextSlot, spend, type LaneState, type WriteLimits, type WriteRequest } from '../outbox/budget.ts';
import { forUpdate, one, type SqlDatabase } from './sql.ts';

const HOUR = 3_600_000;

/**
 * GitHub's write budget per installation, kept in the store so every process and
 * machine spends one budget: the lane's next slots, a pause GitHub asked for, and
 * the last hour of writes (the windows of the secondary limits). The rules are
 * the pure model in src/outbox/budget.ts.
 */
export class BudgetStore {
  private readonly db: SqlDatabase;
  private readonly clock: () => number;

  constructor(db: SqlDatabase, clock: () => number) {
    this.db = db;
    this.clock = clock;
  }

  /** Reserves the next slot a write may take under every limit, and returns it (epoch ms). */
  reserve(installationId: number, write: WriteRequest, limits: WriteLimits): Promise<number> {
    return this.db.transaction(async (tx) => {
      const now = this.clock();
      await tx.run(`INSERT INTO write_budget (installation_id, next_write_at, next_notify_at) VALUES (?, 0, 0) ON CONFLICT (installation_id) DO NOTHING`, [installationId]);
      const row = (await one<{ next_write_at: number; next_notify_at: number; paused_until: number }>(tx, `SELECT next_write_at, next_notify_at, paused_until FROM write_budget WHERE installation_id = ?${forUpdate(tx)}`, [installationId]))!;
      const spent = await tx.all<{ at: number; endpoint: string; creates: number }>(`SELECT at, endpoint, creates FROM write_log WHERE installation_id = ? AND at > ? ORDER BY at`, [installationId, now - HOUR]);
      const lane: LaneState = {
        nextWriteAt: Number(row.next_write_at),
        nextNotifyAt: Number(row.next_notify_at),
        pausedUntil: Number(row.paused_until),
        spent: spent.map((s) => ({ at: Number(s.at), endpoint: s.endpoint, creates: Number(s.creates) === 1 })),
      };
      const slot = nextSlot(lane, write, limits, now);
      const after = spend(lane, write, slot, limits);
      await tx.run(`UPDATE write_budget SET next_write_at = ?, next_notify_at = ?, writes = writes + 1 WHERE installation_id = ?`, [after.nextWriteAt, after.nextNotifyAt, installationId]);
      await tx.run(`INSERT INTO write_log (installation_id, at, endpoint, creates) VALUES (?, ?, ?, ?)`, [installationId, slot, write.endpoint, write.creates ? 1 : 0]);
      await tx.run(`DELETE FROM write_log WHERE installation_id = ? AND at <= ?`, [installationId, now - HOUR]);
      return slot;
    });
  }

  /** GitHub asked for a pause (retry-after, x-ratelimit-reset): no write of the installation before `until`. */
  async pause(installationId: number, until: number): Promise<void> {
    await this.db.run(`INSERT INTO write_budget (installation_id, next_write_at, next_notify_at) VALUES (?, 0, 0) ON CONFLICT (installation_id) DO NOTHING`, [installationId]);
    await this.db.run(`UPDATE write_budget SET paused_until = ? WHERE installation_id = ? AND paused_until < ?`, [until, installationId, until]);
  }

  /** An installation's lane as it stands (for the plan of held-back publications). */
  async lane(installationId: number): Promise<LaneState> {
    const now = this.clock();
    const row = await one<{ next_write_at: number; next_notify_at: number; paused_until: number }>(this.db, `SELECT next_write_at, next_notify_at, paused_until FROM write_budget WHERE installation_id = ?`, [installationId]);
    const spent = await this.db.all<{ at: number; endpoint: string; creates: number }>(`SELECT at, endpoint, creates FROM write_log WHERE installation_id = ? AND at > ? ORDER BY at`, [installationId, now - HOUR]);
    return {
      nextWriteAt: Number(row?.next_write_at ?? 0),
      nextNotifyAt: Number(row?.next_notify_at ?? 0),
      pausedUntil: Number(row?.paused_until ?? 0),
      spent: spent.map((s) => ({ at: Number(s.at), endpoint: s.endpoint, creates: Number(s.creates) === 1 })),
    };
  }

  async pausedUntil(installationId: number): Promise<number> {
    return Number((await one<{ paused_until: number }>(this.db, `SELECT paused_until FROM write_budget WHERE installation_id = ?`, [installationId]))?.paused_until ?? 0);
  }

  async writesSpent(installationId: number): Promise<number> {
    const row = await one<{ writes: number }>(this.db, `SELECT writes FROM write_budget WHERE installation_id = ?`, [installationId]);
    return row ? Number(row.writes) : 0;
  }

  /** Whether an installation's write lane is free now (no write waiting for its slot, no pause). */
  async idle(installationId: number): Promise<boolean> {
    const row = await one<{ next_write_at: number; paused_until: number }>(this.db, `SELECT next_write_at, paused_until FROM write_budget WHERE installation_id = ?`, [installationId]);
    const now = this.clock();
    return !row || (Number(row.next_write_at) <= now && Number(row.paused_until) <= now);
  }
}
