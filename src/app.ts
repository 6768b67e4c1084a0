import { availableParallelism } from 'node:os';
import type { ApplicationFunctionOptions, Probot } from 'probot';
import { adminHandler } from './admin.ts';
import { COURSE_FILE, COURSE_REPO } from './course/load.ts';
import { runCommandJob } from './commands/run.ts';
import { fromCheckRunRerequest, fromCheckSuiteRerequest, fromIssueComment, fromPullRequest, fromPush, type Translation } from './events/requests.ts';
import type { Octokit } from './github/api.ts';
import { grade } from './grading/grade.ts';
import { CourseDirectory } from './jobs/courses.ts';
import { runGradingJob, type JobDeps } from './jobs/grading-job.ts';
import { GradingQueue, isDeadOwner, RetryLater, type QueuedJob } from './jobs/queue.ts';
import { noticeLongWaits } from './jobs/waiting-notice.ts';
import { budgetedWrites, readOnly, type WriteSpacing } from './github/budget.ts';
import { limitsFromEnv, type WriteLimits } from './outbox/budget.ts';
import { Outbox } from './outbox/outbox.ts';
import { DockerSandboxProvider, type SandboxProvider } from './sandbox/sandbox.ts';
import { DockerInstaller, type DependencyInstaller } from './sandbox/install.ts';
import { openStore } from './store/open.ts';
import type { Store } from './store/store.ts';
import { membershipViaApp } from './web/github.ts';
import { dashboardHandler } from './web/handler.ts';
import { oauthFromEnv, type OAuthConfig } from './web/oauth.ts';

export interface RubricaOptions {
  readonly sandbox?: SandboxProvider;
  /** The durable store; by default the one the environment names (DATABASE_URL, else SQLite under the data folder). */
  readonly store?: Store;
  readonly rubricsDir?: string;
  /** Overrides every pack's runner image (RUBRICA_RUNNER_IMAGE). */
  readonly runnerImage?: string;
  /** Runs courses' install phases (by default on the sandbox's Docker engine). */
  readonly installer?: DependencyInstaller;
  readonly concurrency?: number;
  readonly retryDelaysMs?: readonly number[];
  /** How long an organization's course file is reused before it is read again. */
  readonly courseTtlMs?: number;
  readonly now?: () => Date;
  /** The app's slug, when known without asking GitHub (`<slug>[bot]` writes our comments). */
  readonly appSlug?: string;
  /** GitHub's write spacing per installation (1 s between writes, 3 s between comments). */
  readonly writeSpacing?: WriteSpacing;
  /** Any of GitHub's other write limits (by default GitHub's, or RUBRICA_CREATES_PER_HOUR etc.). */
  readonly writeLimits?: Partial<WriteLimits>;
  /** false: this process only records jobs; `rubrica worker`s grade them. */
  readonly work?: boolean;
  readonly leaseMs?: number;
  readonly pollMs?: number;
  /** A job waiting longer than this gets a "queued" check run, when the write lane is idle. */
  readonly queuedNoticeAfterMs?: number;
  /** Waits before a publication GitHub failed (5xx) is tried again. */
  readonly outboxRetryDelaysMs?: readonly number[];
  /** Bearer token of the /admin paths (RUBRICA_ADMIN_TOKEN); without one they are off. */
  readonly adminToken?: string;
  /** The dashboard's sign-in (GITHUB_CLIENT_ID, GITHUB_CLIENT_SECRET, GHE_HOST); null: none. */
  readonly oauth?: OAuthConfig | null;
  /** How long the dashboard reuses GitHub's answer about who may see a course. */
  readonly dashboardAccessTtlMs?: number;
}

export interface Rubrica {
  readonly queue: GradingQueue;
  /** Where publications wait, and the one place that writes to GitHub. */
  readonly outbox: Outbox;
  readonly courses: CourseDirectory;
  readonly store: Store;
  readonly sandbox: SandboxProvider;
  readonly log: Probot['log'];
  /** Settles once the store is open and the workers have started. */
  readonly ready: Promise<void>;
}

/**
 * The Probot app. Handlers are thin: they translate a webhook into a grading
 * request, hand it to the queue and return, so GitHub gets its answer in
 * milliseconds; workers do the grading (src/jobs).
 */
