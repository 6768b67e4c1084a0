import { mkdtemp, readdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.ts';
import type { SandboxProvider } from '../../src/sandbox/sandbox.ts';

const HOSTILE_PACK = fileURLToPath(new URL('../fixtures/packs/hostile/', import.meta.url));

/** These paths must fail before any container is asked for. */
const noSandbox: SandboxProvider = {
  open: () => Promise.reject(new Error('the CLI should not have opened a sandbox')),
};

async function run(args: string[], env: NodeJS.ProcessEnv = {}) {
  let out = '';
  let err = '';
  const code = await main(args, {
    stdout: { write: (s: string) => (out += s) },
    stderr: { write: (s: string) => (err += s) },
    env,
    provider: noSandbox,
  });
  return { code, out, err };
}

describe('rubrica CLI arguments', () => {
  it('refuses a missing --week, a non-number week and an unknown week', async () => {
    expect(await run(['check', '.', '--pack', HOSTILE_PACK])).toMatchObject({ code: 2, err: expect.stringContaining('--week') });
    expect(await run(['check', '--week', 'tres', '--pack', HOSTILE_PACK, '.'])).toMatchObject({ code: 2, err: expect.stringContaining('"tres"') });
    expect(await run(['check', '--week', '7', '--pack', HOSTILE_PACK, '--lang', 'en', '.'])).toMatchObject({ code: 2, err: expect.stringContaining('has no week 7') });
  });

  it('refuses an unknown pack, a missing folder and an unknown option', async () => {
    expect((await run(['check', '--week', '1', '--pack', 'nope', '.'])).err).toContain('there is no rubric pack "nope"');
    expect(await run(['check', '--week', '1', '--pack', HOSTILE_PACK, '/no/such/dir'])).toMatchObject({ code: 2, err: expect.stringContaining('/no/such/dir does not exist') });
    expect(await run(['check', '--week', '1', '--pack', HOSTILE_PACK, fileURLToPath(import.meta.url)])).toMatchObject({ code: 2, err: expect.stringContaining('is not a folder') });
    expect((await run(['check', '--weeks', '1', '.'])).code).toBe(2);
    expect((await run(['frobnicate'])).code).toBe(2);
  });

  it('validates a pack and lists its weeks and criteria', async () => {
    const result = await run(['pack', 'validate', HOSTILE_PACK, '--lang', 'en']);
    expect(result.code).toBe(0);
    expect(result.out).toContain('Week 1: Everything that can go wrong');
    expect(result.out).toMatch(/40\s+tests\s+command/);
  });
});

const NOT_A_REPO = fileURLToPath(new URL('../fixtures/', import.meta.url));

/** Each argument error: its code, and words of its message in Spanish and in English. */
const ERRORS: [string, string[], string, string, string][] = [
  ['a misspelt option', ['check', '--jsn', '--week', '1', '.'], 'unknown-option', '¿querías decir --json?', 'did you mean --json?'],
  ['a negative week', ['check', '--week', '-1', '.'], 'bad-week', 'no "-1"', 'not "-1"'],
  ['a week that is not a number', ['check', '--week', 'tres', '.'], 'bad-week', 'no "tres"', 'not "tres"'],
  ['no week', ['check', '.'], 'missing-week', '--week N', '--week N'],
  ['no folder', ['check', '--week', '1'], 'missing-folder', 'rubrica check --week 1 .', 'rubrica check --week 1 .'],
  ['a missing path', ['check', '--week', '1', '/no/such/dir'], 'path-missing', '/no/such/dir no existe', '/no/such/dir does not exist'],
  ['a misspelt pack', ['check', '--week', '1', '--pack', 'mlopz', '.'], 'unknown-pack', '¿querías decir "mlops"?', 'did you mean "mlops"?'],
  ['a week the pack lacks', ['check', '--week', '11', '--pack', 'MLOps', '.'], 'unknown-week', 'no tiene semana 11', 'has no week 11'],
  ['a folder without git', ['check', '--week', '1', NOT_A_REPO], 'no-git', 'no es un repositorio git', 'is not a git repository'],
  ['a misspelt command', ['chek', '--week', '1', '.'], 'unknown-command', '¿querías decir "check"?', 'did you mean "check"?'],
  ['a value left out', ['check', '--pack', '--json'], 'missing-value', '--pack necesita un valor', '--pack needs a value'],
  ['a misspelt option of jobs', ['jobs', '--stat', 'failed'], 'unknown-option', '¿querías decir --state?', 'did you mean --state?'],
  ['a gradebook format that does not exist', ['grades', 'export', '--format', 'xls'], 'bad-argument', 'no "xls"', 'not "xls"'],
];

describe('rubrica CLI errors, in both languages, with --json', () => {
  it.each(ERRORS)('%s', async (_, args, code, es, en) => {
    for (const [lang, words] of [['es', es], ['en', en]] as const) {
      const result = await run([...args, '--json', '--lang', lang]);
      expect(result.code).toBe(2);
      const { error } = JSON.parse(result.out);
      expect(error.code).toBe(code);
      expect(error.message).toContain(words);
      // One line and at most a hint on stderr, never the usage screen.
      expect(result.err.trimEnd().split('\n').length).toBeLessThanOrEqual(2);
      expect(result.err).not.toContain('Usage:');
    }
  });

  it("speaks the pack's language without --lang, and the machine's before a pack is known", async () => {
    expect((await run(['check', '--week', '11', '.'])).err).toContain('no tiene semana 11');
    expect((await run(['check', '--jsn', '.'], { LANG: 'es_AR.UTF-8' })).err).toContain('¿querías decir --json?');
    expect((await run(['check', '--jsn', '.'], { LANG: 'C.UTF-8' })).err).toContain('did you mean --json?');
  });

  it('suggests commands as they were typed: npx rubrica under npx', async () => {
    expect((await run(['check', '--jsn', '.', '--lang', 'en'])).err).toContain('`rubrica check --help`');
    expect((await run(['check', '--jsn', '.', '--lang', 'en'], { npm_command: 'exec' })).err).toContain('`npx rubrica check --help`');
  });

  it('takes pack names without regard to case', async () => {
    const result = await run(['pack', 'validate', 'MLOps', '--json', '--lang', 'en']);
    expect(result.code).toBe(0);
    expect(JSON.parse(result.out).name).toBe('mlops');
  });

  it('lists the packs in one language', async () => {
    const es = (await run(['pack', 'list', '--lang', 'es'])).out;
    const en = (await run(['pack', 'list', '--lang', 'en'])).out;
    expect(es).toMatch(/^mlops\tMLOps — .+ \(10 semanas\)$/m);
    expect(en).toMatch(/^mlops\tMLOps — .+ \(10 weeks\)$/m);
    // Every pack on a line of its own, each in the language asked for.
    for (const line of es.trimEnd().split('\n')) expect(line).toMatch(/^[a-z0-9-]+\t.+ \(\d+ (semanas?|entregas?)\)$/);
    for (const line of en.trimEnd().split('\n')) expect(line).toMatch(/^[a-z0-9-]+\t.+ \(\d+ (weeks?|assignments?)\)$/);
    // A pack of assignments only counts them.
    expect(en).toMatch(/^amq2\tAMq2 — .+ \(1 assignment\)$/m);
    expect(es).toMatch(/^amq2\tAMq2 — .+ \(1 entrega\)$/m);
    expect(es).toMatch(/^bootcamp-deploy\tBootcamp IA — .+ \(1 semana\)$/m);
    expect(en).toMatch(/^bootcamp-deploy\tAI Bootcamp — .+ \(1 week\)$/m);
    expect(es).not.toEqual(en);
    expect((await run(['pack', 'list'], { LANG: 'es_ES.UTF-8' })).out).toBe(es);
  });
});

describe('rubrica pack new', () => {
  it('writes a pack that validates as it is, and says how to try it', async () => {
    const rubrics = await mkdtemp(join(tmpdir(), 'rubrica-packs-'));
    const made = await run(['pack', 'new', 'curso-2027', '--rubrics', rubrics, '--lang', 'en']);
    expect(made.code).toBe(0);
    expect(made.out).toContain(`rubrica pack validate curso-2027 --rubrics ${rubrics}`);
    expect((await readdir(join(rubrics, 'curso-2027'))).sort()).toEqual(['example', 'pack.yaml', 'week-01.yaml']);
    const validated = await run(['pack', 'validate', 'curso-2027', '--rubrics', rubrics, '--json']);
    expect(validated.code).toBe(0);
    expect(JSON.parse(validated.out).weeks).toHaveLength(1);
    // Never over an existing pack; names as pack names are.
    const again = await run(['pack', 'new', 'curso-2027', '--rubrics', rubrics, '--lang', 'en', '--json']);
    expect(again.code).toBe(2);
    expect(JSON.parse(again.out).error.code).toBe('target-not-empty');
    const bad = await run(['pack', 'new', 'Curso 2027', '--rubrics', rubrics, '--lang', 'es']);
    expect(bad.code).toBe(2);
    expect(bad.err).toContain('minúsculas, dígitos y guiones');
  });
});
