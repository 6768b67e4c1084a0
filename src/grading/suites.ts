/**
 * "The same suite": when `pytest --collect-only` over some paths timed out, pytest
 * never finished importing those tests (a conftest or a test module runs something
 * that does not end). Any later pytest command that collects at least those paths
 * would hang the same way, so it is not run: it fails at once with the same
 * explanation instead of waiting out its own timeout (see grade.ts).
 *
 * Only commands read with certainty count. A pytest invocation is
 * `pytest …`, `py.test …` or `python3 -m pytest …` as one step of a `;`/`&&`/`||`/`|`
 * chain; its options must be ones that do not change what is collected, and its
 * arguments plain paths (node ids count by their file). Anything else (another
 * option such as `--ignore`, `-x` or `-c`, a variable, a quote, a `cd`) makes the
 * command a different suite, which then runs as usual.
 *
 * A collection slower than the collect command's limit counts as a hang too: the
 * pack's limit for collecting is the course's word on how long that may take.
 */

/** Options that leave the collected set alone, taking no value. */
const FLAGS = new Set(['--quiet', '--verbose', '--collect-only', '--co', '--no-header', '--no-summary', '--disable-warnings', '--strict-markers', '--showlocals', '--no-cov', '--cov-branch']);
/** Options that leave the collected set alone and take a value (`-k expr` or `-k=expr`). */
const WITH_VALUE = new Set(['-k', '-m', '-W', '-r', '--tb', '--durations', '--junitxml', '--junit-xml', '--color', '--cov-report', '--cov-config', '--cov-fail-under']);
/** `--cov` takes a value only when one follows (pytest-cov's optional argument). */
const OPTIONAL_VALUE = new Set(['--cov']);

export interface PytestRun {
  /** Paths collected, normalised (`.` is the repository); null: pytest's own choice (`testpaths`, else `.`). */
  readonly paths: readonly string[] | null;
  readonly collectOnly: boolean;
  /** Its place in the chain: 0 is the command's first step, which always runs. */
  readonly step: number;
}

const SIMPLE_TOKEN = /^[A-Za-z0-9_./:=,+@%-]+$/;
const PYTEST = /^(?:pytest|py\.test|python3?(?:\.\d+)? -m pytest)(?: |$)/;

/** The pytest invocations of a shell command, or null when any of it cannot be read with certainty. */
export function pytestRuns(run: string): PytestRun[] | null {
  const runs: PytestRun[] = [];
  const steps = run.split(/;|&&|\|\||\||\n/).map((raw) => raw.trim().replace(/\s+/g, ' ')).filter(Boolean);
  for (const [index, step] of steps.entries()) {
    if (/^(cd|pushd|popd|export|source|\.|env|unset)( |$)/.test(step)) return null;
    const match = PYTEST.exec(step);
    if (!match) {
      // Another program (coverage json, a report): harmless unless it hides pytest.
      if (/\bpytest\b|py\.test/.test(step)) return null;
      continue;
    }
    const tokens = step.slice(match[0].length).split(' ').filter(Boolean);
    const paths: string[] = [];
    let collectOnly = false;
    for (let i = 0; i < tokens.length; i++) {
      const token = tokens[i]!;
      if (!SIMPLE_TOKEN.test(token)) return null;
      if (token.startsWith('-')) {
        const [name, inline] = token.startsWith('--') ? [token.split('=')[0]!, token.includes('=')] : [token.slice(0, 2), token.length > 2];
        if (name === '--collect-only' || name === '--co') collectOnly = true;
        if (name === '-p') {
          // Only turning a plugin off; loading one may change collection.
          const value = inline ? token.slice(2) : tokens[++i];
          if (!value?.startsWith('no:') || !SIMPLE_TOKEN.test(value)) return null;
        } else if (FLAGS.has(token) || /^-[qvsl]+$/.test(token)) {
          continue;
        } else if (OPTIONAL_VALUE.has(name)) {
          if (!inline && tokens[i + 1] !== undefined && !tokens[i + 1]!.startsWith('-') && !SIMPLE_TOKEN.test(tokens[++i]!)) return null;
        } else if (WITH_VALUE.has(name)) {
          if (!inline && !SIMPLE_TOKEN.test(tokens[++i] ?? '')) return null;
        } else {
          return null;
        }
        continue;
      }
      paths.push(normalise(token.split('::')[0]!));
    }
    runs.push({ paths: paths.length ? paths : null, collectOnly, step: index });
  }
  return runs;
}

function normalise(path: string): string {
  const p = path.replace(/^(\.\/)+/, '').replace(/\/+$/, '');
  return p === '' ? '.' : p;
}

const covers = (outer: string, inner: string) => outer === '.' || inner === outer || inner.startsWith(`${outer}/`);

/**
 * Would `later` hang where the collect-only command `hung` did? `defaultPaths` are
 * what pytest collects with no path given (the repository's `testpaths`, else `.`).
 */
export function hangsTheSame(hung: string, later: string, defaultPaths: readonly string[]): boolean {
  const hungRuns = pytestRuns(hung);
  const laterRuns = pytestRuns(later);
  // The hang is known for a command that only collected, in one pytest step.
  if (hungRuns?.length !== 1 || !hungRuns[0]!.collectOnly || hungRuns[0]!.step !== 0) return false;
  // The later command hangs for sure only where its first step is pytest (`a && pytest` may never get there).
  if (laterRuns?.[0]?.step !== 0) return false;
  const hungPaths = hungRuns[0]!.paths ?? defaultPaths;
  const laterPaths = laterRuns[0]!.paths ?? defaultPaths;
  return hungPaths.every((h) => laterPaths.some((l) => covers(l, h)));
}

/** Pytest's configuration files, where `testpaths` may be set. */
export const PYTEST_CONFIG_FILES = ['pytest.ini', '.pytest.ini', 'pyproject.toml', 'tox.ini', 'setup.cfg'] as const;

/**
 * What pytest collects when given no path: the `testpaths` of the repository's
 * configuration (every one found, to be safe), else the repository itself.
 */
export function defaultTestPaths(configs: readonly string[]): string[] {
  const found: string[] = [];
  for (const text of configs) {
    const m = /^\s*testpaths\s*=\s*(\[[^\]]*\]|.*(?:\n[ \t]+\S.*)*)/m.exec(text);
    if (!m) continue;
    for (const part of m[1]!.replace(/[[\]"',]/g, ' ').split(/\s+/)) if (part) found.push(normalise(part));
  }
  return found.length ? found : ['.'];
}
