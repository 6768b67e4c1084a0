import { randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { hostname } from 'node:os';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { plain } from '../../src/core/text.ts';
import { grade, type Grade } from '../../src/grading/grade.ts';
import { installNotice } from '../../src/grading/install.ts';
import { loadPack, type Pack } from '../../src/rubrics/load.ts';
import { DockerInstaller, INSTALL_LABEL, type InstallSettings } from '../../src/sandbox/install.ts';
import { DockerSandboxProvider } from '../../src/sandbox/sandbox.ts';
import { directorySnapshot } from '../../src/sandbox/snapshot.ts';
import { containersLeft } from '../helpers/containers.ts';
import { IMAGE, logsOf, startTestIndex, studentFiles, WHEEL, type TestIndex } from '../helpers/package-index.ts';
import { tempDir, writeTree } from '../fixtures/repos.ts';

/**
 * The install phase against a real package index (test/helpers/package-index.ts): a
 * container on a test network serving a PEP 503 `simple/` folder of wheels it builds at
 * start, beside a decoy HTTP server; a third server listens on the host.
 */
const provider = new DockerSandboxProvider();
const docker = provider.docker;
const RUN = `install-${randomUUID().slice(0, 8)}`;
const COURSE = `test-course-${RUN}`;
const PACK = fileURLToPath(new URL('../fixtures/packs/install/', import.meta.url));

/** Tries each URL from inside the step and says what happened: an HTTP status, or the error's name. */
const REACH_PY = `
import json, socket, sys, urllib.request
out = {}
for name, url in json.loads(sys.argv[1]).items():
    try:
        with urllib.request.build_opener(urllib.request.ProxyHandler({})).open(url, timeout=3) as r:
            out[name] = r.status
    except Exception as e:
        out[name] = type(e).__name__
try:
    socket.getaddrinfo("example.com", 80)
    out["dns"] = "resolved"
except OSError:
    out["dns"] = "failed"
print(json.dumps(out))
`;

let index: TestIndex;
/** A host that answers, on a port nothing listens on. */
const DOWN_INDEX = () => `http://${index.decoyHost}:9/simple/`;
let settings: InstallSettings;
let installer: DockerInstaller;
let hostServer: Server;
let hostHits = 0;
let pack: Pack;

async function studentRepo(requirements: string): Promise<string> {
  const dir = await tempDir('rubrica-install-');
  await writeTree(dir, studentFiles(requirements, index));
  return dir;
}

function gradeRepo(repo: string, jobId: string, installSettings: InstallSettings = settings): Promise<Grade> {
  return grade(
    { pack, week: pack.weeks.get(1)!, source: directorySnapshot(repo), jobId, image: IMAGE, install: { settings: installSettings, course: COURSE } },
    provider,
    undefined,
    installer,
  );
}

beforeAll(async () => {
  index = await startTestIndex(docker, RUN);
  settings = { index: index.url, timeoutSeconds: 120, maxMb: 64, cacheMb: 256 };
  installer = new DockerInstaller(docker, { egressNetwork: index.network });
  hostServer = createServer((_req, res) => {
    hostHits++;
    res.end('host');
  });
  await new Promise<void>((resolve) => hostServer.listen(0, '0.0.0.0', resolve));
  pack = await loadPack(PACK);
}, 60_000);

afterAll(async () => {
  hostServer?.close();
  await index?.close();
  expect(await containersLeft(provider, RUN)).toEqual([]);
  const { Volumes } = await docker.listVolumes({ filters: { label: [`${INSTALL_LABEL}.job`] } });
  expect((Volumes ?? []).filter((v) => v.Labels?.[`${INSTALL_LABEL}.job`]?.startsWith(RUN)).map((v) => v.Name)).toEqual([]);
  for (const url of [settings.index, DOWN_INDEX()]) await docker.getVolume(await installer.cacheVolume(COURSE, url)).remove().catch(() => undefined);
}, 60_000);

describe('the install step reaches the index and nothing else', () => {
  it('answers from the index; the decoy, the host and the outside stay out of reach', async () => {
    const decoyIp = (await index.decoy.inspect()).NetworkSettings.Networks[index.network]!.IPAddress;
    const networks = await Promise.all([index.network, 'bridge'].map((n) => docker.getNetwork(n).inspect()));
    const [testGateway, bridgeGateway] = networks.map((n) => (n.IPAM?.Config?.[0] as { Gateway: string }).Gateway);
    const port = (hostServer.address() as AddressInfo).port;
    const targets = {
      index: settings.index,
      decoyByName: `http://${index.decoyHost}:8000/`,
      decoyByAddress: `http://${decoyIp}:8000/`,
      hostOnTestNetwork: `http://${testGateway}:${port}/`,
      hostOnBridge: `http://${bridgeGateway}:${port}/`,
      outside: 'http://192.0.2.1/',
    };
    // Control: the same decoy and host answer a container on the test network, so their silence below is the step's doing.
    const control = await docker.createContainer({
      Image: IMAGE,
      Cmd: ['python3', '-I', '-c', REACH_PY, JSON.stringify({ decoyByName: targets.decoyByName, hostOnTestNetwork: targets.hostOnTestNetwork })],
      User: '1000:1000',
      Labels: { [`${INSTALL_LABEL}.test`]: RUN },
      HostConfig: { NetworkMode: index.network },
    });
    await control.start();
    await control.wait();
    const controlOut = JSON.parse(lastLine(await logsOf(control)));
    await control.remove({ force: true });
    expect(controlOut).toMatchObject({ decoyByName: 200, hostOnTestNetwork: 200 });
    const hitsBefore = hostHits;

    const run = await installer.runInStep(settings, { image: IMAGE, jobId: `${RUN}-reach` }, { source: REACH_PY, argument: JSON.stringify(targets), root: false });
    const reached = JSON.parse(lastLine(run.stdout));
    console.log('from inside the install step:', reached);
    expect(reached.index).toBe(200);
    for (const name of ['decoyByName', 'decoyByAddress', 'hostOnTestNetwork', 'hostOnBridge', 'outside']) expect(typeof reached[name], name).toBe('string');
    expect(reached.dns).toBe('failed');
    expect(hostHits).toBe(hitsBefore);
  }, 120_000);
});

describe('a grading with an install phase', () => {
  let first: Grade;
  let second: Grade;
  let afterFirst: string[];
  let afterSecond: string[];

  beforeAll(async () => {
    first = await gradeRepo(await studentRepo('tinydep==1.0\npytest>=7\n'), `${RUN}-first`);
    afterFirst = await index.accessLog();
    second = await gradeRepo(await studentRepo('tinydep\n'), `${RUN}-second`);
    afterSecond = await index.accessLog();
    console.log(`install phase: first ${first.timings.installMs} ms, second (cached) ${second.timings.installMs} ms; index log:`, afterSecond);
  }, 300_000);

  it("installs the declared package from the index, and the student's tests import it (read-only)", () => {
    expect(first.install).toMatchObject({ status: 'installed', packages: [{ name: 'tinydep', version: '1.0' }], keptFromImage: ['pytest'] });
    expect(first.criteria).toMatchObject([
      { id: 'tests', status: 'passed', score: 70 },
      // `requires: [tinydep]` is met by the installed package, not only by the image's.
      { id: 'requires-installed', status: 'passed', score: 30 },
    ]);
    expect(afterFirst).toContain(`GET /packages/${WHEEL} 200`);
    expect(plain(installNotice(first.install)!.en)).toBe('Your declared dependencies were installed before grading: `tinydep==1.0`.');
  });

  it('a second grading takes the wheel from the course cache: the index serves it once', () => {
    expect(second.install).toMatchObject({ status: 'installed', packages: [{ name: 'tinydep', version: '1.0' }] });
    expect(second).toMatchObject({ score: 100, criteria: [{ status: 'passed' }, { status: 'passed' }] });
    expect(afterSecond.filter((l) => l.startsWith('GET /simple/tinydep/')).length).toBe(2);
    expect(afterSecond.filter((l) => l.startsWith(`GET /packages/${WHEEL}`))).toEqual([`GET /packages/${WHEEL} 200`]);
  });

  it("a requirement the index lacks is the student's result, with pip's own reason", async () => {
    const failed = await gradeRepo(await studentRepo('tinydep\nnot-on-this-index==2.0\n'), `${RUN}-missing`);
    expect(failed.install).toMatchObject({ status: 'failed', reason: 'pip' });
    const tail = failed.install!.status === 'failed' ? failed.install!.tail : '';
    expect(tail).toMatch(/No matching distribution found for not-on-this-index==2\.0/);
    const notice = plain(installNotice(failed.install)!.en);
    expect(notice).toContain('pip could not install your declared dependencies.');
    expect(notice).toContain('`ERROR: No matching distribution found for not-on-this-index==2.0`');
    // Graded without the packages: the tests cannot import tinydep.
    expect(failed.criteria[0]).toMatchObject({ status: 'failed', score: 0 });
  }, 120_000);

  it("dependencies past the course's size limit are the student's result", async () => {
    const small = { ...settings, maxMb: 16 };
    const big = await gradeRepo(await studentRepo('bigdep\n'), `${RUN}-big`, small);
    expect(big.install).toMatchObject({ status: 'failed', reason: 'too-large' });
    expect(plain(installNotice(big.install)!.en)).toContain('Your declared dependencies take more room than the course allows.');
  }, 120_000);

  it("running out of the course's time is the student's result, said as such", async () => {
    const quick = { ...settings, timeoutSeconds: 10 };
    const started = performance.now();
    const slow = await gradeRepo(await studentRepo('slowdep\n'), `${RUN}-slow`, quick);
    expect(slow.install).toMatchObject({ status: 'failed', reason: 'timeout' });
    expect(plain(installNotice(slow.install)!.en)).toContain('Installing your declared dependencies took longer than the course allows.');
    // pip was stopped at its limit, not left to trickle the whole megabyte (about 100 s).
    expect(performance.now() - started).toBeLessThan(60_000);
  }, 120_000);

  it('volumes a dead grader left are removed; the wheel cache stays', async () => {
    const volume = await installer.createVolume(`${RUN}-leftover`);
    expect(await installer.removeLeftovers(() => false)).toBe(0);
    await installer.removeLeftovers((owner) => owner === `${hostname()}:${process.pid}`);
    const { Volumes } = await docker.listVolumes({ filters: { label: [INSTALL_LABEL] } });
    const names = (Volumes ?? []).map((v) => v.Name);
    expect(names).not.toContain(volume);
    expect(names).toContain(await installer.cacheVolume(COURSE, settings.index));
  });

  it('an index that does not answer is ours: an infrastructure error, never a zero', async () => {
    const down = { ...settings, index: DOWN_INDEX() };
    const attempt = gradeRepo(await studentRepo('tinydep\n'), `${RUN}-down`, down);
    await expect(attempt).rejects.toMatchObject({ name: 'InfrastructureError', code: 'package-index-unreachable' });
  }, 120_000);
});

function lastLine(s: string): string {
  return s.trim().split('\n').pop()!.replace(/^[^{]*/, '');
}

