import { describe, expect, it } from 'vitest';
import { gitignoreCheck, suggest, type GitignoreParams } from '../../../src/checks/gitignore.ts';
import type { FileEntry, IgnoreVerdict } from '../../../src/checks/types.ts';
import { asShown, evidence } from '../../helpers/evidence.ts';

/*
 * What a student reads from the gitignore check, word for word: the message, each
 * item's note, the annotations, and the lines it suggests for each kind of path.
 */

const ENV = { label: { es: 'secretos', en: 'secrets' }, anyOf: ['.env'] };
const DATA = { label: { es: 'datos crudos', en: 'raw data' }, anyOf: ['data/raw/train.csv'] };

function params(raw: Record<string, unknown>): GitignoreParams {
  return gitignoreCheck.params.parse(raw);
}

function run(raw: Record<string, unknown>, ignore: Record<string, IgnoreVerdict>, files: Record<string, string | null> = { '.gitignore': 'x\n' }, extra: Partial<Parameters<typeof evidence>[0]> = {}) {
  return asShown(gitignoreCheck.evaluate(params(raw), evidence({ files, ignore, ...extra })));
}

const STARTER = '`.venv/`, `__pycache__/`, `*.py[cod]`, `*.egg-info/`, `.env`, `.ipynb_checkpoints/`, `.pytest_cache/`';

describe('a .gitignore git cannot use', () => {
  it('asks for one, with the starter lines, when there is none', () => {
    const o = run({ ignored: [ENV] }, {}, { 'README.md': '# x\n' });
    expect(o.fraction).toBe(0);
    expect(o.message).toEqual({
      es: `No hay \`.gitignore\` en la raíz del repositorio. Créalo partiendo de la plantilla de Python (github.com/github/gitignore o gitignore.io) con, al menos: ${STARTER}; haz commit y push.`,
      en: `There is no \`.gitignore\` at the root of the repository. Create one from the Python template (github.com/github/gitignore or gitignore.io) with at least: ${STARTER}; commit and push.`,
    });
  });

  it('says git does not follow a symlinked one', () => {
    const ev = evidence({ files: { 'README.md': 'x' } });
    const link: FileEntry = { path: '.gitignore', type: 'symlink', size: 10, target: 'other' };
    const o = asShown(gitignoreCheck.evaluate(params({ ignored: [ENV] }), { ...ev, files: [...ev.files, link] }));
    expect(o.message.es).toBe(`Tu \`.gitignore\` es un enlace simbólico y git no sigue enlaces para \`.gitignore\`: no ignora nada. Reemplázalo por un archivo normal con, al menos: ${STARTER}.`);
  });

  it('marks a UTF-16 or binary file for the student to save again', () => {
    expect(run({ ignored: [ENV] }, {}, undefined, { gitignoreEncoding: 'utf-16' }).annotations).toEqual([
      { path: '.gitignore', message: { es: 'Guarda este archivo como UTF-8: git no lee UTF-16.', en: 'Save this file as UTF-8: git does not read UTF-16.' } },
    ]);
    const binary = run({ ignored: [ENV] }, {}, undefined, { gitignoreEncoding: 'binary' });
    expect(binary.annotations).toEqual([{ path: '.gitignore', message: { es: 'Vuelve a crear este archivo como texto UTF-8.', en: 'Create this file again as UTF-8 text.' } }]);
    expect(binary.message.es).toMatch(/^Tu `\.gitignore` tiene bytes nulos \(¿UTF-16 sin marca de orden, o un archivo que no es texto\?\)/);
  });
});

