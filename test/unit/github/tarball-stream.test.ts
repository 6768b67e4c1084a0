import { randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Writable } from 'node:stream';
import { gzipSync } from 'node:zlib';
import { ProbotOctokit } from 'probot';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fetchSnapshot, type Octokit } from '../../../src/github/api.ts';
import { DEFAULT_LIMITS, MB, snapshotCaps, type SnapshotCaps } from '../../../src/sandbox/limits.ts';
import { SnapshotTooLarge } from '../../../src/sandbox/snapshot.ts';

/**
 * A 600 MB tarball served by a real local HTTP server the way GitHub serves one (the API
 * answers 302 to a download host), read through the real Octokit and fetchSnapshot.
 * The bound: the grader's RSS grows by less than 128 MB while it streams, whether it
 * reads all 600 MB or cuts the download at its cap. What grows is garbage V8 has not yet
 * collected: it collects external buffers after about 64 MB of them, so the bound is
 * twice that (measured on a loaded 2-core machine: 0.3–74 MB). Holding the tarball
 * whole, as the grader once did, costs at least its 600 MB (1.97 GB was seen).
 */
const RSS_BOUND = 128 * MB;
const FILE_BYTES = 8 * MB;
const FILES = 75; // 600 MB of incompressible file data
const SHA = 'f'.repeat(40);
const TOP = `org-repo-${SHA.slice(0, 7)}/`;

/** A ustar header (512 bytes). */
function tarHeader(name: string, size: number, type: 'file' | 'directory'): Buffer {
  const h = Buffer.alloc(512);
  const field = (offset: number, length: number, value: string) => h.write(value, offset, length, 'ascii');
  const octal = (offset: number, length: number, n: number) => field(offset, length, `${n.toString(8).padStart(length - 1, '0')}\0`);
  field(0, 100, name);
  octal(100, 8, type === 'file' ? 0o644 : 0o755);
  octal(108, 8, 0);
  octal(116, 8, 0);
  octal(124, 12, size);
  octal(136, 12, 1_700_000_000);
  field(148, 8, ' '.repeat(8));
  field(156, 1, type === 'file' ? '0' : '5');
  field(257, 8, 'ustar\x0000');
  let sum = 0;
  for (const byte of h) sum += byte;
  field(148, 8, `${sum.toString(8).padStart(6, '0')}\0 `);
  return h;
}

/**
 * The tarball as a list of gzip members (a multi-member gzip file is one valid stream):
 * one 1 MB member of random bytes, compressed once and sent many times, so the server
 * costs no CPU and the client still inflates 600 MB it cannot compress.
 */
function tarballMembers(): { members: Buffer[]; bytes: number } {
  const chunk = gzipSync(randomBytes(MB), { level: 1 });
  const members: Buffer[] = [gzipSync(tarHeader(TOP, 0, 'directory'))];
  for (let i = 0; i < FILES; i++) {
    members.push(gzipSync(tarHeader(`${TOP}data/part-${String(i).padStart(3, '0')}.bin`, FILE_BYTES, 'file')));
    for (let j = 0; j < FILE_BYTES / MB; j++) members.push(chunk);
  }
  members.push(gzipSync(Buffer.alloc(1024)));
  return { members, bytes: members.reduce((n, m) => n + m.length, 0) };
}

interface Served {
  sent: number;
  complete: boolean;
  closedEarly: boolean;
}

let server: Server;
let baseUrl: string;
let declareLength = false;
const served: Served[] = [];
const { members, bytes: TARBALL_BYTES } = tarballMembers();

beforeAll(async () => {
  server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://x');
    if (url.pathname === '/repos/org/repo/commits') {
      res.writeHead(200, { 'content-type': 'application/json' });
      return void res.end('[]');
    }
    if (url.pathname === `/repos/org/repo/tarball/${SHA}`) {
      res.writeHead(302, { location: `${baseUrl}/codeload/org/repo/legacy.tar.gz/${SHA}` });
      return void res.end();
    }
    if (url.pathname === `/codeload/org/repo/legacy.tar.gz/${SHA}`) {
      const log: Served = { sent: 0, complete: false, closedEarly: false };
      served.push(log);
      res.writeHead(200, { 'content-type': 'application/x-gzip', ...(declareLength ? { 'content-length': String(TARBALL_BYTES) } : {}) });
      res.on('close', () => void (log.closedEarly = !log.complete));
      let i = 0;
      const pump = () => {
        while (i < members.length && !res.destroyed) {
          const member = members[i++]!;
          log.sent += member.length;
          if (!res.write(member)) return void res.once('drain', pump);
        }
        if (i === members.length && !res.destroyed) {
          log.complete = true;
          res.end();
        }
      };
      return pump();
    }
    res.writeHead(404, { 'content-type': 'application/json' });
    res.end('{"message":"Not Found"}');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  // Warm up: the first stream loads and compiles what every later one reuses.
  await streamIt({ maxDownloadBytes: 32 * MB });
}, 60_000);

