import { describe, expect, it } from 'vitest';
import { contentCheck } from '../../../src/checks/content.ts';
import { evidence, asShown } from '../../helpers/evidence.ts';

function run(params: unknown, files: Record<string, string>) {
  return asShown(contentCheck.evaluate(contentCheck.params.parse(params), evidence({ files })));
}

const api = {
  files: 'src/**/*.py',
  patterns: [{ regex: '\\bFastAPI\\(' }, { regex: '\\.get\\(\\s*"/health"' }, { regex: '\\.post\\(\\s*"/predict"' }],
};

describe('content check', () => {
  it('finds every pattern', () => {
    const outcome = run(api, { 'src/app/api.py': 'app = FastAPI()\n@app.get("/health")\n@app.post("/predict")\n' });
    expect(outcome.fraction).toBe(1);
    expect(outcome.message.en).toContain('`src/app/api.py`');
  });

  it('gives partial credit and names what is missing', () => {
    const outcome = run(api, { 'src/app/api.py': 'app = FastAPI()\n@app.get("/health")\n' });
    expect(outcome.fraction).toBeCloseTo(2 / 3);
    expect(outcome.message.en).toContain('Missing: /\\.post');
  });

  it('with same-file, patterns spread over files do not count together', () => {
    const files = { 'src/a.py': 'app = FastAPI()\n', 'src/b.py': '@app.get("/health")\n@app.post("/predict")\n' };
    expect(run(api, files).fraction).toBe(1);
    expect(run({ ...api, scope: 'same-file' }, files).fraction).toBeCloseTo(2 / 3);
  });

  it('says when no file matches the globs', () => {
    const outcome = run(api, { 'app.py': 'FastAPI()' });
    expect(outcome.fraction).toBe(0);
    expect(outcome.message.en).toContain('No file matches `src/**/*.py`');
  });

  it('annotates a pattern that must be absent, at its line', () => {
    const outcome = run(
      { files: '**/*.py', patterns: [{ label: { es: 'sin claves', en: 'no keys' }, regex: 'api_key\\s*=\\s*"', absent: true }] },
      { 'src/x.py': 'import os\n\napi_key = "sk-123"\n' },
    );
    expect(outcome.fraction).toBe(0);
    expect(outcome.annotations).toEqual([expect.objectContaining({ path: 'src/x.py', line: 3 })]);
  });

  it('refuses a bad regex and unknown flags', () => {
    expect(contentCheck.params.safeParse({ files: 'a', patterns: [{ regex: '(' }] }).success).toBe(false);
    expect(contentCheck.params.safeParse({ files: 'a', patterns: [{ regex: 'a', flags: 'g' }] }).success).toBe(false);
  });

  describe('a pattern that must be absent, in files not read whole', () => {
    const noKeys = { files: 'src/**/*.py', patterns: [{ label: { es: 'sin claves', en: 'no keys' }, regex: 'api_key\\s*=', absent: true }, { regex: 'import os' }] };
    const params = contentCheck.params.parse(noKeys);

    it('a file longer than the read fails it, named, and the message says why', () => {
      const ev = evidence({
        files: { 'src/a.py': 'import os\n', 'src/pad.py': 'x' },
        contents: [{ path: 'src/pad.py', text: '# padding\n', encoding: 'utf-8', truncated: true }],
      });
      const outcome = asShown(contentCheck.evaluate(params, ev));
      expect(outcome.items).toEqual([
        { label: { es: 'sin claves', en: 'no keys' }, ok: false, note: { es: 'no leído entero: `src/pad.py`', en: 'not read whole: `src/pad.py`' } },
        expect.objectContaining({ ok: true }),
      ]);
      expect(outcome.fraction).toBe(0.5);
      expect(outcome.message.en).toContain('Rubrica reads the first 256.0 KB of each');
      expect(outcome.message.es).toContain('acorta esos archivos');
    });

    it('so does a matching file the read budget never reached, or one left out of the sandbox', () => {
      const ev = evidence({ files: { 'src/a.py': 'import os\n', 'src/late.py': 'api_key = 1' }, skipped: [{ path: 'src/huge.py', size: 80 << 20, reason: 'too-large' }] });
      (ev.contents as Map<string, unknown>).delete('src/late.py');
      const outcome = asShown(contentCheck.evaluate(params, ev));
      expect(outcome.items![0]).toMatchObject({ ok: false, note: { en: 'not read whole: `src/huge.py`, `src/late.py`' } });
    });

    it('files read whole, or unread ones the globs do not match, leave it judged as before', () => {
      const ev = evidence({
        files: { 'src/a.py': 'import os\n', 'data/big.csv': 'x' },
        contents: [{ path: 'data/big.csv', text: 'x', encoding: 'utf-8', truncated: true }],
        // Left out as a special file (a hard link, a device): not a file of the commit with text to judge.
        skipped: [
          { path: 'models/m.pkl', size: 80 << 20, reason: 'too-large' },
          { path: 'src/link.py', size: 0, reason: 'special-file' },
        ],
      });
      const outcome = asShown(contentCheck.evaluate(params, ev));
      expect(outcome.fraction).toBe(1);
      expect(outcome.message.en).not.toContain('read whole');
    });

    it('with same-file, a truncated best file does not count as free of the pattern', () => {
      const same = contentCheck.params.parse({ ...noKeys, scope: 'same-file' });
      const ev = evidence({ files: { 'src/a.py': 'x' }, contents: [{ path: 'src/a.py', text: 'import os\n', encoding: 'utf-8', truncated: true }] });
      const outcome = asShown(contentCheck.evaluate(same, ev));
      expect(outcome.items!.map((i) => i.ok)).toEqual([false, true]);
      expect(outcome.items![0]!.note).toEqual({ es: 'no leído entero: `src/a.py`', en: 'not read whole: `src/a.py`' });
      // The pattern found in what was read fails it as it always did, with the file named as before.
      const found = evidence({ files: { 'src/a.py': 'x' }, contents: [{ path: 'src/a.py', text: 'import os\napi_key = 1\n', encoding: 'utf-8', truncated: true }] });
      expect(asShown(contentCheck.evaluate(same, found)).items![0]).toMatchObject({ ok: false, note: { en: '`src/a.py`' } });
    });
  });
});
