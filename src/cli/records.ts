import { parseArgs } from 'node:util';
import { promises as fs } from 'node:fs';
import { dirname, join } from 'node:path';
import { EXPORT_FORMATS, ExportError, exportGrades, type ExportFormat } from '../report/export.ts';
import { openStore } from '../store/open.ts';
import type { JobState } from '../store/store.ts';

/** What the record commands print to and read from; the CLI's main passes its own. */
export interface RecordsIo {
  readonly stdout: { write(s: string): unknown };
  readonly stderr: { write(s: string): unknown };
  readonly env: NodeJS.ProcessEnv;
}

export class RecordsUsageError extends Error {}

/** parseArgs, its refusals (an unknown option) as usage errors. */
export function parseOptions<O extends Record<string, { type: 'string' | 'boolean'; default?: string | boolean }>>(args: readonly string[], options: O) {
  try {
    return parseArgs({ args: [...args], allowPositionals: true, options });
  } catch (error) {
    throw new RecordsUsageError((error as Error).message);
  }
}

/** `rubrica grades export [--org ORG] [--week N] [--format csv|json|canvas|moodle|long|gradescope] [--out DIR]` */
export async function gradesCommand(args: readonly string[], io: RecordsIo): Promise<number> {
  const { values, positionals } = parseOptions(args, { org: { type: 'string' }, week: { type: 'string' }, format: { type: 'string', default: 'csv' }, out: { type: 'string' } });
  if (positionals[0] !== 'export') throw new RecordsUsageError(`use "grades export [--org ORG] [--week N] [--format ${EXPORT_FORMATS.join('|')}]"`);
  if (!(EXPORT_FORMATS as readonly string[]).includes(values.format)) throw new RecordsUsageError(`--format must be one of ${EXPORT_FORMATS.join(', ')}, not "${values.format}"`);
  const format = values.format as ExportFormat;
  const week = values.week === undefined ? undefined : Number(values.week);
  if (week !== undefined && !Number.isInteger(week)) throw new RecordsUsageError(`--week must be a week number, not "${values.week}"`);
  if (values.out !== undefined && format !== 'gradescope') throw new RecordsUsageError('--out is for the gradescope export (a results.json per student and week)');
  const store = await openStore(io.env);
  try {
    const result = await exportGrades(store, { format, ...(values.org ? { org: values.org } : {}), ...(week !== undefined ? { week } : {}) });
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
    // Never silently dropped: who the LMS cannot place is said, on stderr so the file stays clean.
    if (result.notOnRoster.length) {
      const dropped = format === 'canvas' || format === 'moodle';
      io.stderr.write(
        `rubrica: ${result.notOnRoster.length} graded student(s) are not on the roster${dropped ? ` and are NOT in this ${format} file` : ''}: ${result.notOnRoster.map((r) => `${r.login} (${r.repo})`).join(', ')}. Add them to the roster (rubrica roster import) and export again.\n`,
      );
    }
    return 0;
  } catch (error) {
    if (error instanceof ExportError) throw new RecordsUsageError(error.message);
    throw error;
  } finally {
    await store.close();
  }
}

/** `rubrica jobs [list] [--state S]` and `rubrica jobs requeue [JOB_ID]` (failed jobs: infrastructure errors). */
export async function jobsCommand(args: readonly string[], io: RecordsIo): Promise<number> {
  const { values, positionals } = parseArgs({ args: [...args], allowPositionals: true, options: { state: { type: 'string' }, json: { type: 'boolean', default: false } } });
  const [sub = 'list', id] = positionals;
  const store = await openStore(io.env);
  try {
    if (sub === 'requeue') {
      const n = await store.requeue(id);
      io.stdout.write(`${n} job(s) queued again${id ? '' : ' (every failed job)'}\n`);
      return 0;
    }
    if (sub !== 'list') throw new RecordsUsageError('use "jobs list [--state queued|running|done|failed|superseded]" or "jobs requeue [JOB_ID]"');
    const jobs = await store.jobs({ ...(values.state ? { state: values.state as JobState } : {}), limit: 200 });
    if (values.json) {
      io.stdout.write(`${JSON.stringify(jobs, null, 2)}\n`);
      return 0;
    }
    const counts = await store.counts();
    io.stdout.write(`${Object.entries(counts).map(([k, v]) => `${k} ${v}`).join(' · ')}\n`);
    for (const j of jobs) {
      io.stdout.write(`${j.id}  ${j.state.padEnd(10)} ${`${j.request.owner}/${j.request.repo}`.padEnd(32)} ${j.sha.slice(0, 7)}  try ${j.attempts}/${j.maxAttempts}  ${new Date(j.createdAt).toISOString()}  ${j.outcome ?? ''}${j.lastError ? `  — ${j.lastError}` : ''}\n`);
    }
    return 0;
  } finally {
    await store.close();
  }
}
