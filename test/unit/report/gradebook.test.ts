import { weekUnit } from '../../../src/course/unit.ts';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { CourseConfigSchema } from '../../../src/course/config.ts';
import { finalScore, lateness } from '../../../src/grading/late.ts';
import { gradebook, gradebookCsv, runnerImageNote, weekDetail, weekDetailCsv, type GradebookInput } from '../../../src/report/gradebook.ts';
import { COURSE_YAML } from '../../fixtures/github-repo.ts';
import { FinalGradeSchema } from '../../../src/rubrics/schema.ts';
import type { GradingRecord, Override, RecordedCriterion } from '../../../src/store/records.ts';

const course = CourseConfigSchema.parse(parse(COURSE_YAML));

interface Fixture {
  repoId: number;
  repo: string;
  students: string[];
  week: number;
  deliveredAt: string;
  gradedAt?: string;
  sha: string;
  /** estructura (of 70) and informe (of 30; null = pending). */
  points: [number, number | null];
}

/** A grading as the job records it: lateness and penalty from the course's policy. */
function record(f: Fixture): GradingRecord {
  const criteria: RecordedCriterion[] = [
    { id: 'estructura', maxScore: 70, score: f.points[0], status: f.points[0] === 70 ? 'passed' : 'partial' },
    { id: 'informe', maxScore: 30, score: f.points[1], status: f.points[1] === null ? 'pending' : f.points[1] === 30 ? 'passed' : 'partial' },
  ];
  const score = f.points[0] + (f.points[1] ?? 0);
  const late = lateness(course, weekUnit(f.week), new Date(f.deliveredAt));
  return {
    jobId: `job-${f.sha}`,
    installationId: 1,
    org: 'uni',
    repoId: f.repoId,
    repo: f.repo,
    students: f.students,
    course: 'default',
    unit: `week-${f.week}`,
    week: f.week,
    sha: f.sha,
    deliveredAt: f.deliveredAt,
    gradedAt: f.gradedAt ?? f.deliveredAt,
    trigger: 'push',
    packName: 'mlops',
    packHash: 'h',
    image: 'rubrica-runner',
    imageId: 'sha256:x',
    score,
    maxScore: 100,
    pendingPoints: f.points[1] === null ? 30 : 0,
    errorPoints: 0,
    criteria,
    late,
    ...finalScore(score, 100, late),
  };
}

const ana = { repoId: 1, repo: 'mlops-ana', students: ['ana'] };
const team = { repoId: 2, repo: 'mlops-team', students: ['bob', 'carla'] };
/** A repository whose students were never recorded: its row goes by the repository's name. */
const unnamed = { repoId: 3, repo: 'bruno', students: [] as string[] };
/** A second team of carla's, with ana: listed carla first, named so it sorts before mlops-*. */
const pair = { repoId: 4, repo: 'lab-pair', students: ['carla', 'ana'] };

const gradings: GradingRecord[] = [
  // Team first: rows are sorted by login, not by arrival.
  // Week 1 is due 2026-09-14T02:59Z: a day late, the report still pending.
  record({ ...team, week: 1, sha: 't1', deliveredAt: '2026-09-14T12:00:00.000Z', points: [50, null] }),
  record({ ...ana, week: 1, sha: 'a1', deliveredAt: '2026-09-13T20:00:00.000Z', points: [70, 10] }),
  // Week 2 (due 2026-09-21T02:59Z): 60 on time, then 90 a day late (80 after the penalty).
  record({ ...ana, week: 2, sha: 'a2', deliveredAt: '2026-09-20T12:00:00.000Z', points: [40, 20] }),
  record({ ...ana, week: 2, sha: 'a2b', deliveredAt: '2026-09-21T10:00:00.000Z', points: [70, 20] }),
  // Week 3 (due 2026-09-28T02:59Z): nine days late.
  record({ ...ana, week: 3, sha: 'a3', deliveredAt: '2026-10-06T12:00:00.000Z', points: [70, 30] }),
];

const override = (o: Partial<Override> & Pick<Override, 'repoId' | 'week' | 'criterion' | 'points' | 'at'>): Override => ({
  org: 'uni',
  course: 'default',
  unit: `week-${o.week}`,
  reason: 'revisado',
  by: 'ta-luz',
  automaticPoints: null,
  ...o,
});

