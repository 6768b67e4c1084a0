import { z } from 'zod';
import { LOCALES } from '../core/text.ts';
import { TextSchema } from '../core/schemas.ts';
import { SandboxLimitsSchema } from '../sandbox/limits.ts';

/**
 * `repository`: paths are the repository's. `python-project`: the grader finds the
 * project's folder (src/grading/project.ts) and judges paths from there.
 */
export const DeliverableSchema = z.enum(['repository', 'python-project']);

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
});
export type PackFile = z.output<typeof PackFileSchema>;

export const CRITERION_ID = /^[a-z0-9][a-z0-9-]*$/;

/** A criterion as written; `check` is validated against its kind's own schema afterwards. */
export const CriterionSchema = z.strictObject({
  id: z.string().regex(CRITERION_ID, 'use lowercase letters, digits and dashes (e.g. readme-sections)'),
  title: TextSchema,
  points: z.number().positive().multipleOf(0.5),
  check: z.looseObject({ kind: z.string().min(1) }),
  /** What a student who misses it should do, not only what is wrong. */
  feedback: TextSchema,
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
