#!/usr/bin/env node
// The CLI (`npx rubrica`): TypeScript run by Node's type stripping.
import { requireSupportedNode } from './supported-node.js';

requireSupportedNode('rubrica');
// A reader that stops early (`rubrica pack validate | head`) is not an error.
process.stdout.on('error', (error) => {
  if (error.code === 'EPIPE') process.exit(process.exitCode ?? 0);
  throw error;
});
const { main } = await import('../src/cli/main.ts');
const code = await main(process.argv.slice(2), { stdout: process.stdout, stderr: process.stderr, env: process.env });
// Exit now: a grading cut short by Ctrl-C leaves timers that would hold the process open.
process.exit(code);
