import { readFileSync } from 'node:fs';
import { PassThrough, type Readable, Writable } from 'node:stream';
import { hostname } from 'node:os';
import Docker from 'dockerode';
import { InfrastructureError } from '../core/errors.ts';
import { t } from '../core/text.ts';
import type { CommandResult, CommandSpec } from '../checks/types.ts';
import type { SandboxLimits } from './limits.ts';

const inside = (name: string) => readFileSync(new URL(`./inside/${name}`, import.meta.url), 'utf8');
const INIT_PY = inside('init.py');
const PROBE_PY = inside('probe.py');
const SUPERVISE_PY = inside('supervise.py');

/** Containers of ours carry this label, so a restarted grader can find and remove leftovers. */
export const SANDBOX_LABEL = 'dev.rubrica.sandbox';
/** `host:pid` of the grader that started a container: a restarted grader removes only dead graders' leftovers. */
export const OWNER_LABEL = `${SANDBOX_LABEL}.owner`;
const PROCESS_OWNER = `${hostname()}:${process.pid}`;
import { OUT_DIR, REPO_DIR } from './paths.ts';
export { OUT_DIR, REPO_DIR };
const SANDBOX_USER = '1000:1000';

/**
 * The whole environment of a sandbox. Nothing of the grader's own environment is
 * passed on: no token, no key, no proxy setting.
 */
