import { z } from 'zod';
import { RegexSchema, TextSchema } from '../core/schemas.ts';
import { listed, literal, noun, ofTotal, seconds, t, type Text } from '../core/text.ts';
import { commandOf, joinTexts, PythonModulesSchema, resolvePath, runnerImageIncomplete, stoppedMessage, TimeoutSchema } from './command.ts';
import { hasMetric, parseExposition } from './prometheus.ts';
import { creditOf, defineCheck, type ChecklistItem, type CommandResult, type HttpExchange, type HttpProbe } from './types.ts';

const REQUESTS = noun('pedido', 'pedidos', 'request', 'requests');

/**
 * A TA's look at a running service: the student's command starts it inside the sandbox
 * (loopback only, no network), the grader's supervisor (root, isolated Python) waits
 * until it answers, sends the requests and records the answers on its own stdout, then
 * ends every process of the student's. The service can answer whatever it likes, but it
 * cannot touch what the supervisor recorded; the assertions run here, on that record.
 */

const Scalar = z.union([z.string(), z.number(), z.boolean(), z.null()]);
const JSON_TYPES = ['string', 'number', 'integer', 'boolean', 'array', 'object', 'null'] as const;
type JsonType = (typeof JSON_TYPES)[number];

const JsonExpectSchema = z.strictObject({
  /** Dotted path into the answer, e.g. `status`, `paths./predict.post` (keys may contain slashes). */
  path: z.string().regex(/^[^.]+(\.[^.]+)*$/, 'write a dotted path such as status or paths./predict'),
  type: z.enum(JSON_TYPES).optional(),
  equals: Scalar.optional(),
  /** A string (or number) value matches this regular expression. */
  match: RegexSchema.optional(),
});

const HeaderName = z.string().regex(/^[A-Za-z0-9-]+$/, 'write a header name such as content-type');

const ExpectSchema = z.strictObject({
  /** One status or any of a list. */
  status: z.union([z.number().int().min(100).max(599), z.array(z.number().int().min(100).max(599)).min(1)]).default(200),
  json: z.array(JsonExpectSchema).default([]),
  headers: z.array(z.strictObject({ name: HeaderName, match: RegexSchema })).default([]),
  /** The body is Prometheus' text format, with samples of these metrics (families or series). */
  prometheus: z
    .strictObject({ metrics: z.array(z.string().regex(/^[a-zA-Z_:][a-zA-Z0-9_:]*$/, 'write a metric name')).default([]) })
    .optional(),
  /** The body matches this regular expression. */
  body: RegexSchema.optional(),
});
type Expect = z.output<typeof ExpectSchema>;

const RequestSchema = z.strictObject({
  label: TextSchema.optional(),
  method: z.enum(['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD', 'OPTIONS']).default('GET'),
  path: z.string().regex(/^\/[\x21-\x7e]*$/, 'write a path starting with /, e.g. /predict?x=1'),
  /** Sent as the JSON body (with `Content-Type: application/json`). */
  json: z.unknown().optional(),
  headers: z.record(HeaderName, z.string().regex(/^[\x20-\x7e]*$/, 'printable ASCII only')).default({}),
  expect: ExpectSchema.default({ status: 200, json: [], headers: [] }),
});
type RequestParams = z.output<typeof RequestSchema>;

/** A glob of the repository naming the file that defines the app: safe for the shell and for Python's glob. */
const AppGlob = z
  .string()
  .regex(/^(?!\/)(?!.*(^|\/)\.\.(\/|$))[A-Za-z0-9_*.\/-]+\.py$/, 'write a glob of Python files of the repository, e.g. src/*/api.py');

const schema = z
  .strictObject({
    /** Starts the service (as the student would); it must listen on 127.0.0.1:port. */
    run: z.string().min(1).optional(),
    /** …or the grader serves an ASGI app with uvicorn: the first file matching `files`, its `attribute`. */
    app: z
      .strictObject({
        files: z.array(AppGlob).min(1),
        attribute: z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'write a Python name, e.g. app').default('app'),
      })
      .optional(),
    port: z.number().int().min(1024).max(65535).default(8000),
    ready: z
      .strictObject({
        /** Any HTTP answer on this path means the service is up. */
        path: z.string().regex(/^\/[\x21-\x7e]*$/).default('/health'),
        timeout: z.number().int().min(1).max(300).default(30),
      })
      .default({ path: '/health', timeout: 30 }),
    requests: z.array(RequestSchema).min(1),
    /** Seconds each request may take once the service is up (the first may load a model). */
    requestTimeout: z.number().int().min(1).max(120).default(20),
    /** Seconds for everything: starting, waiting and every request. */
    timeout: TimeoutSchema,
    requires: PythonModulesSchema.default([]),
    partial: z.boolean().default(true),
  })
  .refine((p) => (p.run === undefined) !== (p.app === undefined), { message: 'give either `run` (a command) or `app` (files with an ASGI app), not both' });
