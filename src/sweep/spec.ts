/**
 * The sweep file (docs/sweeps.md): a base experiment and what varies over dotted paths.
 *
 *   name: moons-grid                  # optional; default: the file name
 *   base: ../test/tiny-moons.yaml     # relative to the sweep file
 *   set: { train.epochs: 3 }          # fixed for every trial
 *   grid: { optimizer.name: [sgd, adamw], optimizer.lr: [0.1, 0.01] }   # cartesian, last key fastest
 *   zip: { optimizer.lr: [0.1, 0.01], train.batch_size: [32, 64] }      # varied together
 *   random: { trials: 8, seed: 0, params: { optimizer.lr: { log_uniform: [1e-4, 1e-1] } } }
 *   seeds: [0, 1, 2]                  # or a count: 3 → [0, 1, 2]; innermost
 *   workers: 4
 *   early_stopping: { rule: median, metric: test.loss, ... }
 *   slurm: { partition: gpu, time: "01:00:00", cpus_per_task: 4, gpus: 1, array_concurrency: 8 }
 */
import { readFileSync, existsSync } from 'node:fs';
import { basename, dirname, extname, resolve } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { ConfigError, RunnerError, ExitCode, type ConfigIssue } from '../core/errors.js';

const positiveInt = z.number().int().positive();
const pair = z.tuple([z.number(), z.number()]);
const PATH = /^[A-Za-z_][A-Za-z0-9_-]*(\.([A-Za-z_][A-Za-z0-9_-]*|\d+))*$/;
const dottedPath = z.string().regex(PATH, 'must be a dotted key path like optimizer.lr');

export const distributionSchema = z.union([
  z.strictObject({ uniform: pair.describe('[low, high): uniform') }),
  z.strictObject({ log_uniform: pair.describe('[low, high): uniform in log space, low > 0') }),
  z.strictObject({ int: z.tuple([z.number().int(), z.number().int()]).describe('[low, high]: uniform integer, both ends included') }),
  z.strictObject({ choice: z.array(z.unknown()).min(1).describe('one of the values, equally likely') }),
]);
export type Distribution = z.output<typeof distributionSchema>;

const medianSchema = z.strictObject({
  rule: z.literal('median'),
  metric: z.string().describe('split.metric from metrics.jsonl, e.g. test.loss'),
  mode: z.enum(['min', 'max']).optional().describe('default: the metric\'s direction (metricDirection: min for loss, error, nll, ece, brier, mse, mae, norm …)'),
  warmup_steps: z.number().int().min(0).default(0).describe('never stop a trial before this step'),
  min_trials: positiveInt.default(3).describe('completed trials needed at a step before the rule applies'),
  poll_s: z.number().positive().default(1).describe('how often the sweep reads metrics.jsonl'),
});
const ashaSchema = z.strictObject({
  rule: z.literal('asha'),
  metric: z.string(),
  mode: z.enum(['min', 'max']).optional(),
  min_steps: positiveInt.describe('first rung (steps)'),
  reduction_factor: z.number().int().min(2).default(3).describe('η: the top 1/η at each rung continue'),
  max_steps: positiveInt.optional().describe('no rung beyond this step'),
  poll_s: z.number().positive().default(1),
});
export const earlyStoppingSchema = z.discriminatedUnion('rule', [medianSchema, ashaSchema]);
export type EarlyStoppingSpec = z.output<typeof earlyStoppingSchema>;

export const slurmSchema = z.strictObject({
  partition: z.string().optional(),
  time: z.string().optional().describe('wall-clock limit per trial, e.g. "01:00:00"'),
  cpus_per_task: positiveInt.default(1),
  gpus: z.number().int().min(0).default(0).describe('GPUs per trial (--gres=gpu:N)'),
  mem: z.string().optional().describe('memory per trial, e.g. "4G"'),
  account: z.string().optional(),
  qos: z.string().optional(),
  array_concurrency: positiveInt.optional().describe('most trials running at once (--array=…%N)'),
  sbatch_args: z.array(z.string()).default([]).describe('extra #SBATCH lines, e.g. "--exclusive"'),
  setup: z.array(z.string()).default([]).describe('shell lines run before the trial, e.g. "module load nodejs"'),
  node: z.string().optional().describe('node executable on the compute nodes (default: the one running minima)'),
});
export type SlurmSpec = z.output<typeof slurmSchema>;

