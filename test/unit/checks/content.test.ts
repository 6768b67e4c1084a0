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
});
