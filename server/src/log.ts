import { pino, type DestinationStream, type Logger } from 'pino';
import { safeError } from './telemetry/scrub.js';

export type { Logger };

/**
 * Structured JSON logs. Callers log ids and sizes, never transcripts or journal text; errors under
 * `err` lose any quoted query parameters (telemetry/scrub.ts). `destination` is for tests.
 */
export function createLogger(level: string, name = 'sayso', destination?: DestinationStream): Logger {
  const options = { name, level, base: { pid: process.pid }, serializers: { err: safeError } };
  return destination ? pino(options, destination) : pino(options);
}
