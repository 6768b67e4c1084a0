import { availableParallelism } from 'node:os';
import { Probot } from 'probot';
import { createRubrica } from '../app.ts';
import { baseUrlFromEnv, RubricaOctokit } from '../github/octokit.ts';

/**
 * `rubrica worker`: grades jobs from the shared store without serving webhooks, so
 * grading capacity grows by adding machines with Docker (DATABASE_URL names the
 * PostgreSQL they share). Stops taking jobs on SIGTERM/SIGINT and finishes the running ones.
 */
export async function workerCommand(env: NodeJS.ProcessEnv): Promise<number> {
  if (!env.APP_ID || !env.PRIVATE_KEY) throw new Error('a worker needs APP_ID and PRIVATE_KEY (the GitHub App it publishes as)');
  const baseUrl = baseUrlFromEnv(env);
  const probot = new Probot({
    appId: env.APP_ID,
    privateKey: env.PRIVATE_KEY.replace(/\\n/g, '\n'),
    Octokit: RubricaOctokit,
    logLevel: (env.LOG_LEVEL as 'info') ?? 'info',
    ...(baseUrl ? { baseUrl } : {}),
  });
  const { appFn, rubrica } = createRubrica({
    ...(env.RUBRICA_RUNNER_IMAGE ? { runnerImage: env.RUBRICA_RUNNER_IMAGE } : {}),
    concurrency: Number(env.RUBRICA_CONCURRENCY) || availableParallelism(),
    ...(Number(env.RUBRICA_LEASE_MS) > 0 ? { leaseMs: Number(env.RUBRICA_LEASE_MS) } : {}),
  });
  await probot.load(appFn);
  const app = rubrica()!;
  await app.ready;
  probot.log.info({ owner: app.queue.owner, store: app.store.db.description }, 'worker started');
  // The queue's timers do not hold the process open (a server does that for `npm start`): this does.
  const keepAlive = setInterval(() => {}, 60_000);
  await new Promise<void>((resolve) => {
    const stop = () => (clearInterval(keepAlive), resolve());
    process.once('SIGTERM', stop);
    process.once('SIGINT', stop);
  });
  await app.queue.close();
  await app.store.close();
  return 0;
}
