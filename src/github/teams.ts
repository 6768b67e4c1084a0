import { statusOf, type Octokit } from './api.ts';

/** Who someone is to the course, asked of GitHub at the time of the command. */
export type TaStatus = 'ta' | 'org-owner' | 'pending' | 'none';

/**
 * A TA is an active member of the course's TA team or an active organization owner.
 * GitHub's team membership already counts the members of the team's child teams; the
 * team's parent is usually the wider group (the whole course, students included), so
 * its members are not TAs. Repository permission is not the test either: in classroom
 * setups students often hold write or admin on their own repositories. An invitation
 * not yet accepted (`pending`) grants nothing. Any answer but 404 that is not a
 * membership (403, 5xx) is thrown: it is ours to retry, never a refusal or a grant.
 */
export async function taStatus(octokit: Octokit, org: string, teamSlug: string, login: string): Promise<TaStatus> {
  const team = await teamMembership(octokit, org, teamSlug, login);
  if (team === 'active') return 'ta';
  const owner = await ownership(octokit, org, login);
  if (owner === 'active') return 'org-owner';
  return team === 'pending' || owner === 'pending' ? 'pending' : 'none';
}

async function teamMembership(octokit: Octokit, org: string, teamSlug: string, login: string): Promise<'active' | 'pending' | 'none'> {
  try {
    const { data } = await octokit.rest.teams.getMembershipForUserInOrg({ org, team_slug: teamSlug, username: login });
    return data.state === 'active' ? 'active' : 'pending';
  } catch (error) {
    if (statusOf(error) === 404) return 'none';
    throw error;
  }
}

/** Whether `login` owns the organization: `active`, `pending` (invited as an owner, not accepted yet) or `none`. */
async function ownership(octokit: Octokit, org: string, login: string): Promise<'active' | 'pending' | 'none'> {
  try {
    const { data } = await octokit.rest.orgs.getMembershipForUser({ org, username: login });
    if (data.role !== 'admin') return 'none';
    return data.state === 'active' ? 'active' : 'pending';
  } catch (error) {
    if (statusOf(error) === 404) return 'none';
    throw error;
  }
}

/** A team's active members (GitHub counts its child teams' members); none when there is no such team. */
export async function teamMembers(octokit: Octokit, org: string, teamSlug: string): Promise<string[]> {
  try {
    const members = await octokit.paginate(octokit.rest.teams.listMembersInOrg, { org, team_slug: teamSlug, per_page: 100 });
    return members.map((m) => m.login).sort();
  } catch (error) {
    if (statusOf(error) === 404) return [];
    throw error;
  }
}
