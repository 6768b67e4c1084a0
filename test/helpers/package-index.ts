import type Docker from 'dockerode';
import { INSTALL_LABEL } from '../../src/sandbox/install.ts';

/**
 * A real PEP 503 package index for the install phase's tests: a container on its own
 * Docker network serving a `simple/` folder of wheels it builds at start, logging each
 * request; and a decoy HTTP server on the same network, which the install step must not
 * reach. The installer's forwarder joins this network, as it would the one naming a
 * course's mirror.
 */
export const IMAGE = process.env.RUBRICA_RUNNER_IMAGE ?? 'rubrica/runner-mlops:1';
export const WHEEL = 'tinydep-1.0-py3-none-any.whl';

/** The index: builds the wheel by hand (zip, METADATA, WHEEL, RECORD), writes simple/, serves with cache headers on files as real indexes do. */
const INDEX_PY = `
import base64, functools, hashlib, http.server, os, time, zipfile
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
# Served at a trickle (a kilobyte every 100 ms): bytes keep coming, so only the course's time limit stops pip.
build("slowdep", {"slowdep/__init__.py": b"", "slowdep/blob.bin": os.urandom(1 << 20)})
open(root + "/simple/index.html", "w").write('<a href="tinydep/">tinydep</a><a href="bigdep/">bigdep</a><a href="slowdep/">slowdep</a>')
class Index(http.server.SimpleHTTPRequestHandler):
    def copyfile(self, source, outputfile):
        if "slowdep-" not in self.path:
            return super().copyfile(source, outputfile)
        while chunk := source.read(1024):
            outputfile.write(chunk)
            outputfile.flush()
            time.sleep(0.1)
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

export interface TestIndex {
  readonly network: string;
  readonly host: string;
  readonly decoyHost: string;
  readonly url: string;
  readonly index: Docker.Container;
  readonly decoy: Docker.Container;
  /** The index's address on the test network. */
  readonly address: string;
  /** Requests the index logged, e.g. `GET /packages/tinydep-1.0-py3-none-any.whl 200`. */
  accessLog(): Promise<string[]>;
  close(): Promise<void>;
}

export async function logsOf(container: Docker.Container): Promise<string> {
  const raw = (await container.logs({ stdout: true, stderr: true, follow: false })) as unknown as Buffer;
  return raw.toString('utf8');
}

export async function startTestIndex(docker: Docker, run: string): Promise<TestIndex> {
  const network = `rubrica-test-${run}`;
  const host = `rubrica-test-index-${run}`;
  const decoyHost = `rubrica-test-decoy-${run}`;
  await docker.createNetwork({ Name: network, Driver: 'bridge', Labels: { [`${INSTALL_LABEL}.test`]: run } });
  const serve = async (name: string, cmd: string[]) => {
    const c = await docker.createContainer({
      Image: IMAGE,
      name,
      Cmd: cmd,
      User: '1000:1000',
      WorkingDir: '/tmp',
      Labels: { [`${INSTALL_LABEL}.test`]: run },
      HostConfig: { NetworkMode: network, ReadonlyRootfs: true, Tmpfs: { '/srv': 'rw,size=64m,uid=1000', '/tmp': 'rw,size=16m' }, AutoRemove: true },
    });
    await c.start();
    return c;
  };
  const index = await serve(host, ['python3', '-I', '-c', INDEX_PY]);
  const decoy = await serve(decoyHost, ['python3', '-I', '-m', 'http.server', '8000', '--directory', '/srv']);
  for (let i = 0; i < 300 && !(await logsOf(index)).includes('ready'); i++) await new Promise((r) => setTimeout(r, 100));
  const address = (await index.inspect()).NetworkSettings.Networks[network]!.IPAddress;
  return {
    network,
    host,
    decoyHost,
    url: `http://${host}:8080/simple/`,
    index,
    decoy,
    address,
    accessLog: async () =>
      (await logsOf(index)).split('\n').flatMap((line) => (line.includes('ACCESS ') ? [line.slice(line.indexOf('ACCESS ') + 7).trim()] : [])),
    close: async () => {
      await Promise.all([index, decoy].map((c) => c.remove({ force: true }).catch(() => undefined)));
      await docker.getNetwork(network).remove().catch(() => undefined);
    },
  };
}

/** A student's repository declaring `requirements`, whose tests import tinydep, find it read-only, and find the network off. */
export function studentFiles(requirements: string, index: Pick<TestIndex, 'address'>): Record<string, string> {
  return {
    'requirements.txt': requirements,
    'tests/test_dep.py': [
      'import os, socket, pytest, tinydep',
      '',
      'def test_imports_the_installed_package():',
      '    assert tinydep.VALUE == 42',
      '',
      'def test_installed_packages_are_read_only():',
      '    with pytest.raises(OSError):',
      '        open(os.path.join(os.path.dirname(tinydep.__file__), "planted.py"), "w")',
      '',
      'def test_the_network_is_off_after_the_install():',
      '    with pytest.raises(OSError):',
      `        socket.create_connection(("${index.address}", 8080), timeout=3)`,
      '',
    ].join('\n'),
  };
}