export type HttpParams = z.output<typeof schema>;

/** Bytes of each answer the supervisor keeps. */
const BODY_CAP = 256 * 1024;

/** The command that serves `app`: the first matching file, imported as a module of its folder (src/ layouts too). */
export function serveCommand(params: HttpParams): string {
  if (params.run) return params.run;
  const app = params.app!;
  const python = [
    'import glob, sys',
    `patterns = ${JSON.stringify(app.files)}`,
    'hits = [p for pattern in patterns for p in sorted(glob.glob(pattern))]',
    'if not hits: sys.exit("rubrica: no file matches " + ", ".join(patterns))',
    'path = hits[0]',
    'root = "src" if path.startswith("src/") else "."',
    'module = (path[4:] if root == "src" else path)[:-3].replace("/", ".")',
    'sys.path[:0] = [root, "."]',
    `print("rubrica: serving " + module + ":${app.attribute} from " + path, flush=True)`,
    'import uvicorn',
    `uvicorn.run(module + ":${app.attribute}", host="127.0.0.1", port=${params.port})`,
  ].join('\n');
  return `python3 -c '${python}'`;
}

function probeOf(params: HttpParams): HttpProbe {
  return {
    port: params.port,
    readyPath: params.ready.path,
    readySeconds: Math.min(params.ready.timeout, params.timeout),
    requestSeconds: params.requestTimeout,
    bodyCap: BODY_CAP,
    requests: params.requests.map((r) => ({
      method: r.method,
      path: r.path,
      headers: { ...(r.json !== undefined ? { 'Content-Type': 'application/json' } : {}), ...r.headers },
      ...(r.json !== undefined ? { body: JSON.stringify(r.json) } : {}),
    })),
  };
}

function requestName(r: RequestParams): string {
  return `${r.method} ${r.path}`;
}

function statuses(expect: Expect): number[] {
  return Array.isArray(expect.status) ? expect.status : [expect.status];
}

function typeOf(value: unknown): JsonType {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  if (typeof value === 'number') return Number.isInteger(value) ? 'integer' : 'number';
  return typeof value as JsonType;
}

function shownValue(value: unknown): string {
  return literal((JSON.stringify(value) ?? String(value)).slice(0, 80));
}

function header(exchange: Extract<HttpExchange, { status: number }>, name: string): string | undefined {
  return exchange.headers.find(([k]) => k.toLowerCase() === name.toLowerCase())?.[1];
}

