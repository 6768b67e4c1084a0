import { pino, type Logger } from 'pino';

/**
 * Structured logs (one JSON line per event) on stderr. Never log a token or a
 * student's file content: log ids, counts and durations.
 */
export function createLogger(level = process.env.LOG_LEVEL ?? 'info'): Logger {
  return pino({ level, base: { app: 'rubrica' } }, pino.destination(2));
}
export type { Logger };
