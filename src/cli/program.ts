/**
 * Declares commands and flags, and lazily imports each command module (fast start-up, and command
 * functions stay testable without a process). Exit codes are decided in main.ts only.
 */
import { Command, Option } from 'commander';
import type { CommandContext } from '../commands/context.js';
import { minimaVersion } from '../run/meta.js';

const collect = (value: string, previous: string[]): string[] => [...previous, value];
const int = (value: string): number => {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new Error(`expected a positive integer, got "${value}"`);
  return n;
};

export type Invoke = (run: () => Promise<number>) => void;
/** Long-running commands that handle Ctrl-C themselves through ctx.signal (sweeps) call this. */
export type TrapSignals = () => void;

export function buildProgram(ctx: CommandContext, invoke: Invoke, trapSignals: TrapSignals = () => {}): Command {
  const program = new Command('minima')
    .description('Experiment runner for research on loss functions and optimizers.')
    .version(minimaVersion(), '-V, --version')
    .option('--verbose', 'print stack traces of expected errors too')
    .showSuggestionAfterError(true)
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
    .action((config: string, overrides: string[], o: { runsDir: string; runDir?: string; backend?: 'auto'; expect: string[]; json?: boolean; quiet?: boolean }) =>
      invoke(async () => (await import('../commands/run.js')).run({ config, overrides, runsDir: o.runsDir, ...(o.runDir ? { runDir: o.runDir } : {}), ...(o.backend ? { backend: o.backend } : {}), expect: o.expect, json: !!o.json, quiet: !!o.quiet }, ctx)));

  program
    .command('resume')
    .description('continue an interrupted run from its newest checkpoint')
    .argument('<run-dir>', 'run folder')
    .argument('[overrides...]', 'overrides (refused when they change the config, unless --allow-config-change)')
    .option('--allow-config-change', 'resume even if the overrides change the config')
    .option('--expect <expr>', 'assert a final metric (repeatable)', collect, [])
    .option('--json', 'print a JSON result line on stdout')
    .option('-q, --quiet', 'no progress output')
    .action((runDir: string, overrides: string[], o: { allowConfigChange?: boolean; expect: string[]; json?: boolean; quiet?: boolean }) =>
      invoke(async () => (await import('../commands/resume.js')).resume({ runDir, overrides, allowConfigChange: !!o.allowConfigChange, expect: o.expect, json: !!o.json, quiet: !!o.quiet }, ctx)));

  program
    .command('validate')
    .description('check a config (and overrides) without running it')
    .argument('<config>')
    .argument('[overrides...]')
    .option('--json', 'print the result as JSON')
    .action((config: string, overrides: string[], o: { json?: boolean }) =>
      invoke(async () => (await import('../commands/validate.js')).validate({ config, overrides, json: !!o.json }, ctx)));

  program
    .command('config')
    .description('print the fully resolved config, every default filled in')
    .argument('<config>')
    .argument('[overrides...]')
    .option('--json', 'print JSON instead of YAML')
    .action((config: string, overrides: string[], o: { json?: boolean }) =>
      invoke(async () => (await import('../commands/validate.js')).printConfig({ config, overrides, json: !!o.json }, ctx)));

  program
    .command('list')
    .description('list registry entries: datasets, models, losses, optimizers, schedules, diagnostics')
    .argument('[kind]', 'one kind (plural or singular); with it, options and defaults are shown')
    .argument('[glob]', "filter names, e.g. 'adam*'")
    .option('--json', 'machine-readable output')
    .action((kind: string | undefined, glob: string | undefined, o: { json?: boolean }) =>
      invoke(async () => (await import('../commands/list.js')).list({ ...(kind ? { kind } : {}), ...(glob ? { glob } : {}), json: !!o.json }, ctx)));

  program
    .command('check')
    .description('check expectations against a finished run (exit 4 when one fails)')
    .argument('<run-dir>')
    .option('--expect <expr>', 'e.g. "test.accuracy>=0.95" (repeatable; default: status==completed)', collect, [])
    .option('--json', 'machine-readable output')
    .action((runDir: string, o: { expect: string[]; json?: boolean }) =>
      invoke(async () => (await import('../commands/check.js')).check({ runDir, expect: o.expect, json: !!o.json }, ctx)));

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
    .action((runA: string, runB: string, o: { rtol: string; atol: string; metrics: string[]; ignore: string[]; json?: boolean }) =>
      invoke(async () => (await import('../commands/compare.js')).compare({ runA, runB, rtol: Number(o.rtol), atol: Number(o.atol), metrics: o.metrics, ignore: o.ignore, json: !!o.json }, ctx)));

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
    .action((file: string, overrides: string[], o: { dryRun?: boolean; workers?: number; executor: 'local' | 'slurm'; runsDir: string; name?: string; retryFailed?: boolean; task?: number; json?: boolean }) => {
      trapSignals();
      invoke(async () => (await import('../commands/sweep.js')).sweep({
        sweep: file, overrides, dryRun: !!o.dryRun, executor: o.executor, runsDir: o.runsDir, retryFailed: !!o.retryFailed, json: !!o.json,
        ...(o.workers ? { workers: o.workers } : {}), ...(o.name ? { name: o.name } : {}), ...(o.task !== undefined ? { task: o.task } : {}),
      }, ctx));
    });
  sweep
    .command('status')
    .description('progress of a sweep from its trial files (works while it runs, locally or on Slurm)')
    .argument('<sweep-dir>')
    .option('--json', 'one JSON line per trial')
    .action((sweepDir: string, o: { json?: boolean }) =>
      invoke(async () => (await import('../commands/sweep-status.js')).sweepStatus({ sweepDir, json: !!o.json }, ctx)));
  sweep
    .command('summary')
    .description('trials grouped over seeds: mean ± std and n of each final/best metric, only the columns that differ')
    .argument('<sweep-dir>')
    .option('--metric <m>', 'sort by this metric (e.g. test.accuracy or best.test.accuracy)')
    .addOption(new Option('--mode <mode>', 'sort direction (default: min for losses/errors, else max)').choices(['min', 'max']))
    .addOption(new Option('--format <f>', 'output format').choices(['table', 'csv', 'json', 'markdown']).default('table'))
    .option('--all-columns', 'every parameter and metric column')
    .action((sweepDir: string, o: { metric?: string; mode?: 'min' | 'max'; format: 'table'; allColumns?: boolean }) =>
      invoke(async () => (await import('../commands/sweep-summary.js')).sweepSummary({ sweepDir, format: o.format, allColumns: !!o.allColumns, ...(o.metric ? { metric: o.metric } : {}), ...(o.mode ? { mode: o.mode } : {}) }, ctx)));

  const data = program.command('data').description('datasets: download the standard ones, inspect any');
  data
    .command('fetch')
    .description('download MNIST, Fashion-MNIST, KMNIST, CIFAR-10/100 into datasets/ (checksummed, resumable, idempotent)')
    .argument('<name>', 'mnist | fashion-mnist | kmnist | cifar10 | cifar100')
    .option('--root <dir>', 'datasets root (default: ./datasets or $MINIMA_DATA_ROOT)')
    .option('--mirror <url>', 'base URL replacing the canonical mirrors (files at <url>/<name>/<file>; or $MINIMA_DATA_MIRROR)')
    .option('--force', 'download again even when verified files are present')
    .action((name: string, o: { root?: string; mirror?: string; force?: boolean }) =>
      invoke(async () => (await import('../commands/data-fetch.js')).dataFetch({ name, force: !!o.force, ...(o.root ? { root: o.root } : {}), ...(o.mirror ? { mirror: o.mirror } : {}) }, ctx)));
  data
    .command('info')
    .description('sizes, shapes, class balance and a sample grid (PNG) of a dataset entry or of an experiment\'s dataset')
    .argument('<target>', 'a dataset name (default options) or an experiment YAML file')
    .argument('[overrides...]', 'overrides for an experiment file')
    .option('--out <file.png>', 'write a grid of sample images (image data)')
    .option('--root <dir>', 'datasets root (default: ./datasets or $MINIMA_DATA_ROOT)')
    .option('--json', 'machine-readable output')
    .action((target: string, overrides: string[], o: { out?: string; root?: string; json?: boolean }) =>
      invoke(async () => (await import('../commands/data-info.js')).dataInfoCommand({ target, overrides, json: !!o.json, ...(o.out ? { out: o.out } : {}), ...(o.root ? { root: o.root } : {}) }, ctx)));

  program
    .command('replay')
    .description('run an optimizer on a tiny full-batch problem and write its trajectory (compare with the official code)')
    .argument('<problem>', 'problem JSON: data, initial parameters, optimizer spec (see docs/optimizers.md)')
    .option('--steps <n>', 'number of steps (default: the file\'s steps, else 10)', int)
    .option('--out <file>', 'write the trajectory JSON here (default: stdout)')
    .addOption(new Option('--backend <name>', 'backend').choices(['auto', 'tensorflow', 'webgpu', 'wasm', 'cpu']).default('cpu'))
    .action((problem: string, o: { steps?: number; out?: string; backend: 'cpu' }) =>
      invoke(async () => (await import('../commands/replay.js')).replay({ problem, ...(o.steps ? { steps: o.steps } : {}), ...(o.out ? { out: o.out } : {}), backend: o.backend }, ctx)));

  return program;
}