/** What is wrong with an answer, in one phrase; null when it meets every expectation. */
function firstProblem(r: RequestParams, exchange: HttpExchange | undefined, limit: number): Text | null {
  if (!exchange) return t('no se envió', 'not sent');
  if ('error' in exchange) {
    switch (exchange.error) {
      case 'timeout':
        return t(`no respondió en ${limit} s`, `no answer within ${limit} s`);
      case 'refused':
        return t('el servicio ya no aceptaba conexiones (¿se cayó?)', 'the service no longer accepted connections (did it crash?)');
      case 'reset':
        return t('el servicio cortó la conexión sin responder', 'the service dropped the connection without answering');
      default:
        return t('la respuesta no es HTTP válido', 'the answer is not valid HTTP');
    }
  }
  const wanted = statuses(r.expect);
  if (!wanted.includes(exchange.status)) {
    return t(`respondió ${exchange.status} (se esperaba ${wanted.join(' o ')})`, `answered ${exchange.status} (expected ${wanted.join(' or ')})`);
  }
  for (const h of r.expect.headers) {
    const value = header(exchange, h.name);
    if (value === undefined) return t(`falta el encabezado ${literal(h.name)}`, `the ${literal(h.name)} header is missing`);
    if (!new RegExp(h.match, 'u').test(value)) {
      return t(`el encabezado ${literal(h.name)} es ${literal(value.slice(0, 80))}, no /${h.match}/`, `the ${literal(h.name)} header is ${literal(value.slice(0, 80))}, not /${h.match}/`);
    }
  }
  if (r.expect.json.length) {
    let data: unknown;
    try {
      data = JSON.parse(exchange.body);
    } catch {
      return exchange.bodyTruncated
        ? t('la respuesta es demasiado grande para leerla como JSON', 'the answer is too large to read as JSON')
        : t(`la respuesta no es JSON (empieza con ${literal(exchange.body.slice(0, 60) || '(vacía)')})`, `the answer is not JSON (it starts with ${literal(exchange.body.slice(0, 60) || '(empty)')})`);
    }
    for (const j of r.expect.json) {
      const found = resolvePath(data, j.path);
      if (!found.found) return t(`el JSON no tiene ${literal(j.path)}`, `the JSON has no ${literal(j.path)}`);
      const actual = typeOf(found.value);
      if (j.type && actual !== j.type && !(j.type === 'number' && actual === 'integer')) {
        return t(`${literal(j.path)} es de tipo ${actual} (se esperaba ${j.type})`, `${literal(j.path)} is of type ${actual} (expected ${j.type})`);
      }
      if (j.equals !== undefined && found.value !== j.equals) {
        return t(`${literal(j.path)} es ${shownValue(found.value)} (se esperaba ${shownValue(j.equals)})`, `${literal(j.path)} is ${shownValue(found.value)} (expected ${shownValue(j.equals)})`);
      }
      if (j.match && !((typeof found.value === 'string' || typeof found.value === 'number') && new RegExp(j.match, 'u').test(String(found.value)))) {
        return t(`${literal(j.path)} es ${shownValue(found.value)}, que no coincide con /${j.match}/`, `${literal(j.path)} is ${shownValue(found.value)}, which does not match /${j.match}/`);
      }
    }
  }
  if (r.expect.prometheus) {
    const exposition = parseExposition(exchange.body);
    const bad = exposition.errors[0];
    if (bad) {
      return t(
        `la línea ${bad.line} no está en el formato de texto de Prometheus: ${literal(bad.text)}`,
        `line ${bad.line} is not in Prometheus' text format: ${literal(bad.text)}`,
      );
    }
    if (exposition.samples.size === 0) return t('no hay ninguna métrica', 'there is no metric at all');
    const missing = r.expect.prometheus.metrics.filter((m) => !hasMetric(exposition, m));
    if (missing.length) {
      return t(`faltan las métricas ${missing.map((m) => literal(m)).join(', ')}`, `the metrics ${missing.map((m) => literal(m)).join(', ')} are missing`);
    }
  }
  if (r.expect.body && !new RegExp(r.expect.body, 'mu').test(exchange.body)) {
    return t(`la respuesta no contiene /${r.expect.body}/`, `the answer does not match /${r.expect.body}/`);
  }
  return null;
}

function requestItem(r: RequestParams, exchange: HttpExchange | undefined, limit: number): ChecklistItem {
  const label = r.label ?? t(`${requestName(r)} responde ${statuses(r.expect).join(' o ')}`, `${requestName(r)} answers ${statuses(r.expect).join(' or ')}`);
  const problem = firstProblem(r, exchange, limit);
  return problem ? { label, ok: false, note: problem } : { label, ok: true };
}

/** The last lines of the service's log, each a literal: what a student needs to see why it never came up. */
function logTail(output: string, lines = 6): Text | null {
  const kept = output.split('\n').map((l) => l.trimEnd()).filter((l) => l.trim() !== '').slice(-lines);
  if (!kept.length) return null;
  const shown = kept.map((l) => literal(l.slice(0, 200))).join(' ⏎ ');
  return t(`Lo último de su salida: ${shown}`, `The end of its output: ${shown}`);
}

function exchangeDetails(r: RequestParams, exchange: HttpExchange | undefined): string {
  if (!exchange) return `${requestName(r)}: not sent`;
  if ('error' in exchange) return `${requestName(r)}: ${exchange.error} after ${seconds(exchange.ms)}`;
  const body = exchange.body.length > 600 ? `${exchange.body.slice(0, 600)}…` : exchange.body;
  return `${requestName(r)}: ${exchange.status} in ${seconds(exchange.ms)}\n${body.replace(/\n$/, '') || '(empty body)'}`;
}

function details(run: string, params: HttpParams, result: CommandResult): string {
  const log = result.output.replace(/\n$/, '') || '(no output)';
  const exchanges = result.http?.ready ? params.requests.map((r, i) => exchangeDetails(r, result.http!.responses[i])).join('\n\n') : '';
  return `$ ${run}\n${log}${result.outputTruncated ? '\n[log cut in the middle]' : ''}${exchanges ? `\n\n--- requests ---\n${exchanges}` : ''}`;
}

