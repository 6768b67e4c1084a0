import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.ts';
import { grade, type Grade } from '../../src/grading/grade.ts';
import { loadPack, type Pack } from '../../src/rubrics/load.ts';
import { DockerSandboxProvider } from '../../src/sandbox/sandbox.ts';
import { directorySnapshot } from '../../src/sandbox/snapshot.ts';
import { containersLeft } from '../helpers/containers.ts';
import { gitRepo, tempDir } from '../fixtures/repos.ts';

const GREETER = fileURLToPath(new URL('../fixtures/classroom/greeter/', import.meta.url));
const TEST_HELLO = `import subprocess
import unittest


class HelloTest(unittest.TestCase):
    def test_greets(self):
        out = subprocess.run(["python3", "hello.py"], input="Bo", capture_output=True, text=True).stdout
        self.assertIn("Hello Bo", out)
`;

/**
 * What GitHub Classroom's runner (education/autograding src/runner.ts) gives each test of the
 * greeter template, and why, for two submissions. Classroom: exit code 0 first, then stdout
 * (not stderr) after CRLF→LF and trim() of both ends, compared whole (exact), as a substring
 * (included) or with `new RegExp(output)` (regex); all of a test's points or none.
 */
const CLASSROOM = {
  // Prints with CRLF line ends and trailing blank lines: Classroom normalised both away.
  good: {
    files: {
      'hello.py': 'import sys\nname = sys.stdin.read()\nsys.stdout.write("What is your name?\\r\\nHello " + name + "\\r\\n\\r\\n")\nprint("debug: greeted", file=sys.stderr)\n',
      'words.py': 'import sys\nprint(len(sys.stdin.read().split()))\n',
      'requirements.txt': '',
      'test_hello.py': TEST_HELLO,
    },
    scores: {
      'greets-exactly': 4, // "What is your name?\nHello Ada" after normalising
      'greets-included': 3,
      'greets-regex': 2, // "Hello Linus" at the (trimmed) end
      compiles: 1,
      'counts-words': 2,
      'installs-and-compiles': 2, // its pip setup is dropped; py_compile passes
      'unit-tests': 2,
    },
  },
  // A space before the inner newline, a lower-case greeting, the count on stderr, and the
  // test file edited to pass: Classroom ran the student's copy too.
  poor: {
    files: {
      'hello.py': 'import sys\nname = sys.stdin.read()\nprint("What is your name? ")\nprint("hello " + name)\n',
      'words.py': 'import sys\nprint(len(sys.stdin.read().split()), file=sys.stderr)\n',
      'requirements.txt': '',
      'test_hello.py': 'import unittest\n\n\nclass HelloTest(unittest.TestCase):\n    def test_greets(self):\n        pass\n',
    },
    scores: {
      'greets-exactly': 0, // the inner "? \n" is not trimmed
      'greets-included': 0, // "hello Grace" does not include "Hello Grace"
      'greets-regex': 0, // no flags: case matters
      compiles: 1,
      'counts-words': 0, // stdout is empty: stderr is not compared
      'installs-and-compiles': 2,
      'unit-tests': 2, // the edited test passes, as it did in Classroom
    },
  },
} as const;

const provider = new DockerSandboxProvider();
let pack: Pack;

beforeAll(async () => {
  const out = await tempDir('classroom-pack');
  let err = '';
  const code = await main(['import', 'classroom', GREETER, '--out', out, '--pack', 'greeter'], {
    stdout: { write: () => true },
    stderr: { write: (s: string) => (err += s) },
    env: {},
  });
  expect(err).toBe('');
  expect(code).toBe(0);
  pack = await loadPack(join(out, 'greeter'));
});

afterAll(async () => {
  expect(await containersLeft(provider, 'classroom-')).toEqual([]);
});

async function gradeSubmission(name: keyof typeof CLASSROOM): Promise<Grade> {
  const dir = await gitRepo([{ message: 'solution', files: CLASSROOM[name].files }], `classroom-${name}`);
  return grade({ pack, week: pack.weeks.get(1)!, source: directorySnapshot(dir), jobId: `classroom-${name}` }, provider);
}

it('`rubrica check --pack DIR` grades with the imported pack', async () => {
  const dir = await gitRepo([{ message: 'solution', files: CLASSROOM.poor.files }], 'classroom-cli');
  let out = '';
  const code = await main(['check', '--pack', pack.dir, '--week', '1', '--json', dir], {
    stdout: { write: (s: string) => (out += s) },
    stderr: { write: () => true },
    env: {},
    provider,
  });
  expect(code).toBe(0);
  const report = JSON.parse(out) as { score: number; criteria: { id: string; score: number }[] };
  expect(Object.fromEntries(report.criteria.map((c) => [c.id, c.score]))).toEqual(CLASSROOM.poor.scores);
});

describe('an imported Classroom assignment, graded in real containers', () => {
  for (const name of ['good', 'poor'] as const) {
    it(`scores the ${name} submission as Classroom did, test by test`, async () => {
      const result = await gradeSubmission(name);
      const scores = Object.fromEntries(result.criteria.map((c) => [c.id, c.score]));
      expect(scores).toEqual(CLASSROOM[name].scores);
      expect(result.score).toBe(Object.values(CLASSROOM[name].scores as Record<string, number>).reduce((a, b) => a + b, 0));
      expect(result.criteria.every((c) => c.status !== 'error')).toBe(true);
      if (name === 'poor') {
        const words = result.criteria.find((c) => c.id === 'counts-words')!;
        expect(words.message.en).toContain('Expected: the output is exactly `3` with the given input');
        // The stderr line is in the details, and the compared stdout is shown empty.
        expect(words.details).toMatch(/--- stdout \(compared\) ---\n\(empty\)/);
      }
    });
  }
});
