import { describe, expect, it } from 'vitest';
import { finalGrade, pointsOf, selects, unknownReferences, type CountedUnit, type UnitCriteria } from '../../../src/grading/final-grade.ts';
import { FinalGradeSchema, type FinalGradeSpec } from '../../../src/rubrics/schema.ts';

const text = (s: string) => ({ es: s, en: s });

/** A two-week pack: week 1 has a (60) and b (40); week 2 has c (50) and d (50); assignment `final` has local-1, local-2, cont-1. */
const criteriaOf: UnitCriteria = (s) => {
  if (s.week === 1) return [{ id: 'a', points: 60 }, { id: 'b', points: 40 }];
  if (s.week === 2) return [{ id: 'c', points: 50 }, { id: 'd', points: 50 }];
  if (s.assignment === 'final') return [{ id: 'local-1', points: 30 }, { id: 'local-2', points: 30 }, { id: 'cont-1', points: 40 }];
  return undefined;
};
const possible = pointsOf(criteriaOf);

function week(n: number, scores: Record<string, number | null>, options: { finalScore?: number | null } = {}): CountedUnit {
  const points = criteriaOf({ week: n })!;
  const criteria = points.map((c) => ({ id: c.id, maxScore: c.points, score: c.id in scores ? (scores[c.id] as number | null) : 0 }));
  const score = criteria.reduce((s, c) => s + (c.score ?? 0), 0);
  return { week: n, maxScore: 100, score, finalScore: options.finalScore === undefined ? score : options.finalScore, criteria };
}

function final(scores: Record<string, number | null>, delivery = 'last'): CountedUnit {
  const criteria = criteriaOf({ assignment: 'final' })!.map((c) => ({ id: c.id, maxScore: c.points, score: c.id in scores ? (scores[c.id] as number | null) : 0 }));
  const score = criteria.reduce((s, c) => s + (c.score ?? 0), 0);
  return { week: 0, assignment: 'final', delivery, maxScore: 100, score, finalScore: score, criteria };
}

const weighted: FinalGradeSpec = FinalGradeSchema.parse({
  scale: { max: 10 },
  passGrade: 6,
  components: [
    { id: 'code', title: text('Code'), weight: 30, from: [{ week: 1 }] },
    { id: 'tests', title: text('Tests'), weight: 10, from: [{ week: 2, criteria: ['c'] }] },
  ],
});

const levels: FinalGradeSpec = FinalGradeSchema.parse({
  scale: { max: 10, decimals: 2 },
  passGrade: 6,
  levels: {
    from: { assignment: 'final', delivery: 'last' },
    list: [
      { id: 'local', title: text('local'), grade: { min: 6, max: 8 }, criteria: ['local-1', 'local-2'] },
      { id: 'containers', title: text('containers'), grade: { min: 8, max: 10 }, criteria: ['cont-1'], reach: 0.5 },
    ],
  },
});

describe('a weighted final grade', () => {
  it('is the weighted mean of each component’s share, on the scale', () => {
    // code 80/100, tests 25/50: (30 × 0.8 + 10 × 0.5) / 40 = 0.725 → 7.3 on 0–10 (one decimal).
    const g = finalGrade(weighted, [week(1, { a: 60, b: 20 }), week(2, { c: 25, d: 50 })], possible);
    expect(g.grade).toBe(7.3);
    expect(g.passed).toBe(true);
    expect(g.complete).toBe(true);
    expect(g.components!.map((c) => [c.id, c.earned, c.possible, c.share])).toEqual([
      ['code', 80, 100, 0.8],
      ['tests', 25, 50, 0.5],
    ]);
  });

  it('counts a unit not handed in as possible points none earned; with no possible points it reads only what was graded', () => {
    const units = [week(1, { a: 60, b: 40 })];
    // tests: 0 of 50 → (30 × 1 + 0) / 40 = 0.75 → 7.5
    const g = finalGrade(weighted, units, possible);
    expect(g.grade).toBe(7.5);
    expect(g.complete).toBe(false);
    // "So far": what is not due weighs nothing yet: the tests component has 0 of 0 and is left out.
    const soFar = finalGrade(weighted, units, () => 0);
    expect(soFar.components!.find((c) => c.id === 'tests')!.possible).toBe(0);
    expect(soFar.grade).toBe(10);
    expect(finalGrade(weighted, [], () => 0).grade).toBe(0);
  });

  it('takes the late penalty off each part in proportion, and nothing of a too-late week', () => {
    // Week 1 scored 100 but kept 80 after the penalty: code 0.8 → (24 + 0) / 40 = 0.6 → 6.
    const late = finalGrade(weighted, [week(1, { a: 60, b: 40 }, { finalScore: 80 }), week(2, {})], possible);
    expect(late.components![0]!.earned).toBe(80);
    expect(late.grade).toBe(6);
    expect(late.passed).toBe(true);
    const tooLate = finalGrade(weighted, [week(1, { a: 60, b: 40 }, { finalScore: null }), week(2, {})], possible);
    expect(tooLate.grade).toBe(0);
    expect(tooLate.passed).toBe(false);
  });

  it('leaves pending (manual) points unearned and says how many', () => {
    const g = finalGrade(weighted, [week(1, { a: 60, b: null }), week(2, { c: 50 })], possible);
    expect(g.pendingPoints).toBe(40);
    expect(g.components![0]!.earned).toBe(60);
  });

  it('reads only the criteria a component names', () => {
    const onlyD = finalGrade(weighted, [week(1, {}), week(2, { c: 0, d: 50 })], possible);
    expect(onlyD.components![1]).toMatchObject({ earned: 0, possible: 50 });
  });
});

