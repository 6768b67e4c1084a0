import { z } from 'zod';

/** A sentence in every supported locale. */
export const TextSchema = z.strictObject({
  es: z.string().min(1, 'write the Spanish text'),
  en: z.string().min(1, 'write the English text'),
});

/** One glob or a list of them; any of them may match. */
export const GlobsSchema = z.union([z.string().min(1), z.array(z.string().min(1)).min(1)]);
export type Globs = z.infer<typeof GlobsSchema>;

export function globList(globs: Globs): string[] {
  return typeof globs === 'string' ? [globs] : [...globs];
}

/** A JavaScript regular expression, refused at load when it does not compile. */
export const RegexSchema = z.string().min(1).refine(
  (source) => {
    try {
      new RegExp(source, 'u');
      return true;
    } catch {
      return false;
    }
  },
  { message: 'is not a valid regular expression' },
);
