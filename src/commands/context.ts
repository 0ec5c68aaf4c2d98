/** What every command receives: streams and cwd are injected so tests call commands directly. */
export interface CommandContext {
  readonly cwd: string;
  readonly stdout: NodeJS.WritableStream;
  readonly stderr: NodeJS.WritableStream;
  readonly isTTY: boolean;
  readonly signal: AbortSignal;
  /** The command line as typed (recorded in meta.json); absent when a command is called as a function. */
  readonly argv?: readonly string[];
  /**
   * Called after every training step with the step's duration, outside the run's own timing (for
   * embedders; `npm run bench` runs its reference loop here, so both are measured side by side).
   */
  readonly onStepEnd?: (step: number, stepMs: number) => void | Promise<void>;
}

export function processContext(argv: readonly string[], signal: AbortSignal): CommandContext {
  return {
    cwd: process.cwd(),
    stdout: process.stdout,
    stderr: process.stderr,
    isTTY: Boolean(process.stderr.isTTY),
    signal,
    argv,
  };
}