const overrides: Override[] = [
  // The later correction is listed first: the order of the store must not matter.
  override({ repoId: 2, week: 1, criterion: 'informe', points: 25, at: '2026-09-22T10:00:00Z' }),
  override({ repoId: 2, week: 1, criterion: 'informe', points: 5, at: '2026-09-21T10:00:00Z' }),
  // Another week and another organization's repository with the same id: neither touches week 1.
  override({ repoId: 2, week: 2, criterion: 'informe', points: 30, at: '2026-09-22T10:00:00Z' }),
  override({ org: 'other', repoId: 2, week: 1, criterion: 'estructura', points: 0, at: '2026-09-23T10:00:00Z' }),
];

const input = (extra: Partial<GradebookInput> = {}): GradebookInput => ({ weeks: 3, rule: 'best', gradings, overrides: [], ...extra });

describe('the records are what the late policy says', () => {
  it('fixtures: a day late loses 10, nine days late is too late', () => {
    expect(gradings.map((g) => [g.sha, g.late.status, g.penalty, g.finalScore])).toEqual([
      ['t1', 'late', 10, 40],
      ['a1', 'on-time', 0, 80],
      ['a2', 'on-time', 0, 60],
      ['a2b', 'late', 10, 80],
      ['a3', 'too-late', 90, null],
    ]);
  });
});

