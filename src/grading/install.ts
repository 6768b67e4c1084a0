import { literal, t, type Text } from '../core/text.ts';
import type { DeclaredDependency } from './dependencies.ts';

/** What pip is asked for: a requirement written as the student declared it, or just its name. */
export interface InstallRequirement {
  readonly name: string;
  readonly requirement: string;
}

/** What the install step did, kept with the grading (the check run tells the student). */
export type InstallOutcome =
  | {
      readonly status: 'installed';
      /** Distributions added for the student's commands (name, version). */
      readonly packages: readonly { readonly name: string; readonly version: string }[];
      /** Declared distributions the course image already has: the image's are used. */
      readonly keptFromImage: readonly string[];
      readonly bytes: number;
      readonly durationMs: number;
    }
  | {
      readonly status: 'failed';
      /** pip refused (a requirement the index lacks, a version conflict), ran out of time, or took too much room. */
      readonly reason: 'pip' | 'timeout' | 'too-large';
      /** The end of pip's output, as pip wrote it. */
      readonly tail: string;
      readonly durationMs: number;
    };

/** More than this many declared requirements are not installed past the first ones. */
export const MAX_REQUIREMENTS = 100;

/** A PEP 508 requirement without a URL: name, extras, version specifiers, markers. */
const PLAIN_REQUIREMENT =
  /^[A-Za-z0-9](?:[A-Za-z0-9._-]*[A-Za-z0-9])?\s*(?:\[[A-Za-z0-9._,\s-]*\])?\s*(?:(?:~=|===|==|!=|<=|>=|<|>)\s*[A-Za-z0-9.*+!_-]+\s*(?:,\s*(?:~=|===|==|!=|<=|>=|<|>)\s*[A-Za-z0-9.*+!_-]+\s*)*)?(?:;[^@\\]*)?$/;

/**
 * What to ask pip for: each declared distribution once. A requirement pip could take
 * as an option, a URL or a local path (`torch @ https://…`, `-e git+…`, conda's
 * `numpy=1.24`) is asked for by name only: the index the course named is the only
 * source, whatever the student wrote.
 */
export function installRequirements(declared: readonly DeclaredDependency[]): InstallRequirement[] {
  const byName = new Map<string, InstallRequirement>();
  for (const d of declared) {
    if (byName.has(d.name) || d.name === 'python' || !/^[a-z0-9](?:[a-z0-9-]*[a-z0-9])?$/.test(d.name)) continue;
    const requirement = PLAIN_REQUIREMENT.test(d.requirement.trim()) ? d.requirement.trim() : d.name;
    byName.set(d.name, { name: d.name, requirement });
  }
  return [...byName.values()].slice(0, MAX_REQUIREMENTS);
}

/** The sentence the check run shows about the install step (none when nothing was declared). */
export function installNotice(outcome: InstallOutcome | undefined): Text | null {
  if (!outcome) return null;
  if (outcome.status === 'installed') {
    if (outcome.packages.length === 0) return null;
    const names = outcome.packages.map((p) => literal(`${p.name}==${p.version}`)).join(', ');
    return t(`Antes de corregir se instalaron tus dependencias declaradas: ${names}.`, `Your declared dependencies were installed before grading: ${names}.`);
  }
  const reason = outcome.tail.trim() ? outcome.tail.trim().split('\n').map((line) => literal(line)).join('\n') : '';
  const why =
    outcome.reason === 'timeout'
      ? t('La instalación de tus dependencias declaradas superó el tiempo del curso.', 'Installing your declared dependencies took longer than the course allows.')
      : outcome.reason === 'too-large'
        ? t('Tus dependencias declaradas ocupan más espacio del que el curso permite.', 'Your declared dependencies take more room than the course allows.')
        : t('pip no pudo instalar tus dependencias declaradas.', 'pip could not install your declared dependencies.');
  const then = t(
    ' Se corrigió sin ellas: revisa los nombres y versiones de tus requirements. Lo que dijo pip:',
    ' Your work was graded without them: check the names and versions in your requirements. What pip said:',
  );
  return reason
    ? t(`${why.es}${then.es}\n${reason}`, `${why.en}${then.en}\n${reason}`)
    : t(`${why.es}${then.es.replace(/ Lo que dijo pip:$/, '')}`, `${why.en}${then.en.replace(/ What pip said:$/, '')}`);
}
