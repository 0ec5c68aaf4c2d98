/**
 * In-process runs for the trainer contract tests: a tiny YAML config written into a temp folder,
 * `run()` / `resume()` called directly with captured streams on the cpu backend.
 */
import assert from 'node:assert/strict';
import { cpSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { stringify } from 'yaml';
import { tf } from '../support/tf.js';
import { run } from '../../src/commands/run.js';
import { resume } from '../../src/commands/resume.js';
import type { CommandContext } from '../../src/commands/context.js';
import type { Entry, Spec } from '../../src/core/registry.js';
import { catalog } from '../../src/registries.js';
import { RunWriter } from '../../src/run/run-writer.js';
import { readMetrics, TIMING_KEYS as timingKeys, type MetricRow } from '../../src/run/run-folder.js';
import { checkpointDirName, listCheckpoints } from '../../src/run/checkpoint.js';
import { loadExperiment } from '../../src/config/load.js';
import { buildExperiment } from '../../src/train/build.js';
import { effectiveNeeds } from '../../src/losses/needs.js';

export interface Captured {
  readonly ctx: CommandContext;
  readonly stderr: () => string;
}

export function capture(cwd: string, argv: readonly string[]): Captured {
  let err = '';
  const sink = () => new Writable({ write(_c, _e, cb) { cb(); } });
  const stderr = new Writable({ write(c: Buffer | string, _e, cb) { err += String(c); cb(); } });
  return { ctx: { cwd, stdout: sink(), stderr, isTTY: false, signal: new AbortController().signal, argv }, stderr: () => err };
}

/** 3 well-separated blobs in 2-D, 24 train / 12 test examples: 3 batches of 8 per epoch. */
export const blobs = { name: 'blobs', n_train: 24, n_test: 12, centers: 3, n_features: 2, cluster_std: 1 };
/** 24 train / 12 test examples in 4 groups (label, spurious attribute): the dataset of losses that declare needs.groups. */
export const grouped = { name: 'spurious-gaussian', n_train: 24, n_test: 12 };
/** A linear teacher, 2 inputs → 1 output: the regression counterpart of `blobs`. */
export const teacher = { name: 'teacher-student', task: 'regression', input_dim: 2, hidden: [], n_train: 24, n_test: 12 };

export interface TinyConfig {
  readonly name?: string;
  readonly seed?: number;
  readonly dataset?: Spec;
  readonly model?: Spec;
  readonly loss?: Spec;
  readonly optimizer?: Spec;
  readonly diagnostics?: readonly Spec[];
  readonly train?: Record<string, unknown>;
}

/** A loss that distils from the EMA of the weights (needs.teacher: mesa) gets train.ema, its teacher. */
function teacherEma(loss: Spec | undefined): Record<string, unknown> {
  return loss && catalog.loss.has(loss.name) && effectiveNeeds(catalog.loss, loss)?.teacher ? { ema: { decay: 0.9 } } : {};
}

/**
 * A tiny experiment: every step logs a train row (log_every 1), every `checkpoint_every` steps
 * leaves a checkpoint that is kept (the resume tests start from them), the test split is
 * evaluated once per epoch (3 steps) and at the end.
 */
export function tinyConfig(c: TinyConfig = {}): Record<string, unknown> {
  return {
    name: c.name ?? 'tiny',
    seed: c.seed ?? 0,
    dataset: c.dataset ?? blobs,
    model: c.model ?? { name: 'mlp', hidden: [8] },
    loss: c.loss ?? { name: 'cross-entropy' },
    optimizer: c.optimizer ?? { name: 'sgd', lr: 0.05 },
    diagnostics: c.diagnostics ?? [],
    train: { steps: 4, batch_size: 8, eval_batch_size: 64, log_every: 1, checkpoint_every: 2, keep_checkpoints: 100, eval_splits: ['test'], ...teacherEma(c.loss), ...c.train },
    backend: 'cpu',
  };
}

/**
 * The optimizers every loss is trained under in the default suite: one of each way an optimizer can
 * meet a loss. sgd (one plain evaluation), adam (adaptive state), lion (a sign step), momo (reads the
 * loss value), sam (two evaluations), gam (four), lookahead (slow weights), looksam (evaluations that
 * vary by step), lamb (a per-tensor trust ratio), cautious (a mask over a base). The full loss ×
 * optimizer matrix, every optimizer of the registry, runs with `npm run test:matrix`
 * (MINIMA_TEST_MATRIX=1); `test/train/optimizers.test.ts` trains every optimizer in the default suite.
 */
const REPRESENTATIVE = ['sgd', 'adam', 'lion', 'momo', 'sam', 'gam', 'lookahead', 'looksam', 'lamb', 'cautious'];
export function optimizersForLosses(): readonly (typeof catalog.optimizer.entries)[number][] {
  const all = catalog.optimizer.entries;
  return process.env.MINIMA_TEST_MATRIX ? all : all.filter((e) => REPRESENTATIVE.includes(e.name));
}

/** The spec of an optimizer entry on its own: wrappers get `base: sgd` (lr 0.05). */
export function optimizerSpec(name: string): Spec {
  const entry = catalog.optimizer.get(name);
  return entry.nested?.base ? { name, base: { name: 'sgd', lr: 0.05 } } : { name };
}

/** A loss spec with the options the entry needs beyond its defaults: its own `info.example` (JSON), if any. */
export function lossSpec(entry: Entry): Spec {
  const example = entry.info?.example;
  return { name: entry.name, ...(typeof example === 'string' ? (JSON.parse(example) as Record<string, unknown>) : {}) };
}

export interface RunOutcome {
  readonly code: number;
  readonly dir: string;
  readonly stderr: string;
  /** Live tensors after run() returned minus before it started. */
  readonly leaked: number;
  /** Live tensors at each train row of this session (see stepCounts). */
  readonly stepTensors: readonly number[];
}

/**
 * A probe on the run writer (installed for every importer of this module; it records only while
 * runTiny/resumeTiny run). Live tensors at each train-step row (log_every 1: one per step), in step order: the loop's
 * footprint between steps, after the step's loss has been read and freed. Eval and diagnostics
 * rows are left out (they are written at the same points but are not needed twice).
 */
let stepCounts: number[] | undefined;
const appendMetrics = RunWriter.prototype.appendMetrics;
RunWriter.prototype.appendMetrics = function (this: RunWriter, row: MetricRow) {
  if (stepCounts && row.split === 'train' && row.eval === undefined && row.diagnostics === undefined) stepCounts.push(tf.memory().numTensors);
  appendMetrics.call(this, row);
};

/** `minima run` in-process; the run folder is `<tmp>/<label>`. */
export async function runTiny(tmp: string, label: string, config: Record<string, unknown>, overrides: readonly string[] = []): Promise<RunOutcome> {
  const file = join(tmp, `${label}.yaml`);
  writeFileSync(file, stringify(config));
  const dir = join(tmp, label);
  const { ctx, stderr } = capture(tmp, ['run', file]);
  const counts: number[] = [];
  stepCounts = counts;
  const before = tf.memory().numTensors;
  try {
    const code = await run({ config: file, overrides: [...overrides], runDir: dir, quiet: true }, ctx);
    return { code, dir, stderr: stderr(), leaked: tf.memory().numTensors - before, stepTensors: counts };
  } finally {
    stepCounts = undefined;
  }
}

/**
 * Tensors that building and disposing the experiment of `config` leaves behind, with no training:
 * the baseline a whole run is compared against, so a leak is blamed on the part that has it.
 */
export async function buildLeak(tmp: string, label: string, config: Record<string, unknown>): Promise<number> {
  const file = join(tmp, `${label}.build.yaml`);
  writeFileSync(file, stringify(config));
  const loaded = await loadExperiment(file, [], { cwd: tmp });
  const before = tf.memory().numTensors;
  const exp = await buildExperiment(loaded.config, { cwd: tmp, configDir: tmp });
  exp.dispose();
  return tf.memory().numTensors - before;
}

/** `minima resume` in-process. */
export async function resumeTiny(tmp: string, dir: string, overrides: readonly string[] = [], allowConfigChange = false): Promise<RunOutcome> {
  const { ctx, stderr } = capture(tmp, ['resume', dir]);
  const counts: number[] = [];
  stepCounts = counts;
  const before = tf.memory().numTensors;
  try {
    const code = await resume({ runDir: dir, overrides: [...overrides], allowConfigChange, quiet: true }, ctx);
    return { code, dir, stderr: stderr(), leaked: tf.memory().numTensors - before, stepTensors: counts };
  } finally {
    stepCounts = undefined;
  }
}

/**
 * A finished tiny run kept a flat live-tensor count from step to step, and its copy cut at step 2
 * resumes to the same metrics and the same step-4 checkpoint tensors (runs of 4+ steps).
 */
export async function assertFlatAndResumes(tmp: string, r: RunOutcome): Promise<void> {
  assert.deepEqual(r.stepTensors, r.stepTensors.map(() => r.stepTensors[0]), `live tensors per step ${r.stepTensors.join(', ')}`);
  const b = truncatedCopy(r.dir, 2, join(tmp, 'b'));
  const resumed = await resumeTiny(tmp, b);
  assert.equal(resumed.code, 0, resumed.stderr);
  assert.deepEqual(trajectory(b), trajectory(r.dir));
  assert.ok(tensorsBin(b, 4).equals(tensorsBin(r.dir, 4)), 'final checkpoint tensors are identical');
}

/**
 * The state an interrupted twin of `dir` would have left at step `k`: a copy of the folder without
 * the checkpoints after k, its status set to `interrupted`. Later metric rows stay in the copy on
 * purpose: `resume` must cut them itself.
 */
export function truncatedCopy(dir: string, k: number, to: string): string {
  cpSync(dir, to, { recursive: true });
  const ckpts = join(to, 'checkpoints');
  const all = listCheckpoints(ckpts);
  if (!all.some((c) => c.step === k)) throw new Error(`${dir} has no checkpoint at step ${k}`);
  for (const c of all) if (c.step > k) rmSync(c.dir, { recursive: true });
  rmSync(join(to, 'summary.json'), { force: true });
  writeFileSync(join(to, 'status'), 'interrupted\n');
  return to;
}

export function status(dir: string): string {
  return readFileSync(join(dir, 'status'), 'utf8').trim();
}

/** metrics.jsonl rows without the keys that measure time. */
export function trajectory(dir: string): Record<string, unknown>[] {
  return readMetrics(dir).map((r) => {
    const out: Record<string, unknown> = { ...r };
    for (const k of timingKeys) delete out[k];
    return out;
  });
}

export function trainRows(dir: string): MetricRow[] {
  return rowsOf(dir).filter((r) => r.split === 'train' && r.eval === undefined && r.diagnostics === undefined);
}

export function rowsOf(dir: string): MetricRow[] {
  return readMetrics(dir);
}

export function tensorsBin(dir: string, step: number): Buffer {
  return readFileSync(join(dir, 'checkpoints', checkpointDirName(step), 'tensors.bin'));
}

/** Named float tensors of a checkpoint, read straight from its files. */
export function checkpointTensors(dir: string, step: number): Record<string, Float32Array> {
  const at = join(dir, 'checkpoints', checkpointDirName(step));
  const index = JSON.parse(readFileSync(join(at, 'state.json'), 'utf8')) as { tensors: { name: string; offset: number; length: number; dtype: string }[] };
  const bin = readFileSync(join(at, 'tensors.bin'));
  const out: Record<string, Float32Array> = {};
  for (const r of index.tensors) out[r.name] = new Float32Array(bin.buffer.slice(bin.byteOffset + r.offset, bin.byteOffset + r.offset + r.length * 4));
  return out;
}
