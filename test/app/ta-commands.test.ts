import nock from 'nock';
import { afterEach, describe, expect, it } from 'vitest';
import { exportGrades } from '../../src/report/export.ts';
import { ORG, REPO, SHA, WEEK1_COMMITS, WEEK1_REPO, courseScope, githubNock, serveCommit, testApp, unexpected } from '../helpers/github.ts';
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
  memberships,
  paths,
  prEvent,
  pullResponse,
  repliedCommand,
  type App,
} from '../helpers/ta.ts';

const SHA2 = 'b2c3d4e5f60718293a4b5c6d7e8f901234567890';
const SHA3 = 'c3d4e5f60718293a4b5c6d7e8f90123456789012';
const WEEK1 = 'Rubrica · Semana 1 — Fundamentos de Git y estructuración';
const WEEK5 = 'Rubrica · Semana 5 — MLflow tracking';

const ROW = {
  estructura: '| ✅ | Estructura de carpetas correcta | 25 / 25 | Está todo: 6 de 6. |',
  commits: '| ✅ | Commits con formato convencional | 25 / 25 | 5 commits convencionales de 5 commits (mínimo 5). |',
  readme: '| ✅ | README con secciones básicas | 25 / 25 | `README.md` tiene todo lo pedido (5 de 5). |',
  gitignore: '| ✅ | .gitignore completo | 25 / 25 | El `.gitignore` cubre lo pedido (8 de 8, según `git check-ignore`). |',
  readmeOverridden: '| 🟡 | README con secciones básicas | ~~25~~ → 20 / 25 | ✏️ Ajustado por tere-ayudante: Falta la sección de Uso |',
};
const OVERRIDE = '/rubrica override readme 20 Falta la sección de Uso';
const REFUSED = (who: string) => `@${who}, solo el equipo docente del curso puede usar los comandos de Rubrica. No cambió nada. Si crees que tu nota tiene un error, díselo a tu ayudante.`;
const TA_NOTES = '#### Para el equipo docente';

const apps: App[] = [];
async function app(options: Parameters<typeof testApp>[0] = {}) {
  const a = await testApp(options);
  apps.push(a);
  return a;
}

afterEach(async () => {
  for (const a of apps.splice(0)) await a.rubrica.queue.close();
  expect(unexpected).toEqual([]);
  nock.cleanAll();
});

/** The PATCH of the check run a republish makes: straight to completed, with the new output. */
function checkRunPatch(title: string, conclusion: 'success' | 'failure' | 'neutral', summary: unknown, name = WEEK1) {
  return { name, status: 'completed', conclusion, completed_at: expect.any(String), output: { title, summary, text: expect.any(String), annotations: [] } };
}

/** A week-1 grading of 100/100, then a TA's override of `readme` to 20, applied and published. */
async function gradedAndOverridden(a: App, scope: nock.Scope) {
  await gradeOpenedPullRequest(a, scope);
  const seen = calls(scope);
  acceptedCommand(scope);
  await deliver(a, 'override-1', commentEvent('created', OVERRIDE));
  expect(scope.pendingMocks()).toEqual([]);
  expect(seen.reactions).toEqual([{ path: paths.reactions(COMMENT_ID), content: '+1' }]);
  expect(seen.checkRunPatches).toHaveLength(1);
  expect(seen.commentPatches).toHaveLength(1);
  return seen;
}

