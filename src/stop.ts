import type { Logger } from 'pino';
import type { GradingQueue } from './jobs/queue.ts';
import type { Outbox } from './outbox/outbox.ts';
import { DockerSandboxProvider, type SandboxProvider } from './sandbox/sandbox.ts';
import type { Store } from './store/store.ts';

/**
 * How long a stopping `npm start` or `rubrica worker` lets its running jobs finish
 * before it removes their containers and hands the jobs back to the queue: inside
 * Docker Compose's default 10 s between SIGTERM and SIGKILL (RUBRICA_STOP_GRACE_SECONDS).
 */
export const STOP_GRACE_SECONDS = 8;

export type StopSignal = 'SIGTERM' | 'SIGINT';

/** The exit status of a process stopped by `signal`, as shells report it (128 + its number). */
export const EXIT_ON_SIGNAL: Record<StopSignal, number> = { SIGINT: 130, SIGTERM: 143 };

export function stopGraceMs(env: NodeJS.ProcessEnv): number {
  const set = env.RUBRICA_STOP_GRACE_SECONDS?.trim();
  const seconds = set ? Number(set) : NaN;
  return (Number.isFinite(seconds) && seconds >= 0 ? seconds : STOP_GRACE_SECONDS) * 1000;
}

/**
 * Calls `stop` once, on the first SIGTERM or SIGINT. Later ones are ignored while it
 * runs (a second Ctrl-C must not leave the containers it is removing). Returns a
 * function that takes the handlers off again.
 */
export function onStopSignal(stop: (signal: StopSignal) => void): () => void {
  let stopping = false;
  const handler = (signal: StopSignal) => {
    if (stopping) return;
    stopping = true;
    stop(signal);
  };
  process.on('SIGTERM', handler);
  process.on('SIGINT', handler);
  return () => {
    process.off('SIGTERM', handler);
    process.off('SIGINT', handler);
  };
}

export interface Workers {
  readonly queue: GradingQueue;
  readonly store: Store;
  readonly sandbox: SandboxProvider;
  /** The outbox this process drains (it stops with the queue); what it was sending is handed back too. */
  readonly outbox?: Outbox;
}

/**
 * A grader's stop: it takes no new job and lets the running ones finish for
 * `graceMs`. Jobs still running then are cut short without a trace in the record or
 * on GitHub: their containers are removed, no sandbox call of theirs returns
 * again, and their leases are released so the next worker takes them at once
 * (not after the lease runs out). Then the store is closed; the caller exits.
 */
export async function stopWorkers(
  { queue, store, sandbox, outbox }: Workers,
  { graceMs, log, beforeClose }: { graceMs: number; log?: Pick<Logger, 'info' | 'warn'>; /** e.g. webhooks still being recorded */ beforeClose?: Promise<unknown> },
): Promise<{ finished: boolean; removed: number; released: number }> {
  let timer: NodeJS.Timeout | undefined;
  const finished = await Promise.race([
    queue.close().then(() => true),
    new Promise<false>((resolve) => (timer = setTimeout(() => resolve(false), graceMs))),
  ]);
  clearTimeout(timer);
  let removed = 0;
  let released = 0;
  if (!finished) {
    removed = sandbox instanceof DockerSandboxProvider ? await sandbox.abandon() : 0;
    released = await store.queue.releaseOwners((owner) => owner === queue.owner);
    // A publication cut short is looked for on GitHub by its next try, so it is never sent twice.
    if (outbox) released += await store.outbox.releaseOwners((owner) => owner === outbox.owner);
    log?.warn({ removed, released, graceMs }, 'stopped before its jobs finished: their containers are removed and the jobs go back to the queue');
  } else {
    log?.info({ graceMs }, 'stopped: every running job finished');
  }
  await beforeClose;
  await store.close();
  return { finished, removed, released };
}
