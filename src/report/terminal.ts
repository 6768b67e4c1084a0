import { bytes, multiLine, plain, say, singleLine, t, type Locale, type Text } from '../core/text.ts';
import type { SkippedFile } from '../sandbox/snapshot.ts';
import type { Grade } from '../grading/grade.ts';
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

  const weekWord = locale === 'es' ? 'Semana' : 'Week';
  out.push(bold(`Rubrica · ${weekWord} ${grade.week} — ${L(grade.title)}`));
  out.push(dim(`${grade.pack} · ${grade.commit ? `commit ${grade.commit.slice(0, 7)}` : locale === 'es' ? 'sin historial git' : 'no git history'} · ${grade.image}`));
  out.push('');

  const idWidth = Math.max(...grade.criteria.map((c) => c.id.length));
  const titleWidth = Math.min(40, Math.max(...grade.criteria.map((c) => L(c.title).length)));
  for (const c of grade.criteria) {
    const hidden = isHidden(c, options.reveal);
    const points = `${c.score === null ? '–' : formatPoints(c.score)}/${formatPoints(c.maxScore)}`;
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
      ? ` · ${formatPoints(grade.pendingPoints)} pts pendientes de revisión de un ayudante`
      : ` · ${formatPoints(grade.pendingPoints)} pts pending a TA's review`
    : '';
  const errors = grade.errorPoints
    ? locale === 'es'
      ? ` · ${formatPoints(grade.errorPoints)} pts sin corregir por un problema del curso (no tuyo)`
      : ` · ${formatPoints(grade.errorPoints)} pts not graded because of a course setup problem (not yours)`
    : '';
  const verdict = grade.passed
    ? paint(32, locale === 'es' ? 'aprobado' : 'passed')
    : paint(31, locale === 'es' ? `por debajo de ${formatPoints(grade.passMark)}` : `below ${formatPoints(grade.passMark)}`);
  out.push(`${bold(`${locale === 'es' ? 'Puntaje' : 'Score'}: ${formatPoints(grade.score)}/${formatPoints(grade.maxScore)}`)} (${verdict})${pending}${errors}`);

  const todo = whatToDoFirst(grade.criteria).filter((c) => !isHidden(c, options.reveal));
  if (todo.length > 0) {
    out.push('');
    out.push(bold(locale === 'es' ? 'Qué hacer primero' : 'What to do first'));
    todo.forEach((c, i) => {
      const lost = c.maxScore - (c.score ?? 0);
      out.push(`  ${i + 1}. ${bold(L(c.title))} (−${formatPoints(lost)}): ${c.feedback ? L(c.feedback) : ''}`);
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
  if (grade.skipped.length > 0) {
    out.push('');
    out.push(locale === 'es' ? 'Archivos que no se copiaron al contenedor:' : 'Files not copied into the container:');
    for (const s of grade.skipped.slice(0, 10)) out.push(`  - ${singleLine(s.path)}: ${L(skipReason(s))}`);
    if (grade.skipped.length > 10) out.push(`  … (+${grade.skipped.length - 10})`);
  }
  out.push('');
  return out.join('\n');
}

/** Criteria not fully met, the most points at stake first. */
export function whatToDoFirst(criteria: readonly CriterionResult[]): CriterionResult[] {
  return criteria
    .filter((c) => c.status === 'failed' || c.status === 'partial')
    .sort((a, b) => b.maxScore - (b.score ?? 0) - (a.maxScore - (a.score ?? 0)));
}

/** Why a file was left out of the sandbox, said to its owner. */
export function skipReason(s: SkippedFile): Text {
  switch (s.reason) {
    case 'too-large':
      return t(`pesa ${bytes(s.size)}, más que el límite; los datos grandes van en DVC`, `${bytes(s.size)}, over the limit; large data belongs in DVC`);
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

export function formatPoints(n: number): string {
  return Number.isInteger(n) ? String(n) : n.toFixed(1).replace(/\.0$/, '');
}

function truncate(s: string, width: number): string {
  return s.length > width ? `${s.slice(0, width - 1)}…` : s;
}
