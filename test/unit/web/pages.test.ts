import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { literal } from '../../../src/core/text.ts';
import type { Override } from '../../../src/store/records.ts';
import type { CourseInfo } from '../../../src/web/context.ts';
import { duplicateKeys, translator } from '../../../src/web/i18n.ts';
import { overview, parseOverviewQuery } from '../../../src/web/pages/overview.ts';
import { repositoryPage } from '../../../src/web/pages/repository.ts';
import { weekPage } from '../../../src/web/pages/week.ts';
import '../../../src/web/pages/words.ts';
import '../../../src/web/pages/ops-words.ts';
import { renderView, VIEWS_DIR } from '../../../src/web/render.ts';
import { classGrading } from '../../helpers/dashboard.ts';

const course: CourseInfo = { org: 'clase', course: 'default', units: ['week-1', 'week-2', 'week-3'], weeks: 3, counts: 'best', locale: 'en', tas: 'ayudantes', config: {} };
const late = { deadline: '2026-03-15T23:59:00.000Z', effectiveDeadline: '2026-03-15T23:59:00.000Z', minutesLate: 1500, daysLate: 2, penaltyFraction: 0.2, status: 'late' } as const;
const tooLate = { ...late, daysLate: 9, penaltyFraction: 1, status: 'too-late' } as const;
const two = (score: number) => [{ id: 'a', max: 6, score: Math.min(6, score), status: score >= 6 ? 'passed' : 'partial' }, { id: 'b', max: 4, score: Math.max(0, score - 6), status: score >= 10 ? 'passed' : 'failed', message: 'faltan pruebas' }] as const;
const override: Override = { org: 'clase', course: 'default', repoId: 1, unit: 'week-2', week: 2, criterion: 'b', points: 4, reason: 'revisado a mano', by: 'ana', at: '2026-03-20T10:00:00Z', automaticPoints: 0 };

const gradings = [
  classGrading({ org: 'clase', repoId: 1, login: 'ada', week: 1, criteria: two(8) }),
  classGrading({ org: 'clase', repoId: 1, login: 'ada', week: 1, criteria: two(10), deliveredAt: '2026-03-03T12:00:00Z' }),
  classGrading({ org: 'clase', repoId: 1, login: 'ada', week: 2, criteria: two(6), late, penalty: 2 }),
  classGrading({ org: 'clase', repoId: 2, login: ['beto', 'caro'], week: 1, criteria: [{ id: 'a', max: 6, score: 6, status: 'passed' }, { id: 'm', max: 4, score: null, status: 'pending' }] }),
  classGrading({ org: 'clase', repoId: 2, login: ['beto', 'caro'], week: 2, criteria: [{ id: 'a', max: 6, score: 6, status: 'passed' }, { id: 'b', max: 4, score: null, status: 'error' }] }),
  classGrading({ org: 'clase', repoId: 2, login: ['beto', 'caro'], week: 3, criteria: two(10), late: tooLate }),
];
const roster = new Map([['ada', { position: 0, login: 'ada', identifier: '1', name: 'Ada Lovelace', email: null, section: 'A', githubId: null }]]);

