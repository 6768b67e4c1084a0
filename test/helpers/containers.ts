import { DockerSandboxProvider, SANDBOX_LABEL, type SandboxProvider } from '../../src/sandbox/sandbox.ts';

/**
 * Sandbox containers still present whose job id starts with `prefix`. Test files
 * may run side by side, so each checks its own jobs; `.ci/run` checks that none
 * at all is left after the whole run.
 */
export async function containersLeft(provider: DockerSandboxProvider, prefix: string): Promise<string[]> {
  const list = await provider.docker.listContainers({ all: true, filters: { label: [SANDBOX_LABEL] } });
  return list.map((c) => c.Labels[`${SANDBOX_LABEL}.job`] ?? '').filter((job) => job.startsWith(prefix));
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
