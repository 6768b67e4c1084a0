import { promises as fs } from 'node:fs';
import { dirname, join } from 'node:path';
import { same, singleLine, t } from '../core/text.ts';
import { limitsFromEnv } from '../outbox/budget.ts';
import { outboxPlan } from '../outbox/plan.ts';
import { EXPORT_FORMATS, ExportError, exportGrades, type ExportFormat } from '../report/export.ts';
import { openStore } from '../store/open.ts';
import type { JobState } from '../store/store.ts';
import { parse } from './args.ts';
import { helpHint, usage } from './errors.ts';

/** What the record commands print to and read from; the CLI's main passes its own. */
export interface RecordsIo {
  readonly stdout: { write(s: string): unknown };
  readonly stderr: { write(s: string): unknown };
  readonly env: NodeJS.ProcessEnv;
}

/** `rubrica grades export [--org ORG] [--course ID] [--week N | --unit KEY] [--format csv|json|canvas|moodle|long|gradescope] [--out DIR]` */
export async function gradesCommand(args: readonly string[], io: RecordsIo): Promise<number> {
  const { values: given, positionals } = parse('grades', args, { org: { type: 'string' }, course: { type: 'string' }, unit: { type: 'string' }, week: { type: 'string' }, format: { type: 'string' }, out: { type: 'string' }, lang: { type: 'string' }, json: { type: 'boolean' } });
  const values = { ...given, format: given.format ?? 'csv' };
  const formats = EXPORT_FORMATS.join('|');
  if (positionals[0] !== 'export') throw usage('bad-argument', t(`usa "grades export [--org ORG] [--week N] [--format ${formats}]".`, `use "grades export [--org ORG] [--week N] [--format ${formats}]".`), helpHint());
  if (!(EXPORT_FORMATS as readonly string[]).includes(values.format)) throw usage('bad-argument', t(`--format debe ser ${EXPORT_FORMATS.join(', ')}, no "${values.format}".`, `--format must be one of ${EXPORT_FORMATS.join(', ')}, not "${values.format}".`));
  const format = values.format as ExportFormat;
  const week = values.week === undefined ? undefined : Number(values.week);
  if (week !== undefined && !Number.isInteger(week)) throw usage('bad-week', t(`--week debe ser un número de semana, no "${values.week}".`, `--week must be a week number, not "${values.week}".`));
  if (values.out !== undefined && format !== 'gradescope') throw usage('bad-argument', t('--out es para la exportación gradescope (un results.json por estudiante y semana).', '--out is for the gradescope export (a results.json per student and week).'));
  const store = await openStore(io.env);
  try {
    const result = await exportGrades(store, { format, ...(values.org ? { org: values.org } : {}), ...(values.course ? { course: values.course } : {}), ...(week !== undefined ? { week } : {}), ...(values.unit ? { unit: values.unit } : {}) });
    if (format === 'gradescope' && values.out !== undefined) {
      const files = JSON.parse(result.body) as Record<string, unknown>;
      for (const [path, content] of Object.entries(files)) {
        const target = join(values.out, path);
        await fs.mkdir(dirname(target), { recursive: true });
        await fs.writeFile(target, `${JSON.stringify(content, null, 2)}\n`);
      }
      io.stdout.write(`${Object.keys(files).length} results.json written under ${values.out}\n`);
    } else {
      io.stdout.write(result.body);
    }
    if (result.runnerImage) {
      const listed = result.runnerImage.modules.map((m) => `${m.distribution} (${m.repositories} repo(s), week ${m.weeks.join(', ')})`).join('; ');
      io.stderr.write(`rubrica: the runner image lacks modules students declare, so their criteria were not graded: ${listed}. Add them to the course's image and grade again.\n`);
    }
    // Never silently dropped: who the LMS cannot place is said, on stderr so the file stays clean.
    if (result.notOnRoster.length) {
      const dropped = format === 'canvas' || format === 'moodle';
      io.stderr.write(
        `rubrica: ${result.notOnRoster.length} graded student(s) are not on the roster${dropped ? ` and are NOT in this ${format} file` : ''}: ${result.notOnRoster.map((r) => `${r.login} (${r.repo})`).join(', ')}. Add them to the roster (rubrica roster import) and export again.\n`,
      );
    }
    return 0;
  } catch (error) {
    if (error instanceof ExportError) throw usage('bad-argument', same(error.message));
    throw error;
  } finally {
    await store.close();
  }
}

