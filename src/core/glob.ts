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
