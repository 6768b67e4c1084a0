import type { CheckEvidence, CommandResult, CommandSpec, Evidence, FileEntry, Outcome, Requirements } from '../checks/types.ts';
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
import { declaredDependencies, isDependencyFile, type DeclaredDependency } from './dependencies.ts';
import { continuedRun, distinctModules, importVerdicts, localModules, type MissingModule } from './imports.ts';
import { findProject, projectView, type ProjectChoice, type ProjectView } from './project.ts';
import { installRequirements, type InstallOutcome } from './install.ts';
import type { DependencyInstaller, InstallSettings } from '../sandbox/install.ts';

/** What to grade: one snapshot of a student's repository against one week of a pack. */
export interface GradeRequest {
  readonly pack: Pack;
  readonly week: Week;
  readonly source: SnapshotSource;
  /** Names the container, so a leftover can be traced to its job. */
  readonly jobId: string;
  /** Overrides the pack's runner image (`RUBRICA_RUNNER_IMAGE`). */
  readonly image?: string;
  /** The course's install phase (its `install` key), and whose wheel cache it uses. */
  readonly install?: { readonly settings: InstallSettings; readonly course: string };
}

export type GradeProgress =
  | { readonly phase: 'container' | 'copy' | 'install' | 'inspect' | 'evaluate' }
  | { readonly phase: 'command'; readonly run: string; readonly index: number; readonly total: number };

export interface Grade extends ScoredWeek {
  readonly pack: string;
  readonly packHash: string;
  /** HEAD of the snapshot, when it has git history. */
  readonly commit: string | null;
  readonly image: string;
  readonly imageId: string;
  readonly skipped: readonly SkippedFile[];
  /** The week's project folder and how it was chosen (weeks whose deliverable is a project). */
  readonly project?: ProjectChoice;
  /** Modules the student declared that the runner image lacks: what the course should add to it. */
  readonly environment?: { readonly missing: readonly MissingModule[] };
  /** The install phase, when the course has one and the student declared dependencies. */
  readonly install?: InstallOutcome;
  readonly timings: { readonly totalMs: number; readonly containerMs: number; readonly copyMs: number; readonly inspectMs: number; readonly commandsMs: number; readonly installMs?: number };
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
  installer?: DependencyInstaller,
): Promise<Grade> {
  if (!request.install || !installer) return gradeInSandbox(request, provider, onProgress);
  // The packages' volume exists before the grading container, which mounts it read-only; the install step fills it.
  const volume = await installer.createVolume(request.jobId);
  try {
    return await gradeInSandbox(request, provider, onProgress, { ...request.install, installer, volume });
  } finally {
    await installer.removeVolume(volume);
  }
}

interface InstallStep {
  readonly settings: InstallSettings;
  readonly course: string;
  readonly installer: DependencyInstaller;
  readonly volume: string;
}

