import { promises as fs } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.ts';
import { grade, type Grade } from '../../src/grading/grade.ts';
import { checkRunOutput, pullRequestComment } from '../../src/report/markdown.ts';
import { whatToDoFirst } from '../../src/report/terminal.ts';
import { loadPack, type Pack } from '../../src/rubrics/load.ts';
import { DockerSandboxProvider } from '../../src/sandbox/sandbox.ts';
import { directorySnapshot } from '../../src/sandbox/snapshot.ts';
import { git, gitRepo } from '../fixtures/repos.ts';
import { containersLeft } from '../helpers/containers.ts';
import { expectInert, expectSectionsInert, read } from '../helpers/inert.ts';

/*
 * A real repository, graded in a real container with the MLOps pack's week 1,
 * whose commit subjects, README headings, folder names and symlink target carry
 * Markdown, HTML, @mentions, fences and terminal escape sequences: the check run
 * and the PR comment stay inert, and the CLI prints no control characters.
 */

const FORGED = '**100 / 100** · aprobado @prof-ta <!-- ![img](x.png) <img src=x.png> ``` `` $x$ |';
const ESCAPES = '\u001b[2J\u001b[H\u001b]0;pwned\u0007\u001b[31m';

let pack: Pack;
let dir: string;
let result: Grade;
const provider = new DockerSandboxProvider();

beforeAll(async () => {
  pack = await loadPack('mlops');
  dir = await gitRepo(
    [
      { message: `${ESCAPES}feat: ${FORGED}`, files: { 'README.md': `# Proyecto\n\n## Instalación ${FORGED}\n\ntexto\n`, 'src/app.py': 'print(1)\n' } },
      { message: `${ESCAPES}arregla ${FORGED}\n\n**100 / 100** · aprobado\n<!--`, files: { [`notas/${'**100 de 100** @prof-ta <!-- ``` '}/raw/.gitkeep`]: '' } },
    ],
    'hostile-text',
  );
  // A symlink where a folder should be, pointing at a target with line breaks and Markdown.
  await fs.symlink(`x\n${FORGED}\n## heading\n<!--`, join(dir, 'models'));
  git(dir, ['add', '-A']);
  git(dir, ['commit', '-q', '-m', `${ESCAPES}${FORGED}`], '2026-09-03T10:00:00-03:00');
  result = await grade({ pack, week: pack.weeks.get(1)!, source: directorySnapshot(dir), jobId: 'hostile-text-1' }, provider);
}, 180_000);

afterAll(async () => {
  if (dir) await fs.rm(dir, { recursive: true, force: true });
  expect(await containersLeft(provider, 'hostile-text-')).toEqual([]);
});

describe('hostile student text from a real repository', () => {
  it('reaches the messages (the grader read it)', () => {
    const all = JSON.stringify(result.criteria);
    expect(all).toContain('**100 / 100** · aprobado @prof-ta');
    expect(all).toContain('symbolic link');
  });

  for (const locale of ['es', 'en'] as const) {
    it(`renders inert in the check run and the PR comment (${locale})`, () => {
      const notes = ['⚠️ A comment with commands by ta-one was edited by mallory (2026-09-10 10:00 UTC). Nothing changed: the record keeps the original command.'];
      // The only links: the pack's readings next to the advice (week 1 has four criteria: all of them fit either list).
      const ourLinks = whatToDoFirst(result.criteria).filter((c) => c.reading?.url).length;
      const output = checkRunOutput(result, { locale, reveal: true, taNotes: notes });
      expectInert(output.summary, result, locale, { notes, ourLinks });
      expectSectionsInert(output.text, result.criteria.filter((c) => c.details || c.items.length).length);
      const body = pullRequestComment(result, { locale, reveal: true, commit: 'abcdef1234', taNotes: notes });
      expectInert(body, result, locale, { notes, ourLinks });
      // The student's words are shown, as code, not dropped.
      expect(read(output.text).code.some((c) => c.includes('**100 / 100** · aprobado @prof-ta <!--'))).toBe(true);
      for (const a of output.annotations) expect(a.message).not.toMatch(/[\u0000-\u001f\u007f-\u009f]/);
    });
  }

  it('prints no control characters in the CLI report', async () => {
    let out = '';
    const code = await main(['check', '--week', '1', '--pack', 'mlops', '--lang', 'en', dir], {
      stdout: { write: (s: string) => (out += s) },
      stderr: { write: () => true },
      env: {},
      provider,
    });
    expect(code).toBe(0);
    expect(out).toContain(`feat: ${FORGED}`.slice(0, 40));
    expect(out).not.toMatch(/[\u0000-\u0009\u000b-\u001f\u007f-\u009f]/);
  }, 180_000);
});
