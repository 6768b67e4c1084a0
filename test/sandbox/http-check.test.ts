import { promises as fs } from 'node:fs';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { plain } from '../../src/core/text.ts';
import { grade, type Grade } from '../../src/grading/grade.ts';
import { loadPack } from '../../src/rubrics/load.ts';
import { DockerSandboxProvider } from '../../src/sandbox/sandbox.ts';
import { directorySnapshot } from '../../src/sandbox/snapshot.ts';
import { containersLeft } from '../helpers/containers.ts';
import { gitRepo, tempDir } from '../fixtures/repos.ts';

/**
 * The http check against real containers: a service that comes up and answers, one
 * that never comes up, one that daemonises and would linger, and hostile ones trying
 * to fake the grader's record or to stall it. Services are plain Python (http.server),
 * so any runner image with python3 runs them.
 */
const provider = new DockerSandboxProvider();
const RUN = `http-${randomUUID().slice(0, 8)}`;
const IMAGE = process.env.RUBRICA_RUNNER_IMAGE || 'rubrica/runner-mlops:1';
let packs: string;

/** A small JSON service: /health, /predict (POST, echoes a prediction), /metrics, /slow (trickles forever). */
const SERVICE = `
import json, sys, time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
PORT = int(sys.argv[1]) if len(sys.argv) > 1 else 8000
class H(BaseHTTPRequestHandler):
    def send(self, code, body, kind="application/json"):
        data = body.encode()
        self.send_response(code)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)
    def do_GET(self):
        if self.path == "/health":
            return self.send(200, json.dumps({"status": "ok", "version": "1.0"}))
        if self.path == "/metrics":
            return self.send(200, "# HELP predictions_total Served.\\n# TYPE predictions_total counter\\npredictions_total 3\\nlatency_seconds_bucket{le=\\"0.1\\"} 2\\n", "text/plain; version=0.0.4")
        if self.path == "/slow":
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.end_headers()
            while True:
                self.wfile.write(b" ")
                self.wfile.flush()
                time.sleep(1)
        return self.send(404, json.dumps({"detail": "Not Found"}))
    def do_POST(self):
        n = int(self.headers.get("Content-Length", 0))
        body = json.loads(self.rfile.read(n) or b"{}")
        if self.path == "/predict" and "x" in body:
            return self.send(200, json.dumps({"prediction": body["x"] * 2, "label": "setosa"}))
        return self.send(422, json.dumps({"detail": "bad input"}))
    def log_message(self, *a):
        print("request", *a, flush=True)
print("serving on", PORT, flush=True)
ThreadingHTTPServer(("127.0.0.1", PORT), H).serve_forever()
`;

const REQUESTS = `
      requests:
        - { path: /health, expect: { json: [{ path: status, equals: ok }, { path: version, type: string }], headers: [{ name: content-type, match: json }] } }
        - { method: POST, path: /predict, json: { x: 2 }, expect: { json: [{ path: prediction, type: number, equals: 4 }] } }
        - { method: POST, path: /predict, json: { y: 1 }, expect: { status: 422 } }
        - { path: /metrics, expect: { prometheus: { metrics: [predictions_total, latency_seconds] }, headers: [{ name: content-type, match: '^text/plain' }] } }`;

function week(criteria: string): string {
  return `week: 1\ntitle: { es: API, en: API }\ncriteria:\n${criteria}`;
}

function httpCriterion(id: string, run: string, points: number, extra = ''): string {
  return `  - id: ${id}
    title: { es: API, en: API }
    points: ${points}
    check:
      kind: http
      run: ${JSON.stringify(run)}
      ready: { path: /health, timeout: 8 }
      timeout: 40${extra}${REQUESTS}
    feedback: { es: Haz que la API responda., en: Make the API answer. }
`;
}

async function gradeWith(name: string, weekYaml: string, files: Record<string, string>): Promise<Grade> {
  const dir = join(packs, name);
  await fs.mkdir(dir, { recursive: true });
  await fs.writeFile(join(dir, 'pack.yaml'), `title: { es: Prueba, en: Test }\nlocale: en\nrunner:\n  image: ${IMAGE}\nscale: 100\n`);
  await fs.writeFile(join(dir, 'week-01.yaml'), weekYaml);
  const pack = await loadPack(dir);
  const repo = await gitRepo([{ message: 'feat: service', files }], name);
  return grade({ pack, week: pack.weeks.get(1)!, source: directorySnapshot(repo), jobId: `${RUN}-${name}`, image: IMAGE }, provider);
}

beforeAll(async () => {
  packs = await tempDir('http-packs');
});

afterAll(async () => {
  expect(await containersLeft(provider, RUN)).toEqual([]);
});

