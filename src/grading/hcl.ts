import type { FileContent, HclDocument } from '../checks/types.ts';
import { KB } from '../sandbox/limits.ts';

/**
 * Terraform/HCL files parsed for the `structured` check, with HashiCorp's own HCL v2
 * parser compiled to WebAssembly (@cdktn/hcl2json, the maintained continuation of
 * CDKTF's hcl2json). It is asynchronous, so the grader parses here, while gathering
 * evidence, and checks stay pure. Student files are hostile and the parser runs on
 * the grader's host: each file is capped, the whole grading too, and deep nesting
 * is refused before parsing (it would only end in a stack overflow, slowly).
 */

/** A Terraform module's files are a few KB; HCL parses at roughly 10 ms per KB here. */
export const MAX_HCL_FILE_BYTES = 64 * KB;
export const MAX_HCL_TOTAL_BYTES = 256 * KB;
export const MAX_HCL_DEPTH = 64;

export function isHclPath(path: string): boolean {
  return /\.(tf|tfvars|hcl)$/i.test(path);
}

/** Bracket nesting outside strings and comments, well enough to refuse a pathological file. */
export function nestingDepth(text: string): number {
  let depth = 0;
  let max = 0;
  let quote = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quote) {
      if (c === '\\') i++;
      else if (c === '"' || c === '\n') quote = false;
      continue;
    }
    if (c === '"') quote = true;
    else if (c === '#' || (c === '/' && text[i + 1] === '/')) {
      const end = text.indexOf('\n', i);
      i = end < 0 ? text.length : end;
    } else if (c === '{' || c === '[' || c === '(') max = Math.max(max, ++depth);
    else if (c === '}' || c === ']' || c === ')') depth = Math.max(0, depth - 1);
  }
  return max;
}

type Parse = (filename: string, contents: string) => Promise<unknown>;
let parser: Promise<Parse> | undefined;

/** Loaded on first use: the WebAssembly module starts a Go runtime, which a grading without HCL does not need. */
function hclParser(): Promise<Parse> {
  parser ??= import('@cdktn/hcl2json').then((m) => m.parse as Parse);
  return parser;
}

/** `parse config: [main.tf:2,6-3,1: Invalid expression; Expected …]` → line 2 and the summary. */
export function hclError(message: string): { error: string; line?: number } {
  const m = /:(\d+),\d+(?:-\d+(?:,\d+)?)?: ([^\]]+?)\]?$/.exec(message.split('\n')[0] ?? '');
  if (!m) return { error: message.replace(/^parse config: \[?/, '').replace(/\]$/, '').slice(0, 300) };
  return { error: m[2]!.replace(/;\s*/, ': ').slice(0, 300), line: Number(m[1]) };
}

/** Each HCL file's JSON form (blocks become nested keys, bodies arrays), or why it has none. */
export async function parseHclFiles(files: readonly FileContent[]): Promise<Map<string, HclDocument>> {
  const out = new Map<string, HclDocument>();
  let budget = MAX_HCL_TOTAL_BYTES;
  for (const file of [...files].sort((a, b) => a.path.localeCompare(b.path))) {
    const size = Buffer.byteLength(file.text);
    if (file.truncated || file.encoding === 'binary') continue; // the structured check says why
    if (size > MAX_HCL_FILE_BYTES || size > budget) {
      out.set(file.path, { refused: 'too-large', limit: size > MAX_HCL_FILE_BYTES ? MAX_HCL_FILE_BYTES : MAX_HCL_TOTAL_BYTES });
      continue;
    }
    if (nestingDepth(file.text) > MAX_HCL_DEPTH) {
      out.set(file.path, { refused: 'too-deep', limit: MAX_HCL_DEPTH });
      continue;
    }
    budget -= size;
    const parse = await hclParser();
    try {
      // The file name only labels the parser's messages; the path is the student's, so it is not passed.
      out.set(file.path, { value: await parse('file.tf', file.text) });
    } catch (error) {
      out.set(file.path, hclError(error instanceof Error ? error.message : String(error)));
    }
  }
  return out;
}
