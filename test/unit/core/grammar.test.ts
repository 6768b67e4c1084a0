import { describe, expect, it } from 'vitest';
import { commitsCheck } from '../../../src/checks/commits.ts';
import { filesCheck } from '../../../src/checks/files.ts';
import { markdownCheck } from '../../../src/checks/markdown.ts';
import { pytestTestsCheck } from '../../../src/checks/pytest-tests.ts';
import { bytes, counted, decimal, listed, noun, ofTotal, percent, seconds, t } from '../../../src/core/text.ts';
import { formatPoints } from '../../../src/report/terminal.ts';
import { asShown, evidence } from '../../helpers/evidence.ts';

/**
 * One grammar table for Spanish and English, over counts of 0, 1 and many: the helpers
 * every message counts with (core/text.ts), then the messages of the checks that use them.
 */
const COMMIT = noun('commit convencional', 'commits convencionales', 'Conventional Commit', 'Conventional Commits');
const FOLDER = noun('carpeta', 'carpetas', 'folder', 'folders');

describe('the grammar table: 0, 1 and many', () => {
  it.each([
    [0, '0 commits convencionales', '0 Conventional Commits'],
    [1, '1 commit convencional', '1 Conventional Commit'],
    [3, '3 commits convencionales', '3 Conventional Commits'],
  ])('counted(%i)', (n, es, en) => {
    expect(counted(n, COMMIT)).toEqual({ es, en });
  });

  it.each([
    [0, 6, '0 de 6 carpetas', '0 of 6 folders'],
    [1, 1, '1 de 1 carpeta', '1 of 1 folder'],
    [2, 6, '2 de 6 carpetas', '2 of 6 folders'],
    [0, 0, '0 de 0 carpetas', '0 of 0 folders'],
  ])('ofTotal(%i, %i): the noun agrees with the total and says what is counted', (part, total, es, en) => {
    expect(ofTotal(part, total, FOLDER)).toEqual({ es, en });
  });

  it.each([
    [[], '', ''],
    [[t('uso', 'usage')], 'uso', 'usage'],
    [[t('uso', 'usage'), t('estructura', 'structure')], 'uso y estructura', 'usage and structure'],
    [[t('descripción', 'description'), t('uso', 'usage'), t('instalación', 'installation')], 'descripción, uso e instalación', 'description, usage, and installation'],
  ])('listed(%j)', (items, es, en) => {
    expect(listed(items)).toEqual({ es, en });
  });

  it.each([
    [0, '0', '0', '0 %', '0%'],
    [1, '1', '1', '1 %', '1%'],
    [8.333, '8,3', '8.3', '8,3 %', '8.3%'],
    [98.74, '98,7', '98.7', '98,7 %', '98.7%'],
    [1234.5, '1234,5', '1234.5', '1234,5 %', '1234.5%'],
  ])('decimals and percentages of %d: a comma in Spanish, a point in English', (n, es, en, pes, pen) => {
    expect([decimal(n, 'es'), decimal(n, 'en')]).toEqual([es, en]);
    expect(percent(n)).toEqual({ es: pes, en: pen });
    expect(formatPoints(n, 'es')).toBe(es);
    expect(formatPoints(n)).toBe(en);
  });

  it('sizes and durations: the same decimal separators', () => {
    expect([bytes(1.5 * 1024 ** 2, 'es'), bytes(1.5 * 1024 ** 2)]).toEqual(['1,5 MB', '1.5 MB']);
    expect([bytes(0, 'es'), bytes(1, 'es')]).toEqual(['0 B', '1 B']);
    expect([seconds(2500, 'es'), seconds(2500), seconds(120_000, 'es')]).toEqual(['2,5 s', '2.5 s', '120 s']);
  });
});

describe('the checks speak the table', () => {
  const commits = (messages: string[]) =>
    asShown(commitsCheck.evaluate(commitsCheck.params.parse({ min: 5 }), evidence({ commits: messages.map((message) => ({ message })) }))).message;

  it.each([
    [['wip', 'cambios', 'otro'], '0 commits convencionales de 3; se piden 5, faltan 5.', '0 of 3 commits are conventional; 5 are needed, 5 more.'],
    [['feat: a', 'cambios', 'otro'], '1 commit convencional de 3; se piden 5, faltan 4.', '1 of 3 commits is conventional; 5 are needed, 4 more.'],
    [['feat: a', 'fix: b', 'docs: c', 'test: d', 'wip'], '4 commits convencionales de 5; se piden 5, falta 1.', '4 of 5 commits are conventional; 5 are needed, 1 more.'],
    [['feat: a'], '1 commit convencional de 1; se piden 5, faltan 4.', '1 of 1 commit is conventional; 5 are needed, 4 more.'],
  ])('commits: %j', (history, es, en) => {
    const message = commits(history);
    expect(message.es.startsWith(es), message.es).toBe(true);
    expect(message.en.startsWith(en), message.en).toBe(true);
  });

  const folders = (present: string[]) =>
    asShown(
      filesCheck.evaluate(
        filesCheck.params.parse({ require: ['src', 'models', 'docs'].map((glob) => ({ glob, type: 'dir' })) }),
        evidence({ files: Object.fromEntries(present.map((d) => [`${d}/.gitkeep`, ''])) }),
      ),
    ).message;

  it.each([
    [[], 'Hay 0 de 3 carpetas. Falta: `src`, `models` y `docs`.', '0 of 3 folders present. Missing: `src`, `models`, and `docs`.'],
    [['src', 'models'], 'Hay 2 de 3 carpetas. Falta: `docs`.', '2 of 3 folders present. Missing: `docs`.'],
    [['src', 'models', 'docs'], 'Está todo: 3 de 3 carpetas.', 'All present: 3 of 3 folders.'],
  ])('files: %j', (present, es, en) => {
    expect(folders(present)).toEqual({ es, en });
  });

  it('markdown: the sections counted and listed', () => {
    const params = markdownCheck.params.parse({
      headings: [
        { label: { es: 'descripción', en: 'description' }, anyOf: ['Descripción'] },
        { label: { es: 'uso', en: 'usage' }, anyOf: ['Uso'] },
        { label: { es: 'estructura', en: 'structure' }, anyOf: ['Estructura'] },
      ],
    });
    const message = asShown(markdownCheck.evaluate(params, evidence({ files: { 'README.md': '# P\n\n## Descripción\n' } }))).message;
    expect(message).toEqual({ es: '`README.md` tiene 1 de 3 secciones. Falta: uso y estructura.', en: '`README.md` has 1 of 3 sections. Missing: usage and structure.' });
  });

  it.each([
    [0, 'tiene 0 de 5 tests', 'has 0 of 5 tests'],
    [1, 'tiene 1 de 5 tests', 'has 1 of 5 tests'],
  ])('pytest-tests with %i matching tests: counts only the criterion\'s files', (n, es, en) => {
    const ids = [...Array.from({ length: n }, (_, i) => `tests/test_training.py::test_${i}`), ...Array.from({ length: 30 }, (_, i) => `tests/test_api.py::test_${i}`)];
    const params = pytestTestsCheck.params.parse({ files: [{ glob: 'tests/**/test_training*.py', min: 5 }] });
    const outcome = asShown(pytestTestsCheck.evaluate(params, evidence({ commands: { collect: { output: `${ids.join('\n')}\n\n${ids.length} tests collected in 0.01s\n` } } })));
    expect(outcome.message.es).toContain(`\`tests/**/test_training*.py\` ${es}`);
    expect(outcome.message.en).toContain(`\`tests/**/test_training*.py\` ${en}`);
    expect(outcome.message.es).not.toContain(String(ids.length));
  });
});
