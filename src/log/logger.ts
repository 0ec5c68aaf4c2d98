/** pino writes the structured log into the run folder; humans get short lines on stderr from the CLI. */
import pino, { type Logger } from 'pino';

export type { Logger };

export function createRunLogger(file: string): Logger {
  return pino({ base: null, timestamp: pino.stdTimeFunctions.isoTime }, pino.destination({ dest: file, sync: true, append: true }));
}

/** A logger that drops everything (library use, dry runs). */
export function silentLogger(): Logger {
  return pino({ level: 'silent' });
}
