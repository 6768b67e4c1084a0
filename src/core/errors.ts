import type { Text } from './text.ts';

/**
 * A failure of ours or of the course's setup (Docker down, runner image missing),
 * never the student's. It is retried or shown to instructors; it never becomes a zero.
 */
export class InfrastructureError extends Error {
  readonly code: InfrastructureCode;
  readonly text: Text;
  constructor(code: InfrastructureCode, text: Text, options?: { cause?: unknown }) {
    super(text.en, options);
    this.name = 'InfrastructureError';
    this.code = code;
    this.text = text;
  }
}

export type InfrastructureCode =
  | 'docker-unavailable'
  | 'runner-image-missing'
  | 'runner-image-incomplete'
  | 'sandbox-failed'
  | 'job-timeout'
  | 'package-index-unreachable';

export function isInfrastructureError(e: unknown): e is InfrastructureError {
  return e instanceof InfrastructureError;
}
