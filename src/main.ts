import { availableParallelism } from 'node:os';
import { run } from 'probot';
import { createRubrica } from './app.ts';
import { RubricaOctokit } from './github/octokit.ts';
import { envWithDotenv, needsRegistration, startSetupServer } from './setup.ts';
import { onStopSignal, stopGraceMs, stopWorkers } from './stop.ts';

/**
 * `npm start` (bin/serve.js): the GitHub App on Probot's server, with workers in the
 * same process (RUBRICA_WORKERS=0: record jobs only, for `rubrica worker`s elsewhere).
 * Without APP_ID and PRIVATE_KEY, Rubrica's own registration page (src/setup.ts)
 * registers the app from app.yml, with the webhook URL of RUBRICA_PUBLIC_URL or
 * WEBHOOK_PROXY_URL. SIGTERM or SIGINT: see stopWorkers (src/stop.ts).
 */
const env = envWithDotenv(process.cwd());
if (needsRegistration(env) && env.NODE_ENV !== 'production') {
  // Nothing to stop gracefully here: no jobs, no store; the default signal handling ends it.
  await startSetupServer({
    cwd: process.cwd(),
    env,
    port: Number(env.PORT) || 3000,
    ...(env.HOST ? { host: env.HOST } : {}),
    log: (line) => console.log(line),
  });
} else {
  const { appFn, rubrica } = createRubrica({
    ...(process.env.RUBRICA_RUNNER_IMAGE ? { runnerImage: process.env.RUBRICA_RUNNER_IMAGE } : {}),
    concurrency: Number(process.env.RUBRICA_CONCURRENCY) || availableParallelism(),
    work: process.env.RUBRICA_WORKERS !== '0',
  });
  const starting = run(appFn, { Octokit: RubricaOctokit });
  // Taken before the workers start, so a signal at any moment reaches a job's container.
  onStopSignal((signal) => {
    void (async () => {
      const server = await starting.catch(() => undefined);
      const app = rubrica();
      app?.log.info({ signal }, 'stopping: no new webhooks or jobs');
      // No new webhooks; the ones being answered (a second at most) are recorded before the store closes.
      const serving = Promise.race([server?.stop().catch(() => undefined), new Promise((r) => setTimeout(r, 1_000))]);
      if (app) {
        await app.ready.catch(() => undefined);
        await stopWorkers(app, { graceMs: stopGraceMs(process.env), log: app.log, beforeClose: serving });
      }
      await serving;
      process.exit(0);
    })().catch((error: unknown) => {
      console.error('rubrica: could not stop cleanly:', error);
      process.exit(1);
    });
  });
  const beforeProbot = new Set(process.listeners('SIGINT'));
  await starting;
  // Probot's own SIGINT handler exits as soon as the server closes, jobs or not: ours replaces it.
  for (const listener of process.listeners('SIGINT')) if (!beforeProbot.has(listener)) process.off('SIGINT', listener);
}
