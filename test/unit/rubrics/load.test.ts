import { promises as fs } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadPack, PackNotFoundError } from '../../../src/rubrics/load.ts';
import { RubricError } from '../../../src/rubrics/problems.ts';

const PACK = `title: { es: Curso de prueba, en: Test course }
runner: { image: example/runner:1 }
`;

const WEEK = `week: 1
title: { es: Estructura, en: Structure }
criteria:
  - id: readme
    title: { es: README, en: README }
    points: 60
    check:
      kind: files
      require:
        - glob: README.md
    feedback: { es: Crea un README.md en la raíz., en: Create a README.md at the root. }
  - id: video
    title: { es: Video, en: Video }
    points: 40
    manual: true
    check:
      kind: manual
      instructions: { es: Mira el video., en: Watch the video. }
    feedback: { es: Graba un video corto., en: Record a short video. }
`;

async function packDir(files: Record<string, string>): Promise<string> {
  const dir = await fs.mkdtemp(join(tmpdir(), 'rubrica-pack-'));
  for (const [name, text] of Object.entries(files)) await fs.writeFile(join(dir, name), text);
  return dir;
}

async function problemsOf(files: Record<string, string>) {
  const dir = await packDir(files);
  const error = await loadPack(dir).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(RubricError);
  return (error as RubricError).problems;
}

describe('loadPack', () => {
  it("gives each week the pack's deliverable unless its file names its own, and refuses an unknown one", async () => {
    const week2 = WEEK.replace('week: 1', 'week: 2');
    const plain = await loadPack(await packDir({ 'pack.yaml': PACK, 'week-01.yaml': WEEK }));
    expect(plain.weeks.get(1)!.deliverable).toBe('repository');
    const project = await loadPack(
      await packDir({
        'pack.yaml': `${PACK}deliverable: python-project\n`,
        'week-01.yaml': WEEK.replace('criteria:', 'deliverable: repository\ncriteria:'),
        'week-02.yaml': week2,
      }),
    );
    expect([project.weeks.get(1)!.deliverable, project.weeks.get(2)!.deliverable]).toEqual(['repository', 'python-project']);
    const problems = await problemsOf({ 'pack.yaml': `${PACK}deliverable: notebook\n`, 'week-01.yaml': WEEK });
    expect(problems.map((p) => p.field)).toEqual(['deliverable']);
  });

  it('loads a valid pack with the checks parsed by their own schemas', async () => {
    const dir = await packDir({ 'pack.yaml': PACK, 'week-01.yaml': WEEK });
    const pack = await loadPack(dir);
    expect(pack.scale).toBe(100);
    expect(pack.passMark).toBe(0.6);
    expect(pack.runner.limits.memoryMb).toBe(1024);
    const week = pack.weeks.get(1)!;
    expect(week.criteria.map((c) => [c.id, c.kind, c.points, c.manual])).toEqual([
      ['readme', 'files', 60, false],
      ['video', 'manual', 40, true],
    ]);
    // Defaults of the files check were filled in.
    expect(week.criteria[0]!.params).toMatchObject({ require: [{ glob: 'README.md', min: 1 }] });
    expect(pack.hash).toMatch(/^[0-9a-f]{64}$/);
  });

  it('changes the hash when a rubric changes', async () => {
    const a = await loadPack(await packDir({ 'pack.yaml': PACK, 'week-01.yaml': WEEK }));
    const b = await loadPack(await packDir({ 'pack.yaml': PACK, 'week-01.yaml': WEEK.replace('Mira el video.', 'Mira el video entero.') }));
    expect(a.hash).not.toBe(b.hash);
  });

  it('names the file, line and field of a misspelt key, with a suggestion', async () => {
    const problems = await problemsOf({ 'pack.yaml': PACK, 'week-01.yaml': WEEK.replace('    points: 60', '    pionts: 60') });
    const typo = problems.find((p) => p.message.includes('pionts'))!;
    expect(typo.file).toMatch(/week-01\.yaml$/);
    expect(typo.line).toBe(6);
    expect(typo.message).toContain('did you mean `points`');
    expect(problems.some((p) => p.field === 'criteria[0].points' && p.message.includes('required'))).toBe(true);
  });

  it("locates an error inside a check's parameters", async () => {
    const problems = await problemsOf({ 'pack.yaml': PACK, 'week-01.yaml': WEEK.replace('kind: files\n      require:', 'kind: files\n      requires:') });
    const p = problems.find((x) => x.message.includes('requires'))!;
    expect(p.line).toBe(9);
    expect(p.message).toContain('did you mean `require`');
  });

  it('refuses an unknown check kind and lists the known ones', async () => {
    const problems = await problemsOf({ 'pack.yaml': PACK, 'week-01.yaml': WEEK.replace('kind: files', 'kind: filez') });
    expect(problems[0]).toMatchObject({ field: 'criteria[0].check.kind', line: 8 });
    expect(problems[0]!.message).toContain('`files`');
  });

  it('refuses points that do not add up to the scale', async () => {
    const problems = await problemsOf({ 'pack.yaml': PACK, 'week-01.yaml': WEEK.replace('points: 40', 'points: 30') });
    expect(problems[0]!.message).toContain('add up to 90');
  });

  it('refuses broken YAML with its line', async () => {
    const problems = await problemsOf({ 'pack.yaml': PACK, 'week-01.yaml': WEEK.replace('  - id: video', '  - id: video\n   bad: [') });
    expect(problems[0]!.message).toContain('not valid YAML');
    expect(problems[0]!.line).toBeGreaterThanOrEqual(12);
  });

  it('refuses duplicate ids, a week number that disagrees with the file name, and a manual check without manual: true', async () => {
    const dup = await problemsOf({ 'pack.yaml': PACK, 'week-01.yaml': WEEK.replace('id: video', 'id: readme') });
    expect(dup[0]!.message).toContain('used twice');
    const misnamed = await problemsOf({ 'pack.yaml': PACK, 'week-02.yaml': WEEK });
    expect(misnamed[0]!.message).toContain('file name says week 2');
    const manual = await problemsOf({ 'pack.yaml': PACK, 'week-01.yaml': WEEK.replace('    manual: true\n', '') });
    expect(manual[0]!.message).toContain('manual: true');
  });

  it("refuses a command whose timeout exceeds the pack's per-check limit", async () => {
    const command = WEEK.replace(
      'kind: files\n      require:\n        - glob: README.md',
      'kind: command\n      run: python3 -m pytest\n      timeout: 300',
    );
    const problems = await problemsOf({ 'pack.yaml': PACK, 'week-01.yaml': command });
    expect(problems[0]).toMatchObject({ field: 'criteria[0].check.timeout' });
    expect(problems[0]!.message).toContain('300 s is over the pack');
    const raised = await loadPack(await packDir({ 'pack.yaml': PACK.replace('image: example/runner:1', 'image: example/runner:1, limits: { checkTimeoutSeconds: 300 }'), 'week-01.yaml': command }));
    expect(raised.runner.limits.checkTimeoutSeconds).toBe(300);
  });

  it('refuses a missing week in the sequence', async () => {
    const problems = await problemsOf({ 'pack.yaml': PACK, 'week-01.yaml': WEEK, 'week-03.yaml': WEEK.replace('week: 1', 'week: 3') });
    expect(problems[0]!.message).toContain('week 2 is missing');
  });

  it('reports a missing pack with the available ones', async () => {
    await expect(loadPack('no-such-pack')).rejects.toBeInstanceOf(PackNotFoundError);
    await expect(loadPack('../etc')).rejects.toBeInstanceOf(PackNotFoundError);
  });
});
