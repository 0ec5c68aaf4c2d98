import { z } from 'zod';
import * as tf from '../backends/tf.js';
import type { LossInput, LossNeeds, Objective } from '../core/types.js';
import { classWeights, embeddingOf, extraSlot, l2Normalize, lossSchema, numClassesOf, oneHot, paramName, rowDot, variableState, type LossEntry } from './common.js';

const schema = lossSchema({
  n: z.number().positive().describe('Harmonic exponent n (required; the papers sweep it): p_i ∝ d_i^{−n}.'),
  distance: z.enum(['euclidean', 'cosine']).default('euclidean').describe('d_i = ‖x − w_i‖₂ (Baek et al.) or 1 − cos(x, w_i) + eps (the non-Euclidean follow-up; best for vision there).'),
});

const EUCLID_EPS = 1e-8;
const COSINE_EPS = 1e-6;

/**
 * Harmonic loss: the loss owns class centres W [D, K]; log d_i is computed in the log domain,
 * ½·log(max(‖x‖² − 2x·w_i + ‖w_i‖², 0) + 1e-8) (matmul, no B×K×D tensor) or
 * log(max(1 − cos, 0) + 1e-6), and ℓ = −log softmax(−n·log d)_y (harmax in log space).
 * Centres start at N(0, 1/D) (minima's choice; the papers' init is not recorded).
 */
export const harmonic: LossEntry<z.infer<typeof schema>> = {
  name: 'harmonic',
  summary: 'Harmonic loss −log(d_y^{−n}/Σ_j d_j^{−n}) with loss-owned class centres ("Harmonic Loss Trains Interpretable AI Models", Baek et al. 2025; cosine: "Rethinking the Harmonic Loss via Non-Euclidean Distance Layers").',
  schema,
  nested: extraSlot,
  needs: { task: 'classification', input: 'embeddings' },
  info: {
    paper: 'Harmonic Loss Trains Interpretable AI Models (Baek, Liu, Tegmark et al. 2025); Rethinking the Harmonic Loss via Non-Euclidean Distance Layers',
    repo: 'KindXiaoming/grow-crystals; maxwellmg/rethinking-harmonic-loss',
    probabilities: 'harmax',
    example: '{"n":4}',
  },
  create(o, deps) {
    const k = numClassesOf(deps, 'harmonic');
    const centres = classWeights(paramName(deps, 'harmonic', 'centres'), deps, k, 1 / Math.sqrt(Math.max(deps.embeddingDim, 1)));
    const w = centres.variable;
    const needs: LossNeeds = { input: 'embeddings', reduction: 'per-example', task: 'classification' };
    const logDistance = (input: LossInput): tf.Tensor2D => {
      const x = embeddingOf(input, needs, 'harmonic');
      if (o.distance === 'cosine') {
        const cos = tf.matMul(l2Normalize(x), l2Normalize(w, 0));
        return tf.log(tf.add(tf.relu(tf.sub(1, cos)), COSINE_EPS)) as tf.Tensor2D;
      }
      const sq = tf.add(tf.sub(tf.sum(tf.square(x), -1, true), tf.mul(tf.matMul(x, w), 2)), tf.sum(tf.square(w), 0, true));
      return tf.mul(tf.log(tf.add(tf.relu(sq), EUCLID_EPS)), 0.5) as tf.Tensor2D;
    };
    const harmaxLogits = (input: LossInput) => tf.mul(logDistance(input), -o.n);
    const objective: Objective = {
      needs,
      variables: [centres],
      compute: (input) => tf.tidy(() => tf.neg(rowDot(tf.logSoftmax(harmaxLogits(input)), oneHot(input.y, k)))),
      probabilities: (input) => tf.tidy(() => tf.softmax(harmaxLogits(input)) as tf.Tensor2D),
      ...variableState([centres]),
    };
    return objective;
  },
};
