/** The only place where errors become exit codes and where the process exits. */
import { CommanderError } from 'commander';
import { ExitCode, RunnerError } from '../core/errors.js';
import { processContext } from '../commands/context.js';
import { buildProgram } from './program.js';

function report(err: unknown, verbose: boolean): number {
  if (err instanceof RunnerError) {
    process.stderr.write(`minima: ${err.message}\n`);
    if (verbose && err.stack) process.stderr.write(`${err.stack}\n`);
    return err.exitCode;
  }
  const e = err as Error;
  process.stderr.write(`minima: internal error (a bug; please report it with this output)\n${e?.stack ?? String(err)}\n`);
  process.stderr.write(`node ${process.version} ${process.platform}-${process.arch}\n`);
  return ExitCode.internal;
}

export async function main(argv: readonly string[]): Promise<void> {
  const abort = new AbortController();
  const ctx = processContext(argv.slice(1).map((a, i) => (i === 0 ? 'minima' : a)), abort.signal);
  const verbose = argv.includes('--verbose');
  let pending: Promise<number> | undefined;
  // Commands that handle Ctrl-C themselves (sweeps) ask for this: the first signal aborts
  // ctx.signal, a second one exits at once. Other commands keep Node's default (run/resume
  // install their own checkpoint-and-stop handlers).
  const trapSignals = () => {
    const onSignal = () => {
      if (abort.signal.aborted) process.exit(ExitCode.interrupted);
      abort.abort();
    };
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
  };
  const program = buildProgram(ctx, (run) => {
    pending = run();
  }, trapSignals);
  program.exitOverride();
  try {
    await program.parseAsync([...argv]);
  } catch (err) {
    if (err instanceof CommanderError) {
      const ok = err.code === 'commander.helpDisplayed' || err.code === 'commander.version' || err.code === 'commander.help';
      process.exitCode = ok ? ExitCode.ok : ExitCode.usage;
      return;
    }
    process.exitCode = report(err, verbose);
    return;
  }
  if (!pending) {
    program.outputHelp();
    process.exitCode = ExitCode.usage;
    return;
  }
  let code: number;
  try {
    code = await pending;
  } catch (err) {
    code = report(err, verbose);
  }
  // Flush stdout/stderr before exiting (pipes are asynchronous in Node).
  await new Promise<void>((r) => process.stdout.write('', () => r()));
  process.exit(code);
}
