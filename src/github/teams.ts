import { statusOf, type Octokit } from './api.ts';

/** Who someone is to the course, asked of GitHub at the time of the command. */
export type TaStatus = 'ta' | 'parent-team' | 'org-owner' | 'pending' | 'none';

/**
 * A TA is an active member of the course's TA team or of its parent team, or an
 * organization owner. Repository permission is not the test: in classroom setups
 * students often hold write or admin on their own repositories.
 */
export async function taStatus(octokit: Octokit, org: string, teamSlug: string, login: string): Promise<TaStatus> {
  const team = await teamMembership(octokit, org, teamSlug, login);
  if (team === 'active') return 'ta';
  try {
    const { data } = await octokit.rest.orgs.getMembershipForUser({ org, username: login });
    if (data.state === 'active' && data.role === 'admin') return 'org-owner';
  } catch (error) {
    if (statusOf(error) !== 404) throw error;
  }
  let parent: string | undefined;
  try {
    const { data } = await octokit.rest.teams.getByName({ org, team_slug: teamSlug });
    parent = data.parent?.slug;
  } catch (error) {
    if (statusOf(error) !== 404) throw error;
  }
  const parentMembership = parent ? await teamMembership(octokit, org, parent, login) : 'none';
  if (parentMembership === 'active') return 'parent-team';
  return team === 'pending' || parentMembership === 'pending' ? 'pending' : 'none';
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
