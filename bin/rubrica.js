#!/usr/bin/env node
// The CLI. In a clone it is the TypeScript in src/, run by Node's type stripping; an
// installed package has no src/ but dist/ (built by `npm pack`): Node does not strip
// types under node_modules.
import { existsSync } from 'node:fs';
import { requireSupportedNode } from './supported-node.js';

requireSupportedNode('rubrica');
// A reader that stops early (`rubrica pack validate | head`) is not an error.
process.stdout.on('error', (error) => {
  if (error.code === 'EPIPE') process.exit(process.exitCode ?? 0);
  throw error;
});
const fromSource = existsSync(new URL('../src/cli/main.ts', import.meta.url));
const { main } = await import(fromSource ? '../src/cli/main.ts' : '../dist/cli/main.js');
const code = await main(process.argv.slice(2), { stdout: process.stdout, stderr: process.stderr, env: process.env });
// Exit now: a grading cut short by Ctrl-C leaves timers that would hold the process open.
process.exit(code);
