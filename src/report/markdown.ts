import { parseUnitKey, unitFlags, unitLabel, unitOfGrade } from '../course/unit.ts';
import { counted, noun, plain, say, type Locale, type Text } from '../core/text.ts';
import type { FinalGrade } from '../grading/final-grade.ts';
import type { Grade } from '../grading/grade.ts';
import { projectNote } from '../grading/project.ts';
import type { Lateness } from '../store/records.ts';
import { isHidden, type CriterionResult, type CriterionStatus } from '../grading/score.ts';
import { earnedAlongTheWay, formatPoints, verdictWord, whatToDoFirst } from './terminal.ts';
import { fencedBlock, inline } from './markup.ts';
import { installNotice } from '../grading/install.ts';

/**
 * What GitHub shows: a check run (title, summary, text, annotations) and a pull
 * request comment. Pure functions of a grade; the GitHub adapter only sends them.
 * Every message, label and rubric text goes through `inline` (markup.ts), so what a
 * student or an instructor wrote renders as written, never as Markdown or HTML.
 */

/** GitHub's limits: output summary and text 65,535 characters each, comments 65,536, 50 annotations per request. */
export const GITHUB_LIMITS = { outputChars: 65_535, commentChars: 65_536, annotationsPerRequest: 50 } as const;

const ICON: Record<CriterionStatus, string> = { passed: '✅', partial: '🟡', failed: '❌', pending: '⏳', error: '⚠️' };

export interface RenderOptions {
  readonly locale: Locale;
  /** Show results of criteria marked `after-deadline`. */
  readonly reveal: boolean;
  /** The late policy's verdict on this delivery, when it was late. */
  readonly late?: LateVerdict;
  /** Notes for TAs (an override comment edited by someone else, an automatic result that changed since an override). */
  readonly taNotes?: readonly string[];
  /** The student's course grade so far, when the pack defines a final grade. */
  readonly standing?: Pick<FinalGrade, 'grade' | 'scale' | 'passGrade' | 'passed' | 'level' | 'pendingPoints'>;
}

/** One line with the course grade so far; empty when the pack defines none. */
export function standingLine(options: RenderOptions): string {
  const s = options.standing;
  if (!s) return '';
  const es = options.locale === 'es';
  const n = (x: number) => (es ? String(x).replace('.', ',') : String(x));
  const level = s.level ? (es ? ` · nivel: ${inline(say(s.level.title, options.locale))}` : ` · level: ${inline(say(s.level.title, options.locale))}`) : '';
  const pass = s.passGrade === undefined ? '' : es ? ` (se aprueba con ${n(s.passGrade)})` : ` (${n(s.passGrade)} passes)`;
  const pending = s.pendingPoints > 0 ? (es ? ` · ${n(s.pendingPoints)} pts esperan a tu ayudante` : ` · ${n(s.pendingPoints)} pts wait for your TA`) : '';
  return es
    ? `🎓 Nota del curso hasta ahora: ${n(s.grade)} de ${n(s.scale.max)}${pass}${level}${pending}.`
    : `🎓 Course grade so far: ${n(s.grade)} of ${n(s.scale.max)}${pass}${level}${pending}.`;
}

/** The notes for TAs, as a section; empty without notes. */
export function taNotesSection(options: RenderOptions): string {
  if (!options.taNotes?.length) return '';
  const heading = options.locale === 'es' ? '#### Para el equipo docente' : '#### For the teaching team';
  return [heading, '', ...options.taNotes.map((n) => `- ${inline(n)}`)].join('\n');
}

/** What TAs should know about a grade's overrides: where the checks now disagree with what they overrode. */
export function overrideNotes(grade: Grade, locale: Locale): string[] {
  const es = locale === 'es';
  return grade.criteria
    .filter((c) => c.override?.automaticChanged)
    .map((c) => {
      const o = c.override!;
      const now = o.automatic === null ? (es ? 'sin resultado' : 'no result') : formatPoints(o.automatic, locale);
      return es
        ? `⚠️ \`${c.id}\`: el resultado automático cambió desde el ajuste de ${o.by} (ahora ${now}); el ajuste sigue vigente. Revísalo o quítalo con \`/rubrica clear ${c.id}\`.`
        : `⚠️ \`${c.id}\`: the automatic result changed since ${o.by}'s override (now ${now}); the override still stands. Review it or remove it with \`/rubrica clear ${c.id}\`.`;
    });
}

