import nock from 'nock';
import { afterEach, describe, expect, it } from 'vitest';
import { exportGrades } from '../../src/report/export.ts';
import { checkRunName } from '../../src/report/markdown.ts';
import { loadPack } from '../../src/rubrics/load.ts';
import { COURSE_YAML, ORG, REPO, SHA, WEEK1_COMMITS, WEEK1_REPO, courseScope, githubNock, resetGithub, serveCommit, testApp, unexpected } from '../helpers/github.ts';
import {
  CHECK_RUN_ID,
  CHECK_RUN_URL,
  COMMENT_ID,
  REPO_ID,
  SCORED_COMMENT_ID,
  STUDENT,
  TA,
  acceptedCommand,
  calls,
  clock,
  commentEvent,
  deliver,
  gradeOpenedPullRequest,
  PEOPLE,
  paths,
  prEvent,
  pullResponse,
  repliedCommand,
  serveDirectory,
  taNock,
  type App,
} from '../helpers/ta.ts';

const SHA2 = 'b2c3d4e5f60718293a4b5c6d7e8f901234567890';
const SHA3 = 'c3d4e5f60718293a4b5c6d7e8f90123456789012';
// What the MLOps pack says (titles, points, criterion ids) is read from the pack, never copied here.
const PACK = await loadPack('mlops');
const criterion = (week: number, id: string) => PACK.weeks.get(week)!.criteria.find((c) => c.id === id)!;
const WEEK1 = checkRunName({ week: 1, title: PACK.weeks.get(1)!.title }, 'es');
const WEEK5 = checkRunName({ week: 5, title: PACK.weeks.get(5)!.title }, 'es');
const WEEK1_IDS = PACK.weeks.get(1)!.criteria.map((c) => c.id);

/** The table row of a criterion in a rendered check run or comment (`| icon | title | points | result |`). */
function rowOf(markdown: string, week: number, id: string): string {
  const title = criterion(week, id).title.es;
  const rows = markdown.split('\n').filter((line) => line.startsWith('| ') && line.includes(` | ${title} | `));
  expect(rows, `one row for ${id}`).toHaveLength(1);
  return rows[0]!;
}
/** The rows of week 1's criteria, in the rubric's order, as the first (full-score) grading showed them. */
function week1Rows(markdown: string): Record<string, string> {
  return Object.fromEntries(WEEK1_IDS.map((id) => [id, rowOf(markdown, 1, id)]));
}
/** A criterion's row once a TA set its points: the automatic points struck through, the TA and the reason. */
function overriddenRow(week: number, id: string, from: number, to: number, by: string, reason: string, icon = to === 0 ? '❌' : to < criterion(week, id).points ? '🟡' : '✅') {
  return `| ${icon} | ${criterion(week, id).title.es} | ~~${from}~~ → ${to} / ${criterion(week, id).points} | ✏️ Ajustado por ${by}: ${reason} |`;
}
const README_POINTS = criterion(1, 'readme').points;
const OVERRIDE_REASON = 'Falta la sección de Uso';
const OVERRIDE = `/rubrica override readme ${README_POINTS - 5} ${OVERRIDE_REASON}`;
const README_OVERRIDDEN = overriddenRow(1, 'readme', README_POINTS, README_POINTS - 5, TA, OVERRIDE_REASON);
const TA_NOTES = '#### Para el equipo docente';
/** A comment event written by `user`. */
const by = (user: string) => (p: any) => {
  p.comment.user.login = user;
  p.sender.login = user;
};

const apps: App[] = [];
async function app(options: Parameters<typeof testApp>[0] = {}) {
  const a = await testApp(options);
  apps.push(a);
  return a;
}

afterEach(async () => {
  for (const a of apps.splice(0)) await a.rubrica.queue.close();
  // Cleaned before asserting: a failure here must not leak interceptors into the next test.
  expect(resetGithub()).toEqual([]);
});

/** The PATCH of the check run a republish makes: straight to completed, with the new output. */
function checkRunPatch(title: string, conclusion: 'success' | 'failure' | 'neutral', summary: unknown, name = WEEK1) {
  return { name, status: 'completed', conclusion, completed_at: expect.any(String), output: { title, summary, text: expect.any(String), annotations: [] } };
}

/** A week-1 grading of 100/100, then a TA's override of `readme` to 20, applied and published. */
async function gradedAndOverridden(a: App, scope: nock.Scope) {
  const first = await gradeOpenedPullRequest(a, scope);
  const seen = calls(scope);
  acceptedCommand(scope);
  await deliver(a, 'override-1', commentEvent('created', OVERRIDE));
  expect(scope.pendingMocks()).toEqual([]);
  expect(seen.reactions).toEqual([{ path: paths.reactions(COMMENT_ID), content: '+1' }]);
  expect(seen.checkRunPatches).toHaveLength(1);
  expect(seen.commentPatches).toHaveLength(1);
  return { seen, rows: week1Rows(first.checkRun.output.summary) };
}

/** The course grade so far as the check run shows it: week 1 is all the MLOps pack's final grade has yet. */
const standingLine = (points: number) => `🎓 Nota del curso hasta ahora: ${points} de 100 (se aprueba con 60).`;

