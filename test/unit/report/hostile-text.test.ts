import type { Tokens } from 'marked';
import { describe, expect, it } from 'vitest';
import { CHECK_KINDS } from '../../../src/checks/index.ts';
import type { CheckEvidence, FileEntry } from '../../../src/checks/types.ts';
import { t, type Text } from '../../../src/core/text.ts';
import type { Grade } from '../../../src/grading/grade.ts';
import { scoreCriterion, scoreWeek, type CriterionResult } from '../../../src/grading/score.ts';
import { renderJson } from '../../../src/report/json.ts';
import { checkRunOutput, overrideNotes, pullRequestComment } from '../../../src/report/markdown.ts';
import { renderTerminal, whatToDoFirst } from '../../../src/report/terminal.ts';
import { loadPack, type Criterion, type Pack, type Week } from '../../../src/rubrics/load.ts';
import { commandResult, evidence } from '../../helpers/evidence.ts';
import { expectInert, expectSectionsInert, read } from '../../helpers/inert.ts';

/*
 * Every field a student controls, filled with what forged grades and hid TA notes
 * before (a bold score line, an @mention, an image, raw HTML, an unclosed `<!--`
 * or fence, backtick runs, line breaks, terminal escapes), run through the REAL
 * check kinds into the real renderings, and the Markdown read back with marked's
 * lexer: the student's text must be there, verbatim, and inert.
 */

/** A payload for one field; `tag` says which field it came from. No `/` so it can sit in a path segment. */
function payload(tag: string): string {
  return `${tag}: **100 / 100** · aprobado @prof-ta <!-- ![img](x.png) <img src=x.png> ${'```'} a ${'``'} b \` $\\color{red}{1}$ | c | ~~d~~ _e_ [l](x) &#64;prof \u001b[2J\u001b[H\u001b]0;pwn\u0007`;
}
/** The same with line breaks, where the field allows them (symlink targets, command output, commit bodies). */
function multiline(tag: string): string {
  return `${payload(tag)}\n\n**100 / 100** · aprobado\n## heading\n- [x] item\n<!--\n${'````'}\n`;
}
/** What a payload looks like once control characters are dropped: the renderings must show this verbatim. */
function shown(tag: string): string {
  return payload(tag).replace(/\u001b\[[0-9;]*[A-Za-z]|\u001b\][^\u0007]*\u0007/g, '');
}

const P = (tag: string) => payload(tag);

function symlink(path: string, target: string): FileEntry {
  return { path, type: 'symlink', size: target.length, target };
}

function withFiles(ev: CheckEvidence, extra: FileEntry[]): CheckEvidence {
  return { ...ev, files: [...ev.files, ...extra].sort((a, b) => a.path.localeCompare(b.path)) };
}

const PYTEST_OUTPUT = [
  `tests/test_ok.py::test_a`,
  '',
  '==================================== ERRORS ====================================',
  `_____________ ERROR collecting tests/test_${P('pytest-file')}.py _____________`,
  `E   ModuleNotFoundError: No module named '${P('pytest-error')}'`,
  '=========================== short test summary info ============================',
  `ERROR tests/test_${P('pytest-file')}.py - ModuleNotFoundError: ${P('pytest-error')}`,
  multiline('pytest-output'),
].join('\n');