describe('gradebook', () => {
  it('has one row per student, sorted by login, the counted score per week', () => {
    expect(gradebook(input())).toEqual([
      { login: 'ana', repo: 'mlops-ana', weeks: [80, 80, null], latePenalties: 10, total: 160 },
      // Pending points are not counted, but the week still shows its score.
      { login: 'bob', repo: 'mlops-team', weeks: [40, null, null], latePenalties: 10, total: 40 },
      { login: 'carla', repo: 'mlops-team', weeks: [40, null, null], latePenalties: 10, total: 40 },
    ]);
  });

  it('gives each student of a team repository a row of their own, with identical scores', () => {
    const rows = gradebook(input({ overrides })).filter((r) => r.repo === 'mlops-team');
    expect(rows.map((r) => r.login)).toEqual(['bob', 'carla']);
    const [bob, carla] = rows.map(({ login: _, ...rest }) => rest);
    expect(bob).toEqual({ repo: 'mlops-team', weeks: [65, null, null], latePenalties: 10, total: 65 });
    expect(carla).toEqual(bob);
  });

  it('lists a repository without recorded students under its repo name', () => {
    // On time: 60 + 30 = 90. 'bruno' sorts among the logins, between bob and carla.
    const graded = record({ ...unnamed, week: 1, sha: 'u1', deliveredAt: '2026-09-13T10:00:00.000Z', points: [60, 30] });
    expect(gradebook(input({ gradings: [graded, ...gradings] }))).toEqual([
      { login: 'ana', repo: 'mlops-ana', weeks: [80, 80, null], latePenalties: 10, total: 160 },
      { login: 'bob', repo: 'mlops-team', weeks: [40, null, null], latePenalties: 10, total: 40 },
      { login: 'bruno', repo: 'bruno', weeks: [90, null, null], latePenalties: 0, total: 90 },
      { login: 'carla', repo: 'mlops-team', weeks: [40, null, null], latePenalties: 10, total: 40 },
    ]);
  });

  it('sorts by login, then repo: a student in two repositories has a row for each', () => {
    // On time, full marks. Listed first, and its students out of order: neither must matter.
    const graded = record({ ...pair, week: 2, sha: 'p2', deliveredAt: '2026-09-20T10:00:00.000Z', points: [70, 30] });
    expect(gradebook(input({ gradings: [graded, ...gradings] }))).toEqual([
      { login: 'ana', repo: 'lab-pair', weeks: [null, 100, null], latePenalties: 0, total: 100 },
      { login: 'ana', repo: 'mlops-ana', weeks: [80, 80, null], latePenalties: 10, total: 160 },
      { login: 'bob', repo: 'mlops-team', weeks: [40, null, null], latePenalties: 10, total: 40 },
      { login: 'carla', repo: 'lab-pair', weeks: [null, 100, null], latePenalties: 0, total: 100 },
      { login: 'carla', repo: 'mlops-team', weeks: [40, null, null], latePenalties: 10, total: 40 },
    ]);
  });

  it('counts by the course rule', () => {
    expect(gradebook(input({ rule: 'latest' }))[0]).toEqual({ login: 'ana', repo: 'mlops-ana', weeks: [80, 80, null], latePenalties: 10, total: 160 });
    expect(gradebook(input({ rule: 'latest-on-time' }))).toEqual([
      { login: 'ana', repo: 'mlops-ana', weeks: [80, 60, null], latePenalties: 0, total: 140 },
      { login: 'bob', repo: 'mlops-team', weeks: [null, null, null], latePenalties: 0, total: 0 },
      { login: 'carla', repo: 'mlops-team', weeks: [null, null, null], latePenalties: 0, total: 0 },
    ]);
  });

  it('under latest, a too-late push replaces an earlier scored one', () => {
    const late = record({ ...ana, week: 1, sha: 'a1z', deliveredAt: '2026-09-25T12:00:00.000Z', points: [70, 30] });
    expect(gradebook(input({ rule: 'latest', gradings: [...gradings, late] }))[0]?.weeks[0]).toBeNull();
    expect(gradebook(input({ rule: 'best', gradings: [...gradings, late] }))[0]?.weeks[0]).toBe(80);
  });

  it("applies the TAs' overrides (the latest one) and re-applies the late penalty on them", () => {
    const rows = gradebook(input({ overrides }));
    // 50 + 25 = 75, still a day late: 65.
    expect(rows.slice(1)).toEqual([
      { login: 'bob', repo: 'mlops-team', weeks: [65, null, null], latePenalties: 10, total: 65 },
      { login: 'carla', repo: 'mlops-team', weeks: [65, null, null], latePenalties: 10, total: 65 },
    ]);
    expect(rows[0]).toEqual(gradebook(input())[0]);
  });

  it('lets an override change which grading is the best', () => {
    // The on-time push's report deserved 30 (40 + 30 = 70); the late one's also (70 + 30 − 10 = 90).
    const o = [override({ repoId: 1, week: 2, criterion: 'informe', points: 30, at: '2026-09-22T10:00:00Z' })];
    expect(gradebook(input({ overrides: o }))[0]?.weeks[1]).toBe(90);
    expect(gradebook(input({ overrides: o, rule: 'latest-on-time' }))[0]?.weeks[1]).toBe(70);
  });

  it('keeps a renamed repository together, under its current name, a row for each of its current students', () => {
    const renamed = record({ repoId: 1, repo: 'mlops-ana-lopez', students: ['ana', 'dario'], week: 5, sha: 'a5', deliveredAt: '2026-10-10T12:00:00.000Z', points: [70, 30] });
    const rows = gradebook(input({ weeks: 5, gradings: [...gradings, renamed] }));
    expect(rows.map((r) => [r.login, r.repo, r.weeks, r.total])).toEqual([
      ['ana', 'mlops-ana-lopez', [80, 80, null, null, 100], 260],
      ['bob', 'mlops-team', [40, null, null, null, null], 40],
      ['carla', 'mlops-team', [40, null, null, null, null], 40],
      ['dario', 'mlops-ana-lopez', [80, 80, null, null, 100], 260],
    ]);
  });

  it('takes the current name from the latest delivery, in whatever order the record lists the gradings', () => {
    const renamed = record({ repoId: 1, repo: 'mlops-ana-lopez', students: ['ana', 'dario'], week: 5, sha: 'a5', deliveredAt: '2026-10-10T12:00:00.000Z', points: [70, 30] });
    const rows = gradebook(input({ weeks: 5, gradings: [renamed, ...gradings] }));
    expect(rows.filter((r) => r.login === 'ana' || r.login === 'dario').map((r) => [r.login, r.repo])).toEqual([
      ['ana', 'mlops-ana-lopez'],
      ['dario', 'mlops-ana-lopez'],
    ]);
  });

  it('has no rows without gradings', () => {
    expect(gradebook(input({ gradings: [] }))).toEqual([]);
  });
});

