import { promises as fs } from 'node:fs';
import { basename } from 'node:path';
import { checkRoster } from '../roster/check.ts';
import { parseRoster, RosterFormatError } from '../roster/parse.ts';
import { openStore } from '../store/open.ts';
import { replaceRoster, rosterOf } from '../store/roster.ts';
import type { Store } from '../store/store.ts';
import { same } from '../core/text.ts';
import { parse } from './args.ts';
import { usage } from './errors.ts';
import type { RecordsIo } from './records.ts';

/** A bad argument or file, said in one sentence (exit status 2). */
const refuse = (message: string) => usage('bad-argument', same(message));

/** The organization a command is about: --org, or the only course in the record. */
export async function courseOrg(store: Store, org: string | undefined): Promise<string> {
  const courses = await store.record.courses();
  if (org) return courses.find((c) => c.org.toLowerCase() === org.toLowerCase())?.org ?? org;
  if (courses.length === 1) return courses[0]!.org;
  throw refuse(
    courses.length === 0 ? 'name the course\'s organization with --org ORG (nothing has been graded yet)' : `several courses are recorded: name one with --org (${courses.map((c) => c.org).join(', ')})`,
  );
}

/**
 * `rubrica roster import FILE.csv [--org ORG] [--login-column C] [--id-column C] [--name-column C] [--email-column C] [--section-column C]`
 * and `rubrica roster check [--org ORG]`.
 */
export async function rosterCommand(args: readonly string[], io: RecordsIo): Promise<number> {
  const { values, positionals } = parse('roster', args, {
    org: { type: 'string' },
    'login-column': { type: 'string' },
    'id-column': { type: 'string' },
    'name-column': { type: 'string' },
    'email-column': { type: 'string' },
    'section-column': { type: 'string' },
    json: { type: 'boolean' },
  });
  const [sub, file] = positionals;
  if (sub !== 'import' && sub !== 'check') throw refuse('use "roster import FILE.csv [--org ORG]" or "roster check [--org ORG]"');
  if (sub === 'import' && !file) throw refuse('roster import needs the CSV file');
  // Read and parse before opening the record: a bad file changes nothing.
  let entries = null;
  if (sub === 'import') {
    const bytes = await fs.readFile(file!).catch((e: NodeJS.ErrnoException) => {
      throw refuse(e.code === 'ENOENT' ? `${file} does not exist` : `${file} cannot be read (${e.code})`);
    });
    try {
      entries = parseRoster(file!, bytes, {
        ...(values['login-column'] ? { login: values['login-column'] } : {}),
        ...(values['id-column'] ? { identifier: values['id-column'] } : {}),
        ...(values['name-column'] ? { name: values['name-column'] } : {}),
        ...(values['email-column'] ? { email: values['email-column'] } : {}),
        ...(values['section-column'] ? { section: values['section-column'] } : {}),
      });
    } catch (e) {
      if (e instanceof RosterFormatError) {
        io.stderr.write(`rubrica: the roster was not imported: ${e.message}\n`);
        return 2;
      }
      throw e;
    }
  }
  const store = await openStore(io.env);
  try {
    const org = await courseOrg(store, values.org);
    if (entries) {
      await replaceRoster(store.db, org, entries, basename(file!));
      const linked = entries.filter((e) => e.login).length;
      io.stdout.write(`Roster of ${org}: ${entries.length} student(s) from ${basename(file!)} (replacing any earlier roster); ${linked} with a GitHub login.\n`);
      io.stdout.write('Check it against the graded repositories with: rubrica roster check\n');
      return 0;
    }
    const roster = await rosterOf(store.db, org);
    if (roster.entries.length === 0) throw refuse(`"${org}" has no roster: load one with "rubrica roster import FILE.csv --org ${org}"`);
    const repos = new Map<string, { repo: string; students: readonly string[] }>();
    for (const g of await store.record.gradings({ org })) repos.set(`${g.repoId}`, { repo: g.repo, students: g.students });
    const result = checkRoster(roster, [...repos.values()]);
    if (values.json) {
      io.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
      return 0;
    }
    const who = (e: { login: string | null; identifier: string | null; name: string | null }) => [e.login, e.identifier, e.name].filter(Boolean).join(' · ');
    io.stdout.write(`Roster of ${org}: ${roster.entries.length} student(s), imported ${roster.importedAt} from ${roster.source}; ${repos.size} repositories graded.\n`);
    const section = (title: string, lines: string[]) => {
      io.stdout.write(`\n${title} (${lines.length})${lines.length ? ':' : ''}\n`);
      for (const l of lines) io.stdout.write(`  ${l}\n`);
    };
    section('On the roster, no repository graded', result.noRepository.map(who));
    section('On the roster without a GitHub login', result.notLinked.map(who));
    section('Graded, not on the roster', result.notOnRoster.map((r) => `${r.login} (${r.repo})`));
    section('Logins on more than one row', result.duplicates.map((d) => `${d.login}: ${d.entries.map(who).join(' | ')}`));
    return 0;
  } finally {
    await store.close();
  }
}
