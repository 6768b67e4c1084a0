// Times the inert rendering (src/report/markup.ts) on the worst text it can meet:
// 64 KB of backtick runs that never pair, and a week of 40 criteria whose output,
// paths and messages are hostile, rendered as a check run and a PR comment.
// Prints figures; asserts nothing.   npm run bench:render [-- --runs 20]
import { parseArgs } from 'node:util';
import { literal, t } from '../src/core/text.ts';
import type { Grade } from '../src/grading/grade.ts';
import { checkRunOutput, pullRequestComment } from '../src/report/markdown.ts';
import { inline } from '../src/report/markup.ts';
import { grade, result } from '../test/helpers/grade.ts';

const { values } = parseArgs({ options: { runs: { type: 'string', default: '20' } } });
const runs = Math.max(1, Number(values.runs));

function median(run: () => unknown): number {
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const started = performance.now();
    run();
    times.push(performance.now() - started);
  }
  return times.sort((a, b) => a - b)[Math.floor(times.length / 2)]!;
}

let unmatched = '';
for (let k = 1; unmatched.length < 64_000; k++) unmatched += `${'`'.repeat(k)} x `;
const forged = '**100 / 100** · aprobado @prof-ta <!-- ![img](x.png) ``` ';
const hostile: Grade = {
  ...grade,
  criteria: Array.from({ length: 40 }, (_, i) =>
    result(`c${i}`, 1, 2.5, 'partial', {
      message: t(`Encontré ${literal(forged.repeat(20))} y ${forged}`, `Found ${literal(forged.repeat(20))} and ${forged}`),
      items: [{ label: t(literal(forged), literal(forged)), ok: false, note: t(forged, forged) }],
      details: `${forged}\n`.repeat(64_000 / forged.length),
    }),
  ),
};

const ms = (n: number) => `${n.toFixed(1)} ms`;
console.log(`inline, 64 KB of unpaired backtick runs: ${ms(median(() => inline(unmatched)))}`);
console.log(`check run, 40 hostile criteria with 64 KB of output each: ${ms(median(() => checkRunOutput(hostile, { locale: 'es', reveal: true, taNotes: ['nota'] })))}`);
console.log(`PR comment, same grade: ${ms(median(() => pullRequestComment(hostile, { locale: 'es', reveal: true, commit: 'abcdef1', taNotes: ['nota'] })))}`);
console.log(`(median of ${runs} runs)`);
