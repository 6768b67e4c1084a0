import { readFileSync } from 'node:fs';
import { PassThrough, type Readable, Writable } from 'node:stream';
import { hostname } from 'node:os';
import Docker from 'dockerode';
import { InfrastructureError } from '../core/errors.ts';
import { t } from '../core/text.ts';
import type { CommandResult, CommandSpec } from '../checks/types.ts';
import { containerBytes, type SandboxLimits } from './limits.ts';

const inside = (name: string) => readFileSync(new URL(`./inside/${name}`, import.meta.url), 'utf8');
const INIT_PY = inside('init.py');
const PROBE_PY = inside('probe.py');
const SUPERVISE_PY = inside('supervise.py');
const COVERAGE_PY = inside('coverage.py');

/** Containers of ours carry this label, so a restarted grader can find and remove leftovers. */
export const SANDBOX_LABEL = 'dev.rubrica.sandbox';
/** `host:pid` of the grader that started a container: a restarted grader removes only dead graders' leftovers. */
export const OWNER_LABEL = `${SANDBOX_LABEL}.owner`;
const PROCESS_OWNER = `${hostname()}:${process.pid}`;
import { COVERAGE_DATA_DIR, DEPENDENCIES_DIR, GRADER_DIR, OUT_DIR, REPO_DIR } from './paths.ts';
export { OUT_DIR, REPO_DIR };
/** The student's code runs as this uid, which holds no capability and cannot signal or ptrace the grader's root helpers. */
const STUDENT = { uid: 1000, gid: 1000 } as const;
/** The grader's helpers (init, probe, supervisor) run as the container's root, with only the capabilities below. */
const GRADER_USER = '0:0';
/** setuid/setgid: drop to the student's uid; kill: end the student's processes; the rest: manage the student's files. */
const GRADER_CAPS = ['SETUID', 'SETGID', 'KILL', 'CHOWN', 'DAC_OVERRIDE', 'FOWNER'];
const PATH = 'PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';
/** The helpers' own environment; `python3 -I` ignores PYTHON* variables anyway. */
const GRADER_ENV = [PATH, 'LANG=C.UTF-8'];
/** Where the student may write outside the repository. */
const STUDENT_DIRS = [REPO_DIR, OUT_DIR, '/work/home'];
/** Seconds the grader's coverage report may take after the command (kept inside the job's time). */
const COVERAGE_SECONDS = 20;
/**
 * A container outlives its job's time limit by this much at most: then its PID 1
 * exits and Docker removes it (AutoRemove), even when the grader that started it
 * was killed and never restarts. The margin covers the last command's kill and
 * report collection, which the supervisor does after the command's own limit.
 */
export const CONTAINER_MARGIN_SECONDS = 30;

/**
 * The whole environment of the student's commands. Nothing of the grader's own
 * environment is passed on: no token, no key, no proxy setting. PYTHONSAFEPATH and
 * PYTHONNOUSERSITE: a file of the repository (pytest.py, coverage/) or of the user
 * site cannot stand in for a module the grader relies on.
 */
const SANDBOX_ENV = [
  PATH,
  'HOME=/work/home',
  'LANG=C.UTF-8',
  'PYTHONDONTWRITEBYTECODE=1',
  'PYTHONSAFEPATH=1',
  'PYTHONNOUSERSITE=1',
  'PIP_NO_INDEX=1',
  'PIP_DISABLE_PIP_VERSION_CHECK=1',
  'PIP_BREAK_SYSTEM_PACKAGES=1',
  'PIP_NO_CACHE_DIR=1',
  'GIT_CONFIG_NOSYSTEM=1',
  `RUBRICA_OUT=${OUT_DIR}`,
];

export interface ProbeRequest {
  readonly unpack?: boolean;
  readonly read?: readonly string[];
  readonly maxFileBytes?: number;
  readonly ignore?: readonly string[];
  readonly modules?: readonly string[];
  /** Test files whose test functions to count without running them. */
  readonly countTests?: readonly string[];
}