describe('gradebookCsv', () => {
  it('writes a header, empty cells for weeks without a score, two decimals with a dot', () => {
    expect(gradebookCsv(gradebook(input({ overrides })), 3)).toBe(
      'login,repo,week_1,week_2,week_3,late_penalty,total\r\n' + 'ana,mlops-ana,80,80,,10,160\r\n' + 'bob,mlops-team,65,,,10,65\r\n' + 'carla,mlops-team,65,,,10,65\r\n',
    );
    const row = { login: 'eva', repo: 'mlops-eva', weeks: [16.666, 0, 12.5], latePenalties: 0.004, total: 29.166 };
    expect(gradebookCsv([row], 3).split('\r\n')[1]).toBe('eva,mlops-eva,16.67,0,12.5,0,29.17');
  });

  it('quotes as RFC 4180 says and defuses cells a spreadsheet would run as formulas', () => {
    const rows = [
      { login: 'ana', repo: '=HYPERLINK("http://evil.example","x")', weeks: [1], latePenalties: 0, total: 1 },
      { login: 'bob', repo: '+1', weeks: [1], latePenalties: 0, total: 1 },
      { login: 'carla', repo: '-2', weeks: [1], latePenalties: 0, total: 1 },
      { login: 'dario', repo: '@SUM(A1)', weeks: [1], latePenalties: 0, total: 1 },
      { login: 'eva', repo: 'a,b "c"\nd', weeks: [1], latePenalties: 0, total: 1 },
      { login: 'fede', repo: 'mlops-fede=x', weeks: [1], latePenalties: 0, total: 1 },
    ];
    expect(gradebookCsv(rows, 1).split('\r\n').slice(1, -1)).toEqual([
      `ana,"'=HYPERLINK(""http://evil.example"",""x"")",1,0,1`,
      `bob,'+1,1,0,1`,
      `carla,'-2,1,0,1`,
      `dario,'@SUM(A1),1,0,1`,
      `eva,"a,b ""c""\nd",1,0,1`,
      `fede,mlops-fede=x,1,0,1`,
    ]);
  });
});