const SANDBOX_ENV = [
  'PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin',
  'HOME=/work/home',
  'LANG=C.UTF-8',
  'PYTHONDONTWRITEBYTECODE=1',
  'PYTHONUSERBASE=/work/home/.local',
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

export interface SandboxProvider {
  open(options: { image: string; limits: SandboxLimits; jobId: string }): Promise<Sandbox>;
}

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
  constructor(docker: Docker = dockerClient()) {
    this.docker = docker;
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

  async open({ image, limits, jobId }: { image: string; limits: SandboxLimits; jobId: string }): Promise<Sandbox> {
    const imageId = await this.imageId(image);
    let container: Docker.Container;
    try {
      container = await this.docker.createContainer({
        Image: imageId,
        Cmd: ['python3', '-c', INIT_PY],
        User: SANDBOX_USER,
        Env: SANDBOX_ENV,
        WorkingDir: '/work',
        Labels: { [SANDBOX_LABEL]: '1', [`${SANDBOX_LABEL}.job`]: jobId, [OWNER_LABEL]: PROCESS_OWNER },
        NetworkDisabled: true,
        HostConfig: {
          NetworkMode: 'none',
          Memory: limits.memoryMb * 1024 * 1024,
          MemorySwap: limits.memoryMb * 1024 * 1024,
          NanoCpus: Math.round(limits.cpus * 1e9),
          PidsLimit: limits.pids,
          ReadonlyRootfs: true,
          CapDrop: ['ALL'],
          SecurityOpt: ['no-new-privileges'],
          Tmpfs: {
            '/work': `rw,exec,nosuid,nodev,size=${limits.diskMb}m,uid=1000,gid=1000,mode=0755`,
            '/tmp': 'rw,nosuid,nodev,size=64m,uid=1000,gid=1000,mode=1777',
          },
          Ulimits: [
            { Name: 'fsize', Soft: limits.maxWriteMb * 1024 * 1024, Hard: limits.maxWriteMb * 1024 * 1024 },
            { Name: 'nofile', Soft: 1024, Hard: 1024 },
          ],
          IpcMode: 'private',
          Privileged: false,
          AutoRemove: false,
        },
      });
    } catch (err) {
      throw isConnectionError(err) ? dockerDown(err) : new InfrastructureError('sandbox-failed', t('No se pudo crear el contenedor de corrección.', 'Could not create the grading container.'), { cause: err });
    }
    const sandbox = new DockerSandbox(this.docker, container, imageId, limits);
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
}

class SandboxTimeout extends Error {}

class DockerSandbox implements Sandbox {
  readonly containerId: string;
  readonly imageId: string;
  private readonly docker: Docker;
  private readonly container: Docker.Container;
  private readonly limits: SandboxLimits;
  private readonly deadline: number;
  private closed = false;

  constructor(docker: Docker, container: Docker.Container, imageId: string, limits: SandboxLimits) {
    this.docker = docker;
    this.container = container;
    this.containerId = container.id;
    this.imageId = imageId;
    this.limits = limits;
    this.deadline = Date.now() + limits.jobTimeoutSeconds * 1000;
  }

  secondsLeft(): number {
    return Math.max(0, Math.floor((this.deadline - Date.now()) / 1000));
  }

  async unpack(tar: Readable): Promise<ProbeResult> {
    return this.python(PROBE_PY, { repo: REPO_DIR, unpack: true, makeDirs: [OUT_DIR, '/work/home'] }, tar, 120_000);
  }

  async probe(request: ProbeRequest): Promise<ProbeResult> {
    return this.python(PROBE_PY, { repo: REPO_DIR, ...request }, undefined, 60_000);
  }

  async run(request: RunRequest): Promise<CommandResult> {
    const timeoutSeconds = Math.max(1, Math.min(request.timeoutSeconds, this.secondsLeft()));
    const raw = await this.python<Partial<CommandResult>>(
      SUPERVISE_PY,
      {
        run: request.run,
        cwd: REPO_DIR,
        timeoutSeconds,
        outputCap: this.limits.outputCapBytes,
        requires: request.requires,
        reports: request.reports,
        ...(request.input !== undefined ? { input: request.input } : {}),
        ...(request.stdout ? { stdout: true } : {}),
        reportCap: 4 << 20,
      },
      undefined,
      // The supervisor enforces the limit; this only catches a supervisor that cannot answer.
      (timeoutSeconds + 30) * 1000,
    );
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
      ...(request.stdout ? { stdout: raw.stdout ?? '', stdoutTruncated: raw.stdoutTruncated ?? false } : {}),
    };
  }

  private async python<R>(source: string, request: object, stdin: Readable | undefined, timeoutMs: number): Promise<R> {
    const { exitCode, stdout, stderr } = await this.exec(['python3', '-c', source, JSON.stringify(request)], { stdin, timeoutMs });
    if (exitCode !== 0) {
      throw new InfrastructureError(
        exitCode === 127 ? 'runner-image-incomplete' : 'sandbox-failed',
        t(
          `El programa de corrección falló dentro del contenedor (código ${exitCode}).`,
          `The grader's helper failed inside the container (exit code ${exitCode}).`,
        ),
        { cause: new Error(stderr.toString('utf8').slice(-2000)) },
      );
    }
    return JSON.parse(stdout.toString('utf8')) as R;
  }

  async exec(cmd: string[], { stdin, timeoutMs }: { stdin?: Readable; timeoutMs: number }) {
    const exec = await this.container.exec({
      Cmd: cmd,
      AttachStdin: Boolean(stdin),
      AttachStdout: true,
      AttachStderr: true,
      Tty: false,
      User: SANDBOX_USER,
      WorkingDir: '/work',
      Env: SANDBOX_ENV,
    });
    const stream = (await exec.start({ hijack: true, stdin: Boolean(stdin) })) as unknown as NodeJS.ReadWriteStream & { destroy(): void };
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
          timer = setTimeout(() => reject(new SandboxTimeout()), timeoutMs);
        }),
      ]);
    } catch (e) {
      stream.destroy();
      if (e instanceof SandboxTimeout) {
        throw new InfrastructureError('job-timeout', t('El contenedor de corrección dejó de responder.', 'The grading container stopped answering.'));
      }
      throw e;
    } finally {
      clearTimeout(timer);
    }
    const info = await exec.inspect();
    return { exitCode: info.ExitCode ?? -1, stdout: Buffer.concat(out), stderr: Buffer.concat(err) };
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    // force: also a container still running a runaway command. Retried once: a
    // removal racing the OOM killer sometimes answers 409.
    for (let attempt = 0; attempt < 3; attempt++) {
      try {
        await this.container.remove({ force: true, v: true });
        return;
      } catch (err) {
        const status = (err as { statusCode?: number }).statusCode;
        if (status === 404) return;
        await new Promise((r) => setTimeout(r, 500 * (attempt + 1)));
      }
    }
  }
}