describe('TA commands in pull-request comments', () => {
  it('a TA override is applied and published: check run, scored comment, the record and the gradebook', async () => {
    const a = await app();
    const scope = githubNock();
    const first = await gradeOpenedPullRequest(a, scope);
    expect(first.checkRun.output.title).toBe('100/100');
    const seen = calls(scope);
    acceptedCommand(scope);
    await deliver(a, 'override-1', commentEvent('created', OVERRIDE));

    expect(scope.pendingMocks()).toEqual([]);
    expect(seen.reactions).toEqual([{ path: paths.reactions(COMMENT_ID), content: '+1' }]);
    expect(seen.commentPosts).toEqual([]); // no reply: the reaction says it was done
    expect(seen.checkRunCreates).toEqual([]);
    expect(seen.checkRunPatches).toEqual([
      checkRunPatch('95/100', 'success', expect.stringContaining(['**95 / 100** · aprobado', '', '| | Criterio | Puntos | Resultado |', '|---|---|---|---|', ROW.estructura, ROW.commits, ROW.readmeOverridden, ROW.gitignore].join('\n'))),
    ]);
    expect(seen.commentPatches).toHaveLength(1);
    const body: string = seen.commentPatches[0].body;
    expect(Object.keys(seen.commentPatches[0])).toEqual(['body']);
    expect(body.startsWith('<!-- rubrica:week=1 -->\n## Rubrica · Semana 1 — Fundamentos de Git y estructuración\n\n**95 / 100** · aprobado · commit a1b2c3d\n')).toBe(true);
    expect(body).toContain([ROW.estructura, ROW.commits, ROW.readmeOverridden, ROW.gitignore].join('\n'));
    expect(body).toContain(`[Ver el detalle](${CHECK_RUN_URL})`);
    expect(body).not.toContain(TA_NOTES);

    // The record: who, when, why, from which comment, over which automatic points.
    expect(await a.rubrica.store.tas.overrides({ repoId: REPO_ID, week: 1 })).toEqual([
      { org: ORG, repoId: REPO_ID, week: 1, criterion: 'readme', points: 20, reason: 'Falta la sección de Uso', by: TA, at: '2026-09-08T15:01:00.000Z', automaticPoints: 25, commentId: COMMENT_ID },
    ]);
    // The grading itself stays the automatic one.
    const [grading] = await a.rubrica.store.record.gradings();
    expect(grading).toMatchObject({ score: 100, finalScore: 100, checkRunId: CHECK_RUN_ID });
    // The gradebook counts the TA's points.
    const rows = JSON.parse((await exportGrades(a.rubrica.store, { format: 'json' })).body);
    expect(rows).toEqual([expect.objectContaining({ repo: REPO, weeks: [95, null, null, null, null, null, null, null, null, null], latePenalties: 0 })]);
    const week = JSON.parse((await exportGrades(a.rubrica.store, { format: 'json', week: 1 })).body);
    expect(week[0].criteria.find((c: { id: string }) => c.id === 'readme')).toMatchObject({ score: 20, automatic: 25, overridden: true });
  });

  it("an overridden criterion's what-to-do-first entry gives the TA's reason, not the automatic message it contradicts", async () => {
    const a = await app();
    const scope = githubNock();
    const seen = await gradedAndOverridden(a, scope);
    // The automatic message says the README has everything; the TA took 5 points off it.
    for (const text of [seen.checkRunPatches[0].output.summary as string, seen.commentPatches[0].body as string]) {
      const todo = text.slice(text.indexOf('### Qué hacer primero'));
      expect(todo).toContain('**README con secciones básicas** (−5)');
      expect(todo).toContain('Falta la sección de Uso');
      expect(todo).not.toContain('tiene todo lo pedido');
    }
  });

  it('a student (not on the team, not in the org) gets a polite reply; nothing changes, no reaction', async () => {
    const a = await app();
    const scope = githubNock();
    await gradeOpenedPullRequest(a, scope);
    const seen = calls(scope);
    repliedCommand(scope, { user: STUDENT, role: 'student' });
    await deliver(a, 'student-1', commentEvent('created', '/rubrica override readme 25 me lo merezco', (p) => {
      p.comment.user.login = STUDENT;
      p.sender.login = STUDENT;
    }));
    expect(scope.pendingMocks()).toEqual([]);
    expect(seen.commentPosts).toEqual([{ body: REFUSED(STUDENT) }]);
    expect(seen.reactions).toEqual([]);
    expect(seen.checkRunPatches).toEqual([]);
    expect(seen.commentPatches).toEqual([]);
    expect(await a.rubrica.store.tas.overrides()).toEqual([]);
    expect(await a.rubrica.store.tas.commandOf(COMMENT_ID)).toMatchObject({ author: STUDENT, outcome: 'refused:none' });
  });

  it('an organization owner (not on the team) is allowed', async () => {
    const a = await app();
    const scope = githubNock();
    await gradeOpenedPullRequest(a, scope);
    const seen = calls(scope);
    acceptedCommand(scope, { user: 'profe-duena', role: 'org-owner' });
    await deliver(a, 'owner-1', commentEvent('created', OVERRIDE, (p) => {
      p.comment.user.login = 'profe-duena';
      p.sender.login = 'profe-duena';
    }));
    expect(scope.pendingMocks()).toEqual([]);
    expect(seen.reactions).toEqual([{ path: paths.reactions(COMMENT_ID), content: '+1' }]);
    expect(seen.checkRunPatches).toEqual([checkRunPatch('95/100', 'success', expect.stringContaining('| 🟡 | README con secciones básicas | ~~25~~ → 20 / 25 | ✏️ Ajustado por profe-duena: Falta la sección de Uso |'))]);
    expect(seen.commentPatches).toHaveLength(1);
    expect(await a.rubrica.store.tas.overrides()).toEqual([expect.objectContaining({ criterion: 'readme', points: 20, by: 'profe-duena' })]);
  });

  it('a pending team membership is refused', async () => {
    const a = await app();
    const scope = githubNock();
    await gradeOpenedPullRequest(a, scope);
    const seen = calls(scope);
    repliedCommand(scope, { user: 'nuevo-ayudante', role: 'pending' });
    await deliver(a, 'pending-1', commentEvent('created', OVERRIDE, (p) => {
      p.comment.user.login = 'nuevo-ayudante';
      p.sender.login = 'nuevo-ayudante';
    }));
    expect(scope.pendingMocks()).toEqual([]);
    expect(seen.commentPosts).toEqual([{ body: REFUSED('nuevo-ayudante') }]);
    expect(seen.reactions).toEqual([]);
    expect(seen.checkRunPatches).toEqual([]);
    expect(seen.commentPatches).toEqual([]);
    expect(await a.rubrica.store.tas.overrides()).toEqual([]);
    expect(await a.rubrica.store.tas.commandOf(COMMENT_ID)).toMatchObject({ outcome: 'refused:pending' });
  });

  it("an active member of the TA team's parent team is allowed", async () => {
    const a = await app();
    const scope = githubNock();
    await gradeOpenedPullRequest(a, scope);
    const seen = calls(scope);
    acceptedCommand(scope, { user: 'profe-titular', role: 'parent-team' });
    await deliver(a, 'parent-1', commentEvent('created', OVERRIDE, (p) => {
      p.comment.user.login = 'profe-titular';
      p.sender.login = 'profe-titular';
    }));
    expect(scope.pendingMocks()).toEqual([]);
    expect(seen.reactions).toEqual([{ path: paths.reactions(COMMENT_ID), content: '+1' }]);
    expect(seen.checkRunPatches).toEqual([checkRunPatch('95/100', 'success', expect.stringContaining('✏️ Ajustado por profe-titular: Falta la sección de Uso'))]);
    expect(seen.commentPatches).toHaveLength(1);
    expect(await a.rubrica.store.tas.overrides()).toEqual([expect.objectContaining({ criterion: 'readme', points: 20, by: 'profe-titular' })]);
  });

  it('an override comment edited or deleted by someone else changes nothing and is flagged to TAs; an edit by its author is not', async () => {
    const time = clock('2026-09-08T15:01:00Z');
    const a = await app({ now: time.now });
    const scope = githubNock();
    await gradedAndOverridden(a, scope);
    const before = await a.rubrica.store.tas.overrides();

    // The student edits the TA's comment to give full points.
    time.set('2026-09-08T15:30:00Z');
    const edited = calls(scope);
    courseScope(scope).patch(paths.checkRun()).reply(200, { id: CHECK_RUN_ID }).patch(paths.comment()).reply(200, { id: SCORED_COMMENT_ID });
    await deliver(a, 'edit-by-student', commentEvent('edited', '/rubrica override readme 25 Falta la sección de Uso', (p) => {
      p.sender.login = STUDENT;
    }));
    expect(scope.pendingMocks()).toEqual([]);
    const editNote = '- ⚠️ Un comentario con comandos de tere-ayudante fue editado por ana-estudiante (2026-09-08 15:30 UTC). No cambió nada: el registro conserva el comando original.';
    expect(edited.reactions).toEqual([]);
    expect(edited.commentPosts).toEqual([]);
    expect(edited.checkRunPatches).toEqual([checkRunPatch('95/100', 'success', expect.stringContaining(`${TA_NOTES}\n\n${editNote}`))]);
    expect(edited.commentPatches).toHaveLength(1);
    expect(edited.commentPatches[0].body).toContain(ROW.readmeOverridden);
    expect(edited.commentPatches[0].body).toContain(`${TA_NOTES}\n\n${editNote}`);
    expect(await a.rubrica.store.tas.overrides()).toEqual(before);
    expect(await a.rubrica.store.tas.tamperingOf(REPO_ID, 7)).toEqual([{ commentId: COMMENT_ID, action: 'edited', by: STUDENT, author: TA, at: '2026-09-08T15:30:00.000Z' }]);

    // The TA fixes a typo in their own comment: nothing is re-published, nothing flagged.
    time.set('2026-09-08T15:40:00Z');
    const byAuthor = calls(scope);
    courseScope(scope);
    await deliver(a, 'edit-by-author', commentEvent('edited', '/rubrica override readme 20 Falta la sección «Uso»'));
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
    expect(deleted.commentPatches[0].body).toContain(ROW.readmeOverridden);
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
    const scope = githubNock();
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
        output: { title: '95/100', summary: expect.stringContaining(ROW.readmeOverridden), text: expect.any(String), annotations: [] },
      },
    ]);
    expect(second.checkRunCreates[0].output.summary).not.toContain(TA_NOTES);
    expect(second.commentPatches).toHaveLength(1);
    expect(second.commentPatches[0].body).toContain('**95 / 100** · aprobado · commit b2c3d4e');
    expect(second.commentPatches[0].body).toContain(ROW.readmeOverridden);
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
    expect(automatic).toBeLessThan(25);
    const row = `| 🟡 | README con secciones básicas | ~~${automatic}~~ → 20 / 25 | ✏️ Ajustado por tere-ayudante: Falta la sección de Uso |`;
    const note = `- ⚠️ \`readme\`: el resultado automático cambió desde el ajuste de tere-ayudante (ahora ${automatic}); el ajuste sigue vigente. Revísalo o quítalo con \`/rubrica clear readme\`.`;
    expect(third.checkRunCreates).toHaveLength(1);
    expect(third.checkRunCreates[0]).toMatchObject({ head_sha: SHA3, status: 'completed', conclusion: 'success', output: { title: '95/100' } });
    expect(third.checkRunCreates[0].output.summary).toContain(row);
    expect(third.checkRunCreates[0].output.summary).toContain(`${TA_NOTES}\n\n${note}`);
    expect(third.commentPatches).toHaveLength(1);
    expect(third.commentPatches[0].body).toContain('commit c3d4e5f');
    expect(third.commentPatches[0].body).toContain(row);
    expect(third.commentPatches[0].body).toContain(`${TA_NOTES}\n\n${note}`);
    // The record still holds one override, made over 25 automatic points.
    expect(await a.rubrica.store.tas.overrides()).toEqual([expect.objectContaining({ criterion: 'readme', points: 20, automaticPoints: 25 })]);
  });

  it('clear removes the override and shows the automatic result again', async () => {
    const a = await app();
    const scope = githubNock();
    await gradedAndOverridden(a, scope);
    const seen = calls(scope);
    acceptedCommand(scope, { commentId: COMMENT_ID + 1 });
    await deliver(a, 'clear-1', commentEvent('created', '/rubrica clear readme', (p) => (p.comment.id = COMMENT_ID + 1)));
    expect(scope.pendingMocks()).toEqual([]);
    expect(seen.reactions).toEqual([{ path: paths.reactions(COMMENT_ID + 1), content: '+1' }]);
    expect(seen.checkRunPatches).toEqual([checkRunPatch('100/100', 'success', expect.stringContaining(['**100 / 100** · aprobado', '', '| | Criterio | Puntos | Resultado |', '|---|---|---|---|', ROW.estructura, ROW.commits, ROW.readme, ROW.gitignore].join('\n')))]);
    expect(seen.checkRunPatches[0].output.summary).not.toContain('~~');
    expect(seen.commentPatches).toHaveLength(1);
    expect(seen.commentPatches[0].body).toContain('**100 / 100** · aprobado · commit a1b2c3d');
    expect(seen.commentPatches[0].body).toContain(ROW.readme);
    expect(seen.commentPatches[0].body).not.toContain('✏️');
    expect(await a.rubrica.store.tas.overrides()).toEqual([]);
    const rows = JSON.parse((await exportGrades(a.rubrica.store, { format: 'json' })).body);
    expect(rows[0].weeks[0]).toBe(100);
  });

  it('a manual criterion is pending until a TA scores it; manual on an automatic criterion is answered with the manual ones', async () => {
    const a = await app();
    const scope = githubNock();
    const first = await gradeOpenedPullRequest(a, scope, { labels: ['semana-5'] });
    expect(first.checkRun.name).toBe(WEEK5);
    const pendingRow = /\| ⏳ \| Calidad del análisis de runs \| – \/ 15 \| Un ayudante revisa la comparación[^\n]*\|/;
    expect(first.checkRun.output.summary).toMatch(pendingRow);
    expect(first.checkRun.output.summary).toContain('15 pts pendientes de revisión de un ayudante');
    expect(first.comment.body).toMatch(pendingRow);
    const [graded] = await a.rubrica.store.record.gradings();
    expect(graded!.week).toBe(5);
    const automatic = graded!.score;

    const seen = calls(scope);
    acceptedCommand(scope, { labels: ['semana-5'] });
    await deliver(a, 'manual-1', commentEvent('created', '/rubrica manual comparacion-runs 12 Buen análisis, falta justificar el modelo --week 5'));
    expect(scope.pendingMocks()).toEqual([]);
    const scoredRow = '| 🟡 | Calidad del análisis de runs | 12 / 15 | ✏️ Puntuado por tere-ayudante: Buen análisis, falta justificar el modelo |';
    expect(seen.reactions).toEqual([{ path: paths.reactions(COMMENT_ID), content: '+1' }]);
    expect(seen.checkRunPatches).toEqual([checkRunPatch(`${automatic + 12}/100`, 'failure', expect.stringContaining(scoredRow), WEEK5)]);
    expect(seen.checkRunPatches[0].output.summary).not.toContain('pendientes de revisión');
    expect(seen.commentPatches).toHaveLength(1);
    expect(seen.commentPatches[0].body).toContain(scoredRow);
    expect(seen.commentPatches[0].body).toContain(`**${automatic + 12} / 100**`);
    expect(await a.rubrica.store.tas.overrides()).toEqual([
      { org: ORG, repoId: REPO_ID, week: 5, criterion: 'comparacion-runs', points: 12, reason: 'Buen análisis, falta justificar el modelo', by: TA, at: '2026-09-08T15:01:00.000Z', automaticPoints: null, commentId: COMMENT_ID },
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
    expect(reply).toContain('@tere-ayudante, un comando no se aplicó:');
    expect(reply).toContain(
      '- `/rubrica manual experimentos 20 Tres corridas --week 5` — `experimentos` se corrige automáticamente, así que `manual` no lo puede puntuar: `manual` (o `puntuar`) es para los criterios que corrige un TA (en la semana 5: `comparacion-runs`).',
    );
    expect(await a.rubrica.store.tas.overrides()).toHaveLength(1);
  });

  it('extend moves the deadline: a late grading is published again on time', async () => {
    // A week after the first deadline (week 1 is due 2026-09-13 23:59 in Buenos Aires); the PR names week 1.
    const a = await app({ now: () => new Date('2026-09-15T15:01:00Z') });
    const scope = githubNock();
    const first = await gradeOpenedPullRequest(a, scope, { labels: ['semana-1'] });
    const lateLine = '⏰ Entregado 2 días tarde (plazo: 2026-09-13 23:59 (America/Argentina/Buenos_Aires)): −20 pts → **80 / 100**.';
    expect(first.checkRun.output.title).toBe('80/100 (100/100 − 20 por atraso)');
    expect(first.checkRun.output.summary).toContain(lateLine);
    expect(first.comment.body).toContain(lateLine);
    const [late] = await a.rubrica.store.record.gradings();
    expect(late).toMatchObject({ week: 1, penalty: 20, finalScore: 80, late: { status: 'late', daysLate: 2 } });

    const seen = calls(scope);
    acceptedCommand(scope, { labels: ['semana-1'] });
    await deliver(a, 'extend-1', commentEvent('created', '/rubrica extend 3d certificado médico'));
    expect(scope.pendingMocks()).toEqual([]);
    expect(seen.reactions).toEqual([{ path: paths.reactions(COMMENT_ID), content: '+1' }]);
    expect(seen.checkRunPatches).toEqual([checkRunPatch('100/100', 'success', expect.stringContaining(['**100 / 100** · aprobado', '', '| | Criterio | Puntos | Resultado |'].join('\n')))]);
    expect(seen.checkRunPatches[0].output.summary).not.toContain('⏰');
    expect(seen.commentPatches).toHaveLength(1);
    expect(seen.commentPatches[0].body).toContain('**100 / 100** · aprobado · commit a1b2c3d');
    expect(seen.commentPatches[0].body).not.toContain('⏰');
    const [onTime] = await a.rubrica.store.record.gradings();
    expect(onTime).toMatchObject({ penalty: 0, finalScore: 100, late: { status: 'on-time', deadline: '2026-09-14T02:59:00.000Z', effectiveDeadline: '2026-09-17T02:59:00.000Z' } });
    expect(await a.rubrica.store.record.extensionFor(REPO_ID, 1)).toEqual({ org: ORG, repoId: REPO_ID, week: 1, minutes: 3 * 24 * 60, grantedBy: TA, grantedAt: '2026-09-15T15:01:00.000Z', reason: 'certificado médico' });
    const rows = JSON.parse((await exportGrades(a.rubrica.store, { format: 'json' })).body);
    expect(rows[0]).toMatchObject({ latePenalties: 0 });
    expect(rows[0].weeks[0]).toBe(100);
  });

  it("regrade grades the pull request's head again, into the same check run", async () => {
    const time = clock('2026-09-08T15:01:00Z');
    const a = await app({ now: time.now });
    const scope = githubNock();
    await gradeOpenedPullRequest(a, scope);
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
    expect(seen.checkRunPatches).toEqual([checkRunPatch('100/100', 'success', expect.stringContaining(ROW.readme))]);
    expect(seen.commentPatches).toHaveLength(1);
    expect(seen.commentPatches[0].body).toContain('**100 / 100** · aprobado · commit a1b2c3d');
    const gradings = await a.rubrica.store.record.gradings();
    expect(gradings.map((g) => [g.sha, g.week, g.trigger, g.deliveredAt, g.gradedAt])).toEqual([
      [SHA, 1, 'pull_request', '2026-09-08T15:01:00.000Z', '2026-09-08T15:01:00.000Z'],
      [SHA, 1, 'rerun', '2026-09-08T15:01:00.000Z', '2026-09-08T15:30:00.000Z'],
    ]);
  });

  it('malformed commands get one reply saying what was wrong and the valid criteria; nothing changes', async () => {
    const a = await app();
    const scope = githubNock();
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
    expect(reply.startsWith('@tere-ayudante, 3 comandos no se aplicaron:\n\n')).toBe(true);
    expect(reply).toContain('- `/rubrica overide readme 20 Falta Uso` — `/rubrica overide` no es un comando. ¿Querías decir `override`?');
    expect(reply).toContain('- `/rubrica override readme 30 Excelente` — `readme` vale de 0 a 25 puntos, no 30.');
    expect(reply).toContain('- `/rubrica override redme 20 Falta Uso` — La semana 1 no tiene el criterio `redme`. ¿Querías decir `readme`? Sus criterios son `estructura`, `commits-convencionales`, `readme` y `gitignore`.');
    // The valid commands and criteria with their ranges, folded.
    expect(reply).toContain('<details><summary>Comandos y criterios</summary>');
    for (const line of [
      '- `estructura` — Estructura de carpetas correcta: 0–25 puntos',
      '- `commits-convencionales` — Commits con formato convencional: 0–25 puntos',
      '- `readme` — README con secciones básicas: 0–25 puntos',
      '- `gitignore` — .gitignore completo: 0–25 puntos',
    ]) {
      expect(reply).toContain(line);
    }
    expect(await a.rubrica.store.tas.overrides()).toEqual([]);
  });

  it('a comment with a good and a bad command: the good one is applied and published, the bad one answered', async () => {
    const a = await app();
    const scope = githubNock();
    await gradeOpenedPullRequest(a, scope);
    const seen = calls(scope);
    acceptedCommand(scope).post(paths.issueComments).reply(201, { id: 7100 });
    await deliver(a, 'partly-1', commentEvent('created', `${OVERRIDE}\n/rubrica override docs 10 No hay docs`));
    expect(scope.pendingMocks()).toEqual([]);
    expect(seen.reactions).toEqual([{ path: paths.reactions(COMMENT_ID), content: '+1' }]);
    expect(seen.checkRunPatches).toEqual([checkRunPatch('95/100', 'success', expect.stringContaining(ROW.readmeOverridden))]);
    expect(seen.commentPatches).toHaveLength(1);
    expect(seen.commentPosts).toHaveLength(1);
    expect(seen.commentPosts[0].body).toContain('@tere-ayudante, un comando no se aplicó (los demás sí):\n\n- `/rubrica override docs 10 No hay docs` — La semana 1 no tiene el criterio `docs`.');
    expect((await a.rubrica.store.tas.overrides()).map((o) => o.criterion)).toEqual(['readme']);
  });

  it('a GitHub failure (5xx) while publishing an accepted command is retried, so the override shows in the end', async () => {
    const a = await app();
    const scope = githubNock();
    await gradeOpenedPullRequest(a, scope);
    const seen = calls(scope);
    courseScope(scope);
    memberships(scope, TA, 'ta');
    scope.get(paths.pull).reply(200, pullResponse()).post(paths.reactions(), { content: '+1' }).reply(201, { id: 1, content: '+1' });
    // GitHub is down for a while: Octokit's own retries (3) are spent.
    scope.patch(paths.checkRun()).times(4).reply(502, { message: 'Server Error' });
    // The outbox tries the publication again later; the command is not carried out again (no re-reads), and the writes that failed happen.
    scope.patch(paths.checkRun()).reply(200, { id: CHECK_RUN_ID }).patch(paths.comment()).reply(200, { id: SCORED_COMMENT_ID });
    await deliver(a, 'flaky-1', commentEvent('created', OVERRIDE));
    const [job] = (await a.rubrica.store.queue.jobs()).filter((j) => j.kind === 'ta-command');
    expect(job).toMatchObject({ state: 'done', outcome: 'applied' });
    expect(seen.checkRunPatches.at(-1)).toEqual(checkRunPatch('95/100', 'success', expect.stringContaining(ROW.readmeOverridden)));
    expect(seen.commentPatches).toHaveLength(1);
    expect(seen.commentPatches[0].body).toContain(ROW.readmeOverridden);
    expect(await a.rubrica.store.tas.overrides()).toHaveLength(1);
    expect(scope.pendingMocks()).toEqual([]);
    // The reaction went once; the check run's publication took two tries, and nothing failed for good.
    expect(seen.reactions).toHaveLength(1);
    const outbox = await a.rubrica.store.outbox.ofJob(job!.id);
    expect(outbox.map((p) => [p.kind, p.state, p.attempts])).toEqual([['reaction', 'sent', 1], ['check-run', 'sent', 2], ['pr-comment', 'sent', 1]]);
  });

  it('two commands in one comment: both applied, one reaction, one re-publication', async () => {
    const a = await app();
    const scope = githubNock();
    await gradeOpenedPullRequest(a, scope);
    const seen = calls(scope);
    acceptedCommand(scope);
    await deliver(a, 'two-1', commentEvent('created', ['/rubrica override estructura 0 "No hay carpetas: todo está en la raíz"', '/rubrica ajustar readme 5 Faltan casi todas las secciones'].join('\n')));
    expect(scope.pendingMocks()).toEqual([]);
    expect(seen.reactions).toEqual([{ path: paths.reactions(COMMENT_ID), content: '+1' }]);
    expect(seen.checkRunPatches).toHaveLength(1);
    expect(seen.commentPatches).toHaveLength(1);
    expect(seen.commentPosts).toEqual([]);
    const rows = [
      '| ❌ | Estructura de carpetas correcta | ~~25~~ → 0 / 25 | ✏️ Ajustado por tere-ayudante: No hay carpetas: todo está en la raíz |',
      ROW.commits,
      '| 🟡 | README con secciones básicas | ~~25~~ → 5 / 25 | ✏️ Ajustado por tere-ayudante: Faltan casi todas las secciones |',
      ROW.gitignore,
    ].join('\n');
    expect(seen.checkRunPatches).toEqual([checkRunPatch('55/100', 'failure', expect.stringContaining(`**55 / 100** · aprobación: 60\n\n| | Criterio | Puntos | Resultado |\n|---|---|---|---|\n${rows}`))]);
    expect(seen.commentPatches[0].body).toContain(rows);
    expect((await a.rubrica.store.tas.overrides()).map((o) => [o.criterion, o.points, o.reason])).toEqual([
      ['estructura', 0, 'No hay carpetas: todo está en la raíz'],
      ['readme', 5, 'Faltan casi todas las secciones'],
    ]);
  });

  it('a redelivery of the same comment event (same delivery id) is applied once', async () => {
    const a = await app();
    const scope = githubNock();
    const seen = await gradedAndOverridden(a, scope);
    await deliver(a, 'override-1', commentEvent('created', OVERRIDE));
    expect(scope.pendingMocks()).toEqual([]);
    expect(seen.reactions).toHaveLength(1);
    expect(seen.checkRunPatches).toHaveLength(1);
    expect(seen.commentPatches).toHaveLength(1);
    expect((await a.rubrica.store.queue.jobs()).filter((j) => j.kind === 'ta-command')).toHaveLength(1);
  });

  it('a comment without a command, one by the bot, or one on an issue: no GitHub call at all', async () => {
    const a = await app();
    githubNock();
    await deliver(a, 'chat-1', commentEvent('created', '¡Buen trabajo! Revisa el README, por favor.'));
    await deliver(a, 'bot-1', commentEvent('created', '/rubrica override readme 0 eco', (p) => {
      p.comment.user = { ...p.comment.user, login: 'rubrica[bot]', type: 'Bot' };
      p.sender = { ...p.sender, login: 'rubrica[bot]', type: 'Bot' };
    }));
    await deliver(a, 'issue-1', commentEvent('created', OVERRIDE, (p) => delete p.issue.pull_request));
    expect(nock.pendingMocks()).toEqual([]);
    expect(await a.rubrica.store.queue.jobs()).toEqual([]);
  });

  it('commands inside a code block or a quote are ignored', async () => {
    const a = await app();
    const scope = githubNock();
    const quoted = ['Para ajustar una nota se escribe:', '', '```', '/rubrica override readme 0 ejemplo', '```', '', '> /rubrica override estructura 0 citado'].join('\n');
    await deliver(a, 'quoted-1', commentEvent('created', quoted));
    expect(await a.rubrica.store.queue.jobs()).toEqual([]);

    // Beside a real command, only the real one counts.
    await gradeOpenedPullRequest(a, scope);
    const seen = calls(scope);
    acceptedCommand(scope);
    await deliver(a, 'quoted-2', commentEvent('created', `${quoted}\n\n/rubrica override gitignore 20 Falta ignorar .env.local`));
    expect(scope.pendingMocks()).toEqual([]);
    expect(seen.reactions).toHaveLength(1);
    expect(seen.checkRunPatches).toEqual([checkRunPatch('95/100', 'success', expect.stringContaining('| 🟡 | .gitignore completo | ~~25~~ → 20 / 25 | ✏️ Ajustado por tere-ayudante: Falta ignorar .env.local |'))]);
    expect(seen.checkRunPatches[0].output.summary).toContain(ROW.readme);
    expect(seen.checkRunPatches[0].output.summary).toContain(ROW.estructura);
    expect((await a.rubrica.store.tas.overrides()).map((o) => o.criterion)).toEqual(['gitignore']);
  });
});
