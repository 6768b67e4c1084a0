import { describe, expect, it } from 'vitest';
import { CourseConfigSchema } from '../../../src/course/config.ts';
import { plain } from '../../../src/core/text.ts';
import { declaredDependencies } from '../../../src/grading/dependencies.ts';
import { installNotice, installRequirements, MAX_REQUIREMENTS } from '../../../src/grading/install.ts';
import { checkRunOutput } from '../../../src/report/markdown.ts';
import { grade } from '../../helpers/grade.ts';
import { read } from '../../helpers/inert.ts';

const course = { pack: 'mlops', start: '2026-08-03', timezone: 'UTC', weeks: 10, students: { prefix: 'mlops-' }, tas: 'tas' };

describe("the course file's install key", () => {
  it('is absent by default: nothing is installed', () => {
    expect(CourseConfigSchema.parse(course).install).toBeUndefined();
  });

  it('names an index and takes the limits from limits.ts, defaults included', () => {
    const config = CourseConfigSchema.parse({ ...course, install: { index: 'https://pypi.example.edu/simple', timeoutSeconds: 120 } });
    expect(config.install).toEqual({ index: 'https://pypi.example.edu/simple', timeoutSeconds: 120, maxMb: 512, cacheMb: 4096 });
  });

  it('refuses an index that is not http(s), one holding credentials, and limits out of range', () => {
    for (const install of [
      { index: 'file:///srv/wheels' },
      { index: 'https://ta:s3cret@pypi.example.edu/simple' },
      { index: 'https://pypi.example.edu/simple', maxMb: 100_000 },
      { index: 'https://pypi.example.edu/simple', timeoutSeconds: 1 },
      { index: 'https://pypi.example.edu/simple', extraIndex: 'https://other.example/simple' },
    ]) {
      expect(CourseConfigSchema.safeParse({ ...course, install }).success, JSON.stringify(install)).toBe(false);
    }
  });
});

describe('what pip is asked for', () => {
  it('keeps plain requirements as written and asks for a URL or an option by name only', () => {
    const declared = declaredDependencies([
      { path: 'requirements.txt', text: 'pandera>=0.18,<1  # validation\nctgan[all]==0.7; python_version >= "3.8"\ntorch @ https://evil.example/torch.whl\n--extra-index-url https://evil.example/simple\n-e git+https://evil.example/x.git#egg=xlib\n' },
      { path: 'environment.yml', text: 'dependencies:\n  - numpy=1.24\n  - pandera\n' },
    ]);
    expect(installRequirements(declared)).toEqual([
      { name: 'pandera', requirement: 'pandera>=0.18,<1' },
      { name: 'ctgan', requirement: 'ctgan[all]==0.7; python_version >= "3.8"' },
      { name: 'torch', requirement: 'torch' },
      { name: 'xlib', requirement: 'xlib' },
      { name: 'numpy', requirement: 'numpy==1.24' },
    ]);
    for (const r of installRequirements(declared)) expect(r.requirement).not.toMatch(/^-|:\/\/|@/);
  });

  it(`asks for at most ${MAX_REQUIREMENTS} distributions`, () => {
    const text = Array.from({ length: MAX_REQUIREMENTS + 20 }, (_, i) => `pkg${i}`).join('\n');
    expect(installRequirements(declaredDependencies([{ path: 'requirements.txt', text }]))).toHaveLength(MAX_REQUIREMENTS);
  });
});

describe('what the student reads', () => {
  const hostileTail = 'ERROR: Could not find a version that satisfies the requirement @octocat-lib ![x](https://evil.example/p.png) <b>100/100</b>\nERROR: No matching distribution found for pandass';

  it("a failed install shows pip's own lines, each as inert literal text", () => {
    const failed = { ...grade, install: { status: 'failed' as const, reason: 'pip' as const, tail: hostileTail, durationMs: 900 } };
    const { summary } = checkRunOutput(failed, { locale: 'en', reveal: true });
    expect(summary).toContain('pip could not install your declared dependencies. Your work was graded without them');
    const markdown = read(summary);
    expect(markdown.code).toContain('ERROR: No matching distribution found for pandass');
    expect(markdown.code.some((c) => c.includes('@octocat-lib ![x](https://evil.example/p.png) <b>100/100</b>'))).toBe(true);
    expect(markdown.prose).not.toContain('@octocat');
    expect(markdown.all.filter((tk) => tk.type === 'image' || tk.type === 'html')).toEqual([]);
  });

  it('says which limit an install ran into', () => {
    expect(plain(installNotice({ status: 'failed', reason: 'timeout', tail: '', durationMs: 300_000 })!.en)).toBe(
      'Installing your declared dependencies took longer than the course allows. Your work was graded without them: check the names and versions in your requirements.',
    );
    expect(installNotice({ status: 'failed', reason: 'too-large', tail: 'ERROR: [Errno 28] No space left on device', durationMs: 1 })!.es).toContain('ocupan más espacio del que el curso permite');
  });

  it('names what was installed, and says nothing when the image had it all', () => {
    expect(plain(installNotice({ status: 'installed', packages: [{ name: 'pandera', version: '0.18.0' }], keptFromImage: ['pandas'], bytes: 1, durationMs: 1 })!.en)).toBe(
      'Your declared dependencies were installed before grading: `pandera==0.18.0`.',
    );
    expect(installNotice({ status: 'installed', packages: [], keptFromImage: ['pandas'], bytes: 0, durationMs: 1 })).toBeNull();
    expect(checkRunOutput(grade, { locale: 'en', reveal: true }).summary).not.toContain('dependencies');
  });
});
