/**
 * What a loader or generator produces before the shared transforms (subset, long tail, label
 * noise, normalisation, augmentation) turn it into a `Dataset`. Loaders only read or generate.
 */
import type { DataSpec } from '../core/types.js';

export interface RawSplit {
  readonly n: number;
  /** Row-major features. Uint8 rows (images) stay uint8 in memory and are scaled in `gather()`. */
  readonly x: Float32Array | Int32Array | Uint8Array;
  /** Class ids (Int32Array) or regression targets (Float32Array, n × outputDim). */
  readonly y: Int32Array | Float32Array;
  /** Labels before noise a generator injected itself (xor-clusters' η flips). */
  readonly cleanY?: Int32Array;
  /** Group ids in [0, spec.numGroups) (e.g. (label, spurious attribute) cells); the transforms keep each row's group. */
  readonly group?: Int32Array;
}

export interface RawData {
  /** The spec without `classCounts` (the transforms compute them). */
  readonly spec: Omit<DataSpec, 'classCounts'>;
  readonly train: RawSplit;
  readonly test: RawSplit;
  /** Multiplier applied to uint8 features when gathered (1/255 for pixel bytes). */
  readonly xScale?: number;
  /** Provenance and generator parameters, recorded in meta.json. */
  readonly meta: Readonly<Record<string, unknown>>;
  /** The literature's asymmetric-noise map for this dataset (class id → class id), if there is one. */
  readonly asymmetricMap?: ReadonlyMap<number, number>;
}

/** Examples per class of `labels` (ids assumed in [0, numClasses)). */
export function countClasses(labels: ArrayLike<number>, numClasses: number): number[] {
  const counts = new Array<number>(numClasses).fill(0);
  for (let i = 0; i < labels.length; i++) counts[labels[i]!]! += 1;
  return counts;
}
