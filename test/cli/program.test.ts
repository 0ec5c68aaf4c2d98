/**
 * cli/program.ts: every flag and argument reaches the command under its zod key (commander's
 * camel-casing, defaults, repeatable flags, absent flags dropped), the exit code the command returns
 * is kept, and usage errors surface as CommanderError for main.ts to map to exit 2.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CommanderError } from 'commander';
import type { z } from 'zod';
import { buildProgram, compact, type CommandLoaders } from '../../src/cli/program.js';
import { runOptions } from '../../src/commands/run.js';
import { resumeOptions } from '../../src/commands/resume.js';
import { validateOptions } from '../../src/commands/validate.js';
import { listOptions } from '../../src/commands/list.js';
import { checkOptions } from '../../src/commands/check.js';
import { evalOptions } from '../../src/commands/eval.js';
import { compareOptions } from '../../src/commands/compare.js';
import { sweepOptions } from '../../src/commands/sweep.js';
import { sweepStatusOptions } from '../../src/commands/sweep-status.js';
import { sweepSummaryOptions } from '../../src/commands/sweep-summary.js';
import { dataFetchOptions } from '../../src/commands/data-fetch.js';
import { dataInfoCommandOptions } from '../../src/commands/data-info.js';
import { replayOptions } from '../../src/commands/replay.js';
import { runsOptions } from '../../src/commands/runs.js';
import { reportOptions } from '../../src/commands/report.js';
import { plotOptions } from '../../src/commands/plot.js';
import { serveOptions } from '../../src/commands/serve.js';
import { reproduceOptions } from '../../src/commands/reproduce.js';
import { analyzeOptions } from '../../src/commands/analyze.js';
import { captureContext } from '../sweep/helpers.js';

const schemas: Record<keyof CommandLoaders, z.ZodObject> = {
  run: runOptions,
  resume: resumeOptions,
  validate: validateOptions,
  config: validateOptions,
  list: listOptions,
  check: checkOptions,
  eval: evalOptions,
  compare: compareOptions,
  sweep: sweepOptions,
  sweepStatus: sweepStatusOptions,
  sweepSummary: sweepSummaryOptions,
  dataFetch: dataFetchOptions,
  dataInfo: dataInfoCommandOptions,
  replay: replayOptions,
  runs: runsOptions,
  report: reportOptions,
  plot: plotOptions,
  serve: serveOptions,
  reproduce: reproduceOptions,
  analyze: analyzeOptions,
};

/** Parses a command line with stand-in commands that record what they receive and return `code`. */
async function parse(argv: readonly string[], code = 0): Promise<{ name: string; input: Record<string, unknown>; exitCode: number | undefined }> {
  const calls: { name: string; input: Record<string, unknown> }[] = [];
  const fakes = Object.fromEntries(
    Object.keys(schemas).map((name) => [
      name,
      async () => async (input: Record<string, unknown>) => {
        calls.push({ name, input });
        return code;
      },
    ]),
  ) as unknown as CommandLoaders;
  const { program, exitCode } = buildProgram(captureContext(process.cwd()).ctx, fakes);
  await program.parseAsync(['node', 'minima', ...argv]);
  assert.equal(calls.length, 1, argv.join(' '));
  return { ...calls[0]!, exitCode: exitCode() };
}