afterAll(async () => {
  server.closeAllConnections(); // Octokit's keep-alive sockets would hold close() open
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

/** Packs the served tarball through fetchSnapshot into a sink, sampling RSS; the peak growth over the start. */
async function streamIt(caps: Partial<SnapshotCaps>) {
  const octokit = new ProbotOctokit({ auth: { token: 'test' }, baseUrl, throttle: { enabled: false }, retry: { enabled: false } }) as Octokit;
  const source = await fetchSnapshot(octokit, { owner: 'org', repo: 'repo' }, SHA);
  const start = process.memoryUsage.rss();
  let peak = start;
  const sampler = setInterval(() => void (peak = Math.max(peak, process.memoryUsage.rss())), 10);
  let received = 0;
  const packed = source.pack({ ...snapshotCaps(DEFAULT_LIMITS), ...caps });
  packed.tar.on('error', () => {}); // `done` carries the reason
  packed.tar.pipe(
    new Writable({
      write(chunk: Buffer, _encoding, callback) {
        received += chunk.length;
        callback();
      },
    }),
  );
  const outcome = await packed.done.then(
    (result) => ({ result, error: undefined }),
    (error: unknown) => ({ result: undefined, error }),
  );
  clearInterval(sampler);
  peak = Math.max(peak, process.memoryUsage.rss());
  // Let the server see the connection's end.
  await new Promise((resolve) => setTimeout(resolve, 200));
  return { ...outcome, growth: peak - start, received, served: served.at(-1)! };
}

describe('a tarball streamed from GitHub', { timeout: 120_000 }, () => {
  it('is served as a 600 MB download by the fake GitHub (the figure the bounds are about)', () => {
    expect(TARBALL_BYTES).toBeGreaterThan(600 * MB);
  });

  it(`reads all 600 MB in constant memory (RSS growth < ${RSS_BOUND / MB} MB), keeping files up to the snapshot's total`, async () => {
    const run = await streamIt({ maxFileBytes: 16 * MB, maxTotalBytes: 300 * MB, maxDownloadBytes: 1024 * MB, maxUnpackedBytes: 1024 * MB });
    console.log(`600 MB tarball read whole: RSS growth ${(run.growth / MB).toFixed(1)} MB, ${(run.received / MB).toFixed(1)} MB packed for the sandbox`);
    expect(run.error).toBeUndefined();
    expect(run.served).toMatchObject({ complete: true, sent: TARBALL_BYTES });
    const kept = Math.floor((300 * MB) / FILE_BYTES);
    expect(run.result!.bytes).toBe(kept * FILE_BYTES);
    expect(run.result!.skipped).toHaveLength(FILES - kept);
    expect(run.result!.skipped.every((s) => s.reason === 'snapshot-full')).toBe(true);
    expect(run.received).toBeGreaterThan(kept * FILE_BYTES);
    expect(run.growth).toBeLessThan(RSS_BOUND);
  });

  it('cuts the download at its cap: the connection is closed, what was read stays bounded, the student is told why', async () => {
    const run = await streamIt({ maxDownloadBytes: 100 * MB });
    console.log(`600 MB tarball past a 100 MB cap: RSS growth ${(run.growth / MB).toFixed(1)} MB, server sent ${(run.served.sent / MB).toFixed(1)} MB`);
    expect(run.error).toBeInstanceOf(SnapshotTooLarge);
    expect(run.error).toMatchObject({ cap: 'download', allowed: 100 * MB });
    expect((run.error as SnapshotTooLarge).text.en).toContain('Your repository is larger than the course allows: its download passes 100.0 MB');
    expect(run.served.complete).toBe(false);
    expect(run.served.closedEarly).toBe(true);
    // Socket buffers let the server write a little past the cap, never the whole tarball.
    expect(run.served.sent).toBeLessThan(164 * MB);
    expect(run.growth).toBeLessThan(RSS_BOUND);
  });

  it('refuses a download whose declared size is past the cap before reading it', async () => {
    declareLength = true;
    try {
      const run = await streamIt({ maxDownloadBytes: 100 * MB });
      expect(run.error).toMatchObject({ cap: 'download', allowed: 100 * MB });
      expect((run.error as SnapshotTooLarge).text.en).toContain(`its download is ${(TARBALL_BYTES / MB).toFixed(1)} MB and the limit is 100.0 MB`);
      expect(run.served.complete).toBe(false);
      expect(run.served.sent).toBeLessThan(64 * MB);
      expect(run.received).toBe(0);
    } finally {
      declareLength = false;
    }
  });
});
