import { defineConfig } from 'vitest/config';
import base from './vitest.config.ts';

// Mutation runs (stryker.config.json) re-run tests once per mutant, so they use only the
// fast, pure `unit` project: no Docker, no database, no GitHub fake.
const unit = base.test?.projects?.find(
  (project) => typeof project === 'object' && 'test' in project && project.test?.name === 'unit',
);
if (!unit) throw new Error('vitest.config.ts has no "unit" project');

// Instrumented code runs slower, and the shared machine more so: a unit test that takes 1 s
// alone can pass vitest's 5 s default there and fail the dry run.
export default defineConfig({ test: { projects: [{ ...unit, test: { ...unit.test, testTimeout: 30_000 } }] } });
