import { z } from 'zod';
import * as tf from '../backends/tf.js';
import type { LossInput, LossNeeds, Objective } from '../core/types.js';
import { classWeights, embeddingOf, extraSlot, l2Normalize, lossSchema, numClassesOf, oneHot, paramName, rowDot, stopGradient, variableState, type LossEntry } from './common.js';

const schema = lossSchema({
  s: z.number().positive().default(64).describe('Scale s (64).'),
  k: z.number().positive().default(80).describe('Slope k of the sigmoid re-weightings (80).'),
  a: z.number().default(0.8).describe('Intra-class sigmoid centre a in radians (0.8).'),
  b: z.number().default(1.22).describe('Inter-class sigmoid centre b in radians (1.22).'),
});

/**
 * SFace: ℓ = −[σ(k(θ_y − a))]·s·cos θ_y + Σ_{j≠y} [σ(−k(θ_j − b))]·s·cos θ_j, brackets detached
 * (the reference code computes them under no_grad). θ only enters the detached weights, so
 * acos(clamp(cos, −1 + 1e-7, 1 − 1e-7)) is safe.
 */
export const sface: LossEntry<z.infer<typeof schema>> = {
  name: 'sface',
  summary: 'SFace: sigmoid-constrained hypersphere loss with detached intra/inter re-weightings ("SFace: Sigmoid-Constrained Hypersphere Loss for Robust Face Recognition", Zhong et al. 2021).',
  schema,
  nested: extraSlot,
  needs: { task: 'classification', input: 'embeddings' },
  info: { paper: 'SFace: Sigmoid-Constrained Hypersphere Loss for Robust Face Recognition (Zhong et al. TIP 2021)', repo: 'zhongyy/SFace', gradient: 'detached re-weightings (not the derivative of the value)' },
  create(o, deps) {
    const k = numClassesOf(deps, 'sface');
    const proxies = classWeights(paramName(deps, 'sface', 'weight'), deps, k, 0.01);
    const needs: LossNeeds = { input: 'embeddings', reduction: 'per-example', task: 'classification' };
    const cosines = (input: LossInput) =>
      tf.clipByValue(tf.matMul(l2Normalize(embeddingOf(input, needs, 'sface')), l2Normalize(proxies.variable, 0)), -1, 1);
    const objective: Objective = {
      needs,
      variables: [proxies],
      compute: (input) =>
        tf.tidy(() => {
          const cos = cosines(input);
          const q = oneHot(input.y, k);
          const theta = tf.acos(tf.clipByValue(stopGradient(cos), -1 + 1e-7, 1 - 1e-7));
          const wIntra = stopGradient(tf.sigmoid(tf.mul(tf.sub(theta, o.a), o.k)));
          const wInter = stopGradient(tf.sigmoid(tf.mul(tf.sub(theta, o.b), -o.k)));
          const intra = tf.neg(rowDot(tf.mul(wIntra, cos), q));
          const inter = rowDot(tf.mul(wInter, cos), tf.sub(1, q));
          return tf.mul(tf.add(intra, inter), o.s);
        }),
      probabilities: (input) => tf.tidy(() => tf.softmax(tf.mul(cosines(input), o.s)) as tf.Tensor2D),
      ...variableState([proxies]),
    };
    return objective;
  },
};
