import { describe, expect, it } from 'vitest';
import { checkRunOutput, pullRequestComment, standingLine } from '../../../src/report/markdown.ts';
import { grade } from '../../helpers/grade.ts';

const local = { es: 'local', en: 'local' };

describe('the course grade so far, on the check run and the comment', () => {
  it('is one line with the grade, the scale and what passes, in the course’s language', () => {
    const standing = { grade: 7.5, scale: { min: 0, max: 10 }, passGrade: 6, passed: true, pendingPoints: 0 };
    expect(standingLine({ locale: 'es', reveal: true, standing })).toBe('🎓 Nota del curso hasta ahora: 7,5 de 10 (se aprueba con 6).');
    expect(standingLine({ locale: 'en', reveal: true, standing })).toBe('🎓 Course grade so far: 7.5 of 10 (6 passes).');
  });

  it('names the level reached and the points still waiting for a TA', () => {
    const standing = { grade: 8.25, scale: { min: 0, max: 10 }, level: { id: 'local', title: local }, pendingPoints: 15 };
    expect(standingLine({ locale: 'es', reveal: true, standing })).toBe('🎓 Nota del curso hasta ahora: 8,25 de 10 · nivel: local · 15 pts esperan a tu ayudante.');
    expect(standingLine({ locale: 'en', reveal: true, standing })).toBe('🎓 Course grade so far: 8.25 of 10 · level: local · 15 pts wait for your TA.');
  });

  it('is left out without a final grade, and shown under the score when there is one', () => {
    expect(standingLine({ locale: 'es', reveal: true })).toBe('');
    expect(checkRunOutput(grade, { locale: 'es', reveal: true }).summary).not.toContain('🎓');
    const standing = { grade: 45, scale: { min: 0, max: 100 }, passGrade: 60, passed: false, pendingPoints: 0 };
    const summary = checkRunOutput(grade, { locale: 'es', reveal: true, standing }).summary;
    expect(summary.indexOf('🎓')).toBeGreaterThan(summary.indexOf('45'));
    expect(summary.indexOf('🎓')).toBeLessThan(summary.indexOf('|'));
    expect(pullRequestComment(grade, { locale: 'en', reveal: true, standing, commit: 'a'.repeat(40) })).toContain('🎓 Course grade so far: 45 of 100 (60 passes).');
  });

  it('keeps a level title inert (pack text is shown, never interpreted)', () => {
    const standing = { grade: 9, scale: { min: 0, max: 10 }, level: { id: 'x', title: { es: '**@todos** <b>', en: '**@all** <b>' } }, pendingPoints: 0 };
    const line = standingLine({ locale: 'en', reveal: true, standing });
    expect(line).not.toContain('**@all**');
    expect(line).not.toContain('<b>');
  });
});