describe('TA commands in pull-request comments', () => {
  it('a TA override is applied and published: check run, scored comment, the record and the gradebook', async () => {
    const a = await app();
    const scope = taNock();
    const first = await gradeOpenedPullRequest(a, scope);
    expect(first.checkRun.output.title).toBe('100/100');
    const ROW = week1Rows(first.checkRun.output.summary);
    const seen = calls(scope);
    acceptedCommand(scope);
    await deliver(a, 'override-1', commentEvent('created', OVERRIDE));

    expect(scope.pendingMocks()).toEqual([]);
    expect(seen.reactions).toEqual([{ path: paths.reactions(COMMENT_ID), content: '+1' }]);
    expect(seen.commentPosts).toEqual([]); // no reply: the reaction says it was done
    expect(seen.checkRunCreates).toEqual([]);
    expect(seen.checkRunPatches).toEqual([
      checkRunPatch('95/100', 'success', expect.stringContaining(['**95 / 100 — aprobado** (aprobación: 60)', '', standingLine(95), '', '| | Criterio | Puntos | Resultado |', '|---|---|---|---|', ROW.estructura, ROW['commits-convencionales'], README_OVERRIDDEN, ROW.gitignore].join('\n'))),
    ]);
    expect(seen.commentPatches).toHaveLength(1);
    const body: string = seen.commentPatches[0].body;
    expect(Object.keys(seen.commentPatches[0])).toEqual(['body']);
    expect(body.startsWith(`<!-- rubrica:week=1 -->\n## ${WEEK1}\n\n**95 / 100 — aprobado** (aprobación: 60) · commit a1b2c3d\n`)).toBe(true);
    expect(body).toContain([ROW.estructura, ROW['commits-convencionales'], README_OVERRIDDEN, ROW.gitignore].join('\n'));
    expect(body).toContain(`[Ver el detalle](${CHECK_RUN_URL})`);
    expect(body).not.toContain(TA_NOTES);

    // The record: who, when, why, from which comment, over which automatic points.
    expect(await a.rubrica.store.tas.overrides({ repoId: REPO_ID, week: 1 })).toEqual([
      { org: ORG, course: 'default', repoId: REPO_ID, unit: 'week-1', week: 1, criterion: 'readme', points: README_POINTS - 5, reason: OVERRIDE_REASON, by: TA, at: '2026-09-08T15:01:00.000Z', automaticPoints: README_POINTS, commentId: COMMENT_ID },
    ]);
    // The grading itself stays the automatic one.
    const [grading] = await a.rubrica.store.record.gradings();
    expect(grading).toMatchObject({ score: 100, finalScore: 100, checkRunId: CHECK_RUN_ID });
    // The gradebook counts the TA's points.
    const rows = JSON.parse((await exportGrades(a.rubrica.store, { format: 'json' })).body);
    expect(rows).toEqual([expect.objectContaining({ repo: REPO, weeks: [95, null, null, null, null, null, null, null, null, null], latePenalties: 0 })]);
    const week = JSON.parse((await exportGrades(a.rubrica.store, { format: 'json', week: 1 })).body);
    expect(week[0].criteria.find((c: { id: string }) => c.id === 'readme')).toMatchObject({ score: README_POINTS - 5, automatic: README_POINTS, overridden: true });
  });

  it("an overridden criterion's what-to-do-first entry gives the TA's reason, not the automatic message it contradicts", async () => {
    const a = await app();
    const scope = taNock();
    const { seen, rows } = await gradedAndOverridden(a, scope);
    // The automatic message (the last cell of the full-score row) says the README has everything; the TA took 5 points off it.
    const automaticMessage = rows.readme!.split(' | ').at(-1)!.replace(/ \|$/, '');
    expect(automaticMessage.length).toBeGreaterThan(5);
    for (const text of [seen.checkRunPatches[0].output.summary as string, seen.commentPatches[0].body as string]) {
      const todo = text.slice(text.indexOf('### Qué hacer primero'));
      expect(todo).toContain(`**${criterion(1, 'readme').title.es}** (−5)`);
      expect(todo).toContain(OVERRIDE_REASON);
      expect(todo).not.toContain(automaticMessage);
    }
  });

  it('a student (not on the team, not in the org) gets one polite reply; nothing changes, no reaction', async () => {
    const a = await app();
    const scope = taNock();
    await gradeOpenedPullRequest(a, scope);
    const seen = calls(scope);
    repliedCommand(scope, { refused: true });
    await deliver(a, 'student-1', commentEvent('created', `/rubrica override readme ${README_POINTS} me lo merezco`, by(STUDENT)));
    expect(scope.pendingMocks()).toEqual([]);
    expect(seen.commentPosts).toHaveLength(1);
    expect(seen.commentPosts[0].body).toContain(STUDENT);
    expect(seen.reactions).toEqual([]);
    expect(seen.checkRunPatches).toEqual([]);
    expect(seen.commentPatches).toEqual([]);
    expect(await a.rubrica.store.tas.overrides()).toEqual([]);
    expect(await a.rubrica.store.tas.commandOf(COMMENT_ID)).toMatchObject({ author: STUDENT, outcome: 'refused:none' });
  });

  it('an organization owner (not on the team) is allowed', async () => {
    const a = await app();
    const scope = taNock();
    await gradeOpenedPullRequest(a, scope);
    const seen = calls(scope);
    acceptedCommand(scope);
    await deliver(a, 'owner-1', commentEvent('created', OVERRIDE, by(PEOPLE.owner)));
    expect(scope.pendingMocks()).toEqual([]);
    expect(seen.reactions).toEqual([{ path: paths.reactions(COMMENT_ID), content: '+1' }]);
    expect(seen.checkRunPatches).toEqual([checkRunPatch('95/100', 'success', expect.stringContaining(overriddenRow(1, 'readme', README_POINTS, README_POINTS - 5, PEOPLE.owner, OVERRIDE_REASON)))]);
    expect(seen.commentPatches).toHaveLength(1);
    expect(await a.rubrica.store.tas.overrides()).toEqual([expect.objectContaining({ criterion: 'readme', points: README_POINTS - 5, by: PEOPLE.owner })]);
  });

  it('an override comment edited or deleted by someone else changes nothing and is flagged to TAs; an edit by its author is not', async () => {
    const time = clock('2026-09-08T15:01:00Z');
    const a = await app({ now: time.now });
    const scope = taNock();
    await gradedAndOverridden(a, scope);
    const before = await a.rubrica.store.tas.overrides();

    // The student edits the TA's comment to give full points.
    time.set('2026-09-08T15:30:00Z');
    const edited = calls(scope);
    courseScope(scope).patch(paths.checkRun()).reply(200, { id: CHECK_RUN_ID }).patch(paths.comment()).reply(200, { id: SCORED_COMMENT_ID });
    await deliver(a, 'edit-by-student', commentEvent('edited', `/rubrica override readme ${README_POINTS} ${OVERRIDE_REASON}`, (p) => {
      p.sender.login = STUDENT;
    }));
    expect(scope.pendingMocks()).toEqual([]);
    const editNote = '- ⚠️ Un comentario con comandos de tere-ayudante fue editado por ana-estudiante (2026-09-08 15:30 UTC). No cambió nada: el registro conserva el comando original.';
    expect(edited.reactions).toEqual([]);
    expect(edited.commentPosts).toEqual([]);
    expect(edited.checkRunPatches).toEqual([checkRunPatch('95/100', 'success', expect.stringContaining(`${TA_NOTES}\n\n${editNote}`))]);
    expect(edited.commentPatches).toHaveLength(1);
    expect(edited.commentPatches[0].body).toContain(README_OVERRIDDEN);
    expect(edited.commentPatches[0].body).toContain(`${TA_NOTES}\n\n${editNote}`);
    expect(await a.rubrica.store.tas.overrides()).toEqual(before);
    expect(await a.rubrica.store.tas.tamperingOf(REPO_ID, 7)).toEqual([{ commentId: COMMENT_ID, action: 'edited', by: STUDENT, author: TA, at: '2026-09-08T15:30:00.000Z' }]);

    // The TA fixes a typo in their own comment: nothing is re-published, nothing flagged.
    time.set('2026-09-08T15:40:00Z');
    const byAuthor = calls(scope);
    courseScope(scope);
    await deliver(a, 'edit-by-author', commentEvent('edited', `/rubrica override readme ${README_POINTS - 5} Falta la sección «Uso»`));
    expect(scope.pendingMocks()).toEqual([]);
    expect(byAuthor).toEqual({ checkRunCreates: [], checkRunPatches: [], commentPosts: [], commentPatches: [], reactions: [] });
    expect(await a.rubrica.store.tas.overrides()).toEqual(before);
    expect(await a.rubrica.store.tas.tamperingOf(REPO_ID, 7)).toHaveLength(1);

    // The student deletes it: flagged too, the override still stands.
    time.set('2026-09-08T15:50:00Z');
    const deleted = calls(scope);
    courseScope(scope).patch(paths.checkRun()).reply(200, { id: CHECK_RUN_ID }).patch(paths.comment()).reply(200, { id: SCORED_COMMENT_ID });
    await deliver(a, 'delete-by-student', commentEvent('deleted', OVERRIDE, (p) => {
      p.sender.login = STUDENT;
    }));
    expect(scope.pendingMocks()).toEqual([]);
    const deleteNote = '- ⚠️ Un comentario con comandos de tere-ayudante fue borrado por ana-estudiante (2026-09-08 15:50 UTC). No cambió nada: el registro conserva el comando original.';
    expect(deleted.checkRunPatches).toEqual([checkRunPatch('95/100', 'success', expect.stringContaining(`${TA_NOTES}\n\n${editNote}\n${deleteNote}`))]);
    expect(deleted.commentPatches).toHaveLength(1);
    expect(deleted.commentPatches[0].body).toContain(README_OVERRIDDEN);
    expect(deleted.commentPatches[0].body).toContain(`${TA_NOTES}\n\n${editNote}\n${deleteNote}`);
    expect(await a.rubrica.store.tas.overrides()).toEqual(before);
    expect((await a.rubrica.store.tas.tamperingOf(REPO_ID, 7)).map((t) => [t.action, t.by])).toEqual([
      ['edited', STUDENT],
      ['deleted', STUDENT],
    ]);
  });

  it('an override is kept through new pushes; when the automatic result changes, TAs are told', async () => {
    const time = clock('2026-09-08T15:01:00Z');
    const a = await app({ now: time.now });
    const scope = taNock();
    await gradedAndOverridden(a, scope);

    // The student pushes again, the same README: the override stands, nothing to tell.
    time.set('2026-09-08T16:00:00Z');
    const second = calls(scope);
    courseScope(scope);
    await serveCommit(scope, WEEK1_REPO, WEEK1_COMMITS, SHA2);
    scope.post(paths.checkRuns, (b) => b.head_sha === SHA2).reply(201, { id: 602, html_url: `https://github.com/${ORG}/${REPO}/runs/602` }).patch(paths.comment()).reply(200, { id: SCORED_COMMENT_ID });
    await a.probot.receive({ id: 'sync-1', name: 'pull_request', payload: prEvent('synchronize', SHA2) as never });
    await a.rubrica.queue.idle();
    expect(scope.pendingMocks()).toEqual([]);
    expect(second.checkRunCreates).toEqual([
      {
        name: WEEK1,
        head_sha: SHA2,
        external_id: 'rubrica:week=1;delivered=2026-09-08T16:00:00.000Z',
        status: 'completed',
        started_at: expect.any(String),
        completed_at: expect.any(String),
        conclusion: 'success',
        output: { title: '95/100', summary: expect.stringContaining(README_OVERRIDDEN), text: expect.any(String), annotations: [] },
      },
    ]);
    expect(second.checkRunCreates[0].output.summary).not.toContain(TA_NOTES);
    expect(second.commentPatches).toHaveLength(1);
    expect(second.commentPatches[0].body).toContain('**95 / 100 — aprobado** (aprobación: 60) · commit b2c3d4e');
    expect(second.commentPatches[0].body).toContain(README_OVERRIDDEN);
    expect(second.commentPatches[0].body).not.toContain(TA_NOTES);

    // Another push with a worse README: the checks now disagree with what the TA overrode.
    time.set('2026-09-08T17:00:00Z');
    const third = calls(scope);
    courseScope(scope);
    await serveCommit(scope, { ...WEEK1_REPO, 'README.md': '# Proyecto MLOps\n\n## Descripción\nPredice.\n' }, WEEK1_COMMITS, SHA3);
    scope.post(paths.checkRuns, (b) => b.head_sha === SHA3).reply(201, { id: 603, html_url: `https://github.com/${ORG}/${REPO}/runs/603` }).patch(paths.comment()).reply(200, { id: SCORED_COMMENT_ID });
    await a.probot.receive({ id: 'sync-2', name: 'pull_request', payload: prEvent('synchronize', SHA3) as never });
    await a.rubrica.queue.idle();
    expect(scope.pendingMocks()).toEqual([]);
    const latest = (await a.rubrica.store.record.gradings()).find((g) => g.sha === SHA3)!;
    const automatic = latest.criteria.find((c) => c.id === 'readme')!.score!;
    expect(automatic).toBeLessThan(README_POINTS);
    const row = overriddenRow(1, 'readme', automatic, README_POINTS - 5, TA, OVERRIDE_REASON);
    const note = `- ⚠️ \`readme\`: el resultado automático cambió desde el ajuste de tere-ayudante (ahora ${automatic}); el ajuste sigue vigente. Revísalo o quítalo con \`/rubrica clear readme\`.`;
    expect(third.checkRunCreates).toHaveLength(1);
    expect(third.checkRunCreates[0]).toMatchObject({ head_sha: SHA3, status: 'completed', conclusion: 'success', output: { title: '95/100' } });
    expect(third.checkRunCreates[0].output.summary).toContain(row);
    expect(third.checkRunCreates[0].output.summary).toContain(`${TA_NOTES}\n\n${note}`);
    expect(third.commentPatches).toHaveLength(1);
    expect(third.commentPatches[0].body).toContain('commit c3d4e5f');
    expect(third.commentPatches[0].body).toContain(row);
    expect(third.commentPatches[0].body).toContain(`${TA_NOTES}\n\n${note}`);
    // The record still holds one override, made over the full automatic points.
    expect(await a.rubrica.store.tas.overrides()).toEqual([expect.objectContaining({ criterion: 'readme', points: README_POINTS - 5, automaticPoints: README_POINTS })]);
  });

  it('clear removes the override and shows the automatic result again', async () => {
    const a = await app();
    const scope = taNock();
    const { rows: ROW } = await gradedAndOverridden(a, scope);
    const seen = calls(scope);
    acceptedCommand(scope, { commentId: COMMENT_ID + 1 });
    await deliver(a, 'clear-1', commentEvent('created', '/rubrica clear readme', (p) => (p.comment.id = COMMENT_ID + 1)));
    expect(scope.pendingMocks()).toEqual([]);
    expect(seen.reactions).toEqual([{ path: paths.reactions(COMMENT_ID + 1), content: '+1' }]);
    expect(seen.checkRunPatches).toEqual([checkRunPatch('100/100', 'success', expect.stringContaining(['**100 / 100 — aprobado** (aprobación: 60)', '', standingLine(100), '', '| | Criterio | Puntos | Resultado |', '|---|---|---|---|', ROW.estructura, ROW['commits-convencionales'], ROW.readme, ROW.gitignore].join('\n')))]);
    expect(seen.checkRunPatches[0].output.summary).not.toContain('~~');
    expect(seen.commentPatches).toHaveLength(1);
    expect(seen.commentPatches[0].body).toContain('**100 / 100 — aprobado** (aprobación: 60) · commit a1b2c3d');
    expect(seen.commentPatches[0].body).toContain(ROW.readme);
    expect(seen.commentPatches[0].body).not.toContain('✏️');
    expect(await a.rubrica.store.tas.overrides()).toEqual([]);
    const rows = JSON.parse((await exportGrades(a.rubrica.store, { format: 'json' })).body);
    expect(rows[0].weeks[0]).toBe(100);
  });

  it('a manual criterion is pending until a TA scores it; manual on an automatic criterion is answered with the manual ones', async () => {
    const a = await app();
    const scope = taNock();
    const first = await gradeOpenedPullRequest(a, scope, { labels: ['semana-5'] });
    expect(first.checkRun.name).toBe(WEEK5);
    const manual = criterion(5, 'comparacion-runs');
    const pendingRow = `| ⏳ | ${manual.title.es} | – / ${manual.points} | `;
    expect(rowOf(first.checkRun.output.summary, 5, manual.id).startsWith(pendingRow)).toBe(true);
    expect(first.checkRun.output.summary).toContain(`${manual.points} pts pendientes de revisión de un ayudante`);
    expect(rowOf(first.comment.body, 5, manual.id).startsWith(pendingRow)).toBe(true);
    const [graded] = await a.rubrica.store.record.gradings();
    expect(graded!.week).toBe(5);
    const automatic = graded!.score;

    const seen = calls(scope);
    acceptedCommand(scope, { labels: ['semana-5'] });
    await deliver(a, 'manual-1', commentEvent('created', '/rubrica manual comparacion-runs 12 Buen análisis, falta justificar el modelo --week 5'));
    expect(scope.pendingMocks()).toEqual([]);
    const scoredRow = `| 🟡 | ${manual.title.es} | 12 / ${manual.points} | ✏️ Puntuado por ${TA}: Buen análisis, falta justificar el modelo |`;
    expect(seen.reactions).toEqual([{ path: paths.reactions(COMMENT_ID), content: '+1' }]);
    expect(seen.checkRunPatches).toEqual([checkRunPatch(`${automatic + 12}/100`, 'failure', expect.stringContaining(scoredRow), WEEK5)]);
    expect(seen.checkRunPatches[0].output.summary).not.toContain('pendientes de revisión');
    expect(seen.commentPatches).toHaveLength(1);
    expect(seen.commentPatches[0].body).toContain(scoredRow);
    expect(seen.commentPatches[0].body).toContain(`**${automatic + 12} / 100 — no aprobado**`);
    expect(await a.rubrica.store.tas.overrides()).toEqual([
      { org: ORG, course: 'default', repoId: REPO_ID, unit: 'week-5', week: 5, criterion: 'comparacion-runs', points: 12, reason: 'Buen análisis, falta justificar el modelo', by: TA, at: '2026-09-08T15:01:00.000Z', automaticPoints: null, commentId: COMMENT_ID },
    ]);

    // `manual` on a criterion the checks grade: the reply names the manual ones; nothing changes.
    const wrong = calls(scope);
    repliedCommand(scope, { labels: ['semana-5'] });
    await deliver(a, 'manual-2', commentEvent('created', '/rubrica manual experimentos 20 Tres corridas --week 5', (p) => (p.comment.id = COMMENT_ID + 1)));
    expect(scope.pendingMocks()).toEqual([]);
    expect(wrong.reactions).toEqual([]);
    expect(wrong.checkRunPatches).toEqual([]);
    expect(wrong.commentPatches).toEqual([]);
    expect(wrong.commentPosts).toHaveLength(1);
    const reply: string = wrong.commentPosts[0].body;
    expect(reply).toContain(`@${TA}, un comando no se aplicó:`);
    expect(reply).toContain(
      `- \`/rubrica manual experimentos 20 Tres corridas --week 5\` — \`experimentos\` se corrige automáticamente, así que \`manual\` no lo puede puntuar: \`manual\` (o \`puntuar\`) es para los criterios que corrige un TA (en la semana 5: ${PACK.weeks.get(5)!.criteria.filter((c) => c.manual).map((c) => `\`${c.id}\``).join(', ')}).`,
    );
    expect(await a.rubrica.store.tas.overrides()).toHaveLength(1);
  });

  it('extend moves the deadline: a late grading is published again on time', async () => {
    // A week after the first deadline (week 1 is due 2026-09-13 23:59 in Buenos Aires); the PR names week 1.
    const a = await app({ now: () => new Date('2026-09-15T15:01:00Z') });
    const scope = taNock();
    const first = await gradeOpenedPullRequest(a, scope, { labels: ['semana-1'] });
    const lateLine = '**80 / 100 — aprobado** (aprobación: 60) · 100 / 100 − 20 por atraso';
    const deadline = '⏰ Entregado 2 días tarde (−20 pts). Plazo: 2026-09-13 23:59 (America/Argentina/Buenos_Aires).';
    expect(first.checkRun.output.title).toBe('80/100 (100/100 − 20 por atraso)');
    expect(first.checkRun.output.summary.startsWith(`${lateLine}\n${deadline}`)).toBe(true);
    expect(first.comment.body).toContain(lateLine);
    expect(first.comment.body).toContain(deadline);
    const [late] = await a.rubrica.store.record.gradings();
    expect(late).toMatchObject({ week: 1, penalty: 20, finalScore: 80, late: { status: 'late', daysLate: 2 } });

    const seen = calls(scope);
    acceptedCommand(scope, { labels: ['semana-1'] });
    await deliver(a, 'extend-1', commentEvent('created', '/rubrica extend 3d certificado médico'));
    expect(scope.pendingMocks()).toEqual([]);
    expect(seen.reactions).toEqual([{ path: paths.reactions(COMMENT_ID), content: '+1' }]);
    expect(seen.checkRunPatches).toEqual([checkRunPatch('100/100', 'success', expect.stringContaining(['**100 / 100 — aprobado** (aprobación: 60)', '', standingLine(100), '', '| | Criterio | Puntos | Resultado |'].join('\n')))]);
    expect(seen.checkRunPatches[0].output.summary).not.toContain('⏰');
    expect(seen.commentPatches).toHaveLength(1);
    expect(seen.commentPatches[0].body).toContain('**100 / 100 — aprobado** (aprobación: 60) · commit a1b2c3d');
    expect(seen.commentPatches[0].body).not.toContain('⏰');
    const [onTime] = await a.rubrica.store.record.gradings();
    expect(onTime).toMatchObject({ penalty: 0, finalScore: 100, late: { status: 'on-time', deadline: '2026-09-14T02:59:00.000Z', effectiveDeadline: '2026-09-17T02:59:00.000Z' } });
    expect(await a.rubrica.store.record.extensionFor(REPO_ID, 'week-1')).toEqual({ org: ORG, course: 'default', repoId: REPO_ID, unit: 'week-1', minutes: 3 * 24 * 60, grantedBy: TA, grantedAt: '2026-09-15T15:01:00.000Z', reason: 'certificado médico' });
    const rows = JSON.parse((await exportGrades(a.rubrica.store, { format: 'json' })).body);
    expect(rows[0]).toMatchObject({ latePenalties: 0 });
    expect(rows[0].weeks[0]).toBe(100);
  });

  it("regrade grades the pull request's head again, into the same check run", async () => {
    const time = clock('2026-09-08T15:01:00Z');
    const a = await app({ now: time.now });
    const scope = taNock();
    const first = await gradeOpenedPullRequest(a, scope);
    time.set('2026-09-08T15:30:00Z');
    const seen = calls(scope);
    acceptedCommand(scope, { republish: false });
    // The grading it queues: the course, the commit's files and history again, one PATCH, the comment edited.
    courseScope(scope);
    await serveCommit(scope);
    scope.patch(paths.checkRun()).reply(200, { id: CHECK_RUN_ID, html_url: CHECK_RUN_URL }).patch(paths.comment()).reply(200, { id: SCORED_COMMENT_ID });
    await deliver(a, 'regrade-1', commentEvent('created', '/rubrica regrade'));
    expect(scope.pendingMocks()).toEqual([]);
    expect(seen.reactions).toEqual([{ path: paths.reactions(COMMENT_ID), content: '+1' }]);
    expect(seen.checkRunCreates).toEqual([]);
    expect(seen.commentPosts).toEqual([]);
    expect(seen.checkRunPatches).toEqual([checkRunPatch('100/100', 'success', expect.stringContaining(rowOf(first.checkRun.output.summary, 1, 'readme')))]);
    expect(seen.commentPatches).toHaveLength(1);
    expect(seen.commentPatches[0].body).toContain('**100 / 100 — aprobado** (aprobación: 60) · commit a1b2c3d');
    const gradings = await a.rubrica.store.record.gradings();
    expect(gradings.map((g) => [g.sha, g.week, g.trigger, g.deliveredAt, g.gradedAt])).toEqual([
      [SHA, 1, 'pull_request', '2026-09-08T15:01:00.000Z', '2026-09-08T15:01:00.000Z'],
      [SHA, 1, 'rerun', '2026-09-08T15:01:00.000Z', '2026-09-08T15:30:00.000Z'],
    ]);
  });

  it("regrade dates the pull request's head by its own delivery: a head first seen late is late, whatever the PR's earlier gradings", async () => {
    const time = clock('2026-09-08T15:01:00Z');
    const a = await app({ now: time.now });
    const scope = taNock();
    const first = await gradeOpenedPullRequest(a, scope, { labels: ['semana-1'] });
    expect(first.checkRun.output.title).toBe('100/100');

    // Two days after week 1's deadline (2026-09-13 23:59 in Buenos Aires) the head is SHA2, whose push never reached us.
    time.set('2026-09-15T15:01:00Z');
    const seen = calls(scope);
    acceptedCommand(scope, { sha: SHA2, labels: ['semana-1'], republish: false });
    courseScope(scope);
    await serveCommit(scope, WEEK1_REPO, WEEK1_COMMITS, SHA2);
    scope.post(paths.checkRuns, (b) => b.head_sha === SHA2).reply(201, { id: 602, html_url: `https://github.com/${ORG}/${REPO}/runs/602` }).patch(paths.comment()).reply(200, { id: SCORED_COMMENT_ID });
    await deliver(a, 'regrade-late', commentEvent('created', '/rubrica regrade'));
    expect(scope.pendingMocks()).toEqual([]);
    const late = (await a.rubrica.store.record.gradings()).find((g) => g.sha === SHA2);
    expect(late).toMatchObject({ week: 1, trigger: 'rerun', deliveredAt: '2026-09-15T15:01:00.000Z', late: { status: 'late', daysLate: 2 }, penalty: 20, finalScore: 80 });
    expect(seen.checkRunCreates).toEqual([expect.objectContaining({ head_sha: SHA2, external_id: 'rubrica:week=1;delivered=2026-09-15T15:01:00.000Z', output: expect.objectContaining({ title: '80/100 (100/100 − 20 por atraso)' }) })]);
    expect(seen.commentPatches[0].body).toContain('commit b2c3d4e');

    // A head GitHub delivered on time (SHA3, a synchronize before the deadline) stays on time when regraded later.
    time.set('2026-09-13T20:00:00Z');
    courseScope(scope);
    await serveCommit(scope, WEEK1_REPO, WEEK1_COMMITS, SHA3);
    scope.post(paths.checkRuns, (b) => b.head_sha === SHA3).reply(201, { id: 603, html_url: `https://github.com/${ORG}/${REPO}/runs/603` }).patch(paths.comment()).reply(200, { id: SCORED_COMMENT_ID });
    await a.probot.receive({ id: 'sync-on-time', name: 'pull_request', payload: prEvent('synchronize', SHA3, ['semana-1']) as never });
    await a.rubrica.queue.idle();
    time.set('2026-09-16T10:00:00Z');
    acceptedCommand(scope, { sha: SHA3, labels: ['semana-1'], republish: false, commentId: COMMENT_ID + 1 });
    courseScope(scope);
    await serveCommit(scope, WEEK1_REPO, WEEK1_COMMITS, SHA3);
    scope.patch(paths.checkRun(603)).reply(200, { id: 603 }).patch(paths.comment()).reply(200, { id: SCORED_COMMENT_ID });
    await deliver(a, 'regrade-on-time', commentEvent('created', '/rubrica regrade', (p) => (p.comment.id = COMMENT_ID + 1)));
    expect(scope.pendingMocks()).toEqual([]);
    const onTime = (await a.rubrica.store.record.gradings()).filter((g) => g.sha === SHA3);
    expect(onTime.map((g) => [g.trigger, g.deliveredAt, g.late.status, g.finalScore])).toEqual([
      ['pull_request', '2026-09-13T20:00:00.000Z', 'on-time', 100],
      ['rerun', '2026-09-13T20:00:00.000Z', 'on-time', 100],
    ]);
  });

  it('malformed commands get one reply saying what was wrong and the valid criteria; nothing changes', async () => {
    const a = await app();
    const scope = taNock();
    await gradeOpenedPullRequest(a, scope);
    const seen = calls(scope);
    repliedCommand(scope);
    await deliver(
      a,
      'malformed-1',
      commentEvent('created', ['Reviso tu entrega:', '/rubrica overide readme 20 Falta Uso', '/rubrica override readme 30 Excelente', '/rubrica override redme 20 Falta Uso'].join('\n')),
    );
    expect(scope.pendingMocks()).toEqual([]);
    expect(seen.reactions).toEqual([]);
    expect(seen.checkRunPatches).toEqual([]);
    expect(seen.commentPatches).toEqual([]);
    expect(seen.commentPosts).toHaveLength(1);
    const reply: string = seen.commentPosts[0].body;
    expect(reply.startsWith(`@${TA}, 3 comandos no se aplicaron:\n\n`)).toBe(true);
    // One line per wrong command, quoting it, with what was wrong (a range from the pack, the closest id).
    const lines = reply.split('\n').filter((l) => l.startsWith('- `/rubrica'));
    expect(lines.map((l) => l.slice(0, l.indexOf(' — ')))).toEqual(['- `/rubrica overide readme 20 Falta Uso`', '- `/rubrica override readme 30 Excelente`', '- `/rubrica override redme 20 Falta Uso`']);
    expect(lines[0]).toContain('¿Querías decir `override`?');
    expect(lines[1]).toContain(`0 a ${README_POINTS} puntos, no 30`);
    expect(lines[2]).toContain('¿Querías decir `readme`?');
    for (const id of WEEK1_IDS) expect(lines[2]).toContain(`\`${id}\``);
    // The valid commands and criteria with their ranges, folded.
    expect(reply).toContain('<details><summary>Comandos y criterios</summary>');
    for (const c of PACK.weeks.get(1)!.criteria) expect(reply).toContain(`- \`${c.id}\` — ${c.title.es}: 0–${c.points} puntos`);
    expect(await a.rubrica.store.tas.overrides()).toEqual([]);
  });

  it('a comment with a good and a bad command: the good one is applied and published, the bad one answered', async () => {
    const a = await app();
    const scope = taNock();
    await gradeOpenedPullRequest(a, scope);
    const seen = calls(scope);
    acceptedCommand(scope).post(paths.issueComments).reply(201, { id: 7100 });
    await deliver(a, 'partly-1', commentEvent('created', `${OVERRIDE}\n/rubrica override docs 10 No hay docs`));
    expect(scope.pendingMocks()).toEqual([]);
    expect(seen.reactions).toEqual([{ path: paths.reactions(COMMENT_ID), content: '+1' }]);
    expect(seen.checkRunPatches).toEqual([checkRunPatch('95/100', 'success', expect.stringContaining(README_OVERRIDDEN))]);
    expect(seen.commentPatches).toHaveLength(1);
    expect(seen.commentPosts).toHaveLength(1);
    expect(seen.commentPosts[0].body).toContain(`@${TA}, un comando no se aplicó (los demás sí):\n\n- \`/rubrica override docs 10 No hay docs\` — La semana 1 no tiene el criterio \`docs\`.`);
    expect((await a.rubrica.store.tas.overrides()).map((o) => o.criterion)).toEqual(['readme']);
  });

  it('GitHub down (5xx) while publishing an accepted command: retried until GitHub answers, so the override shows in the end', async () => {
    // Enough attempts of ours for an outage longer than any count of Octokit's own retries.
    const a = await app({ retryDelaysMs: Array(8).fill(10), outboxRetryDelaysMs: Array(8).fill(10) });
    const scope = taNock();
    await gradeOpenedPullRequest(a, scope);
    const seen = calls(scope);
    // The outbox tries the failed publication again (the command is not carried out again); the writes that failed must happen.
    courseScope(scope, COURSE_YAML, { times: 10 });
    scope.get(paths.pull).optionally().times(10).reply(200, pullResponse()).post(paths.reactions(), { content: '+1' }).optionally().times(10).reply(201, { id: 1, content: '+1' });
    let failures = 0;
    scope
      .patch(paths.checkRun())
      .optionally()
      .times(20)
      .reply(() => (failures++ < 6 ? [502, { message: 'Server Error' }] : [200, { id: CHECK_RUN_ID }]));
    scope.patch(paths.comment()).reply(200, { id: SCORED_COMMENT_ID });
    await deliver(a, 'flaky-1', commentEvent('created', OVERRIDE));
    const [job] = (await a.rubrica.store.queue.jobs()).filter((j) => j.kind === 'ta-command');
    expect(job).toMatchObject({ state: 'done', outcome: 'applied' });
    expect(failures).toBeGreaterThan(6); // GitHub's outage was met, and outlived
    expect(seen.checkRunPatches.at(-1)).toEqual(checkRunPatch('95/100', 'success', expect.stringContaining(README_OVERRIDDEN)));
    expect(seen.commentPatches).toHaveLength(1);
    expect(seen.commentPatches[0].body).toContain(README_OVERRIDDEN);
    expect(seen.commentPosts).toEqual([]);
    expect(await a.rubrica.store.tas.overrides()).toHaveLength(1);
    expect(scope.pendingMocks()).toEqual([]);
    // The reaction went once; the check run's publication took more than one try of the outbox, and nothing failed for good.
    expect(seen.reactions).toHaveLength(1);
    const outbox = await a.rubrica.store.outbox.ofJob(job!.id);
    expect(outbox.map((p) => [p.kind, p.state])).toEqual([['reaction', 'sent'], ['check-run', 'sent'], ['pr-comment', 'sent']]);
    expect(outbox.find((p) => p.kind === 'check-run')!.attempts).toBeGreaterThan(1);
  });

  it('two commands in one comment: both applied, one reaction, one re-publication', async () => {
    const a = await app();
    const scope = taNock();
    const ROW = week1Rows((await gradeOpenedPullRequest(a, scope)).checkRun.output.summary);
    const seen = calls(scope);
    acceptedCommand(scope);
    await deliver(a, 'two-1', commentEvent('created', ['/rubrica override estructura 0 "No hay carpetas: todo está en la raíz"', '/rubrica ajustar readme 5 Faltan casi todas las secciones'].join('\n')));
    expect(scope.pendingMocks()).toEqual([]);
    expect(seen.reactions).toEqual([{ path: paths.reactions(COMMENT_ID), content: '+1' }]);
    expect(seen.checkRunPatches).toHaveLength(1);
    expect(seen.commentPatches).toHaveLength(1);
    expect(seen.commentPosts).toEqual([]);
    const rows = [
      overriddenRow(1, 'estructura', criterion(1, 'estructura').points, 0, TA, 'No hay carpetas: todo está en la raíz'),
      ROW['commits-convencionales'],
      overriddenRow(1, 'readme', README_POINTS, 5, TA, 'Faltan casi todas las secciones'),
      ROW.gitignore,
    ].join('\n');
    expect(seen.checkRunPatches).toEqual([checkRunPatch('55/100', 'failure', expect.stringContaining(`**55 / 100 — no aprobado** (aprobación: 60)\n\n${standingLine(55)}\n\n| | Criterio | Puntos | Resultado |\n|---|---|---|---|\n${rows}`))]);
    expect(seen.commentPatches[0].body).toContain(rows);
    expect((await a.rubrica.store.tas.overrides()).map((o) => [o.criterion, o.points, o.reason])).toEqual([
      ['estructura', 0, 'No hay carpetas: todo está en la raíz'],
      ['readme', 5, 'Faltan casi todas las secciones'],
    ]);
  });

  it('a redelivery of the same comment event (same delivery id) is applied once', async () => {
    const a = await app();
    const scope = taNock();
    const { seen } = await gradedAndOverridden(a, scope);
    await deliver(a, 'override-1', commentEvent('created', OVERRIDE));
    expect(scope.pendingMocks()).toEqual([]);
    expect(seen.reactions).toHaveLength(1);
    expect(seen.checkRunPatches).toHaveLength(1);
    expect(seen.commentPatches).toHaveLength(1);
    expect((await a.rubrica.store.queue.jobs()).filter((j) => j.kind === 'ta-command')).toHaveLength(1);
  });

  it('a comment without a command, one by the bot, or one on an issue: no GitHub call at all', async () => {
    const a = await app();
    taNock();
    await deliver(a, 'chat-1', commentEvent('created', '¡Buen trabajo! Revisa el README, por favor.'));
    await deliver(a, 'bot-1', commentEvent('created', '/rubrica override readme 0 eco', (p) => {
      p.comment.user = { ...p.comment.user, login: 'rubrica[bot]', type: 'Bot' };
      p.sender = { ...p.sender, login: 'rubrica[bot]', type: 'Bot' };
    }));
    await deliver(a, 'issue-1', commentEvent('created', OVERRIDE, (p) => delete p.issue.pull_request));
    // No interceptor is registered beyond who-is-who: any call to GitHub would be unexpected.
    expect(unexpected).toEqual([]);
    expect(await a.rubrica.store.queue.jobs()).toEqual([]);
  });

  it('commands inside a code block or a quote are ignored', async () => {
    const a = await app();
    const scope = taNock();
    const quoted = ['Para ajustar una nota se escribe:', '', '```', '/rubrica override readme 0 ejemplo', '```', '', '> /rubrica override estructura 0 citado'].join('\n');
    await deliver(a, 'quoted-1', commentEvent('created', quoted));
    expect(await a.rubrica.store.queue.jobs()).toEqual([]);

    // Beside a real command, only the real one counts.
    const ROW = week1Rows((await gradeOpenedPullRequest(a, scope)).checkRun.output.summary);
    const seen = calls(scope);
    acceptedCommand(scope);
    await deliver(a, 'quoted-2', commentEvent('created', `${quoted}\n\n/rubrica override gitignore 20 Falta ignorar .env.local`));
    expect(scope.pendingMocks()).toEqual([]);
    expect(seen.reactions).toHaveLength(1);
    expect(seen.checkRunPatches).toEqual([checkRunPatch('95/100', 'success', expect.stringContaining(overriddenRow(1, 'gitignore', criterion(1, 'gitignore').points, 20, TA, 'Falta ignorar .env.local')))]);
    expect(seen.checkRunPatches[0].output.summary).toContain(ROW.readme);
    expect(seen.checkRunPatches[0].output.summary).toContain(ROW.estructura);
    expect((await a.rubrica.store.tas.overrides()).map((o) => o.criterion)).toEqual(['gitignore']);
  });
});

