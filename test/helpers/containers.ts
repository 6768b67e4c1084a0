import Docker from 'dockerode';
import { hostname } from 'node:os';
import { DockerSandboxProvider, OWNER_LABEL, SANDBOX_LABEL, type SandboxProvider } from '../../src/sandbox/sandbox.ts';

/**
 * Sandbox containers still present whose job id starts with `prefix`. Test files
 * may run side by side, so each checks its own jobs; `.ci/run` checks that none
 * at all is left after the whole run.
 */
export async function containersLeft(provider: DockerSandboxProvider, prefix: string): Promise<string[]> {
  const list = await provider.docker.listContainers({ all: true, filters: { label: [SANDBOX_LABEL] } });
  return list.map((c) => c.Labels[`${SANDBOX_LABEL}.job`] ?? '').filter((job) => job.startsWith(prefix));
}

/** Containers (running or not) started by the grader process `pid` on this host. */
export async function containersOfProcess(provider: DockerSandboxProvider, pid: number): Promise<{ id: string; state: string }[]> {
  const list = await provider.docker.listContainers({ all: true, filters: { label: [`${OWNER_LABEL}=${hostname()}:${pid}`] } });
  return list.map((c) => ({ id: c.Id, state: c.State }));
}

/** Polls until `pid` has a running container (a grading in progress), or fails after `timeoutMs`. */
export async function runningContainerOf(provider: DockerSandboxProvider, pid: number, timeoutMs = 60_000): Promise<string> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const running = (await containersOfProcess(provider, pid)).find((c) => c.state === 'running');
    if (running) return running.id;
    if (Date.now() > until) throw new Error(`process ${pid} started no container within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

/** The real sandbox, whose first opening waits until the test lets it go: a long-running grading. */
export function gatedDocker() {
  const real = new DockerSandboxProvider();
  let release!: () => void;
  const gate = new Promise<void>((resolve) => (release = resolve));
  let opened = 0;
  const provider: SandboxProvider = {
    async open(options) {
      if (opened++ === 0) await gate;
      return real.open(options);
    },
  };
  return { provider, release };
}

/** A Docker engine that is down for the first `failures` jobs, then back. */
export function flakyDocker(failures: number): SandboxProvider & { opens: number } {
  const real = new DockerSandboxProvider();
  const provider = {
    opens: 0,
    async open(options: Parameters<SandboxProvider['open']>[0]) {
      provider.opens++;
      if (provider.opens <= failures) {
        // The real adapter against a socket nobody listens on: the error it raises when Docker is down.
        return new DockerSandboxProvider(new Docker({ socketPath: '/nonexistent/docker.sock' })).open(options);
      }
      return real.open(options);
    },
  };
  return provider;
}
