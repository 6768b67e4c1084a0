import { describe, expect, it } from 'vitest';
import { commitsCheck } from '../../../src/checks/commits.ts';
import { evidence, asShown } from '../../helpers/evidence.ts';

function run(params: unknown, messages: string[] | null, merges: number[] = []) {
  const commits = messages === null ? null : messages.map((message, i) => ({ message, parents: merges.includes(i) ? 2 : 1 }));
  return asShown(commitsCheck.evaluate(commitsCheck.params.parse(params), evidence({ commits })));
}

describe('commits check', () => {
  it('counts Conventional Commits, with scopes and breaking marks', () => {
    const outcome = run({ min: 3 }, ['feat(api)!: cambia la respuesta', 'fix: corrige split', 'docs: README\n\ncuerpo', 'update stuff']);
    expect(outcome.fraction).toBe(1);
    expect(outcome.message.en).toContain('3 of 4 commits are conventional');
    expect(outcome.message.es).toContain('3 commits convencionales de 4');
    expect(outcome.items!.map((i) => i.label.en)).toEqual(['`update stuff`']);
  });

  it('gives credit in proportion and shows the right form', () => {
    const outcome = run({ min: 5 }, ['feat: a', 'fix: b', 'Initial commit', 'wip']);
    expect(outcome.fraction).toBeCloseTo(2 / 5);
    expect(outcome.message.es).toContain('`tipo: descripción`');
  });

  it('ignores types outside the list, empty subjects and merges', () => {
    const history = ['feature: x', 'feat: ', 'feat: merge dev', 'chore: y'];
    expect(run({ min: 3 }, history, [2]).fraction).toBeCloseTo(1 / 3);
    expect(run({ min: 3, includeMerges: true }, history, [2]).fraction).toBeCloseTo(2 / 3);
  });

  it('looks only at the last N commits when asked', () => {
    const outcome = run({ min: 2, last: 2 }, ['wip', 'wip again', 'feat: old', 'fix: old']);
    expect(outcome.fraction).toBe(0);
    expect(outcome.message.en).toContain('0 of the last 2 commits are conventional');
  });

  it('tells a beginner that new commits count, with one example for all the bad commits', () => {
    const outcome = run({ min: 5 }, ['cambios', 'subo el codigo', 'feat: agrega carga de datos', 'Initial commit']);
    expect(outcome.message.es).toMatch(/^1 commit convencional de 4; se piden 5, faltan 4\./);
    expect(outcome.message.en).toMatch(/^1 of 4 commits is conventional; 5 are needed, 4 more\./);
    expect(outcome.message.es).toContain('No hace falta reescribir los commits anteriores');
    expect(outcome.message.en).toContain('no rebase or force-push');
    // Each bad commit is listed once, without the example repeated under it.
    expect(outcome.items!.map((i) => i.label.es)).toEqual(['`cambios`', '`subo el codigo`', '`Initial commit`']);
    expect(outcome.items!.every((i) => i.note === undefined)).toBe(true);
    expect(outcome.message.es.match(/feat: agrega/g)).toHaveLength(1);
    expect(run({ min: 2 }, ['feat: a', 'wip']).message.es).toContain('falta 1.');
  });

  it('explains a snapshot without git history', () => {
    const outcome = run({}, null);
    expect(outcome.fraction).toBe(0);
    expect(outcome.message.en).toContain('no git history');
  });

  it('refuses a type with capitals and min 0', () => {
    expect(commitsCheck.params.safeParse({ types: ['Feat'] }).success).toBe(false);
    expect(commitsCheck.params.safeParse({ min: 0 }).success).toBe(false);
  });
});

describe('commits check without the Conventional Commits format (a first course)', () => {
  it('counts every commit but merges, whatever its message', () => {
    const ok = run({ min: 1, conventional: false }, ['Initial commit']);
    expect(ok.fraction).toBe(1);
    expect(ok.message.es).toBe('Hay 1 commit en el historial (mínimo 1).');
    expect(ok.message.en).toBe('There is 1 commit in the history (at least 1).');
    expect(run({ min: 2, conventional: false }, ['a', 'b', 'merge'], [2]).fraction).toBe(1);
    expect(run({ min: 3, conventional: false }, ['a', 'b', 'merge'], [2]).fraction).toBeCloseTo(2 / 3);
  });

  it('tells a student with too few how to commit and push', () => {
    const none = run({ min: 1, conventional: false }, []);
    expect(none.fraction).toBe(0);
    expect(none.message.en).toContain('There are 0 commits in the history; 1 is needed.');
    expect(none.message.es).toContain('git commit -m');
    expect(run({ min: 2, conventional: false }, ['a']).message.es).toContain('Hay 1 commit en el historial; se piden 2.');
  });
});
