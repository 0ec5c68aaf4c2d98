/**
 * Diagonal linear network (Woodworth et al. 2020, "Kernel and Rich Regimes in Overparametrized
 * Models"; the model of Karakida et al. 2023's implicit-bias result for gradient regularisation):
 *   f(x) = x·w,  w = u⊙u − v⊙v,  u₀ = v₀ = α (so w₀ = 0)
 * on the flattened input, one column per output. A small α gives the "rich" regime (gradient flow
 * finds a small-ℓ1 interpolator), a large α the kernel regime (small ℓ2). No bias.
 */
import * as tf from '../backends/tf.js';
import { z } from 'zod';
import { functionalModel } from './functional-model.js';
import { defineModel } from './define-model.js';
import { headWidth } from './heads.js';
import { denseInputSize, denseSupport, toDenseFeatures } from './inputs.js';
import { ParamBuilder } from './param-builder.js';

const schema = z.strictObject({
  alpha: z.number().positive().default(0.1).describe('init scale α: u₀ = v₀ = α·1 (w₀ = 0); small = rich (sparse) regime, large = kernel regime'),
});

export const diagonalLinear = defineModel({
  name: 'diagonal-linear',
  summary: 'Diagonal linear network f(x) = x·(u⊙u − v⊙v), u₀ = v₀ = α (Woodworth et al. 2020); the implicit-bias testbed',
  schema,
  info: { input: 'dense (flattened)', init: 'u = v = α (constant: the seed does not enter)', seeded: false, head: 'none' },
  supports: (_o, data) => denseSupport(data),
  build(o, deps) {
    const b = new ParamBuilder('diagonal-linear', deps.seed);
    const d = denseInputSize(deps.data);
    const k = headWidth(deps);
    const u = b.param('u', [d, k], 'kernel', { kind: 'constant', value: o.alpha });
    const v = b.param('v', [d, k], 'kernel', { kind: 'constant', value: o.alpha });
    return functionalModel(b, k, deps.seed, (x) => {
      const w = tf.sub(tf.mul(u, u), tf.mul(v, v));
      const out = tf.matMul(toDenseFeatures(x, deps.data) as tf.Tensor2D, w);
      return { output: out, embedding: out };
    });
  },
});
