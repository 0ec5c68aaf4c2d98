/** The dataset registry: the one list to edit when adding a dataset. */
import { createRegistry } from '../core/registry.js';
import type { Dataset, DatasetDeps } from '../core/types.js';
import { mnist } from './mnist.js';
import { blobs } from './synthetic/blobs.js';
import { moons } from './synthetic/moons.js';
import { spirals } from './synthetic/spirals.js';

export const datasetRegistry = createRegistry<Promise<Dataset>, DatasetDeps>('dataset', [mnist, moons, spirals, blobs]);

export { buildDataset } from './build-dataset.js';
export { finalizeDataset, transformShape, type TransformOptions } from './transforms.js';
export { defineDataset, type DatasetEntry } from './define-dataset.js';
export type { RawData, RawSplit } from './raw-data.js';
export { applyLabelNoise, type LabelNoiseType } from './label-noise.js';
export { longTailCounts } from './imbalance.js';
export { stratifiedSplit } from './stratified-split.js';
export { loadMnistDigits } from './mnist.js';
