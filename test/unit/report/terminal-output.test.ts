import { describe, expect, it } from 'vitest';
import { t } from '../../../src/core/text.ts';
import type { Grade } from '../../../src/grading/grade.ts';
import { renderTerminal } from '../../../src/report/terminal.ts';
import type { SkippedFile } from '../../../src/sandbox/snapshot.ts';
import { grade, result } from '../../helpers/grade.ts';

/** The CLI's report, line by line: what a student running `rubrica check` reads. */
const REASONS: SkippedFile['reason'][] = ['snapshot-full', 'special-file', 'unreadable'];
const crowded: Grade = {
  ...grade,
  errorPoints: 5,
  commit: null,
  skipped: Array.from({ length: 12 }, (_, i): SkippedFile => ({ path: `data/big-${i}.csv`, reason: REASONS[i] ?? 'too-large', size: 60 * 1024 * 1024 + i })),
  criteria: [
    ...grade.criteria,
    result('tests', 2.5, 10, 'partial', {
      details: Array.from({ length: 14 }, (_, i) => `line ${i + 1}`).join('\n'),
      title: t('Un título muy largo que pasa de los cuarenta caracteres', 'A very long title that runs past forty characters'),
    }),
    result('infra', null, 5, 'error'),
  ],
};

describe('the terminal report, in full', () => {
  it('lists each criterion, the totals, what to do first with its details, and the files left out', () => {
    expect(renderTerminal(crowded, { locale: 'es', reveal: false, color: false }).split('\n')).toEqual([
        "Rubrica · Semana 3 — DVC",
        "mlops · sin historial git · rubrica/runner-mlops:1",
        "",
        "  ✔ dvc-init  Título dvc-init                               20/20",
        "      mensaje dvc-init",
        "  ◐ stages    Título stages                                 10/30",
        "      mensaje stages",
        "  ✘ remote    Título remote                                  0/20",
        "      mensaje remote",
        // Not pinned: whether a hidden criterion's icon should show its status (it does now).
        expect.stringMatching(/^  \S secret    Título secret {29}\?$/),
        "      Resultado visible después de la fecha de entrega.",
        "  ⏸ analysis  Título analysis                                –/15",
        "      mensaje analysis",
        "  ◐ tests     Un título muy largo que pasa de los cua…     2,5/10",
        "      mensaje tests",
        "  ⚠ infra     Título infra                                    –/5",
        "      mensaje infra",
        "",
        "Puntaje: 45/100 — aún sin aprobar (aprobación: 60) · 15 pts pendientes de revisión de un ayudante · 5 pts sin corregir por un problema del curso (no tuyo)",
        "",
        "Qué hacer primero",
        "  1. Título stages (−20): haz stages",
        "     ✘ etapa train — falta `cmd`",
        "  2. Título remote (−20): haz remote",
        "  3. Un título muy largo que pasa de los cuarenta caracteres (−7,5): haz tests",
        "     │ line 1",
        "     │ line 2",
        "     │ line 3",
        "     │ line 4",
        "     │ …",
        "     │ line 8",
        "     │ line 9",
        "     │ line 10",
        "     │ line 11",
        "     │ line 12",
        "     │ line 13",
        "     │ line 14",
        "",
        "Archivos que no se copiaron al contenedor:",
        "  - data/big-0.csv: el repositorio supera el tamaño máximo que se corrige",
        "  - data/big-1.csv: no es un archivo común (dispositivo, socket, FIFO)",
        "  - data/big-2.csv: no se pudo leer",
        "  - data/big-3.csv: pesa 60,0 MB, más que el límite; los datos grandes van en DVC",
        "  - data/big-4.csv: pesa 60,0 MB, más que el límite; los datos grandes van en DVC",
        "  - data/big-5.csv: pesa 60,0 MB, más que el límite; los datos grandes van en DVC",
        "  - data/big-6.csv: pesa 60,0 MB, más que el límite; los datos grandes van en DVC",
        "  - data/big-7.csv: pesa 60,0 MB, más que el límite; los datos grandes van en DVC",
        "  - data/big-8.csv: pesa 60,0 MB, más que el límite; los datos grandes van en DVC",
        "  - data/big-9.csv: pesa 60,0 MB, más que el límite; los datos grandes van en DVC",
        "  … (+2)",
        "",
    ]);
  });

  it('in English and in colour, for a passing week', () => {
    expect(renderTerminal({ ...grade, passed: true, score: 70 }, { locale: 'en', reveal: false, color: true }).split('\n')).toEqual([
        "\u001b[1mRubrica · Week 3 — DVC\u001b[0m",
        "\u001b[2mmlops · commit abcdef1 · rubrica/runner-mlops:1\u001b[0m",
        "",
        "  \u001b[32m✔\u001b[0m dvc-init  Title dvc-init      20/20",
        "      \u001b[2mmessage dvc-init\u001b[0m",
        "  \u001b[33m◐\u001b[0m stages    Title stages        10/30",
        "      \u001b[2mmessage stages\u001b[0m",
        "  \u001b[31m✘\u001b[0m remote    Title remote         0/20",
        "      \u001b[2mmessage remote\u001b[0m",
        expect.stringMatching(/^  \u001b\[\d+m\S\u001b\[0m secret    Title secret    \?$/),
        "      \u001b[2mResult shown after the deadline.\u001b[0m",
        "  \u001b[36m⏸\u001b[0m analysis  Title analysis       –/15",
        "      \u001b[2mmessage analysis\u001b[0m",
        "",
        "\u001b[1mScore: 70/100\u001b[0m — \u001b[32mpassed\u001b[0m (pass mark: 60) · 15 pts pending a TA's review",
        "",
        "\u001b[1mWhat to do first\u001b[0m",
        "  1. \u001b[1mTitle stages\u001b[0m (−20): do stages",
        "     \u001b[31m✘\u001b[0m train stage\u001b[2m — `cmd` missing\u001b[0m",
        "  2. \u001b[1mTitle remote\u001b[0m (−20): do remote",
        "",
    ]);
  });

  it('orders what to do first by points lost, lists only unmet items, shows twelve lines of details whole, and ten files without a count', () => {
    const reasons: SkippedFile['reason'][] = ['too-large', 'snapshot-full', 'environment', 'special-file', 'unreadable'];
    const mixed: Grade = {
      ...grade,
      errorPoints: 5,
      pendingPoints: 0,
      skipped: Array.from({ length: 10 }, (_, i): SkippedFile => ({ path: `f${i}`, reason: reasons[i % 5]!, size: 1536 * 1024 })),
      criteria: [
        result('tests', 2.5, 10, 'partial', {
          details: Array.from({ length: 12 }, (_, i) => `l${i + 1}`).join('\n'),
          items: [
            { label: t('bien', 'fine'), ok: true },
            { label: t('mal', 'broken'), ok: false },
          ],
        }),
        result('remote', 0, 20, 'failed'),
        result('dvc-init', 20, 20, 'passed', { details: 'all good' }),
        result('infra', null, 5, 'error'),
      ],
    };
    expect(renderTerminal(mixed, { locale: 'en', reveal: false, color: false }).split('\n')).toEqual([
        "Rubrica · Week 3 — DVC",
        "mlops · commit abcdef1 · rubrica/runner-mlops:1",
        "",
        "  ◐ tests     Title tests        2.5/10",
        "      message tests",
        "  ✘ remote    Title remote         0/20",
        "      message remote",
        "  ✔ dvc-init  Title dvc-init      20/20",
        "      message dvc-init",
        "  ⚠ infra     Title infra           –/5",
        "      message infra",
        "",
        "Score: 45/100 — not passed yet (pass mark: 60) · 5 pts not graded because of a course setup problem (not yours)",
        "",
        "What to do first",
        "  1. Title remote (−20): do remote",
        "  2. Title tests (−7.5): do tests",
        "     ✘ broken",
        "     │ l1",
        "     │ l2",
        "     │ l3",
        "     │ l4",
        "     │ l5",
        "     │ l6",
        "     │ l7",
        "     │ l8",
        "     │ l9",
        "     │ l10",
        "     │ l11",
        "     │ l12",
        "",
        "Files not copied into the container:",
        "  - f0: 1.5 MB, over the limit; large data belongs in DVC",
        "  - f1: the repository is over the size that is graded",
        "  - f2: a virtualenv or a cache: not part of the work",
        "  - f3: not a regular file (device, socket, FIFO)",
        "  - f4: could not be read",
        "  - f5: 1.5 MB, over the limit; large data belongs in DVC",
        "  - f6: the repository is over the size that is graded",
        "  - f7: a virtualenv or a cache: not part of the work",
        "  - f8: not a regular file (device, socket, FIFO)",
        "  - f9: could not be read",
        "",
    ]);
  });

  it('in Spanish, for a passing week with nothing pending', () => {
    expect(renderTerminal({ ...grade, passed: true, score: 70, pendingPoints: 0 }, { locale: 'es', reveal: false, color: false }).split('\n')).toEqual([
        "Rubrica · Semana 3 — DVC",
        "mlops · commit abcdef1 · rubrica/runner-mlops:1",
        "",
        "  ✔ dvc-init  Título dvc-init      20/20",
        "      mensaje dvc-init",
        "  ◐ stages    Título stages        10/30",
        "      mensaje stages",
        "  ✘ remote    Título remote         0/20",
        "      mensaje remote",
        expect.stringMatching(/^  \S secret    Título secret    \?$/),
        "      Resultado visible después de la fecha de entrega.",
        "  ⏸ analysis  Título analysis       –/15",
        "      mensaje analysis",
        "",
        "Puntaje: 70/100 — aprobado (aprobación: 60)",
        "",
        "Qué hacer primero",
        "  1. Título stages (−20): haz stages",
        "     ✘ etapa train — falta `cmd`",
        "  2. Título remote (−20): haz remote",
        "",
    ]);
  });
});

describe('the terminal report at its edges', () => {
  const lines = (g: Grade, locale: 'es' | 'en' = 'en') => renderTerminal(g, { locale, reveal: false, color: false }).split('\n');

  it('puts first the criterion that lost the most points, whatever its size', () => {
    const g: Grade = { ...grade, criteria: [result('big', 25, 30, 'partial'), result('small', 0, 8, 'failed'), result('mid', 4, 10, 'partial')] };
    expect(lines(g).filter((l) => /^ {2}\d\. /.test(l))).toEqual(['  1. Title small (−8): do small', '  2. Title mid (−6): do mid', '  3. Title big (−5): do big']);
  });

  it('has no "what to do first" when nothing is unmet, and says so in English when there is no git history', () => {
    const g: Grade = { ...grade, commit: null, pendingPoints: 0, criteria: [result('a', 10, 10, 'passed')] };
    const out = lines(g);
    expect(out[1]).toBe('mlops · no git history · rubrica/runner-mlops:1');
    expect(out.some((l) => l.includes('What to do first'))).toBe(false);
  });

  it('shows the first four and last seven of thirteen lines of details, each cut at 200 characters', () => {
    const details = [...Array.from({ length: 12 }, (_, i) => `l${i + 1}`), 'y'.repeat(250)].join('\n');
    const out = lines({ ...grade, criteria: [result('a', 0, 10, 'failed', { details })] }).filter((l) => l.startsWith('     │ '));
    expect(out).toEqual(['l1', 'l2', 'l3', 'l4', '…', 'l7', 'l8', 'l9', 'l10', 'l11', 'l12', 'y'.repeat(200)].map((l) => `     │ ${l}`));
  });

  it('writes points with at most one decimal, dropping a trailing .0', () => {
    const out = lines({ ...grade, criteria: [result('a', 2.04, 10, 'partial'), result('b', 2.25, 10, 'partial')] });
    expect(out).toContain('  ◐ a  Title a       2/10');
    expect(out).toContain('  ◐ b  Title b     2.3/10');
  });
});