describe('a final grade by levels', () => {
  it('below the first level is a fail: the first level’s lower bound times its share', () => {
    // local 30/60 = 0.5 < 0.6: 6 × 0.5 = 3
    const g = finalGrade(levels, [final({ 'local-1': 30, 'local-2': 0, 'cont-1': 40 })], possible);
    expect(g.level).toBeNull();
    expect(g.grade).toBe(3);
    expect(g.passed).toBe(false);
  });

  it('reached, the grade moves within the level with its share; the next needs every level below it', () => {
    // local 45/60 = 0.75 ≥ 0.6: 6 + 2 × 0.75 = 7.5; containers 10/40 < 0.5 stays out.
    const local = finalGrade(levels, [final({ 'local-1': 30, 'local-2': 15, 'cont-1': 10 })], possible);
    expect(local.level?.id).toBe('local');
    expect(local.grade).toBe(7.5);
    // containers 30/40 = 0.75 ≥ 0.5: 8 + 2 × 0.75 = 9.5.
    const containers = finalGrade(levels, [final({ 'local-1': 30, 'local-2': 30, 'cont-1': 30 })], possible);
    expect(containers.level?.id).toBe('containers');
    expect(containers.grade).toBe(9.5);
    // Containers done but local not reached: no level skipped.
    expect(finalGrade(levels, [final({ 'local-1': 10, 'local-2': 0, 'cont-1': 40 })], possible).level).toBeNull();
  });

  it('reads the named delivery only, and is incomplete without it', () => {
    const first = finalGrade(levels, [final({ 'local-1': 30, 'local-2': 30, 'cont-1': 40 }, 'first')], possible);
    expect(first.complete).toBe(false);
    expect(first.grade).toBe(0);
  });
});

describe('which grading a selector names', () => {
  it('matches weeks to weeks and assignments (with their deliveries) to assignments', () => {
    expect(selects({ week: 2 }, { week: 2 })).toBe(true);
    expect(selects({ week: 2 }, { week: 3 })).toBe(false);
    expect(selects({ week: 2 }, { week: 2, assignment: 'tp' })).toBe(false);
    expect(selects({ assignment: 'tp' }, { week: 0, assignment: 'tp', delivery: 'first' })).toBe(true);
    expect(selects({ assignment: 'tp', delivery: 'last' }, { week: 0, assignment: 'tp', delivery: 'first' })).toBe(false);
    expect(selects({ assignment: 'tp' }, { week: 0, assignment: 'other' })).toBe(false);
  });
});

describe('the `final:` schema', () => {
  const issues = (v: unknown) => {
    const r = FinalGradeSchema.safeParse(v);
    return r.success ? [] : r.error.issues.map((i) => i.message);
  };
  it('takes components or levels, not both or neither', () => {
    expect(issues({ scale: { max: 10 } })).toContain('give either `components` (weighted) or `levels`');
    expect(issues({ scale: { max: 10 }, components: weighted.components, levels: levels.levels })).toContain('give either `components` (weighted) or `levels`');
    expect(issues({ scale: { max: 10 }, components: weighted.components })).toEqual([]);
  });
  it('wants levels inside the scale, in ascending order, and a pass grade on the scale', () => {
    const list = (a: [number, number], b: [number, number]) => ({
      scale: { max: 10 },
      levels: { from: { assignment: 'final' }, list: [{ id: 'x', title: text('x'), grade: { min: a[0], max: a[1] }, criteria: ['a'] }, { id: 'y', title: text('y'), grade: { min: b[0], max: b[1] }, criteria: ['b'] }] },
    });
    expect(issues(list([6, 8], [8, 10]))).toEqual([]);
    expect(issues(list([8, 10], [6, 8]))[0]).toContain('lowest to the highest');
    expect(issues(list([6, 8], [8, 12]))[0]).toContain('within the scale');
    expect(issues({ ...list([6, 8], [8, 10]), passGrade: 11 })[0]).toContain('outside the scale');
    expect(issues({ scale: { max: 10 }, components: [{ id: 'a', title: text('a'), weight: 1, from: [{ week: 1, assignment: 'x' }] }] })).toContain('name either a `week` or an `assignment`');
  });
  it('names what the pack does not have', () => {
    const spec = FinalGradeSchema.parse({ scale: { max: 10 }, components: [{ id: 'a', title: text('a'), weight: 1, from: [{ week: 3 }, { week: 1, criteria: ['a', 'zz'] }] }] });
    expect(unknownReferences(spec, criteriaOf).map((p) => p.message)).toEqual(['names week 3, which the pack does not have', 'names the criterion `zz`, which week 1 does not have']);
    expect(unknownReferences(levels, criteriaOf)).toEqual([]);
  });
});