describe('weekDetail', () => {
  it('gives the counted grading of each repository to each of its students, criterion by criterion, overrides applied', () => {
    const rows = weekDetail(input({ overrides }), 1);
    // The team's two students get the very same detail.
    const teamDetail = {
      repo: 'mlops-team',
      repoId: 2,
      sha: 't1',
      gradedAt: '2026-09-14T12:00:00.000Z',
      deliveredAt: '2026-09-14T12:00:00.000Z',
      status: 'late',
      criteria: [
        ['estructura', 50, 50, false],
        ['informe', 25, null, true],
      ],
      score: 75,
      latePenalty: 10,
      final: 65,
    };
    expect(rows.map((r) => ({ ...r, criteria: r.criteria.map((c) => [c.id, c.score, c.automatic, c.overridden]) }))).toEqual([
      {
        login: 'ana',
        repo: 'mlops-ana',
        repoId: 1,
        sha: 'a1',
        gradedAt: '2026-09-13T20:00:00.000Z',
        deliveredAt: '2026-09-13T20:00:00.000Z',
        status: 'on-time',
        criteria: [
          ['estructura', 70, 70, false],
          ['informe', 10, 10, false],
        ],
        score: 80,
        latePenalty: 0,
        final: 80,
      },
      { login: 'bob', ...teamDetail },
      { login: 'carla', ...teamDetail },
    ]);
  });

  it('lists a repository without recorded students under its repo name', () => {
    const graded = record({ ...unnamed, week: 1, sha: 'u1', deliveredAt: '2026-09-13T10:00:00.000Z', points: [60, 30] });
    const rows = weekDetail(input({ gradings: [graded, ...gradings] }), 1);
    expect(rows.map((r) => [r.login, r.repo, r.sha, r.final])).toEqual([
      ['ana', 'mlops-ana', 'a1', 80],
      ['bob', 'mlops-team', 't1', 40],
      ['bruno', 'bruno', 'u1', 90],
      ['carla', 'mlops-team', 't1', 40],
    ]);
    expect(weekDetailCsv(rows).split('\r\n')[3]).toBe('bruno,bruno,u1,2026-09-13T10:00:00.000Z,on-time,60,30,90,0,90');
  });

  it('sorts by login, then repo: a student in two repositories has a row for each', () => {
    const graded = record({ ...pair, week: 2, sha: 'p2', deliveredAt: '2026-09-20T10:00:00.000Z', points: [70, 30] });
    expect(weekDetail(input({ gradings: [graded, ...gradings] }), 2).map((r) => [r.login, r.repo, r.sha, r.final])).toEqual([
      ['ana', 'lab-pair', 'p2', 100],
      ['ana', 'mlops-ana', 'a2b', 80],
      ['carla', 'lab-pair', 'p2', 100],
    ]);
  });

  it('follows the rule, and leaves out repositories with nothing counted', () => {
    expect(weekDetail(input(), 1).map((r) => [r.login, r.sha])).toEqual([
      ['ana', 'a1'],
      ['bob', 't1'],
      ['carla', 't1'],
    ]);
    expect(weekDetail(input(), 2).map((r) => r.sha)).toEqual(['a2b']);
    expect(weekDetail(input({ rule: 'latest-on-time' }), 2).map((r) => r.sha)).toEqual(['a2']);
    expect(weekDetail(input({ rule: 'latest-on-time' }), 1).map((r) => r.sha)).toEqual(['a1']);
    expect(weekDetail(input(), 5)).toEqual([]);
  });

  it('as CSV: criteria in rubric order, empty cells for pending points and a too-late final', () => {
    expect(weekDetailCsv(weekDetail(input(), 1))).toBe(
      'login,repo,sha,delivered_at,status,estructura,informe,score,late_penalty,final\r\n' +
        'ana,mlops-ana,a1,2026-09-13T20:00:00.000Z,on-time,70,10,80,0,80\r\n' +
        'bob,mlops-team,t1,2026-09-14T12:00:00.000Z,late,50,,50,10,40\r\n' +
        'carla,mlops-team,t1,2026-09-14T12:00:00.000Z,late,50,,50,10,40\r\n',
    );
    expect(weekDetailCsv(weekDetail(input({ overrides }), 1)).split('\r\n').slice(2)).toEqual([
      'bob,mlops-team,t1,2026-09-14T12:00:00.000Z,late,50,25,75,10,65',
      'carla,mlops-team,t1,2026-09-14T12:00:00.000Z,late,50,25,75,10,65',
      '',
    ]);
    expect(weekDetailCsv(weekDetail(input(), 3)).split('\r\n')[1]).toBe('ana,mlops-ana,a3,2026-10-06T12:00:00.000Z,too-late,70,30,100,90,');
  });

  it('as CSV: a criterion only some gradings have gets its own column', () => {
    const rows = weekDetail(input(), 1);
    const extra = { ...rows[1]!, criteria: [...rows[1]!.criteria, { id: 'demo', maxScore: 10, score: 7, status: 'partial' as const, automatic: 7, overridden: false }] };
    expect(weekDetailCsv([rows[0]!, extra, rows[2]!]).split('\r\n')).toEqual([
      'login,repo,sha,delivered_at,status,estructura,informe,demo,score,late_penalty,final',
      'ana,mlops-ana,a1,2026-09-13T20:00:00.000Z,on-time,70,10,,80,0,80',
      'bob,mlops-team,t1,2026-09-14T12:00:00.000Z,late,50,,7,50,10,40',
      'carla,mlops-team,t1,2026-09-14T12:00:00.000Z,late,50,,,50,10,40',
      '',
    ]);
  });
});

