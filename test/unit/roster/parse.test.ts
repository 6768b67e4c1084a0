import { describe, expect, it } from 'vitest';
import { parseRoster } from '../../../src/roster/parse.ts';

// GitHub Classroom's roster export: its four columns, a student not linked yet, quoted names.
const CLASSROOM_EXPORT = '"identifier","github_username","github_id","name"\n"ana@uni.edu","ana-dev","1001","Ana Pérez"\n"20231234","","","Bruno, Díaz"\n';

describe('roster CSV', () => {
  it("reads GitHub Classroom's roster export", () => {
    expect(parseRoster('r.csv', Buffer.from(CLASSROOM_EXPORT))).toEqual([
      { login: 'ana-dev', identifier: 'ana@uni.edu', name: 'Ana Pérez', email: null, section: null, githubId: 1001, line: 2 },
      { login: null, identifier: '20231234', name: 'Bruno, Díaz', email: null, section: null, githubId: null, line: 3 },
    ]);
  });

  it('reads UTF-8 with a BOM, UTF-16 LE with a BOM (Excel "Unicode text": tabs) and UTF-16 BE', () => {
    const bom = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(CLASSROOM_EXPORT)]);
    expect(parseRoster('r.csv', bom)[0]!.identifier).toBe('ana@uni.edu');
    const tabbed = 'github_username\tSIS ID\tName\tEmail\tSection\r\nana-dev\t42\tÁna\tana@uni.edu\tA\r\n';
    const le = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(tabbed, 'utf16le')]);
    expect(parseRoster('r.csv', le)).toEqual([{ login: 'ana-dev', identifier: '42', name: 'Ána', email: 'ana@uni.edu', section: 'A', githubId: null, line: 2 }]);
    const be = Buffer.from(tabbed, 'utf16le').swap16();
    expect(parseRoster('r.csv', Buffer.concat([Buffer.from([0xfe, 0xff]), be]))[0]!.name).toBe('Ána');
    // UTF-16 LE without a BOM.
    expect(parseRoster('r.csv', Buffer.from(tabbed, 'utf16le'))[0]!.login).toBe('ana-dev');
  });

  it('reads semicolon-separated files (Excel in Spanish and other locales), with decimal commas left alone', () => {
    const text = 'login;Student ID;Full name;E-mail;Group\nana-dev;7;"Pérez; Ana";ana@uni.edu;2,5\n';
    expect(parseRoster('r.csv', Buffer.from(text))).toEqual([
      { login: 'ana-dev', identifier: '7', name: 'Pérez; Ana', email: 'ana@uni.edu', section: '2,5', githubId: null, line: 2 },
    ]);
  });

  it('uses the columns the flags name', () => {
    const text = 'Usuario GitHub,Legajo,Correo,Comisión\n@ana-dev,A-1,ana@uni.edu,Mañana\n';
    expect(parseRoster('r.csv', Buffer.from(text), { login: 'Usuario GitHub', identifier: 'Legajo', email: 'Correo', section: 'Comisión' })).toEqual([
      { login: 'ana-dev', identifier: 'A-1', name: null, email: 'ana@uni.edu', section: 'Mañana', githubId: null, line: 2 },
    ]);
    expect(() => parseRoster('r.csv', Buffer.from(text), { login: 'GitHub' })).toThrow('r.csv: has no column "GitHub" (named with --login-column); its columns are "Usuario GitHub", "Legajo", "Correo", "Comisión".');
  });

  it('refuses with one clear sentence', () => {
    const refuse = (text: string | Buffer) => () => parseRoster('r.csv', typeof text === 'string' ? Buffer.from(text) : text);
    expect(refuse('name,email\nAna,a@x\n')).toThrow('has no GitHub login column: expected "github_username"');
    expect(refuse('github_username,name,Name\nana,A,B\n')).toThrow('the column "Name" appears twice (columns 2 and 3)');
    expect(refuse('github_username,name\nana,Ana,extra\n')).toThrow('line 2: this row has a different number of columns than the header.');
    expect(refuse('github_username,name\nana dev,Ana\n')).toThrow('line 2: "ana dev" is not a GitHub login');
    expect(refuse('github_username,github_id\nana,1\n')).toThrow('has no column for who the student is in the LMS');
    expect(refuse(Buffer.from('github_username,name\nana,P\xe9rez\n', 'latin1'))).toThrow('is not UTF-8 or UTF-16 text');
    expect(refuse('')).toThrow('r.csv: is empty.');
  });
});
