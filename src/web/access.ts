import type { TaStatus } from '../github/teams.ts';

/**
 * Who may see a course in the dashboard: the same rule as TA commands (src/github/teams.ts):
 * an active member of the course's TA team (child teams count) or an active organization
 * owner. Asked of GitHub at sign-in and again once an answer is older than `ttlMs`
 * (a TA removed from the team loses access within minutes). A GitHub failure is never
 * a grant or a refusal: it is thrown, and the page says to try again.
 */
export type MembershipLookup = (org: string, login: string) => Promise<TaStatus>;

export const ACCESS_TTL_MS = 3 * 60_000;
/** Past this many remembered answers, the expired ones are dropped. */
const MAX_ANSWERS = 10_000;

export class CourseAccess {
  private readonly lookup: MembershipLookup;
  private readonly ttlMs: number;
  private readonly now: () => number;
  private readonly answers = new Map<string, { status: TaStatus; at: number }>();
  private readonly asking = new Map<string, Promise<TaStatus>>();

  constructor(lookup: MembershipLookup, options: { ttlMs?: number; now?: () => number } = {}) {
    this.lookup = lookup;
    this.ttlMs = options.ttlMs ?? ACCESS_TTL_MS;
    this.now = options.now ?? Date.now;
  }

  /** What `login` is to `org`'s course, from an answer younger than the TTL or from GitHub. */
  async status(org: string, login: string): Promise<TaStatus> {
    const key = `${org.toLowerCase()}\u0000${login.toLowerCase()}`;
    const known = this.answers.get(key);
    if (known && this.now() - known.at < this.ttlMs) return known.status;
    let pending = this.asking.get(key);
    if (!pending) {
      pending = this.lookup(org, login)
        .then((status) => {
          if (this.answers.size >= MAX_ANSWERS) this.prune();
          this.answers.set(key, { status, at: this.now() });
          return status;
        })
        .finally(() => this.asking.delete(key));
      this.asking.set(key, pending);
    }
    return pending;
  }

  async allowed(org: string, login: string): Promise<boolean> {
    return isTeachingStaff(await this.status(org, login));
  }

  /** Drops answers past their lifetime (they would be asked again anyway). */
  private prune(): void {
    for (const [key, answer] of this.answers) if (this.now() - answer.at >= this.ttlMs) this.answers.delete(key);
  }

  /** Forgets a user's answers (sign-in and sign-out ask GitHub afresh). */
  forget(login: string): void {
    const suffix = `\u0000${login.toLowerCase()}`;
    for (const key of this.answers.keys()) if (key.endsWith(suffix)) this.answers.delete(key);
  }
}

/** A pending invitation grants nothing, like everywhere else. */
export function isTeachingStaff(status: TaStatus): boolean {
  return status === 'ta' || status === 'org-owner';
}
