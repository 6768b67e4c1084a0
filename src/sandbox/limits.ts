import { z } from 'zod';

/**
 * Sizes in packs are written in MB; the grader works in bytes. Every conversion goes
 * through here, by multiplication: `mb << 20` wraps at 32 bits (2048 MB became
 * −2147483648 bytes, 4096 MB became 0, and every file was dropped).
 */
export const KB = 1024;
export const MB = 1024 * KB;

export function bytesOfMb(mb: number): number {
  return mb * MB;
}

/** Sandbox limits; a pack may tighten or widen them, the environment may not loosen isolation. */
export const SandboxLimitsSchema = z.strictObject({
  memoryMb: z.number().int().min(64).max(16384).default(1024),
  cpus: z.number().min(0.1).max(16).default(1),
  pids: z.number().int().min(16).max(4096).default(256),
  /** Size of the writable scratch area (/work, a tmpfs) where the snapshot lives. */
  diskMb: z.number().int().min(16).max(16384).default(768),
  /** Largest file a process in the sandbox may write. */
  maxWriteMb: z.number().int().min(1).max(16384).default(256),
  checkTimeoutSeconds: z.number().int().min(1).max(3600).default(120),
  jobTimeoutSeconds: z.number().int().min(10).max(7200).default(600),
  outputCapBytes: z.number().int().min(KB).max(4 * MB).default(64 * KB),
  /** Files larger than this are not copied into the sandbox (large data belongs in DVC). */
  maxFileMb: z.number().int().min(1).max(4096).default(50),
  /** Files past this total are not copied into the sandbox. */
  maxSnapshotMb: z.number().int().min(1).max(8192).default(300),
  /** The compressed download from GitHub: past it the download is cut and the repository refused as too large. */
  maxDownloadMb: z.number().int().min(1).max(16384).default(500),
  /**
   * Everything the download unpacks to, files left out included (a gzip bomb is all
   * left-out bytes): past it the repository is refused as too large.
   */
  maxUnpackedMb: z.number().int().min(1).max(65536).default(1024),
  /** Entries of the snapshot, each file, folder and link counted (empty ones too): past it the repository is refused. */
  maxEntries: z.number().int().min(1).max(1_000_000).default(50_000),
});
export type SandboxLimits = z.infer<typeof SandboxLimitsSchema>;

export const DEFAULT_LIMITS: SandboxLimits = SandboxLimitsSchema.parse({});

/**
 * The optional install step's limits, written in the course file's `install` key beside
 * the index (config never comes from the student's repository).
 */
export const InstallLimitsSchema = z.strictObject({
  /** Wall-clock seconds pip may take; the step's containers live a margin longer. */
  timeoutSeconds: z.number().int().min(10).max(3600).default(300),
  /** What the installed packages may take on disk. */
  maxMb: z.number().int().min(16).max(8192).default(512),
  /** The course's wheel cache: past it the least recently used files go. */
  cacheMb: z.number().int().min(64).max(65536).default(4096),
});
export type InstallLimits = z.infer<typeof InstallLimitsSchema>;

/** The install step's containers, derived from its limits. */
export function installContainerLimits(limits: InstallLimits) {
  return {
    // pip unpacks into a temporary folder and then moves into the target: both on one tmpfs.
    workMb: 2 * limits.maxMb,
    // The tmpfs pages count against the container's memory, with room for pip itself.
    memoryBytes: bytesOfMb(2 * limits.maxMb + 512),
    cpus: 1,
    pids: 256,
    /** No single file (a wheel in the cache) larger than the whole install may be. */
    maxWriteBytes: bytesOfMb(limits.maxMb),
    outputCapBytes: 64 * KB,
    /** pip's own reason, as the student reads it. */
    tailChars: 1500,
    forwarder: { memoryBytes: bytesOfMb(64), cpus: 0.25, pids: 32, maxConnections: 32 },
  } as const;
}

/** What a snapshot may hold and what it may cost to read, in bytes and entries. */
export interface SnapshotCaps {
  /** Larger files are left out (told to the student). */
  readonly maxFileBytes: number;
  /** Files past this total are left out (told to the student). */
  readonly maxTotalBytes: number;
  /** Compressed bytes read from GitHub; past it the snapshot is refused. */
  readonly maxDownloadBytes: number;
  /** Bytes unpacked, left-out files included; past it the snapshot is refused. */
  readonly maxUnpackedBytes: number;
  /** Files, folders and links; past it the snapshot is refused. */
  readonly maxEntries: number;
}

export function snapshotCaps(limits: SandboxLimits): SnapshotCaps {
  return {
    maxFileBytes: bytesOfMb(limits.maxFileMb),
    maxTotalBytes: bytesOfMb(limits.maxSnapshotMb),
    maxDownloadBytes: bytesOfMb(limits.maxDownloadMb),
    maxUnpackedBytes: bytesOfMb(limits.maxUnpackedMb),
    maxEntries: limits.maxEntries,
  };
}

/** Docker's resource settings in bytes (the /work tmpfs takes its size in MB as written). */
export function containerBytes(limits: SandboxLimits): { readonly memoryBytes: number; readonly maxWriteBytes: number } {
  return { memoryBytes: bytesOfMb(limits.memoryMb), maxWriteBytes: bytesOfMb(limits.maxWriteMb) };
}