describe('gitignore messages', () => {
  it('lists what is missing, the lines to add, the kept paths it ignores, and how to check', () => {
    const o = run(
      { ignored: [ENV, DATA], kept: ['data/raw/.gitkeep', 'src/main.py'] },
      { '.env': { ignored: false }, 'data/raw/train.csv': { ignored: false }, 'data/raw/.gitkeep': { ignored: true, rule: '.gitignore:12:data/' } },
      { '.gitignore': 'data/\n', 'src/main.py': 'x' },
    );
    expect(o.items).toEqual([
      { label: { es: 'secretos', en: 'secrets' }, ok: false, note: { es: '`.env` no está ignorado; agrega `.env`', en: '`.env` is not ignored; add `.env`' } },
      {
        label: { es: 'datos crudos', en: 'raw data' },
        ok: false,
        note: { es: '`data/raw/train.csv` no está ignorado; agrega `data/raw/*` + `!data/raw/.gitkeep`', en: '`data/raw/train.csv` is not ignored; add `data/raw/*` + `!data/raw/.gitkeep`' },
      },
      {
        label: { es: '`data/raw/.gitkeep` se versiona', en: '`data/raw/.gitkeep` is versioned' },
        ok: false,
        note: {
          es: 'lo ignora .gitignore:12:`data/`; cambia `data/` por `data/**`, `!data/**/`, `!data/raw/.gitkeep` (git no reincluye archivos de una carpeta ignorada)',
          en: 'ignored by .gitignore:12:`data/`; replace `data/` with `data/**`, `!data/**/`, `!data/raw/.gitkeep` (git does not re-include files of an ignored folder)',
        },
      },
      // No verdict at all: git does not ignore it.
      { label: { es: '`src/main.py` se versiona', en: '`src/main.py` is versioned' }, ok: true },
    ]);
    expect(o.message).toEqual({
      es: 'Según `git check-ignore`, se cumplen 1 de 4 requisitos. Falta: secretos, datos crudos y `data/raw/.gitkeep` se versiona. Agrega a `.gitignore`: `.env`, `data/raw/*`, `!data/raw/.gitkeep`. `data/raw/.gitkeep` debe versionarse y hoy está ignorado: ajusta la regla marcada. Compruébalo con `git check-ignore -v <ruta>`.',
      en: 'Per `git check-ignore`, 1 of 4 requirements hold. Missing: secrets, raw data, and `data/raw/.gitkeep` is versioned. Add to `.gitignore`: `.env`, `data/raw/*`, `!data/raw/.gitkeep`. `data/raw/.gitkeep` must be versioned and is ignored today: adjust the marked rule. Check it with `git check-ignore -v <path>`.',
    });
    expect(o.annotations).toEqual([
      {
        path: '.gitignore',
        line: 12,
        message: {
          es: 'Esta regla ignora `data/raw/.gitkeep`, que debe versionarse: cambia `data/` por `data/**`, `!data/**/`, `!data/raw/.gitkeep` (git no reincluye archivos de una carpeta ignorada).',
          en: 'This rule ignores `data/raw/.gitkeep`, which must be versioned: replace `data/` with `data/**`, `!data/**/`, `!data/raw/.gitkeep` (git does not re-include files of an ignored folder).',
        },
      },
    ]);
  });

  it('says all is covered, and only then', () => {
    const o = run({ ignored: [ENV] }, { '.env': { ignored: true, rule: '.gitignore:1:.env' } });
    expect(o.message).toEqual({
      es: 'El `.gitignore` cubre lo pedido (1 de 1 requisito, según `git check-ignore`).',
      en: 'The `.gitignore` covers what is asked (1 of 1 requirement, per `git check-ignore`).',
    });
    expect(o.annotations).toBeUndefined();
  });

  it('says an empty .gitignore is empty, and not a full one; no lines to add when only a kept path is wrong', () => {
    const empty = run({ ignored: [ENV] }, {}, { '.gitignore': '' });
    expect(empty.message.en).toBe('Per `git check-ignore`, 0 of 1 requirement hold. Missing: secrets. Your `.gitignore` is empty. Add to `.gitignore`: `.env`. Check it with `git check-ignore -v <path>`.');
    expect(empty.message.es).toContain('. Tu `.gitignore` está vacío. ');
    const kept = run({ ignored: [ENV], kept: ['notes.txt'] }, { '.env': { ignored: true, rule: '.gitignore:1:*' }, 'notes.txt': { ignored: true } }, { '.gitignore': '*\n' });
    expect(kept.message.en).toBe('Per `git check-ignore`, 1 of 2 requirements hold. Missing: `notes.txt` is versioned. `notes.txt` must be versioned and is ignored today: adjust the marked rule. Check it with `git check-ignore -v <path>`.');
    // Ignored without a rule git named: the plain fix, and no annotation.
    expect(kept.items![1]!.note).toEqual({ es: 'está ignorado; agrega `!notes.txt`', en: 'it is ignored; add `!notes.txt`' });
    expect(kept.annotations).toBeUndefined();
  });

  it('names the rule that ignores a path, even with no line number or an unreadable rule', () => {
    const note = (rule: string | undefined) => run({ ignored: [ENV] }, { '.env': { ignored: true, ...(rule === undefined ? {} : { rule }) } }).items![0]!.note;
    expect(note('.gitignore::.env')).toEqual({ es: '`.env` ignorado por .gitignore:?:`.env`', en: '`.env` ignored by .gitignore:?:`.env`' });
    expect(note('sub/.gitignore:3:a:b')).toEqual({ es: '`.env` ignorado por sub/.gitignore:3:`a:b`', en: '`.env` ignored by sub/.gitignore:3:`a:b`' });
    expect(note('weird')).toEqual({ es: '`.env` ignorado', en: '`.env` ignored' });
    expect(note(undefined)).toEqual({ es: '`.env` ignorado', en: '`.env` ignored' });
  });

  it('says which line re-includes a path, in English, and marks it', () => {
    const o = run({ ignored: [ENV] }, { '.env': { ignored: false, rule: '.gitignore:9:!.env' } });
    expect(o.items![0]!.note!.en).toBe('`.env` is included again by .gitignore:9:`!.env`: remove that line');
    expect(o.annotations).toEqual([
      { path: '.gitignore', line: 9, message: { es: 'Esta regla hace que `.env` se versione; debería ignorarse.', en: 'This rule makes `.env` versioned; it should be ignored.' } },
    ]);
  });
});

