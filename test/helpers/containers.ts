import { DockerSandboxProvider, SANDBOX_LABEL } from '../../src/sandbox/sandbox.ts';

/**
 * Sandbox containers still present whose job id starts with `prefix`. Test files
 * may run side by side, so each checks its own jobs; `.ci/run` checks that none
 * at all is left after the whole run.
 */
export async function containersLeft(provider: DockerSandboxProvider, prefix: string): Promise<string[]> {
  const list = await provider.docker.listContainers({ all: true, filters: { label: [SANDBOX_LABEL] } });
  return list.map((c) => c.Labels[`${SANDBOX_LABEL}.job`] ?? '').filter((job) => job.startsWith(prefix));
}
