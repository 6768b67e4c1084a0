import type { CheckKind } from './types.ts';
import { filesCheck } from './files.ts';
import { contentCheck } from './content.ts';
import { commitsCheck } from './commits.ts';
import { markdownCheck } from './markdown.ts';
import { gitignoreCheck } from './gitignore.ts';
import { structuredCheck } from './structured.ts';
import { dockerfileCheck } from './dockerfile.ts';
import { commandCheck } from './command.ts';
import { ioCheck } from './io.ts';
import { pytestTestsCheck } from './pytest-tests.ts';
import { manualCheck } from './manual.ts';
import { mypyCheck } from './mypy.ts';
import { httpCheck } from './http.ts';
import { unittestCheck } from './unittest.ts';

/** Every check kind a rubric may name, by its `kind`. */
export const CHECK_KINDS: ReadonlyMap<string, CheckKind<any>> = new Map(
  [
    filesCheck,
    contentCheck,
    commitsCheck,
    markdownCheck,
    gitignoreCheck,
    structuredCheck,
    dockerfileCheck,
    commandCheck,
    ioCheck,
    pytestTestsCheck,
    manualCheck,
    mypyCheck,
    httpCheck,
    unittestCheck,
  ].map((k) => [k.kind, k as CheckKind<any>]),
);
