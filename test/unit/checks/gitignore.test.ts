import { describe, expect, it } from 'vitest';
import { gitignoreCheck, suggest, type GitignoreParams } from '../../../src/checks/gitignore.ts';
import type { IgnoreVerdict } from '../../../src/checks/types.ts';
import { evidence, asShown, asShownOf } from '../../helpers/evidence.ts';

const VENV = { label: { es: 'entornos virtuales', en: 'virtual environments' }, anyOf: ['.venv/pyvenv.cfg', 'venv/bin/python'] };
const PYC = { label: { es: 'bytecode', en: 'bytecode' }, anyOf: ['src/__pycache__/main.cpython-311.pyc'] };
const ENV = { label: { es: 'secretos', en: 'secrets' }, anyOf: ['.env'] };
const DATA = { label: { es: 'datos crudos', en: 'raw data' }, anyOf: ['data/raw/train.csv'] };

const GITIGNORE = '.venv/\n__pycache__/\n*.pyc\n.env\ndata/raw/*\n!data/raw/.gitkeep\n';

function params(raw: Record<string, unknown>): GitignoreParams {
  return gitignoreCheck.params.parse(raw);
}

function run(raw: Record<string, unknown>, ignore: Record<string, IgnoreVerdict>, files: Record<string, string | null> = { '.gitignore': GITIGNORE }) {
  return asShown(gitignoreCheck.evaluate(params(raw), evidence({ files, ignore })));
}

/** Verdicts as git check-ignore -v reports them for GITIGNORE. */
const ALL_GOOD: Record<string, IgnoreVerdict> = {
  '.venv/pyvenv.cfg': { ignored: true, rule: '.gitignore:1:.venv/' },
  'venv/bin/python': { ignored: false },
  'src/__pycache__/main.cpython-311.pyc': { ignored: true, rule: '.gitignore:2:__pycache__/' },
  '.env': { ignored: true, rule: '.gitignore:4:.env' },
  'data/raw/train.csv': { ignored: true, rule: '.gitignore:5:data/raw/*' },
  'data/raw/.gitkeep': { ignored: false, rule: '.gitignore:6:!data/raw/.gitkeep' },
  'src/main.py': { ignored: false },
};

describe('gitignore params', () => {
  it('fills defaults and asks for every sample path and kept path once', () => {
    const p = params({ ignored: [VENV, { ...PYC, anyOf: ['.venv/pyvenv.cfg'] }] });
    expect(p.kept).toEqual([]);
    expect(p.partial).toBe(true);
    expect(gitignoreCheck.requirements(params({ ignored: [VENV, ENV], kept: ['src/main.py', '.env'] }))).toEqual({
      ignorePaths: ['.venv/pyvenv.cfg', 'venv/bin/python', '.env', 'src/main.py'],
      contents: ['.gitignore'],
    });
  });

  it.each([
    ['no ignored list', {}],
    ['an empty ignored list', { ignored: [] }],
    ['an item without samples', { ignored: [{ ...VENV, anyOf: [] }] }],
    ['an item without a label', { ignored: [{ anyOf: ['.env'] }] }],
    ['a label missing English', { ignored: [{ label: { es: 'x' }, anyOf: ['.env'] }] }],
    ['a misspelt key', { ignored: [VENV], kep: ['src/main.py'] }],
    ['an absolute sample', { ignored: [{ ...VENV, anyOf: ['/etc/passwd'] }] }],
    ['a sample escaping the repository', { ignored: [VENV], kept: ['../outside.py'] }],
    ['a folder instead of a file', { ignored: [{ ...VENV, anyOf: ['.venv/'] }] }],
    ['a non-boolean partial', { ignored: [VENV], partial: 'yes' }],
  ])('refuses %s', (_, raw) => {
    expect(gitignoreCheck.params.safeParse(raw).success).toBe(false);
  });
});

