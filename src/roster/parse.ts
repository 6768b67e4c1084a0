import { parse } from 'csv-parse/sync';

/**
 * A course roster from a CSV file: GitHub Classroom's roster export
 * (`identifier, github_username, github_id, name`) or any CSV whose columns are named
 * by flags. Pure: bytes in, entries or one clear sentence out. csv-parse does the
 * quoting rules (RFC 4180, quoted newlines); the encoding and separator are sniffed
 * here because Excel writes UTF-16 ("Unicode text", tabs) and, in many locales, `;`.
 */

export interface RosterEntry {
  /** GitHub login, as written (null: the student has not linked an account yet). */
  readonly login: string | null;
  /** The LMS's identifier for the student (SIS id, student number, Classroom's identifier). */
  readonly identifier: string | null;
  readonly name: string | null;
  readonly email: string | null;
  readonly section: string | null;
  readonly githubId: number | null;
  /** Line of the file, for messages. */
  readonly line: number;
}

export interface RosterColumns {
  readonly login?: string;
  readonly identifier?: string;
  readonly name?: string;
  readonly email?: string;
  readonly section?: string;
}

export class RosterFormatError extends Error {
  constructor(file: string, message: string) {
    super(`${file}: ${message}`);
    this.name = 'RosterFormatError';
  }
}

/** Header names each column goes by, normalised (lower case, `_` for spaces and dashes). */
const DEFAULTS: Record<keyof RosterColumns | 'githubId', readonly string[]> = {
  login: ['github_username', 'github_login', 'github', 'login', 'username'],
  identifier: ['identifier', 'sis_user_id', 'sis_id', 'student_id', 'id_number', 'student_number', 'id'],
  name: ['name', 'full_name', 'student', 'student_name'],
  email: ['email', 'e_mail', 'email_address', 'mail'],
  section: ['section', 'group', 'sections'],
  githubId: ['github_id'],
};

const GITHUB_LOGIN = /^[A-Za-z0-9](?:[A-Za-z0-9]|-(?=[A-Za-z0-9])){0,38}$/;

function normalise(header: string): string {
  return header.trim().toLowerCase().replace(/[\s-]+/g, '_');
}

/** UTF-8 (with or without BOM) or UTF-16 (LE/BE, with BOM, or LE without one as Excel may write). */
export function decodeRoster(file: string, bytes: Buffer): string {
  if (bytes[0] === 0xff && bytes[1] === 0xfe) return bytes.subarray(2).toString('utf16le');
  if (bytes[0] === 0xfe && bytes[1] === 0xff) {
    const swapped = Buffer.from(bytes.subarray(2));
    swapped.swap16();
    return swapped.toString('utf16le');
  }
  const start = bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf ? 3 : 0;
  // No BOM, but every second byte NUL: UTF-16 LE text.
  if (start === 0 && bytes.length >= 4 && bytes[1] === 0 && bytes[3] === 0 && bytes[0] !== 0) return bytes.toString('utf16le');
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(start));
  } catch {
    throw new RosterFormatError(
      file,
      'is not UTF-8 or UTF-16 text (probably Windows-1252 or Latin-1): in Excel use "Save As" → "CSV UTF-8 (comma delimited)", then import again.',
    );
  }
}

/** The separator of the header line: `,`, `;` (Excel in many locales) or a tab (Excel's "Unicode text"). */
function separatorOf(text: string): string {
  const header = text.split(/\r?\n/, 1)[0] ?? '';
  let best = ',';
  let most = 0;
  for (const sep of [',', ';', '\t']) {
    let n = 0;
    let quoted = false;
    for (const ch of header) {
      if (ch === '"') quoted = !quoted;
      else if (ch === sep && !quoted) n++;
    }
    if (n > most) [best, most] = [sep, n];
  }
  return best;
}

export function parseRoster(file: string, bytes: Buffer, columns: RosterColumns = {}): RosterEntry[] {
  const text = decodeRoster(file, bytes);
  if (text.trim() === '') throw new RosterFormatError(file, 'is empty.');
  const delimiter = separatorOf(text);
  let records: { record: string[]; info: { lines: number } }[];
  try {
    records = parse(text, { delimiter, skip_empty_lines: true, trim: true, info: true, relax_quotes: false }) as unknown as { record: string[]; info: { lines: number } }[];
  } catch (error) {
    const e = error as Error & { lines?: number; code?: string };
    const where = e.lines ? `line ${e.lines}: ` : '';
    const why = e.code === 'CSV_RECORD_INCONSISTENT_FIELDS_LENGTH' ? 'this row has a different number of columns than the header' : e.message;
    throw new RosterFormatError(file, `${where}${why}.`);
  }
  const [head, ...rows] = records;
  if (!head) throw new RosterFormatError(file, 'is empty.');
  const headers = head.record.map(normalise);
  const seen = new Map<string, number>();
  headers.forEach((h, i) => {
    if (h === '') return;
    if (seen.has(h)) {
      throw new RosterFormatError(file, `the column "${head.record[i]}" appears twice (columns ${seen.get(h)! + 1} and ${i + 1}): keep one, or rename the other.`);
    }
    seen.set(h, i);
  });
  const listed = head.record.filter((h) => h.trim() !== '').map((h) => `"${h.trim()}"`).join(', ');
  const find = (key: keyof typeof DEFAULTS, flag?: string): number | null => {
    if (flag !== undefined) {
      const i = headers.indexOf(normalise(flag));
      if (i < 0) throw new RosterFormatError(file, `has no column "${flag}" (named with --${key === 'identifier' ? 'id' : key}-column); its columns are ${listed}.`);
      return i;
    }
    for (const name of DEFAULTS[key]) {
      const i = headers.indexOf(name);
      if (i >= 0) return i;
    }
    return null;
  };
  const at = {
    login: find('login', columns.login),
    identifier: find('identifier', columns.identifier),
    name: find('name', columns.name),
    email: find('email', columns.email),
    section: find('section', columns.section),
    githubId: find('githubId'),
  };
  if (at.login === null) {
    throw new RosterFormatError(
      file,
      `has no GitHub login column: expected "github_username" (GitHub Classroom's roster export) or name it with --login-column; its columns are ${listed}${delimiter === ',' && headers.length === 1 && /[;\t]/.test(head.record[0] ?? '') ? ' (is it separated by something else than commas?)' : ''}.`,
    );
  }
  if (at.identifier === null && at.email === null && at.name === null) {
    throw new RosterFormatError(file, `has no column for who the student is in the LMS (identifier, email or name); name one with --id-column, --email-column or --name-column; its columns are ${listed}.`);
  }
  const cell = (r: string[], i: number | null) => (i === null ? null : (r[i] ?? '').trim() || null);
  return rows.map(({ record, info }) => {
    const raw = cell(record, at.login);
    const login = raw?.replace(/^@/, '') ?? null;
    if (login !== null && !GITHUB_LOGIN.test(login)) {
      throw new RosterFormatError(file, `line ${info.lines}: "${raw}" is not a GitHub login (letters, digits and single dashes, at most 39).`);
    }
    const id = cell(record, at.githubId);
    return {
      login,
      identifier: cell(record, at.identifier),
      name: cell(record, at.name),
      email: cell(record, at.email),
      section: cell(record, at.section),
      githubId: id !== null && /^\d+$/.test(id) ? Number(id) : null,
      line: info.lines,
    };
  });
}
