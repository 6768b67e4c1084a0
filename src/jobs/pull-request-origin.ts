import type { CourseConfig } from '../course/config.ts';
import { literal, plain, say, t, type Locale } from '../core/text.ts';
import { inline } from '../report/markup.ts';
import type { GradingRequest } from '../events/requests.ts';
import { repositoryStudents, type Octokit, type RepoRef } from '../github/api.ts';
import { taStatus } from '../github/teams.ts';

/** Why a commit that came by pull request is not graded into the student's record. */
export type NotTheStudents = { readonly reason: 'fork' } | { readonly reason: 'author'; readonly author: string };

/**
 * Whether a grading comes only through a pull request that is not the student's own:
 * opened from a fork, or opened by someone who is neither the repository's student nor
 * a TA. A commit pushed to the repository's default branch is the student's whatever
 * pull request also carries it; a re-run or regrade is judged by the pull request that
 * delivered its commit. Requests recorded before origins were (no `fork` field) pass.
 */
export async function notTheStudents(
  octokit: Octokit,
  ref: RepoRef,
  config: CourseConfig,
  r: GradingRequest,
  deliveries: readonly GradingRequest[],
  namedLogin: string | null,
): Promise<NotTheStudents | null> {
  if (r.trigger === 'push' || deliveries.some((d) => d.trigger === 'push')) return null;
  const origin = r.pullRequest?.fork !== undefined ? r.pullRequest : r.trigger === 'rerun' ? deliveries.find((d) => d.pullRequest?.fork !== undefined)?.pullRequest : undefined;
  if (!origin) return null;
  if (origin.fork) return { reason: 'fork' };
  const author = origin.author;
  if (!author) return null;
  const same = (login: string) => login.toLowerCase() === author.toLowerCase();
  if (namedLogin ? same(namedLogin) : (await repositoryStudents(octokit, ref)).some(same)) return null;
  const status = await taStatus(octokit, ref.owner, config.tas, author);
  return status === 'ta' || status === 'org-owner' ? null : { reason: 'author', author };
}

/** The neutral check run such a pull request gets instead of a grade. */
export function notGradedCheckRun(why: NotTheStudents, locale: Locale): { title: string; summary: string } {
  const text =
    why.reason === 'fork'
      ? {
          title: t('No se corrige: pull request desde un fork', 'Not graded: a pull request from a fork'),
          summary: t(
            'Este pull request viene de un fork: Rubrica no lo corrige ni lo registra como entrega de nadie. Para entregar, abre el pull request desde una rama de este repositorio (o haz push a la rama principal).',
            "This pull request comes from a fork: Rubrica neither grades it nor records it as anyone's hand-in. To hand in, open the pull request from a branch of this repository (or push to the default branch).",
          ),
        }
      : {
          // The login is shown as code (a literal), so it pings no one.
          title: t('No se corrige: pull request de otra persona', 'Not graded: a pull request by someone else'),
          summary: t(
            `Este pull request lo abrió ${literal(why.author)}, que no es el estudiante de este repositorio ni del equipo docente: Rubrica no lo corrige ni lo registra como entrega. Los pushes y pull requests del estudiante se siguen corrigiendo como siempre.`,
            `This pull request was opened by ${literal(why.author)}, who is neither this repository's student nor on the teaching team: Rubrica neither grades it nor records it as a hand-in. The student's own pushes and pull requests are graded as always.`,
          ),
        };
  return { title: plain(say(text.title, locale)), summary: inline(say(text.summary, locale)) };
}
