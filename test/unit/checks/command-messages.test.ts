import { describe, expect, it } from 'vitest';
import { commandCheck, resolvePath, type CommandParams } from '../../../src/checks/command.ts';
import type { CommandResult } from '../../../src/checks/types.ts';
import { asShown, evidence } from '../../helpers/evidence.ts';

/*
 * What a student reads from a command check, word for word: the headline, each
 * checklist item and its note, and the details block, for every way a command ends.
 */

function params(raw: Record<string, unknown>): CommandParams {
  return commandCheck.params.parse(raw);
}

function run(raw: Record<string, unknown>, result: Partial<CommandResult>) {
  return asShown(commandCheck.evaluate(params(raw), evidence({ commands: { main: result } })));
}

const MEASURED = "Measured: the command's result in the grader's sandbox; your code (conftest.py too) runs inside it and decides it.";
const MEDIDO = 'Medido: el resultado del comando en el entorno del corrector; tu código (también conftest.py) corre dentro y lo decide.';

describe('command headlines', () => {
  it('says a command that meets everything does, then what was measured', () => {
    const o = run({ run: 'make test' }, { exitCode: 0 });
    expect(o.message).toEqual({ es: `\`make test\` cumple todo lo pedido. ${MEDIDO}`, en: `\`make test\` meets everything asked. ${MEASURED}` });
    expect(o.items).toEqual([{ label: { es: 'el comando termina con código 0', en: 'the command exits with code 0' }, ok: true }]);
  });

  it('passes a command expected to exit 127 that does, without calling it missing', () => {
    const o = run({ run: './missing', expect: { exitCode: 127 } }, { exitCode: 127, output: 'sh: 1: ./missing: not found\n' });
    expect(o.fraction).toBe(1);
    expect(o.message.en).toBe(`\`./missing\` meets everything asked. ${MEASURED}`);
  });

  it('names the failing items of a command that finished, and counts them', () => {
    const o = run({ run: 'python3 train.py', expect: { output: [{ regex: 'saved' }, { regex: 'Warning', absent: true }] } }, { exitCode: 0, output: 'Warning: x\n' });
    expect(o.message).toEqual({
      es: `\`python3 train.py\` terminó, pero no cumple: la salida contiene /saved/ y la salida no contiene /Warning/. Córrelo en tu máquina con \`python3 train.py\` y revisa la salida. Cumple 1 de 3 requisitos; este criterio da puntos solo si se cumplen todos. ${MEDIDO}`,
      en: `\`python3 train.py\` finished, but falls short: the output matches /saved/ and the output does not match /Warning/. Run it on your machine with \`python3 train.py\` and check its output. 1 of 3 requirements met; this criterion earns points only when all are met. ${MEASURED}`,
    });
    expect(o.items!.slice(1)).toEqual([
      { label: { es: 'la salida contiene /saved/', en: 'the output matches /saved/' }, ok: false, note: { es: 'no aparece en la salida', en: 'it is not in the output' } },
      { label: { es: 'la salida no contiene /Warning/', en: 'the output does not match /Warning/' }, ok: false, note: { es: 'aparece en la salida', en: 'it appears in the output' } },
    ]);
  });

  it('says the exit code it got and the one expected, or ? without one', () => {
    expect(run({ run: 'x', expect: { exitCode: 2 } }, { exitCode: 0 }).message.es).toBe(
      `\`x\` terminó con código 0 (se esperaba 2). Córrelo en tu máquina con \`x\` y arregla lo que muestra la salida. ${MEDIDO}`,
    );
    const none = run({ run: 'x' }, { exitCode: null });
    expect(none.message.en).toBe(`\`x\` exited with code ? (expected 0). Run it on your machine with \`x\` and fix what its output shows. ${MEASURED}`);
    expect(none.message.es).toMatch(/^`x` terminó con código \? \(se esperaba 0\)/);
    expect(none.items![0]!.note).toEqual({ es: 'terminó con código ?', en: 'it exited with code ?' });
  });

  it('says which program is missing, from sh, bash or a numbered script line', () => {
    for (const output of ['sh: 1: ruff: not found\n', 'sh: 12: ruff: not found\n', 'bash: ruff: command not found\n', 'bash: line 1: ruff: command not found\n', 'bash: line 12: ruff: command not found\n', 'x\n/bin/sh: ruff: not found\n']) {
      expect(run({ run: 'ruff check .' }, { exitCode: 127, output }).message.en).toMatch(/^`ruff check \.` could not run: `ruff` is not there \(code 127\)\. If it is a file/);
    }
    const unknown = run({ run: 'ruff check .' }, { exitCode: 127, output: 'weird shell\n' });
    expect(unknown.message.en).toMatch(/^`ruff check \.` could not run: the program is not there \(code 127\)/);
    expect(unknown.message.es).toMatch(/^`ruff check \.` no pudo correr: el programa no existe en el entorno \(código 127\)/);
    expect(run({ run: 'ruff check .' }, { exitCode: 127, output: 'sh: 1: ruff: not found\n' }).message.es).toMatch(/^`ruff check \.` no pudo correr: `ruff` no existe en el entorno \(código 127\)/);
    expect(run({ run: './run.sh' }, { exitCode: 126 }).message.es).toMatch(/^`\.\/run\.sh` no pudo correr: el archivo existe pero no es ejecutable \(código 126\)\. Dale permiso con `git update-index --chmod=\+x <archivo>`/);
  });

  it('without an expected exit code, a program that is missing or not executable still fails', () => {
    const raw = { run: 'x', expect: { exitCode: null } };
    for (const exitCode of [126, 127]) {
      expect(run(raw, { exitCode }).items).toEqual([
        { label: { es: 'el comando termina', en: 'the command finishes' }, ok: false, note: { es: `código ${exitCode}: no se pudo ejecutar`, en: `code ${exitCode}: it could not be run` } },
      ]);
    }
    expect(run(raw, { exitCode: 1 }).items).toEqual([{ label: { es: 'el comando termina', en: 'the command finishes' }, ok: true }]);
  });
});

