import { courseMomentAt } from '../course/calendar.ts';
import { studentOf } from '../course/load.ts';
import { say, t } from '../core/text.ts';
import { checkRunExternalId } from '../events/requests.ts';
import { createCheckRun } from '../github/api.ts';
import { checkRunName, localDeadline } from '../report/markdown.ts';
import { completeAsSuperseded, type JobDeps } from './grading-job.ts';

/**
 * A student whose job waits long (a deadline rush, Docker slow to come back) sees a
 * "queued" check run, but only when the installation's write lane is idle: under
 * load every write goes to results, and a grading stays at one write. The job is
 * held from workers while its check run is written, so the worker completes that
 * check run rather than creating a second one.
 */
export async function noticeLongWaits(deps: JobDeps, waitMs: number): Promise<number> {
  let written = 0;
  for (const job of await deps.store.longWaiting(waitMs)) {
    const r = job.request;
    if (!(await deps.store.budgetIdle(r.installationId))) continue;
    if (!(await deps.store.holdForNotice(job.id, 30_000))) continue;
    try {
      const octokit = await deps.octokitFor(r.installationId);
      const setup = await deps.courses.get(octokit, r.owner);
      if (setup.status !== 'ready' || studentOf(setup.config, { name: r.repo, topics: r.topics }) === null) continue;
      const moment = r.week === undefined ? courseMomentAt(setup.config, new Date(r.deliveredAt)) : ({ status: 'week', week: r.week } as const);
      if (moment.status !== 'week') continue;
      const rubric = setup.pack.weeks.get(moment.week);
      if (!rubric) continue;
      const locale = setup.config.locale;
      const ahead = await deps.store.jobsAhead(job);
      const at = localDeadline(r.deliveredAt, setup.config.timezone);
      const run = await createCheckRun(octokit, { owner: r.owner, repo: r.repo }, {
        name: checkRunName({ week: moment.week, title: rubric.title }, locale),
        sha: r.sha,
        externalId: checkRunExternalId(moment.week, r.deliveredAt),
        status: 'queued',
        output: {
          title: say(t('En cola', 'Queued'), locale),
          summary: say(
            t(
              `Tu push quedó registrado el ${at}: esa es su hora de entrega, no la de la corrección. Hay ${ahead} entregas antes que la tuya: este check run se completa con tu nota en cuanto se corrija.`,
              `Your push was recorded at ${at}: that is its delivery time, not the time it is graded. ${ahead} pushes are ahead of yours: this check run completes with your grade as soon as it is graded.`,
            ),
            locale,
          ),
        },
      });
      await deps.store.saveCheckRun(r.repoId, r.sha, moment.week, run);
      const now = await deps.store.setJobCheckRun(job.id, run.id);
      written++;
      // Superseded while its check run was being written: say so now, or it would stay queued.
      if (now?.state === 'superseded' && now.supersededBy) await completeAsSuperseded(octokit, { owner: r.owner, repo: r.repo }, run.id, now.supersededBy);
    } catch (error) {
      deps.log.warn({ jobId: job.id, err: { message: (error as Error).message } }, 'could not write the queued check run');
    } finally {
      await deps.store.releaseNotice(job.id);
    }
  }
  return written;
}
