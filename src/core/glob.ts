import picomatch from 'picomatch';

/**
 * Globs in rubrics match the way a TA reads them: `**` crosses folders, dotfiles
 * count (`.github/workflows/*.yml`), and letter case is ignored so `readme.md`
 * finds `README.md`.
 */
export function globMatcher(patterns: string | readonly string[]): (path: string) => boolean {
  const list = typeof patterns === 'string' ? [patterns] : [...patterns];
  return picomatch(list, { dot: true, nocase: true });
}

/** Paths of the snapshot the grader never treats as the student's deliverables. */
export function isGitInternal(path: string): boolean {
  return path === '.git' || path.startsWith('.git/');
}

/**
 * Does a path, or any tail of it, match? pytest prints paths from its rootdir, which
 * may be a subfolder of the repository (a project in `proj/`), so `tests/x.py` globs
 * find `proj/tests/x.py` too.
 */
export function tailGlobMatcher(patterns: string | readonly string[]): (path: string) => boolean {
  const matches = globMatcher(patterns);
  return (path) => {
    const parts = path.split('/');
    for (let i = 0; i < parts.length; i++) {
      if (parts[i] === '..' || parts[i] === '.') continue;
      if (matches(parts.slice(i).join('/'))) return true;
    }
    return false;
  };
}
