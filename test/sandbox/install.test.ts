import { randomUUID } from 'node:crypto';
import { promises as fs } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { hostname } from 'node:os';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type Docker from 'dockerode';
import { plain } from '../../src/core/text.ts';
import { grade, type Grade } from '../../src/grading/grade.ts';
import { installNotice } from '../../src/grading/install.ts';
import { loadPack, type Pack } from '../../src/rubrics/load.ts';
import { DockerInstaller, INSTALL_LABEL, type InstallSettings } from '../../src/sandbox/install.ts';
import { DockerSandboxProvider } from '../../src/sandbox/sandbox.ts';
import { directorySnapshot } from '../../src/sandbox/snapshot.ts';
import { containersLeft } from '../helpers/containers.ts';
import { tempDir, writeTree } from '../fixtures/repos.ts';

/**
 * The install phase against a real package index: a container on a test network serves
 * a PEP 503 `simple/` folder holding one wheel it builds at start (and logs every
 * request), beside a decoy HTTP server; a third server listens on the host. The
 * installer's forwarder sits on the test network, as it would on the network naming a
 * course's mirror.
 */
const provider = new DockerSandboxProvider();
const docker = provider.docker;
const RUN = `install-${randomUUID().slice(0, 8)}`;
const IMAGE = process.env.RUBRICA_RUNNER_IMAGE ?? 'rubrica/runner-mlops:1';
const NETWORK = `rubrica-test-${RUN}`;
const INDEX_HOST = `rubrica-test-index-${RUN}`;
const DECOY_HOST = `rubrica-test-decoy-${RUN}`;
const COURSE = `test-course-${RUN}`;
const WHEEL = 'tinydep-1.0-py3-none-any.whl';

/** The index: builds the wheel by hand (zip, METADATA, WHEEL, RECORD), writes simple/, serves with cache headers on files as real indexes do. */
const INDEX_PY = `
import base64, functools, hashlib, http.server, os, zipfile
root = "/srv"
os.makedirs(root + "/packages")
def build(name, files):
    """A wheel by hand: the files, METADATA, WHEEL and RECORD, zipped; and its simple/ page."""
    files = {**files, f"{name}-1.0.dist-info/METADATA": f"Metadata-Version: 2.1\\nName: {name}\\nVersion: 1.0\\n",
             f"{name}-1.0.dist-info/WHEEL": "Wheel-Version: 1.0\\nGenerator: rubrica-test\\nRoot-Is-Purelib: true\\nTag: py3-none-any\\n"}
    files = {p: c.encode() if isinstance(c, str) else c for p, c in files.items()}
    record = "".join(f"{p},sha256={digest(c)},{len(c)}\\n" for p, c in files.items()) + f"{name}-1.0.dist-info/RECORD,,\\n"
    wheel = f"{name}-1.0-py3-none-any.whl"
    with zipfile.ZipFile(f"{root}/packages/{wheel}", "w") as z:
        for p, c in files.items():
            z.writestr(p, c)
        z.writestr(f"{name}-1.0.dist-info/RECORD", record)
    sha = hashlib.sha256(open(f"{root}/packages/{wheel}", "rb").read()).hexdigest()
    os.makedirs(f"{root}/simple/{name}")
    open(f"{root}/simple/{name}/index.html", "w").write(f'<a href="../../packages/{wheel}#sha256={sha}">{wheel}</a>')
def digest(data):
    return base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
build("tinydep", {"tinydep/__init__.py": b"VALUE = 42\\n"})
# Past a 16 MB install limit: 24 MB that do not compress.
build("bigdep", {"bigdep/__init__.py": b"", "bigdep/blob.bin": os.urandom(24 << 20)})
open(root + "/simple/index.html", "w").write('<a href="tinydep/">tinydep</a><a href="bigdep/">bigdep</a>')
class Index(http.server.SimpleHTTPRequestHandler):
    def end_headers(self):
        if self.path.startswith("/packages/"):
            self.send_header("Cache-Control", "max-age=31536000, immutable")
        super().end_headers()
    def log_request(self, code="-", size="-"):
        print("ACCESS", self.command, self.path, code, flush=True)
server = http.server.ThreadingHTTPServer(("0.0.0.0", 8080), functools.partial(Index, directory=root))
print("ready", flush=True)
server.serve_forever()
`;

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

