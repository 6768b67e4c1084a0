import { afterEach, describe, expect, it } from 'vitest';
import { membershipOf, parseCourseFile } from '../../../src/course/load.ts';
import type { Octokit } from '../../../src/github/api.ts';
import { studentsOf } from '../../../src/jobs/members.ts';
import { COURSE_PACKS, TWO_COURSES_YAML } from '../../helpers/courses.ts';
import { ORG, TEST_OCTOKIT, githubNock, resetGithub } from '../../helpers/github.ts';

/** Whose grade a repository's grading is: the name's login, a group's team, or its collaborators less admins and TAs. */
async function member(yaml: string, name: string) {
  const setup = await parseCourseFile(yaml, COURSE_PACKS);
  if (setup.status !== 'ready') throw new Error(JSON.stringify(setup));
  const m = membershipOf(setup.courses, { name });
  if (m.status !== 'member') throw new Error(m.status);
  return m;
}

const octokit = () => new TEST_OCTOKIT({ auth: 'ghs_test' }) as unknown as Octokit;
const user = (login: string, admin = false) => ({ login, type: 'User', permissions: { admin } });

afterEach(() => {
  expect(resetGithub()).toEqual([]);
});

describe('the members of a repository', () => {
  it('an individual repository is the student its name gives: GitHub is not asked', async () => {
    githubNock();
    expect(await studentsOf(octokit(), { owner: ORG, repo: 'intro-ana' }, await member(TWO_COURSES_YAML, 'intro-ana'))).toEqual(['ana']);
  });

  it("a group's are its collaborators that are neither admins nor on the course's TA team", async () => {
    const scope = githubNock();
    scope.get(`/repos/${ORG}/tp-final-g7/collaborators`).query(true).reply(200, [user('zoe'), user('tere-amq2'), user('profe', true), user('ale'), { login: 'ci-bot', type: 'Bot', permissions: { admin: false } }]);
    // The TA team's members (GitHub counts its child teams'): the helper TA is no member of the group.
    scope.get(`/orgs/${ORG}/teams/amq2-tas/members`).query(true).reply(200, [{ login: 'Tere-AMQ2' }]);
    expect(await studentsOf(octokit(), { owner: ORG, repo: 'tp-final-g7' }, await member(TWO_COURSES_YAML, 'tp-final-g7'))).toEqual(['ale', 'zoe']);
    expect(scope.pendingMocks()).toEqual([]);
  });

  it("a group named by team is that team's members, the team named after the group", async () => {
    const scope = githubNock();
    scope.get(`/orgs/${ORG}/teams/amq2-g7/members`).query(true).reply(200, [{ login: 'zoe' }, { login: 'ale' }, { login: 'mia' }]);
    const yaml = TWO_COURSES_YAML.replace('group: { maxSize: 6 }', 'group: { maxSize: 6, members: team, team: "amq2-{group}" }');
    expect(await studentsOf(octokit(), { owner: ORG, repo: 'tp-final-g7' }, await member(yaml, 'tp-final-g7'))).toEqual(['ale', 'mia', 'zoe']);
    // No such team yet: no members (the grading is recorded for none rather than for a guess).
    scope.get(`/orgs/${ORG}/teams/amq2-g8/members`).query(true).reply(404, { message: 'Not Found' });
    expect(await studentsOf(octokit(), { owner: ORG, repo: 'tp-final-g8' }, await member(yaml, 'tp-final-g8'))).toEqual([]);
    expect(scope.pendingMocks()).toEqual([]);
  });
});
