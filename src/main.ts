import { availableParallelism } from 'node:os';
import { run } from 'probot';
import { createRubrica } from './app.ts';
import { RubricaOctokit } from './github/octokit.ts';
import { envWithDotenv, needsRegistration, startSetupServer } from './setup.ts';

/**
 * `npm start`: the GitHub App on Probot's server, with workers in the same process
 * (RUBRICA_WORKERS=0: record jobs only, for `rubrica worker`s elsewhere). Without
 * APP_ID and PRIVATE_KEY, Rubrica's own registration page (src/setup.ts) registers the
 * app from app.yml, with the webhook URL of RUBRICA_PUBLIC_URL or WEBHOOK_PROXY_URL.
 */
const env = envWithDotenv(process.cwd());
if (needsRegistration(env) && env.NODE_ENV !== 'production') {
  await startSetupServer({
    cwd: process.cwd(),
    env,
    port: Number(env.PORT) || 3000,
    ...(env.HOST ? { host: env.HOST } : {}),
    log: (line) => console.log(line),
  });
} else {
  const { appFn } = createRubrica({
    ...(process.env.RUBRICA_RUNNER_IMAGE ? { runnerImage: process.env.RUBRICA_RUNNER_IMAGE } : {}),
    concurrency: Number(process.env.RUBRICA_CONCURRENCY) || availableParallelism(),
    work: process.env.RUBRICA_WORKERS !== '0',
  });
  await run(appFn, { Octokit: RubricaOctokit });
}
