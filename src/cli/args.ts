import { parseArgs } from 'node:util';
import { t } from '../core/text.ts';
import { closest } from '../rubrics/problems.ts';
import { helpHint, usage } from './errors.ts';

/**
 * node:util's parseArgs, with what it lacks for people: a "did you mean" for an
 * unknown option, a value that starts with a dash (`--week -1`) taken as the value,
 * and errors in the CLI's language.
 */
export function parse<O extends Record<string, { type: 'string' | 'boolean' }>>(command: string, args: readonly string[], options: O) {
  const names = Object.keys(options);
  // `rubrica CMD --help` where CMD has its own help, else the general one.
  const hint = helpHint('help' in options ? command : undefined);
  const tokens: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    if (arg === '--') {
      tokens.push(...args.slice(i));
      break;
    }
    if (arg.startsWith('-') && arg !== '-' && !/^-\d/.test(arg)) {
      const name = arg.replace(/^--?/, '').split('=')[0]!;
      const spec = options[name];
      if (!spec || !arg.startsWith('--')) {
        const guess = closest(name, names);
        throw usage(
          'unknown-option',
          t(
            `${arg} no es una opción de "${command}"${guess ? `; ¿querías decir --${guess}?` : '.'}`,
            `${arg} is not an option of "${command}"${guess ? `; did you mean --${guess}?` : '.'}`,
          ),
          hint,
        );
      }
      if (spec.type === 'string' && !arg.includes('=')) {
        const value = args[i + 1];
        if (value === undefined || (value.startsWith('--') && value.length > 2)) {
          throw usage('missing-value', t(`--${name} necesita un valor.`, `--${name} needs a value.`), hint);
        }
        tokens.push(`--${name}=${value}`);
        i++;
        continue;
      }
    }
    tokens.push(arg);
  }
  return parseArgs({ args: tokens, allowPositionals: true, strict: true, options });
}

