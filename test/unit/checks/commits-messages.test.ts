import { describe, expect, it } from 'vitest';
import { commitsCheck } from '../../../src/checks/commits.ts';
import { asShown, evidence } from '../../helpers/evidence.ts';

/* What a student reads from the commits check, word for word, at each boundary. */

function run(params: unknown, messages: string[] | null, merges: number[] = []) {
  const commits = messages === null ? null : messages.map((message, i) => ({ message, parents: merges.includes(i) ? 2 : 1 }));
  return asShown(commitsCheck.evaluate(commitsCheck.params.parse(params), evidence({ commits })));
}

describe('commits params', () => {
  it('asks for the history, five Conventional Commits of the usual types by default', () => {
    expect(commitsCheck.requirements(commitsCheck.params.parse({}))).toEqual({ commits: true });
    expect(commitsCheck.params.parse({})).toEqual({
      min: 5,
      types: ['feat', 'fix', 'docs', 'style', 'refactor', 'perf', 'test', 'build', 'ci', 'chore', 'revert'],
      includeMerges: false,
      conventional: true,
    });
    expect(commitsCheck.params.safeParse({ last: 0 }).success).toBe(false);
    expect(commitsCheck.params.safeParse({ types: [] }).success).toBe(false);
  });
});

describe('commits messages', () => {
  it('at the minimum, says how many and of how many', () => {
    const o = run({ min: 2 }, ['feat: a', 'fix: b', 'wip']);
    expect(o.fraction).toBe(1);
    expect(o.message).toEqual({ es: '2 commits convencionales de 3 (mínimo 2).', en: '2 of 3 commits are conventional (at least 2).' });
  });

  it('under it, shows the form and lists up to five offending headers, cut at 72 characters', () => {
    const long = `update ${'x'.repeat(100)}`;
    const o = run({ min: 2, last: 7 }, ['feat: a', 'wip\n\nbody', long, 'a', 'b', 'c', 'd', 'e']);
    // How many, of how many, how many more; then the form, with an example.
    expect(o.message.es).toMatch(/^1 commit convencional en los últimos 7 commits; se piden 2, falta 1\. /);
    expect(o.message.es).toContain('Escribe los próximos como `tipo: descripción`, p. ej. `git commit -m "feat: agrega carga de datos"`.');
    expect(o.message.en).toMatch(/^1 of the last 7 commits is conventional; 2 are needed, 1 more\. /);
    expect(o.message.en).toContain('Write the next ones as `type: description`, e.g. `git commit -m "feat: add data loading"`.');
    expect(o.items).toHaveLength(5);
    // The example is said once, in the message: each offending header is only listed.
    expect(o.items![0]).toEqual({ label: { es: '`wip`', en: '`wip`' }, ok: false });
    expect(o.items![1]!.label.en).toBe(`\`${long.slice(0, 72)}\``);
    expect(o.items!.map((i) => i.label.en)).not.toContain('`e`');
  });

  it('accepts a type in capitals and a scope, not a blank subject', () => {
    expect(run({ min: 2 }, ['FEAT(api): x', 'fix:    ']).fraction).toBe(0.5);
  });

  it('without history, says how to push it', () => {
    expect(run({}, null).message).toEqual({
      es: 'No hay historial de git: sube el repositorio con su carpeta `.git` (haz `git init`, commits y `git push`).',
      en: 'There is no git history: push the repository with its `.git` folder (`git init`, commits, `git push`).',
    });
  });

  it('any commit counts when the format is not asked, merges only when included', () => {
    const o = run({ min: 3, conventional: false, includeMerges: true }, ['a', 'b', 'Merge'], [2]);
    expect(o.message).toEqual({ es: 'Hay 3 commits en el historial (mínimo 3).', en: 'There are 3 commits in the history (at least 3).' });
    expect(run({ min: 2, conventional: false, last: 1 }, ['a', 'b']).fraction).toBe(0.5);
    expect(run({ min: 3, conventional: false }, ['a', 'b']).message).toEqual({
      es: 'Hay 2 commits en el historial; se piden 3. Guarda tu trabajo con `git add .` y `git commit -m "agrega la estructura del proyecto"`, y súbelo con `git push`.',
      en: 'There are 2 commits in the history; 3 are needed. Save your work with `git add .` and `git commit -m "add the project structure"`, and push it with `git push`.',
    });
    expect(run({ min: 1, conventional: false }, []).message.es).toBe(
      'Hay 0 commits en el historial; se pide 1. Guarda tu trabajo con `git add .` y `git commit -m "agrega la estructura del proyecto"`, y súbelo con `git push`.',
    );
    expect(run({ min: 5, conventional: false }, Array.from({ length: 7 }, (_, i) => `c${i}`)).fraction).toBe(1);
  });
});
