import { z } from 'zod';
import { LOCALES } from '../core/text.ts';
import { InstallLimitsSchema } from '../sandbox/limits.ts';

/** A calendar date as an instructor writes it (YAML may hand us a Date for an unquoted one). */
const DateSchema = z.preprocess(
  (v) => (v instanceof Date ? v.toISOString().slice(0, 10) : v),
  z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'write dates as YYYY-MM-DD'),
);

const TimeSchema = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'write times as HH:MM (24 h)');

const WEEKDAYS = ['monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday', 'sunday'] as const;

export const TimezoneSchema = z.string().refine(
  (tz) => {
    try {
      new Intl.DateTimeFormat('en', { timeZone: tz });
      return true;
    } catch {
      return false;
    }
  },
  { message: 'is not an IANA time zone (e.g. America/Argentina/Buenos_Aires)' },
);

/** A course's, an assignment's or a delivery's id: it names the unit in the record and in the gradebook. */
export const UNIT_ID = /^[a-z0-9][a-z0-9-]*$/;
const UnitIdSchema = z.string().regex(UNIT_ID, 'use lowercase letters, digits and dashes (e.g. final, tp-1)');

/** The id of the course of a single-course file (and of every grading recorded before courses had ids). */
export const DEFAULT_COURSE_ID = 'default';

/** An http(s) URL without credentials: whatever it holds would reach the install step's container. */
const PackageIndexSchema = z
  .url({ protocol: /^https?$/, message: 'name the package index by its http(s) URL, e.g. https://pypi.example.edu/simple' })
  .refine((u) => { const url = new URL(u); return !url.username && !url.password; }, { message: 'the index URL must not hold credentials: they would reach the install container' });

/**
 * When an assignment (or one of its deliveries) is due: a wall-clock time in the course's
 * time zone, or counted from the course calendar (`class: 5` is the first day of course
 * week 5, breaks skipped; `days: 7` adds a week), at `deadlines.time`.
 */
const DueSchema = z.union([
  z.string().regex(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}$/, 'write YYYY-MM-DDTHH:MM, or { class: N, days: D }'),
  z.strictObject({ class: z.number().int().min(1).max(60), days: z.number().int().min(0).max(365).default(0) }),
]);
export type Due = z.output<typeof DueSchema>;

/** A partial (or the final) delivery of an assignment: its own deadline, and optionally its own rubric or a part of it. */
const DeliverySchema = z.strictObject({
  id: UnitIdSchema,
  due: DueSchema,
  /** The pack's assignment rubric this delivery is graded with (`assignment:` of its file); by default the assignment's. */
  rubric: UnitIdSchema.optional(),
  /** Only these criteria of that rubric (ids): a first delivery that asks for part of the work. */
  criteria: z.array(z.string().min(1)).min(1).optional(),
});
export type DeliveryConfig = z.output<typeof DeliverySchema>;

/**
 * A group's members: the repository's collaborators (not org admins, not TAs), or a
 * team named after the group (`{group}` is the repository's name after the prefix).
 */
const GroupSchema = z.strictObject({
  maxSize: z.number().int().min(2).max(50).optional(),
  members: z.enum(['collaborators', 'team']).default('collaborators'),
  team: z.string().regex(/\{group\}/, 'name the team with {group}, e.g. tp-final-{group}').optional(),
}).refine((g) => g.members !== 'team' || g.team !== undefined, { message: 'members: team needs `team`, e.g. team: tp-final-{group}', path: ['team'] });

/** One assignment: GitHub Classroom makes one repository per assignment and student (or group). */
const AssignmentSchema = z
  .strictObject({
    // `week-N` names a week of the portfolio.
    id: UnitIdSchema.refine((id) => !id.startsWith('week-'), { message: 'an assignment id cannot start with `week-` (that names a week)' }),
    /** Its repositories are `<prefix><login>`, or `<prefix><group>` for a group assignment. */
    prefix: z.string().min(1),
    /** The pack's assignment rubric (`assignment:` of its file); by default the assignment's id. */
    rubric: UnitIdSchema.optional(),
    /** A group assignment: every member receives the grade. */
    group: GroupSchema.optional(),
    /** When it is due, without partial deliveries… */
    due: DueSchema.optional(),
    /** …or its deliveries, in order: a push counts for the first one still open. */
    deliveries: z.array(DeliverySchema).min(1).optional(),
  })
  .superRefine((a, ctx) => {
    if ((a.due === undefined) === (a.deliveries === undefined)) {
      ctx.addIssue({ code: 'custom', path: ['due'], message: 'give the assignment either `due` or `deliveries` (each with its own `due`)' });
    }
    const ids = (a.deliveries ?? []).map((d) => d.id);
    ids.forEach((id, i) => {
      if (ids.indexOf(id) !== i) ctx.addIssue({ code: 'custom', path: ['deliveries', i, 'id'], message: `the delivery id \`${id}\` is used twice` });
    });
  });
export type AssignmentConfig = z.output<typeof AssignmentSchema>;

/**
 * One course of `.github/rubrica.yml` in the organization's `.github` repository. The keys
 * of the README's example (pack, start, timezone, weeks, students.prefix, tas, locale) are
 * a promise kept across versions; everything else has a documented default.
 */