/** `rubrica jobs [list] [--state S]` and `rubrica jobs requeue [JOB_ID]` (failed jobs: infrastructure errors). */
export async function jobsCommand(args: readonly string[], io: RecordsIo): Promise<number> {
  const { values, positionals } = parse('jobs', args, { state: { type: 'string' }, json: { type: 'boolean' }, lang: { type: 'string' } });
  const [sub = 'list', id] = positionals;
  const store = await openStore(io.env);
  try {
    if (sub === 'requeue') {
      const n = await store.queue.requeue(id);
      io.stdout.write(`${n} job(s) queued again${id ? '' : ' (every failed job)'}\n`);
      return 0;
    }
    if (sub !== 'list') throw usage('bad-argument', t('usa "jobs list [--state queued|running|done|failed|superseded]" o "jobs requeue [JOB_ID]".', 'use "jobs list [--state queued|running|done|failed|superseded]" or "jobs requeue [JOB_ID]".'), helpHint());
    const jobs = await store.queue.jobs({ ...(values.state ? { state: values.state as JobState } : {}), limit: 200 });
    if (values.json) {
      io.stdout.write(`${JSON.stringify(jobs, null, 2)}\n`);
      return 0;
    }
    const counts = await store.queue.counts();
    io.stdout.write(`${Object.entries(counts).map(([k, v]) => `${k} ${v}`).join(' · ')}\n`);
    for (const j of jobs) {
      io.stdout.write(`${j.id}  ${j.state.padEnd(10)} ${`${j.request.owner}/${j.request.repo}`.padEnd(32)} ${j.sha.slice(0, 7)}  try ${j.attempts}/${j.maxAttempts}  ${new Date(j.createdAt).toISOString()}  ${j.outcome ?? ''}${j.lastError ? `  — ${singleLine(j.lastError)}` : ''}\n`);
    }
    return 0;
  } finally {
    await store.close();
  }
}

/**
 * `rubrica outbox [list] [--failed] [--json]` and `rubrica outbox retry [ID]`: what waits
 * to be told to GitHub and when it is expected to go out (held back by a rate limit,
 * the hourly budget, a retry), or the publications that failed for good.
 */
export async function outboxCommand(args: readonly string[], io: RecordsIo): Promise<number> {
  const { values, positionals } = parse('outbox', args, { failed: { type: 'boolean' }, json: { type: 'boolean' }, lang: { type: 'string' } });
  const [sub = 'list', id] = positionals;
  const store = await openStore(io.env);
  try {
    if (sub === 'retry') {
      const n = await store.outbox.retry(id);
      io.stdout.write(`${n} publication(s) waiting again${id ? '' : ' (every failed one)'}\n`);
      return 0;
    }
    if (sub !== 'list') throw usage('bad-argument', t('usa "outbox list [--failed] [--json]" o "outbox retry [ID]".', 'use "outbox list [--failed] [--json]" or "outbox retry [ID]".'), helpHint());
    const counts = await store.outbox.counts();
    if (values.failed) {
      const failed = await store.outbox.list({ states: ['failed'], limit: 500 });
      if (values.json) io.stdout.write(`${JSON.stringify(failed.map(({ publication, ...f }) => ({ ...f, about: publication })), null, 2)}\n`);
      else for (const f of failed) io.stdout.write(`${f.id}  ${f.kind.padEnd(14)} try ${f.attempts}  ${f.lastError ?? ''}\n`);
      return 0;
    }
    const plan = await outboxPlan(store, limitsFromEnv(io.env));
    if (values.json) {
      io.stdout.write(`${JSON.stringify({ counts, plan: plan.map((p) => ({ ...p, expectedAt: new Date(p.expectedAt).toISOString(), createdAt: new Date(p.createdAt).toISOString() })) }, null, 2)}\n`);
      return 0;
    }
    io.stdout.write(`${Object.entries(counts).map(([k, v]) => `${k} ${v}`).join(' · ')}\n`);
    const last = plan.at(-1);
    if (last) io.stdout.write(`${plan.length} to go; the last expected at ${new Date(last.expectedAt).toISOString()}\n`);
    for (const p of plan) {
      io.stdout.write(`${p.id}  ${p.kind.padEnd(14)} ${p.about.padEnd(40)} expected ${new Date(p.expectedAt).toISOString()}${p.heldBy ? `  held back: ${p.heldBy}` : ''}${p.lastError ? `  — ${p.lastError}` : ''}\n`);
    }
    return 0;
  } finally {
    await store.close();
  }
}