export interface ProbeResult {
  readonly unpackErrors?: number;
  readonly hasGit?: boolean;
  readonly files?: { path: string; type: 'file' | 'dir' | 'symlink' | 'other'; size: number; target?: string }[];
  readonly filesTruncated?: boolean;
  readonly commits?: { sha: string; parents: number; author: string; date: string; message: string }[] | null;
  readonly gitignoreEncoding?: 'utf-8' | 'utf-16' | 'binary' | null;
  readonly contents?: { path: string; text: string; encoding: 'utf-8' | 'utf-16' | 'binary'; truncated: boolean }[];
  readonly ignore?: Record<string, { ignored: boolean; rule: string | null }>;
  readonly modules?: Record<string, boolean>;
  /** Test functions each file defines, read with Python's ast (null: not parsable); -1: parametrized beyond counting. */
  readonly testCounts?: Record<string, number | null>;
}

export interface RunRequest extends CommandSpec {
  /** Absolute paths inside the sandbox of report files to bring back. */
  readonly reports: readonly string[];
}

export interface Sandbox {
  readonly containerId: string;
  readonly imageId: string;
  /** Copies the snapshot in (a tar stream) and reports what is there. */
  unpack(tar: Readable): Promise<ProbeResult>;
  probe(request: ProbeRequest): Promise<ProbeResult>;
  run(request: RunRequest): Promise<CommandResult>;
  /** Seconds left of the job's wall-clock budget. */
  secondsLeft(): number;
  close(): Promise<void>;
}

export interface SandboxOptions {
  readonly image: string;
  readonly limits: SandboxLimits;
  readonly jobId: string;
  /** A volume of packages the install step put there: mounted read-only, on the student's PYTHONPATH only. */
  readonly dependencies?: string;
}

export interface SandboxProvider {
  open(options: SandboxOptions): Promise<Sandbox>;
}

/** Never settles: what a sandbox call of an abandoned provider returns. */
const never = () => new Promise<never>(() => {});

export function dockerClient(): Docker {
  // dockerode reads DOCKER_HOST (and DOCKER_TLS_VERIFY/DOCKER_CERT_PATH) itself.
  return new Docker();
}

function dockerDown(err: unknown): InfrastructureError {
  return new InfrastructureError(
    'docker-unavailable',
    t(
      'El motor de Docker del corrector no responde. No es un problema de tu entrega: se volverá a corregir cuando vuelva.',
      "The grader's Docker engine is not answering. This is not a problem with your work: it will be graded when Docker is back.",
    ),
    { cause: err },
  );
}

function isConnectionError(err: unknown): boolean {
  const code = (err as { code?: string } | null)?.code;
  return code === 'ENOENT' || code === 'ECONNREFUSED' || code === 'ECONNRESET' || code === 'EACCES' || code === 'EPIPE';
}

export class DockerSandboxProvider implements SandboxProvider {
  readonly docker: Docker;
  /** Sandboxes open now, so a stopping process can remove them. */
  private readonly live = new Set<DockerSandbox>();
  /** Containers being created: an abandoning process waits for them, or one would be left. */
  private readonly creating = new Set<Promise<unknown>>();
  private abandoned = false;
  constructor(docker: Docker = dockerClient()) {
    this.docker = docker;
  }

  /**
   * The process is stopping before its jobs finish: removes every container it has
   * open, and from now on no sandbox call of this provider settles, so no job gets
   * past its sandbox to record or publish a result of a grading cut short (the job
   * is released to another worker instead).
   */
  async abandon(): Promise<number> {
    this.abandoned = true;
    await Promise.allSettled([...this.creating]);
    const open = [...this.live];
    await Promise.all(open.map((s) => s.remove()));
    return open.length;
  }

  /** @internal the sandbox's calls wait forever once the provider is abandoned. */
  async guard<T>(call: Promise<T>): Promise<T> {
    if (this.abandoned) return never();
    let result: T;
    try {
      result = await call;
    } catch (error) {
      if (this.abandoned) return never();
      throw error;
    }
    return this.abandoned ? never() : result;
  }

