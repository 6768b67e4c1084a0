import { describe, expect, it } from 'vitest';
import { filesCheck } from '../../../src/checks/files.ts';
import { evidence, asShown } from '../../helpers/evidence.ts';

const layout = (dirs: string[]) => ({ require: dirs.map((glob) => ({ glob, type: 'dir' as const })), pathIsAssignment: true });

function run(params: unknown, ev = evidence()) {
  return asShown(filesCheck.evaluate(filesCheck.params.parse(params), ev));
}

describe('files check', () => {
  const six = ['src', 'data/raw', 'models', 'tests', 'configs', 'docs'];

  it('gives full marks when every folder is there', () => {
    const ev = evidence({ files: Object.fromEntries(six.map((d) => [`${d}/.gitkeep`, ''])) });
    const outcome = run(layout(six), ev);
    expect(outcome.fraction).toBe(1);
    expect(outcome.message.en).toContain('6 of 6');
  });

  it('gives partial credit per folder and says the path is part of the assignment', () => {
    const ev = evidence({ files: Object.fromEntries(six.slice(0, 4).map((d) => [`${d}/.gitkeep`, ''])) });
    const outcome = run(layout(six), ev);
    expect(outcome.fraction).toBeCloseTo(4 / 6);
    expect(outcome.message.es).toContain('Hay 4 de 6 carpetas. Falta: `configs` y `docs`.');
    expect(outcome.message.en).toContain('4 of 6 folders present. Missing: `configs` and `docs`.');
    expect(outcome.message.es).toContain('consigna');
    expect(outcome.items!.filter((i) => !i.ok).map((i) => i.label.en)).toEqual(['`configs`', '`docs`']);
  });

  it('is all-or-nothing without partial', () => {
    const ev = evidence({ files: { 'src/a.py': '' } });
    expect(run({ ...layout(['src', 'docs']), partial: false }, ev).fraction).toBe(0);
  });

  it('points at a folder put elsewhere', () => {
    const ev = evidence({ files: { 'project/data/raw/.gitkeep': '' } });
    const outcome = run(layout(['data/raw']), ev);
    expect(outcome.fraction).toBe(0);
    expect(outcome.message.en).toContain('Found `project/data/raw`: move it to `data/raw`');
  });

  it('counts matches against min and max', () => {
    const ev = evidence({ files: { 'mlruns/0/a/meta.yaml': '', 'mlruns/0/b/meta.yaml': '' } });
    const outcome = run({ require: [{ glob: 'mlruns/*/*/meta.yaml', type: 'file', min: 3 }] }, ev);
    expect(outcome.fraction).toBe(0);
    expect(outcome.items![0]!.note!.en).toBe('2 of 3');
    const many = run({ require: [{ glob: 'mlruns/*/*/meta.yaml', type: 'file', min: 1, max: 1 }] }, ev);
    expect(many.items![0]!.note!.en).toContain('at most 1');
  });

  it('does not take a symlink or a folder for a file, and says why', () => {
    const ev = evidence();
    const withLink = { ...ev, files: [{ path: 'README.md', type: 'symlink' as const, size: 0, target: '/etc/passwd' }] };
    const outcome = run({ require: [{ glob: 'README.md', type: 'file' }] }, withLink);
    expect(outcome.fraction).toBe(0);
    expect(outcome.items![0]!.note!.en).toContain('symbolic link to `/etc/passwd`');
    const folder = run({ require: [{ glob: 'models', type: 'file' }] }, evidence({ files: { models: null } }));
    expect(folder.items![0]!.note!.en).toContain('is a folder');
  });

  it('names a required file that was too large to copy', () => {
    const ev = evidence({ skipped: [{ path: 'models/model.joblib', size: 80 << 20, reason: 'too-large' }] });
    const outcome = run({ require: [{ glob: 'models/*.joblib', type: 'file' }] }, ev);
    expect(outcome.items![0]!.note!.es).toContain('80,0 MB');
    expect(outcome.items![0]!.note!.es).toContain('DVC');
  });

  it('refuses unknown keys and an empty list', () => {
    expect(filesCheck.params.safeParse({ require: [{ glob: 'src', kind: 'dir' }] }).success).toBe(false);
    expect(filesCheck.params.safeParse({ require: [] }).success).toBe(false);
  });
});
