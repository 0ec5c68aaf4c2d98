/** pino writes the structured log into the run folder; humans get short lines on stderr from the CLI. */
import { appendFileSync } from 'node:fs';
import pino, { type Logger } from 'pino';

export type { Logger };

/**
 * A run's log.jsonl, appended synchronously line by line. A line the disk refuses is dropped rather
 * than thrown from inside a log call; `failure()` returns that error so the session can fail the run
 * with it (the log never breaks the code that reports a failure).
 */
export function createRunLogger(file: string): Logger & { failure: () => Error | undefined } {
  let failed: Error | undefined;
  const sink = {
    write(line: string): void {
      try {
        appendFileSync(file, line);
      } catch (err) {
        failed ??= err as Error;
      }
    },
  };
  const log = pino({ base: null, timestamp: pino.stdTimeFunctions.isoTime }, sink);
  return Object.assign(log, { failure: () => failed });
}

/** A logger that drops everything (library use, dry runs). */
export function silentLogger(): Logger {
  return pino({ level: 'silent' });
}
