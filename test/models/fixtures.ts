/** Literal DataSpecs and small options shared by the model tests. */
import type { DataSpec } from '../../src/core/types.js';

export const mnistSpec: DataSpec = { task: 'classification', inputShape: [28, 28, 1], inputKind: 'dense', numClasses: 10, outputDim: 10 };
export const denseSpec: DataSpec = { task: 'classification', inputShape: [2], inputKind: 'dense', numClasses: 2, outputDim: 2 };
/** A CIFAR-shaped stand-in small enough for every conv model in the default suite. */
export const tinyImageSpec: DataSpec = { task: 'classification', inputShape: [8, 8, 3], inputKind: 'dense', numClasses: 10, outputDim: 10 };
export const tokenSpec: DataSpec = { task: 'classification', inputShape: [2], inputKind: 'tokens', vocabSize: 7, numClasses: 7, outputDim: 7 };
export const regressionSpec: DataSpec = { task: 'regression', inputShape: [3], inputKind: 'dense', numClasses: 0, outputDim: 2 };
export const cifarSpec: DataSpec = { task: 'classification', inputShape: [32, 32, 3], inputKind: 'dense', numClasses: 10, outputDim: 10 };

export const testSpecs: Readonly<Record<string, DataSpec>> = {
  mnist: mnistSpec,
  dense2: denseSpec,
  image8: tinyImageSpec,
  tokens: tokenSpec,
  regression: regressionSpec,
};

/**
 * Options that keep heavy defaults cheap in the contract tests; an entry not listed here is tested
 * with its defaults, so a new model needs no test edits (only a line here if its default is slow).
 */
export const smallOptions: Readonly<Record<string, Record<string, unknown>>> = {
  mlp: { hidden: [16], batch_norm: true, dropout: 0.1 },
  cnn: { channels: [4, 8], hidden: [16], batch_norm: true, dropout: 0.1 },
  resnet: { depth: 8, width: 4 },
  'wide-resnet': { depth: 10, widen_factor: 1, dropout: 0.1 },
  'embedding-mlp': { embed_dim: 8, hidden: [16], dropout: 0.1 },
  transformer: { d_model: 16, n_heads: 2, d_mlp: 32, n_layers: 2, dropout: 0.1 },
};
