import { pino, type Logger } from 'pino';

export type { Logger };

/** Structured JSON logs. Callers log ids and sizes, never transcripts or journal text. */
export function createLogger(level: string, name = 'sayso'): Logger {
  return pino({ name, level, base: { pid: process.pid } });
}
