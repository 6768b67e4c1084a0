import { availableParallelism } from 'node:os';
import type { ApplicationFunctionOptions, Probot } from 'probot';
import { COURSE_FILE, COURSE_REPO } from './course/load.ts';
import { fromCheckRunRerequest, fromCheckSuiteRerequest, fromPullRequest, fromPush, type Translation } from './events/requests.ts';
import type { Octokit } from './github/api.ts';
import { grade } from './grading/grade.ts';
import { CourseDirectory } from './jobs/courses.ts';
import { runGradingJob, type JobDeps } from './jobs/grading-job.ts';
import { GradingQueue } from './jobs/queue.ts';
import { DockerSandboxProvider, type SandboxProvider } from './sandbox/sandbox.ts';
import { MemoryReportStore, type ReportStore } from './store/memory.ts';

export interface RubricaOptions {
  readonly sandbox?: SandboxProvider;
  readonly store?: ReportStore;
  readonly rubricsDir?: string;
  /** Overrides every pack's runner image (RUBRICA_RUNNER_IMAGE). */
  readonly runnerImage?: string;
  readonly concurrency?: number;
  readonly retryDelaysMs?: readonly number[];
  /** How long an organization's course file is reused before it is read again. */
  readonly courseTtlMs?: number;
  readonly now?: () => Date;
  /** The app's slug, when known without asking GitHub (`<slug>[bot]` writes our comments). */
  readonly appSlug?: string;
}

export interface Rubrica {
  readonly queue: GradingQueue;
  readonly courses: CourseDirectory;
}

/**
 * The Probot app. Handlers are thin: they translate a webhook into a grading
 * request, hand it to the queue and return, so GitHub gets its answer in
 * milliseconds; workers do the grading (src/jobs).
 */
export function createRubrica(options: RubricaOptions = {}) {
  const handle: { current?: Rubrica } = {};
  const appFn = (app: Probot, _probotOptions?: ApplicationFunctionOptions) => {
    const sandbox = options.sandbox ?? new DockerSandboxProvider();
    const store = options.store ?? new MemoryReportStore();
    const appId = Number(process.env.APP_ID ?? 0);
    let botLogin = options.appSlug ? `${options.appSlug}[bot]` : '';
    const identity = async () => {
      if (!botLogin) {
        const octokit = await app.auth();
        const { data } = await octokit.rest.apps.getAuthenticated();
        botLogin = `${data?.slug ?? 'rubrica'}[bot]`;
      }
      return botLogin;
    };
    const courses = new CourseDirectory({
      ttlMs: options.courseTtlMs ?? 60_000,
      ...(options.rubricsDir ? { rubricsDir: options.rubricsDir } : {}),
      get botLogin() {
        return botLogin;
      },
      log: app.log,
    });
    const deps: JobDeps = {
      octokitFor: (id) => app.auth(id) as Promise<Octokit>,
      courses,
      grade: (req) => grade({ ...req, ...(options.runnerImage ? { image: options.runnerImage } : {}) }, sandbox),
      store,
      log: app.log,
      get botLogin() {
        return botLogin;
      },
      now: options.now ?? (() => new Date()),
    };
    const queue = new GradingQueue((job) => runGradingJob(job, deps).then(() => undefined), {
      concurrency: options.concurrency ?? availableParallelism(),
      retryDelaysMs: options.retryDelaysMs ?? [5_000, 30_000, 120_000],
    });
    handle.current = { queue, courses };

    const take = (event: { id: string; name: string }, translation: Translation) => {
      if ('skip' in translation) {
        app.log.debug({ deliveryId: event.id, event: event.name, outcome: 'ignored', reason: translation.skip }, 'event not graded');
        return;
      }
      const { request } = translation;
      const queued = queue.enqueue(request);
      app.log.info(
        { deliveryId: event.id, event: event.name, repo: `${request.owner}/${request.repo}`, sha: request.sha, week: request.week, outcome: queued ? 'queued' : 'duplicate-delivery' },
        queued ? 'grading queued' : 'delivery already taken',
      );
    };
    const meta = async (id: string) => ({ deliveryId: id, receivedAt: deps.now(), botLogin: await identity(), appId });

    app.on('push', async (context) => {
      const { payload } = context;
      if (payload.repository.name === COURSE_REPO) {
        // The instructors changed the course repository: the next grading reads the file again.
        const touched = payload.commits.some((c) => [...(c.added ?? []), ...(c.modified ?? []), ...(c.removed ?? [])].includes(COURSE_FILE));
        if (touched || payload.ref === `refs/heads/${payload.repository.default_branch}`) courses.invalidate(payload.repository.full_name.split('/')[0]!);
      }
      take(context, fromPush(payload, await meta(context.id)));
    });
    app.on(['pull_request.opened', 'pull_request.synchronize', 'pull_request.reopened'], async (context) => {
      take(context, fromPullRequest(context.payload, await meta(context.id)));
    });
    app.on('check_run.rerequested', async (context) => {
      take(context, fromCheckRunRerequest(context.payload, await meta(context.id)));
    });
    app.on('check_suite.rerequested', async (context) => {
      take(context, fromCheckSuiteRerequest(context.payload, await meta(context.id)));
    });
    app.on('installation', async (context) => {
      const { action, installation } = context.payload;
      const dropped = action === 'deleted' || action === 'suspend' ? queue.dropInstallation(installation.id) : 0;
      app.log.info({ deliveryId: context.id, event: `installation.${action}`, installation: installation.id, account: installation.account && 'login' in installation.account ? installation.account.login : installation.account?.slug, dropped }, 'installation changed');
    });
  };
  return { appFn, rubrica: () => handle.current };
}