  async ping(): Promise<void> {
    try {
      await this.docker.ping();
    } catch (err) {
      throw dockerDown(err);
    }
  }

  async imageId(image: string): Promise<string> {
    try {
      return (await this.docker.getImage(image).inspect()).Id;
    } catch (err) {
      if ((err as { statusCode?: number }).statusCode === 404) {
        throw new InfrastructureError(
          'runner-image-missing',
          t(
            `Falta la imagen de corrección "${image}" en el servidor del curso. No es un problema de tu entrega; el equipo docente ya puede verlo.`,
            `The course's runner image "${image}" is missing on the grading server. This is not a problem with your work; the course staff can see it.`,
          ),
          { cause: err },
        );
      }
      throw dockerDown(err);
    }
  }

  async open(options: SandboxOptions): Promise<Sandbox> {
    return this.guard(this.create(options));
  }

  private async create({ image, limits, jobId, dependencies }: SandboxOptions): Promise<Sandbox> {
    const imageId = await this.imageId(image);
    let container: Docker.Container;
    try {
      const creating = this.docker.createContainer({
        Image: imageId,
        Cmd: ['python3', '-I', '-c', INIT_PY, String(limits.jobTimeoutSeconds + CONTAINER_MARGIN_SECONDS)],
        User: GRADER_USER,
        Env: GRADER_ENV,
        WorkingDir: '/work',
        Labels: { [SANDBOX_LABEL]: '1', [`${SANDBOX_LABEL}.job`]: jobId, [OWNER_LABEL]: PROCESS_OWNER },
        NetworkDisabled: true,
        HostConfig: {
          NetworkMode: 'none',
          Memory: containerBytes(limits).memoryBytes,
          MemorySwap: containerBytes(limits).memoryBytes,
          NanoCpus: Math.round(limits.cpus * 1e9),
          PidsLimit: limits.pids,
          ReadonlyRootfs: true,
          CapDrop: ['ALL'],
          CapAdd: GRADER_CAPS,
          SecurityOpt: ['no-new-privileges'],
          Tmpfs: {
            // Root-owned: the student writes only in the folders the first probe makes theirs.
            '/work': `rw,exec,nosuid,nodev,size=${limits.diskMb}m,uid=0,gid=0,mode=0755`,
            '/tmp': 'rw,nosuid,nodev,size=64m,uid=0,gid=0,mode=1777',
          },
          Ulimits: [
            { Name: 'fsize', Soft: containerBytes(limits).maxWriteBytes, Hard: containerBytes(limits).maxWriteBytes },
            { Name: 'nofile', Soft: 1024, Hard: 1024 },
            { Name: 'core', Soft: 0, Hard: 0 },
          ],
          IpcMode: 'private',
          Privileged: false,
          ...(dependencies ? { Mounts: [{ Type: 'volume', Source: dependencies, Target: DEPENDENCIES_DIR, ReadOnly: true }] } : {}),
          // Gone once PID 1 exits at the job's deadline, with or without a grader.
          AutoRemove: true,
        },
      });
      this.creating.add(creating);
      container = await creating.finally(() => this.creating.delete(creating));
    } catch (err) {
      throw isConnectionError(err) ? dockerDown(err) : new InfrastructureError('sandbox-failed', t('No se pudo crear el contenedor de corrección.', 'Could not create the grading container.'), { cause: err });
    }
    const sandbox = new DockerSandbox(this, container, imageId, limits, Boolean(dependencies));
    this.live.add(sandbox);
    if (this.abandoned) await sandbox.remove();
    try {
      // The folders under /work are made by the first exec (unpack), saving a round trip.
      await container.start();
    } catch (err) {
      await sandbox.close();
      throw isConnectionError(err) ? dockerDown(err) : err;
    }
    return sandbox;
  }

