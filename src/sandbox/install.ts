import { createHash, randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { isIP } from 'node:net';
import { hostname } from 'node:os';
import type Docker from 'dockerode';
import { InfrastructureError } from '../core/errors.ts';
import { t } from '../core/text.ts';
import type { InstallOutcome, InstallRequirement } from '../grading/install.ts';
import { installContainerLimits, type InstallLimits } from './limits.ts';
import { OWNER_LABEL, SANDBOX_LABEL } from './sandbox.ts';

const inside = (name: string) => readFileSync(new URL(`./inside/${name}`, import.meta.url), 'utf8');
const INSTALL_PY = inside('install.py');
const FORWARD_PY = inside('forward.py');
const STEP_PY = inside('step.py');
/** The forwarder's unix socket lives here, in a volume both step containers mount. */
const SOCKET_DIR = '/install/sock';

/** The course file's `install` key: the index and the step's limits. */
export interface InstallSettings extends InstallLimits {
  readonly index: string;
}

/** Networks and volumes of the install step carry this label, so leftovers can be found. */
export const INSTALL_LABEL = 'dev.rubrica.install';
const PROCESS_OWNER = `${hostname()}:${process.pid}`;
const STUDENT = { uid: 1000, gid: 1000 } as const;
/** Seconds the step's containers outlive pip's own limit: the helper's checks and copy. */
const STEP_MARGIN_SECONDS = 60;
const WORK = '/install/work';

export interface DependencyInstaller {
  /** A fresh folder for one grading's packages, mounted read-only in its grading container. */
  createVolume(jobId: string): Promise<string>;
  removeVolume(volume: string): Promise<void>;
  /** Installs into `volume`; the index not answering is ours (InfrastructureError), pip refusing is the student's. */
  install(request: InstallRequest): Promise<InstallOutcome>;
}

export interface InstallRequest {
  readonly settings: InstallSettings;
  /** Whose wheel cache: one per course and index. */
  readonly course: string;
  readonly requirements: readonly InstallRequirement[];
  readonly image: string;
  readonly jobId: string;
  readonly volume: string;
}

/** One run of a program in a container on the step's network, and what it printed. */
export interface StepRun {
  readonly exitCode: number;
  readonly stdout: string;
  readonly stderr: string;
}

interface StepProgram {
  readonly source: string;
  readonly argument: string;
  /** Runs as root (with CHOWN/SETUID/SETGID, to hand its volumes to uid 1000 and drop to it) or as uid 1000. */
  readonly root: boolean;
  readonly mounts?: readonly Docker.MountSettings[];
}

function indexUnreachable(detail: string): InfrastructureError {
  return new InfrastructureError(
    'package-index-unreachable',
    t(
      'El índice de paquetes del curso no responde, así que no se pudieron instalar tus dependencias. No es un problema de tu entrega: se volverá a corregir.',
      "The course's package index is not answering, so your dependencies could not be installed. This is not a problem with your work: it will be graded again.",
    ),
    { cause: new Error(detail) },
  );
}

function stepFailed(detail: string, cause?: unknown): InfrastructureError {
  return new InfrastructureError('sandbox-failed', t('No se pudo preparar la instalación de dependencias.', 'Could not set up the dependency install.'), {
    cause: cause ?? new Error(detail),
  });
}

/** Docker's multiplexed log stream (8-byte frame headers) as stdout and stderr. */
function demux(buffer: Buffer): { stdout: string; stderr: string } {
  const out: Buffer[] = [];
  const err: Buffer[] = [];
  for (let at = 0; at + 8 <= buffer.length; ) {
    const size = buffer.readUInt32BE(at + 4);
    (buffer[at] === 2 ? err : out).push(buffer.subarray(at + 8, at + 8 + size));
    at += 8 + size;
  }
  return { stdout: Buffer.concat(out).toString('utf8'), stderr: Buffer.concat(err).toString('utf8') };
}

/**
 * The install step: pip runs in its own container without any network (NetworkMode
 * none; an `Internal` Docker network would still reach the host at its gateway). The
 * index's host name resolves to 127.0.0.1 there, where a relay hands each connection to
 * a unix socket of the forwarder, a second container on the egress network (Docker's
 * `bridge`, or the one naming the index) that connects to the index's host and port alone.
 * Wheels are cached in one volume per course and index; the grading containers that
 * follow keep NetworkMode none and see the packages read-only.
 */
export class DockerInstaller implements DependencyInstaller {
  private readonly docker: Docker;
  private readonly egressNetwork: string;

  constructor(docker: Docker, options: { egressNetwork?: string } = {}) {
    this.docker = docker;
    this.egressNetwork = options.egressNetwork ?? 'bridge';
  }

  async createVolume(jobId: string): Promise<string> {
    const name = `rubrica-deps-${randomBytes(6).toString('hex')}`;
    try {
      await this.docker.createVolume({ Name: name, Labels: { [INSTALL_LABEL]: 'deps', [`${INSTALL_LABEL}.job`]: jobId, [OWNER_LABEL]: PROCESS_OWNER } });
    } catch (err) {
      throw stepFailed('volume', err);
    }
    return name;
  }

  async removeVolume(volume: string): Promise<void> {
    await this.docker.getVolume(volume).remove({ force: true }).catch(() => undefined);
  }

  /** Per-grading volumes (packages, socket) of graders `isDead` says are gone; the wheel caches stay. */
  async removeLeftovers(isDead: (owner: string) => boolean): Promise<number> {
    const { Volumes } = await this.docker.listVolumes({ filters: { label: [INSTALL_LABEL] } });
    const leftovers = (Volumes ?? []).filter((v) => v.Labels?.[INSTALL_LABEL] !== 'wheels' && Boolean(v.Labels?.[OWNER_LABEL]) && isDead(v.Labels![OWNER_LABEL]!));
    const removed = await Promise.all(leftovers.map((v) => this.docker.getVolume(v.Name).remove({ force: true }).then(() => 1, () => 0)));
    return removed.reduce<number>((a, b) => a + b, 0);
  }

  /** The course's wheel cache, made on first use. */
  async cacheVolume(course: string, index: string): Promise<string> {
    const name = `rubrica-wheels-${createHash('sha256').update(`${course}\0${index}`).digest('hex').slice(0, 16)}`;
    try {
      // Creating an existing local volume returns it unchanged.
      await this.docker.createVolume({ Name: name, Labels: { [INSTALL_LABEL]: 'wheels' } });
    } catch (err) {
      throw stepFailed('cache volume', err);
    }
    return name;
  }

  async install(request: InstallRequest): Promise<InstallOutcome> {
    const { settings } = request;
    const limits = installContainerLimits(settings);
    const cache = await this.cacheVolume(request.course, settings.index);
    const helperRequest = {
      ...STUDENT,
      index: this.indexSeenInside(settings.index),
      requirements: request.requirements,
      target: `${WORK}/target`,
      out: '/install/out',
      cache: '/install/cache',
      timeoutSeconds: settings.timeoutSeconds,
      cacheMaxBytes: settings.cacheMb * 1024 * 1024,
      outputCap: limits.outputCapBytes,
      tailChars: limits.tailChars,
    };
    const run = await this.runInStep(settings, request, {
      source: INSTALL_PY,
      argument: JSON.stringify(helperRequest),
      root: true,
      mounts: [
        { Type: 'volume', Source: request.volume, Target: '/install/out' },
        { Type: 'volume', Source: cache, Target: '/install/cache' },
      ],
    });
    let answer: { status: string; detail?: string; tail?: string; durationMs?: number; packages?: { name: string; version: string }[]; keptFromImage?: string[]; bytes?: number };
    try {
      answer = JSON.parse(run.stdout);
    } catch (err) {
      throw stepFailed(`install helper exited ${run.exitCode}: ${run.stderr.slice(-2000)}`, err);
    }
    const durationMs = answer.durationMs ?? 0;
    switch (answer.status) {
      case 'index-unreachable':
        throw indexUnreachable(answer.detail ?? answer.tail ?? '');
      case 'installed':
        return { status: 'installed', packages: answer.packages ?? [], keptFromImage: answer.keptFromImage ?? [], bytes: answer.bytes ?? 0, durationMs };
      case 'failed':
      case 'timeout':
      case 'too-large':
        return { status: 'failed', reason: answer.status === 'failed' ? 'pip' : answer.status, tail: answer.tail ?? '', durationMs };
      default:
        throw stepFailed(`install helper answered ${answer.status}`);
    }
  }

  /** The index as pip inside the step names it: a host given as an IP address is reached by the forwarder's name. */
  private indexSeenInside(index: string): string {
    const url = new URL(index);
    if (isIP(url.hostname.replace(/^\[|\]$/g, ''))) url.hostname = FORWARDER_ALIAS;
    return url.toString();
  }

  /**
   * Runs `program` in a container without any network (NetworkMode none) whose one way
   * out is the forwarder's unix socket, then removes both containers and the socket's volume.
   */
  async runInStep(settings: InstallSettings, where: { image: string; jobId: string }, program: StepProgram): Promise<StepRun> {
    const limits = installContainerLimits(settings);
    const url = new URL(settings.index);
    const host = url.hostname.replace(/^\[|\]$/g, '');
    const port = Number(url.port || (url.protocol === 'https:' ? 443 : 80));
    const lifetimeSeconds = settings.timeoutSeconds + STEP_MARGIN_SECONDS;
    const labels = { [SANDBOX_LABEL]: '1', [`${SANDBOX_LABEL}.job`]: where.jobId, [OWNER_LABEL]: PROCESS_OWNER };
    const hardening = { ReadonlyRootfs: true, CapDrop: ['ALL'], SecurityOpt: ['no-new-privileges'], IpcMode: 'private', Privileged: false };
    const socketVolume = `rubrica-install-${randomBytes(6).toString('hex')}`;
    const containers: Docker.Container[] = [];
    try {
      await this.docker.createVolume({ Name: socketVolume, Labels: { [INSTALL_LABEL]: 'socket', [`${INSTALL_LABEL}.job`]: where.jobId, [OWNER_LABEL]: PROCESS_OWNER } });
      const forwarderSpec: Docker.ContainerCreateOptions = {
        Image: where.image,
        Cmd: ['python3', '-I', '-c', FORWARD_PY, JSON.stringify({ ...STUDENT, dir: SOCKET_DIR, host, port, maxConnections: limits.forwarder.maxConnections, lifetimeSeconds })],
        // Root only to hand the fresh volume to uid 1000, then it drops to that uid.
        User: '0:0',
        Env: ['PATH=/usr/bin:/bin', 'LANG=C.UTF-8'],
        Labels: labels,
        HostConfig: {
          ...hardening,
          CapAdd: ['CHOWN', 'SETUID', 'SETGID'],
          NetworkMode: this.egressNetwork,
          Memory: limits.forwarder.memoryBytes,
          MemorySwap: limits.forwarder.memoryBytes,
          NanoCpus: Math.round(limits.forwarder.cpus * 1e9),
          PidsLimit: limits.forwarder.pids,
          Mounts: [{ Type: 'volume', Source: socketVolume, Target: SOCKET_DIR }],
          AutoRemove: true,
        },
      };
      const stepSpec: Docker.ContainerCreateOptions = {
        Image: where.image,
        Cmd: ['python3', '-I', '-c', STEP_PY, program.source, program.argument],
        User: program.root ? '0:0' : `${STUDENT.uid}:${STUDENT.gid}`,
        Env: ['PATH=/usr/local/bin:/usr/bin:/bin', 'LANG=C.UTF-8', `RUBRICA_STEP=${JSON.stringify({ port, socket: `${SOCKET_DIR}/index.sock` })}`],
        WorkingDir: '/tmp',
        Labels: labels,
        // NetworkMode none, not NetworkDisabled: that one drops ExtraHosts from /etc/hosts.
        HostConfig: {
          ...hardening,
          // No interface but loopback: the index's name is 127.0.0.1, where step.py relays to the forwarder.
          NetworkMode: 'none',
          ExtraHosts: [`${isIP(host) ? FORWARDER_ALIAS : host}:127.0.0.1`],
          // The index's own port, 443 or 80 included, without a capability.
          Sysctls: { 'net.ipv4.ip_unprivileged_port_start': '0' },
          CapAdd: program.root ? ['CHOWN', 'SETUID', 'SETGID'] : [],
          Memory: limits.memoryBytes,
          MemorySwap: limits.memoryBytes,
          NanoCpus: Math.round(limits.cpus * 1e9),
          PidsLimit: limits.pids,
          Tmpfs: {
            [WORK]: `rw,noexec,nosuid,nodev,size=${limits.workMb}m,uid=${STUDENT.uid},gid=${STUDENT.gid},mode=0700`,
            '/tmp': `rw,noexec,nosuid,nodev,size=${limits.workMb}m,mode=1777`,
          },
          Mounts: [{ Type: 'volume', Source: socketVolume, Target: SOCKET_DIR, ReadOnly: true }, ...(program.mounts ?? [])],
          Ulimits: [
            { Name: 'fsize', Soft: limits.maxWriteBytes, Hard: limits.maxWriteBytes },
            { Name: 'nofile', Soft: 1024, Hard: 1024 },
            { Name: 'core', Soft: 0, Hard: 0 },
          ],
        },
      };
      // Both made at once (the step's start waits for the forwarder's socket); whatever was made is removed below.
      const made = await Promise.allSettled([this.docker.createContainer(forwarderSpec), this.docker.createContainer(stepSpec)]);
      for (const m of made) if (m.status === 'fulfilled') containers.push(m.value);
      for (const m of made) if (m.status === 'rejected') throw m.reason;
      const [forwarder, step] = containers as [Docker.Container, Docker.Container];
      await forwarder.start();
      await this.untilReady(forwarder);
      await step.start();
      let timer: NodeJS.Timeout | undefined;
      const waited = await Promise.race([
        step.wait() as Promise<{ StatusCode: number }>,
        new Promise<null>((resolve) => (timer = setTimeout(() => resolve(null), lifetimeSeconds * 1000))),
      ]).finally(() => clearTimeout(timer));
      if (waited === null) throw stepFailed('the install step did not end in time');
      const logs = (await step.logs({ stdout: true, stderr: true, follow: false })) as unknown as Buffer;
      return { exitCode: waited.StatusCode, ...demux(logs) };
    } catch (err) {
      if (err instanceof InfrastructureError) throw err;
      throw stepFailed('step', err);
    } finally {
      await Promise.all(containers.map((c) => c.remove({ force: true, v: true }).catch(() => undefined)));
      await this.removeVolume(socketVolume);
    }
  }

  /** The forwarder says `ready` once its socket listens (within seconds: it is a small Python program). */
  private async untilReady(forwarder: Docker.Container): Promise<void> {
    for (let waited = 0; waited < 15_000; waited += 100) {
      const logs = (await forwarder.logs({ stdout: true, stderr: true, follow: false })) as unknown as Buffer;
      const { stdout, stderr } = demux(logs);
      if (stdout.includes('ready')) return;
      const { State } = await forwarder.inspect();
      if (!State.Running) throw stepFailed(`the install step's forwarder ended: ${stderr.slice(-1000)}`);
      await new Promise((r) => setTimeout(r, 100));
    }
    throw stepFailed("the install step's forwarder did not start");
  }
}

/** The forwarder's name on the step's network (also reached for an index named by IP address). */
const FORWARDER_ALIAS = 'rubrica-package-index';