/** How lateness changed a grade: shown to the student next to the score. */
export interface LateVerdict {
  readonly late: Lateness;
  readonly penalty: number;
  readonly finalScore: number | null;
  /** The course's time zone, to show the deadline as students know it. */
  readonly timeZone?: string;
}

/** An instant as the course's students read it: `2026-09-13 23:59 (America/…)`. */
export function localDeadline(iso: string, timeZone: string | undefined): string {
  if (!timeZone) return `${iso.replace('T', ' ').slice(0, 16)} UTC`;
  const parts = new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).formatToParts(new Date(iso));
  const get = (type: string) => parts.find((p) => p.type === type)?.value ?? '';
  return `${get('year')}-${get('month')}-${get('day')} ${get('hour')}:${get('minute')} (${timeZone})`;
}

/** One line saying how late the delivery was and when the deadline was; empty when on time. The score line says what it cost. */
export function lateLine(verdict: LateVerdict | undefined, maxScore: number, locale: Locale): string {
  if (!verdict || verdict.late.status === 'on-time') return '';
  const es = locale === 'es';
  const deadline = localDeadline(verdict.late.effectiveDeadline, verdict.timeZone);
  const days = say(counted(verdict.late.daysLate, DAYS), locale);
  if (verdict.late.status === 'too-late') {
    return es
      ? `⏰ Entregado ${days} después del plazo: queda registrado, pero pasó el máximo de días de atraso del curso y no suma puntos. Plazo: ${deadline}. Si tienes una prórroga, pídele a tu ayudante que la registre.`
      : `⏰ Delivered ${days} after the deadline: it is recorded, but it is past the course's maximum days late and earns no points. Deadline: ${deadline}. If you have an extension, ask your TA to record it.`;
  }
  return es
    ? `⏰ Entregado ${days} tarde (−${formatPoints(verdict.penalty, locale)} pts). Plazo: ${deadline}.`
    : `⏰ Delivered ${days} late (−${formatPoints(verdict.penalty, locale)} pts). Deadline: ${deadline}.`;
}

const DAYS = noun('día', 'días', 'day', 'days');

/** The check run's title: the score, and the final score when lateness changed it. */
export function scoreTitle(grade: Pick<Grade, 'score' | 'maxScore'>, verdict: LateVerdict | undefined, locale: Locale): string {
  const p = (n: number) => formatPoints(n, locale);
  const base = `${p(grade.score)}/${p(grade.maxScore)}`;
  if (!verdict || verdict.late.status === 'on-time') return base;
  if (verdict.late.status === 'too-late') return locale === 'es' ? `${base} · fuera de plazo, no cuenta` : `${base} · too late, not counted`;
  return locale === 'es'
    ? `${p(verdict.finalScore ?? 0)}/${p(grade.maxScore)} (${base} − ${p(verdict.penalty)} por atraso)`
    : `${p(verdict.finalScore ?? 0)}/${p(grade.maxScore)} (${base} − ${p(verdict.penalty)} late)`;
}

export interface CheckRunAnnotation {
  readonly path: string;
  readonly start_line: number;
  readonly end_line: number;
  readonly annotation_level: 'notice' | 'warning' | 'failure';
  readonly title: string;
  readonly message: string;
}

export interface CheckRunOutput {
  readonly title: string;
  readonly summary: string;
  readonly text: string;
  readonly annotations: readonly CheckRunAnnotation[];
}

export function checkRunName(grade: Pick<Grade, 'week' | 'unit' | 'title'>, locale: Locale): string {
  return `Rubrica · ${unitLabel(unitOfGrade(grade), locale)} — ${plain(say(grade.title, locale))}`;
}

/**
 * success at or above the pass mark; below it, the course's choice (failure or
 * neutral). A grade with criteria we could not run is neutral: it is not the student's.
 * With a late verdict the final score (after the penalty) is what passes; a push too
 * late to count is neutral.
 */