  /**
   * Removes containers of ours left by a grader that died mid-job: all of them, or
   * those whose grader `isDead` says is gone (other live graders may share the engine).
   */
  async removeLeftovers(isDead?: (owner: string) => boolean): Promise<number> {
    const all = await this.docker.listContainers({ all: true, filters: { label: [SANDBOX_LABEL] } });
    const leftovers = isDead ? all.filter((c) => { const owner = c.Labels?.[OWNER_LABEL]; return !owner || isDead(owner); }) : all;
    await Promise.all(leftovers.map((c) => this.docker.getContainer(c.Id).remove({ force: true }).catch(() => undefined)));
    return leftovers.length;
  }

  /** @internal */
  forget(sandbox: DockerSandbox): void {
    this.live.delete(sandbox);
  }
}

/** A helper did not answer in time; `started`: after the student's command began (the supervisor said so). */
class SandboxTimeout extends Error {
  readonly started: boolean;
  constructor(started: boolean) {
    super('sandbox helper timed out');
    this.started = started;
  }
}

/** The line supervise.py writes to its stderr just before starting the student's command. */
const SUPERVISOR_STARTED = 'rubrica-supervisor: started';

function helperFailed(exitCode: number, stderr: Buffer): InfrastructureError {
  return new InfrastructureError(
    exitCode === 127 ? 'runner-image-incomplete' : 'sandbox-failed',
    t(
      `El programa de corrección falló dentro del contenedor (código ${exitCode}).`,
      `The grader's helper failed inside the container (exit code ${exitCode}).`,
    ),
    { cause: new Error(stderr.toString('utf8').slice(-2000)) },
  );
}

/** The supervisor was killed or stopped answering while the student's command ran: a result, not an error of ours. */
function supervisorLost(failure: NonNullable<CommandResult['failure']>, durationMs: number): CommandResult {
  return {
    exitCode: null,
    timedOut: false,
    killed: false,
    durationMs,
    output: '',
    outputBytes: 0,
    outputTruncated: false,
    reports: {},
    missingModules: [],
    failure,
  };
}

class DockerSandbox implements Sandbox {
  readonly containerId: string;
  readonly imageId: string;
  private readonly provider: DockerSandboxProvider;
  private readonly docker: Docker;
  private readonly container: Docker.Container;
  private readonly limits: SandboxLimits;
  private readonly deadline: number;
  /** The student's commands' whole environment. */
  private readonly env: readonly string[];
  /** The install phase's packages are mounted (DEPENDENCIES_DIR). */
  private readonly dependencies: boolean;
  private removing: Promise<void> | undefined;

  constructor(provider: DockerSandboxProvider, container: Docker.Container, imageId: string, limits: SandboxLimits, dependencies: boolean) {
    this.provider = provider;
    this.docker = provider.docker;
    this.container = container;
    this.containerId = container.id;
    this.imageId = imageId;
    this.limits = limits;
    this.dependencies = dependencies;
    // The installed packages are on the student's path only (the grader's helpers run `python3 -I`); none shadows the image's own (the install step drops those).
    this.env = dependencies ? [...SANDBOX_ENV, `PYTHONPATH=${DEPENDENCIES_DIR}`] : SANDBOX_ENV;
    this.deadline = Date.now() + limits.jobTimeoutSeconds * 1000;
  }

  secondsLeft(): number {
    return Math.max(0, Math.floor((this.deadline - Date.now()) / 1000));
  }

  async unpack(tar: Readable): Promise<ProbeResult> {
    // The inventory lists as many entries as the snapshot may hold (its cap refuses more).
    const request = { ...STUDENT, repo: REPO_DIR, unpack: true, rootDirs: [GRADER_DIR], makeDirs: STUDENT_DIRS, maxEntries: this.limits.maxEntries };
    return this.provider.guard(this.python(PROBE_PY, request, tar, 120_000));
  }

  async probe(request: ProbeRequest): Promise<ProbeResult> {
    return this.provider.guard(this.python(PROBE_PY, { ...STUDENT, repo: REPO_DIR, ...request }, undefined, 60_000));
  }