const cases: readonly [argv: string[], command: keyof CommandLoaders, input: Record<string, unknown>][] = [
  [
    ['run', 'c.yaml', 'a=1', 'b=2', '--runs-dir', 'R', '--run-dir', 'D', '--backend', 'wasm', '--expect', 'x>1', '--expect', 'y<2', '--json', '-q'],
    'run',
    { config: 'c.yaml', overrides: ['a=1', 'b=2'], runsDir: 'R', runDir: 'D', backend: 'wasm', expect: ['x>1', 'y<2'], json: true, quiet: true },
  ],
  [['run', 'c.yaml'], 'run', { config: 'c.yaml', overrides: [], runsDir: 'runs', expect: [] }],
  [
    ['resume', 'R', 'a=1', '--allow-config-change', '--expect', 'e', '--json', '--quiet'],
    'resume',
    { runDir: 'R', overrides: ['a=1'], allowConfigChange: true, expect: ['e'], json: true, quiet: true },
  ],
  [['validate', 'c.yaml', 'a=1', '--json'], 'validate', { config: 'c.yaml', overrides: ['a=1'], json: true }],
  [['config', 'c.yaml'], 'config', { config: 'c.yaml', overrides: [] }],
  [['list', 'losses', 'foc*', '--json'], 'list', { kind: 'losses', glob: 'foc*', json: true }],
  [['list'], 'list', {}],
  [['check', 'R', '--expect', 'e', '--json'], 'check', { runDir: 'R', expect: ['e'], json: true }],
  [['eval', '--ensemble', 'R', '--split', 'train', '--from-step', '10', '--expect', 'gain.nll>0', '--json'], 'eval', { ensemble: 'R', split: 'train', fromStep: 10, expect: ['gain.nll>0'], json: true }],
  [
    ['compare', 'A', 'B', '--rtol', '0.1', '--atol', '1e-6', '--metrics', 'loss', '--metrics', 'acc', '--ignore', 't', '--json'],
    'compare',
    { runA: 'A', runB: 'B', rtol: '0.1', atol: '1e-6', metrics: ['loss', 'acc'], ignore: ['t'], json: true },
  ],
  [['compare', 'A', 'B'], 'compare', { runA: 'A', runB: 'B', rtol: '0', atol: '0', metrics: [], ignore: [] }],
  [
    ['sweep', 's.yaml', 'a=1,2', '--dry-run', '--workers', '3', '--executor', 'slurm', '--runs-dir', 'R', '--name', 'n', '--retry-failed', '--task', '4', '--json'],
    'sweep',
    { sweep: 's.yaml', overrides: ['a=1,2'], dryRun: true, workers: 3, executor: 'slurm', runsDir: 'R', name: 'n', retryFailed: true, task: 4, json: true },
  ],
  [['sweep', 'run', 's.yaml'], 'sweep', { sweep: 's.yaml', overrides: [], executor: 'local', runsDir: 'runs' }],
  [['sweep', 'status', 'D', '--json'], 'sweepStatus', { sweepDir: 'D', json: true }],
  [
    ['sweep', 'summary', 'D', '--metric', 'test.ece', '--mode', 'min', '--format', 'csv', '--all-columns'],
    'sweepSummary',
    { sweepDir: 'D', metric: 'test.ece', mode: 'min', format: 'csv', allColumns: true },
  ],
  [
    ['sweep', 'summary', 'D', '--fit', 'power-law', '--x', 'dataset.train_size', '--fit-max', '4000', '--bootstrap', '200', '--seed', '3'],
    'sweepSummary',
    { sweepDir: 'D', format: 'table', fit: 'power-law', x: 'dataset.train_size', fitMax: '4000', bootstrap: '200', seed: '3' },
  ],
  [['data', 'fetch', 'mnist', '--root', 'r', '--mirror', 'u', '--force'], 'dataFetch', { name: 'mnist', root: 'r', mirror: 'u', force: true }],
  [['data', 'info', 'moons'], 'dataInfo', { target: 'moons', overrides: [] }],
  [
    ['data', 'info', 'c.yaml', 'a=1', '--out', 'g.png', '--root', 'r', '--json'],
    'dataInfo',
    { target: 'c.yaml', overrides: ['a=1'], out: 'g.png', root: 'r', json: true },
  ],
  [['replay', 'p.json', '--steps', '5', '--out', 'o.json', '--backend', 'wasm'], 'replay', { problem: 'p.json', steps: 5, out: 'o.json', backend: 'wasm' }],
  [['runs'], 'runs', { dirs: [], where: [], columns: [], format: 'table' }],
  [
    ['runs', 'a', 'b', '--where', 'x==1', '--where', 'y>2', '--sort', '-y', '--columns', 'name,x', '--columns', '+z', '--format', 'json'],
    'runs',
    { dirs: ['a', 'b'], where: ['x==1', 'y>2'], sort: '-y', columns: ['name,x', '+z'], format: 'json' },
  ],
  [['report'], 'report', { paths: [], out: 'report.html', metric: [], where: [] }],
  [
    ['report', 'r', 's', '--out', 'o.html', '--title', 'T', '--metric', 'm1', '--metric', 'm2', '--where', 'w', '--sweep-metric', 'best.x', '--profile', 'test.accuracy', '--target', '0.9', '--by', 'loss.name', '--max-points', '500'],
    'report',
    { paths: ['r', 's'], out: 'o.html', title: 'T', metric: ['m1', 'm2'], where: ['w'], sweepMetric: 'best.x', profile: 'test.accuracy', target: '0.9', by: 'loss.name', maxPoints: 500 },
  ],
  [['plot', 'r', '--metric', 'm', '--out', 'f.svg'], 'plot', { paths: ['r'], metric: 'm', out: 'f.svg', kind: 'curve', x: 'step', style: 'default', where: [], seedGroups: true }],
  [
    ['plot', 'r', 's', '--metric', 'm', '--out', 'f.png', '--kind', 'profile', '--x', 'time', '--log-y', '--style', 'paper', '--dpi', '600', '--width', '200', '--height', '120', '--title', 'T', '--where', 'w', '--param', 'p', '--target', '0.5', '--by', 'b', '--no-seed-groups'],
    'plot',
    { paths: ['r', 's'], metric: 'm', out: 'f.png', kind: 'profile', x: 'time', logY: true, style: 'paper', dpi: 600, width: 200, height: 120, title: 'T', where: ['w'], param: 'p', target: '0.5', by: 'b', seedGroups: false },
  ],
  [['serve'], 'serve', { port: '6007', host: '127.0.0.1' }],
  [['serve', 'D', '--port', '0', '--host', '0.0.0.0'], 'serve', { dir: 'D', port: '0', host: '0.0.0.0' }],
  [['reproduce', '--list'], 'reproduce', { list: true, runsDir: 'runs' }],
  [
    ['reproduce', 'sam-label-noise', '--quick', '--dry-run', '--runs-dir', 'R', '--workers', '2', '--claims-dir', 'C', '--json'],
    'reproduce',
    { name: 'sam-label-noise', quick: true, dryRun: true, runsDir: 'R', workers: 2, claimsDir: 'C', json: true },
  ],
  [['analyze', 'R', 'landscape:dims=2', 'interpolate', 'S', '--checkpoint', '100', '--fresh', '--json', '-q'], 'analyze', { runDir: 'R', analyses: ['landscape:dims=2', 'interpolate', 'S'], checkpoint: '100', fresh: true, json: true, quiet: true }],
];

