/**
 * A run folder opened for post-hoc analysis: its config rebuilt (dataset, model, objective), the
 * initial parameters the run's seed gives kept aside, then a checkpoint's parameters, buffers and
 * loss state restored. Evaluation at other weights goes through the training code path
 * (train/evaluate.ts evaluateSplit), so at the checkpoint it reproduces the run's own eval rows.
 */
import { existsSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import * as tf from '../backends/tf.js';
import { loadExperiment } from '../config/load.js';
import { RunnerError } from '../core/errors.js';
import { hashSeed, Rng } from '../core/random.js';
import type { Dataset, SplitName } from '../core/types.js';
import { listCheckpoints, loadCheckpoint } from '../run/checkpoint.js';
import { readMetaJson } from '../run/run-folder.js';
import { buildExperiment, type Experiment } from '../train/build.js';
import { batchTensors, groupTensor } from '../train/batches.js';
import { evaluateSplit } from '../train/evaluate.js';
import { forwardLoss } from '../train/step.js';

export interface OpenedRun {
  readonly dir: string;
  readonly name: string;
  readonly exp: Experiment;
  /** The checkpoint's step and folder. */
  readonly step: number;
  readonly checkpoint: string;
  /** The parameters (aligned with exp.params) at the checkpoint and at initialisation (the run's seed). */
  readonly weights: readonly Float32Array[];
  readonly initial: readonly Float32Array[];
  dispose(): void;
}

/** Options of `openRun`: which checkpoint (default the newest intact one) and where relative data paths resolve. */
export interface OpenRunOptions {
  readonly cwd: string;
  readonly checkpoint?: number;
}

export async function openRun(path: string, o: OpenRunOptions): Promise<OpenedRun> {
  const dir = resolve(o.cwd, path);
  const configPath = join(dir, 'config.yaml');
  if (!existsSync(configPath)) throw new RunnerError('RUN_NOT_FOUND', `${path} is not a run folder (no config.yaml)`);
  const all = listCheckpoints(join(dir, 'checkpoints'));
  if (all.length === 0) throw new RunnerError('NO_CHECKPOINT', `${path} has no checkpoints to analyse (checkpoints/step-NNNNNN/); a run writes one at the end and every train.checkpoint_every steps`);
  const chosen = o.checkpoint === undefined ? all.at(-1)! : all.find((c) => c.step === o.checkpoint);
  if (!chosen) throw new RunnerError('NO_CHECKPOINT', `${path} has no checkpoint at step ${o.checkpoint} (kept: ${all.map((c) => c.step).join(', ')}; train.keep_checkpoints sets how many are kept)`);
  const loaded = await loadExperiment(configPath, [], { cwd: o.cwd });
  const exp = await buildExperiment(loaded.config, { cwd: o.cwd, configDir: configDirOf(dir, loaded.configDir) });
  try {
    const initial = exp.params.map((p) => Float32Array.from(p.variable.dataSync() as Float32Array));
    const ck = loadCheckpoint(chosen.dir);
    try {
      const take = (key: string, like: tf.Tensor): tf.Tensor => {
        const t = ck.tensors[key];
        if (!t || t.shape.join(',') !== like.shape.join(',')) throw new RunnerError('CHECKPOINT_INVALID', `checkpoint ${chosen.dir} lacks tensor ${key} of shape [${like.shape.join(', ')}] (written by another model?)`);
        return t;
      };
      for (const p of exp.params) p.variable.assign(take(`${p.owner}/${p.name}`, p.variable));
      for (const b of exp.model.buffers) b.variable.assign(take(`buffer/${b.name}`, b.variable));
      const state = Object.fromEntries(Object.entries(ck.tensors).filter(([k]) => k.startsWith('lossstate/')).map(([k, v]) => [k.slice('lossstate/'.length), v]));
      exp.objective.setState?.(state);
    } finally {
      tf.dispose(Object.values(ck.tensors));
    }
    const weights = exp.params.map((p) => Float32Array.from(p.variable.dataSync() as Float32Array));
    return { dir, name: basename(dir), exp, step: chosen.step, checkpoint: chosen.dir, weights, initial, dispose: () => exp.dispose() };
  } catch (err) {
    exp.dispose();
    throw err;
  }
}

/** Relative data paths resolve against the original experiment's folder, recorded in meta.json (as `resume` does). */
function configDirOf(dir: string, fallback: string): string {
  const meta = readMetaJson(join(dir, 'meta.json')).value ?? {};
  const files = meta.config_files;
  const cwd = meta.cwd;
  if (Array.isArray(files) && typeof files[0] === 'string' && typeof cwd === 'string') return resolve(cwd, files[0], '..');
  return fallback;
}

/** Assigns `values` (aligned with the run's params) to its variables. */
export function assignWeights(run: OpenedRun, values: readonly Float32Array[]): void {
  run.exp.params.forEach((p, i) => {
    const t = tf.tensor(values[i]!, p.variable.shape, 'float32');
    p.variable.assign(t);
    t.dispose();
  });
}

/** `rows` of `split` of a dataset, seen as the whole split (every other split unchanged). */
export function subsetDataset(dataset: Dataset, split: SplitName, rows: Int32Array): Dataset {
  return {
    spec: dataset.spec,
    sizes: { ...dataset.sizes, [split]: rows.length },
    meta: dataset.meta,
    augmented: dataset.augmented,
    gather: (s, indices, rng, into) => dataset.gather(s, s === split ? indices.map((i) => rows[i]!) : indices, rng, into),
  };
}

/** The rows an analysis evaluates: all of `n`, or `examples` of them drawn by `seed` (ascending). */
export function sampleRows(n: number, examples: number | null, seed: number, label: string): Int32Array {
  if (examples === null || examples >= n) return Int32Array.from({ length: n }, (_, i) => i);
  return Int32Array.from(new Rng(hashSeed(seed, 'rows', label)).permutation(n).subarray(0, examples)).sort();
}

/**
 * Metrics of `split` (loss, accuracy …) at the run's current variables, evaluated as the trainer
 * evaluates (eval mode, eval batch size, eval seed), on `rows` of the split when given.
 */
export async function evaluateRun(run: OpenedRun, split: SplitName, rows?: Int32Array): Promise<Record<string, number>> {
  const { config, dataset, model, objective, stepsPerEpoch } = run.exp;
  const data = rows ? subsetDataset(dataset, split, rows) : dataset;
  const epoch = Math.floor(Math.max(0, run.step - 1) / stepsPerEpoch);
  return evaluateSplit({ dataset: data, model, objective, batchSize: config.train.eval_batch_size, step: run.step, epoch, seed: hashSeed(config.seed, 'eval') }, split);
}

/** Class probabilities [n, K] (the loss's own, softmax by default), embeddings [n, E] and labels of a split in eval mode. */
export interface SplitOutputs {
  readonly n: number;
  readonly classes: number;
  readonly width: number;
  readonly probabilities: Float32Array;
  readonly embeddings: Float32Array;
  readonly labels: Int32Array;
}

export async function splitOutputs(run: OpenedRun, split: SplitName, rows: Int32Array): Promise<SplitOutputs> {
  const { config, dataset, model, objective } = run.exp;
  const spec = dataset.spec;
  const lctx = { step: run.step, epoch: 0, training: false, data: spec, seed: hashSeed(config.seed, 'eval'), split };
  const probs: Float32Array[] = [];
  const embs: Float32Array[] = [];
  const labels = new Int32Array(rows.length);
  let width = 0;
  const size = config.train.eval_batch_size;
  for (let start = 0; start < rows.length; start += size) {
    const idx = rows.subarray(start, Math.min(rows.length, start + size));
    const arrays = dataset.gather(split, idx);
    const out = tf.tidy(() => {
      const batch = { ...batchTensors(dataset, arrays, idx.length), index: tf.tensor1d(idx, 'int32'), ...groupTensor(arrays) };
      const { model: m, input } = forwardLoss(model, objective, batch, lctx);
      const p = objective.probabilities ? objective.probabilities(input, lctx) : tf.softmax(m.output as tf.Tensor2D);
      return { p, e: tf.reshape(m.embedding, [idx.length, -1]) };
    });
    width = out.e.shape[1]!;
    probs.push((await out.p.data()) as Float32Array);
    embs.push((await out.e.data()) as Float32Array);
    tf.dispose([out.p, out.e]);
    labels.set(arrays.y as Int32Array, start);
  }
  const concat = (parts: Float32Array[]) => {
    const all = new Float32Array(parts.reduce((s, p) => s + p.length, 0));
    let at = 0;
    for (const p of parts) { all.set(p, at); at += p.length; }
    return all;
  };
  return { n: rows.length, classes: spec.numClasses, width, probabilities: concat(probs), embeddings: concat(embs), labels };
}