  async run(request: RunRequest): Promise<CommandResult> {
    return this.provider.guard(this.supervise(request));
  }

  private async supervise(request: RunRequest): Promise<CommandResult> {
    // The grader's coverage report comes after the command, still inside the job's time.
    const reserve = request.coverage ? COVERAGE_SECONDS : 0;
    const timeoutSeconds = Math.max(1, Math.min(request.timeoutSeconds, this.secondsLeft() - reserve));
    const supervisorRequest = {
      ...STUDENT,
      env: this.env,
      run: request.run,
      // A folder of the snapshot's listing (never a symlink there); inside the container, whatever it became.
      cwd: request.cwd ? `${REPO_DIR}/${request.cwd}` : REPO_DIR,
      timeoutSeconds,
      outputCap: this.limits.outputCapBytes,
      requires: request.requires,
      ...(this.dependencies ? { modulePaths: [DEPENDENCIES_DIR] } : {}),
      reports: request.reports,
      reportCap: 4 << 20,
      ...(request.input !== undefined ? { input: request.input } : {}),
      ...(request.stdout ? { stdout: true } : {}),
      ...(request.http ? { http: request.http } : {}),
      ...(request.coverage
        ? { coverage: { source: request.coverage.source, dir: GRADER_DIR, dataDir: COVERAGE_DATA_DIR, helper: COVERAGE_PY, timeoutSeconds: COVERAGE_SECONDS } }
        : {}),
    };
    // The supervisor enforces the limits; this only catches a supervisor that cannot answer.
    const budgetMs = (timeoutSeconds + 30 + reserve) * 1000;
    let answer: Awaited<ReturnType<DockerSandbox['exec']>>;
    try {
      answer = await this.exec(['python3', '-I', '-c', SUPERVISE_PY, JSON.stringify(supervisorRequest)], { timeoutMs: budgetMs });
    } catch (err) {
      if (err instanceof SandboxTimeout && err.started) return supervisorLost('supervisor-hung', Math.round(budgetMs));
      throw err;
    }
    const { exitCode, stdout, stderr } = answer;
    const started = stderr.includes(SUPERVISOR_STARTED);
    let raw: Partial<CommandResult> | undefined;
    try {
      raw = exitCode === 0 ? (JSON.parse(stdout.toString('utf8')) as Partial<CommandResult>) : undefined;
    } catch {
      raw = undefined;
    }
    if (!raw) {
      // Killed or broken after the student's command started: the student's code is why.
      if (started) return supervisorLost('supervisor-died', 0);
      throw helperFailed(exitCode, stderr);
    }
    return {
      exitCode: raw.exitCode ?? null,
      timedOut: raw.timedOut ?? false,
      killed: raw.killed ?? false,
      durationMs: raw.durationMs ?? 0,
      output: raw.output ?? '',
      outputBytes: raw.outputBytes ?? 0,
      outputTruncated: raw.outputTruncated ?? false,
      reports: raw.reports ?? {},
      missingModules: raw.missingModules ?? [],
      ...(raw.coverage ? { coverage: raw.coverage } : {}),
      ...(request.http ? { http: raw.http ?? { ready: false, responses: [] } } : {}),
      ...(request.stdout ? { stdout: raw.stdout ?? '', stdoutTruncated: raw.stdoutTruncated ?? false } : {}),
    };
  }

  private async python<R>(source: string, request: object, stdin: Readable | undefined, timeoutMs: number): Promise<R> {
    const { exitCode, stdout, stderr } = await this.exec(['python3', '-I', '-c', source, JSON.stringify(request)], { stdin, timeoutMs });
    if (exitCode !== 0) throw helperFailed(exitCode, stderr);
    return JSON.parse(stdout.toString('utf8')) as R;
  }

