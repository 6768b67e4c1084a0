import { z } from 'zod';
import type { CommandRequest, GradingRequest } from '../events/requests.ts';

/**
 * Each job kind's payload, checked at the store's boundary: when a job is recorded
 * and when a worker reads it back (a row written by an older version, or by hand,
 * fails loudly there rather than deep inside a job).
 */
const base = {
  deliveryId: z.string().min(1),
  installationId: z.number().int(),
  owner: z.string().min(1),
  repo: z.string().min(1),
  repoId: z.number().int(),
  topics: z.array(z.string()),
  sha: z.string(),
  deliveredAt: z.string().min(1),
};

export const GradingPayload = z.object({
  ...base,
  trigger: z.enum(['push', 'pull_request', 'rerun']),
  // Who opened it and whether its head is in a fork decide whether it is the student's hand-in.
  pullRequest: z.object({ number: z.number().int(), author: z.string().optional(), fork: z.boolean().optional() }).optional(),
  /** The grading unit's key (src/course/unit.ts), when the request names one. */
  unit: z.string().min(1).optional(),
  checkRunId: z.number().int().optional(),
  // A regrade's job: what it makes is held for the instructor's decision (src/store/regrades.ts).
  hold: z.string().min(1).optional(),
});

/** A commit whose waiting job was superseded and whose check run says so. */
export const SupersedeNoticePayload = GradingPayload.extend({ supersededBy: z.string().min(1), checkRunId: z.number().int() });

export const CommandPayload = z.object({
  ...base,
  trigger: z.literal('command'),
  pullRequest: z.object({ number: z.number().int() }),
  action: z.enum(['created', 'edited', 'deleted']),
  comment: z.object({ id: z.number().int(), body: z.string(), author: z.string(), createdAt: z.string() }),
  sender: z.string(),
});

export type SupersedeNotice = GradingRequest & { readonly supersededBy: string; readonly checkRunId: number };

/** A job's payload by kind. */
export type JobPayload =
  | { readonly kind: 'grade'; readonly request: GradingRequest }
  | { readonly kind: 'supersede-notice'; readonly request: SupersedeNotice }
  | { readonly kind: 'ta-command'; readonly request: CommandRequest };

const SCHEMAS = { grade: GradingPayload, 'supersede-notice': SupersedeNoticePayload, 'ta-command': CommandPayload } as const;

/** Checks a payload against its kind's schema (throws a ZodError naming the field). */
export function payloadOf(kind: 'grade', raw: unknown): GradingRequest;
export function payloadOf(kind: 'supersede-notice', raw: unknown): SupersedeNotice;
export function payloadOf(kind: 'ta-command', raw: unknown): CommandRequest;
export function payloadOf(kind: JobPayload['kind'], raw: unknown): JobPayload['request'];
export function payloadOf(kind: JobPayload['kind'], raw: unknown): JobPayload['request'] {
  const schema = SCHEMAS[kind];
  if (!schema) throw new Error(`unknown job kind ${String(kind)}`);
  return schema.parse(withUnit(raw)) as JobPayload['request'];
}

/** A job recorded before grading units names its week (`week: 3`): read as the unit `week-3`. */
function withUnit(raw: unknown): unknown {
  if (typeof raw !== 'object' || raw === null || 'unit' in raw || !('week' in raw) || typeof raw.week !== 'number') return raw;
  const { week, ...rest } = raw;
  return { ...rest, unit: `week-${week}` };
}
