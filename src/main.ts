import { availableParallelism } from 'node:os';
import { run } from 'probot';
import { createRubrica } from './app.ts';

/**
 * `npm start`: the GitHub App on Probot's server. Without APP_ID and PRIVATE_KEY,
 * Probot serves its setup page, which registers the app from app.yml.
 */
const { appFn } = createRubrica({
  ...(process.env.RUBRICA_RUNNER_IMAGE ? { runnerImage: process.env.RUBRICA_RUNNER_IMAGE } : {}),
  concurrency: Number(process.env.RUBRICA_CONCURRENCY) || availableParallelism(),
});
await run(appFn);
