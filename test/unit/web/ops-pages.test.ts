import { describe, expect, it } from 'vitest';
import type { TaQueue } from '../../../src/services/pages.ts';
import type { RegradeSummary } from '../../../src/services/regrade.ts';
import type { CourseInfo } from '../../../src/web/context.ts';
import { translator } from '../../../src/web/i18n.ts';
import '../../../src/web/pages/ops-words.ts';
import { renderView } from '../../../src/web/render.ts';

const course: CourseInfo = { org: 'clase', course: 'default', weeks: 4, units: ['week-1', 'week-2', 'week-3', 'week-4'], counts: 'best', locale: 'en', tas: 'tas', config: {} };
const HOSTILE = '"><script>alert(1)</script><img src=x onerror=alert(2)> @everyone';
const common = { t: translator('en'), locale: 'en', course, navLinks: [], csrf: 'tok-123', fmt: (n: number | null) => (n === null ? '—' : String(n)), when: (s: string | number) => String(s) };

describe('the TA queue page', () => {
  const view: TaQueue = {
    manual: [{ repoId: 7, repo: 'entrega-ada', students: ['ada'], week: 2, criterion: 'informe', maxScore: 15, sha: 'a'.repeat(40), pullRequest: 3, gradedAt: '2026-03-10T10:00:00Z' }],
    reviews: [{ id: 'r-1', org: 'clase', installationId: 1, repoId: 7, repo: 'entrega-ada', pullRequest: 3, week: 2, criterion: 'tests', reason: HOSTILE, student: 'ada', commentId: 5, at: '2026-03-11T10:00:00Z', state: 'open', answeredBy: null, answeredAt: null, answeredHow: null, answer: null, score: 4, maxScore: 10 }],
    tampering: [{ repo: 'entrega-ada', repoId: 7, pullRequest: 3, commentId: 9, action: 'deleted', by: 'ada', author: 'tere', at: '2026-03-12T10:00:00Z' }],
  };

  it("shows the student's reason as text, and every form posts with the session's token", () => {
    const html = renderView('queue', { ...common, title: 'TA queue', view, message: { kind: 'error', text: HOSTILE } });
    const main = html.slice(html.indexOf('<main'));
    expect(main).not.toMatch(/<script|<img/);
    expect(main).toContain('&quot;&gt;&lt;script&gt;alert(1)&lt;/script&gt;&lt;img src=x onerror=alert(2)&gt; @everyone');
    const forms = [...main.matchAll(/<form method="post" action="([^"]+)"[^>]*>\s*<input type="hidden" name="_csrf" value="tok-123">/g)].map((m) => m[1]);
    expect(forms).toEqual(['/dashboard/clase/queue/manual', '/dashboard/clase/reviews/r-1/answer']);
    expect(main).toContain('<input type="hidden" name="criterion" value="informe">');
    expect(main).toContain('Points (of 15)');
    expect(main).toContain('⚠</strong> ada deleted a comment by tere');
    expect(main).toContain('role="alert"');
  });
});

describe('the regrade page', () => {
  const summary = (state: 'running' | 'published', unfinished: number): RegradeSummary => ({
    regrade: { id: 'g-1', org: 'clase', week: 2, state, requestedBy: 'profe', requestedAt: '2026-03-20T10:00:00Z', decidedBy: state === 'published' ? 'profe' : null, decidedAt: state === 'published' ? '2026-03-20T11:00:00Z' : null },
    unfinished,
    changed: 1,
    changes: [
      { repoId: 7, repo: 'entrega-ada', students: ['ada'], sha: 'a'.repeat(40), job: 'done', before: 80, after: 60, maxScore: 100, criteria: [{ id: 'tests', before: 30, after: 10 }], rubricBefore: 'h1', rubricAfter: 'h2' },
      { repoId: 8, repo: 'entrega-beto', students: ['beto'], sha: 'b'.repeat(40), job: unfinished ? 'queued' : 'done', before: 50, after: unfinished ? null : 50, maxScore: 100, criteria: [], rubricBefore: 'h1', rubricAfter: unfinished ? null : 'h2' },
    ],
  });

  it('lists before → after per student, and offers Publish only once every job ended', () => {
    const waiting = renderView('regrade', { ...common, title: 'Regrade of week 2', summary: summary('running', 1) });
    expect(waiting).toContain('1 student(s) still being graded.');
    expect(waiting).toMatch(/<button type="submit" id="publish" disabled>/);
    expect(waiting).toContain('<li><code>tests</code> 30 → 10</li>');
    expect(waiting).toContain('<tr class="same">');
    const ready = renderView('regrade', { ...common, title: 'Regrade of week 2', summary: summary('running', 0) });
    expect(ready).toMatch(/<button type="submit" id="publish">/);
    expect(ready).toContain('action="/dashboard/clase/regrades/g-1/discard"');
    const decided = renderView('regrade', { ...common, title: 'Regrade of week 2', summary: summary('published', 0) });
    expect(decided).not.toContain('id="publish"');
    expect(decided).toContain('published by profe on 2026-03-20T11:00:00Z');
  });
});
