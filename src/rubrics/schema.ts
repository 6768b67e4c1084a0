import { z } from 'zod';
import { LOCALES } from '../core/text.ts';
import { TextSchema } from '../core/schemas.ts';
import { SandboxLimitsSchema } from '../sandbox/limits.ts';

/**
 * `repository`: paths are the repository's. `python-project`: the grader finds the
 * project's folder (src/grading/project.ts) and judges paths from there.
 */
export const DeliverableSchema = z.enum(['repository', 'python-project']);
export const CRITERION_ID = /^[a-z0-9][a-z0-9-]*$/;
const ID = CRITERION_ID;

/** Which grading a final-grade part reads: a week, or an assignment (and delivery); optionally only some criteria. */
export const UnitSelectorSchema = z
  .strictObject({
    week: z.number().int().min(1).max(60).optional(),
    assignment: z.string().regex(ID).optional(),
    delivery: z.string().regex(ID).optional(),
    /** Only these criteria of it (by id); all of them when left out. */
    criteria: z.array(z.string().regex(ID)).min(1).optional(),
  })
  .refine((s) => (s.week === undefined) !== (s.assignment === undefined), { message: 'name either a `week` or an `assignment`' })
  .refine((s) => s.delivery === undefined || s.assignment !== undefined, { message: 'a `delivery` belongs to an `assignment`' });
export type UnitSelector = z.output<typeof UnitSelectorSchema>;

const FinalComponentSchema = z.strictObject({
  id: z.string().regex(ID),
  title: TextSchema,
  /** Relative weight (30 for 30 %): the weights need not add up to 100. */
  weight: z.number().positive(),
  /** The weeks, assignments or criteria whose points make it up. */
  from: z.array(UnitSelectorSchema).min(1),
});

const FinalLevelSchema = z.strictObject({
  id: z.string().regex(ID),
  title: TextSchema,
  /** The grades this level spans on the final scale (6–8 for AMq2's "local"). */
  grade: z.strictObject({ min: z.number(), max: z.number() }),
  /** The criteria (of the deciding grading) that show this level. */
  criteria: z.array(z.string().regex(ID)).min(1),
  /** Share of those criteria's points that reaches the level. */
  reach: z.number().min(0).max(1).default(0.6),
});

/** `final:` in pack.yaml: how the course's final grade is computed (src/grading/final-grade.ts). */
export const FinalGradeSchema = z
  .strictObject({
    scale: z
      .strictObject({ min: z.number().default(0), max: z.number(), decimals: z.number().int().min(0).max(2).default(1) })
      .refine((s) => s.max > s.min, { message: '`max` must be above `min`' }),
    /** The final grade that passes the course (6 on a 0–10 scale), if the course has one. */
    passGrade: z.number().optional(),
    /** Weighted components over weeks, assignments or criteria… */
    components: z.array(FinalComponentSchema).min(1).optional(),
    /** …or levels, decided by one grading. */
    levels: z
      .strictObject({
        from: UnitSelectorSchema.refine((s) => s.criteria === undefined, { message: 'levels name their criteria themselves' }),
        list: z.array(FinalLevelSchema).min(1),
      })
      .optional(),
  })
  .superRefine((f, ctx) => {
    if ((f.components === undefined) === (f.levels === undefined)) {
      ctx.addIssue({ code: 'custom', message: 'give either `components` (weighted) or `levels`' });
    }
    const inScale = (n: number) => n >= f.scale.min && n <= f.scale.max;
    if (f.passGrade !== undefined && !inScale(f.passGrade)) ctx.addIssue({ code: 'custom', path: ['passGrade'], message: `is outside the scale ${f.scale.min}–${f.scale.max}` });
    let below = f.scale.min;
    for (const [i, level] of (f.levels?.list ?? []).entries()) {
      if (!inScale(level.grade.min) || !inScale(level.grade.max) || level.grade.max < level.grade.min) {
        ctx.addIssue({ code: 'custom', path: ['levels', 'list', i, 'grade'], message: `must lie within the scale ${f.scale.min}–${f.scale.max}, min ≤ max` });
      } else if (level.grade.min < below) {
        ctx.addIssue({ code: 'custom', path: ['levels', 'list', i, 'grade'], message: 'levels go from the lowest to the highest: this one starts below the one before' });
      }
      below = level.grade.max;
    }
    for (const [key, list] of [['components', f.components ?? []], ['levels.list', f.levels?.list ?? []]] as const) {
      const ids = list.map((x) => x.id);
      const twice = ids.find((id, i) => ids.indexOf(id) !== i);
      if (twice) ctx.addIssue({ code: 'custom', path: key.split('.'), message: `the id \`${twice}\` is used twice` });
    }
  });
