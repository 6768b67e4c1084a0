import { z } from 'zod';
import { TextSchema } from '../core/schemas.ts';
import { defineCheck } from './types.ts';

const ManualParams = z.strictObject({
  /** What the TA looks at and how they score it. */
  instructions: TextSchema,
});
type ManualParams = z.output<typeof ManualParams>;

/** Scored by a TA: the automatic grade leaves its points pending and shows what will be reviewed. */
export const manualCheck = defineCheck<ManualParams>({
  kind: 'manual',
  params: ManualParams,
  requirements: () => ({}),
  evaluate: (params) => ({ fraction: 0, message: params.instructions }),
});
