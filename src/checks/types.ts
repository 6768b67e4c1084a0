import type { z } from 'zod';
import type { Text } from '../core/text.ts';
import type { SkippedFile } from '../sandbox/snapshot.ts';
import type { ImportContext } from '../grading/imports.ts';

/** One entry of the snapshot as seen inside the sandbox (never read on the host). */
export interface FileEntry {
  readonly path: string;
  readonly type: 'file' | 'dir' | 'symlink' | 'other';
  readonly size: number;
  /** Where a symlink points (inside the container). */
  readonly target?: string;
}

export interface FileContent {
  readonly path: string;
  /** Decoded as UTF-8 (bad bytes replaced); empty when not text. */
  readonly text: string;
  readonly encoding: 'utf-8' | 'utf-16' | 'binary';
  /** The file was longer than the grader reads; `text` is its beginning. */
  readonly truncated: boolean;
}

export interface Commit {
  readonly sha: string;
  readonly author: string;
  readonly date: string;
  readonly message: string;
  readonly parents: number;
}

export interface IgnoreVerdict {
  readonly ignored: boolean;
  /** The .gitignore line that decided it, as `file:line:pattern`. */
  readonly rule?: string;
}

export interface CommandSpec {
  /** Runs with `sh -c` in the repository's folder inside the sandbox (or `cwd` in it). */
  readonly run: string;
  /** Folder of the repository to run in (the week's project); the repository's root without it. */
  readonly cwd?: string;
  readonly timeoutSeconds: number;
  /** Python modules the command needs from the runner image (the course's job, not the student's). */
  readonly requires: readonly string[];
  /** Files the command writes under /work/out that the check reads back (e.g. coverage.json). */
  readonly reports?: readonly string[];
  /** Fed to the command's stdin (then closed); without it stdin is empty. */
  readonly input?: string;
  /** Keep stdout apart from stderr as well (`CommandResult.stdout`): output comparisons read stdout alone. */
  readonly stdout?: boolean;
  /** The grader measures coverage of these folders itself, with its own configuration (see CoverageMeasure). */
  readonly coverage?: { readonly source: readonly string[] };
  /** The command starts a service: the supervisor waits for it on loopback, sends these requests, then stops it. */
  readonly http?: HttpProbe;
}

export interface HttpRequestSpec {
  readonly method: string;
  /** Path and query on 127.0.0.1:port, e.g. /predict. */
  readonly path: string;
  readonly headers?: Readonly<Record<string, string>>;
  readonly body?: string;
}

export interface HttpProbe {
  readonly port: number;
  /** Any HTTP answer on this path means the service is up. */
  readonly readyPath: string;
  readonly readySeconds: number;
  readonly requestSeconds: number;
  readonly bodyCap: number;
  readonly requests: readonly HttpRequestSpec[];
}

/** One request's answer as the grader's supervisor received it, or why there was none. */
export type HttpExchange =
  | {
      readonly status: number;
      /** As sent, in order (names as the service wrote them). */
      readonly headers: readonly (readonly [string, string])[];
      readonly body: string;
      readonly bodyTruncated: boolean;
      readonly ms: number;
    }
  | { readonly error: 'timeout' | 'refused' | 'reset' | 'protocol'; readonly ms: number };

export interface HttpOutcome {
  /** The service answered its ready path within the time given. */
  readonly ready: boolean;
  readonly readyMs?: number;
  /** Exit code of the service's command when it ended by itself (before answering, or while answering). */
  readonly exited?: number;
  /** One per request of the probe, in order; empty when the service never came up. */
  readonly responses: readonly HttpExchange[];
}

/**
 * Coverage as the grader measured it after the command: its own configuration (no omit,
 * no excluded lines), every Python file of the source folders counted, reported by an
 * isolated helper once no student process is left. The data itself is what the test run
 * recorded, so code that tampers with the tracer from inside that run can still lie.
 */
export type CoverageMeasure =
  | { readonly percent: number; readonly covered: number; readonly statements: number; readonly files: number }
  | { readonly error: string };

export interface CommandResult {
  readonly exitCode: number | null;
  readonly timedOut: boolean;
  /** Killed without a timeout of ours: the memory limit, almost always. */
  readonly killed: boolean;
  readonly durationMs: number;
  /** Combined stdout and stderr, capped. */
  readonly output: string;
  readonly outputBytes: number;
  readonly outputTruncated: boolean;
  /** Report files the command was asked to keep (e.g. coverage.json), capped. */
  readonly reports: Readonly<Record<string, string | null>>;
  /** Modules of `requires` the runner image lacks; the command did not run. */
  readonly missingModules: readonly string[];
  /** stdout alone, capped; only when the spec asked for it. */
  readonly stdout?: string;
  readonly stdoutTruncated?: boolean;
  readonly coverage?: CoverageMeasure;
  /** The grader's supervisor was killed or stopped answering while the command ran: the student's code did it. */
  readonly failure?: 'supervisor-died' | 'supervisor-hung';
  /**
   * Not run: an earlier command collecting the same tests never finished collecting
   * (src/grading/suites.ts), so this one would hang the same way.
   */
  readonly hungAs?: { readonly run: string; readonly timeoutSeconds: number };
  /**
   * Run again as `run`, past the test files that cannot import a module the student
   * declared and the image lacks (src/grading/imports.ts): this is that run's result.
   */
  readonly continuedPast?: { readonly run: string; readonly files: readonly string[] };
  /** What the service did, for a command started with `http` (output is its log). */
  readonly http?: HttpOutcome;
}