describe('how to keep a path a rule ignores', () => {
  const fix = (kept: string, rule: string) =>
    run({ ignored: [ENV], kept: [kept] }, { '.env': { ignored: true, rule: '.gitignore:1:.env' }, [kept]: { ignored: true, rule } }, { '.gitignore': 'x\n', 'data/.gitignore': 'raw/\n' }).items![1]!.note!.en;
  const generic = (path: string) => `add \`!${path}\` after that line or make the rule narrower`;

  it('rewrites a plain folder rule of the root .gitignore', () => {
    expect(fix('data/.gitkeep', '.gitignore:2:data/')).toBe('ignored by .gitignore:2:`data/`; replace `data/` with `data/*`, `!data/.gitkeep` (git does not re-include files of an ignored folder)');
    expect(fix('data/raw/.gitkeep', '.gitignore:2:/data/')).toBe('ignored by .gitignore:2:`/data/`; replace `/data/` with `data/**`, `!data/**/`, `!data/raw/.gitkeep` (git does not re-include files of an ignored folder)');
    expect(fix('data/raw/x/.gitkeep', '.gitignore:2:data/raw/')).toBe('ignored by .gitignore:2:`data/raw/`; replace `data/raw/` with `data/raw/**`, `!data/raw/**/`, `!data/raw/x/.gitkeep` (git does not re-include files of an ignored folder)');
    // Unanchored: the folder may sit at any depth.
    expect(fix('data/raw/.gitkeep', '.gitignore:2:raw/')).toBe('ignored by .gitignore:2:`raw/`; replace `raw/` with `data/raw/*`, `!data/raw/.gitkeep` (git does not re-include files of an ignored folder)');
  });

  it('suggests a negation for anything else', () => {
    expect(fix('data/raw/.gitkeep', 'data/.gitignore:1:raw/')).toBe(`ignored by data/.gitignore:1:\`raw/\`; ${generic('data/raw/.gitkeep')}`);
    expect(fix('data/x.csv', '.gitignore:2:*.csv')).toBe(`ignored by .gitignore:2:\`*.csv\`; ${generic('data/x.csv')}`);
    expect(fix('data/x.csv', '.gitignore:2:data')).toBe(`ignored by .gitignore:2:\`data\`; ${generic('data/x.csv')}`);
    expect(fix('data/x.csv', '.gitignore:2:/')).toBe(`ignored by .gitignore:2:\`/\`; ${generic('data/x.csv')}`);
    expect(fix('data/x.csv', '.gitignore:2:/other/')).toBe(`ignored by .gitignore:2:\`/other/\`; ${generic('data/x.csv')}`);
    expect(fix('data/x.csv', '.gitignore:2:other/')).toBe(`ignored by .gitignore:2:\`other/\`; ${generic('data/x.csv')}`);
    expect(fix('data/x.csv', '.gitignore:2:x.csv/')).toBe(`ignored by .gitignore:2:\`x.csv/\`; ${generic('data/x.csv')}`);
    expect(run({ ignored: [ENV], kept: ['a.txt'] }, { '.env': { ignored: true }, 'a.txt': { ignored: true, rule: '.gitignore:2:*.txt' } }).items![1]!.note!.es).toBe(
      'lo ignora .gitignore:2:`*.txt`; agrega `!a.txt` después de esa línea o haz la regla más específica',
    );
    expect(run({ ignored: [ENV], kept: ['d/a.txt'] }, { '.env': { ignored: true }, 'd/a.txt': { ignored: true, rule: '.gitignore:2:d/' } }).items![1]!.note!.es).toBe(
      'lo ignora .gitignore:2:`d/`; cambia `d/` por `d/*`, `!d/a.txt` (git no reincluye archivos de una carpeta ignorada)',
    );
  });
});