export const sweepSpecSchema = z.strictObject({
  name: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_.-]*$/, 'use letters, digits, "_", "." and "-" (it names the sweep folder)').optional(),
  base: z.string().min(1).describe('experiment file, relative to the sweep file'),
  set: z.record(dottedPath, z.unknown()).default({}),
  grid: z.record(dottedPath, z.array(z.unknown()).min(1)).default({}),
  zip: z.record(dottedPath, z.array(z.unknown()).min(1)).default({}),
  random: z.strictObject({
    trials: positiveInt,
    seed: z.number().int().min(0).default(0),
    params: z.record(dottedPath, distributionSchema),
  }).optional(),
  seeds: z.union([z.array(z.number().int().min(0)).min(1), positiveInt]).optional(),
  workers: positiveInt.optional(),
  early_stopping: earlyStoppingSchema.optional(),
  slurm: slurmSchema.default(slurmSchema.parse({})),
});
export type SweepSpec = z.output<typeof sweepSpecSchema>;

/** A parsed sweep file with its base path made absolute. */
export interface LoadedSweep {
  readonly spec: SweepSpec;
  readonly name: string;
  readonly file: string;
  readonly basePath: string;
}

export function loadSweepFile(path: string, cwd: string): LoadedSweep {
  const file = resolve(cwd, path);
  if (!existsSync(file)) throw new RunnerError('CONFIG_NOT_FOUND', `no sweep file at ${path}`, ExitCode.usage);
  let raw: unknown;
  try {
    raw = parseYaml(readFileSync(file, 'utf8'));
  } catch (err) {
    throw new RunnerError('YAML_SYNTAX', `${path}: ${(err as Error).message}`, ExitCode.usage);
  }
  const spec = parseSweepSpec(raw, path);
  return { spec, name: spec.name ?? basename(file, extname(file)), file, basePath: resolve(dirname(file), spec.base) };
}

/** zod plus the cross-field rules; every issue at once. */
export function parseSweepSpec(raw: unknown, file = 'sweep'): SweepSpec {
  const r = sweepSpecSchema.safeParse(raw);
  if (!r.success) {
    throw new ConfigError(r.error.issues.map((i) => ({ path: i.path.join('.'), message: i.message, file })), `invalid sweep file ${file}`);
  }
  const spec = r.data;
  const issues: ConfigIssue[] = [];
  const owner = new Map<string, string>();
  const claim = (section: string, path: string) => {
    const prev = owner.get(path);
    if (prev) issues.push({ path: `${section}.${path}`, message: `also set in ${prev}; a path may vary in one place only`, file });
    else owner.set(path, section);
  };
  for (const p of Object.keys(spec.set)) claim('set', p);
  for (const p of Object.keys(spec.grid)) claim('grid', p);
  for (const p of Object.keys(spec.zip)) claim('zip', p);
  for (const p of Object.keys(spec.random?.params ?? {})) claim('random.params', p);
  if (spec.seeds !== undefined) claim('seeds', 'seed');
  const zipLengths = Object.entries(spec.zip).map(([k, v]) => [k, v.length] as const);
  if (new Set(zipLengths.map(([, n]) => n)).size > 1) {
    issues.push({ path: 'zip', message: `lists must have the same length (${zipLengths.map(([k, n]) => `${k}: ${n}`).join(', ')})`, file });
  }
  for (const [p, d] of Object.entries(spec.random?.params ?? {})) {
    if ('uniform' in d && !(d.uniform[0] < d.uniform[1])) issues.push({ path: `random.params.${p}`, message: 'uniform needs low < high', file });
    if ('log_uniform' in d && !(d.log_uniform[0] > 0 && d.log_uniform[0] < d.log_uniform[1])) issues.push({ path: `random.params.${p}`, message: 'log_uniform needs 0 < low < high', file });
    if ('int' in d && !(d.int[0] <= d.int[1])) issues.push({ path: `random.params.${p}`, message: 'int needs low <= high', file });
  }
  if (Array.isArray(spec.seeds) && new Set(spec.seeds).size !== spec.seeds.length) issues.push({ path: 'seeds', message: 'seeds repeat', file });
  if (issues.length > 0) throw new ConfigError(issues, `invalid sweep file ${file}`);
  return spec;
}