/** What the sandbox found, handed to every check's pure `evaluate`. */
export interface Evidence {
  readonly files: readonly FileEntry[];
  readonly contents: ReadonlyMap<string, FileContent>;
  /** null when the snapshot has no git history. */
  readonly commits: readonly Commit[] | null;
  readonly ignore: ReadonlyMap<string, IgnoreVerdict>;
  /** Set when git could not read .gitignore (UTF-16, NUL bytes). */
  readonly gitignoreEncoding?: 'utf-16' | 'binary';
  readonly commands: ReadonlyMap<string, CommandResult>;
  /** Files left out of the sandbox (too large, special files), so a check can say why one is missing. */
  readonly skipped: readonly SkippedFile[];
  readonly limits: {
    readonly maxFileBytes: number;
    /** How much of each file `contents` holds; a longer file's text is its beginning (`truncated`). */
    readonly maxReadBytes: number;
  };
  /**
   * Test functions each test file defines, counted from its source without running it
   * (null: not parsable; Infinity: parametrized beyond what can be counted statically).
   */
  readonly testCounts?: ReadonlyMap<string, number | null>;
  /** What the student declared and which modules are their own, to judge a failed import (src/grading/imports.ts). */
  readonly dependencies?: ImportContext;
  /** HCL files (Terraform) parsed on request (`Requirements.hcl`), by path. */
  readonly hcl?: ReadonlyMap<string, HclDocument>;
}

/** An HCL file as the grader parsed it (src/grading/hcl.ts): its JSON form, the parser's complaint, or a refusal. */
export type HclDocument =
  | { readonly value: unknown }
  | { readonly error: string; readonly line?: number }
  | { readonly refused: 'too-large' | 'too-deep'; readonly limit: number };

export interface Requirements {
  /** Globs whose files' text the check reads. */
  readonly contents?: readonly string[];
  /** Paths to ask `git check-ignore` about (they need not exist). */
  readonly ignorePaths?: readonly string[];
  readonly commits?: boolean;
  /** Commands, keyed by a name local to the check. */
  readonly commands?: Readonly<Record<string, CommandSpec>>;
  /** Globs of test files whose test functions to count statically (Python's ast). */
  readonly testFiles?: readonly string[];
  /** Globs of other deliverables the check looks for in the listing (the project finder counts them with `contents`). */
  readonly paths?: readonly string[];
  /** Globs of files (among `contents`) to parse as HCL when named .tf, .tfvars or .hcl. */
  readonly hcl?: readonly string[];
}

export interface Annotation {
  readonly path: string;
  readonly line?: number;
  readonly message: Text;
}

export interface ChecklistItem {
  readonly label: Text;
  readonly ok: boolean;
  readonly note?: Text;
}

export interface Outcome {
  /** Share of the criterion's points earned, 0..1. */
  readonly fraction: number;
  /** What was found, in one or two sentences. */
  readonly message: Text;
  readonly items?: readonly ChecklistItem[];
  /** Raw evidence for the details view (command output), never localized. */
  readonly details?: string;
  readonly annotations?: readonly Annotation[];
  /** The course's or our problem, not the student's: the criterion is not scored. */
  readonly error?: { readonly code: 'runner-image-incomplete' | 'environment-lacks-declared' | 'check-crashed'; readonly message: Text };
}

export interface CheckKind<P> {
  readonly kind: string;
  /** Parameters as written in the rubric; strict, so a misspelt key is refused at load. */
  readonly params: z.ZodType<P>;
  requirements(params: P): Requirements;
  /** Pure: the same params and evidence always give the same outcome. */
  evaluate(params: P, evidence: CheckEvidence): Outcome;
}

/** Evidence as one check sees it: its own commands by their local names. */
export interface CheckEvidence extends Omit<Evidence, 'commands'> {
  readonly commands: ReadonlyMap<string, CommandResult>;
}

export function defineCheck<P>(kind: CheckKind<P>): CheckKind<P> {
  return kind;
}

/** Share of items that hold, for partial credit. */
export function shareOf(items: readonly ChecklistItem[]): number {
  return items.length === 0 ? 0 : items.filter((i) => i.ok).length / items.length;
}

/** A checklist's credit: its share with partial credit, otherwise all or nothing. */
export function creditOf(items: readonly ChecklistItem[], partial: boolean): number {
  if (partial) return shareOf(items);
  return items.every((i) => i.ok) ? 1 : 0;
}
