/**
 * The data cursor is a pure function of (seed, step): epoch e visits the train split in the
 * order of a permutation drawn from Rng.derive(seed, 'order', e). A resumed run therefore needs
 * only its step counter to continue with exactly the batches it would have seen.
 */
import * as tf from '../backends/tf.js';
import { Rng, hashSeed } from '../core/random.js';
import type { BatchArrays, Dataset } from '../core/types.js';

export class BatchPlan {
  private cachedEpoch = -1;
  private perm: Int32Array = new Int32Array(0);

  constructor(
    private readonly dataset: Dataset,
    private readonly seed: number,
    readonly batchSize: number,
  ) {}

  get stepsPerEpoch(): number {
    return Math.ceil(this.dataset.sizes.train / this.batchSize);
  }

  /** Train indices for 0-based step `step`. */
  indices(step: number): { epoch: number; indices: Int32Array } {
    const epoch = Math.floor(step / this.stepsPerEpoch);
    if (epoch !== this.cachedEpoch) {
      this.perm = Rng.derive(this.seed, 'order', epoch).permutation(this.dataset.sizes.train);
      this.cachedEpoch = epoch;
    }
    const b = step % this.stepsPerEpoch;
    return { epoch, indices: this.perm.subarray(b * this.batchSize, Math.min(this.perm.length, (b + 1) * this.batchSize)) };
  }

  /** Arrays of the train batch of `step`, augmented with a per-step RNG. */
  trainBatch(step: number): { epoch: number; arrays: BatchArrays; size: number } {
    const { epoch, indices } = this.indices(step);
    return { epoch, arrays: this.dataset.gather('train', indices, new Rng(hashSeed(this.seed, 'augment', step))), size: indices.length };
  }
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

/** Sequential indices [start, end) of a split, for evaluation. */
export function rangeIndices(start: number, end: number): Int32Array {
  const out = new Int32Array(end - start);
  for (let i = 0; i < out.length; i++) out[i] = start + i;
  return out;
}
