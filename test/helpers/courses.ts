import { fileURLToPath } from 'node:url';
import type nock from 'nock';
import { ORG, apiCommits, payload, tarball, type Tree } from './github.ts';

/**
 * The course-shape tests' organization (test/app/course-shapes*.test.ts): two courses in
 * one course file, a weekly one in English (`intro-<login>`) and FIUBA's AMq2 final
 * project (seed 003) as an assignment of group repositories (`tp-final-<group>`) in two
 * deliveries, the first graded on part of the rubric. Packs: test/fixtures/packs/courses-*.
 */
export const COURSE_PACKS = fileURLToPath(new URL('../fixtures/packs/', import.meta.url));

export const TWO_COURSES_YAML = `courses:
  - id: intro
    pack: courses-weekly
    start: 2026-09-07
    timezone: America/Argentina/Buenos_Aires
    weeks: 1
    students: { prefix: intro- }
    tas: intro-tas
    locale: en
  - id: amq2
    pack: courses-final
    start: 2026-08-17
    timezone: America/Argentina/Buenos_Aires
    weeks: 8
    tas: amq2-tas
    locale: es
    assignments:
      - id: final
        prefix: tp-final-
        group: { maxSize: 6 }
        deliveries:
          - { id: first, due: { class: 5 }, criteria: [readme, src] }
          - { id: final, due: { class: 8, days: 7 } }
`;

export const GROUP_REPO = 'tp-final-grupo3';
export const GROUP_REPO_ID = 930003;
export const GROUP = ['ana-g', 'bruno-g'];
export const AMQ2_TA = 'tere-amq2';
export const ORG_ADMIN = 'profe-admin';

/** A push to `repo`'s default branch, delivered at `at` (GitHub's pushed_at). */
export function pushTo(repo: string, repoId: number, sha: string, at: string) {
  const p = payload('push');
  p.after = sha;
  p.repository = { ...p.repository, id: repoId, name: repo, full_name: `${ORG}/${repo}`, pushed_at: Math.floor(Date.parse(at) / 1000) };
  return p;
}

/** The commit's tarball and history for `repo`. */
export async function serveRepoCommit(scope: nock.Scope, repo: string, sha: string, files: Tree) {
  scope.get(`/repos/${ORG}/${repo}/tarball/${sha}`).reply(200, await tarball(files, sha), { 'content-type': 'application/x-gzip' });
  scope.get(`/repos/${ORG}/${repo}/commits`).query((q) => q.sha === sha).reply(200, apiCommits(['feat: entrega'], sha));
}

/**
 * The group repository's direct collaborators as GitHub lists them: the two members, the
 * course's TA (added to help: no member) and an organization admin; and the TA team.
 */
export function serveGroup(scope: nock.Scope, repo = GROUP_REPO) {
  const user = (login: string, admin = false) => ({ login, type: 'User', permissions: { admin, maintain: admin, push: true, triage: true, pull: true } });
  scope
    .get(`/repos/${ORG}/${repo}/collaborators`)
    .query(true)
    .reply(200, [user(GROUP[0]!), user(AMQ2_TA), user(GROUP[1]!), user(ORG_ADMIN, true)]);
  scope.get(`/orgs/${ORG}/teams/amq2-tas/members`).query(true).reply(200, [{ login: AMQ2_TA, type: 'User' }]);
}