describe('the overview', () => {
  const view = (params = '') => overview({ weeks: 3, rule: 'best', gradings, overrides: [override], roster, failed: new Set(['1:3']) }, parseOverviewQuery(new URLSearchParams(params), 3));

  it('counts each week as the gradebook does, and marks late, overridden, pending, too late and our failures', () => {
    const [ada, group] = view().rows;
    expect(ada!.students).toEqual(['ada']);
    expect(ada!.names).toEqual(['Ada Lovelace']);
    expect(ada!.cells.map((c) => c.score)).toEqual([10, 8, null]);
    // Week 2: 6 automatic + the TA's 4 = 10, less 20% of the scale for lateness.
    expect(ada!.cells[1]).toMatchObject({ late: true, overridden: true, pending: false, band: 4, attempts: 1 });
    expect(ada!.cells[2]).toMatchObject({ ours: true, attempts: 0, band: 'none' });
    expect(ada!.total).toBe(18);
    expect(group!.students).toEqual(['beto', 'caro']);
    expect(group!.cells.map((c) => [c.pending, c.ours, c.tooLate])).toEqual([[true, false, false], [false, true, false], [false, false, true]]);
  });

  it('gives per-week averages and submission counts', () => {
    expect(view().weeks).toEqual([
      { week: 1, average: 8, maxScore: 10, submissions: 2 },
      { week: 2, average: 7, maxScore: 10, submissions: 2 },
      { week: 3, average: null, maxScore: 10, submissions: 1 },
    ]);
  });

  it('filters by name, login, group or section, and sorts', () => {
    expect(view('q=lovelace').rows.map((r) => r.repoId)).toEqual([1]);
    expect(view('q=CARO').rows.map((r) => r.repoId)).toEqual([2]);
    expect(view('section=A').rows.map((r) => r.repoId)).toEqual([1]);
    expect(view('section=Z').rows).toEqual([]);
    expect(view('sort=total&dir=desc').rows.map((r) => r.total)).toEqual([18, 12]);
    expect(view('sort=total&dir=asc').rows.map((r) => r.total)).toEqual([12, 18]);
    expect(view('sort=week-1&dir=asc').rows.map((r) => r.repoId)).toEqual([2, 1]);
    expect(parseOverviewQuery(new URLSearchParams('sort=week-9'), 3).sort).toBe('name');
  });

  it('renders every cell with its text, the marks spelled out for screen readers', () => {
    const html = renderView('overview', { title: 'clase', view: view(), t: translator('en'), locale: 'en', course, navLinks: [], csrf: '', sortLink: () => ({ href: '/x', sort: 'none' }), fmt: (n: number | null) => (n === null ? '—' : String(n)) });
    expect(html).toContain('8<span class="mk" aria-hidden="true">◷✎</span><span class="sr">, late, overridden by a TA</span>');
    expect(html).toContain('<span class="sr">, manual criterion pending</span>');
    expect(html).toContain('<td class="bn ours">');
    expect(html).toContain('<th scope="row" class="who"><a href="/dashboard/clase/repos/2">beto, caro</a>');
  });
});

describe('the student page', () => {
  it('shows every grading with overrides, and student text as text', () => {
    const hostile = classGrading({ org: 'clase', repoId: 1, login: 'ada', week: 1, criteria: [{ id: 'a', max: 10, score: 0, status: 'failed', message: `no encontré ${literal('<img src=x onerror=alert(1)>')} </p><script>alert(2)</script>`, details: '\u001b[31m<b>rojo</b>\u001b[0m' }], pullRequest: 4, checkRunUrl: 'javascript:alert(3)' });
    const page = repositoryPage({ course, gradings: [hostile, ...gradings.filter((g) => g.repoId === 1)], overrides: [override], extensions: [{ org: 'clase', course: 'default', repoId: 1, unit: 'week-2', minutes: 1440, grantedBy: 'ana', grantedAt: '2026-03-14T10:00:00Z', reason: 'enfermedad' }], roster, webUrl: 'https://github.example.edu' });
    expect(page.weeks.map((w) => [w.week, w.gradings.length])).toEqual([[1, 3], [2, 1]]);
    expect(page.weeks[0]!.gradings.filter((g) => g.counted)).toHaveLength(1);
    expect(page.weeks[1]!.gradings[0]).toMatchObject({ score: 10, automaticScore: 6, finalScore: 8 });
    const overridden = page.weeks[1]!.gradings[0]!.criteria.find((c) => c.id === 'b')!;
    expect(overridden.override).toMatchObject({ by: 'ana', reason: 'revisado a mano', automatic: 0, points: 4 });
    // The checks' own message stays beside the TA's points.
    expect(overridden.message.map((p) => p.text).join('')).toBe('faltan pruebas');
    expect(overridden).toMatchObject({ score: 4, status: 'passed' });
    const bad = page.weeks[0]!.gradings.find((g) => g.jobId === hostile.jobId)!;
    expect(bad.links.checkRun).toBeUndefined();
    expect(bad.links.pullRequest!.href).toBe('https://github.example.edu/clase/entrega-ada/pull/4');
    const html = renderView('repository', { title: page.title, view: page, t: translator('en'), locale: 'en', course, navLinks: [], csrf: '', fmt: String, when: (s: string) => s });
    const main = html.slice(html.indexOf('<main'));
    expect(main).not.toMatch(/<img|<script|<b>|javascript:|\u001b/);
    expect(html).toContain('<code>&lt;img src=x onerror=alert(1)&gt;</code>');
    expect(html).toContain('&lt;/p&gt;&lt;script&gt;alert(2)&lt;/script&gt;');
    expect(html).toContain('&lt;b&gt;rojo&lt;/b&gt;');
    expect(html).toContain('Extension of 1440 min, by ana (2026-03-14T10:00:00Z): enfermedad');
    expect(html).toContain('ana set 4 (automatic: 0) on 2026-03-20T10:00:00Z: revisado a mano');
  });
});