describe('suggested lines', () => {
  it('ignores a known tool folder whole, wherever it is', () => {
    for (const dir of ['.venv', 'venv', 'env', '.env', '__pycache__', '.ipynb_checkpoints', '.pytest_cache', '.mypy_cache', '.ruff_cache', '.tox', '.nox', 'node_modules', 'mlruns', 'mlartifacts', 'build', 'dist', 'htmlcov', 'wandb', 'outputs', '.idea', '.vscode']) {
      expect(suggest(`src/${dir}/file.bin`)).toEqual([`${dir}/`]);
    }
    expect(suggest('src/pkg.egg-info/PKG-INFO')).toEqual(['*.egg-info/']);
  });

  it('by extension only for a name with a plain one that does not start with a dot', () => {
    expect(suggest('model.pkl')).toEqual(['*.pkl']);
    expect(suggest('.hidden.txt')).toEqual(['.hidden.txt']);
    expect(suggest('notes.b-c')).toEqual(['notes.b-c']);
  });

  it('keeps what must stay inside a folder it ignores', () => {
    expect(suggest('data/x.csv', ['src/main.py'])).toEqual(['data/']);
    // The sample's own folder, never one above it (other files may live there).
    expect(suggest('data/raw/x.csv', ['src/main.py'])).toEqual(['data/raw/']);
    expect(suggest('data/raw/train.csv', ['data/raw/.gitkeep', 'data/raw/README.md'])).toEqual(['*.csv']);
    expect(suggest('data/raw/train.csv', ['data/raw/.gitkeep', 'data/raw/.gitattributes'])).toEqual(['data/raw/*', '!data/raw/.gitkeep', '!data/raw/.gitattributes']);
  });
});