/** A service started in the sandbox, asked over loopback: status, JSON fields and types, headers, Prometheus metrics. */
export const httpCheck = defineCheck<HttpParams>({
  kind: 'http',
  params: schema,
  requirements(params) {
    const requires = params.app && !params.requires.includes('uvicorn') ? [...params.requires, 'uvicorn'] : params.requires;
    return { commands: { main: { run: serveCommand(params), timeoutSeconds: params.timeout, requires, http: probeOf(params) } } };
  },
  evaluate(params, evidence) {
    const run = serveCommand(params);
    const result = commandOf(evidence, 'main');
    if (result.missingModules.length > 0) return runnerImageIncomplete(result, params.run ?? `uvicorn ${params.app!.files.join(' ')}`);
    const ready = `GET ${params.ready.path}`;
    const items = params.requests.map((r, i) => requestItem(r, result.http?.ready ? result.http.responses[i] : undefined, params.requestTimeout));
    const lost = result.failure ? stoppedMessage(result, params.timeout, t('el servicio', 'the service')) : null;
    if (lost || !result.http?.ready) {
      const unmatched = /^rubrica: no file matches (.*)$/m.exec(result.output);
      let headline: Text;
      if (lost) headline = lost;
      else if (unmatched) {
        const where = params.app!.files.map((f) => literal(f)).join(', ');
        headline = t(
          `No encontré la app: ningún archivo coincide con ${where}. Pon tu app (\`${params.app!.attribute} = FastAPI(...)\`) en uno de ellos.`,
          `The app was not found: no file matches ${where}. Put your app (\`${params.app!.attribute} = FastAPI(...)\`) in one of them.`,
        );
      } else if (result.killed) {
        headline = t(
          'El servicio fue detenido por el límite de memoria antes de responder: ¿carga datos o un modelo enorme al iniciar?',
          'The service was killed by the memory limit before it answered: does it load large data or a huge model at start-up?',
        );
      } else if (result.http?.exited !== undefined) {
        headline = t(
          `El servicio terminó (código ${result.http.exited}) antes de responder ${literal(ready)}: arráncalo en tu máquina y mira el error.`,
          `The service ended (exit code ${result.http.exited}) before it answered ${literal(ready)}: start it on your machine and look at the error.`,
        );
      } else {
        const limit = seconds(Math.min(params.ready.timeout, params.timeout) * 1000);
        headline = t(
          `El servicio no respondió ${literal(ready)} en 127.0.0.1:${params.port} en ${limit}: revisa que escuche en ese puerto y que no tarde en arrancar (carga el modelo en el primer pedido).`,
          `The service did not answer ${literal(ready)} on 127.0.0.1:${params.port} within ${limit}: check that it listens on that port and starts quickly (load the model on the first request).`,
        );
      }
      return {
        fraction: 0,
        // The log says no more than the headline when nothing ran or no file matched.
        message: joinTexts([headline, lost || unmatched ? null : logTail(result.output)]),
        items: items.map((i) => ({ ...i, ok: false, note: t('no se envió: el servicio no estaba arriba', 'not sent: the service was not up') })),
        details: details(run, params, result),
      };
    }
    const met = items.filter((i) => i.ok).length;
    const failed = items.filter((i) => !i.ok);
    const up = t(`El servicio respondió en 127.0.0.1:${params.port} a los ${seconds(result.http.readyMs ?? 0, 'es')}`, `The service answered on 127.0.0.1:${params.port} after ${seconds(result.http.readyMs ?? 0)}`);
    const failing = listed(failed.map((i) => t(`${i.label.es} (${i.note!.es})`, `${i.label.en} (${i.note!.en})`)));
    const headline = failed.length
      ? t(
          `${up.es}: ${ofTotal(met, items.length, REQUESTS).es} como se esperaba. Falla: ${failing.es}.`,
          `${up.en}: ${ofTotal(met, items.length, REQUESTS).en} as expected. Failing: ${failing.en}.`,
        )
      : t(`${up.es}: los ${items.length} pedidos respondieron como se esperaba.`, `${up.en}: all ${items.length} requests answered as expected.`);
    const ended =
      result.http.exited !== undefined
        ? t(`El servicio terminó solo (código ${result.http.exited}) mientras se le hacían los pedidos.`, `The service ended by itself (exit code ${result.http.exited}) while it was being asked.`)
        : null;
    return { fraction: creditOf(items, params.partial), message: joinTexts([headline, ended]), items, details: details(run, params, result) };
  },
});
