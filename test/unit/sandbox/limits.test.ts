import { describe, expect, it } from 'vitest';
import { bytesOfMb, containerBytes, DEFAULT_LIMITS, installContainerLimits, InstallLimitsSchema, SandboxLimitsSchema, snapshotCaps } from '../../../src/sandbox/limits.ts';

/** Every numeric field of the schema with its bounds, read from the schema itself. */
const FIELDS = Object.entries(SandboxLimitsSchema.shape).map(([name, field]) => {
  const inner = (field as unknown as { def: { innerType: { minValue: number; maxValue: number } } }).def.innerType;
  return { name, min: inner.minValue, max: inner.maxValue };
});

describe('sandbox limits', () => {
  it('reads bounds for every field', () => {
    expect(FIELDS.map((f) => f.name).sort()).toEqual(Object.keys(DEFAULT_LIMITS).sort());
    for (const f of FIELDS) expect([f.name, Number.isFinite(f.min) && Number.isFinite(f.max)]).toEqual([f.name, true]);
  });

  it('converts MB to bytes exactly, at each extreme of every field, never wrapping at 32 bits', () => {
    for (const f of FIELDS) {
      for (const value of [f.min, f.max]) {
        const limits = SandboxLimitsSchema.parse({ [f.name]: value });
        const caps = snapshotCaps(limits);
        const docker = containerBytes(limits);
        const expected = {
          maxFileBytes: limits.maxFileMb * 1024 * 1024,
          maxTotalBytes: limits.maxSnapshotMb * 1024 * 1024,
          maxDownloadBytes: limits.maxDownloadMb * 1024 * 1024,
          maxUnpackedBytes: limits.maxUnpackedMb * 1024 * 1024,
          maxEntries: limits.maxEntries,
        };
        expect({ field: f.name, value, caps, docker }).toEqual({
          field: f.name,
          value,
          caps: expected,
          docker: { memoryBytes: limits.memoryMb * 1024 * 1024, maxWriteBytes: limits.maxWriteMb * 1024 * 1024 },
        });
        for (const n of [...Object.values(caps), ...Object.values(docker)]) expect(n).toBeGreaterThan(0);
      }
      expect(SandboxLimitsSchema.safeParse({ [f.name]: f.min - 1 }).success).toBe(false);
      expect(SandboxLimitsSchema.safeParse({ [f.name]: f.max + 1 }).success).toBe(false);
    }
  });

  it('the sizes that once overflowed: 2048 MB is 2 GiB, 4096 and 8192 MB are not 0', () => {
    expect(bytesOfMb(2048)).toBe(2_147_483_648);
    expect(bytesOfMb(4096)).toBe(4_294_967_296);
    expect(snapshotCaps(SandboxLimitsSchema.parse({ maxSnapshotMb: 8192, maxFileMb: 4096 }))).toMatchObject({
      maxTotalBytes: 8_589_934_592,
      maxFileBytes: 4_294_967_296,
    });
  });
});

describe('install step limits', () => {
  it('derive its containers at both extremes of the course keys, in exact bytes', () => {
    for (const maxMb of [16, 8192]) {
      const limits = installContainerLimits(InstallLimitsSchema.parse({ maxMb }));
      expect(limits).toMatchObject({ workMb: 2 * maxMb, memoryBytes: (2 * maxMb + 512) * 1024 * 1024, maxWriteBytes: maxMb * 1024 * 1024 });
      expect(limits.memoryBytes).toBeGreaterThan(0);
    }
  });

  it('default to 300 s, 512 MB of packages and a 4 GB wheel cache, and refuse what is out of range', () => {
    expect(InstallLimitsSchema.parse({})).toEqual({ timeoutSeconds: 300, maxMb: 512, cacheMb: 4096 });
    for (const bad of [{ timeoutSeconds: 5 }, { timeoutSeconds: 7200 }, { maxMb: 8 }, { cacheMb: 10 }, { maxMb: 1.5 }]) {
      expect(InstallLimitsSchema.safeParse(bad).success, JSON.stringify(bad)).toBe(false);
    }
  });
});
