/**
 * The data cursor is a pure function of (seed, step): by default epoch e visits the train split in
 * the order of a permutation drawn from Rng.derive(seed, 'order', e); `train.sampler` picks another
 * sampler (src/data/samplers), each built the same way. A resumed run therefore needs only its step
 * counter to continue with exactly the batches it would have seen.
 */
import * as tf from '../backends/tf.js';
import { copiesOnUpload, packKernelActive } from '../backends/index.js';
import { Rng, hashSeed } from '../core/random.js';
import type { BatchArrays, Dataset } from '../core/types.js';
import { createSampler, type Sampler, type SamplerSpec } from '../data/samplers/index.js';

/** The largest train split kept on the device, counting its inputs' bytes; larger ones are uploaded per batch. */
export const deviceSplitLimitBytes = 256 * 2 ** 20;

export interface BatchPlanOptions {
  /**
   * Keep the train split on the device and gather each batch there (one GatherV2 instead of a JS
   * gather plus an upload). Ignored for augmented datasets (their rows change per step) and for
   * splits over `deviceSplitLimitBytes`. The batches hold the same values bit for bit.
   */
  readonly onDevice?: boolean;
  /**
   * Gather every uploaded batch's x into one buffer. Only for backends that copy the values when a
   * tensor is created (see `copiesOnUpload`): others keep a reference to the array.
   */
  readonly reuseInputs?: boolean;
  /** Which rows each step takes (`train.sampler`); default `{name: 'shuffle'}`, today's order. */
  readonly sampler?: SamplerSpec;
}

export class BatchPlan {
  private readonly sampler: Sampler;
  private scratch: Float32Array | Int32Array | undefined;
  private device: { x: tf.Tensor; y: tf.Tensor; group?: tf.Tensor1D } | undefined;
  /** Whether batches are gathered on the device (see BatchPlanOptions.onDevice). */
  readonly gathersOnDevice: boolean;

  constructor(
    private readonly dataset: Dataset,
    private readonly seed: number,
    readonly batchSize: number,
    private readonly options: BatchPlanOptions = {},
  ) {
    const bytes = dataset.sizes.train * dataset.spec.inputShape.reduce((a, b) => a * b, 1) * 4;
    this.gathersOnDevice = Boolean(options.onDevice) && !dataset.augmented && bytes <= deviceSplitLimitBytes;
    this.sampler = createSampler(options.sampler ?? { name: 'shuffle' }, {
      trainSize: dataset.sizes.train,
      batchSize,
      seed,
      stepsPerEpoch: this.stepsPerEpoch,
      labels: () => trainLabels(dataset),
      groups: () => trainGroups(dataset),
    });
  }

  /**
   * The plan for the TF.js backend `backend`. On wasm, batches are gathered in the heap by the
   * kernel pack's GatherV2 (rows copied inside wasm; the stock kernel is ~150× slower than a JS
   * gather), or, for augmented data and splits over deviceSplitLimitBytes, gathered in JS into one
   * reused buffer that the upload copies. Other backends upload a fresh array per batch.
   */
  static forBackend(dataset: Dataset, seed: number, batchSize: number, backend: string, sampler?: SamplerSpec): BatchPlan {
    const copies = copiesOnUpload(backend);
    return new BatchPlan(dataset, seed, batchSize, { onDevice: copies && packKernelActive('GatherV2'), reuseInputs: copies, ...(sampler ? { sampler } : {}) });
  }

  get stepsPerEpoch(): number {
    return Math.ceil(this.dataset.sizes.train / this.batchSize);
  }

  /** Train indices for 0-based step `step`: the sampler's (src/data/samplers), a pure function of (seed, step). */
  indices(step: number): { epoch: number; indices: Int32Array } {
    return this.sampler.indices(step);
  }

  /** Arrays of the train batch of `step`, augmented with a per-step RNG. */
  trainBatch(step: number): { epoch: number; arrays: BatchArrays; size: number } {
    const { epoch, indices } = this.indices(step);
    const reuse = this.options.reuseInputs === true;
    const arrays = this.dataset.gather('train', indices, new Rng(hashSeed(this.seed, 'augment', step)), reuse ? this.scratch : undefined);
    if (reuse) this.scratch = arrays.x;
    return { epoch, arrays, size: indices.length };
  }

  /**
   * Tensors of the train batch of `step`, with its train-row ids as `index` and, when the dataset
   * has groups, the rows' group ids as `group` (the caller disposes them).
   */
  trainTensors(step: number): { epoch: number; x: tf.Tensor; y: tf.Tensor; index: tf.Tensor1D; group?: tf.Tensor1D; size: number } {
    if (!this.gathersOnDevice) {
      const { epoch, arrays, size } = this.trainBatch(step);
      const index = tf.tensor1d(this.indices(step).indices, 'int32');
      return { epoch, ...batchTensors(this.dataset, arrays, size), index, ...groupTensor(arrays), size };
    }
    const { epoch, indices } = this.indices(step);
    const device = this.prepare()!;
    const index = tf.tensor1d(indices, 'int32');
    const { x, y } = tf.tidy(() => ({ x: tf.gather(device.x, index), y: tf.gather(device.y, index) }));
    const groups = device.group ? { group: tf.tidy(() => tf.gather(device.group!, index)) } : {};
    return { epoch, x, y, index, ...groups, size: indices.length };
  }