describe('gitignore evaluate', () => {
  it('gives full marks and names the deciding rule of each item', () => {
    const out = run({ ignored: [VENV, PYC, ENV, DATA], kept: ['src/main.py', 'data/raw/.gitkeep'] }, ALL_GOOD);
    expect(out.fraction).toBe(1);
    expect(out.items?.map((i) => i.ok)).toEqual([true, true, true, true, true, true]);
    expect(out.items?.[0]?.note?.es).toBe('`.venv/pyvenv.cfg` ignorado por .gitignore:1:`.venv/`');
    expect(out.items?.[3]?.note?.en).toBe('`data/raw/train.csv` ignored by .gitignore:5:`data/raw/*`');
    expect(out.message.es).toContain('6 de 6');
    expect(out.message.en).toContain('git check-ignore');
    expect(out.annotations).toBeUndefined();
  });

  it('accepts any one of the sample paths (venv/ instead of .venv/)', () => {
    const out = run({ ignored: [VENV] }, {
      '.venv/pyvenv.cfg': { ignored: false },
      'venv/bin/python': { ignored: true, rule: '.gitignore:7:venv/' },
    });
    expect(out.fraction).toBe(1);
    expect(out.items?.[0]?.note?.en).toBe('`venv/bin/python` ignored by .gitignore:7:`venv/`');
  });

  it('gives partial credit and suggests the lines to add', () => {
    const out = run({ ignored: [VENV, PYC, ENV, DATA] }, {
      '.venv/pyvenv.cfg': { ignored: true, rule: '.gitignore:1:.venv/' },
      'src/__pycache__/main.cpython-311.pyc': { ignored: true, rule: '.gitignore:3:*.pyc' },
    });
    expect(out.fraction).toBe(0.5);
    expect(out.items?.map((i) => i.ok)).toEqual([true, true, false, false]);
    expect(out.items?.[1]?.note?.es).toContain('.gitignore:3:`*.pyc`');
    expect(out.items?.[2]?.note?.es).toBe('`.env` no está ignorado; agrega `.env`');
    expect(out.items?.[3]?.note?.en).toBe('`data/raw/train.csv` is not ignored; add `data/raw/`');
    expect(out.message.es).toContain('2 de 4');
    expect(out.message.es).toContain('Falta: secretos y datos crudos.');
    expect(out.message.en).toContain('Add to `.gitignore`: `.env`, `data/raw/`.');
    expect(out.message.en).toContain('git check-ignore -v <path>');
  });

  it('gives nothing when partial credit is off and one item is missing', () => {
    const out = run({ ignored: [VENV, ENV], partial: false }, { '.venv/pyvenv.cfg': { ignored: true, rule: '.gitignore:1:.venv/' } });
    expect(out.fraction).toBe(0);
    expect(out.items?.filter((i) => i.ok)).toHaveLength(1);
  });

  it('marks a kept path that a rule ignores, at that rule', () => {
    const files = { '.gitignore': 'data/\n*.md\n', 'README.md': '# x' };
    const out = run(
      { ignored: [DATA], kept: ['README.md', 'data/raw/.gitkeep', 'src/main.py'] },
      {
        'data/raw/train.csv': { ignored: true, rule: '.gitignore:1:data/' },
        'README.md': { ignored: true, rule: '.gitignore:2:*.md' },
        'data/raw/.gitkeep': { ignored: true, rule: '.gitignore:1:data/' },
        'src/main.py': { ignored: false },
      },
      files,
    );
    expect(out.fraction).toBe(0.5);
    expect(out.items?.map((i) => i.ok)).toEqual([true, false, false, true]);
    expect(out.items?.[1]?.note?.en).toContain('ignored by .gitignore:2:`*.md`; add `!README.md`');
    // git cannot re-include a file inside an excluded folder: the advice says how instead.
    expect(out.items?.[2]?.note?.en).toContain('replace `data/` with `data/**`, `!data/**/`, `!data/raw/.gitkeep`');
    expect(out.annotations).toEqual([
      expect.objectContaining({ path: '.gitignore', line: 2 }),
      expect.objectContaining({ path: '.gitignore', line: 1 }),
    ]);
    expect(out.annotations?.[0]?.message.es).toContain('`README.md`');
    expect(out.message.es).toContain('`README.md`, `data/raw/.gitkeep` debe versionarse');
  });

  it('says which line re-includes a path that should be ignored', () => {
    const out = run({ ignored: [ENV] }, { '.env': { ignored: false, rule: '.gitignore:9:!.env' } });
    expect(out.fraction).toBe(0);
    expect(out.items?.[0]?.note?.es).toBe('`.env` vuelve a incluirse por .gitignore:9:`!.env`: quita esa línea');
    expect(out.annotations).toEqual([expect.objectContaining({ path: '.gitignore', line: 9 })]);
  });

  it('does not annotate a rule that lives outside the repository', () => {
    const out = run({ ignored: [ENV], kept: ['src/main.py'] }, {
      '.env': { ignored: true, rule: '.gitignore:1:.env' },
      'src/main.py': { ignored: true, rule: '.git/info/exclude:7:*.py' },
    });
    expect(out.fraction).toBe(0.5);
    expect(out.annotations).toBeUndefined();
  });

  it('asks for a .gitignore when there is none', () => {
    const out = run({ ignored: [VENV, ENV] }, { '.env': { ignored: false } }, { 'src/main.py': 'print(1)' });
    expect(out.fraction).toBe(0);
    expect(out.message.es).toContain('No hay `.gitignore` en la raíz');
    expect(out.message.en).toContain('`__pycache__/`');
    expect(out.message.en).toContain('gitignore.io');
    expect(out.items).toBeUndefined();
  });

  it('still judges git verdicts when only a nested .gitignore exists', () => {
    const out = run({ ignored: [VENV, DATA] }, { 'data/raw/train.csv': { ignored: true, rule: 'data/.gitignore:1:raw/' } }, { 'data/.gitignore': 'raw/\n' });
    expect(out.fraction).toBe(0.5);
    expect(out.items?.[1]?.note?.es).toContain('data/.gitignore:1:`raw/`');
  });

  it('explains a UTF-16 .gitignore instead of grading the garbage git read', () => {
    const out = asShownOf(gitignoreCheck, 
      params({ ignored: [VENV] }),
      evidence({
        files: { '.gitignore': '.venv/\n' },
        gitignoreEncoding: 'utf-16',
        ignore: { '.venv/pyvenv.cfg': { ignored: true, rule: '.gitignore:1:\ufffd\ufffd.' } },
      }),
    );
    expect(out.fraction).toBe(0);
    expect(out.message.es).toContain('UTF-16');
    expect(out.message.es).toContain('git no puede leerlo');
    expect(out.message.en).toContain('Save with Encoding');
    expect(out.message.en).toContain('Set-Content -Encoding utf8');
    expect(out.annotations?.[0]?.path).toBe('.gitignore');
  });

  it('refuses a .gitignore with NUL bytes', () => {
    const out = asShownOf(gitignoreCheck, params({ ignored: [VENV] }), evidence({ files: { '.gitignore': 'x' }, gitignoreEncoding: 'binary' }));
    expect(out.fraction).toBe(0);
    expect(out.message.en).toContain('NUL bytes');
  });

  it('says git does not follow a symlinked .gitignore', () => {
    const ev = evidence({ files: {} });
    const out = asShownOf(gitignoreCheck, params({ ignored: [VENV] }), {
      ...ev,
      files: [{ path: '.gitignore', type: 'symlink', size: 0, target: 'config/gitignore' }],
    });
    expect(out.fraction).toBe(0);
    expect(out.message.en).toContain('symbolic link');
  });

  it('says when the .gitignore is empty', () => {
    const out = run({ ignored: [VENV] }, {}, { '.gitignore': '' });
    expect(out.fraction).toBe(0);
    expect(out.message.en).toContain('Your `.gitignore` is empty.');
    expect(out.message.en).toContain('`.venv/`');
  });
});

describe('suggest', () => {
  it.each([
    ['.venv/pyvenv.cfg', [], ['.venv/']],
    ['src/__pycache__/main.cpython-311.pyc', ['src/main.py'], ['__pycache__/']],
    ['notebooks/.ipynb_checkpoints/eda-checkpoint.ipynb', [], ['.ipynb_checkpoints/']],
    ['src/proyecto.egg-info/PKG-INFO', [], ['*.egg-info/']],
    ['.env', [], ['.env']],
    ['model.pkl', [], ['*.pkl']],
    ['data/raw/train.csv', ['data/raw/.gitkeep'], ['data/raw/*', '!data/raw/.gitkeep']],
    ['src/model.pkl', ['src/main.py'], ['*.pkl']],
    ['data/raw/train.csv', ['data/README.md'], ['data/raw/']],
  ])('%s (keeping %j) → %j', (path, kept, expected) => {
    expect(suggest(path, kept)).toEqual(expected);
  });
});
