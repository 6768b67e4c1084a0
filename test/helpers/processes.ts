import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/** Rubrica's folder: where `node bin/…` runs, as an operator would run it. */
export const ROOT = fileURLToPath(new URL('../../', import.meta.url));

export type Launched = ChildProcess & { output: () => string };

/** A real process in ROOT, its stdout and stderr kept together; `started` collects it for the file's cleanup. */
export function launch(command: string, args: string[], env: NodeJS.ProcessEnv, started: ChildProcess[]): Launched {
  const child = spawn(command, args, { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout!.on('data', (c: Buffer) => (output += c.toString()));
  child.stderr!.on('data', (c: Buffer) => (output += c.toString()));
  started.push(child);
  return Object.assign(child, { output: () => output });
}

/** How the process ended (at once if it already has). */
export function exited(child: ChildProcess): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) resolve({ code: child.exitCode, signal: child.signalCode });
    else child.once('exit', (code, signal) => resolve({ code, signal }));
  });
}
