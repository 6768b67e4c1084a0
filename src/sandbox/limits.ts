import { z } from 'zod';

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
  outputCapBytes: z.number().int().min(1024).max(4 << 20).default(64 << 10),
  /** Files larger than this are not copied into the sandbox (large data belongs in DVC). */
  maxFileMb: z.number().int().min(1).max(4096).default(50),
  maxSnapshotMb: z.number().int().min(1).max(8192).default(300),
});
export type SandboxLimits = z.infer<typeof SandboxLimitsSchema>;

export const DEFAULT_LIMITS: SandboxLimits = SandboxLimitsSchema.parse({});
