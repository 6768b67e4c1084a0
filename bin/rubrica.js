#!/usr/bin/env node
// The CLI is TypeScript run by Node's type stripping (Node ≥ 22.18).
const { main } = await import('../src/cli/main.ts');
process.exitCode = await main(process.argv.slice(2), { stdout: process.stdout, stderr: process.stderr, env: process.env });
