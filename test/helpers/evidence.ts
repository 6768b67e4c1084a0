import type { CheckEvidence, CommandResult, Commit, FileContent, FileEntry, IgnoreVerdict, Outcome } from '../../src/checks/types.ts';
import { plain, type Text } from '../../src/core/text.ts';
import type { SkippedFile } from '../../src/sandbox/snapshot.ts';

/**
 * Evidence as the sandbox would report it, for the pure `evaluate` of a check.
 * `files` maps paths to text (a file) or null (a folder); folders above each file
 * are added the way the sandbox's inventory lists them.
 */
export function evidence(options: {
  files?: Record<string, string | null>;
  commits?: readonly (Partial<Commit> & { message: string })[] | null;
  ignore?: Record<string, IgnoreVerdict>;
  gitignoreEncoding?: 'utf-16' | 'binary';
  commands?: Record<string, Partial<CommandResult>>;
  skipped?: SkippedFile[];
  /** Overrides the decoded contents (e.g. a UTF-16 file). */
  contents?: FileContent[];
  /** Test functions per file, as the static count reports them. */
  testCounts?: Record<string, number | null>;
} = {}): CheckEvidence {
  const entries = new Map<string, FileEntry>();
  const contents = new Map<string, FileContent>();
  for (const [path, text] of Object.entries(options.files ?? {})) {
    const parts = path.split('/');
    for (let i = 1; i < parts.length; i++) {
      const dir = parts.slice(0, i).join('/');
      entries.set(dir, { path: dir, type: 'dir', size: 0 });
    }
    if (text === null) {
      entries.set(path, { path, type: 'dir', size: 0 });
    } else {
      entries.set(path, { path, type: 'file', size: Buffer.byteLength(text) });
      contents.set(path, { path, text, encoding: 'utf-8', truncated: false });
    }
  }
  for (const c of options.contents ?? []) contents.set(c.path, c);
  return {
    files: [...entries.values()].sort((a, b) => a.path.localeCompare(b.path)),
    contents,
    commits:
      options.commits === null
        ? null
        : (options.commits ?? []).map((c, i) => ({
            sha: c.sha ?? i.toString(16).padStart(40, '0'),
            author: c.author ?? 'student',
            date: c.date ?? '2026-09-08T10:00:00-03:00',
            parents: c.parents ?? 1,
            message: c.message,
          })),
    ignore: new Map(Object.entries(options.ignore ?? {})),
    ...(options.gitignoreEncoding ? { gitignoreEncoding: options.gitignoreEncoding } : {}),
    commands: new Map(Object.entries(options.commands ?? {}).map(([k, v]) => [k, commandResult(v)])),
    skipped: options.skipped ?? [],
    limits: { maxFileBytes: 50 * 1024 * 1024, maxReadBytes: 256 * 1024 },
    ...(options.testCounts ? { testCounts: new Map(Object.entries(options.testCounts)) } : {}),
  };
}

export function commandResult(partial: Partial<CommandResult> = {}): CommandResult {
  return {
    exitCode: 0,
    timedOut: false,
    killed: false,
    durationMs: 10,
    output: '',
    outputBytes: partial.output?.length ?? 0,
    outputTruncated: false,
    reports: {},
    missingModules: [],
    ...partial,
  };
}

/** An outcome's texts as a terminal shows them: the student's values (marked with `literal()`) in backticks. */
export function asShown<O extends Outcome>(outcome: O): O {
  const text = (x: Text): Text => ({ es: plain(x.es), en: plain(x.en) });
  return {
    ...outcome,
    message: text(outcome.message),
    ...(outcome.items ? { items: outcome.items.map((i) => ({ ...i, label: text(i.label), ...(i.note ? { note: text(i.note) } : {}) })) } : {}),
    ...(outcome.annotations ? { annotations: outcome.annotations.map((a) => ({ ...a, message: text(a.message) })) } : {}),
    ...(outcome.error ? { error: { ...outcome.error, message: text(outcome.error.message) } } : {}),
  };
}

/** A check's outcome on this evidence, as shown (see `asShown`). */
export function asShownOf<P>(check: { evaluate(params: P, evidence: CheckEvidence): Outcome }, params: P, ev: CheckEvidence): Outcome {
  return asShown(check.evaluate(params, ev));
}