export type FinalGradeSpec = z.output<typeof FinalGradeSchema>;

/** `pack.yaml`: what the whole course shares. */
export const PackFileSchema = z.strictObject({
  title: TextSchema,
  description: TextSchema.optional(),
  locale: z.enum(LOCALES).default('es'),
  runner: z.strictObject({
    /** Docker image every check of the pack runs in; `RUBRICA_RUNNER_IMAGE` overrides it. */
    image: z.string().min(1),
    /** Any of the sandbox limits; the rest keep their defaults. */
    limits: SandboxLimitsSchema.partial().default({}),
  }),
  /** Points of a full week; every week's criteria add up to it. */
  scale: z.number().int().positive().default(100),
  /** Share of the scale that passes (0..1), e.g. 0.6. */
  passMark: z.number().min(0).max(1).default(0.6),
  /** What the weeks deliver (a week file may say otherwise): `python-project` grades paths from the project's folder. */
  deliverable: DeliverableSchema.default('repository'),
  /** How the course's final grade is computed; without it there is none. */
  final: FinalGradeSchema.optional(),
});
export type PackFile = z.output<typeof PackFileSchema>;

/**
 * The course module or reading that teaches a criterion, shown next to its advice:
 * a title (one text, or one per language) and optionally a web address (https only,
 * no spaces or brackets, so it renders as a plain link).
 */
export const ReadingSchema = z.strictObject({
  title: z.union([z.string().min(1), TextSchema]),
  url: z
    .string()
    .regex(/^https:\/\/[^\s<>()[\]`"']+$/, 'write an https:// address without spaces, brackets or quotes')
    .optional(),
});

/** A criterion as written; `check` is validated against its kind's own schema afterwards. */
export const CriterionSchema = z.strictObject({
  id: z.string().regex(CRITERION_ID, 'use lowercase letters, digits and dashes (e.g. readme-sections)'),
  title: TextSchema,
  points: z.number().positive().multipleOf(0.5),
  check: z.looseObject({ kind: z.string().min(1) }),
  /** What a student who misses it should do, not only what is wrong. */
  feedback: TextSchema,
  /** Where the course teaches it, e.g. "Módulo 05: DVC.md". */
  reading: ReadingSchema.optional(),
  /**
   * The tool a TA would run (Docker, Trivy, DVC, MLflow, Airflow) is not in the runner
   * image, so the check reads the files it would use; the result says so.
   */
  judgedFromArtifacts: z.strictObject({ tool: z.string().min(1).max(40) }).optional(),
  /** Scored later by a TA; the automatic grade leaves its points pending. */
  manual: z.boolean().default(false),
  /** `after-deadline`: the result is recorded now and shown to the student after the deadline. */
  visibility: z.enum(['always', 'after-deadline']).default('always'),
});

/** `week-NN.yaml`. */
export const WeekFileSchema = z.strictObject({
  week: z.number().int().min(1).max(60),
  title: TextSchema,
  /** One line a student reads above the results: what this week asks for. */
  summary: TextSchema.optional(),
  /** Overrides the pack's `deliverable` for this week. */
  deliverable: DeliverableSchema.optional(),
  criteria: z.array(CriterionSchema).min(1),
});
export type WeekFile = z.output<typeof WeekFileSchema>;

/** `assignment-ID.yaml`: the rubric of an assignment (or of one of its deliveries), next to the week files. */
export const AssignmentFileSchema = z.strictObject({
  assignment: z.string().regex(CRITERION_ID, 'use lowercase letters, digits and dashes (e.g. final)'),
  title: TextSchema,
  summary: TextSchema.optional(),
  /** Overrides the pack's `deliverable` for this assignment. */
  deliverable: DeliverableSchema.optional(),
  criteria: z.array(CriterionSchema).min(1),
});
export type AssignmentFile = z.output<typeof AssignmentFileSchema>;
