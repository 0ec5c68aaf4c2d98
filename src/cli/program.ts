/**
 * Declares commands and flags, and lazily imports each command module (fast start-up, and command
 * functions stay testable without a process). Flags are declared here once; their types and
 * defaults live in each command's zod schema (`runOptions`, …), which parses what commander hands
 * over. Exit codes are decided in main.ts only.
 */
import { Command, InvalidArgumentError, Option } from 'commander';
import type { CommandContext } from '../commands/context.js';
import type { ExitCodeValue } from '../core/errors.js';
import { minimaVersion } from '../run/meta.js';

/** The command functions, each imported only when its command runs. */
const commands = {
  run: async () => (await import('../commands/run.js')).run,
  resume: async () => (await import('../commands/resume.js')).resume,
  validate: async () => (await import('../commands/validate.js')).validate,
  config: async () => (await import('../commands/validate.js')).printConfig,
  list: async () => (await import('../commands/list.js')).list,
  check: async () => (await import('../commands/check.js')).check,
  eval: async () => (await import('../commands/eval.js')).evalCommand,
  compare: async () => (await import('../commands/compare.js')).compare,
  sweep: async () => (await import('../commands/sweep.js')).sweep,
  sweepStatus: async () => (await import('../commands/sweep-status.js')).sweepStatus,
  sweepSummary: async () => (await import('../commands/sweep-summary.js')).sweepSummary,
  dataFetch: async () => (await import('../commands/data-fetch.js')).dataFetch,
  dataInfo: async () => (await import('../commands/data-info.js')).dataInfoCommand,
  replay: async () => (await import('../commands/replay.js')).replay,
  runs: async () => (await import('../commands/runs.js')).runs,
  report: async () => (await import('../commands/report.js')).report,
  plot: async () => (await import('../commands/plot.js')).plot,
  serve: async () => (await import('../commands/serve.js')).serve,
  reproduce: async () => (await import('../commands/reproduce.js')).reproduce,
  analyze: async () => (await import('../commands/analyze.js')).analyze,
} satisfies Record<string, () => Promise<(input: never, ctx: CommandContext) => Promise<ExitCodeValue>>>;
/** Where each command function comes from (tests pass stand-ins that record their input). */
export type CommandLoaders = typeof commands;
type CommandName = keyof CommandLoaders;
type InputOf<K extends CommandName> = Parameters<Awaited<ReturnType<CommandLoaders[K]>>>[0];

/**
 * Drops keys that commander or an absent optional argument left undefined, so the command's
 * schema applies its defaults and `exactOptionalPropertyTypes` holds (timm's create_model drops
 * None kwargs for the same reason).
 */
export function compact<T extends object>(o: T): T {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as T;
}

/**
 * What commander hands an action: each declared argument (a string, a string[] for a variadic one,
 * undefined for an absent optional one), then the options. Commander types these as any; the
 * command's zod schema is what checks them.
 */
type ActionArgs = any[];

const collect = (value: string, previous: string[]): string[] => [...previous, value];
const int = (value: string): number => {
  const n = Number(value);
  // commander reports an InvalidArgumentError as a usage error (exit 2), naming the option
  if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError(`expected a positive integer, got "${value}"`);
  return n;
};

export interface Program {
  readonly program: Command;
  /** The exit code of the command that ran; undefined when none did (e.g. `minima` alone). */
  exitCode(): ExitCodeValue | undefined;
}

