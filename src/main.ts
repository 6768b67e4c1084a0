import { availableParallelism } from 'node:os';
import { run } from 'probot';
import { createRubrica } from './app.ts';
import { RubricaOctokit } from './github/octokit.ts';

/**
 * `npm start`: the GitHub App on Probot's server, with workers in the same process
 * (RUBRICA_WORKERS=0: record jobs only, for `rubrica worker`s elsewhere). Without
 * APP_ID and PRIVATE_KEY, Probot serves its setup page, which registers the app from app.yml.
 */
const { appFn } = createRubrica({
  ...(process.env.RUBRICA_RUNNER_IMAGE ? { runnerImage: process.env.RUBRICA_RUNNER_IMAGE } : {}),
  concurrency: Number(process.env.RUBRICA_CONCURRENCY) || availableParallelism(),
  work: process.env.RUBRICA_WORKERS !== '0',
});
await run(appFn, { Octokit: RubricaOctokit });