describe('the student page: the reading that teaches a missed criterion', () => {
  it('is shown next to the feedback, linked only with its https address, its title escaped', () => {
    const base = classGrading({ org: 'clase', repoId: 1, login: 'ada', week: 1, criteria: [{ id: 'a', max: 6, score: 0, status: 'failed' }, { id: 'b', max: 4, score: 4, status: 'passed' }] });
    const [a, b] = base.grade!.criteria;
    const grading = {
      ...base,
      grade: {
        ...base.grade!,
        criteria: [
          { ...a!, reading: { title: { es: 'Módulo 05: <b>DVC</b>.md', en: 'Module 05: <b>DVC</b>.md' }, url: 'https://dvc.org/doc' } },
          { ...b!, reading: { title: { es: 'no se muestra', en: 'not shown' } } },
        ],
      },
    };
    const page = repositoryPage({ course, gradings: [grading], overrides: [], extensions: [], roster, webUrl: 'https://github.example.edu' });
    const [missed, passed] = page.weeks[0]!.gradings[0]!.criteria;
    expect(missed!.reading).toEqual({ title: 'Module 05: <b>DVC</b>.md', url: 'https://dvc.org/doc' });
    expect(passed!.reading).toBeUndefined();
    const html = renderView('repository', { title: page.title, view: page, t: translator('en'), locale: 'en', course, navLinks: [], csrf: '', fmt: String, when: (s: string) => s });
    expect(html).toContain('📖 Reading: <a href="https://dvc.org/doc" rel="noopener noreferrer">Module 05: &lt;b&gt;DVC&lt;/b&gt;.md</a>');
    expect(html).not.toContain('not shown');
  });
});

describe('the week page', () => {
  it("gives each criterion's shares as SVG bars and the commonest failure messages", () => {
    const page = weekPage({ course, week: 2, gradings: gradings.filter((g) => g.week === 2), overrides: [override], locale: 'en' });
    expect(page.counted).toBe(2);
    const b = page.criteria.find((c) => c.id === 'b')!;
    // ada's failed b was overridden to full points; the group's b was not graded (ours).
    expect(b.counts).toEqual({ passed: 1, partial: 0, failed: 0, pending: 0, error: 1 });
    expect(b.passPercent).toBe(50);
    expect(b.segments.map((s) => [s.outcome, s.width])).toEqual([['passed', 145], ['error', 145]]);
    const all = weekPage({ course, week: 1, gradings: [...gradings, classGrading({ org: 'clase', repoId: 3, login: 'dani', week: 1, criteria: two(7) })], overrides: [], locale: 'en' });
    expect(all.failures.map((f) => [f.criterion, f.count, f.message.map((p) => p.text).join('')])).toEqual([['b', 1, 'faltan pruebas']]);
    const html = renderView('week', { title: 'Week 2', view: page, t: translator('en'), locale: 'en', course, navLinks: [], csrf: '', fmt: String });
    expect(html).toMatch(/<svg [^>]*role="img"/);
    expect(html).toContain('<rect class="o-passed" x="210" y="39" width="145" height="20">');
    expect(html).not.toMatch(/https?:\/\/(?!www\.w3\.org)/);
  });
});

describe('the words', () => {
  it('are defined once each, and every key a view uses exists in Spanish and English', () => {
    expect(duplicateKeys()).toEqual([]);
    const views = readdirSync(VIEWS_DIR, { recursive: true }).filter((f) => String(f).endsWith('.eta')).map((f) => readFileSync(join(VIEWS_DIR, String(f)), 'utf8')).join('\n');
    const keys = [...views.matchAll(/it\.t\('([a-zA-Z0-9.]+)'\s*[,)]/g)].map((m) => m[1]!);
    expect(keys.length).toBeGreaterThan(30);
    for (const locale of ['es', 'en'] as const) {
      const t = translator(locale);
      expect(keys.filter((k) => t(k) === k)).toEqual([]);
    }
  });
});
