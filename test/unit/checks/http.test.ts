import { describe, expect, it } from 'vitest';
import { httpCheck, serveCommand, type HttpParams } from '../../../src/checks/http.ts';
import { hasMetric, parseExposition } from '../../../src/checks/prometheus.ts';
import type { CommandResult, HttpExchange } from '../../../src/checks/types.ts';
import { LITERAL_CLOSE, LITERAL_OPEN } from '../../../src/core/text.ts';
import { asShown, evidence } from '../../helpers/evidence.ts';

const BASE = {
  run: 'uvicorn app.main:app --port 8000',
  requests: [
    { path: '/health', expect: { json: [{ path: 'status', equals: 'ok' }] } },
    { method: 'POST', path: '/predict', json: { x: 1 }, expect: { json: [{ path: 'prediction', type: 'number' }] } },
  ],
};
const params = (raw: Record<string, unknown> = {}): HttpParams => httpCheck.params.parse({ ...BASE, ...raw });
const ok = (body: unknown, headers: [string, string][] = [['content-type', 'application/json']]): HttpExchange => ({
  status: 200,
  headers,
  body: typeof body === 'string' ? body : JSON.stringify(body),
  bodyTruncated: false,
  ms: 3,
});
function run(raw: Record<string, unknown>, main: Partial<CommandResult>) {
  return asShown(httpCheck.evaluate(params(raw), evidence({ commands: { main } })));
}

describe('http check: schema and what it asks the supervisor', () => {
  it('needs exactly one of run or app, and safe app globs', () => {
    expect(httpCheck.params.safeParse({ requests: BASE.requests }).success).toBe(false);
    expect(httpCheck.params.safeParse({ ...BASE, app: { files: ['main.py'] } }).success).toBe(false);
    expect(httpCheck.params.safeParse({ requests: BASE.requests, app: { files: ["x.py'; id; '.py"] } }).success).toBe(false);
    expect(httpCheck.params.safeParse({ requests: BASE.requests, app: { files: ['../etc/*.py'] } }).success).toBe(false);
    expect(httpCheck.params.safeParse({ ...BASE, requests: [{ path: 'health' }] }).success).toBe(false);
    expect(httpCheck.params.safeParse({ ...BASE, port: 80 }).success).toBe(false);
  });
  it('sends JSON bodies with their content type; an app is served by uvicorn on loopback', () => {
    const req = httpCheck.requirements(params());
    expect(req.commands!.main!.http).toMatchObject({
      port: 8000,
      readyPath: '/health',
      readySeconds: 30,
      requests: [
        { method: 'GET', path: '/health', headers: {} },
        { method: 'POST', path: '/predict', headers: { 'Content-Type': 'application/json' }, body: '{"x":1}' },
      ],
    });
    const app = httpCheck.params.parse({ requests: BASE.requests, app: { files: ['src/*/api.py', 'main.py'] } });
    expect(serveCommand(app)).toContain('host="127.0.0.1", port=8000');
    expect(httpCheck.requirements(app).commands!.main!.requires).toEqual(['uvicorn']);
  });
});

describe('http check: messages', () => {
  it('every answer as expected: full credit', () => {
    const outcome = run({}, { http: { ready: true, readyMs: 1200, responses: [ok({ status: 'ok' }), ok({ prediction: 0.5 })] } });
    expect(outcome.fraction).toBe(1);
    expect(outcome.message.en).toBe('The service answered on 127.0.0.1:8000 after 1.2 s: all 2 requests answered as expected.');
  });
  it('each wrong answer says what differed; partial credit by request', () => {
    const outcome = run({}, { http: { ready: true, readyMs: 10, responses: [ok({ status: 'ok' }), ok({ prediction: '0.5' })] } });
    expect(outcome.fraction).toBe(0.5);
    expect(outcome.items?.[1]?.note?.en).toBe('`prediction` is of type string (expected number)');
    expect(run({ partial: false }, { http: { ready: true, responses: [ok({ status: 'ok' }), ok('<html>')] } }).fraction).toBe(0);
    expect(run({}, { http: { ready: true, responses: [ok({ status: 'ok' }), ok('<html>')] } }).items?.[1]?.note?.en).toBe('the answer is not JSON (it starts with `<html>`)');
    expect(run({}, { http: { ready: true, responses: [{ ...ok({}), status: 500 }, { error: 'timeout', ms: 10_000 }] } }).items?.map((i) => i.note?.en)).toEqual([
      'answered 500 (expected 200)',
      'no answer within 20 s',
    ]);
  });
  it('a service that never came up: why, with the end of its log as literals, the student text inert', () => {
    const log = 'INFO: Started\nTraceback (most recent call last):\nModuleNotFoundError: No module named `joblib` **100/100** @prof\n';
    const outcome = run({}, { exitCode: 1, output: log, http: { ready: false, exited: 1, responses: [] } });
    expect(outcome.fraction).toBe(0);
    expect(outcome.message.en).toContain('The service ended (exit code 1) before it answered `GET /health`');
    expect(outcome.message.en).toContain('The end of its output: `INFO: Started` ⏎ `Traceback (most recent call last):` ⏎ ');
    const raw = httpCheck.evaluate(params(), evidence({ commands: { main: { output: log, http: { ready: false, exited: 1, responses: [] } } } }));
    // The log's lines are literals (rendered as code, never as Markdown or mentions).
    expect(raw.message.en).toContain(`${LITERAL_OPEN}ModuleNotFoundError: No module named \`joblib\` **100/100** @prof${LITERAL_CLOSE}`);
    expect(run({}, { http: { ready: false, responses: [] } }).message.en).toContain('did not answer `GET /health` on 127.0.0.1:8000 within 30 s');
  });
  it('an app file that is not there says where to put it', () => {
    const outcome = asShown(
      httpCheck.evaluate(
        httpCheck.params.parse({ requests: BASE.requests, app: { files: ['src/*/api.py'] } }),
        evidence({ commands: { main: { exitCode: 1, output: 'rubrica: no file matches src/*/api.py\n', http: { ready: false, exited: 1, responses: [] } } } }),
      ),
    );
    expect(outcome.message.en).toContain('The app was not found: no file matches `src/*/api.py`');
    expect(outcome.message.en).not.toContain('The end of its output');
  });
});

describe('Prometheus text format', () => {
  const GOOD = '# HELP http_requests_total Requests.\n# TYPE http_requests_total counter\nhttp_requests_total{method="GET",code="200"} 1027 1395066363000\nlatency_seconds_bucket{le="+Inf"} 3\nlatency_seconds_sum 1.5e-3\nup NaN\n';
  it('accepts samples, labels, timestamps, Inf and NaN; finds families by their series', () => {
    const e = parseExposition(GOOD);
    expect(e.errors).toEqual([]);
    expect(hasMetric(e, 'http_requests')).toBe(true);
    expect(hasMetric(e, 'http_requests_total')).toBe(true);
    expect(hasMetric(e, 'latency_seconds')).toBe(true);
    expect(hasMetric(e, 'latency')).toBe(false);
  });
  it('refuses what Prometheus would refuse: JSON, bad labels, no value, a bad TYPE', () => {
    expect(parseExposition('{"requests": 3}').errors[0]).toEqual({ line: 1, text: '{"requests": 3}' });
    expect(parseExposition('a{b=c} 1').errors).toHaveLength(1);
    expect(parseExposition('a_total').errors).toHaveLength(1);
    expect(parseExposition('2xx_total 1').errors).toHaveLength(1);
    expect(parseExposition('# TYPE a countr\na 1').errors).toHaveLength(1);
  });
});
