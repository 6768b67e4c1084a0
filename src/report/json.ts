import { multiLine, plain, say, singleLine, type Locale, type Text } from '../core/text.ts';
import { unitOfGrade } from '../course/unit.ts';
import type { FinalGrade } from '../grading/final-grade.ts';
import type { Grade } from '../grading/grade.ts';
import { isHidden } from '../grading/score.ts';

/** The `--json` report: stable field names a script can rely on. */
export function renderJson(grade: Grade, locale: Locale, reveal: boolean) {
  // Plain text, as the terminal shows it: a script that prints a message prints no control characters.
  const shown = (text: Text) => plain(say(text, locale));
  return {
    pack: grade.pack,
    week: grade.week,
    /** What was graded: `week-3`, `final`, `final/first` (src/course/unit.ts). */
    unit: unitOfGrade(grade),
    title: shown(grade.title),
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
        title: shown(c.title),
        kind: c.kind,
        score: c.score,
        maxScore: c.maxScore,
        status: c.status,
        message: hidden ? null : shown(c.message),
        ...(c.feedback && !hidden ? { feedback: shown(c.feedback) } : {}),
        ...(c.reading && !hidden ? { reading: { title: shown(c.reading.title), ...(c.reading.url ? { url: c.reading.url } : {}) } } : {}),
        items: hidden ? [] : c.items.map((i) => ({ label: shown(i.label), ok: i.ok, ...(i.note ? { note: shown(i.note) } : {}) })),
        ...(c.details && !hidden ? { details: multiLine(c.details) } : {}),
        annotations: hidden ? [] : c.annotations.map((a) => ({ path: singleLine(a.path), ...(a.line ? { line: a.line } : {}), message: shown(a.message) })),
        visibility: c.visibility,
      };
    }),
    skipped: grade.skipped.map((s) => ({ ...s, path: singleLine(s.path) })),
    // The graded folder ('' is the repository's root) and the candidates it was chosen from.
    ...(grade.project
      ? { project: { root: singleLine(grade.project.root), rule: grade.project.rule, candidates: grade.project.candidates.map((c) => ({ root: singleLine(c.root), deliverables: c.deliverables })) } }
      : {}),
    ...(grade.environment ? { environment: grade.environment } : {}),
    image: grade.image,
    packHash: grade.packHash,
    timings: grade.timings,
  };
}

/** `final` of the `--json` report: the course grade this grading alone shows (see finalOfOneGrading). */
export function finalJson(final: FinalGrade) {
  return {
    grade: final.grade,
    scale: final.scale,
    ...(final.level !== undefined ? { level: final.level?.id ?? null } : {}),
    ...(final.passed !== undefined ? { passed: final.passed } : {}),
    basis: 'this-grading' as const,
  };
}
