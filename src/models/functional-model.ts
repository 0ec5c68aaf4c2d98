/**
 * Turns a ParamBuilder and a forward function into a `Model`: apply runs in its own tf.tidy, so
 * only the output, the embedding and the BN update values survive a call.
 */
import * as tf from '../backends/tf.js';
import { Rng } from '../core/random.js';
import type { ApplyOptions, Model, ModelOutput } from '../core/types.js';
import { type ForwardContext, layerSeed } from './layers.js';
import type { ParamBuilder } from './param-builder.js';

export interface ForwardResult {
  readonly output: tf.Tensor;
  readonly embedding: tf.Tensor;
  /** Multi-sample dropout outputs (training only; ModelOutput.samples). */
  readonly samples?: readonly tf.Tensor[];
}

export function functionalModel(
  builder: ParamBuilder,
  embeddingDim: number,
  seed: number,
  forward: (x: tf.Tensor, ctx: ForwardContext) => ForwardResult,
): Model {
  const { params, buffers } = builder;
  // Used only when a caller trains without a dropoutSeed: deterministic for a fresh model, but not
  // checkpointed, so the trainer should always pass one.
  const fallbackDropout = Rng.derive(seed, 'dropout-fallback');
  let disposed = false;
  return {
    params,
    buffers,
    paramCount: params.reduce((n, p) => n + p.variable.size, 0),
    embeddingDim,
    apply(x: tf.Tensor, options: ApplyOptions): ModelOutput {
      if (disposed) throw new Error('model used after dispose()');
      const passSeed = options.dropoutSeed ?? (options.training ? fallbackDropout.nextUint32() : 0);
      const updates: [tf.Variable, tf.Tensor][] = [];
      const ctx: ForwardContext = { training: options.training, dropoutSeed: (label) => layerSeed(passSeed, label), updates, ...(options.bnMomentum !== undefined ? { bnMomentum: options.bnMomentum } : {}) };
      const kept = tf.tidy(() => {
        const r = forward(x, ctx);
        // never hand the caller's own tensor back: disposing the output would dispose the input
        const output = r.output === x ? tf.clone(x) : r.output;
        const embedding = r.embedding === x ? output : r.embedding;
        return { output, embedding, values: updates.map(([, v]) => v), samples: r.samples ? [...r.samples] : [] };
      });
      const samples = kept.samples.length > 0 ? { samples: kept.samples } : {};
      if (!options.training || updates.length === 0) return { output: kept.output, embedding: kept.embedding, ...samples };
      return {
        output: kept.output,
        embedding: kept.embedding,
        updates: updates.map(([variable], i) => [variable, kept.values[i]!] as const),
        ...samples,
      };
    },
    dispose() {
      if (disposed) return;
      disposed = true;
      for (const p of params) p.variable.dispose();
      for (const b of buffers) b.variable.dispose();
    },
  };
}
