/** Where things are inside the sandbox; plain data so pure checks can name them. */
export const REPO_DIR = '/work/repo';
/** Writable folder for reports a command leaves for the grader (coverage.json). */
export const OUT_DIR = '/work/out';
