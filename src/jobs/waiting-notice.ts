import { membershipOf, rubricOf, unitAt } from '../course/load.ts';
import { say, t } from '../core/text.ts';
import { checkRunExternalId } from '../events/requests.ts';
import { checkRunName, localDeadline } from '../report/markdown.ts';
import { whereOf, type JobDeps } from './grading-job.ts';

/**
 * A student whose job waits long (a deadline rush, Docker slow to come back) sees a
 * "queued" check run, but only when the installation's outbox and write lane are
 * idle: under load every write goes to results, and a grading stays at one write.
 * The notice is a publication like any other: if the grading is recorded before it
 * goes out, it is stale and dropped; once sent, the grading completes that check run.
 */
export async function noticeLongWaits(deps: JobDeps, waitMs: number): Promise<number> {
  let written = 0;
  for (const job of await deps.store.queue.longWaiting(waitMs)) {
    const r = job.request;
    if (!(await deps.store.budget.idle(r.installationId))) continue;
    if ((await deps.store.outbox.list({ installationId: r.installationId, limit: 1 })).length) continue;
    try {
      const octokit = await deps.octokitFor(r.installationId);
      const setup = await deps.courses.get(octokit, r.owner);
      if (setup.status !== 'ready') continue;
      const member = membershipOf(setup.courses, { name: r.repo, topics: r.topics });
      if (member.status !== 'member') continue;
      const named = r.unit === undefined ? unitAt(member, new Date(r.deliveredAt)) : { unit: r.unit };
      if (!('unit' in named)) continue;
      const unit = named.unit;
      const rubric = rubricOf(member.course, member.assignment, unit);
      if (!rubric) continue;
      const { config } = member.course;
      const locale = config.locale;
      const ahead = await deps.store.queue.jobsAhead(job);
      const at = localDeadline(r.deliveredAt, config.timezone);
      await deps.store.outbox.enqueue(
        [
          {
            kind: 'check-run',
            ...whereOf(r),
            sha: r.sha,
            unit,
            name: checkRunName(rubric, locale),
            externalId: checkRunExternalId(unit, r.deliveredAt),
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
              annotations: [],
            },
            noticeForJob: job.id,
          },
        ],
        { jobId: job.id },
      );
      written++;
    } catch (error) {
      deps.log.warn({ jobId: job.id, err: { message: (error as Error).message } }, 'could not queue the queued check run');
    }
  }
  return written;
}
