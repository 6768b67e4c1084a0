import { afterEach, describe, expect, it } from 'vitest';
import { exportGrades } from '../../src/report/export.ts';
import { ORG, WEEK1_REPO, courseScope, githubNock, payload, record, resetGithub, testApp } from '../helpers/github.ts';
import { clock, type App } from '../helpers/ta.ts';
import { AMQ2_TA, COURSE_PACKS, GROUP, GROUP_REPO, GROUP_REPO_ID, TWO_COURSES_YAML, pushTo, serveGroup, serveRepoCommit } from '../helpers/courses.ts';

const SHA_INTRO = '1111111111111111111111111111111111111111';
const SHA_FIRST = '2222222222222222222222222222222222222222';
const SHA_FINAL = '3333333333333333333333333333333333333333';
const INTRO_REPO = 'intro-ana';
const INTRO_REPO_ID = 920001;
/** The group's work at its first delivery: a README and the code, no compose file yet. */
const FIRST_WORK = { 'README.md': '# Grupo 3\n\nServicio de predicción.\n', 'src/main.py': 'print("hola")\n' };

const apps: App[] = [];
async function app(now: () => Date) {
  const a = await testApp({ rubricsDir: COURSE_PACKS, now });
  apps.push(a);
  return a;
}

afterEach(async () => {
  for (const a of apps.splice(0)) await a.rubrica.queue.close();
  expect(resetGithub()).toEqual([]);
});