export function createRubrica(options: RubricaOptions = {}) {
  const handle: { current?: Rubrica } = {};
  const appFn = async (app: Probot, probotOptions?: ApplicationFunctionOptions) => {
    const sandbox = options.sandbox ?? new DockerSandboxProvider();
    const store = options.store ?? (await openStore());
    // A course's install phase runs beside the grading containers, on the same Docker engine.
    const installer =
      options.installer ??
      (sandbox instanceof DockerSandboxProvider
        ? new DockerInstaller(sandbox.docker, process.env.RUBRICA_INSTALL_NETWORK ? { egressNetwork: process.env.RUBRICA_INSTALL_NETWORK } : {})
        : undefined);
    const appId = Number(process.env.APP_ID ?? 0);
    let botLogin = options.appSlug ? `${options.appSlug}[bot]` : '';
    // Asked of GitHub once (concurrent callers share the answer); a failure is asked again next time.
    let asking: Promise<string> | undefined;
    const identity = (): Promise<string> => {
      if (botLogin) return Promise.resolve(botLogin);
      asking ??= (async () => {
        const octokit = await app.auth();
        const { data } = await octokit.rest.apps.getAuthenticated();
        botLogin = `${data?.slug ?? 'rubrica'}[bot]`;
        return botLogin;
      })().finally(() => (asking = undefined));
      return asking;
    };
    const courses = new CourseDirectory({
      ttlMs: options.courseTtlMs ?? 60_000,
      ...(options.rubricsDir ? { rubricsDir: options.rubricsDir } : {}),
      get botLogin() {
        return botLogin;
      },
      log: app.log,
    });
    const limits: WriteLimits = { ...limitsFromEnv(), ...options.writeSpacing, ...options.writeLimits };
    const deps: JobDeps = {
      // Jobs only read; what they publish waits in the outbox.
      octokitFor: async (id) => readOnly((await app.auth(id)) as Octokit),
      courses,
      grade: (req) => grade({ ...req, ...(options.runnerImage ? { image: options.runnerImage } : {}) }, sandbox, undefined, installer),
      store,
      log: app.log,
      get botLogin() {
        return botLogin;
      },
      now: options.now ?? (() => new Date()),
    };
    const work = async (job: QueuedJob) => {
      // Our comments are recognised by our bot's login: known before any job publishes.
      await identity().catch((error: unknown) => {
        throw new RetryLater(error);
      });
      return job.kind === 'ta-command' ? runCommandJob(job, { ...deps, enqueueGrading: (r) => queue.enqueue(r) }) : runGradingJob(job, deps);
    };
    // Every write of every process goes through the installation's shared budget, and the publication's lease.
    const outbox = new Outbox({
      store,
      octokitFor: async (id, guard) => budgetedWrites((await app.auth(id)) as Octokit, id, store, limits, guard),
      botLogin: identity,
      log: app.log,
      ...(options.pollMs !== undefined ? { pollMs: options.pollMs } : {}),
      ...(options.outboxRetryDelaysMs ? { retryDelaysMs: options.outboxRetryDelaysMs } : {}),
    });
    const queue: GradingQueue = new GradingQueue(store, work, {
      concurrency: options.concurrency ?? availableParallelism(),
      retryDelaysMs: options.retryDelaysMs ?? [5_000, 30_000, 120_000],
      log: app.log,
      ...(options.work !== undefined ? { work: options.work } : {}),
      ...(options.leaseMs !== undefined ? { leaseMs: options.leaseMs } : {}),
      ...(options.pollMs !== undefined ? { pollMs: options.pollMs } : {}),
    });
    try {
      probotOptions?.addHandler?.(adminHandler(store, options.adminToken ?? process.env.RUBRICA_ADMIN_TOKEN, limits));
      // The teaching team's pages (src/web): they read the record; GitHub only says who may see a course.
      const oauth = options.oauth === null ? undefined : (options.oauth ?? oauthFromEnv());
      probotOptions?.addHandler?.(
        dashboardHandler({
          store,
          membership: membershipViaApp(app, store),
          oauth,
          publicUrl: process.env.RUBRICA_PUBLIC_URL,
          ...(options.dashboardAccessTtlMs !== undefined ? { accessTtlMs: options.dashboardAccessTtlMs } : {}),
          log: app.log,
          ...(options.rubricsDir !== undefined ? { rubricsDir: options.rubricsDir } : {}),
          concurrency: options.concurrency ?? availableParallelism(),
          writeLimits: limits,
        }),
      );
    } catch {
      // No HTTP server in this process (`rubrica worker`): there is no admin path to serve.
    }
    void identity().catch((e: unknown) => app.log.warn({ err: { message: (e as Error).message } }, 'could not ask GitHub for the app’s login yet'));
    const ready = reconcile(sandbox, queue, app.log, installer).then(() => {
      if (options.work === false) return;
      void outbox.start();
      queue.onClose(() => outbox.close());
      // Long waits get a "queued" check run when GitHub's write lane is idle.
      const every = options.queuedNoticeAfterMs ?? 30_000;
      const timer = setInterval(() => void noticeLongWaits(deps, every).catch((e: unknown) => app.log.warn({ err: { message: (e as Error).message } }, 'queued notices failed')), Math.max(50, Math.min(10_000, every / 3)));
      timer.unref();
      queue.onClose(() => clearInterval(timer));
    });
    handle.current = { queue, outbox, courses, store, sandbox, log: app.log, ready };

    const take = async (event: { id: string; name: string }, translation: Translation) => {
      if ('skip' in translation) {
        app.log.debug({ deliveryId: event.id, event: event.name, outcome: 'ignored', reason: translation.skip }, 'event not graded');
        return;
      }
      const { request } = translation;
      // Recorded durably before GitHub gets its answer; grading happens in the workers.
      const result = await queue.enqueue(request);
      app.log.info(
        { deliveryId: event.id, event: event.name, repo: `${request.owner}/${request.repo}`, sha: request.sha, unit: request.unit, outcome: result.status, jobId: result.jobId, ...(result.status === 'queued' && result.superseded.length ? { superseded: result.superseded } : {}) },
        result.status === 'queued' ? 'grading queued' : `grading ${result.status}`,
      );
    };
    // The webhook is never held up by (or lost to) a GitHub call: until our login is known
    // (asked at start), no push is taken for ours; the job knows it before publishing.
    const meta = async (id: string) => ({ deliveryId: id, receivedAt: deps.now(), botLogin, appId });

    app.on('push', async (context) => {
      const { payload } = context;
      if (payload.repository.name === COURSE_REPO) {
        // The instructors changed the course repository: the next grading reads the file again.
        const touched = payload.commits.some((c) => [...(c.added ?? []), ...(c.modified ?? []), ...(c.removed ?? [])].includes(COURSE_FILE));
        if (touched || payload.ref === `refs/heads/${payload.repository.default_branch}`) courses.invalidate(payload.repository.full_name.split('/')[0]!);
      }
      await take(context, fromPush(payload, await meta(context.id)));
    });
    app.on(['pull_request.opened', 'pull_request.synchronize', 'pull_request.reopened'], async (context) => {
      await take(context, fromPullRequest(context.payload, await meta(context.id)));
    });
    app.on('check_run.rerequested', async (context) => {
      await take(context, fromCheckRunRerequest(context.payload, await meta(context.id)));
    });
    app.on('check_suite.rerequested', async (context) => {
      await take(context, fromCheckSuiteRerequest(context.payload, await meta(context.id)));
    });
    // TA commands act on new comments only; edits and deletions are checked for tampering.
    app.on(['issue_comment.created', 'issue_comment.edited', 'issue_comment.deleted'], async (context) => {
      const translation = fromIssueComment(context.payload, await meta(context.id));
      if ('skip' in translation) {
        app.log.debug({ deliveryId: context.id, event: `issue_comment.${context.payload.action}`, outcome: 'ignored', reason: translation.skip }, 'comment not acted on');
        return;
      }
      const { request } = translation;
      const result = await store.queue.enqueueCommand(request);
      queue.wake();
      app.log.info({ deliveryId: context.id, event: `issue_comment.${request.action}`, repo: `${request.owner}/${request.repo}`, pr: request.pullRequest.number, comment: request.comment.id, outcome: result.status, jobId: result.jobId }, 'command queued');
    });
    app.on('installation', async (context) => {
      const { action, installation } = context.payload;
      const dropped = action === 'deleted' || action === 'suspend' ? await queue.dropInstallation(installation.id) : 0;
      app.log.info({ deliveryId: context.id, event: `installation.${action}`, installation: installation.id, account: installation.account && 'login' in installation.account ? installation.account.login : installation.account?.slug, dropped }, 'installation changed');
    });
  };
  return { appFn, rubrica: () => handle.current };
}

/**
 * On start: containers a dead grader left behind are removed, and the jobs it had in
 * flight are taken back; then the workers start.
 */
async function reconcile(sandbox: SandboxProvider, queue: GradingQueue, log: Probot['log'], installer?: DependencyInstaller): Promise<void> {
  if (sandbox instanceof DockerSandboxProvider) {
    const removed = await sandbox.removeLeftovers(isDeadOwner).catch(() => 0);
    if (removed) log.warn({ removed }, 'removed sandbox containers left by a stopped grader');
  }
  // After the containers: a volume still mounted cannot go.
  if (installer instanceof DockerInstaller) {
    const volumes = await installer.removeLeftovers(isDeadOwner).catch(() => 0);
    if (volumes) log.warn({ volumes }, 'removed install-step volumes left by a stopped grader');
  }
  await queue.start();
}
