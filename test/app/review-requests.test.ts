import { afterEach, describe, expect, it } from 'vitest';
import { loadPack } from '../../src/rubrics/load.ts';
import { resetGithub, testApp } from '../helpers/github.ts';
import { COMMENT_ID, PR, TA, acceptedCommand, calls, commentEvent, deliver, gradeOpenedPullRequest, paths, pullResponse, repliedCommand, taNock, type App } from '../helpers/ta.ts';
import { courseScope } from '../helpers/github.ts';

/** The repository is mlops-ana: its student, by the course's prefix, is `ana`. */
const STUDENT = 'ana';
const PACK = await loadPack('mlops');
const README_POINTS = PACK.weeks.get(1)!.criteria.find((c) => c.id === 'readme')!.points;
const WHY = 'Escribí la sección **Uso** @tere-ayudante <img src=x onerror=alert(1)>';

/** A comment event written by `user`, with its own comment id. */
const by = (user: string, id = COMMENT_ID + 1) => (p: any) => {
  p.comment.user.login = user;
  p.sender.login = user;
  p.comment.id = id;
};

const apps: App[] = [];
async function app() {
  const a = await testApp();
  apps.push(a);
  return a;
}

afterEach(async () => {
  for (const a of apps.splice(0)) await a.rubrica.queue.close();
  expect(resetGithub()).toEqual([]);
});

describe('a student asks for a review with /rubrica review', () => {
  it('is recorded once per criterion and week, acknowledged without echoing the student, and an override closes it and tells the student', async () => {
    const a = await app();
    const scope = taNock();
    await gradeOpenedPullRequest(a, scope);
    const seen = calls(scope);

    repliedCommand(scope);
    await deliver(a, 'review-1', commentEvent('created', `/rubrica revisar readme ${WHY}`, by(STUDENT)));
    expect(scope.pendingMocks()).toEqual([]);
    expect(seen.commentPosts).toHaveLength(1);
    const ack: string = seen.commentPosts[0].body;
    expect(ack).toBe(`@${STUDENT}:\n\n- Registré tu pedido de revisión de \`readme\` (Semana 1). Un TA lo verá y te responderá aquí.`);
    const [request] = await a.rubrica.store.reviews.list({ state: 'open' });
    expect(request).toMatchObject({ student: STUDENT, criterion: 'readme', week: 1, pullRequest: PR, reason: WHY, commentId: COMMENT_ID + 1 });

    // A second request for the same criterion and week, a malformed one and one for a criterion the week does not have:
    // one reply, a line each; nothing new recorded.
    repliedCommand(scope);
    await deliver(a, 'review-2', commentEvent('created', '/rubrica review readme otra vez\n/rubrica review\n/rubrica review video porque sí', by(STUDENT, COMMENT_ID + 2)));
    const second: string = seen.commentPosts[1].body;
    expect(second).toContain('Ya tienes un pedido abierto de `readme` en Semana 1');
    expect(second).toContain('Faltan el criterio y el motivo.');
    expect(second).toContain('La semana 1 no tiene el criterio `video`.');
    expect(await a.rubrica.store.reviews.list({})).toHaveLength(1);

    // More of the same within minutes: recorded, but answered once (each reply is a notifying write on the shared lane).
    courseScope(scope);
    scope.get(paths.pull).reply(200, pullResponse());
    await deliver(a, 'review-3', commentEvent('created', '/rubrica review readme ¡otra vez!', by(STUDENT, COMMENT_ID + 3)));
    expect(scope.pendingMocks()).toEqual([]);
    expect(seen.commentPosts).toHaveLength(2);
    expect(await a.rubrica.store.tas.commandOf(COMMENT_ID + 3)).toMatchObject({ author: STUDENT, outcome: 'refused-unanswered:review' });

    // The TA overrides readme: applied as always, and the student is told on their pull request.
    acceptedCommand(scope);
    scope.post(paths.issueComments).reply(201, { id: 7200 });
    await deliver(a, 'override-1', commentEvent('created', `/rubrica override readme ${README_POINTS - 5} Falta el ejemplo`));
    expect(scope.pendingMocks()).toEqual([]);
    const told: string = seen.commentPosts[2].body;
    expect(told).toBe(`@${STUDENT}, tu pedido de revisión de \`readme\` (semana 1) está respondido: \`${TA}\` puso \`readme\` en ${README_POINTS - 5} puntos: \`Falta el ejemplo\``);
    expect(await a.rubrica.store.reviews.get(request!.id)).toMatchObject({ state: 'closed', answeredBy: TA, answeredHow: 'override', answer: 'Falta el ejemplo' });
    // Nothing the student wrote reached GitHub.
    for (const post of seen.commentPosts) expect(post.body).not.toContain('onerror');
  });

  it('only the repository\'s student, on their own pull request, may ask: anyone else is refused and nothing is recorded', async () => {
    const a = await app();
    const scope = taNock();
    await gradeOpenedPullRequest(a, scope);
    const seen = calls(scope);

    // A classmate (not a TA, not this repository's student) gets the usual refusal.
    courseScope(scope);
    scope.post(paths.issueComments).reply(201, { id: 7100 });
    await deliver(a, 'review-other', commentEvent('created', '/rubrica review readme dame puntos', by('bo')));
    expect(scope.pendingMocks()).toEqual([]);
    expect(seen.commentPosts[0].body).toContain('solo el equipo docente del curso puede usar los comandos de Rubrica');

    // The student, on a pull request someone else opened.
    courseScope(scope);
    scope.get(paths.pull).reply(200, { ...pullResponse(), user: { login: 'bo' } }).post(paths.issueComments).reply(201, { id: 7101 });
    await deliver(a, 'review-not-own', commentEvent('created', '/rubrica review readme mía', by(STUDENT, COMMENT_ID + 5)));
    expect(scope.pendingMocks()).toEqual([]);
    expect(seen.commentPosts[1].body).toContain('pide la revisión en tu propio pull request');
    expect(await a.rubrica.store.reviews.list({})).toEqual([]);
  });
});