describe('commands that did not finish', () => {
  it('a timeout exactly one second early is still the command’s own', () => {
    const o = run({ run: 'pytest', timeout: 15 }, { exitCode: null, timedOut: true, durationMs: 14_000 });
    expect(o.message.en).toMatch(/^pytest was stopped at 15 s \(the time limit\)/);
    const job = run({ run: 'pytest', timeout: 15 }, { exitCode: null, timedOut: true, durationMs: 13_999 });
    expect(job.message.en).toMatch(/^pytest was stopped after 14 s because the grading job ran out of time/);
    expect(job.items![0]!.note).toEqual({ es: 'se detuvo a los 14 s', en: 'stopped after 14 s' });
  });

  it('a killed or stopped command fails its exit item even with the expected code', () => {
    const killed = run({ run: 'x', expect: { exitCode: 137 } }, { exitCode: 137, killed: true });
    expect(killed.items![0]).toEqual({ label: { es: 'el comando termina con código 137', en: 'the command exits with code 137' }, ok: false, note: { es: 'lo detuvo el límite de memoria', en: 'killed by the memory limit' } });
    expect(killed.details).toBe('$ x\n(no output)\n[killed (memory limit), exit code 137]');
    expect(run({ run: 'x' }, { exitCode: null, killed: true }).details).toBe('$ x\n(no output)\n[killed (memory limit), exit code ?]');
  });

  it('a lost supervisor: the item, the details and the message, without a measured line', () => {
    const hung = run({ run: 'pytest' }, { exitCode: null, failure: 'supervisor-hung' });
    expect(hung.items![0]!.note).toEqual({ es: 'el supervisor del corrector no volvió', en: "the grader's supervisor did not come back" });
    expect(hung.details).toBe("$ pytest\n(no output)\n[the grader's supervisor stopped answering]");
    expect(hung.message.es).toBe(
      'Mientras corría pytest, el supervisor del corrector dejó de responder: tu código bloqueó el entorno. Revisa que tus tests no dejen procesos ni archivos especiales (FIFO) atrás, y vuelve a subir.',
    );
    const died = run({ run: 'pytest' }, { exitCode: null, failure: 'supervisor-died' });
    expect(died.details).toBe("$ pytest\n(no output)\n[the grader's supervisor was killed]");
  });

  it('a command not run after a hang says so in its item, in Spanish too', () => {
    const o = run({ run: 'pytest' }, { exitCode: null, timedOut: true, durationMs: 0, hungAs: { run: 'pytest --collect-only', timeoutSeconds: 60 } });
    expect(o.items![0]!.note).toEqual({ es: 'no se corrió: los mismos tests no terminaron de reunirse', en: 'not run: the same tests never finished collecting' });
  });
});