const settings: InstallSettings = { index: `http://${INDEX_HOST}:8080/simple/`, timeoutSeconds: 120, maxMb: 64, cacheMb: 256 };
const installer = new DockerInstaller(docker, { egressNetwork: NETWORK });
let index: Docker.Container;
let decoy: Docker.Container;
let hostServer: Server;
let hostHits = 0;
let pack: Pack;

async function logsOf(container: Docker.Container): Promise<string> {
  const raw = (await container.logs({ stdout: true, stderr: true, follow: false })) as unknown as Buffer;
  return raw.toString('utf8');
}

async function serverOnTestNetwork(name: string, cmd: string[]): Promise<Docker.Container> {
  const c = await docker.createContainer({
    Image: IMAGE,
    name,
    Cmd: cmd,
    User: '1000:1000',
    WorkingDir: '/tmp',
    Labels: { [`${INSTALL_LABEL}.test`]: RUN },
    HostConfig: { NetworkMode: NETWORK, ReadonlyRootfs: true, Tmpfs: { '/srv': 'rw,size=64m,uid=1000', '/tmp': 'rw,size=16m' }, AutoRemove: true },
  });
  await c.start();
  return c;
}

/** Requests the index logged, e.g. `GET /packages/tinydep-1.0-py3-none-any.whl 200`. */
async function accessLog(): Promise<string[]> {
  return (await logsOf(index)).split('\n').flatMap((line) => (line.includes('ACCESS ') ? [line.slice(line.indexOf('ACCESS ') + 7).trim()] : []));
}

/** The index's address on the test network: the grading container must not reach it. */
let indexIp: string;

async function studentRepo(requirements: string): Promise<string> {
  const dir = await tempDir('rubrica-install-');
  await writeTree(dir, {
    'requirements.txt': requirements,
    'tests/test_dep.py': [
      'import os, pytest, tinydep',
      '',
      'def test_imports_the_installed_package():',
      '    assert tinydep.VALUE == 42',
      '',
      'def test_installed_packages_are_read_only():',
      '    with pytest.raises(OSError):',
      '        open(os.path.join(os.path.dirname(tinydep.__file__), "planted.py"), "w")',
      '',
      'def test_the_network_is_off_after_the_install():',
      '    import socket',
      '    with pytest.raises(OSError):',
      `        socket.create_connection(("${indexIp}", 8080), timeout=3)`,
      '',
    ].join('\n'),
  });
  return dir;
}

function gradeRepo(repo: string, jobId: string): Promise<Grade> {
  return grade(
    { pack, week: pack.weeks.get(1)!, source: directorySnapshot(repo), jobId, image: IMAGE, install: { settings, course: COURSE } },
    provider,
    undefined,
    installer,
  );
}

beforeAll(async () => {
  await docker.createNetwork({ Name: NETWORK, Driver: 'bridge', Labels: { [`${INSTALL_LABEL}.test`]: RUN } });
  index = await serverOnTestNetwork(INDEX_HOST, ['python3', '-I', '-c', INDEX_PY]);
  decoy = await serverOnTestNetwork(DECOY_HOST, ['python3', '-I', '-m', 'http.server', '8000', '--directory', '/srv']);
  for (let i = 0; i < 300 && !(await logsOf(index)).includes('ready'); i++) await new Promise((r) => setTimeout(r, 100));
  indexIp = (await index.inspect()).NetworkSettings.Networks[NETWORK]!.IPAddress;
  hostServer = createServer((_req, res) => {
    hostHits++;
    res.end('host');
  });
  await new Promise<void>((resolve) => hostServer.listen(0, '0.0.0.0', resolve));
  const dir = await tempDir('rubrica-install-pack-');
  await fs.writeFile(join(dir, 'pack.yaml'), `title: { es: Instalación, en: Install }\nlocale: en\nrunner:\n  image: ${IMAGE}\nscale: 100\npassMark: 0.6\n`);
  await fs.writeFile(
    join(dir, 'week-01.yaml'),
    [
      'week: 1',
      'title: { es: Dependencias, en: Dependencies }',
      'criteria:',
      '  - id: tests',
      '    title: { es: Tests, en: Tests }',
      '    points: 100',
      '    check:',
      '      kind: command',
      '      run: python3 -m pytest -q -p no:cacheprovider tests',
      '      timeout: 60',
      '    feedback: { es: Arregla los tests., en: Fix the tests. }',
      '',
    ].join('\n'),
  );
  pack = await loadPack(dir);
}, 60_000);