  async exec(cmd: string[], { stdin, timeoutMs }: { stdin?: Readable; timeoutMs: number }) {
    let exec: Docker.Exec;
    let stream: NodeJS.ReadWriteStream & { destroy(): void };
    try {
      exec = await this.container.exec({
        Cmd: cmd,
        AttachStdin: Boolean(stdin),
        AttachStdout: true,
        AttachStderr: true,
        Tty: false,
        User: GRADER_USER,
        WorkingDir: '/work',
        Env: GRADER_ENV,
      });
      stream = (await exec.start({ hijack: true, stdin: Boolean(stdin) })) as unknown as NodeJS.ReadWriteStream & { destroy(): void };
    } catch (e) {
      // 404 (removed) or 409 (not running): the container ended, at its deadline.
      const status = (e as { statusCode?: number }).statusCode;
      if (status === 404 || status === 409) throw this.gone();
      throw e;
    }
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    const collect = (chunks: Buffer[], cap: number) => {
      let n = 0;
      return new Writable({
        write(chunk: Buffer, _enc, cb) {
          if (n < cap) chunks.push(chunk.subarray(0, cap - n));
          n += chunk.length;
          cb();
        },
      });
    };
    this.docker.modem.demuxStream(stream, collect(out, 64 << 20), collect(err, 64 << 10));
    if (stdin) {
      const pass = new PassThrough();
      stdin.on('error', (e) => pass.destroy(e));
      stdin.pipe(pass).pipe(stream as unknown as NodeJS.WritableStream);
    }
    let timer: NodeJS.Timeout | undefined;
    try {
      await Promise.race([
        new Promise<void>((resolve, reject) => {
          stream.on('end', () => resolve());
          stream.on('close', () => resolve());
          stream.on('error', reject);
        }),
        new Promise<never>((_, reject) => {
          timer = setTimeout(() => reject(new SandboxTimeout(Buffer.concat(err).includes(SUPERVISOR_STARTED))), timeoutMs);
        }),
      ]);
    } catch (e) {
      stream.destroy();
      if (e instanceof SandboxTimeout && !e.started) {
        throw new InfrastructureError('job-timeout', t('El contenedor de corrección dejó de responder.', 'The grading container stopped answering.'));
      }
      throw e;
    } finally {
      clearTimeout(timer);
    }
    let info: Docker.ExecInspectInfo;
    try {
      info = await exec.inspect();
    } catch (e) {
      // 404: the container is gone (it ended at its deadline, or a stopping grader removed it).
      if ((e as { statusCode?: number }).statusCode === 404) throw this.gone();
      throw e;
    }
    // No exit code past the container's lifetime: the exec died with its container.
    if (info.ExitCode == null && Date.now() >= this.deadline + CONTAINER_MARGIN_SECONDS * 1000) throw this.gone();
    return { exitCode: info.ExitCode ?? -1, stdout: Buffer.concat(out), stderr: Buffer.concat(err) };
  }

  private gone(): InfrastructureError {
    return new InfrastructureError('job-timeout', t('El contenedor de corrección terminó antes que la corrección.', 'The grading container ended before the grading did.'));
  }

  close(): Promise<void> {
    return this.provider.guard(this.remove());
  }

  /** Removes the container (once, however many callers ask). */
  remove(): Promise<void> {
    this.removing ??= this.removeContainer().finally(() => this.provider.forget(this));
    return this.removing;
  }

  private async removeContainer(): Promise<void> {
    // force: also a container still running a runaway command. Retried: a removal
    // racing the OOM killer sometimes answers 409.
    for (let attempt = 0; attempt < 3; attempt++) {
      try {
        await this.container.remove({ force: true, v: true });
        return;
      } catch (err) {
        const { statusCode, message } = err as { statusCode?: number; message?: string };
        // 404: gone already; 409 "already in progress": Docker's AutoRemove is removing it.
        if (statusCode === 404 || (statusCode === 409 && /in progress/i.test(message ?? ''))) return;
        await new Promise((r) => setTimeout(r, 500 * (attempt + 1)));
      }
    }
  }
}
