// Grades weeks 1 and 6 of the MLOps model solution and, in the same run, times a bare
// `docker run --rm <runner image> true`. Prints figures; asserts nothing.
//   npm run bench [-- --runs 5]
import { execFileSync } from 'node:child_process';
import { parseArgs } from 'node:util';
import { grade, type Grade } from '../src/grading/grade.ts';
import { loadPack } from '../src/rubrics/load.ts';
import { DockerSandboxProvider, type SandboxProvider } from '../src/sandbox/sandbox.ts';
import { directorySnapshot } from '../src/sandbox/snapshot.ts';
import { modelSolution } from '../test/fixtures/repos.ts';

const { values } = parseArgs({ options: { runs: { type: 'string', default: '5' } } });
const runs = Math.max(1, Number(values.runs));
const pack = await loadPack('mlops');
const image = process.env.RUBRICA_RUNNER_IMAGE ?? pack.runner.image;
const docker = new DockerSandboxProvider();
let containers = 0;
const counting: SandboxProvider = {
  open: (options) => {
    containers++;
    return docker.open(options);
  },
};
const repo = await modelSolution({ prefix: 'bench' });

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

function bareRun(): number {
  const t = performance.now();
  execFileSync('docker', ['run', '--rm', '--network', 'none', image, 'true']);
  return performance.now() - t;
}

async function timedGrade(week: number): Promise<{ ms: number; result: Grade }> {
  const t = performance.now();
  const result = await grade({ pack, week: pack.weeks.get(week)!, source: directorySnapshot(repo), jobId: `bench-${week}` }, counting);
  return { ms: performance.now() - t, result };
}

bareRun(); // warm the image's layers into the page cache
await timedGrade(1);
const bare: number[] = [];
const rows: string[] = [];
const medianBare = () => median(bare);
for (const week of [1, 6]) {
  const times: number[] = [];
  let last: Grade | undefined;
  const before = containers;
  for (let i = 0; i < runs; i++) {
    bare.push(bareRun());
    const { ms, result } = await timedGrade(week);
    times.push(ms);
    last = result;
  }
  const m = median(times);
  const t = last!.timings;
  rows.push(
    `week ${week}: ${last!.criteria.length} criteria, score ${last!.score}/${last!.maxScore} (+${last!.pendingPoints} pending), ` +
      `${(containers - before) / runs} container(s) per job\n` +
      `  wall median ${m.toFixed(0)} ms over ${runs} runs (min ${Math.min(...times).toFixed(0)}, max ${Math.max(...times).toFixed(0)})\n` +
      `  last run: container ${t.containerMs} ms, copy ${t.copyMs} ms, inspect ${t.inspectMs} ms, commands ${t.commandsMs} ms\n` +
      `  ratio to a bare container run: ${(m / medianBare()).toFixed(2)}×`,
  );
}
console.log(`runner image ${image}`);
console.log(`bare \`docker run --rm ${image} true\`: median ${medianBare().toFixed(0)} ms over ${bare.length} runs`);
for (const row of rows) console.log(row);
