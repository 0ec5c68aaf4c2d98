/** The only place where errors become exit codes, where signals are handled and where the process exits. */
import { CommanderError } from 'commander';
import { ExitCode, RunnerError } from '../core/errors.js';
import { processContext, type CommandContext } from '../commands/context.js';
import { buildProgram } from './program.js';

function report(err: unknown, verbose: boolean, stderr: NodeJS.WritableStream): number {
  if (err instanceof RunnerError) {
    stderr.write(`minima: ${err.message}\n`);
    if (verbose && err.stack) stderr.write(`${err.stack}\n`);
    return err.exitCode;
  }
  const e = err as Error;
  stderr.write(`minima: internal error (a bug; please report it with this output)\n${e?.stack ?? String(err)}\n`);
  stderr.write(`node ${process.version} ${process.platform}-${process.arch}\n`);
  return ExitCode.internal;
}

/** The part of `process` that signal handling uses (tests pass a stand-in). */
export interface SignalTarget {
  on(event: 'SIGINT' | 'SIGTERM', listener: (signal: NodeJS.Signals) => void): unknown;
  exit(code: number): void;
}

/**
 * For every command: the first SIGINT/SIGTERM aborts ctx.signal with the signal's name as the
 * reason, so a command can stop cleanly (a run checkpoints, a sweep stops its trials); a second
 * one exits 130 at once (checkpoints are written atomically, so a run stays resumable).
 */
export function trapSignals(abort: AbortController, target: SignalTarget = process): void {
  const onSignal = (signal: NodeJS.Signals) => {
    if (abort.signal.aborted) target.exit(ExitCode.interrupted);
    else abort.abort(signal);
  };
  target.on('SIGINT', onSignal);
  target.on('SIGTERM', onSignal);
}

/**
 * Parses `argv` (node, script, arguments…), runs the command and returns its exit code: every
 * error is mapped here, nothing exits (the torture tests drive the CLI in process through it).
 */
export async function execute(argv: readonly string[], ctx: CommandContext): Promise<number> {
  const verbose = argv.includes('--verbose');
  const { program, exitCode } = buildProgram(ctx);
  try {
    await program.parseAsync([...argv]);
    const ran = exitCode();
    if (ran === undefined) program.outputHelp();
    return ran ?? ExitCode.usage;
  } catch (err) {
    // commander exits 0 for --help and --version, 1 for a usage error (its message is printed)
    return err instanceof CommanderError ? (err.exitCode === 0 ? ExitCode.ok : ExitCode.usage) : report(err, verbose, ctx.stderr);
  }
}

export async function main(argv: readonly string[]): Promise<void> {
  const abort = new AbortController();
  trapSignals(abort);
  const ctx = processContext(argv.slice(1).map((a, i) => (i === 0 ? 'minima' : a)), abort.signal);
  const code = await execute(argv, ctx);
  // Flush stdout/stderr before exiting (pipes are asynchronous in Node).
  await new Promise<void>((r) => process.stdout.write('', () => r()));
  process.exit(code);
}