/** One criterion per check kind, each fed hostile evidence in the fields it reports. */
const CASES: { id: string; kind: string; params: unknown; evidence: CheckEvidence; fields: string[] }[] = [
  {
    id: 'folders',
    kind: 'files',
    params: { require: [{ glob: 'data/raw', type: 'dir' }, { glob: 'models', type: 'dir' }, { glob: 'data/**/*.csv', type: 'file' }] },
    evidence: withFiles(evidence({ files: { [`${P('near-miss')}/models`]: null }, skipped: [{ path: `data/${P('skipped')}.csv`, size: 90 << 20, reason: 'too-large' }] }), [
      symlink('data/raw', multiline('symlink-target')),
    ]),
    fields: ['symlink-target', 'near-miss', 'skipped'],
  },
  {
    id: 'commits',
    kind: 'commits',
    params: { min: 3 },
    evidence: evidence({ commits: [{ message: multiline('commit-subject') }, { message: `feat: ${P('conventional')}` }] }),
    fields: ['commit-subject'],
  },
  {
    id: 'readme',
    kind: 'markdown',
    params: { file: ['README.md'], headings: [{ anyOf: ['Instalación'] }, { anyOf: ['Uso'] }] },
    evidence: evidence({ files: { 'README.md': `# T\n\n## Instalación ${P('readme-heading')}\n\ntext\n` } }),
    fields: ['readme-heading'],
  },
  {
    id: 'manifests',
    kind: 'structured',
    params: { files: 'k8s/**/*.yaml', require: [{ path: 'kind', anyOf: ['Deployment'] }, { path: 'spec', minCount: 5 }] },
    evidence: evidence({
      files: {
        [`k8s/${P('yaml-path')}.yaml`]: `kind: ${JSON.stringify(P('yaml-value'))}\nspec:\n  ${JSON.stringify(P('yaml-key'))}: 1\n  other: 2\n`,
        'k8s/broken.yaml': `a: 1\n  ${P('yaml-error')}: [\n`,
      },
    }),
    fields: ['yaml-path', 'yaml-value', 'yaml-key'],
  },
  {
    id: 'config-json',
    kind: 'structured',
    params: { files: 'config/*.json', where: { kind: 'Config' } },
    evidence: evidence({ files: { 'config/a.json': JSON.stringify({ kind: P('where-value') }), 'config/b.json': `{"a": ${P('json-error')}}` } }),
    fields: ['where-value'],
  },
  {
    id: 'tests',
    kind: 'pytest-tests',
    params: { files: [{ glob: 'tests/test_*.py', min: 3 }] },
    evidence: evidence({ commands: { collect: { exitCode: 2, output: PYTEST_OUTPUT } } }),
    fields: ['pytest-file', 'pytest-error', 'pytest-output'],
  },
  {
    id: 'conftest',
    kind: 'pytest-tests',
    params: { files: [{ glob: 'tests/test_*.py', min: 1 }] },
    evidence: evidence({
      commands: { collect: { exitCode: 4, output: `ImportError while loading conftest '/work/repo/tests/conftest.py'.\nE   ImportError: ${P('conftest-error')}\n` } },
    }),
    fields: ['conftest-error'],
  },
  {
    id: 'train',
    kind: 'command',
    params: { run: './train.sh', metric: { label: { es: 'métrica', en: 'metric' }, report: '/work/out/m.json', path: 'score', min: 1 } },
    evidence: evidence({
      commands: { main: { exitCode: 127, output: `sh: 1: ${P('not-found')}: not found\n${multiline('command-output')}</details>\n`, reports: { '/work/out/m.json': JSON.stringify({ score: P('report-value') }) } } },
    }),
    fields: ['not-found', 'command-output', 'report-value'],
  },
  {
    id: 'gitignore',
    kind: 'gitignore',
    params: { ignored: [{ label: { es: 'cachés de Python (__pycache__, *.pyc) … (*.egg-info)', en: 'Python caches (__pycache__, *.pyc) … (*.egg-info)' }, anyOf: ['a/__pycache__/x.pyc'] }], kept: ['data/raw/.gitkeep'] },
    evidence: evidence({
      files: { '.gitignore': 'x\n' },
      ignore: {
        'a/__pycache__/x.pyc': { ignored: false, rule: `.gitignore:4:!${P('negated-rule')}` },
        'data/raw/.gitkeep': { ignored: true, rule: `.gitignore:3:${P('ignore-rule')}` },
      },
    }),
    fields: ['negated-rule', 'ignore-rule'],
  },
  {
    id: 'docker',
    kind: 'dockerfile',
    params: { require: ['non-root-user', 'slim-base', 'multi-stage', 'no-latest-tag'] },
    evidence: evidence({ files: { [`${P('docker-path')}/Dockerfile`]: `FROM ${P('image').replace(/\s+/g, '')} AS ${P('stage').replace(/\s+/g, '')}\nUSER ${P('user')}\n` } }),
    fields: ['docker-path', 'image', 'stage', 'user'],
  },
  {
    id: 'content',
    kind: 'content',
    params: { files: 'src/**/*.py', patterns: [{ regex: 'import mlflow' }, { regex: 'print\\(', absent: true }] },
    evidence: evidence({ files: { [`src/${P('content-path')}.py`]: 'import mlflow\nprint("x")\n' } }),
    fields: ['content-path'],
  },
];

