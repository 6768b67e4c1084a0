import { unitLabel, unitOfGrade } from '../course/unit.ts';
import { bytes, decimal, multiLine, plain, say, singleLine, t, type Locale, type Text } from '../core/text.ts';
import type { SkippedFile } from '../sandbox/snapshot.ts';
import type { Grade } from '../grading/grade.ts';
import { installNotice } from '../grading/install.ts';
import { projectNote } from '../grading/project.ts';
import { isHidden, type CriterionResult, type CriterionStatus } from '../grading/score.ts';

export interface TerminalOptions {
  readonly locale: Locale;
  readonly color: boolean;
  /** Show criteria whose results wait for the deadline (an instructor's dry run). */
  readonly reveal: boolean;
}

const ICON: Record<CriterionStatus, string> = { passed: '✔', partial: '◐', failed: '✘', pending: '⏸', error: '⚠' };
const COLOR: Record<CriterionStatus, number> = { passed: 32, partial: 33, failed: 31, pending: 36, error: 35 };

/**
 * The report a person reads in a terminal: a table, then what to do first. Every
 * text is printed without control characters, so a commit subject or a command's
 * output cannot clear the screen, move the cursor or recolour what follows.
 */
export function renderTerminal(grade: Grade, options: TerminalOptions): string {
  const { locale } = options;
  const L = (text: Text) => plain(say(text, locale));
  const paint = (code: number, s: string) => (options.color ? `\u001b[${code}m${s}\u001b[0m` : s);
  const bold = (s: string) => (options.color ? `\u001b[1m${s}\u001b[0m` : s);
  const dim = (s: string) => (options.color ? `\u001b[2m${s}\u001b[0m` : s);
  const out: string[] = [];

  out.push(bold(`Rubrica · ${unitLabel(unitOfGrade(grade), locale)} — ${L(grade.title)}`));
  out.push(dim(`${grade.pack} · ${grade.commit ? `commit ${grade.commit.slice(0, 7)}` : locale === 'es' ? 'sin historial git' : 'no git history'} · ${grade.image}`));
  out.push('');

  const idWidth = Math.max(...grade.criteria.map((c) => c.id.length));
  const titleWidth = Math.min(40, Math.max(...grade.criteria.map((c) => L(c.title).length)));
  for (const c of grade.criteria) {
    const hidden = isHidden(c, options.reveal);
    const points = `${c.score === null ? '–' : formatPoints(c.score, locale)}/${formatPoints(c.maxScore, locale)}`;
    out.push(
      `  ${paint(COLOR[c.status], ICON[c.status])} ${c.id.padEnd(idWidth)}  ${truncate(L(c.title), titleWidth).padEnd(titleWidth)}  ${hidden ? '?' : points.padStart(9)}`,
    );
    const message = hidden
      ? locale === 'es'
        ? 'Resultado visible después de la fecha de entrega.'
        : 'Result shown after the deadline.'
      : L(c.message);
    out.push(`      ${dim(message)}`);
  }
  out.push('');

  const pending = grade.pendingPoints
    ? locale === 'es'
      ? ` · ${formatPoints(grade.pendingPoints, locale)} pts pendientes de revisión de un ayudante`
      : ` · ${formatPoints(grade.pendingPoints, locale)} pts pending a TA's review`
    : '';
  const errors = grade.errorPoints
    ? locale === 'es'
      ? ` · ${formatPoints(grade.errorPoints, locale)} pts sin corregir por un problema del curso (no tuyo)`
      : ` · ${formatPoints(grade.errorPoints, locale)} pts not graded because of a course setup problem (not yours)`
    : '';
  const verdict = paint(grade.passed ? 32 : 31, verdictWord(grade, grade.score, locale));
  const mark = locale === 'es' ? `aprobación: ${formatPoints(grade.passMark, locale)}` : `pass mark: ${formatPoints(grade.passMark, locale)}`;
  out.push(`${bold(`${locale === 'es' ? 'Puntaje' : 'Score'}: ${formatPoints(grade.score, locale)}/${formatPoints(grade.maxScore, locale)}`)} — ${verdict} (${mark})${pending}${errors}`);

  const todo = whatToDoFirst(grade.criteria).filter((c) => !isHidden(c, options.reveal));
  if (todo.length > 0) {
    out.push('');
    out.push(bold(locale === 'es' ? 'Qué hacer primero' : 'What to do first'));
    todo.forEach((c, i) => {
      const lost = c.maxScore - (c.score ?? 0);
      out.push(`  ${i + 1}. ${bold(L(c.title))} (−${formatPoints(lost, locale)}): ${c.feedback ? L(c.feedback) : ''}`);
      if (c.reading) out.push(`     📖 ${locale === 'es' ? 'Lectura' : 'Reading'}: ${L(c.reading.title)}${c.reading.url ? ` (${c.reading.url})` : ''}`);
      for (const item of c.items.filter((it) => !it.ok)) {
        out.push(`     ${paint(31, '✘')} ${L(item.label)}${item.note ? dim(` — ${L(item.note)}`) : ''}`);
      }
      if (c.details && c.status !== 'passed') {
        const lines = multiLine(c.details).split('\n');
        const shown = lines.length > 12 ? [...lines.slice(0, 4), '…', ...lines.slice(-7)] : lines;
        for (const line of shown) out.push(dim(`     │ ${line.slice(0, 200)}`));
      }
    });
  }
  if (grade.project) {
    out.push('');
    out.push(L(projectNote(grade.project)));
  }
  const install = installNotice(grade.install);
  if (install) {
    out.push('');
    for (const line of say(install, locale).split('\n')) out.push(plain(line));
  }
  if (grade.skipped.length > 0) {
    out.push('');
    out.push(locale === 'es' ? 'Archivos que no se copiaron al contenedor:' : 'Files not copied into the container:');
    for (const s of grade.skipped.slice(0, 10)) out.push(`  - ${singleLine(s.path)}: ${L(skipReason(s))}`);
    if (grade.skipped.length > 10) out.push(`  … (+${grade.skipped.length - 10})`);
  }
  out.push('');
  return out.join('\n');
}