afterAll(async () => {
  hostServer?.close();
  await Promise.all([index, decoy].map((c) => c?.remove({ force: true }).catch(() => undefined)));
  await docker.getNetwork(NETWORK).remove().catch(() => undefined);
  expect(await containersLeft(provider, RUN)).toEqual([]);
  const { Volumes } = await docker.listVolumes({ filters: { label: [`${INSTALL_LABEL}.job`] } });
  expect((Volumes ?? []).filter((v) => v.Labels?.[`${INSTALL_LABEL}.job`]?.startsWith(RUN)).map((v) => v.Name)).toEqual([]);
  await docker.getVolume(await installer.cacheVolume(COURSE, settings.index)).remove().catch(() => undefined);
}, 60_000);

describe('the install step reaches the index and nothing else', () => {
  it('answers from the index; the decoy, the host and the outside stay out of reach', async () => {
    const decoyIp = (await decoy.inspect()).NetworkSettings.Networks[NETWORK]!.IPAddress;
    const networks = await Promise.all([NETWORK, 'bridge'].map((n) => docker.getNetwork(n).inspect()));
    const [testGateway, bridgeGateway] = networks.map((n) => (n.IPAM?.Config?.[0] as { Gateway: string }).Gateway);
    const port = (hostServer.address() as AddressInfo).port;
    const targets = {
      index: settings.index,
      decoyByName: `http://${DECOY_HOST}:8000/`,
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
      HostConfig: { NetworkMode: NETWORK },
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
    afterFirst = await accessLog();
    second = await gradeRepo(await studentRepo('tinydep\n'), `${RUN}-second`);
    afterSecond = await accessLog();
    console.log(`install phase: first ${first.timings.installMs} ms, second (cached) ${second.timings.installMs} ms; index log:`, afterSecond);
  }, 300_000);

  it("installs the declared package from the index, and the student's tests import it (read-only)", () => {
    expect(first.install).toMatchObject({ status: 'installed', packages: [{ name: 'tinydep', version: '1.0' }], keptFromImage: ['pytest'] });
    expect(first.criteria[0]).toMatchObject({ id: 'tests', status: 'passed', score: 100 });
    expect(afterFirst).toContain(`GET /packages/${WHEEL} 200`);
    expect(plain(installNotice(first.install)!.en)).toBe('Your declared dependencies were installed before grading: `tinydep==1.0`.');
  });

  it('a second grading takes the wheel from the course cache: the index serves it once', () => {
    expect(second.install).toMatchObject({ status: 'installed', packages: [{ name: 'tinydep', version: '1.0' }] });
    expect(second.criteria[0]).toMatchObject({ status: 'passed', score: 100 });
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
    const big = await grade(
      { pack, week: pack.weeks.get(1)!, source: directorySnapshot(await studentRepo('bigdep\n')), jobId: `${RUN}-big`, image: IMAGE, install: { settings: small, course: COURSE } },
      provider,
      undefined,
      installer,
    );
    expect(big.install).toMatchObject({ status: 'failed', reason: 'too-large' });
    expect(plain(installNotice(big.install)!.en)).toContain('Your declared dependencies take more room than the course allows.');
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
    const down = { ...settings, index: `http://${DECOY_HOST}:9/simple/` };
    const attempt = grade(
      { pack, week: pack.weeks.get(1)!, source: directorySnapshot(await studentRepo('tinydep\n')), jobId: `${RUN}-down`, image: IMAGE, install: { settings: down, course: COURSE } },
      provider,
      undefined,
      installer,
    );
    await expect(attempt).rejects.toMatchObject({ name: 'InfrastructureError', code: 'package-index-unreachable' });
  }, 120_000);
});

function lastLine(s: string): string {
  return s.trim().split('\n').pop()!.replace(/^[^{]*/, '');
}