/** Rubric titles with Markdown characters: they must render as written too (issue 17). */
const TITLE = (id: string): Text => t(`${id}: cachés de Python (__pycache__, *.pyc) … (*.egg-info)`, `${id}: Python caches (__pycache__, *.pyc) … (*.egg-info)`);

function hostileGrade(): Grade {
  const criteria: CriterionResult[] = CASES.map((c) => {
    const check = CHECK_KINDS.get(c.kind)!;
    const criterion: Criterion = {
      id: c.id,
      title: TITLE(c.id),
      points: 10,
      kind: c.kind,
      check,
      params: check.params.parse(c.params),
      feedback: t('Revisa `data/*.csv` y **no** uses `__init__`.', 'Check `data/*.csv` and **do not** use `__init__`.'),
      manual: false,
      visibility: 'always',
    };
    return scoreCriterion(criterion, check.evaluate(criterion.params, c.evidence));
  });
  // A TA override whose automatic result changed since: its note is one of the TA-only notes.
  const [first, ...rest] = criteria;
  const overridden: CriterionResult = {
    ...first!,
    override: { automatic: first!.score, points: 10, by: 'ta-one', reason: P('override-reason'), at: '2026-09-10T10:00:00Z', kind: 'override', automaticChanged: true },
  };
  const pack = { scale: 100, passMark: 0.6 } as Pack;
  const week = { week: 2, title: t('Semana con `*.pyc`', 'Week with `*.pyc`'), criteria: [] } as unknown as Week;
  return {
    ...scoreWeek(pack, week, [overridden, ...rest]),
    pack: 'mlops',
    packHash: 'h',
    commit: 'abcdef1234567890',
    image: 'rubrica/runner-mlops:1',
    imageId: 'sha256:x',
    skipped: [{ path: `data/${P('skipped')}.csv`, size: 90 << 20, reason: 'too-large' }],
    timings: { totalMs: 1, containerMs: 1, copyMs: 1, inspectMs: 1, commandsMs: 0 },
  };
}

/** Fields the checks cut short on purpose (a commit header at 72 characters, a YAML value at 57). */
const CUT: Record<string, number> = { 'commit-subject': 72, 'yaml-value': 57, 'report-value': 40 };

/** Each field's text is there, verbatim, in code: the student sees exactly what we read. */
function expectShownVerbatim(markdown: string, fields: readonly string[]) {
  const { code } = read(markdown);
  for (const field of fields) {
    // A Dockerfile's image and stage name are single words: their payloads have no spaces.
    const want = ['image', 'stage'].includes(field) ? shown(field).replace(/\s+/g, '') : shown(field).slice(0, CUT[field]);
    expect(code.some((c) => c.includes(want) || c.replace(/\\\|/g, '|').includes(want)), `field ${field} shown verbatim in code`).toBe(true);
  }
}

