import ignore from 'ignore';
import { describe, expect, it } from 'vitest';
import { gitignoreCheck, type GitignoreParams } from '../../../src/checks/gitignore.ts';
import { segments, type Text } from '../../../src/core/text.ts';
import { exampleFiles } from '../../../src/rubrics/example.ts';
import { listPacks, loadPack, type Week } from '../../../src/rubrics/load.ts';
import { evidence } from '../../helpers/evidence.ts';

/**
 * Advice across a week's criteria must not contradict itself: a student who follows the
 * .gitignore advice of one criterion must not lose another (issue 17: `data/` ignored the
 * `data/raw/.gitkeep` the folder structure asks to commit, and git refused to add it).
 * Every .gitignore line any criterion suggests, added to the model solution's own
 * .gitignore, must leave every file of the model solution, and every folder a criterion
 * requires, committable.
 */

/** The values a message shows as code: the .gitignore lines it suggests. */
function literals(text: string): string[] {
  return segments(text).filter((s) => s.literal).map((s) => s.text);
}

/** Code spans of rubric prose (`…` pairs). */
function codeSpans(text: string): string[] {
  return [...text.matchAll(/`([^`]+)`/g)].map((m) => m[1]!);
}

/** A code span that is a .gitignore line (no spaces, not the file itself or a template's name). */
function isRule(span: string): boolean {
  return !/\s/.test(span) && !span.endsWith('.gitignore');
}

/** Every .gitignore line the criteria of a rubric (a week's or an assignment's) suggest, with the criterion that suggests it. */
function suggestedLines(rubric: Week): { line: string; from: string }[] {
  const out: { line: string; from: string }[] = [];
  const add = (from: string, lines: readonly string[]) => out.push(...lines.map((line) => ({ line, from })));
  for (const criterion of rubric.criteria) {
    const advice: Text = criterion.feedback;
    for (const text of [advice.es, advice.en]) {
      if (criterion.kind === 'gitignore') add(`${criterion.id} (feedback)`, codeSpans(text).filter(isRule));
      // Elsewhere, only what a sentence puts in .gitignore: "`mlruns/**/artifacts/` en `.gitignore`".
      else add(`${criterion.id} (feedback)`, [...text.matchAll(/`([^`\s]+)` (?:en|in|a|to) (?:tu |your )?`\.gitignore`/g)].map((m) => m[1]!));
    }
    if (criterion.kind !== 'gitignore') continue;
    const params = criterion.params as GitignoreParams;
    // With no .gitignore: the starter lines; with an empty one: a line per kind of file it lacks.
    const none = gitignoreCheck.evaluate(params, evidence({}));
    const empty = gitignoreCheck.evaluate(params, evidence({ files: { '.gitignore': '' } }));
    for (const outcome of [none, empty]) {
      add(`${criterion.id} (check)`, literals(outcome.message.en));
      for (const item of outcome.items ?? []) if (item.note) add(`${criterion.id} (check)`, literals(item.note.en).slice(1));
    }
  }
  return out;
}

/** Folders a files criterion requires by exact name: a beginner keeps them with a `.gitkeep`. */
function requiredFolders(rubric: Week): string[] {
  return rubric.criteria.filter((c) => c.kind === 'files')
    .flatMap((c) => (c.params as { require: { glob: string | string[]; type: string }[] }).require)
    .filter((r) => r.type === 'dir')
    .flatMap((r) => (Array.isArray(r.glob) ? r.glob : [r.glob]))
    .filter((g) => !/[*?[{]/.test(g));
}

const PACKS = await listPacks();

describe.each(PACKS)('pack %s: advice does not contradict itself', async (name) => {
  const pack = await loadPack(name);
  const files = await exampleFiles(pack);
  const modelIgnore = files['.gitignore']?.toString('utf8') ?? '';

  // Every rubric: the weeks, and the assignments of a pack graded by assignment.
  const rubrics = [...pack.weeks.values(), ...pack.assignments.values()];
  it.each(rubrics.map((r) => [r.unit, r] as const))('%s: the .gitignore lines suggested keep the model solution and the required folders committable', (_unit, rubric) => {
    const lines = suggestedLines(rubric);
    const kept = rubric.criteria.filter((c) => c.kind === 'gitignore').flatMap((c) => (c.params as GitignoreParams).kept);
    const paths = [...Object.keys(files), ...requiredFolders(rubric).map((d) => `${d}/.gitkeep`), ...kept];
    const broken = lines.flatMap(({ line, from }) => {
      const ig = ignore().add(modelIgnore).add(line);
      return paths.filter((p) => ig.ignores(p)).map((p) => `${from}: \`${line}\` ignores ${p}`);
    });
    expect(broken).toEqual([]);
    // All the advice at once, too (a negation in one line cannot rescue what another ignores).
    const all = ignore().add(modelIgnore).add(lines.map((l) => l.line));
    expect(paths.filter((p) => all.ignores(p))).toEqual([]);
  });
});

describe('the MLOps pack\'s week 1', async () => {
  const pack = await loadPack('mlops');

  it('week 1 really suggests lines (the test above is not vacuous), and none ignores data/ whole', () => {
    const lines = suggestedLines(pack.weeks.get(1)!).map((l) => l.line);
    expect(lines).toEqual(expect.arrayContaining(['.venv/', '.env', 'data/processed/']));
    expect(lines).not.toContain('data/');
    expect(ignore().add('data/').ignores('data/raw/.gitkeep')).toBe(true);
  });
});
