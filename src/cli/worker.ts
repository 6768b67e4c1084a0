import { availableParallelism } from 'node:os';
import { getPrivateKey } from '@probot/get-private-key';
import { Probot } from 'probot';
import { createRubrica } from '../app.ts';
import { baseUrlFromEnv, RubricaOctokit } from '../github/octokit.ts';
import { onStopSignal, stopGraceMs, stopWorkers } from '../stop.ts';

/**
 * `rubrica worker`: grades jobs from the shared store without serving webhooks, so
 * grading capacity grows by adding machines with Docker (DATABASE_URL names the
 * PostgreSQL they share). Its credentials are read as `npm start` reads them
 * (Probot's own reader: PRIVATE_KEY, or the file PRIVATE_KEY_PATH names).
 * SIGTERM or SIGINT: see stopWorkers (src/stop.ts); then it exits 0.
 */
export async function workerCommand(env: NodeJS.ProcessEnv): Promise<number> {
  const privateKey = env.APP_ID ? getPrivateKey({ env }) : null;
  if (!env.APP_ID || !privateKey) throw new Error('a worker needs APP_ID and PRIVATE_KEY or PRIVATE_KEY_PATH (the GitHub App it publishes as)');
  const baseUrl = baseUrlFromEnv(env);
  const probot = new Probot({
    appId: env.APP_ID,
    privateKey,
    Octokit: RubricaOctokit,
    logLevel: (env.LOG_LEVEL as 'info') ?? 'info',
    ...(baseUrl ? { baseUrl } : {}),
  });
  const { appFn, rubrica } = createRubrica({
    ...(env.RUBRICA_RUNNER_IMAGE ? { runnerImage: env.RUBRICA_RUNNER_IMAGE } : {}),
    concurrency: Number(env.RUBRICA_CONCURRENCY) || availableParallelism(),
    ...(Number(env.RUBRICA_LEASE_MS) > 0 ? { leaseMs: Number(env.RUBRICA_LEASE_MS) } : {}),
  });
  // Taken before the first job can start, so a signal at any point reaches it.
  const stopped = new Promise<string>((resolve) => onStopSignal(resolve));
  await probot.load(appFn);
  const app = rubrica()!;
  await app.ready;
  probot.log.info({ owner: app.queue.owner, store: app.store.db.description }, 'worker started');
  // The queue's timers do not hold the process open (a server does that for `npm start`): this does.
  const keepAlive = setInterval(() => {}, 60_000);
  const signal = await stopped;
  clearInterval(keepAlive);
  probot.log.info({ signal }, 'stopping: no new jobs');
  await stopWorkers(app, { graceMs: stopGraceMs(env), log: probot.log });
  return 0;
}
