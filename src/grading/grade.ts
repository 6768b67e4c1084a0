import type { CheckEvidence, CommandResult, CommandSpec, Evidence, FileEntry, Outcome } from '../checks/types.ts';
import { isInfrastructureError } from '../core/errors.ts';
import { globMatcher, isGitInternal, tailGlobMatcher } from '../core/glob.ts';
import { t } from '../core/text.ts';
import type { Pack, Week, Criterion } from '../rubrics/load.ts';
import type { Sandbox, SandboxProvider } from '../sandbox/sandbox.ts';
import { KB, snapshotCaps } from '../sandbox/limits.ts';
import { SnapshotTooLarge, type SkippedFile, type SnapshotSource } from '../sandbox/snapshot.ts';
import { scoreCriterion, scoreWeek, type ScoredWeek } from './score.ts';
import { isHclPath, parseHclFiles } from './hcl.ts';
import { defaultTestPaths, hangsTheSame, PYTEST_CONFIG_FILES } from './suites.ts';

/** What to grade: one snapshot of a student's repository against one week of a pack. */
export interface GradeRequest {
  readonly pack: Pack;
  readonly week: Week;
  readonly source: SnapshotSource;
  /** Names the container, so a leftover can be traced to its job. */
  readonly jobId: string;
  /** Overrides the pack's runner image (`RUBRICA_RUNNER_IMAGE`). */
  readonly image?: string;
}

export type GradeProgress =
  | { readonly phase: 'container' | 'copy' | 'inspect' | 'evaluate' }
  | { readonly phase: 'command'; readonly run: string; readonly index: number; readonly total: number };

export interface Grade extends ScoredWeek {
  readonly pack: string;
  readonly packHash: string;
  /** HEAD of the snapshot, when it has git history. */
  readonly commit: string | null;
  readonly image: string;
  readonly imageId: string;
  readonly skipped: readonly SkippedFile[];
  readonly timings: { readonly totalMs: number; readonly containerMs: number; readonly copyMs: number; readonly inspectMs: number; readonly commandsMs: number };
}

/** How much of each file the checks read: rubric patterns need the beginning of a file, not a dataset. */
const READ_LIMIT_BYTES = 256 * KB;

/**
 * Grades in one container: open, copy the snapshot in, gather what every check asks
 * for, run each distinct command once, then evaluate the checks (pure) and score.
 * The container is removed whatever happens; errors of ours propagate as
 * InfrastructureError and are never turned into points.
 */