describe('command details', () => {
  it('heads the output with the command line and ends with how it ended', () => {
    expect(run({ run: 'make' }, { exitCode: 2, output: 'a\nb\n\n', durationMs: 1500 }).details).toBe('$ make\na\nb\n\n[exit code 2, 1.5 s]');
    expect(run({ run: 'make' }, { exitCode: 0, output: '', durationMs: 2000 }).details).toBe('$ make\n(no output)\n[exit code 0, 2 s]');
    expect(run({ run: 'make' }, { exitCode: 0, output: 'x', durationMs: 0, outputTruncated: true, outputBytes: 3 * 1024 * 1024 }).details).toBe(
      '$ make\nx\n[exit code 0, 0 s, 3.0 MB of output, middle cut]',
    );
    expect(run({ run: 'make' }, { exitCode: null, timedOut: true, output: 'x', durationMs: 120_000 }).details).toBe('$ make\nx\n[stopped at the time limit after 120 s]');
  });

  it('says which modules the course image lacks, one or several', () => {
    const one = run({ run: 'pytest', requires: ['pytest_cov'] }, { missingModules: ['pytest_cov'] });
    expect(one.message).toEqual({ es: 'No se corrió `pytest`: falta un módulo en la imagen del curso.', en: "`pytest` was not run: the course's image lacks a module." });
    expect(one.error?.message.en).toBe("The course's image lacks the module pytest_cov; tell your instructor. It is not your fault and this criterion is not scored.");
    const two = run({ run: 'pytest', requires: ['a', 'b'] }, { missingModules: ['a', 'b'] });
    expect(two.message).toEqual({ es: 'No se corrió `pytest`: faltan módulos en la imagen del curso.', en: "`pytest` was not run: the course's image lacks modules." });
    expect(two.error?.message.en).toBe("The course's image lacks the modules a, b; tell your instructor. It is not your fault and this criterion is not scored.");
    expect(two.details).toBe('$ pytest\n(not run: the runner image lacks a, b)');
  });
});

describe('output patterns', () => {
  it('labels, notes and a cut output', () => {
    const raw = { run: 'x', expect: { output: [{ regex: 'ok' }, { regex: 'ERROR', absent: true }] } };
    const cut = run(raw, { exitCode: 0, output: 'start\n[cut]\nend', outputTruncated: true, outputBytes: 1 << 20 });
    expect(cut.items!.slice(1)).toEqual([
      { label: { es: 'la salida contiene /ok/', en: 'the output matches /ok/' }, ok: false, note: { es: 'no está en el inicio ni en el final de la salida (el medio se cortó)', en: 'not in the start or end of the output (the middle was cut)' } },
      { label: { es: 'la salida no contiene /ERROR/', en: 'the output does not match /ERROR/' }, ok: true, note: { es: 'solo se revisaron el inicio y el final de la salida', en: 'only the start and end of the output were checked' } },
    ]);
    const stopped = run(raw, { exitCode: null, timedOut: true, durationMs: 120_000, output: 'ok' });
    expect(stopped.items![2]).toMatchObject({ ok: false, note: { es: 'el comando no terminó: su salida está incompleta', en: 'the command did not finish: its output is incomplete' } });
    expect(run(raw, { exitCode: 0, output: 'ok' }).items!.slice(1)).toEqual([
      { label: { es: 'la salida contiene /ok/', en: 'the output matches /ok/' }, ok: true },
      { label: { es: 'la salida no contiene /ERROR/', en: 'the output does not match /ERROR/' }, ok: true },
    ]);
  });
});

describe('metrics', () => {
  const metric = (extra: Record<string, unknown> = {}) => ({ label: { es: 'exactitud', en: 'accuracy' }, report: '/work/out/m.json', path: 'acc', min: 0.8, ...extra });
  const withReport = (text: string) => ({ exitCode: 0, reports: { '/work/out/m.json': text } });

  it('passes at exactly the minimum, shown without a unit', () => {
    const o = run({ run: 'x', metric: metric() }, withReport('{"acc": 0.8}'));
    expect(o.items![1]).toEqual({ label: { es: 'exactitud 0,8 (mínimo 0,8)', en: 'accuracy 0.8 (minimum 0.8)' }, ok: true });
    expect(o.fraction).toBe(1);
    expect(run({ run: 'x', metric: metric({ min: 70, unit: '%' }) }, withReport('{"acc": 70}')).items![1]!.ok).toBe(true);
  });

  it('rounds a value under the minimum to the nearest tenth when that stays under it', () => {
    expect(run({ run: 'x', metric: metric({ min: 70, unit: '%' }) }, withReport('{"acc": 64.36}')).items![1]!.label.en).toBe('accuracy 64.4% (minimum 70%)');
  });

  it('fails a report it cannot read, whatever the exit code', () => {
    const bare = { es: 'exactitud (mínimo 0,8)', en: 'accuracy (minimum 0.8)' };
    const cases: [string, { es: string; en: string }][] = [
      ['{not json', { es: 'El reporte /work/out/m.json no es JSON válido.', en: 'The report /work/out/m.json is not valid JSON.' }],
      ['{"other": 1}', { es: 'El reporte /work/out/m.json no tiene `acc`.', en: 'The report /work/out/m.json has no `acc`.' }],
      ['{"acc": ""}', { es: '`acc` en /work/out/m.json no es un número (`""`).', en: '`acc` in /work/out/m.json is not a number (`""`).' }],
      ['{"acc": "  "}', { es: '`acc` en /work/out/m.json no es un número (`"  "`).', en: '`acc` in /work/out/m.json is not a number (`"  "`).' }],
      ['{"acc": {"value": 1}}', { es: '`acc` en /work/out/m.json no es un número (`{"value":1}`).', en: '`acc` in /work/out/m.json is not a number (`{"value":1}`).' }],
      ['{"acc": null}', { es: '`acc` en /work/out/m.json no es un número (`null`).', en: '`acc` in /work/out/m.json is not a number (`null`).' }],
    ];
    for (const [text, note] of cases) {
      const o = run({ run: 'x', metric: metric() }, withReport(text));
      expect(o.items![1]).toEqual({ label: bare, ok: false, note });
      expect(o.fraction).toBe(0);
    }
    const long = run({ run: 'x', metric: metric() }, withReport(JSON.stringify({ acc: 'y'.repeat(100) }))).items![1]!.note!.en;
    expect(long).toBe(`\`acc\` in /work/out/m.json is not a number (\`"${'y'.repeat(59)}\`).`);
    expect(run({ run: 'x', metric: metric() }, withReport('{"acc": " 0.9 "}')).items![1]!.ok).toBe(true);
  });
});