for (const [argv, command, input] of cases) {
  test(`minima ${argv.join(' ')}`, async () => {
    const r = await parse(argv);
    assert.equal(r.name, command);
    assert.deepEqual(r.input, input);
    const keys = Object.keys(schemas[command].shape);
    assert.deepEqual(Object.keys(r.input).filter((k) => !keys.includes(k)), [], 'every key is a key of the schema');
    schemas[command].parse(r.input); // and the schema accepts it
  });
}

test('the exit code the command returns is kept for main.ts', async () => {
  assert.equal((await parse(['check', 'R'], 4)).exitCode, 4);
});

test('usage errors in subcommands throw (main.ts maps them to exit 2); help and version exit 0', async () => {
  for (const argv of [['run'], ['validate', 'c.yaml', '--bogus'], ['run', 'c.yaml', '--backend', 'gpu'], ['sweep', 'summary', 'D', '--mode', 'up'], ['sweep', 's.yaml', '--workers', '0'], ['replay', 'p.json', '--steps', 'x'], ['plot', 'r', '--out', 'f.svg'], ['runs', '--format', 'xml'], ['bogus']]) {
    const { program } = buildProgram(captureContext(process.cwd()).ctx);
    await assert.rejects(program.parseAsync(['node', 'minima', ...argv]), (e) => e instanceof CommanderError && e.exitCode === 1, argv.join(' '));
  }
  for (const argv of [['--help'], ['run', '--help'], ['--version']]) {
    const { program } = buildProgram(captureContext(process.cwd()).ctx);
    await assert.rejects(program.parseAsync(['node', 'minima', ...argv]), (e) => e instanceof CommanderError && e.exitCode === 0, argv.join(' '));
  }
});

test('compact drops undefined values only', () => {
  assert.deepEqual(compact({ a: undefined, b: false, c: 0, d: '', e: null, f: [] }), { b: false, c: 0, d: '', e: null, f: [] });
});