export function conclusionOf(grade: Grade, belowPassMark: 'failure' | 'neutral', verdict?: LateVerdict): 'success' | 'failure' | 'neutral' {
  if (grade.errorPoints > 0 || verdict?.late.status === 'too-late') return 'neutral';
  const passed = verdict ? (verdict.finalScore ?? 0) >= grade.passMark : grade.passed;
  return passed ? 'success' : belowPassMark;
}

/** Text in a table cell: inert, and its pipes cannot split the row. */
function cell(s: string): string {
  return inline(s, { table: true });
}

export function scoreTable(grade: Grade, options: RenderOptions): string {
  const L = (text: Text) => say(text, options.locale);
  const es = options.locale === 'es';
  const rows = grade.criteria.map((c) => {
    const hidden = isHidden(c, options.reveal) && !c.override;
    const automatic = (p: number | null) => (p === null ? (es ? 'pendiente' : 'pending') : formatPoints(p, options.locale));
    const points = hidden
      ? '?'
      : c.override && c.override.kind === 'override'
        ? `~~${automatic(c.override.automatic)}~~ → ${formatPoints(c.override.points, options.locale)} / ${formatPoints(c.maxScore, options.locale)}`
        : `${c.score === null ? '–' : formatPoints(c.score, options.locale)} / ${formatPoints(c.maxScore, options.locale)}`;
    const message = hidden
      ? es ? 'Se muestra después de la fecha de entrega.' : 'Shown after the deadline.'
      : c.override
        ? `✏️ ${c.override.kind === 'manual' ? (es ? 'Puntuado por' : 'Scored by') : es ? 'Ajustado por' : 'Adjusted by'} ${cell(c.override.by)}: ${cell(c.override.reason)}`
        : cell(L(c.message));
    return `| ${ICON[c.status]} | ${cell(L(c.title))} | ${points} | ${message} |`;
  });
  return [`| | ${es ? 'Criterio' : 'Criterion'} | ${es ? 'Puntos' : 'Points'} | ${es ? 'Resultado' : 'Result'} |`, '|---|---|---|---|', ...rows].join('\n');
}

/** Which folder a project week graded (empty for a week whose deliverable is the repository). */
function projectLine(grade: Grade, locale: Locale): string {
  return grade.project ? `📁 ${inline(say(projectNote(grade.project), locale))}` : '';
}

/**
 * The first thing read: the score that counts and the verdict, e.g.
 * `**44 / 100 — no aprobado** (aprobación: 60)`; when late, the raw score and the
 * penalty after it (`· 75 / 100 − 10 por atraso`). A grade that could still pass once a
 * TA scores it, or once our error is fixed, is "not passed yet", never "not passed".
 */
export function scoreLine(grade: Grade, locale: Locale, verdict?: LateVerdict): string {
  const es = locale === 'es';
  const p = (n: number) => formatPoints(n, locale);
  const of = (n: number) => `${p(n)} / ${p(grade.maxScore)}`;
  const mark = es ? `(aprobación: ${p(grade.passMark)})` : `(pass mark: ${p(grade.passMark)})`;
  const parts: string[] = [];
  if (verdict?.late.status === 'too-late') {
    parts.push(es ? `**Fuera de plazo: no cuenta** · ${of(grade.score)} sin contar` : `**Too late: not counted** · ${of(grade.score)} not counted`);
  } else {
    const late = verdict && verdict.late.status !== 'on-time';
    const counts = late ? (verdict.finalScore ?? 0) : grade.score;
    parts.push(`**${of(counts)} — ${verdictWord(grade, counts, locale)}** ${mark}`);
    if (late) parts.push(es ? `${of(grade.score)} − ${p(verdict.penalty)} por atraso` : `${of(grade.score)} − ${p(verdict.penalty)} late`);
  }
  if (grade.pendingPoints) parts.push(es ? `${p(grade.pendingPoints)} pts pendientes de revisión de un ayudante` : `${p(grade.pendingPoints)} pts pending a TA's review`);
  if (grade.errorPoints) parts.push(es ? `${p(grade.errorPoints)} pts sin corregir por un problema del curso (no tuyo)` : `${p(grade.errorPoints)} pts not graded because of a course problem (not yours)`);
  return parts.join(' · ');
}