describe('who is a TA: asked of GitHub at the time of the command', () => {
  /** An override by `user` on a pull request not graded yet: accepted (recorded, reacted to) or refused (one reply, nothing recorded). */
  async function overrideBy(a: App, scope: nock.Scope, user: string) {
    const seen = calls(scope);
    courseScope(scope);
    scope
      .get(paths.pull)
      .optionally()
      .reply(200, pullResponse())
      .post(paths.reactions(), { content: '+1' })
      .optionally()
      .reply(201, { id: 1, content: '+1' })
      .post(paths.issueComments)
      .optionally()
      .reply(201, { id: 7100 });
    await deliver(a, `by-${user}`, commentEvent('created', OVERRIDE, by(user)));
    const overrides = await a.rubrica.store.tas.overrides();
    const command = await a.rubrica.store.tas.commandOf(COMMENT_ID);
    return { seen, overrides, command, accepted: overrides.length === 1 && seen.reactions.length === 1 };
  }

  it.each([
    ['a member of the TA team', PEOPLE.ta, true],
    ["a member of the TA team's child team (GitHub counts it in the TA team)", PEOPLE.labTa, true],
    ['an organization owner on no team', PEOPLE.owner, true],
    ['invited to the TA team, not accepted yet', PEOPLE.invitedTa, false],
    ["a member of the TA team's parent team only (the whole course, students included)", PEOPLE.parentOnly, false],
    ['invited to the parent team, not accepted yet', PEOPLE.invitedToParent, false],
    ['invited as an organization owner, not accepted yet', PEOPLE.invitedOwner, false],
    ["the repository's student (in the parent team)", PEOPLE.student, false],
  ] as const)('%s (%s): a TA → %s', async (_who, user, isTa) => {
    const a = await app();
    const result = await overrideBy(a, taNock(), user);
    expect(result.accepted).toBe(isTa);
    if (isTa) {
      expect(result.overrides).toEqual([expect.objectContaining({ criterion: 'readme', by: user })]);
      expect(result.command).toMatchObject({ author: user, outcome: 'accepted' });
    } else {
      expect(result.overrides).toEqual([]);
      expect(result.seen.reactions).toEqual([]);
      expect(result.command?.outcome).toMatch(/^refused/);
      // One polite reply to the author; nothing else was written.
      expect(result.seen.commentPosts).toHaveLength(1);
      expect(result.seen.commentPosts[0].body).toContain(user);
    }
  });

  it("a non-TA's refused commands on a pull request are answered at most once per author every few minutes; each is still recorded", async () => {
    const time = clock('2026-09-08T15:01:00Z');
    const a = await app({ now: time.now });
    const scope = taNock();
    const seen = calls(scope);
    const attempt = async (commentId: number, at: string, user: string = STUDENT) => {
      time.set(at);
      courseScope(scope);
      scope.get(paths.pull).optionally().reply(200, pullResponse()).post(paths.issueComments).optionally().reply(201, { id: 7100 + commentId });
      await deliver(a, `refused-${commentId}`, commentEvent('created', OVERRIDE, (p) => {
        by(user)(p);
        p.comment.id = commentId;
      }));
    };
    await attempt(1, '2026-09-08T15:01:00Z');
    await attempt(2, '2026-09-08T15:02:00Z');
    await attempt(3, '2026-09-08T15:03:00Z', PEOPLE.parentOnly); // another author: answered on their own
    await attempt(4, '2026-09-08T15:05:30Z');
    await attempt(5, '2026-09-08T15:07:00Z'); // more than five minutes after the last answer to this author
    expect(seen.commentPosts).toHaveLength(3);
    expect(seen.commentPosts.map((c) => c.body.includes(PEOPLE.parentOnly))).toEqual([false, true, false]);
    const outcomes = await Promise.all([1, 2, 3, 4, 5].map(async (id) => (await a.rubrica.store.tas.commandOf(id))?.outcome));
    expect(outcomes).toEqual(['refused:none', 'refused-unanswered:none', 'refused:none', 'refused-unanswered:none', 'refused:none']);
    expect(await a.rubrica.store.tas.overrides()).toEqual([]);
    expect(seen.reactions).toEqual([]);
  });

  it('GitHub failing (5xx) on the membership lookups is our failure: retried, then the TA is accepted; never a refusal', async () => {
    // Enough attempts of ours for an outage longer than any count of Octokit's own retries.
    const a = await app({ retryDelaysMs: Array(8).fill(10) });
    const scope = githubNock();
    const github = serveDirectory(undefined, { status: 500, requests: 6 });
    courseScope(scope, COURSE_YAML, { times: 10 });
    const result = await overrideBy(a, scope, PEOPLE.ta);
    expect(github.lookups.length).toBeGreaterThan(6); // the outage was met, and outlived
    expect(result.accepted).toBe(true);
    expect(result.command).toMatchObject({ outcome: 'accepted' });
    expect(result.seen.commentPosts.filter((c) => c.body.includes('equipo docente'))).toEqual([]);
    // Retried (by Octokit, by the job, or both: how they share it is theirs) until GitHub answered.
    const [job] = (await a.rubrica.store.queue.jobs()).filter((j) => j.kind === 'ta-command');
    expect(job).toMatchObject({ state: 'done' });
  });

  it('GitHub refusing the membership lookups (403: a permission the app lacks) never makes anyone a TA, nor refuses a TA: the job fails for instructors', async () => {
    const a = await app();
    const scope = githubNock();
    const github = serveDirectory(undefined, { status: 403, requests: Infinity });
    courseScope(scope, COURSE_YAML, { times: 10 });
    const result = await overrideBy(a, scope, PEOPLE.ta);
    expect(github.lookups.length).toBeGreaterThan(0);
    expect(result.accepted).toBe(false);
    expect(result.overrides).toEqual([]);
    expect(result.seen.reactions).toEqual([]);
    expect(result.seen.commentPosts).toEqual([]);
    expect(result.command).toBeUndefined();
    const [job] = (await a.rubrica.store.queue.jobs()).filter((j) => j.kind === 'ta-command');
    expect(job).toMatchObject({ state: 'failed' });
  });
});