describe('course shapes through the app', () => {
  it('two courses in one organization: each repository is graded by its own course (pack, locale, calendar) and recorded under it', async () => {
    const time = clock('2026-09-08T15:01:00Z');
    const a = await app(time.now);
    const scope = courseScope(githubNock(), TWO_COURSES_YAML, { times: 5 });
    const introRuns: any[] = [];
    const groupRuns: any[] = [];
    await serveRepoCommit(scope, INTRO_REPO, SHA_INTRO, WEEK1_REPO);
    scope.post(`/repos/${ORG}/${INTRO_REPO}/check-runs`).reply(201, { id: 701 });
    record(scope, 'POST', `/repos/${ORG}/${INTRO_REPO}/check-runs`, introRuns);
    await serveRepoCommit(scope, GROUP_REPO, SHA_FIRST, FIRST_WORK);
    serveGroup(scope);
    scope.post(`/repos/${ORG}/${GROUP_REPO}/check-runs`).reply(201, { id: 702 });
    record(scope, 'POST', `/repos/${ORG}/${GROUP_REPO}/check-runs`, groupRuns);

    await a.probot.receive({ id: 'intro-push', name: 'push', payload: pushTo(INTRO_REPO, INTRO_REPO_ID, SHA_INTRO, '2026-09-08T15:00:00Z') as never });
    await a.probot.receive({ id: 'group-push-1', name: 'push', payload: pushTo(GROUP_REPO, GROUP_REPO_ID, SHA_FIRST, '2026-09-08T15:00:00Z') as never });
    await a.rubrica.queue.idle();

    expect(scope.pendingMocks()).toEqual([]);
    // The weekly course speaks English and names its week; the AMq2 course names the assignment and its delivery.
    expect(introRuns).toEqual([expect.objectContaining({ name: 'Rubrica · Week 1 — A README', external_id: 'rubrica:week=1;delivered=2026-09-08T15:00:00.000Z', conclusion: 'success' })]);
    expect(introRuns[0].output.title).toBe('100/100');
    expect(groupRuns).toEqual([expect.objectContaining({ name: 'Rubrica · final · first — Trabajo práctico final', external_id: 'rubrica:unit=final/first;delivered=2026-09-08T15:00:00.000Z', conclusion: 'success' })]);
    // The first delivery is graded on its part of the rubric (README and src/: 60 points), not on the compose file due later.
    expect(groupRuns[0].output.title).toBe('60/60');
    expect(groupRuns[0].output.summary).not.toContain('docker compose');

    const gradings = (await a.rubrica.store.record.gradings({ org: ORG })).sort((x, y) => y.course.localeCompare(x.course));
    expect(gradings.map((g) => [g.course, g.repo, g.unit, g.week, g.students, g.score, g.maxScore])).toEqual([
      ['intro', INTRO_REPO, 'week-1', 1, ['ana'], 100, 100],
      // The group's members, from the collaborators: not the TA who was added, not the org admin.
      ['amq2', GROUP_REPO, 'final/first', 0, GROUP, 60, 60],
    ]);
    expect(await a.rubrica.store.record.courses()).toEqual([
      expect.objectContaining({ org: ORG, course: 'amq2', weeks: 8, units: ['final/first', 'final/final'], counts: 'best' }),
      expect.objectContaining({ org: ORG, course: 'intro', weeks: 1, units: ['week-1'], counts: 'best' }),
    ]);

    // Each course has its own gradebook: every member of the group has a row with the group's grade.
    const amq2 = JSON.parse((await exportGrades(a.rubrica.store, { org: ORG, course: 'amq2', format: 'json' })).body);
    expect(amq2).toEqual([
      { login: 'ana-g', repo: GROUP_REPO, weeks: [], assignments: { 'final/first': 60, 'final/final': null }, latePenalties: 0, total: 60 },
      { login: 'bruno-g', repo: GROUP_REPO, weeks: [], assignments: { 'final/first': 60, 'final/final': null }, latePenalties: 0, total: 60 },
    ]);
    const csv = (await exportGrades(a.rubrica.store, { org: ORG, course: 'amq2', format: 'csv' })).body.split('\r\n');
    expect(csv[0]).toBe('login,repo,final/first,final/final,late_penalty,total');
    expect(csv[1]).toBe(`ana-g,${GROUP_REPO},60,,0,60`);
    // What an LMS imports carries the assignment's units too: a long row per member × criterion, a Gradescope file per member and delivery.
    const long = (await exportGrades(a.rubrica.store, { org: ORG, course: 'amq2', format: 'long' })).body.trim().split('\r\n').map((l) => l.split(','));
    expect(long.slice(1).map((r) => [r[0], r[7], r[8], r[9], r.at(-1)])).toEqual([
      ['ana-g', '', 'readme', '30', 'final/first'],
      ['ana-g', '', 'src', '30', 'final/first'],
      ['bruno-g', '', 'readme', '30', 'final/first'],
      ['bruno-g', '', 'src', '30', 'final/first'],
    ]);
    expect(Object.keys(JSON.parse((await exportGrades(a.rubrica.store, { org: ORG, course: 'amq2', format: 'gradescope' })).body))).toEqual(['ana-g/final-first/results.json', 'bruno-g/final-first/results.json']);
    const intro = JSON.parse((await exportGrades(a.rubrica.store, { org: ORG, course: 'intro', format: 'json' })).body);
    expect(intro).toEqual([{ login: 'ana', repo: INTRO_REPO, weeks: [100], latePenalties: 0, total: 100 }]);
    // Without naming the course, an export of a two-course organization asks which.
    await expect(exportGrades(a.rubrica.store, { org: ORG, format: 'json' })).rejects.toThrow(`several courses are recorded: name one with --org --course (${ORG}/amq2, ${ORG}/intro)`);
  });

  it('an assignment in two deliveries: after class 5 a push is the final delivery, on the whole rubric, late past its deadline; a TA extends it for the whole group', async () => {
    // Two days after the final delivery's deadline (2026-10-12 23:59 in Buenos Aires).
    const time = clock('2026-10-14T15:01:00Z');
    const a = await app(time.now);
    const scope = courseScope(githubNock(), TWO_COURSES_YAML, { times: 6 });
    const runs: any[] = [];
    await serveRepoCommit(scope, GROUP_REPO, SHA_FINAL, FIRST_WORK);
    serveGroup(scope);
    scope.post(`/repos/${ORG}/${GROUP_REPO}/check-runs`).reply(201, { id: 801 });
    record(scope, 'POST', `/repos/${ORG}/${GROUP_REPO}/check-runs`, runs);

    await a.probot.receive({ id: 'group-push-final', name: 'push', payload: pushTo(GROUP_REPO, GROUP_REPO_ID, SHA_FINAL, '2026-10-14T15:00:00Z') as never });
    await a.rubrica.queue.idle();
    expect(scope.pendingMocks()).toEqual([]);
    expect(runs).toEqual([expect.objectContaining({ name: 'Rubrica · final · final — Trabajo práctico final', external_id: 'rubrica:unit=final/final;delivered=2026-10-14T15:00:00.000Z' })]);
    const [late] = await a.rubrica.store.record.gradings({ org: ORG });
    // 60 of 100 (no compose file), two days late at 10% of the scale a day.
    expect(late).toMatchObject({ course: 'amq2', unit: 'final/final', students: GROUP, score: 60, maxScore: 100, penalty: 20, finalScore: 40, late: { status: 'late', daysLate: 2, deadline: '2026-10-13T02:59:00.000Z' } });
    expect(runs[0].output.summary).toContain('docker compose');
    // Late, 40 of the 60 points of "local" are kept: 6 + 2 × 2/3 = 7.3 so far.
    const late7 = JSON.parse((await exportGrades(a.rubrica.store, { org: ORG, course: 'amq2', format: 'json', rubricsDir: COURSE_PACKS, now: time.now() })).body);
    expect(late7[0].final).toMatchObject({ grade: 7.3, level: { id: 'local' } });
    // The group sees its standing under the score, by level.
    expect(runs[0].output.summary).toContain('🎓 Nota del curso hasta ahora: 7,3 de 10 (se aprueba con 6) · nivel: Local.');

    // The TA's `/rubrica extend 3d` on the group's pull request: the whole group's deadline moves.
    const comment = payload('issue_comment.created');
    comment.repository = { ...comment.repository, id: GROUP_REPO_ID, name: GROUP_REPO, full_name: `${ORG}/${GROUP_REPO}` };
    comment.comment.body = '/rubrica extend 3d entrega con certificado';
    comment.comment.user.login = AMQ2_TA;
    comment.sender.login = AMQ2_TA;
    const pr = payload('pull_request.opened').pull_request;
    const commands = githubNock();
    courseScope(commands, TWO_COURSES_YAML, { times: 3 });
    // The course's own TA team decides who is a TA (amq2-tas, not intro-tas).
    commands.get(`/orgs/${ORG}/teams/amq2-tas/memberships/${AMQ2_TA}`).reply(200, { role: 'member', state: 'active' });
    commands.get(`/repos/${ORG}/${GROUP_REPO}/pulls/${comment.issue.number}`).reply(200, { ...pr, number: comment.issue.number, head: { ...pr.head, sha: SHA_FINAL, ref: 'entrega-final', repo: { id: GROUP_REPO_ID } }, labels: [] });
    commands.post(`/repos/${ORG}/${GROUP_REPO}/issues/comments/${comment.comment.id}/reactions`).reply(201, { id: 1, content: '+1' });
    const patches: any[] = [];
    commands.patch(`/repos/${ORG}/${GROUP_REPO}/check-runs/801`).reply(200, { id: 801 });
    record(commands, 'PATCH', `/repos/${ORG}/${GROUP_REPO}/check-runs/801`, patches);
    commands.get(`/repos/${ORG}/${GROUP_REPO}/issues/${comment.issue.number}/comments`).query(true).reply(200, []);
    commands.post(`/repos/${ORG}/${GROUP_REPO}/issues/${comment.issue.number}/comments`).reply(201, { id: 9001 });
    time.set('2026-10-14T16:00:00Z');
    await a.probot.receive({ id: 'group-extend', name: 'issue_comment', payload: comment as never });
    await a.rubrica.queue.idle();
    expect(commands.pendingMocks()).toEqual([]);

    expect(await a.rubrica.store.record.extensionFor(GROUP_REPO_ID, 'final/final')).toMatchObject({ course: 'amq2', unit: 'final/final', minutes: 3 * 24 * 60, grantedBy: AMQ2_TA });
    const [extended] = await a.rubrica.store.record.gradings({ org: ORG });
    expect(extended).toMatchObject({ penalty: 0, finalScore: 60, late: { status: 'on-time', effectiveDeadline: '2026-10-16T02:59:00.000Z' } });
    expect(patches).toEqual([expect.objectContaining({ name: 'Rubrica · final · final — Trabajo práctico final', output: expect.objectContaining({ title: '60/100' }) })]);
    expect(patches[0].output.summary).toContain('🎓 Nota del curso hasta ahora: 8 de 10 (se aprueba con 6) · nivel: Local.');
    const rows = JSON.parse((await exportGrades(a.rubrica.store, { org: ORG, course: 'amq2', format: 'json', rubricsDir: COURSE_PACKS, now: time.now() })).body);
    expect(rows.map((r: any) => [r.login, r.assignments])).toEqual([
      ['ana-g', { 'final/first': null, 'final/final': 60 }],
      ['bruno-g', { 'final/first': null, 'final/final': 60 }],
    ]);
    // The pack grades by level on the final delivery: README and code reach "local" (6–8) in full, no compose file, no "containers".
    expect(rows.map((r: any) => [r.login, r.final.grade, r.final.level?.id])).toEqual([
      ['ana-g', 8, 'local'],
      ['bruno-g', 8, 'local'],
    ]);
    const csv = (await exportGrades(a.rubrica.store, { org: ORG, course: 'amq2', format: 'csv', rubricsDir: COURSE_PACKS, now: time.now() })).body.split('\r\n');
    expect(csv.slice(0, 2)).toEqual(['login,repo,final/first,final/final,late_penalty,total,final,final_level', `ana-g,${GROUP_REPO},,60,0,60,8,local`]);
  });

  it('a repository two courses claim is not graded with a guess: a neutral check run, nothing recorded, and the job’s outcome says why (what /admin/courses lists)', async () => {
    const a = await app(() => new Date('2026-09-08T15:01:00Z'));
    // The weekly course's prefix `tp-` also matches the final project's repositories.
    const overlapping = TWO_COURSES_YAML.replace('students: { prefix: intro- }', 'students: { prefix: tp- }');
    const scope = courseScope(githubNock(), overlapping, { times: 3 });
    const runs: any[] = [];
    scope.post(`/repos/${ORG}/${GROUP_REPO}/check-runs`).reply(201, { id: 901 });
    record(scope, 'POST', `/repos/${ORG}/${GROUP_REPO}/check-runs`, runs);
    await a.probot.receive({ id: 'ambiguous-push', name: 'push', payload: pushTo(GROUP_REPO, GROUP_REPO_ID, SHA_FIRST, '2026-09-08T15:00:00Z') as never });
    await a.rubrica.queue.idle();
    expect(scope.pendingMocks()).toEqual([]);
    expect(runs).toEqual([expect.objectContaining({ name: 'Rubrica', conclusion: 'neutral' })]);
    expect(runs[0].output.title).toContain('Not graded: the repository matches several courses');
    expect(runs[0].output.summary).toContain('`intro`, `amq2`');
    expect(await a.rubrica.store.record.gradings()).toEqual([]);
    const [job] = await a.rubrica.store.queue.jobs({ outcome: 'ambiguous-course' });
    expect(job?.request.repo).toBe(GROUP_REPO);
  });
});