function todoList(grade: Grade, options: RenderOptions, limit = 5): string {
  const L = (text: Text) => say(text, options.locale);
  const all = whatToDoFirst(grade.criteria).filter((c) => !isHidden(c, options.reveal));
  // How to commit the fixes is what earns the commit criterion: it stays however short the list.
  const todo = [...all.filter((c) => !earnedAlongTheWay(c)).slice(0, limit), ...all.filter(earnedAlongTheWay)];
  if (todo.length === 0) return '';
  const heading = options.locale === 'es' ? '### Qué hacer primero' : '### What to do first';
  const items = todo.map((c, i) => {
    // Old commits are not something to fix (new ones earn the points): not listed here.
    const unmet = earnedAlongTheWay(c) ? [] : c.items.filter((it) => !it.ok).map((it) => `   - ${itemText(it, L)}`);
    const reading = c.reading ? ` 📖 ${options.locale === 'es' ? 'Lectura' : 'Reading'}: ${readingLink(c.reading, L)}` : '';
    return [`${i + 1}. **${inline(L(c.title))}** (−${formatPoints(c.maxScore - (c.score ?? 0), options.locale)}): ${inline(c.feedback ? L(c.feedback) : L(c.message))}${reading}`, ...unmet].join('\n');
  });
  return [heading, '', ...items].join('\n');
}

/** The course's reading for a criterion: its title (escaped), linked when the pack gives an https address. */
function readingLink(reading: NonNullable<CriterionResult['reading']>, L: (text: Text) => string): string {
  const title = inline(L(reading.title));
  return reading.url ? `[${title}](${reading.url})` : title;
}

/** A checklist item's label and note, inert. */
function itemText(item: CriterionResult['items'][number], L: (text: Text) => string): string {
  return `${inline(L(item.label))}${item.note ? ` — ${inline(L(item.note))}` : ''}`;
}

/** Cuts text to GitHub's limit, saying so at the end. */
export function fitTo(text: string, limit: number, note: string): string {
  if (text.length <= limit) return text;
  const tail = `\n\n… ${note}`;
  return text.slice(0, limit - tail.length) + tail;
}

/**
 * Whole sections up to the limit, then the note: a cut inside a section's fenced
 * output would leave the fence open and the note inside it.
 */
function fitSections(sections: readonly string[], limit: number, note: string): string {
  const whole = sections.join('\n\n');
  if (whole.length <= limit) return whole;
  const tail = `\n\n… ${note}`;
  const kept: string[] = [];
  let size = 0;
  for (const section of sections) {
    const added = (kept.length ? 2 : 0) + section.length;
    if (size + added + tail.length > limit) break;
    kept.push(section);
    size += added;
  }
  return kept.length ? `${kept.join('\n\n')}${tail}` : fitTo(whole, limit, note);
}

/** Command output in a details block, the end kept when it is long (failures print last). */
function outputBlock(details: string, maxChars: number): string {
  return fencedBlock(details.length > maxChars ? `…\n${details.slice(-maxChars)}` : details);
}

/** What the install phase did, pip's own lines shown verbatim, one per line. */
function installLines(grade: Grade, L: (text: Text) => string): string {
  const notice = installNotice(grade.install);
  return notice ? L(notice).split('\n').map((line) => inline(line)).join('  \n') : '';
}

