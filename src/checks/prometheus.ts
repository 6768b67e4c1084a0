/**
 * Prometheus' text exposition format (version 0.0.4), checked line by line the way
 * Prometheus' own parser would refuse a scrape: `# HELP`/`# TYPE` lines, samples
 * `name{label="value",…} value [timestamp]`, nothing else.
 */

const NAME = '[a-zA-Z_:][a-zA-Z0-9_:]*';
const LABEL = `[a-zA-Z_][a-zA-Z0-9_]*="(?:[^"\\\\\\n]|\\\\[\\\\"n])*"`;
const VALUE = '[-+]?(?:[0-9]*\\.?[0-9]+(?:[eE][-+]?[0-9]+)?|[0-9]+\\.(?:[eE][-+]?[0-9]+)?|Inf|NaN)';
const SAMPLE = new RegExp(`^(${NAME})(?:\\{(?:${LABEL}(?:,${LABEL})*,?)?\\})?[ \\t]+(${VALUE})(?:[ \\t]+-?[0-9]+)?[ \\t]*$`);
const TYPE = new RegExp(`^#[ \\t]+TYPE[ \\t]+(${NAME})[ \\t]+(counter|gauge|histogram|summary|untyped)[ \\t]*$`);
const HELP = new RegExp(`^#[ \\t]+HELP[ \\t]+(${NAME})(?:[ \\t].*)?$`);
/** Series a histogram, summary or counter adds to its family's name. */
const SUFFIXES = ['_total', '_count', '_sum', '_bucket', '_created', '_info'];

export interface Exposition {
  /** Samples by metric name, as written. */
  readonly samples: ReadonlyMap<string, number>;
  /** Declared families and their types. */
  readonly types: ReadonlyMap<string, string>;
  /** Lines Prometheus would refuse, 1-based, at most 5. */
  readonly errors: readonly { readonly line: number; readonly text: string }[];
}

export function parseExposition(text: string): Exposition {
  const samples = new Map<string, number>();
  const types = new Map<string, string>();
  const errors: { line: number; text: string }[] = [];
  text.split('\n').forEach((raw, i) => {
    const line = raw.replace(/\r$/, '');
    if (line.trim() === '') return;
    if (line.startsWith('#')) {
      const type = TYPE.exec(line);
      if (type) types.set(type[1]!, type[2]!);
      else if (/^#[ \t]+(TYPE|HELP)\b/.test(line) && !HELP.test(line)) errors.push({ line: i + 1, text: line.slice(0, 120) });
      return;
    }
    const sample = SAMPLE.exec(line);
    if (sample) samples.set(sample[1]!, (samples.get(sample[1]!) ?? 0) + 1);
    else if (errors.length < 5) errors.push({ line: i + 1, text: line.slice(0, 120) });
  });
  return { samples, types, errors: errors.slice(0, 5) };
}

/** Whether the exposition has samples of `name`, a family (`http_requests`) or a series (`http_requests_total`). */
export function hasMetric(exposition: Exposition, name: string): boolean {
  for (const sample of exposition.samples.keys()) {
    if (sample === name) return true;
    if (SUFFIXES.some((s) => sample === `${name}${s}`)) return true;
  }
  return false;
}