export async function grade(
  request: GradeRequest,
  provider: SandboxProvider,
  onProgress: (p: GradeProgress) => void = () => {},
): Promise<Grade> {
  const { pack, week } = request;
  const image = request.image ?? pack.runner.image;
  const limits = pack.runner.limits;
  const caps = snapshotCaps(limits);
  const started = performance.now();
  onProgress({ phase: 'container' });
  const sandbox = await provider.open({ image, limits, jobId: request.jobId });
  const containerMs = performance.now() - started;
  try {
    onProgress({ phase: 'copy' });
    const copyStarted = performance.now();
    const packed = request.source.pack(caps);
    let unpacked: Awaited<ReturnType<Sandbox['unpack']>>;
    let skipped: readonly SkippedFile[];
    try {
      [unpacked, { skipped }] = await Promise.all([sandbox.unpack(packed.tar), packed.done]);
    } catch (error) {
      // The snapshot cuts itself off first, so its refusal is what Promise.all sees.
      if (!(error instanceof SnapshotTooLarge)) throw error;
      const criteria = week.criteria.map((c) => scoreCriterion(c, { fraction: 0, message: error.text }));
      const totalMs = Math.round(performance.now() - started);
      return {
        ...scoreWeek(pack, week, criteria),
        pack: pack.name,
        packHash: pack.hash,
        commit: request.source.history?.commit ?? null,
        image,
        imageId: sandbox.imageId,
        skipped: [],
        timings: { totalMs, containerMs: Math.round(containerMs), copyMs: Math.round(performance.now() - copyStarted), inspectMs: 0, commandsMs: 0 },
      };
    }
    const copyMs = performance.now() - copyStarted;

    const files: FileEntry[] = (unpacked.files ?? []).filter((f) => !isGitInternal(f.path));
    const automatic = week.criteria.map((c) => ({ criterion: c, requirements: c.check.requirements(c.params) }));

    onProgress({ phase: 'inspect' });
    const inspectStarted = performance.now();
    const readable = files.filter((f) => f.type === 'file' || f.type === 'symlink').map((f) => f.path);
    const toRead = new Set<string>();
    const ignorePaths = new Set<string>();
    const testFiles = new Set<string>();
    for (const { requirements } of automatic) {
      if (requirements.contents?.length) {
        const matches = globMatcher(requirements.contents);
        for (const path of readable) if (matches(path)) toRead.add(path);
      }
      for (const p of requirements.ignorePaths ?? []) ignorePaths.add(p);
      if (requirements.testFiles?.length) {
        const matches = tailGlobMatcher(requirements.testFiles);
        for (const path of readable) if (path.endsWith('.py') && matches(path)) testFiles.add(path);
      }
    }
    const probed =
      toRead.size || ignorePaths.size || testFiles.size
        ? await sandbox.probe({
            read: [...toRead].sort(),
            maxFileBytes: READ_LIMIT_BYTES,
            ignore: [...ignorePaths],
            ...(testFiles.size ? { countTests: [...testFiles].sort() } : {}),
          })
        : {};
    const hclGlobs = automatic.flatMap(({ requirements }) => requirements.hcl ?? []);
    const isHcl = hclGlobs.length ? globMatcher(hclGlobs) : () => false;
    const hcl = await parseHclFiles((probed.contents ?? []).filter((c) => isHclPath(c.path) && isHcl(c.path)));
    const inspectMs = performance.now() - inspectStarted;

    // Identical commands (the test suite run by two criteria) run once, keeping every
    // report any of them reads: the reports are read after the run, not part of it.
    const commandsStarted = performance.now();
    const distinct = new Map<string, CommandSpec>();
    for (const { requirements } of automatic) {
      for (const spec of Object.values(requirements.commands ?? {})) {
        const key = commandKey(spec);
        const seen = distinct.get(key);
        const reports = new Set([...(seen?.reports ?? []), ...(spec.reports ?? [])]);
        const coverage = new Set([...(seen?.coverage?.source ?? []), ...(spec.coverage?.source ?? [])]);
        distinct.set(key, { ...spec, reports: [...reports].sort(), ...(coverage.size ? { coverage: { source: [...coverage].sort() } } : {}) });
      }
    }
    const results = new Map<string, CommandResult>();
    // A hang costs one timeout: commands collecting tests whose collection already hung are not run.
    const hung: CommandSpec[] = [];
    let defaultPaths: string[] | undefined;
    let index = 0;
    for (const [key, spec] of distinct) {
      onProgress({ phase: 'command', run: spec.run, index: index++, total: distinct.size });
      if (hung.length) {
        defaultPaths ??= await testPathsOf(sandbox, files);
        const same = hung.find((h) => hangsTheSame(h.run, spec.run, defaultPaths!));
        if (same) {
          results.set(key, await notRunAfterHang(sandbox, spec, same));
          continue;
        }
      }
      const result = await runCommand(sandbox, spec);
      // Stopped by its own limit (not the job's): collection never finished.
      if (result.timedOut && result.durationMs >= spec.timeoutSeconds * 1000 - 1000) hung.push(spec);
      results.set(key, result);
    }
    const commandsMs = performance.now() - commandsStarted;

    onProgress({ phase: 'evaluate' });
    const evidence: Omit<Evidence, 'commands'> = {
      files,
      contents: new Map((probed.contents ?? []).map((c) => [c.path, c])),
      commits: request.source.history?.commits ?? unpacked.commits ?? null,
      ignore: new Map(
        Object.entries(probed.ignore ?? {}).map(([path, v]) => [path, { ignored: v.ignored, ...(v.rule ? { rule: v.rule } : {}) }]),
      ),
      ...(unpacked.gitignoreEncoding === 'utf-16' || unpacked.gitignoreEncoding === 'binary'
        ? { gitignoreEncoding: unpacked.gitignoreEncoding }
        : {}),
      skipped,
      limits: { maxFileBytes: caps.maxFileBytes, maxReadBytes: READ_LIMIT_BYTES },
      ...(probed.testCounts
        ? { testCounts: new Map(Object.entries(probed.testCounts).map(([path, n]) => [path, n === -1 ? Infinity : n])) }
        : {}),
      ...(hcl.size ? { hcl } : {}),
    };
    const criteria = automatic.map(({ criterion, requirements }) => {
      const commands = new Map(
        Object.entries(requirements.commands ?? {}).map(([name, spec]) => [name, results.get(commandKey(spec))!]),
      );
      return scoreCriterion(criterion, evaluate(criterion, { ...evidence, commands }));
    });
    const scored = scoreWeek(pack, week, criteria);
    return {
      ...scored,
      pack: pack.name,
      packHash: pack.hash,
      commit: request.source.history?.commit ?? unpacked.commits?.[0]?.sha ?? null,
      image,
      imageId: sandbox.imageId,
      skipped,
      timings: {
        totalMs: Math.round(performance.now() - started),
        containerMs: Math.round(containerMs),
        copyMs: Math.round(copyMs),
        inspectMs: Math.round(inspectMs),
        commandsMs: Math.round(commandsMs),
      },
    };
  } finally {
    await sandbox.close();
  }
}

