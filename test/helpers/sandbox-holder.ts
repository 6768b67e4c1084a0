/**
 * A grader process for the lifecycle tests: it opens one sandbox (job id and job
 * limit in seconds on its command line), says `open <container id>`, and holds it
 * until it is killed.
 */
import { DEFAULT_LIMITS } from '../../src/sandbox/limits.ts';
import { DockerSandboxProvider } from '../../src/sandbox/sandbox.ts';

const [jobId, seconds] = process.argv.slice(2);
const image = process.env.RUBRICA_RUNNER_IMAGE ?? 'rubrica/runner-mlops:1';
const sandbox = await new DockerSandboxProvider().open({ image, limits: { ...DEFAULT_LIMITS, jobTimeoutSeconds: Number(seconds) }, jobId: jobId! });
process.stdout.write(`open ${sandbox.containerId}\n`);
setInterval(() => {}, 60_000);
