import type { Roster, StoredRosterEntry } from '../store/roster.ts';

/** What `rubrica roster check` lists: the roster against the repositories graded so far. Pure. */
export interface RosterCheck {
  /** On the roster with a login, but no repository of theirs was graded. */
  readonly noRepository: readonly StoredRosterEntry[];
  /** On the roster without a GitHub login (not linked in Classroom yet). */
  readonly notLinked: readonly StoredRosterEntry[];
  /** Graded repositories whose student is not on the roster. */
  readonly notOnRoster: readonly { readonly login: string; readonly repo: string }[];
  /** Logins on more than one roster row (case-insensitive). */
  readonly duplicates: readonly { readonly login: string; readonly entries: readonly StoredRosterEntry[] }[];
}

export function checkRoster(roster: Roster, repositories: readonly { readonly repo: string; readonly students: readonly string[] }[]): RosterCheck {
  const graded = new Map<string, string>();
  for (const r of repositories) for (const s of r.students) graded.set(s.toLowerCase(), r.repo);
  const onRoster = new Map<string, StoredRosterEntry[]>();
  for (const e of roster.entries) {
    if (!e.login) continue;
    const key = e.login.toLowerCase();
    onRoster.set(key, [...(onRoster.get(key) ?? []), e]);
  }
  const seen = new Set<string>();
  const missing: { login: string; repo: string }[] = [];
  for (const r of repositories) {
    for (const s of r.students) {
      const key = s.toLowerCase();
      if (onRoster.has(key) || seen.has(key)) continue;
      seen.add(key);
      missing.push({ login: s, repo: r.repo });
    }
  }
  return {
    noRepository: roster.entries.filter((e) => e.login && !graded.has(e.login.toLowerCase())),
    notLinked: roster.entries.filter((e) => !e.login),
    notOnRoster: missing.sort((a, b) => a.login.localeCompare(b.login)),
    duplicates: [...onRoster.values()].filter((list) => list.length > 1).map((entries) => ({ login: entries[0]!.login!, entries })),
  };
}