function commandKey(spec: CommandSpec): string {
  return JSON.stringify([spec.run, spec.timeoutSeconds, [...spec.requires].sort(), spec.input ?? null, spec.stdout ?? false, spec.http ?? null]);
}

async function runCommand(sandbox: Sandbox, spec: CommandSpec): Promise<CommandResult> {
  if (sandbox.secondsLeft() < 1) {
    // The job's own limit is spent: the command is reported as stopped, like a timeout.
    return {
      exitCode: null,
      timedOut: true,
      killed: false,
      durationMs: 0,
      output: 'The grading job reached its time limit before this command could run.',
      outputBytes: 0,
      outputTruncated: false,
      reports: {},
      missingModules: [],
      ...(spec.stdout ? { stdout: '', stdoutTruncated: false } : {}),
    };
  }
  return sandbox.run({ ...spec, reports: spec.reports ?? [] });
}

/** What pytest collects when given no path, from the repository's pytest configuration. */
async function testPathsOf(sandbox: Sandbox, files: readonly FileEntry[]): Promise<string[]> {
  const configs = PYTEST_CONFIG_FILES.filter((name) => files.some((f) => f.path === name && f.type === 'file'));
  if (!configs.length) return defaultTestPaths([]);
  const { contents = [] } = await sandbox.probe({ read: configs, maxFileBytes: READ_LIMIT_BYTES });
  return defaultTestPaths(contents.map((c) => c.text));
}

/**
 * The result of a command that would hang where `hung` did. A module the runner
 * image lacks is still reported as such (the course's problem, not the student's).
 */
async function notRunAfterHang(sandbox: Sandbox, spec: CommandSpec, hung: CommandSpec): Promise<CommandResult> {
  const { modules = {} } = spec.requires.length ? await sandbox.probe({ modules: spec.requires }) : {};
  return {
    exitCode: null,
    timedOut: true,
    killed: false,
    durationMs: 0,
    output: `(not run: \`${hung.run}\` never finished collecting these tests within ${hung.timeoutSeconds} s)`,
    outputBytes: 0,
    outputTruncated: false,
    reports: {},
    missingModules: spec.requires.filter((m) => modules[m] === false),
    hungAs: { run: hung.run, timeoutSeconds: hung.timeoutSeconds },
  };
}

/** A check that throws is a bug of ours: the criterion is not scored, the rest of the grade stands. */
function evaluate(criterion: Criterion, evidence: CheckEvidence): Outcome {
  try {
    return criterion.check.evaluate(criterion.params, evidence);
  } catch (error) {
    if (isInfrastructureError(error)) throw error;
    return {
      fraction: 0,
      message: t('No se pudo evaluar este criterio.', 'This criterion could not be evaluated.'),
      error: {
        code: 'check-crashed',
        message: t(
          `Error interno de Rubrica al evaluar «${criterion.id}»; el equipo docente ya lo ve. No es un error tuyo.`,
          `Rubrica failed internally while evaluating "${criterion.id}"; your instructors can see it. It is not your fault.`,
        ),
      },
      details: error instanceof Error ? `${error.name}: ${error.message}` : String(error),
    };
  }
}
