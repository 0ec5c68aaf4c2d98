/** Shared pieces of the synthetic generators: size options, independent train/test draws, dense specs. */
import { z } from 'zod';
import { Rng } from '../../core/random.js';
import type { DataSpec } from '../../core/types.js';
import { knownData, type DataDescription } from '../define-dataset.js';
import type { RawSplit } from '../raw-data.js';

export function sizeOptions(nTrain: number, nTest: number) {
  return {
    n_train: z.int().min(1).default(nTrain).describe('Train examples.'),
    n_test: z.int().min(1).default(nTest).describe('Test examples.'),
  };
}

export interface Sample {
  readonly x: Float32Array | Int32Array;
  readonly y: Int32Array | Float32Array;
  /** Group ids, for generators whose examples carry one (spurious-gaussian). */
  readonly group?: Int32Array;
}

/** Train and test drawn independently from streams derived from (data seed, generator name, split). */
export function sampleSplits(
  seed: number,
  name: string,
  sizes: { readonly n_train: number; readonly n_test: number },
  sample: (rng: Rng, n: number, split: 'train' | 'test') => Sample,
): { train: RawSplit; test: RawSplit } {
  const draw = (split: 'train' | 'test', n: number): RawSplit => ({ n, ...sample(Rng.derive(seed, name, split), n, split) });
  return { train: draw('train', sizes.n_train), test: draw('test', sizes.n_test) };
}

/** Stream for parameters shared by both splits (centres, teacher weights, the secret bits). */
export function taskRng(seed: number, name: string): Rng {
  return Rng.derive(seed, name, 'task');
}

export function classificationSpec(dim: number, numClasses: number, classNames?: readonly string[]): Omit<DataSpec, 'classCounts'> {
  return {
    task: 'classification',
    inputShape: [dim],
    inputKind: 'dense',
    numClasses,
    outputDim: numClasses,
    ...(classNames ? { classNames } : {}),
  };
}

/** The description of a generator with `n_train`/`n_test` options: every fact is known. */
export function sampledData(spec: Omit<DataSpec, 'classCounts'>, sizes: { readonly n_train: number; readonly n_test: number }): DataDescription {
  return knownData(spec, { train: sizes.n_train, test: sizes.n_test });
}
