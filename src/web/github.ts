import type { Probot } from 'probot';
import type { Octokit } from '../github/api.ts';
import { taStatus } from '../github/teams.ts';
import type { Store } from '../store/store.ts';
import type { MembershipLookup } from './access.ts';
import { courseInfo } from './handler.ts';

/**
 * The dashboard's one use of GitHub: what a user is to a course, asked with the app's
 * installation on the organization (the same question, and the same rule, as a TA command).
 * The TA team is the one recorded with the course's gradings.
 */
export function membershipViaApp(app: Pick<Probot, 'auth'>, store: Store): MembershipLookup {
  const installations = new Map<string, number>();
  return async (org, login) => {
    const course = await courseInfo(store, org);
    if (!course?.tas) return 'none';
    let id = installations.get(org.toLowerCase());
    if (id === undefined) {
      const appOctokit = (await app.auth()) as unknown as Octokit;
      id = (await appOctokit.rest.apps.getOrgInstallation({ org })).data.id;
      installations.set(org.toLowerCase(), id);
    }
    try {
      return await taStatus((await app.auth(id)) as unknown as Octokit, org, course.tas, login);
    } catch (error) {
      // The app may have been reinstalled (a new installation id): asked again next time.
      installations.delete(org.toLowerCase());
      throw error;
    }
  };
}
