/**
 * What each family of model needs from a DataSpec, and the input conversions they share.
 * Dense models (linear, mlp) take any input: features are flattened, token ids are one-hot
 * encoded and concatenated (the one-hot MLP of the grokking references).
 */
import * as tf from '../backends/tf.js';
import type { DataSpec } from '../core/types.js';

const product = (xs: readonly number[]): number => xs.reduce((a, b) => a * b, 1);

function shapeProblem(data: DataSpec): string | null {
  if (data.inputShape.length === 0 || data.inputShape.some((d) => !Number.isInteger(d) || d < 1)) {
    return `inputShape [${data.inputShape.join(', ')}] must list positive integers`;
  }
  if (!Number.isInteger(data.outputDim) || data.outputDim < 1) return `outputDim ${data.outputDim} must be a positive integer`;
  return null;
}

function vocabProblem(data: DataSpec): string | null {
  if (data.vocabSize === undefined || !Number.isInteger(data.vocabSize) || data.vocabSize < 1) {
    return 'token inputs need a positive integer vocabSize';
  }
  return null;
}

/** Dense models: any dense input; tokens when the vocabulary size is known. */
export function denseSupport(data: DataSpec): string | null {
  return shapeProblem(data) ?? (data.inputKind === 'tokens' ? vocabProblem(data) : null);
}

/** Width of the flattened (and, for tokens, one-hot) input. */
export function denseInputSize(data: DataSpec): number {
  return product(data.inputShape) * (data.inputKind === 'tokens' ? data.vocabSize! : 1);
}

/** [batch, ...inputShape] → [batch, denseInputSize]. */
export function toDenseFeatures(x: tf.Tensor, data: DataSpec): tf.Tensor2D {
  const size = denseInputSize(data);
  if (data.inputKind === 'tokens') {
    return tf.reshape(tf.oneHot(tf.cast(x, 'int32'), data.vocabSize!), [-1, size]);
  }
  return tf.reshape(x.dtype === 'float32' ? x : tf.cast(x, 'float32'), [-1, size]);
}

/** Convolutional models: dense images [H, W, C]. */
export function imageSupport(data: DataSpec): string | null {
  const problem = shapeProblem(data);
  if (problem) return problem;
  if (data.inputKind !== 'dense') return `needs dense image inputs, but the dataset gives ${data.inputKind}`;
  if (data.inputShape.length !== 3) {
    return `needs image inputs of shape [height, width, channels], but the dataset's inputShape is [${data.inputShape.join(', ')}]`;
  }
  return null;
}

/** Sequence models: int32 token ids of shape [seqLen]. */
export function tokenSupport(data: DataSpec): string | null {
  const problem = shapeProblem(data);
  if (problem) return problem;
  if (data.inputKind !== 'tokens') return `needs token inputs (inputKind 'tokens'), but the dataset gives ${data.inputKind} features`;
  if (data.inputShape.length !== 1) return `needs token sequences of shape [seqLen], but the dataset's inputShape is [${data.inputShape.join(', ')}]`;
  return vocabProblem(data);
}