/**
 * Criteria not fully met, in the order that earns the most points back with the least
 * risk: the most points at stake first, and criteria earned by new commits (Conventional
 * Commits) after the others, since committing each other fix with a conventional message
 * earns them along the way and nothing old needs rewriting.
 */
export function whatToDoFirst(criteria: readonly CriterionResult[]): CriterionResult[] {
  const along = (c: CriterionResult) => (earnedAlongTheWay(c) ? 1 : 0);
  return criteria
    .filter((c) => c.status === 'failed' || c.status === 'partial')
    .sort((a, b) => along(a) - along(b) || b.maxScore - (b.score ?? 0) - (a.maxScore - (a.score ?? 0)));
}

/** Check kinds whose points come from commits still to be made, not from changing files. */
const EARNED_BY_NEW_COMMITS = new Set(['commits']);

/** A criterion earned by committing the other fixes the right way: listed last, and never cut from a short list. */
export function earnedAlongTheWay(c: Pick<CriterionResult, 'kind'>): boolean {
  return EARNED_BY_NEW_COMMITS.has(c.kind);
}

/**
 * The verdict on a score that counts: passed, not passed, or not passed *yet* when a TA's
 * pending points or points we failed to grade (our error) could still carry it over.
 */
export function verdictWord(grade: Pick<Grade, 'passMark' | 'pendingPoints' | 'errorPoints'>, counts: number, locale: Locale): string {
  const es = locale === 'es';
  if (counts >= grade.passMark) return es ? 'aprobado' : 'passed';
  if (grade.errorPoints > 0 || counts + grade.pendingPoints >= grade.passMark) return es ? 'aún sin aprobar' : 'not passed yet';
  return es ? 'no aprobado' : 'not passed';
}

/** Why a file was left out of the sandbox, said to its owner. */
export function skipReason(s: SkippedFile): Text {
  switch (s.reason) {
    case 'too-large':
      return t(`pesa ${bytes(s.size, 'es')}, más que el límite; los datos grandes van en DVC`, `${bytes(s.size)}, over the limit; large data belongs in DVC`);
    case 'snapshot-full':
      return t('el repositorio supera el tamaño máximo que se corrige', 'the repository is over the size that is graded');
    case 'environment':
      return t('entorno virtual o caché: no es parte de la entrega', 'a virtualenv or a cache: not part of the work');
    case 'special-file':
      return t('no es un archivo común (dispositivo, socket, FIFO)', 'not a regular file (device, socket, FIFO)');
    default:
      return t('no se pudo leer', 'could not be read');
  }
}

/** Points with one decimal at most, as the locale writes decimals (English by default: CSV, logs). */
export function formatPoints(n: number, locale: Locale = 'en'): string {
  return decimal(n, locale);
}

function truncate(s: string, width: number): string {
  return s.length > width ? `${s.slice(0, width - 1)}…` : s;
}
