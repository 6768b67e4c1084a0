import { describe, expect, it } from 'vitest';
import type { FileEntry } from '../../../src/checks/types.ts';
import { findProject, MAX_CANDIDATES, projectFolders, projectNote, projectView } from '../../../src/grading/project.ts';

/** A listing as the sandbox makes it: every folder of a file listed, `name/` marks a folder, `name -> x` a symlink. */
function tree(...paths: string[]): FileEntry[] {
  const out = new Map<string, FileEntry>();
  for (const raw of paths) {
    const link = raw.split(' -> ');
    const path = link[0]!.replace(/\/$/, '');
    const parts = path.split('/');
    for (let i = 1; i < parts.length; i++) {
      const dir = parts.slice(0, i).join('/');
      out.set(dir, { path: dir, type: 'dir', size: 0 });
    }
    out.set(
      path,
      link.length > 1
        ? { path, type: 'symlink', size: 0, target: link[1]! }
        : raw.endsWith('/')
          ? { path, type: 'dir', size: 0 }
          : { path, type: 'file', size: 10 },
    );
  }
  return [...out.values()].sort((a, b) => (a.path < b.path ? -1 : 1));
}

const WEEK2 = [['pyproject.toml'], ['src/**/*.py'], ['configs/**/*.y*ml', 'config.y*ml']];

describe('projectFolders', () => {
  it('finds a folder with a marker beside src/, tests/ or a package, at any depth', () => {
    const files = tree(
      'README.md',
      'portfolio/churn/pyproject.toml',
      'portfolio/churn/src/churn/__init__.py',
      'portfolio/flat/requirements.txt',
      'portfolio/flat/tests/test_x.py',
      'portfolio/pkg/setup.py',
      'portfolio/pkg/pkg/__init__.py',
      'portfolio/notes/requirements.txt',
      'portfolio/notes/notes.md',
    );
    expect(projectFolders(files)).toEqual(['portfolio/churn', 'portfolio/flat', 'portfolio/pkg']);
  });

  it('counts the repository root like any other folder', () => {
    expect(projectFolders(tree('pyproject.toml', 'src/app/__init__.py'))).toEqual(['']);
  });

  it('ignores virtual environments, hidden folders, dependencies, symlinked markers and symlinked folders', () => {
    const files = tree(
      '.venv/lib/python3.11/site-packages/x/setup.py',
      '.venv/lib/python3.11/site-packages/x/src/',
      'venv/pyvenv.cfg',
      'venv/requirements.txt',
      'venv/src/',
      'node_modules/y/setup.py',
      'node_modules/y/tests/',
      'linked/pyproject.toml -> ../elsewhere/pyproject.toml',
      'linked/src/',
      'other/requirements.txt',
      'other/src -> /etc',
    );
    expect(projectFolders(files)).toEqual([]);
  });
});

describe('findProject', () => {
  it('grades the repository root when no folder looks like a project', () => {
    expect(findProject(tree('README.md', 'main.py'), WEEK2)).toEqual({ root: '', candidates: [], rule: 'none' });
  });

  it('finds a nested project when it is the only one', () => {
    const files = tree('README.md', 'work/mlops/pyproject.toml', 'work/mlops/src/m/__init__.py', 'work/mlops/configs/config.yaml', 'work/mlops/tests/test_a.py');
    expect(findProject(files, WEEK2)).toEqual({ root: 'work/mlops', candidates: [{ root: 'work/mlops', deliverables: 3 }], rule: 'only' });
  });

  it('among several, picks the one holding most of the week\'s deliverables', () => {
    const files = tree(
      'a-first/requirements.txt',
      'a-first/src/old.py',
      'z-second/pyproject.toml',
      'z-second/src/z/__init__.py',
      'z-second/configs/config.yaml',
    );
    const choice = findProject(files, WEEK2);
    expect(choice.root).toBe('z-second');
    expect(choice.rule).toBe('most-deliverables');
    expect(choice.candidates).toEqual([
      { root: 'z-second', deliverables: 3 },
      { root: 'a-first', deliverables: 1 },
    ]);
  });

  it('breaks a tie by depth, then alphabetically', () => {
    const shallow = tree('p/pyproject.toml', 'p/src/a.py', 'deep/er/pyproject.toml', 'deep/er/src/a.py');
    expect(findProject(shallow, WEEK2)).toMatchObject({ root: 'p', rule: 'shallowest' });
    const same = tree('b/pyproject.toml', 'b/src/a.py', 'a/pyproject.toml', 'a/src/a.py');
    expect(findProject(same, WEEK2)).toMatchObject({ root: 'a', rule: 'alphabetical' });
  });

  it('weighs at most the shallowest MAX_CANDIDATES folders, so a hostile repository costs no more', () => {
    const many = Array.from({ length: 200 }, (_, i) => [`p${String(i).padStart(3, '0')}/requirements.txt`, `p${String(i).padStart(3, '0')}/src/a.py`]).flat();
    const files = tree(...many, 'deep/er/pyproject.toml', 'deep/er/src/a.py', 'deep/er/configs/c.yaml');
    const choice = findProject(files, WEEK2);
    expect(choice.candidates).toHaveLength(MAX_CANDIDATES);
    expect(choice.root).toBe('p000');
  });

  it('prefers the repository root over an example project inside it when they tie', () => {
    const files = tree('pyproject.toml', 'src/app/__init__.py', 'examples/demo/pyproject.toml', 'examples/demo/src/demo.py');
    expect(findProject(files, WEEK2)).toMatchObject({ root: '', rule: 'shallowest' });
  });
});

describe('projectView', () => {
  it('sees paths from the project folder and inherits what tools read only at the git root', () => {
    const files = tree('.github/workflows/ci.yml', '.gitignore', 'README.md', 'proj/README.md', 'proj/src/a.py', 'other/x.py');
    const view = projectView(files, 'proj');
    expect(view.files.map((f) => f.path)).toEqual(['.github', '.github/workflows', '.github/workflows/ci.yml', '.gitignore', 'README.md', 'src', 'src/a.py']);
    expect(view.real.get('README.md')).toBe('proj/README.md');
    expect(view.real.get('.github/workflows/ci.yml')).toBe('.github/workflows/ci.yml');
  });

  it('keeps the project\'s own copy of a repository-level path', () => {
    const files = tree('.gitignore', 'proj/.gitignore', 'proj/src/a.py');
    const view = projectView(files, 'proj');
    expect(view.real.get('.gitignore')).toBe('proj/.gitignore');
    expect(view.files.filter((f) => f.path === '.gitignore')).toHaveLength(1);
  });

  it('is the listing itself at the repository root', () => {
    const files = tree('a.py');
    expect(projectView(files, '').files).toBe(files);
  });
});

describe('projectNote', () => {
  it('names the graded folder, the candidates and how to make the choice unambiguous', () => {
    const files = tree('a/pyproject.toml', 'a/src/x.py', 'b/pyproject.toml', 'b/src/x.py', 'b/configs/c.yaml');
    const note = projectNote(findProject(files, WEEK2));
    expect(note.en).toMatch(/^Graded folder: .*b.*, of 2 project folders/);
    expect(note.en).toContain("chosen: the one with most of this week's deliverables");
    expect(note.en).toContain('keep this week\'s work in one folder');
    expect(note.es).toContain('Carpeta corregida');
  });

  it('says the repository root was graded when there is no project folder', () => {
    expect(projectNote(findProject(tree('main.py'), WEEK2)).en).toMatch(/^Graded folder: the repository's root \(no folder/);
  });
});