async function gradeInSandbox(
  request: GradeRequest,
  provider: SandboxProvider,
  onProgress: (p: GradeProgress) => void,
  step?: InstallStep,
): Promise<Grade> {
  const { pack, week } = request;
  const image = request.image ?? pack.runner.image;
  const limits = pack.runner.limits;
  const caps = snapshotCaps(limits);
  const started = performance.now();
  onProgress({ phase: 'container' });
  const sandbox = await provider.open({ image, limits, jobId: request.jobId, ...(step ? { dependencies: step.volume } : {}) });
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

    // A project anywhere in the repository: criteria whose paths are not the assignment's own are judged from its folder.
    const project =
      week.deliverable === 'python-project'
        ? findProject(files, automatic.filter((a) => fromProject(a.criterion)).map((a) => deliverableGlobs(a.requirements)))
        : undefined;
    const root = project?.root ?? '';
    const repositoryView = projectView(files, '');
    const rootView = projectView(files, root);
    const rooted = (c: Criterion) => root !== '' && fromProject(c);
    const viewOf = (c: Criterion) => (rooted(c) ? rootView : repositoryView);

    onProgress({ phase: 'inspect' });
    const inspectStarted = performance.now();
    const readableIn = (view: ProjectView) => view.files.filter((f) => f.type === 'file' || f.type === 'symlink').map((f) => f.path);
    const toRead = new Set<string>();
    const ignorePaths = new Set<string>();
    const testFiles = new Set<string>();
    for (const { criterion, requirements } of automatic) {
      const view = viewOf(criterion);
      const readable = readableIn(view);
      if (requirements.contents?.length) {
        const matches = globMatcher(requirements.contents);
        for (const path of readable) if (matches(path)) toRead.add(view.real.get(path)!);
      }
      for (const p of requirements.ignorePaths ?? []) ignorePaths.add(rooted(criterion) ? `${root}/${p}` : p);
      if (requirements.testFiles?.length) {
        const matches = tailGlobMatcher(requirements.testFiles);
        for (const path of readable) if (path.endsWith('.py') && matches(path)) testFiles.add(view.real.get(path)!);
      }
    }
    const runsCommands = automatic.some((a) => Object.keys(a.requirements.commands ?? {}).length > 0);
    // What the student declared decides whether a module the image lacks is the course's to add (src/grading/imports.ts).
    const dependencyFiles = runsCommands ? declaringFiles(files, root) : [];
    for (const path of dependencyFiles) toRead.add(path);
    const probed =
      toRead.size || ignorePaths.size || testFiles.size
        ? await sandbox.probe({
            read: [...toRead].sort(),
            maxFileBytes: READ_LIMIT_BYTES,
            ignore: [...ignorePaths],
            ...(testFiles.size ? { countTests: [...testFiles].sort() } : {}),
          })
        : {};
    // HCL globs name paths as each criterion sees them (from the project, for most).
    const hclPaths = new Set<string>();
    for (const { criterion, requirements } of automatic) {
      if (!requirements.hcl?.length) continue;
      const view = viewOf(criterion);
      const isHcl = globMatcher(requirements.hcl);
      for (const [path, real] of view.real) if (isHcl(path) && isHclPath(real)) hclPaths.add(real);
    }
    const hcl = await parseHclFiles((probed.contents ?? []).filter((c) => hclPaths.has(c.path)));
    const inspectMs = performance.now() - inspectStarted;
    const contents = new Map((probed.contents ?? []).map((c) => [c.path, c]));
    const declared = declaredDependencies(dependencyFiles.flatMap((path) => (contents.has(path) ? [contents.get(path)!] : [])));

    // The course's install phase: what the student declared, installed before any command runs.
    const installStarted = performance.now();
    if (step && declared.length) onProgress({ phase: 'install' });
    const install = step ? await installDeclared(step, declared, sandbox.imageId, request.jobId) : undefined;
    const installMs = install ? Math.round(performance.now() - installStarted) : undefined;

    // Identical commands (the test suite run by two criteria) run once, keeping every
    // report any of them reads: the reports are read after the run, not part of it.
    const commandsStarted = performance.now();
    const distinct = new Map<string, CommandSpec>();
    const specsOf = (criterion: Criterion, requirements: Requirements) =>
      Object.entries(requirements.commands ?? {}).map(([name, spec]) => [name, rooted(criterion) ? { ...spec, cwd: root } : spec] as const);
    for (const { criterion, requirements } of automatic) {
      for (const [, spec] of specsOf(criterion, requirements)) {
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
        // The pytest configuration of where the commands run (the project's, when they run there).
        defaultPaths ??= await testPathsOf(sandbox, root === '' ? files : rootView.files, root);
        const same = hung.find((h) => h.cwd === spec.cwd && hangsTheSame(h.run, spec.run, defaultPaths!));
        if (same) {
          results.set(key, await notRunAfterHang(sandbox, spec, same));
          continue;
        }
      }
      const result = await runCommand(sandbox, spec);
      // Stopped by its own limit (not the job's): collection never finished.
      if (result.timedOut && result.durationMs >= spec.timeoutSeconds * 1000 - 1000) hung.push(spec);
      // Stopped at test files the environment cannot import: the files that do import are still judged.
      // Not after a failed install: then the files that cannot import are the student's to fix.
      const past = install?.status === 'failed' ? undefined : continuedRun(spec.run, result, { declared, local: spec.cwd ? localModules(rootView.files) : localModules(files) });
      results.set(key, past ? { ...(await runCommand(sandbox, { ...spec, run: past.run })), continuedPast: past } : result);
    }
    const commandsMs = performance.now() - commandsStarted;

    onProgress({ phase: 'evaluate' });
    const testCounts = probed.testCounts
      ? new Map(Object.entries(probed.testCounts).map(([path, n]) => [path, n === -1 ? Infinity : n]))
      : undefined;
    const repositoryEvidence: Omit<Evidence, 'commands'> = {
      files,
      contents,
      commits: request.source.history?.commits ?? unpacked.commits ?? null,
      ignore: new Map(
        Object.entries(probed.ignore ?? {}).map(([path, v]) => [path, { ignored: v.ignored, ...(v.rule ? { rule: v.rule } : {}) }]),
      ),
      ...(unpacked.gitignoreEncoding === 'utf-16' || unpacked.gitignoreEncoding === 'binary'
        ? { gitignoreEncoding: unpacked.gitignoreEncoding }
        : {}),
      skipped,
      limits: { maxFileBytes: caps.maxFileBytes, maxReadBytes: READ_LIMIT_BYTES },
      ...(testCounts ? { testCounts } : {}),
      ...(hcl.size ? { hcl } : {}),
    };
    const projectEvidence = root === '' ? repositoryEvidence : rerooted(repositoryEvidence, rootView, root);
    const environment: MissingModule[] = [];
    const localOf = new Map<Omit<Evidence, 'commands'>, Set<string>>();
    const criteria = automatic.map(({ criterion, requirements }) => {
      const commands = new Map(specsOf(criterion, requirements).map(([name, spec]) => [name, results.get(commandKey(spec))!]));
      const base = rooted(criterion) ? projectEvidence : repositoryEvidence;
      if (!localOf.has(base)) localOf.set(base, localModules(base.files));
      // After a failed install a declared module's absence is the student's (the install notice says pip's reason), not the course's.
      const dependencies = install?.status === 'failed' ? undefined : { declared, local: localOf.get(base)! };
      // A command that failed on a declared module: the image should have it (one that succeeded needed nothing more).
      for (const result of commands.values()) if (result.exitCode !== 0) environment.push(...importVerdicts(result, dependencies).declared);
      const outcome = evaluate(criterion, { ...base, commands, ...(dependencies ? { dependencies } : {}) });
      return scoreCriterion(criterion, rooted(criterion) ? withRepositoryPaths(outcome, rootView, root) : outcome);
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
      ...(project ? { project } : {}),
      ...(environment.length ? { environment: { missing: distinctModules(environment) } } : {}),
      ...(install ? { install } : {}),
      timings: {
        ...(installMs !== undefined ? { installMs } : {}),
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

/**
 * The install phase: the student's declared dependencies (the files a TA would read,
 * the project's own when the week has one), installed by the course's install step
 * into the volume this grading's container mounts. Nothing declared: nothing
 * installed, no outcome.
 */
async function installDeclared(step: InstallStep, declared: readonly DeclaredDependency[], image: string, jobId: string): Promise<InstallOutcome | undefined> {
  const requirements = installRequirements(declared);
  if (!requirements.length) return undefined;
  return step.installer.install({ settings: step.settings, course: step.course, requirements, image, jobId, volume: step.volume });
}

function commandKey(spec: CommandSpec): string {
  return JSON.stringify([spec.run, spec.cwd ?? '', spec.timeoutSeconds, [...spec.requires].sort(), spec.input ?? null, spec.stdout ?? false, spec.http ?? null]);
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
async function testPathsOf(sandbox: Sandbox, files: readonly FileEntry[], root: string): Promise<string[]> {
  const configs = PYTEST_CONFIG_FILES.filter((name) => files.some((f) => f.path === name && f.type === 'file'));
  if (!configs.length) return defaultTestPaths([]);
  const { contents = [] } = await sandbox.probe({ read: configs.map((c) => (root === '' ? c : `${root}/${c}`)), maxFileBytes: READ_LIMIT_BYTES });
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

/** A criterion is judged from the project unless its path is part of the assignment (week 1's layout). */
function fromProject(criterion: Criterion): boolean {
  return (criterion.params as { pathIsAssignment?: boolean } | null)?.pathIsAssignment !== true;
}

/** What a criterion looks for in the listing, for the project finder. */
function deliverableGlobs(requirements: Requirements): string[] {
  return [...(requirements.contents ?? []), ...(requirements.testFiles ?? []), ...(requirements.paths ?? [])];
}

/** Dependency files a TA would read: anywhere in the project, and the repository root's own. */
const MAX_DEPENDENCY_FILES = 32;
function declaringFiles(files: readonly FileEntry[], root: string): string[] {
  const depth = (p: string) => p.split('/').length;
  return files
    .filter((f) => f.type === 'file' && isDependencyFile(f.path) && (!f.path.includes('/') || root === '' || f.path.startsWith(`${root}/`)))
    .map((f) => f.path)
    .filter((p) => !p.split('/').some((s) => s.startsWith('.') || s === 'node_modules' || s === 'site-packages'))
    .sort((a, b) => depth(a) - depth(b) || (a < b ? -1 : 1))
    .slice(0, MAX_DEPENDENCY_FILES);
}

/** The evidence as seen from a project folder: every path relative to it. */
function rerooted(evidence: Omit<Evidence, 'commands'>, view: ProjectView, root: string): Omit<Evidence, 'commands'> {
  const prefix = `${root}/`;
  const contents = new Map<string, Evidence['contents'] extends ReadonlyMap<string, infer C> ? C : never>();
  const testCounts = new Map<string, number | null>();
  for (const [path, real] of view.real) {
    const c = evidence.contents.get(real);
    if (c) contents.set(path, { ...c, path });
    if (evidence.testCounts?.has(real)) testCounts.set(path, evidence.testCounts.get(real)!);
  }
  const hcl = new Map<string, Evidence['hcl'] extends ReadonlyMap<string, infer H> | undefined ? H : never>();
  for (const [path, real] of view.real) if (evidence.hcl?.has(real)) hcl.set(path, evidence.hcl.get(real)!);
  const ignore = new Map([...evidence.ignore].filter(([p]) => p.startsWith(prefix)).map(([p, v]) => [p.slice(prefix.length), v]));
  return {
    ...evidence,
    files: view.files,
    contents,
    ignore,
    skipped: evidence.skipped.filter((s) => s.path.startsWith(prefix)).map((s) => ({ ...s, path: s.path.slice(prefix.length) })),
    ...(evidence.testCounts ? { testCounts } : {}),
    ...(evidence.hcl ? { hcl } : {}),
  };
}

/** Annotations name the repository's paths: GitHub places them on its files. */
function withRepositoryPaths(outcome: Outcome, view: ProjectView, root: string): Outcome {
  if (!outcome.annotations?.length) return outcome;
  return { ...outcome, annotations: outcome.annotations.map((a) => ({ ...a, path: view.real.get(a.path) ?? `${root}/${a.path}` })) };
}
