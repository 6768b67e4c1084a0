/** Where things are inside the sandbox; plain data so pure checks can name them. */
export const REPO_DIR = '/work/repo';
/** Writable folder for reports a command leaves for the grader (coverage.json). */
export const OUT_DIR = '/work/out';
/** The grader's own folder: root-owned, read-only to the student (the coverage configuration). */
export const GRADER_DIR = '/work/grader';
/** Where the student's test run records coverage data for the grader to report on. */
export const COVERAGE_DATA_DIR = '/work/cov';
/** Packages the install step put there for the student's commands: read-only, on their PYTHONPATH only. */
export const DEPENDENCIES_DIR = '/opt/rubrica/deps';