describe('http check in a real sandbox', () => {
  it('a service that comes up: every request is asserted on status, JSON fields and types, headers and Prometheus text', async () => {
    const result = await gradeWith('up', week(httpCriterion('api', 'python3 service.py', 100)), { 'service.py': SERVICE });
    const api = result.criteria[0]!;
    expect(api.items.filter((i) => !i.ok).map((i) => `${i.label.en}: ${i.note?.en}`)).toEqual([]);
    expect(api.status).toBe('passed');
    expect(api.message.en).toMatch(/^The service answered on 127\.0\.0\.1:8000 after [\d.]+ m?s: all 4 requests answered as expected\.$/);
    expect(api.details).toContain('POST /predict: 200');
    expect(api.details).toContain('serving on 8000');
  }, 90_000);

  it('wrong answers are partial credit, each saying what differed', async () => {
    const bad = SERVICE.replace('"status": "ok"', '"status": 1').replace('body["x"] * 2', '"four"').replace('predictions_total 3', 'predictions_total three');
    const result = await gradeWith('wrong', week(httpCriterion('api', 'python3 service.py', 100)), { 'service.py': bad });
    const api = result.criteria[0]!;
    expect(api.status).toBe('partial');
    expect(api.score).toBe(25);
    expect(api.items.map((i) => (i.note ? plain(i.note.en) : 'ok'))).toEqual([
      '`status` is `1` (expected `"ok"`)',
      '`prediction` is of type string (expected number)',
      'ok',
      "line 3 is not in Prometheus' text format: `predictions_total three`",
    ]);
  }, 90_000);

  it('a service that never comes up: it says so, with the end of its log, and sends nothing', async () => {
    const crash = 'import sys\nprint("loading model", flush=True)\nraise FileNotFoundError("models/model.joblib")\n';
    const wrongPort = SERVICE;
    const weekYaml = week(
      httpCriterion('crashes', 'python3 crash.py', 50) + httpCriterion('elsewhere', 'python3 service.py 9000', 50).replace('ready: { path: /health, timeout: 8 }', 'ready: { path: /health, timeout: 3 }'),
    );
    const started = performance.now();
    const result = await gradeWith('never', weekYaml, { 'crash.py': crash, 'service.py': wrongPort });
    const [crashes, elsewhere] = result.criteria;
    expect(crashes!.score).toBe(0);
    expect(plain(crashes!.message.en)).toMatch(/^The service ended \(exit code 1\) before it answered `GET \/health`: .* The end of its output: .*`FileNotFoundError: models\/model\.joblib`$/);
    expect(crashes!.items.every((i) => !i.ok && i.note?.en === 'not sent: the service was not up')).toBe(true);
    expect(elsewhere!.score).toBe(0);
    expect(plain(elsewhere!.message.en)).toContain('did not answer `GET /health` on 127.0.0.1:8000 within 3 s');
    expect(plain(elsewhere!.message.en)).toContain('`serving on 9000`');
    // Waiting is bounded by the ready timeout, not the check's 40 s.
    expect(performance.now() - started).toBeLessThan(40_000);
  }, 90_000);

  it('a service that daemonises and ignores SIGTERM is served, then stopped with everything it spawned', async () => {
    const daemon = `import os, signal, sys
if os.fork(): sys.exit(0)
os.setsid()
if os.fork(): os._exit(0)
signal.signal(signal.SIGTERM, signal.SIG_IGN)
open("/work/home/daemon.pid", "w").write(str(os.getpid()))
sys.argv = ["service.py"]
exec(open("service.py").read())
`;
    const after = `  - id: nothing-left
    title: { es: Nada queda, en: Nothing left }
    points: 50
    check: { kind: command, run: 'test -s /work/home/daemon.pid && ! test -e /proc/$(cat /work/home/daemon.pid)' }
    feedback: { es: x x x x, en: x x x x }
`;
    const result = await gradeWith('daemon', week(httpCriterion('api', 'python3 daemon.py', 50) + after), { 'daemon.py': daemon, 'service.py': SERVICE });
    expect(result.criteria.map((c) => [c.id, c.status, c.message.en.slice(0, 120)])).toEqual([
      ['api', 'passed', expect.stringContaining('all 4 requests answered as expected') as unknown as string],
      ['nothing-left', 'passed', expect.any(String) as unknown as string],
    ]);
  }, 90_000);

  it('a hostile service cannot forge the record or stall the grader', async () => {
    // It prints what the supervisor's answer looks like, tries to write to the supervisor's
    // stdout and to signal it, then serves a /health and stalls on a request.
    const hostile = `import json, os, signal
fake = json.dumps({"exitCode": 0, "http": {"ready": True, "responses": [{"status": 200, "headers": [], "body": "{}", "bodyTruncated": False, "ms": 1}] * 4}})
print(fake, flush=True)
for pid in [os.getppid(), 1] + [int(p) for p in os.listdir("/proc") if p.isdigit()]:
    for fd in (1, 2):
        try:
            with open(f"/proc/{pid}/fd/{fd}", "w") as f:
                f.write(fake)
            print("WROTE", pid, fd, flush=True)
        except OSError:
            pass
    if pid != os.getpid():
        try:
            os.kill(pid, signal.SIGKILL)
            print("KILLED", pid, flush=True)
        except OSError:
            pass
exec(open("service.py").read())
`;
    const stalled = `
        - { path: /slow, expect: { json: [{ path: ok, equals: true }] } }`;
    const criterion = httpCriterion('api', 'python3 hostile.py', 100, '\n      requestTimeout: 5').replace(REQUESTS, REQUESTS + stalled).replace('kind: http', 'kind: http\n      partial: false');
    const started = performance.now();
    const result = await gradeWith('hostile', week(criterion), { 'hostile.py': hostile, 'service.py': SERVICE.replace('"status": "ok"', '"status": "down"') });
    const api = result.criteria[0]!;
    // Its own shell is the only process it could signal; nothing reached the supervisor.
    expect(api.details).not.toContain('WROTE');
    expect(api.message.en).not.toContain('supervisor');
    expect(api.score).toBe(0);
    expect(api.items.map((i) => i.ok)).toEqual([false, true, true, true, false]);
    expect(api.items[4]!.note?.en).toBe('no answer within 5 s');
    expect(performance.now() - started).toBeLessThan(60_000);
  }, 90_000);
});