describe('coverage measured by the grader', () => {
  const COVERAGE = { run: 'pytest --cov', expect: { exitCode: null }, coverage: { source: ['src', 'lib'], min: 70 } };

  it('names every source folder and passes at exactly the minimum', () => {
    const o = run(COVERAGE, { exitCode: 0, coverage: { percent: 70, covered: 7, statements: 10, files: 2 } });
    expect(o.items![1]).toEqual({
      label: { es: 'cobertura de `src/`, `lib/` 70 % (mínimo 70 %)', en: 'coverage of `src/`, `lib/` 70% (minimum 70%)' },
      ok: true,
      note: { es: '7 de 10 sentencias en 2 archivos', en: '7 of 10 statements in 2 files' },
    });
    expect(o.message.es).toBe(
      // The figure leads: it is what a student looks for.
      'La cobertura de `src/`, `lib/` es 70 % (mínimo 70 %). Medido: la cobertura de src/, lib/ con la configuración del corrector (la de tu repositorio, omit, exclude o `# pragma: no cover`, no cuenta), sobre lo que registró tu corrida de tests.',
    );
  });

  it('says why coverage is missing: no data, another error, or no result', () => {
    const label = { es: 'cobertura de `src/`, `lib/` (mínimo 70 %)', en: 'coverage of `src/`, `lib/` (minimum 70%)' };
    expect(run(COVERAGE, { exitCode: 0, coverage: { error: 'no-data' } }).items![1]).toEqual({
      label,
      ok: false,
      note: {
        es: 'la corrida de tests no registró datos de cobertura: probablemente pytest falló antes de terminar o no se usó pytest-cov; mira la salida.',
        en: 'the test run recorded no coverage data: pytest probably failed before it finished, or pytest-cov was not used; see the output.',
      },
    });
    expect(run(COVERAGE, { exitCode: 0, coverage: { error: 'unreadable' } as never }).items![1]!.note).toEqual({
      es: 'no se pudo medir la cobertura (unreadable).',
      en: 'coverage could not be measured (unreadable).',
    });
    expect(run(COVERAGE, { exitCode: 0 }).items![1]!.note).toEqual({ es: 'no se pudo medir la cobertura (sin resultado).', en: 'coverage could not be measured (no result).' });
    expect(run({ ...COVERAGE, coverage: { ...COVERAGE.coverage, label: { es: 'cob', en: 'cov' } } }, { exitCode: 0 }).items![1]!.label).toEqual({ es: 'cob (mínimo 70 %)', en: 'cov (minimum 70%)' });
  });
});

describe('resolvePath, edges', () => {
  it('finds nothing under a scalar, null or past an array', () => {
    expect(resolvePath(5, 'a')).toEqual({ found: false });
    expect(resolvePath('abc', 'length')).toEqual({ found: false });
    expect(resolvePath({ a: null }, 'a.b')).toEqual({ found: false });
    expect(resolvePath({ runs: [1] }, 'runs.1')).toEqual({ found: false });
    expect(resolvePath({ runs: [1] }, 'runs.0x0')).toEqual({ found: false });
    expect(resolvePath({ runs: Array.from({ length: 11 }, (_, i) => i) }, 'runs.10')).toEqual({ found: true, value: 10 });
  });

  it('falls back to a shorter key when the longest one leads nowhere', () => {
    expect(resolvePath({ 'a.b': 1, a: { b: { c: 2 } } }, 'a.b.c')).toEqual({ found: true, value: 2 });
  });
});
