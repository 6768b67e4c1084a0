import type { Membership } from '../course/load.ts';
import { repositoryStudents, type Octokit, type RepoRef } from '../github/api.ts';
import { teamMembers } from '../github/teams.ts';

type Member = Extract<Membership, { status: 'member' }>;

/**
 * Whose grade a repository's grading is: the student its name gives (`<prefix><login>`);
 * for a group, the team named after the group, or the repository's collaborators that
 * are neither admins nor TAs (a TA added to help is no member); else (a topic) its
 * non-admin collaborators. Every one of them receives the grade in the gradebook.
 */
export async function studentsOf(octokit: Octokit, ref: RepoRef, member: Member): Promise<string[]> {
  if (member.namedLogin) return [member.namedLogin];
  const group = member.assignment?.group;
  if (group && member.group !== undefined) {
    if (group.members === 'team') return teamMembers(octokit, ref.owner, group.team!.replaceAll('{group}', member.group));
    const [collaborators, tas] = await Promise.all([repositoryStudents(octokit, ref), teamMembers(octokit, ref.owner, member.course.config.tas)]);
    const ta = new Set(tas.map((l) => l.toLowerCase()));
    return collaborators.filter((l) => !ta.has(l.toLowerCase()));
  }
  return repositoryStudents(octokit, ref);
}