export function buildProgram(ctx: CommandContext, load: CommandLoaders = commands): Program {
  let exitCode: ExitCodeValue | undefined;
  /**
   * An action that imports `commands[name]`, builds the command's input from commander's arguments
   * and options with `input`, and stores the exit code the command returns.
   */
  const lazy =
    <K extends CommandName>(name: K, input: (...args: ActionArgs) => InputOf<K>) =>
    async (...args: ActionArgs): Promise<void> => {
      const command = (await load[name]()) as (input: InputOf<K>, ctx: CommandContext) => Promise<ExitCodeValue>;
      // commander appends the Command itself after the options; the input function ignores it
      exitCode = await command(compact(input(...args)), ctx);
    };

  const program = new Command('minima')
    .description('Experiment runner for research on loss functions and optimizers.')
    .version(minimaVersion(), '-V, --version')
    .option('--verbose', 'print stack traces of expected errors too')
    .showSuggestionAfterError(true)
    // throw instead of exiting, so main.ts maps usage errors to exit 2; set before the subcommands,
    // which copy it when they are created
    .exitOverride()
    .configureOutput({ writeOut: (s) => ctx.stdout.write(s), writeErr: (s) => ctx.stderr.write(s) });

  program
    .command('run')
    .description('train one experiment and write a run folder')
    .argument('<config>', 'experiment YAML file')
    .argument('[overrides...]', 'key.path=value overrides (YAML-typed), +key=value, ~key')
    .option('--runs-dir <dir>', 'parent folder of run folders', 'runs')
    .option('--run-dir <dir>', 'create exactly this run folder (sweeps use it)')
    .addOption(new Option('--backend <name>', 'override the config backend').choices(['auto', 'tensorflow', 'webgpu', 'wasm', 'cpu']))
    .option('--expect <expr>', 'assert a final metric, e.g. "test.accuracy>=0.95" (repeatable; exit 4 when one fails)', collect, [])
    .option('--json', 'print a JSON result line on stdout')
    .option('-q, --quiet', 'no progress output')
    .action(lazy('run', (config, overrides, o) => ({ config, overrides, ...o })));

  program
    .command('resume')
    .description('continue an interrupted run from its newest checkpoint')
    .argument('<run-dir>', 'run folder')
    .argument('[overrides...]', 'overrides (refused when they change the config, unless --allow-config-change)')
    .option('--allow-config-change', 'resume even if the overrides change the config')
    .option('--expect <expr>', 'assert a final metric (repeatable)', collect, [])
    .option('--json', 'print a JSON result line on stdout')
    .option('-q, --quiet', 'no progress output')
    .action(lazy('resume', (runDir, overrides, o) => ({ runDir, overrides, ...o })));

  program
    .command('validate')
    .description('check a config (and overrides) without running it')
    .argument('<config>')
    .argument('[overrides...]')
    .option('--json', 'print the result as JSON')
    .action(lazy('validate', (config, overrides, o) => ({ config, overrides, ...o })));

  program
    .command('config')
    .description('print the fully resolved config, every default filled in')
    .argument('<config>')
    .argument('[overrides...]')
    .option('--json', 'print JSON instead of YAML')
    .action(lazy('config', (config, overrides, o) => ({ config, overrides, ...o })));

  program
    .command('list')
    .description('list registry entries: datasets, models, losses, optimizers, schedules, diagnostics, attacks, analyses')
    .argument('[kind]', 'one kind (plural or singular); with it, options and defaults are shown')
    .argument('[glob]', "filter names, e.g. 'adam*'")
    .option('--json', 'machine-readable output')
    .action(lazy('list', (kind, glob, o) => ({ kind, glob, ...o })));

  program
    .command('check')
    .description('check expectations against a finished run (exit 4 when one fails)')
    .argument('<run-dir>')
    .option('--expect <expr>', 'e.g. "test.accuracy>=0.95" (repeatable; default: status==completed)', collect, [])
    .option('--json', 'machine-readable output')
    .action(lazy('check', (runDir, o) => ({ runDir, ...o })));

  program
    .command('analyze')
    .description('post-hoc analyses of a checkpoint into RUN_DIR/analysis/<name>/: landscape, interpolate, hessian, neural-collapse, reliability')
    .argument('<run-dir>', 'run folder with checkpoints')
    .argument('<analyses...>', 'name or name:key=value,… e.g. landscape:dims=2 hessian:class=9 "interpolate RUN_B"')
    .option('--checkpoint <step>', 'checkpoint step (default: the newest)')
    .option('--fresh', 'recompute instead of resuming from cache.json')
    .option('--json', 'print the results as one JSON line on stdout')
    .option('-q, --quiet', 'no progress output')
    .action(lazy('analyze', (runDir, analyses, o) => ({ runDir, analyses, ...o })));

  program
    .command('eval')
    .description("a run's checkpoints as a sample ensemble (SGLD): averaged class probabilities against the last checkpoint alone")
    .requiredOption('--ensemble <run-dir>', 'run folder whose kept checkpoints are the members')
    .option('--split <split>', 'train or test (default test)')
    .option('--from-step <n>', 'burn-in: only checkpoints at step ≥ n', Number)
    .option('--expect <expr>', 'on ensemble.<m>, last.<m> or gain.<m>, e.g. "gain.nll>0" (repeatable; exit 4 when one fails)', collect, [])
    .option('--json', 'machine-readable output')
    .action(lazy('eval', (o) => compact(o)));

  program
    .command('compare')
    .description("compare two runs' metrics step by step (exit 4 when they differ beyond tolerance)")
    .argument('<run-a>')
    .argument('<run-b>')
    .option('--rtol <x>', 'relative tolerance', '0')
    .option('--atol <x>', 'absolute tolerance', '0')
    .option('--metrics <key>', 'compare only these metric keys (repeatable; default: all but timing keys)', collect, [])
    .option('--ignore <key>', 'skip these metric keys (repeatable)', collect, [])
    .option('--json', 'machine-readable output')
    .action(lazy('compare', (runA, runB, o) => ({ runA, runB, ...o })));

  const sweep = program
    .command('sweep')
    .description('run a sweep of trials (grid, zip, random, seeds) locally or on Slurm; `sweep status` and `sweep summary` read one');
  sweep
    .command('run', { isDefault: true })
    .description('expand, validate and run (or resume) every trial of a sweep file')
    .argument('<sweep>', 'sweep YAML file (with --task: the sweep folder)')
    .argument('[overrides...]', 'a.b=value for every trial; a.b=v1,v2 adds a grid axis')
    .option('--dry-run', 'print the plan (trial ids and what differs from the base) and run nothing')
    .option('--workers <n>', 'parallel trials (default: the sweep file, else the available cores)', int)
    .addOption(new Option('--executor <name>', 'local child processes or a Slurm job array').choices(['local', 'slurm']).default('local'))
    .option('--runs-dir <dir>', 'parent folder of the sweep folder', 'runs')
    .option('--name <name>', "sweep folder name (default: the sweep file's name)")
    .option('--retry-failed', 'rerun failed, diverged and pruned trials')
    .addOption(new Option('--task <n>', 'internal: run trial N of a sweep folder (Slurm array task)').argParser((v) => Number(v)).hideHelp())
    .option('--json', 'machine output on stdout')
    .action(lazy('sweep', (file, overrides, o) => ({ sweep: file, overrides, ...o })));
  sweep
    .command('status')
    .description('progress of a sweep from its trial files (works while it runs, locally or on Slurm)')
    .argument('<sweep-dir>')
    .option('--json', 'one JSON line per trial')
    .action(lazy('sweepStatus', (sweepDir, o) => ({ sweepDir, ...o })));
  sweep
    .command('summary')
    .description('trials grouped over seeds: mean ± std and n of each final/best metric, only the columns that differ')
    .argument('<sweep-dir>')
    .option('--metric <m>', 'sort by this metric (e.g. test.accuracy or best.test.accuracy)')
    .addOption(new Option('--mode <mode>', 'sort direction (default: min for losses/errors, else max)').choices(['min', 'max']))
    .addOption(new Option('--format <f>', 'output format').choices(['table', 'csv', 'json', 'markdown']).default('table'))
    .option('--all-columns', 'every parameter and metric column')
    .addOption(new Option('--fit <model>', 'fit the metric (default test.loss) against --x and plot it: E + A·x^(−α)').choices(['power-law']))
    .option('--x <path>', 'the swept key the fit runs over (e.g. dataset.train_size)')
    .option('--fit-max <x>', 'fit on x ≤ this value only; report the prediction at the larger x')
    .option('--bootstrap <n>', 'bootstrap resamples for the 95% intervals (default 1000)')
    .option('--seed <n>', 'seed of the bootstrap (default 0)')
    .action(lazy('sweepSummary', (sweepDir, o) => ({ sweepDir, ...o })));

  const data = program.command('data').description('datasets: download the standard ones, inspect any');
  data
    .command('fetch')
    .description('download MNIST, Fashion-MNIST, KMNIST, CIFAR-10/100 into datasets/ (checksummed, resumable, idempotent)')
    .argument('<name>', 'mnist | fashion-mnist | kmnist | cifar10 | cifar100')
    .option('--root <dir>', 'datasets root (default: ./datasets or $MINIMA_DATA_ROOT)')
    .option('--mirror <url>', 'base URL replacing the canonical mirrors (files at <url>/<name>/<file>; or $MINIMA_DATA_MIRROR)')
    .option('--force', 'download again even when verified files are present')
    .action(lazy('dataFetch', (name, o) => ({ name, ...o })));
  data
    .command('info')
    .description("sizes, shapes, class balance and a sample grid (PNG) of a dataset entry or of an experiment's dataset")
    .argument('<target>', 'a dataset name (default options) or an experiment YAML file')
    .argument('[overrides...]', 'overrides for an experiment file')
    .option('--out <file.png>', 'write a grid of sample images (image data)')
    .option('--root <dir>', 'datasets root (default: ./datasets or $MINIMA_DATA_ROOT)')
    .option('--json', 'machine-readable output')
    .action(lazy('dataInfo', (target, overrides, o) => ({ target, overrides, ...o })));

  program
    .command('replay')
    .description('run an optimizer on a tiny full-batch problem and write its trajectory (compare with the official code)')
    .argument('<problem>', 'problem JSON: data, initial parameters, optimizer spec (see docs/optimizers.md)')
    .option('--steps <n>', "number of steps (default: the file's steps, else 10)", int)
    .option('--out <file>', 'write the trajectory JSON here (default: stdout)')
    .addOption(new Option('--backend <name>', 'backend').choices(['auto', 'tensorflow', 'webgpu', 'wasm', 'cpu']).default('cpu'))
    .action(lazy('replay', (problem, o) => ({ problem, ...o })));

  program
    .command('runs')
    .description('a table of the runs under folders (default runs/), through sweeps: status, steps, time, the config keys that differ, final and best metrics')
    .argument('[dirs...]', 'run folders, sweep folders or folders above them (default: runs)')
    .option('--where <expr>', 'keep runs where KEY OP VALUE holds, e.g. "optimizer.name==sam", "test.accuracy>0.9" (repeatable)', collect, [])
    .option('--sort <key>', 'sort by this key; -KEY for descending (default: start time)')
    .option('--columns <list>', 'exactly these columns, comma-separated (repeatable); +KEY adds to the default ones', collect, [])
    .addOption(new Option('--format <f>', 'output format').choices(['table', 'csv', 'json', 'markdown']).default('table'))
    .action(lazy('runs', (dirs, o) => ({ dirs, ...o })));

  program
    .command('reproduce')
    .description("run a paper's claim as a small sweep and check it: exit 0 holds, 4 does not hold, 6 trials failed")
    .argument('[name]', 'claim name (see --list) or a claim file')
    .option('--list', 'list the claims: paper, claim, components, budget, and whether minima has the components yet')
    .option('--quick', 'the smaller CI budget, with its own looser assertion')
    .option('--dry-run', "print the claim's trials (every one validated) and run nothing")
    .option('--runs-dir <dir>', 'results go to DIR/reproduce/NAME/', 'runs')
    .option('--workers <n>', 'parallel trials (default: the available cores)', int)
    .option('--claims-dir <dir>', 'folder of claim files (default: the shipped configs/claims)')
    .option('--json', 'machine output on stdout')
    .action(lazy('reproduce', (name, o) => ({ name, ...o })));

  program
    .command('report')
    .description('one self-contained HTML file (no network when viewed) of runs and sweeps: curves, mean ± std over seeds, config diff, sweep figures')
    .argument('[paths...]', 'run folders, sweep folders or folders above them (default: runs)')
    .option('--out <file>', 'the HTML file to write', 'report.html')
    .option('--title <text>', 'the page title')
    .option('--metric <key>', 'draw only these curves (repeatable; default: every logged metric)', collect, [])
    .option('--where <expr>', 'keep runs where KEY OP VALUE holds (repeatable)', collect, [])
    .option('--sweep-metric <key>', 'the metric of the sweep figures (default: best.test.accuracy, test.accuracy, … whichever exists)')
    .option('--profile <metric>', 'add steps-to-target and a performance profile of this metric (with --target)')
    .option('--target <x>', 'the target value of --profile')
    .option('--by <key>', 'the solver key of the performance profile (default: optimizer.name or loss.name)')
    .option('--max-points <n>', 'points kept per curve for display', int)
    .action(lazy('report', (paths, o) => ({ paths, ...o })));

  program
    .command('plot')
    .description('a chart as a file for papers (SVG, PDF or PNG), drawn without a browser')
    .argument('<paths...>', 'run folders, sweep folders or folders above them')
    .requiredOption('--metric <key>', 'test.accuracy, train.loss, step:train.loss; for sweep/heatmap a summary key (best.test.accuracy)')
    .requiredOption('--out <file>', 'fig.svg, fig.png or fig.pdf')
    .addOption(new Option('--kind <kind>', 'which chart').choices(['curve', 'sweep', 'heatmap', 'target', 'profile']).default('curve'))
    .addOption(new Option('--x <axis>', 'x axis of curves').choices(['step', 'epoch', 'time']).default('step'))
    .option('--log-y', 'log-scale y axis')
    .addOption(new Option('--style <style>', 'paper: serif, sized for a journal column').choices(['default', 'paper']).default('default'))
    .option('--dpi <n>', 'PNG resolution (default 300)', int)
    .option('--width <n>', 'plot width in points', int)
    .option('--height <n>', 'plot height in points', int)
    .option('--title <text>', 'chart title')
    .option('--where <expr>', 'keep runs where KEY OP VALUE holds (repeatable)', collect, [])
    .option('--param <key>', '--kind sweep: the swept key on the x axis (default: the first)')
    .option('--target <x>', '--kind target/profile: the value to reach')
    .option('--by <key>', '--kind profile: the solver key')
    .option('--no-seed-groups', 'one line per run, no mean ± std over seeds')
    .action(lazy('plot', (paths, o) => ({ paths, ...o })));

  program
    .command('serve')
    .description('a local, read-only web dashboard over a runs folder: run table, overlaid curves (live), sweeps')
    .argument('[dir]', 'the folder to serve (default: runs)')
    .option('--port <n>', 'port (0: any free one)', '6007')
    .option('--host <addr>', 'address to bind (default 127.0.0.1; 0.0.0.0 exposes it to the network)', '127.0.0.1')
    .action(lazy('serve', (dir, o) => ({ dir, ...o })));

  showUsageAfterErrors(program);
  return { program, exitCode: () => exitCode };
}

/**
 * After a usage error (an unknown flag, a missing argument …) each command prints its usage line,
 * so the message says what it does accept; main.ts exits 2.
 */
function showUsageAfterErrors(command: Command, parents: readonly string[] = []): void {
  const names = [...parents, command.name()];
  command.showHelpAfterError(`usage: ${names.join(' ')} ${command.usage()}\n(\`${names.join(' ')} --help\` for more)`);
  for (const sub of command.commands) showUsageAfterErrors(sub, names);
}