  /**
   * Train rows of the k-th extra batch of `step` (optimizers' ctx.evaluateBatch): the sampler's when
   * it defines them (`domains`: one domain's slice of the step's batch), otherwise batch_size rows
   * drawn without replacement from Rng.derive(seed, 'extra', step, k). Either way a pure function of
   * (seed, step, k), so a resumed run draws the same ones.
   */
  extraIndices(step: number, k: number): Int32Array {
    if (this.sampler.extra) return this.sampler.extra(step, k);
    const n = this.dataset.sizes.train;
    return Rng.derive(this.seed, 'extra', step, k).permutation(n).subarray(0, Math.min(this.batchSize, n));
  }

  /** Tensors of the k-th extra batch of `step` (augmented with its own per-batch RNG); the caller disposes them. */
  extraTensors(step: number, k: number): { x: tf.Tensor; y: tf.Tensor; index: tf.Tensor1D; group?: tf.Tensor1D } {
    const indices = this.extraIndices(step, k);
    const arrays = this.dataset.gather('train', indices, new Rng(hashSeed(this.seed, 'augment-extra', step, k)));
    return { ...batchTensors(this.dataset, arrays, indices.length), index: tf.tensor1d(indices, 'int32'), ...groupTensor(arrays) };
  }

  /**
   * Builds the resident train split when batches are gathered on the device (otherwise a no-op);
   * the first trainTensors call does it too. Kept out of any caller's tf.tidy.
   */
  prepare(): { x: tf.Tensor; y: tf.Tensor; group?: tf.Tensor1D } | undefined {
    if (!this.gathersOnDevice) return undefined;
    if (!this.device) {
      const all = this.dataset.gather('train', rangeIndices(0, this.dataset.sizes.train));
      const { x, y } = batchTensors(this.dataset, all, this.dataset.sizes.train);
      const { group } = groupTensor(all);
      this.device = { x: tf.keep(x), y: tf.keep(y), ...(group ? { group: tf.keep(group) } : {}) };
    }
    return this.device;
  }

  /** Frees the device copy of the train split, if any. */
  dispose(): void {
    if (this.device) tf.dispose([this.device.x, this.device.y, ...(this.device.group ? [this.device.group] : [])]);
    this.device = undefined;
  }
}

/** `{group}`: the rows' group ids as an int32 tensor, when the arrays carry them; else `{}`. */
export function groupTensor(arrays: BatchArrays): { group?: tf.Tensor1D } {
  return arrays.group ? { group: tf.tensor1d(arrays.group, 'int32') } : {};
}

/** Tensors for a batch: x as [b, ...inputShape] (int32 tokens or float32), y as int32 labels or float targets. */
export function batchTensors(dataset: Dataset, arrays: BatchArrays, size: number): { x: tf.Tensor; y: tf.Tensor } {
  const spec = dataset.spec;
  const x = spec.inputKind === 'tokens'
    ? tf.tensor(arrays.x instanceof Int32Array ? arrays.x : Int32Array.from(arrays.x), [size, ...spec.inputShape], 'int32')
    : tf.tensor(arrays.x instanceof Float32Array ? arrays.x : Float32Array.from(arrays.x), [size, ...spec.inputShape], 'float32');
  const y = spec.task === 'classification'
    ? tf.tensor1d(arrays.y instanceof Int32Array ? arrays.y : Int32Array.from(arrays.y), 'int32')
    : tf.tensor2d(arrays.y instanceof Float32Array ? arrays.y : Float32Array.from(arrays.y), [size, spec.outputDim]);
  return { x, y };
}

/** The train split's class ids, gathered in chunks of 4096 rows (for samplers that read labels). */
export function trainLabels(dataset: Dataset): Int32Array {
  const n = dataset.sizes.train;
  const out = new Int32Array(n);
  for (let start = 0; start < n; start += 4096) {
    const end = Math.min(n, start + 4096);
    out.set(dataset.gather('train', rangeIndices(start, end)).y as Int32Array, start);
  }
  return out;
}

/** The train split's group ids (chunks of 4096 rows), or undefined when the dataset has none (the domains sampler). */
export function trainGroups(dataset: Dataset): Int32Array | undefined {
  if (dataset.spec.numGroups === undefined) return undefined;
  const n = dataset.sizes.train;
  const out = new Int32Array(n);
  for (let start = 0; start < n; start += 4096) {
    const end = Math.min(n, start + 4096);
    const group = dataset.gather('train', rangeIndices(start, end)).group;
    if (!group) return undefined;
    out.set(group, start);
  }
  return out;
}

/** Sequential indices [start, end) of a split, for evaluation. */
export function rangeIndices(start: number, end: number): Int32Array {
  const out = new Int32Array(end - start);
  for (let i = 0; i < out.length; i++) out[i] = start + i;
  return out;
}
