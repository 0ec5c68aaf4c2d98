/** Public surface of the data layer: the registry and the helpers other layers use. */
export { datasetRegistry } from './dataset-registry.js';
export { finalizeDataset, transformIssues, transformShape, type TransformOptions } from './transforms.js';
export { defineDataset, knownData, type DataDescription, type DatasetEntry } from './define-dataset.js';
export type { RawData, RawSplit } from './raw-data.js';
export { applyLabelNoise, type LabelNoiseType } from './label-noise.js';
export { longTailCounts } from './imbalance.js';
export { stratifiedSplit } from './stratified-split.js';
export { loadMnistDigits } from './mnist.js';
export { modularOp, MODULAR_OPS, type ModularOp } from './synthetic/modular-arithmetic.js';
export { parseNpy } from './files/npy.js';
export { readZip } from './files/zip.js';
export { parseIdx } from './files/idx.js';
