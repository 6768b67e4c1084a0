import { describe, expect, it } from 'vitest';
import { grade } from '../../helpers/grade.ts';
import { renderJson } from '../../../src/report/json.ts';
import { renderTerminal, whatToDoFirst } from '../../../src/report/terminal.ts';

describe('terminal report', () => {
  it('puts the criterion that lost the most points first', () => {
    expect(whatToDoFirst(grade.criteria).map((c) => c.id)).toEqual(['stages', 'remote']);
  });

  it('shows score, pending points, and what to do with the unmet items', () => {
    const text = renderTerminal(grade, { locale: 'es', color: false, reveal: false });
    expect(text).toContain('Rubrica · Semana 3 — DVC');
    expect(text).toContain('commit abcdef1');
    expect(text).toContain('Puntaje: 45/100');
    expect(text).toContain('15 pts pendientes');
    expect(text).toMatch(/1\. Título stages \(−20\): haz stages/);
    expect(text).toContain('etapa train — falta `cmd`');
    expect(text).not.toContain('\u001b[');
  });

  it('hides after-deadline results unless revealed, and colours only when asked', () => {
    const hidden = renderTerminal(grade, { locale: 'en', color: false, reveal: false });
    expect(hidden).not.toContain('message secret');
    expect(hidden).toContain('Result shown after the deadline.');
    const revealed = renderTerminal(grade, { locale: 'en', color: true, reveal: true });
    expect(revealed).toContain('message secret');
    expect(revealed).toContain('\u001b[32m');
  });
});

describe('JSON report', () => {
  it('carries the fields scripts rely on, in the chosen language', () => {
    const json = renderJson(grade, 'en', false);
    expect(json).toMatchObject({ week: 3, score: 45, maxScore: 100, passed: false });
    expect(json.criteria[1]).toMatchObject({ id: 'stages', score: 10, maxScore: 30, status: 'partial', message: 'message stages', feedback: 'do stages' });
    expect(json.criteria[3]).toMatchObject({ id: 'secret', message: null, score: 15 });
  });
});

describe('files left out of the sandbox', () => {
  it('are listed with the reason in words', () => {
    const text = renderTerminal(
      { ...grade, skipped: [{ path: 'data/huge.bin', size: 3 * 1024 ** 3, reason: 'too-large' }, { path: '.venv', size: 0, reason: 'environment' }] },
      { locale: 'es', color: false, reveal: false },
    );
    expect(text).toContain('data/huge.bin: pesa 3,0 GB, más que el límite; los datos grandes van en DVC');
    expect(text).toContain('.venv: entorno virtual o caché');
  });
});
