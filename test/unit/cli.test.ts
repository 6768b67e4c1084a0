import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.ts';
import type { SandboxProvider } from '../../src/sandbox/sandbox.ts';

const HOSTILE_PACK = fileURLToPath(new URL('../fixtures/packs/hostile/', import.meta.url));

/** These paths must fail before any container is asked for. */
const noSandbox: SandboxProvider = {
  open: () => Promise.reject(new Error('the CLI should not have opened a sandbox')),
};

async function run(args: string[]) {
  let out = '';
  let err = '';
  const code = await main(args, {
    stdout: { write: (s: string) => (out += s) },
    stderr: { write: (s: string) => (err += s) },
    env: {},
    provider: noSandbox,
  });
  return { code, out, err };
}

describe('rubrica CLI arguments', () => {
  it('refuses a missing --week, a non-number week and an unknown week', async () => {
    expect(await run(['check', '.', '--pack', HOSTILE_PACK])).toMatchObject({ code: 2, err: expect.stringContaining('--week') });
    expect(await run(['check', '--week', 'tres', '--pack', HOSTILE_PACK, '.'])).toMatchObject({ code: 2, err: expect.stringContaining('"tres"') });
    expect(await run(['check', '--week', '7', '--pack', HOSTILE_PACK, '.'])).toMatchObject({ code: 2, err: expect.stringContaining('has no week 7') });
  });

  it('refuses an unknown pack, a missing folder and an unknown option', async () => {
    expect((await run(['check', '--week', '1', '--pack', 'nope', '.'])).err).toContain('No rubric pack "nope"');
    expect(await run(['check', '--week', '1', '--pack', HOSTILE_PACK, '/no/such/dir'])).toMatchObject({ code: 2, err: expect.stringContaining('is not a folder') });
    expect((await run(['check', '--weeks', '1', '.'])).code).toBe(2);
    expect((await run(['frobnicate'])).code).toBe(2);
  });

  it('validates a pack and lists its weeks and criteria', async () => {
    const result = await run(['pack', 'validate', HOSTILE_PACK, '--lang', 'en']);
    expect(result.code).toBe(0);
    expect(result.out).toContain('Week 1: Everything that can go wrong');
    expect(result.out).toMatch(/40\s+tests\s+command/);
  });
});