export function checkRunOutput(grade: Grade, options: RenderOptions): CheckRunOutput {
  const L = (text: Text) => say(text, options.locale);
  const es = options.locale === 'es';
  const summary = [scoreLine(grade, options.locale, options.late), lateLine(options.late, grade.maxScore, options.locale), standingLine(options), projectLine(grade, options.locale), '', installLines(grade, L), '', scoreTable(grade, options), '', todoList(grade, options)]
    .join('\n')
    .replace(/\n{3,}/g, '\n\n')
    .trim();
  const sections = grade.criteria
    .filter((c) => !isHidden(c, options.reveal) && (c.details || c.items.length))
    .map((c) => {
      const lines = [`### ${ICON[c.status]} ${inline(L(c.title))}`, '', inline(L(c.message))];
      if (c.items.length) lines.push('', ...c.items.map((it) => `- ${it.ok ? '✅' : '❌'} ${itemText(it, L)}`));
      if (c.details) lines.push('', `<details><summary>${es ? 'Salida' : 'Output'}</summary>`, '', outputBlock(c.details, 12_000), '', '</details>');
      return lines.join('\n');
    });
  // The installed CLI's command (`npx rubrica` would look for an unpublished package).
  const cut = es
    ? `recortado al límite de GitHub; corre \`rubrica check ${unitFlags(unitOfGrade(grade))} .\` en tu copia para verlo entero.`
    : `cut at GitHub's limit; run \`rubrica check ${unitFlags(unitOfGrade(grade))} .\` in your checkout to see it all.`;
  const annotations = grade.criteria
    .filter((c) => !isHidden(c, options.reveal))
    .flatMap((c) =>
      c.annotations.map((a) => ({
        path: a.path,
        start_line: a.line ?? 1,
        end_line: a.line ?? 1,
        annotation_level: c.status === 'passed' ? ('notice' as const) : ('warning' as const),
        // Annotations are shown as plain text: no markup to escape, only control characters to drop.
        title: plain(L(c.title)).slice(0, 255),
        message: plain(L(a.message)).slice(0, 64_000),
      })),
    );
  return {
    title: scoreTitle(grade, options.late, options.locale),
    summary: withNotes(summary, taNotesSection(options), GITHUB_LIMITS.outputChars, cut),
    text: fitSections(sections, GITHUB_LIMITS.outputChars, cut),
    annotations,
  };
}

/** Annotations in the batches the Checks API accepts, one update request each. */
export function annotationBatches<T>(annotations: readonly T[], size: number = GITHUB_LIMITS.annotationsPerRequest): T[][] {
  const batches: T[][] = [];
  for (let i = 0; i < annotations.length; i += size) batches.push(annotations.slice(i, i + size));
  return batches;
}

/**
 * Marks Rubrica's comment for a unit (a week's keeps the marker it always had); the
 * comment id is also kept in our store (anyone with write access can edit a comment).
 */
export function commentMarker(unit: string): string {
  const u = parseUnitKey(unit);
  return u?.kind === 'week' ? `<!-- rubrica:week=${u.week} -->` : `<!-- rubrica:unit=${unit} -->`;
}

export function pullRequestComment(grade: Grade, options: RenderOptions & { readonly checkRunUrl?: string; readonly commit: string }): string {
  const es = options.locale === 'es';
  const link = options.checkRunUrl ? `[${es ? 'Ver el detalle' : 'See the details'}](${options.checkRunUrl})` : '';
  const body = [
    commentMarker(unitOfGrade(grade)),
    `## ${inline(checkRunName(grade, options.locale))}`,
    '',
    `${scoreLine(grade, options.locale, options.late)} · commit ${options.commit.slice(0, 7)}`,
    ...(lateLine(options.late, grade.maxScore, options.locale) ? [lateLine(options.late, grade.maxScore, options.locale)] : []),
    ...(standingLine(options) ? [standingLine(options)] : []),
    '',
    scoreTable(grade, options),
    '',
    todoList(grade, options, 3),
  ]
    .join('\n')
    .replace(/\n{3,}/g, '\n\n')
    .trim();
  const tail = [taNotesSection(options), link].filter(Boolean).join('\n\n');
  return withNotes(body, tail, GITHUB_LIMITS.commentChars, es ? 'recortado; el detalle está en el check run.' : 'cut; the check run has the details.');
}

/** The body cut to fit, then what must always show (the notes for TAs, the link) after it. */
function withNotes(body: string, notes: string, limit: number, note: string): string {
  if (!notes) return fitTo(body, limit, note);
  // Notes past half the limit are cut too, so the score and the table always have room.
  const kept = fitTo(notes, Math.floor(limit / 2), note);
  return `${fitTo(body, limit - kept.length - 2, note)}\n\n${kept}`;
}
