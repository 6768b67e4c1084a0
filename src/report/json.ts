import { multiLine, plain, say as sayIn, singleLine, type Locale, type Text } from '../core/text.ts';
import type { Grade } from '../grading/grade.ts';
import { isHidden } from '../grading/score.ts';

/** The `--json` report: stable field names a script can rely on. */
export function renderJson(grade: Grade, locale: Locale, reveal: boolean) {
  // Plain text, as the terminal shows it: a script that prints a message prints no control characters.
  const say = (text: Text, l: Locale) => plain(sayIn(text, l));
  return {
    pack: grade.pack,
    week: grade.week,
    title: say(grade.title, locale),
    commit: grade.commit,
    score: grade.score,
    maxScore: grade.maxScore,
    pendingPoints: grade.pendingPoints,
    errorPoints: grade.errorPoints,
    passMark: grade.passMark,
    passed: grade.passed,
    criteria: grade.criteria.map((c) => {
      const hidden = isHidden(c, reveal);
      return {
        id: c.id,
        title: say(c.title, locale),
        kind: c.kind,
        score: c.score,
        maxScore: c.maxScore,
        status: c.status,
        message: hidden ? null : say(c.message, locale),
        ...(c.feedback && !hidden ? { feedback: say(c.feedback, locale) } : {}),
        items: hidden ? [] : c.items.map((i) => ({ label: say(i.label, locale), ok: i.ok, ...(i.note ? { note: say(i.note, locale) } : {}) })),
        ...(c.details && !hidden ? { details: multiLine(c.details) } : {}),
        annotations: hidden ? [] : c.annotations.map((a) => ({ path: singleLine(a.path), ...(a.line ? { line: a.line } : {}), message: say(a.message, locale) })),
        visibility: c.visibility,
      };
    }),
    skipped: grade.skipped.map((s) => ({ ...s, path: singleLine(s.path) })),
    image: grade.image,
    packHash: grade.packHash,
    timings: grade.timings,
  };
}