export const CourseConfigSchema = z
  .strictObject({
    /** Names the course in the record and the gradebook; a single-course file may leave it out. */
    id: UnitIdSchema.default(DEFAULT_COURSE_ID),
    pack: z.string().regex(/^[a-z0-9][a-z0-9_-]*$/i, 'name a rubric pack under rubrics/'),
    /** First day of week 1, in the course's time zone. */
    start: DateSchema,
    timezone: TimezoneSchema,
    weeks: z.number().int().min(1).max(60),
    /** The weekly portfolio's repositories; a course of assignments alone may leave it out. */
    students: z
      .strictObject({
        /** Student repositories are named `<prefix><login>` (GitHub Classroom: `<assignment>-<login>`). */
        prefix: z.string().min(1).optional(),
        /** …or carry this topic. */
        topic: z.string().min(1).optional(),
      })
      .refine((s) => s.prefix !== undefined || s.topic !== undefined, { message: 'say how to recognise student repositories: `prefix` or `topic`' })
      .optional(),
    /** Assignments besides (or instead of) the weekly portfolio, each with its own repositories. */
    assignments: z.array(AssignmentSchema).default([]),
    /** Slug of the TA team. */
    tas: z.string().min(1),
    locale: z.enum(LOCALES).default('es'),
    /**
     * When each week is due: by default the week's last day (its 7th) at 23:59, whatever
     * weekday the course starts on. A `weekday` names the first such day after the week's
     * first day (its 2nd to 8th day): never the day the week opens.
     */
    deadlines: z
      .strictObject({
        weekday: z.enum(WEEKDAYS).optional(),
        time: TimeSchema.default('23:59'),
        /** Exceptions, by week number: `3: 2026-09-30T23:59`. */
        overrides: z.record(z.string().regex(/^\d+$/), z.string().regex(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}$/, 'write YYYY-MM-DDTHH:MM')).default({}),
      })
      .default({ time: '23:59', overrides: {} }),
    /** Weeks without classes: the course's week count pauses. */
    breaks: z.array(z.strictObject({ from: DateSchema, to: DateSchema, name: z.string().optional() })).default([]),
    late: z
      .strictObject({
        /** Minutes after the deadline still on time (a push at 23:59:30 is not late). */
        graceMinutes: z.number().int().min(0).default(15),
        /** Share of the week's scale lost per day late (0.1 = 10%). */
        penaltyPerDay: z.number().min(0).max(1).default(0.1),
        /** After this many days late a push is recorded but no longer earns points. */
        maxDaysLate: z.number().int().min(0).default(7),
        /** Cap on the share of the week's scale lost to lateness (0.3: never more than 30% off). */
        maxPenalty: z.number().min(0).max(1).default(1),
      })
      .default({ graceMinutes: 15, penaltyPerDay: 0.1, maxDaysLate: 7, maxPenalty: 1 }),
    /** Which grading counts for a week: the best, the latest (even a too-late one), or the latest on time. */
    counts: z.enum(['best', 'latest', 'latest-on-time']).default('best'),
    /** Overrides the pack's pass mark (share of the scale, 0..1). */
    passMark: z.number().min(0).max(1).optional(),
    /** What a below-pass-mark check run concludes. */
    belowPassMark: z.enum(['failure', 'neutral']).default('failure'),
    comments: z
      .strictObject({
        /** One scored comment per pull request and week, updated in place. */
        pullRequests: z.boolean().default(true),
        /** Pushes without a pull request: also a commit comment. */
        commits: z.boolean().default(false),
      })
      .default({ pullRequests: true, commits: false }),
    /**
     * Install each student's declared Python dependencies before grading, from this index
     * only (a PEP 503 `simple/` URL: the course's PyPI mirror or proxy). Absent: nothing
     * is installed.
     */
    install: InstallLimitsSchema.extend({ index: PackageIndexSchema }).optional(),
  })
  .superRefine((c, ctx) => {
    if (c.students === undefined && c.assignments.length === 0) {
      ctx.addIssue({ code: 'custom', path: ['students'], message: 'say how to recognise student repositories: `students` (prefix or topic) or `assignments`' });
    }
    const ids = c.assignments.map((a) => a.id);
    ids.forEach((id, i) => {
      if (ids.indexOf(id) !== i) ctx.addIssue({ code: 'custom', path: ['assignments', i, 'id'], message: `the assignment id \`${id}\` is used twice` });
    });
    c.assignments.forEach((a, i) => {
      const dues: [Due, (string | number)[]][] = a.due ? [[a.due, ['assignments', i, 'due']]] : (a.deliveries ?? []).map((d, j) => [d.due, ['assignments', i, 'deliveries', j, 'due']]);
      for (const [due, path] of dues) {
        if (typeof due !== 'string' && due.class > c.weeks) ctx.addIssue({ code: 'custom', path: [...path, 'class'], message: `the course has classes (weeks) 1–${c.weeks}` });
      }
    });
    for (const [i, b] of c.breaks.entries()) {
      if (b.to < b.from) ctx.addIssue({ code: 'custom', path: ['breaks', i, 'to'], message: 'ends before it starts' });
    }
    for (const week of Object.keys(c.deadlines.overrides)) {
      if (Number(week) < 1 || Number(week) > c.weeks) {
        ctx.addIssue({ code: 'custom', path: ['deadlines', 'overrides', week], message: `the course has weeks 1–${c.weeks}` });
      }
    }
  });

export type CourseConfig = z.output<typeof CourseConfigSchema>;

/**
 * The whole file: one course as above (today's file, unchanged), or several under
 * `courses:`, each with its own id, pack, students, calendar, TA team and locale.
 */
export const MultiCourseFileSchema = z
  .strictObject({ courses: z.array(CourseConfigSchema).min(1) })
  .superRefine((f, ctx) => {
    const ids = f.courses.map((c) => c.id);
    ids.forEach((id, i) => {
      if (ids.indexOf(id) !== i) ctx.addIssue({ code: 'custom', path: ['courses', i, 'id'], message: `the course id \`${id}\` is used twice: give each course its own \`id\`` });
    });
  });
export type CourseFile = z.output<typeof MultiCourseFileSchema>;

export type Weekday = (typeof WEEKDAYS)[number];
export { WEEKDAYS };