describe('hostile student text through the real checks', () => {
  const grade = hostileGrade();

  it('feeds each field to its check (the payloads reach the messages)', () => {
    for (const c of CASES) {
      const result = grade.criteria.find((r) => r.id === c.id)!;
      const texts = [result.message.en, ...result.items.flatMap((i) => [i.label.en, i.note?.en ?? '']), result.details ?? ''].join('\n');
      for (const field of c.fields) expect(texts, `${c.id}: ${field}`).toContain(`${field}:`);
    }
  });

  for (const locale of ['es', 'en'] as const) {
    const tampering =
      locale === 'es'
        ? '⚠️ Un comentario con comandos de ta-one fue editado por mallory (2026-09-10 10:00 UTC). No cambió nada: el registro conserva el comando original.'
        : '⚠️ A comment with commands by ta-one was edited by mallory (2026-09-10 10:00 UTC). Nothing changed: the record keeps the original command.';
    const notes = [...overrideNotes(grade, locale), tampering];

    it(`leaves the check run inert, with every field verbatim and the TA notes rendered (${locale})`, () => {
      const output = checkRunOutput(grade, { locale, reveal: true, taNotes: notes });
      expectInert(output.summary, grade, locale, { notes });
      const text = expectSectionsInert(output.text, grade.criteria.length);
      expectShownVerbatim(output.summary + '\n\n' + output.text, CASES.flatMap((c) => c.fields));
      // Output stays in its fence, whole (the payload's own fences and `</details>` included).
      const blocks = text.all.filter((tk) => tk.type === 'code').map((tk) => (tk as Tokens.Code).text);
      expect(blocks.some((b) => b.includes('command-output:') && b.includes('</details>') && b.includes('````'))).toBe(true);
      for (const a of output.annotations) expect(a.message + a.title).not.toMatch(/[\u0000-\u001f\u007f-\u009f\uE000\uE001]/);
    });

    it(`leaves the PR comment inert, with the TA notes rendered (${locale})`, () => {
      const body = pullRequestComment(grade, { locale, reveal: true, commit: 'abcdef1234', taNotes: notes, checkRunUrl: 'https://github.example/runs/1' });
      expectInert(body, grade, locale, { notes, ourLinks: 1 });
      // The comment shows each criterion's message, and the unmet items of the first three to fix.
      const first = whatToDoFirst(grade.criteria).slice(0, 3).map((c) => c.id);
      const inComment = CASES.flatMap((c) => {
        const r = grade.criteria.find((x) => x.id === c.id)!;
        const items = first.includes(c.id) ? r.items.filter((i) => !i.ok).flatMap((i) => [i.label.en, i.note?.en ?? '']) : [];
        return c.fields.filter((f) => [r.message.en, ...items].some((x) => x.includes(`${f}:`)));
      });
      expect(inComment.length).toBeGreaterThan(5);
      expectShownVerbatim(body, inComment);
      // A TA's reason is their own text: shown (inert, as the checks above assert), not necessarily as code.
      expect(body).toContain('override-reason:');
    });
  }

  it('keeps the TA notes when the comment is cut to GitHub’s limit', () => {
    const huge: Grade = { ...grade, criteria: grade.criteria.map((c) => ({ ...c, message: t(`${P('x').repeat(400)}`, `${P('x').repeat(400)}`) })) };
    const notes = ['⚠️ A comment with commands by ta-one was edited by mallory.'];
    const body = pullRequestComment(huge, { locale: 'en', reveal: true, commit: 'abcdef1234', taNotes: notes });
    expect(body.length).toBeLessThanOrEqual(65_536);
    const summary = checkRunOutput(huge, { locale: 'en', reveal: true, taNotes: notes }).summary;
    expect(summary.length).toBeLessThanOrEqual(65_535);
    for (const md of [body, summary]) {
      const { top } = read(md);
      const heading = top.findIndex((tk) => tk.type === 'heading' && (tk as Tokens.Heading).text === 'For the teaching team');
      expect(heading).toBeGreaterThan(-1);
      expect((top.slice(heading + 1).find((tk) => tk.type !== 'space') as Tokens.List).items[0]!.text).toContain('was edited by mallory');
    }
  });

  it('prints no control characters in the terminal or in --json', () => {
    for (const color of [false, true]) {
      const out = renderTerminal(grade, { locale: 'en', color, reveal: true });
      // Only our own colours (SGR) remain; no clear screen, cursor move or title change.
      expect(out.replace(/\u001b\[\d+m/g, '')).not.toMatch(/[\u0000-\u0009\u000b-\u001f\u007f-\u009f\uE000\uE001]/);
      expect(out).toContain(shown('commit-subject').slice(0, CUT['commit-subject']));
    }
    const json = renderJson(grade, 'en', true);
    const strings: string[] = [];
    JSON.stringify(json, (_k, v) => (typeof v === 'string' && strings.push(v), v));
    for (const s of strings) expect(s).not.toMatch(/[\u0000-\u0009\u000b-\u001f\u007f-\u009f\uE000\uE001]/);
  });
});

/** A repository where every file, folder, commit and output a rubric may read says something hostile. */
function hostileRepository(criterion: Criterion): CheckEvidence {
  const requirements = criterion.check.requirements(criterion.params);
  const base = evidence({
    files: {
      'README.md': `# ${P('readme-title')}\n\n## ${P('readme-h2')}\n\n![b](https://img.shields.io/badge/x.svg) [l](https://github.com/x) ${P('readme-body')}\n`,
      [`src/${P('src')}.py`]: 'import mlflow\nprint(1)\n',
      [`tests/test_${P('test')}.py`]: 'def test_x(): pass\n',
      Dockerfile: `FROM python:latest AS ${P('stage').replace(/\s+/g, '')}\nUSER ${P('user')}\n`,
      'dvc.yaml': `stages:\n  ${JSON.stringify(P('dvc-stage'))}:\n    cmd: ${JSON.stringify(P('dvc-cmd'))}\n`,
      'params.yaml': `${JSON.stringify(P('param-key'))}: ${JSON.stringify(P('param-value'))}\n`,
      '.github/workflows/ci.yml': `on: ${JSON.stringify(P('on'))}\njobs:\n  ${JSON.stringify(P('job'))}:\n    steps: [${JSON.stringify(P('step'))}]\n`,
      'k8s/deploy.yaml': `kind: ${JSON.stringify(P('kind'))}\nspec: {replicas: ${JSON.stringify(P('replicas'))}}\n`,
      'docker-compose.yml': `services:\n  ${JSON.stringify(P('service'))}: {image: ${JSON.stringify(P('image'))}}\n`,
      '.gitignore': 'x\n',
      [`${P('near')}/raw`]: null,
    },
    commits: [{ message: multiline('commit') }, { message: 'feat: ok' }, { message: `${P('commit-2')}\n\nbody` }],
    ignore: Object.fromEntries((requirements.ignorePaths ?? []).map((path, i) => [path, { ignored: i % 2 === 0, rule: `.gitignore:${i + 1}:${i % 2 ? '!' : ''}${P('rule')}` }])),
    skipped: [{ path: `data/${P('skipped')}.csv`, size: 90 << 20, reason: 'too-large' }],
  });
  const commands = new Map(
    Object.entries(requirements.commands ?? {}).map(([name, spec]) => [
      name,
      commandResult({
        exitCode: 1,
        output: `${PYTEST_OUTPUT}\n${multiline(`output-${name}`)}`,
        reports: Object.fromEntries((spec.reports ?? []).map((r) => [r, JSON.stringify({ totals: { percent_covered: P('coverage') } })])),
      }),
    ]),
  );
  return withFiles({ ...base, commands }, [symlink('data/raw', multiline('symlink'))]);
}

describe('the MLOps pack on a hostile repository', async () => {
  const pack = await loadPack('mlops');
  const notes = ['⚠️ A comment with commands by ta-one was edited by mallory (2026-09-10 10:00 UTC). Nothing changed: the record keeps the original command.'];
  for (const week of pack.weeks.values()) {
    it(`week ${week.week}: every rubric text and student value renders inert, in both languages`, () => {
      const criteria = week.criteria.map((c) => scoreCriterion(c, c.check.evaluate(c.params, hostileRepository(c))));
      const grade: Grade = { ...hostileGrade(), ...scoreWeek(pack, week, criteria) };
      // The only links: the pack's readings (https, checked at load) next to the advice of what to do first.
      const ourLinks = whatToDoFirst(grade.criteria).slice(0, 5).filter((c) => c.reading?.url).length;
      for (const locale of ['es', 'en'] as const) {
        const output = checkRunOutput(grade, { locale, reveal: true, taNotes: notes });
        expectInert(output.summary, grade, locale, { notes, ourLinks });
        const text = expectSectionsInert(output.text, grade.criteria.filter((c) => c.details || c.items.length).length);
        // The hostile values did reach this week's messages, and are shown as code.
        expect([...read(output.summary).code, ...text.code].filter((c) => c.includes('**100 / 100** · aprobado @prof-ta')).length).toBeGreaterThan(0);
        const body = pullRequestComment(grade, { locale, reveal: true, commit: 'abcdef1234', taNotes: notes });
        expectInert(body, grade, locale, { notes, ourLinks });
      }
    });
  }
});
