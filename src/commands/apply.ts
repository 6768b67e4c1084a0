import type { CourseConfig } from '../course/config.ts';
import { literal, say, t, type Text } from '../core/text.ts';
import { parseUnitKey, unitLabel, weekNumberOf, type UnitKey } from '../course/unit.ts';
import { measuredLateness } from '../grading/late.ts';
import type { ParsedPublication } from '../outbox/publications.ts';
import { inline } from '../report/markup.ts';
import type { ReviewAnswer, ReviewRequest } from '../store/reviews.ts';
import type { StoredGrading, Store } from '../store/store.ts';
import type { Command } from './parse.ts';

/** Who changes what: a TA's command in a comment, or the same action taken in the dashboard. */
export interface TaChange {
  readonly org: string;
  /** The course of the organization the repository belongs to. */
  readonly course: string;
  readonly repoId: number;
  /** The grading unit: `week-3`, `final`, `final/first`. */
  readonly unit: UnitKey;
  /** The TA's login. */
  readonly by: string;
  /** When (ISO): the comment's delivery, or the dashboard's request. */
  readonly at: string;
  /** The comment that asked for it; none from the dashboard. */
  readonly commentId?: number;
}

/** The commands that change a student's record. */
export type RecordCommand = Extract<Command, { kind: 'override' | 'manual' | 'clear' | 'extend' }>;

export type Applied = { readonly done: string; readonly closed?: ReviewRequest } | { readonly error: Text };

/**
 * A TA's change to the record, carried out the one way whether it came from a
 * pull-request comment or the dashboard: the override (or manual score, clearing,
 * extension, with the lateness of the week's gradings measured again) recorded with
 * who, when and the automatic points, and the student's open review request of that
 * criterion closed by it. Publishing the changed week is the caller's.
 */
export async function applyTaChange(store: Store, config: CourseConfig, change: TaChange, command: RecordCommand, shown: StoredGrading | undefined): Promise<Applied> {
  const { unit } = change;
  // Review requests are kept by week (0 for an assignment's units).
  const week = weekNumberOf(unit);
  const label = unitLabel(unit, config.locale);
  const base = { org: change.org, course: change.course, repoId: change.repoId, unit, by: change.by, at: change.at, ...(change.commentId !== undefined ? { commentId: change.commentId } : {}) };
  if (command.kind === 'override' || command.kind === 'manual') {
    const automatic = shown?.criteria.find((c) => c.id === command.criterion)?.score ?? null;
    await store.tas.saveOverride({ ...base, action: command.kind, criterion: command.criterion, points: command.points, reason: command.reason, automaticPoints: automatic });
    const closed = await store.reviews.close({ repoId: change.repoId, week, criterion: command.criterion }, { by: change.by, at: change.at, how: command.kind, text: command.reason });
    return { done: `${command.kind} ${command.criterion} ${command.points} (${unit})`, ...(closed ? { closed } : {}) };
  }
  if (command.kind === 'clear') {
    const current = (await store.tas.overrides({ repoId: change.repoId, unit })).find((o) => o.criterion === command.criterion);
    if (!current) return { error: t(`\`${command.criterion}\` no tiene un ajuste en ${label}: no hay nada que quitar.`, `\`${command.criterion}\` has no override in ${label}: nothing to clear.`) };
    await store.tas.saveOverride({ ...base, action: 'clear', criterion: command.criterion, automaticPoints: current.automaticPoints });
    const closed = await store.reviews.close({ repoId: change.repoId, week, criterion: command.criterion }, { by: change.by, at: change.at, how: 'clear' });
    return { done: `clear ${command.criterion} (${unit})`, ...(closed ? { closed } : {}) };
  }
  // Per repository: a group's extension is the whole group's.
  await store.record.saveExtension({ org: change.org, course: change.course, repoId: change.repoId, unit, minutes: command.minutes, grantedBy: change.by, grantedAt: change.at, ...(command.reason ? { reason: command.reason } : {}) });
  // Lateness is a record too: every grading of the unit is measured again against the new deadline.
  for (const g of await store.record.gradings({ repoId: change.repoId, unit })) {
    const measured = measuredLateness(config, parseUnitKey(unit)!, new Date(g.deliveredAt), command.minutes, g.score, g.maxScore);
    await store.record.updateLateness(g.jobId, measured.late, measured.penalty, measured.finalScore);
  }
  return { done: `extend ${command.minutes}m (${unit})` };
}

/** The grading a unit's check run shows when no pull request says which: the repository's latest of the unit. */
export async function latestGradingOfUnit(store: Store, repoId: number, unit: UnitKey): Promise<StoredGrading | undefined> {
  return (await store.record.gradings({ repoId, unit })).sort((a, b) => a.gradedAt.localeCompare(b.gradedAt)).at(-1);
}

/**
 * What tells the student their review request was answered: a reply on the pull request
 * they asked on, naming them (they asked, so the ping is theirs), the TA and the answer
 * as inert text.
 */
export function reviewAnsweredReply(request: ReviewRequest, how: ReviewAnswer, answer: { by: string; text?: string | null; points?: number }, config: CourseConfig): ParsedPublication {
  const what = literal(request.criterion);
  const text: Text =
    how === 'clear'
      ? t(`quitó el ajuste de ${what}: vuelve a contar la nota automática.`, `cleared the override of ${what}: the automatic score counts again.`)
      : how === 'answered'
        ? t('respondió:', 'answered:')
        : t(`puso ${what} en ${answer.points ?? '?'} puntos:`, `set ${what} to ${answer.points ?? '?'} points:`);
  const why = answer.text ? ` ${literal(answer.text.slice(0, 500))}` : '';
  const message = say(
    t(`tu pedido de revisión de ${what} (semana ${request.week}) está respondido: ${literal(answer.by)} ${text.es}${why}`, `your review request of ${what} (week ${request.week}) is answered: ${literal(answer.by)} ${text.en}${why}`),
    config.locale,
  );
  // The student asked, so the mention is theirs; everything else is inert.
  return { kind: 'reply', installationId: request.installationId, owner: request.org, repo: request.repo, repoId: request.repoId, pullRequest: request.pullRequest, body: `@${request.student}, ${inline(message)}` };
}
