import type { RosterEntry } from '../roster/parse.ts';
import type { SqlDatabase, SqlRunner } from './sql.ts';

/**
 * The course roster in the record (migration 3), kept apart from the queue and grade
 * tables: an organization's roster is replaced whole by each import.
 */

export interface StoredRosterEntry extends Omit<RosterEntry, 'line'> {
  readonly position: number;
}

export interface Roster {
  readonly org: string;
  readonly importedAt: string | null;
  readonly source: string | null;
  readonly entries: readonly StoredRosterEntry[];
}

/** Organizations are matched as GitHub does: case-insensitively. */
const orgKey = (org: string) => org.toLowerCase();

export async function replaceRoster(db: SqlDatabase, org: string, entries: readonly RosterEntry[], source: string, now = new Date()): Promise<void> {
  await db.transaction(async (tx) => {
    await tx.run('DELETE FROM roster WHERE org = ?', [orgKey(org)]);
    let position = 0;
    for (const e of entries) {
      await tx.run(
        'INSERT INTO roster (org, position, login, login_key, identifier, name, email, section, github_id, imported_at, source) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)',
        [orgKey(org), position++, e.login, e.login?.toLowerCase() ?? null, e.identifier, e.name, e.email, e.section, e.githubId, now.toISOString(), source],
      );
    }
  });
}

export async function rosterOf(db: SqlRunner, org: string): Promise<Roster> {
  const rows = await db.all<{ position: number; login: string | null; identifier: string | null; name: string | null; email: string | null; section: string | null; github_id: number | string | null; imported_at: string; source: string }>(
    'SELECT * FROM roster WHERE org = ? ORDER BY position',
    [orgKey(org)],
  );
  return {
    org,
    importedAt: rows[0]?.imported_at ?? null,
    source: rows[0]?.source ?? null,
    entries: rows.map((r) => ({
      position: Number(r.position),
      login: r.login,
      identifier: r.identifier,
      name: r.name,
      email: r.email,
      section: r.section,
      githubId: r.github_id === null ? null : Number(r.github_id),
    })),
  };
}

/** Roster entries by lower-case login (the first, when a login appears twice). */
export function byLogin(roster: Roster): Map<string, StoredRosterEntry> {
  const map = new Map<string, StoredRosterEntry>();
  for (const e of roster.entries) if (e.login && !map.has(e.login.toLowerCase())) map.set(e.login.toLowerCase(), e);
  return map;
}
