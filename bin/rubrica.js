#!/usr/bin/env node
// The CLI is TypeScript run by Node's type stripping (Node ≥ 22.18).
// A reader that stops early (`rubrica pack validate | head`) is not an error.
process.stdout.on('error', (error) => {
  if (error.code === 'EPIPE') process.exit(process.exitCode ?? 0);
  throw error;
});
const { main } = await import('../src/cli/main.ts');
process.exitCode = await main(process.argv.slice(2), { stdout: process.stdout, stderr: process.stderr, env: process.env });