describe('what the runner image lacks', () => {
  const lacking = (f: Fixture, modules: string[]) => ({
    ...record(f),
    grade: { environment: { missing: modules.map((m) => ({ module: m, distribution: m === 'sklearn' ? 'scikit-learn' : m, declaredIn: 'requirements.txt' })) } },
  });
  const onTime = '2026-03-10T12:00:00Z';
  const input: GradebookInput = {
    weeks: 3,
    rule: 'latest',
    overrides: [],
    gradings: [
      lacking({ ...ana, week: 2, deliveredAt: onTime, sha: 'a1', points: [70, 30] }, ['pandera']),
      lacking({ ...team, week: 2, deliveredAt: onTime, sha: 'b1', points: [40, 30] }, ['pandera', 'sklearn']),
      record({ ...unnamed, week: 2, deliveredAt: onTime, sha: 'c1', points: [70, 30] }),
      lacking({ ...unnamed, week: 3, deliveredAt: onTime, sha: 'c2', points: [70, 30] }, ['ctgan']),
    ],
  };

  it('gives one note per course: each module with its distribution, how many repositories miss it, in which weeks', () => {
    expect(runnerImageNote(input)).toEqual({
      modules: [
        { module: 'pandera', distribution: 'pandera', repositories: 2, weeks: [2], units: ['week-2'] },
        { module: 'ctgan', distribution: 'ctgan', repositories: 1, weeks: [3], units: ['week-3'] },
        { module: 'sklearn', distribution: 'scikit-learn', repositories: 1, weeks: [2], units: ['week-2'] },
      ],
    });
    expect(runnerImageNote(input, 'week-3')!.modules.map((m) => m.module)).toEqual(['ctgan']);
    expect(runnerImageNote(input, 'week-1')).toBeNull();
  });

  it('counts only the counted grading: a later grading that imports fine clears the note', () => {
    const later = { ...input, gradings: [...input.gradings, record({ ...unnamed, week: 3, deliveredAt: '2026-03-11T12:00:00Z', sha: 'c3', points: [70, 30] })] };
    expect(runnerImageNote(later, 'week-3')).toBeNull();
  });

  it('says per student in the week detail which modules kept criteria from being graded, with a column only when needed', () => {
    const rows = weekDetail(input, 2);
    expect(rows.map((r) => [r.login, r.notGradableHere ?? null])).toEqual([
      ['ana', ['pandera']],
      ['bob', ['pandera', 'sklearn']],
      ['bruno', null],
      ['carla', ['pandera', 'sklearn']],
    ]);
    const csvText = weekDetailCsv(rows);
    expect(csvText.split('\r\n')[0]).toMatch(/,final,not_gradable_here$/);
    expect(csvText.split('\r\n')[2]).toMatch(/,pandera sklearn$/);
    expect(weekDetailCsv(weekDetail(input, 1))).not.toContain('not_gradable_here');
  });
});

describe('the final column', () => {
  // A 3-week course whose final grade is week 1 (weight 2) and week 2's `estructura` (weight 1), on 0–10.
  const spec = FinalGradeSchema.parse({
    scale: { max: 10 },
    passGrade: 6,
    components: [
      { id: 'w1', title: { es: 'uno', en: 'one' }, weight: 2, from: [{ week: 1 }] },
      { id: 'w2', title: { es: 'dos', en: 'two' }, weight: 1, from: [{ week: 2, criteria: ['estructura'] }, { week: 3, criteria: ['estructura'] }] },
    ],
  });
  const criteriaOf = () => [{ id: 'estructura', points: 70 }, { id: 'informe', points: 30 }];
  const finalOf = (login: string, extra: Partial<GradebookInput> = {}) => gradebook(input({ final: { spec, criteriaOf }, ...extra })).find((r) => r.login === login)!.final!;

  it('reads the counted gradings with overrides and lateness: ana 80/100 of week 1; week 2 kept 80 of 90, week 3 too late', () => {
    // w1: 80/100 = 0.8; w2: week 2 estructura 70 × 80/90 = 62.2 of 70 plus week 3's 0 of 70 → 0.444; (2 × 0.8 + 0.444) / 3 = 0.681 → 6.8
    const f = finalOf('ana');
    expect(f.components!.map((c) => [c.id, c.earned, c.possible])).toEqual([['w1', 80, 100], ['w2', 62.22, 140]]);
    expect(f.grade).toBe(6.8);
    expect(f.passed).toBe(true);
  });

  it('mid-course, weeks not yet due weigh nothing', () => {
    // Only week 1 due: the team has 40 after its late penalty (50 − 10; the report pending).
    const dueByWeek = (s: { week?: number }) => s.week === 1;
    const f = finalOf('bob', { final: { spec, criteriaOf, due: dueByWeek } });
    expect(f.components!.map((c) => [c.id, c.possible])).toEqual([['w1', 100], ['w2', 0]]);
    expect(f.grade).toBe(4);
    expect(f.pendingPoints).toBe(30);
    // Once weeks 2 and 3 are due, what was not handed in counts as 0: (2 × 0.4 + 0) / 3.
    expect(finalOf('bob').grade).toBe(2.7);
  });

  it('is a CSV column after the total; none without a final grade', () => {
    const rows = gradebook(input({ final: { spec, criteriaOf } }));
    const lines = gradebookCsv(rows, 3).trim().split('\r\n');
    expect(lines[0]).toBe('login,repo,week_1,week_2,week_3,late_penalty,total,final');
    expect(lines[1]).toBe('ana,mlops-ana,80,80,,10,160,6.8');
    expect(gradebookCsv(gradebook(input()), 3).split('\r\n')[0]).not.toContain('final');
  });
});
