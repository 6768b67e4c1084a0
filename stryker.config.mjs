// Mutation testing of the pure core against the unit tests: `npm run test:mutation`
// (README, Development). Too slow for CI; run it before closing an issue that touches the core.
/** @type {import('@stryker-mutator/api/core').PartialStrykerOptions} */
export default {
  testRunner: 'vitest',
  // Only the `unit` project: one run per mutant must not start containers or databases.
  vitest: { configFile: 'vitest.mutation.config.ts', related: true },
  mutate: [
    'src/grading/**/*.ts',
    // Docker glue (open, copy, probe, run, close): its tests are the sandbox suite's real
    // containers, which a run per mutant cannot afford; the unit project never reaches it.
    '!src/grading/grade.ts',
    'src/checks/**/*.ts',
    'src/report/**/*.ts',
    'src/course/**/*.ts',
    'src/commands/parse.ts',
    'src/events/**/*.ts',
  ],
  // Each mutant runs only the tests that reached it in the first, instrumented run.
  coverageAnalysis: 'perTest',
  // The machine is small and shared; raise with --concurrency on a bigger one.
  concurrency: 2,
  // Stryker would rewrite tsconfig.json's paths for its sandbox copy through TypeScript's JS
  // API, which TypeScript 7 (the native compiler) no longer has. Ours has no `extends` or
  // `references` that leave the project, so there is nothing to rewrite: name no file.
  tsconfigFile: 'no-tsconfig-rewrite.json',
  tempDirName: '.stryker-tmp',
  cleanTempDir: 'always',
  ignorePatterns: ['/data', '/coverage', '/reports', '/bench', '/.ci'],
  // `--incremental` re-tests only mutants whose code or tests changed since the last run.
  incrementalFile: 'reports/mutation/incremental.json',
  reporters: ['clear-text', 'progress', 'html', 'json'],
  htmlReporter: { fileName: 'reports/mutation/index.html' },
  jsonReporter: { fileName: 'reports/mutation/mutation.json' },
  clearTextReporter: { allowColor: false, logTests: false },
};
