import { describe, expect, it } from 'vitest';
import { markdownCheck, normalize } from '../../../src/checks/markdown.ts';
import { evidence, asShown } from '../../helpers/evidence.ts';

function run(params: unknown, files: Record<string, string>) {
  return asShown(markdownCheck.evaluate(markdownCheck.params.parse(params), evidence({ files })));
}

const sections = {
  title: true,
  headings: [
    { anyOf: ['Instalación', 'Installation'] },
    { anyOf: ['Uso', 'Usage'] },
  ],
};

describe('markdown check', () => {
  it('finds sections in Spanish or English, ignoring accents, case, numbering and emoji', () => {
    expect(run(sections, { 'README.md': '# P\n\n## 1. INSTALACION 🚀\n\n## Uso\n' }).fraction).toBe(1);
    expect(run(sections, { 'README.md': '# P\n\n## Installation\n\n### Usage\n' }).fraction).toBe(1);
    expect(normalize('## 2. Instalación 🚀')).toBe('2 instalacion');
  });

  it('does not count headings inside code blocks, nor a word inside another', () => {
    const outcome = run(sections, { 'README.md': '# P\n\n```\n## Uso\n```\n\n## Instalaciones varias\n' });
    expect(outcome.fraction).toBeCloseTo(1 / 3);
    expect(outcome.message.en).toContain('Missing');
  });

  it('counts badges, links and words', () => {
    const readme = [
      '# P',
      '[![CI](https://github.com/a/b/actions/workflows/ci.yml/badge.svg)](https://github.com/a/b/actions)',
      '![py](https://img.shields.io/badge/python-3.11-blue)',
      'Demo: https://youtu.be/abc and [video](https://www.loom.com/share/x)',
    ].join('\n\n');
    const outcome = run(
      { badges: { min: 2 }, links: [{ match: 'youtu\\.?be|loom', min: 2 }], minWords: 5 },
      { 'README.md': readme },
    );
    expect(outcome.items!.map((i) => [i.ok, i.note?.en])).toEqual([
      [true, '2 found'],
      [true, '2 of 2'],
      [true, expect.stringMatching(/words$/)],
    ]);
    const ciOnly = run({ badges: { min: 1, match: 'actions/workflows/.+badge\\.svg' } }, { 'README.md': '![py](https://img.shields.io/badge/x)' });
    expect(ciOnly.fraction).toBe(0);
  });

  it('prefers the root README and tells how to start without one', () => {
    const outcome = run({ file: '**/README.md', title: true }, { 'docs/README.md': 'texto', 'README.md': '# Raíz' });
    expect(outcome.message.en).toContain('`README.md`');
    expect(outcome.fraction).toBe(1);
    const missing = run({ title: true }, {});
    expect(missing.fraction).toBe(0);
    expect(missing.message.es).toContain('créalo');
  });

  it('refuses a heading without names', () => {
    expect(markdownCheck.params.safeParse({ headings: [{ anyOf: [] }] }).success).toBe(false);
  });
});
