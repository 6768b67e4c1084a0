import { createHash } from 'node:crypto';
import { t, literal } from '../../src/core/text.ts';
import type { Grade } from '../../src/grading/grade.ts';
import type { CriterionResult } from '../../src/grading/score.ts';
import type { StoredGrading } from '../../src/store/record.ts';
import type { Store } from '../../src/store/store.ts';
import { result } from './grade.ts';

/**
 * Gradings for the dashboard's tests, benchmark and screenshots: recorded in the real
 * store exactly as the grading job records them (the full Grade beside the summary).
 */
export interface CriterionSpec {
  readonly id: string;
  readonly max: number;
  readonly score: number | null;
  readonly status: CriterionResult['status'];
  readonly message?: string;
  readonly details?: string;
}

const ON_TIME = { deadline: '2026-03-08T23:59:00.000Z', effectiveDeadline: '2026-03-08T23:59:00.000Z', minutesLate: 0, daysLate: 0, penaltyFraction: 0, status: 'on-time' } as const;

/** On time for week `week` of a course that starts on 2026-03-02 (deadline: the week's Sunday). */
function onTime(week: number) {
  const deadline = new Date(Date.parse(ON_TIME.deadline) + (week - 1) * 7 * 86_400_000).toISOString();
  return { ...ON_TIME, deadline, effectiveDeadline: deadline };
}

export function classGrading(o: {
  org: string;
  repoId: number;
  login: string | readonly string[];
  week: number;
  criteria: readonly CriterionSpec[];
  late?: StoredGrading['late'];
  penalty?: number;
  deliveredAt?: string;
  jobId?: string;
  sha?: string;
  pullRequest?: number;
  checkRunUrl?: string;
}): StoredGrading {
  const students = typeof o.login === 'string' ? [o.login] : [...o.login];
  const criteria = o.criteria.map((c) =>
    result(c.id, c.score, c.max, c.status, {
      title: t(`Criterio ${c.id}`, `Criterion ${c.id}`),
      ...(c.message ? { message: t(c.message, c.message) } : {}),
      ...(c.details !== undefined ? { details: c.details } : {}),
    }),
  );
  const score = criteria.reduce((s, c) => s + (c.score ?? 0), 0);
  const maxScore = criteria.reduce((s, c) => s + c.maxScore, 0);
  const pendingPoints = criteria.filter((c) => c.status === 'pending').reduce((s, c) => s + c.maxScore, 0);
  const errorPoints = criteria.filter((c) => c.status === 'error').reduce((s, c) => s + c.maxScore, 0);
  const late = o.late ?? onTime(o.week);
  const penalty = o.penalty ?? 0;
  const deliveredAt = o.deliveredAt ?? new Date(Date.parse('2026-03-02T12:00:00Z') + (o.week - 1) * 7 * 86_400_000).toISOString();
  const sha = o.sha ?? createHash('sha1').update(`${o.repoId}:${o.week}:${deliveredAt}`).digest('hex');
  const grade: Grade = {
    week: o.week, title: t(`Semana ${o.week}`, `Week ${o.week}`), score, maxScore, pendingPoints, errorPoints, passMark: 0.6, passed: score >= 0.6 * maxScore, criteria,
    pack: 'mlops', packHash: 'c0ffee1234567890', commit: sha, image: 'rubrica/runner-mlops:1', imageId: 'sha256:x', skipped: [],
    timings: { totalMs: 1, containerMs: 1, copyMs: 1, inspectMs: 1, commandsMs: 0 },
  };
  return {
    jobId: o.jobId ?? `job-${o.repoId}-${o.week}-${deliveredAt}`,
    installationId: 1,
    org: o.org,
    course: 'default',
    repoId: o.repoId,
    unit: `week-${o.week}`,
    repo: `entrega-${students.join('-')}`,
    students,
    week: o.week,
    sha,
    deliveredAt,
    gradedAt: new Date(Date.parse(deliveredAt) + 60_000).toISOString(),
    trigger: o.pullRequest ? 'pull_request' : 'push',
    ...(o.pullRequest ? { pullRequest: o.pullRequest } : {}),
    packName: 'mlops',
    packHash: 'c0ffee1234567890',
    image: 'rubrica/runner-mlops:1',
    imageId: 'sha256:x',
    score,
    maxScore,
    pendingPoints,
    errorPoints,
    criteria: criteria.map((c) => ({ id: c.id, maxScore: c.maxScore, score: c.score, status: c.status })),
    late,
    penalty,
    finalScore: late.status === 'too-late' ? null : Math.max(0, score - penalty),
    ...(o.checkRunUrl ? { checkRunUrl: o.checkRunUrl, checkRunId: 77 } : {}),
    grade,
  };
}

/** Records gradings in one transaction (a class of 300 × 16 in seconds). */
export async function recordAll(store: Store, gradings: readonly StoredGrading[]): Promise<void> {
  await store.db.transaction(async (tx) => {
    for (const g of gradings) await store.record.insertGrading(tx, g);
  });
}

/** A deterministic class: `students` repositories × `weeks` weeks, one or two gradings a week, some late, some failing. */
export function syntheticClass(org: string, students: number, weeks: number): StoredGrading[] {
  let seed = 42;
  const random = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
  const out: StoredGrading[] = [];
  const messages = ['no encontré dvc.yaml', `falta la etapa ${literal('train')}`, 'los tests fallan: 3 de 12', 'el README no tiene la sección Resultados', 'el Dockerfile corre como root'];
  for (let s = 0; s < students; s++) {
    const login = `estudiante-${String(s + 1).padStart(3, '0')}`;
    const skill = 0.35 + random() * 0.65;
    for (let w = 1; w <= weeks; w++) {
      if (random() < 0.06) continue; // did not hand in
      const attempts = random() < 0.3 ? 2 : 1;
      for (let a = 0; a < attempts; a++) {
        const criteria: CriterionSpec[] = ['estructura', 'pipeline', 'tests', 'readme', 'docker'].map((id, i) => {
          const r = random();
          const max = [20, 30, 25, 15, 10][i]!;
          if (r < skill * 0.75) return { id, max, score: max, status: 'passed' as const };
          if (r < skill) return { id, max, score: Math.round(max / 2), status: 'partial' as const, message: messages[i]!, details: `$ pytest -q\n${'F'.repeat(3)}${'.'.repeat(9)}\n3 failed, 9 passed` };
          return { id, max, score: 0, status: 'failed' as const, message: messages[i]! };
        });
        const lateness = random();
        const late =
          lateness < 0.08
            ? { ...onTime(w), minutesLate: 1500, daysLate: 2, penaltyFraction: 0.2, status: 'late' as const }
            : lateness < 0.1
              ? { ...onTime(w), minutesLate: 15000, daysLate: 11, penaltyFraction: 1, status: 'too-late' as const }
              : onTime(w);
        const score = criteria.reduce((sum, c) => sum + (c.score ?? 0), 0);
        out.push(classGrading({
          org, repoId: 1000 + s, login, week: w, criteria, late,
          penalty: late.status === 'late' ? Math.min(score, 20) : 0,
          deliveredAt: new Date(Date.parse('2026-03-02T12:00:00Z') + (w - 1) * 7 * 86_400_000 + a * 3_600_000).toISOString(),
          jobId: `job-${s}-${w}-${a}`,
        }));
      }
    }
  }
  return out;
}
