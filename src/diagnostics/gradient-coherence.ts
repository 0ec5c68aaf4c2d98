/**
 * Gradient coherence (Chatterjee, "Coherent Gradients: An Approach to Understanding Generalization in
 * Gradient Descent-based Optimization", ICLR 2020; Chatterjee & Zielinski, "On the Generalization
 * Mystery in Deep Learning", 2022): over m micro-batch gradients g_i with mean ḡ,
 * α = ‖ḡ‖² / mean_i ‖g_i‖², in [1/m, 1]; 1 when all micro-batches pull the same way, 1/m when they are
 * orthogonal. Also α_m = m·α, the m-coherence of Chatterjee & Zielinski (1 for orthogonal gradients,
 * m for identical ones). Micro-batches rather than single examples, so the cost is m passes.
 */
import { z } from 'zod';
import * as tf from '../backends/tf.js';
import { readScalar as read } from '../backends/tree.js';
import { everyOption } from './common.js';
import { microBatchesOption, subBatchGradients } from './sub-batch-gradients.js';
import type { DiagnosticEntry } from './types.js';

const schema = z.strictObject({ every: everyOption(100), micro_batches: microBatchesOption });

export const gradientCoherence: DiagnosticEntry<z.infer<typeof schema>> = {
  name: 'gradient-coherence',
  summary: 'Gradient coherence α = ‖mean g_i‖²/mean ‖g_i‖² over m micro-batches ("Coherent Gradients", Chatterjee 2020).',
  schema,
  info: {
    cost: 'micro_batches forward + backward passes on slices of the step\'s batch (together one batch)',
    paper: 'Coherent Gradients: An Approach to Understanding Generalization in Gradient Descent-based Optimization (Chatterjee, ICLR 2020)',
  },
  create(o) {
    return {
      every: o.every,
      async run(ctx) {
        const g = subBatchGradients(ctx, o.micro_batches);
        const [meanSq, sqMean] = tf.tidy(() => [tf.sum(tf.square(tf.mean(g, 0))), tf.mean(tf.sum(tf.square(g), 1))]);
        g.dispose();
        const num = await read(meanSq!);
        const den = await read(sqMean!);
        tf.dispose([meanSq!, sqMean!]);
        // all micro-batch gradients zero: no direction to agree on
        const alpha = den > 0 ? num / den : 0;
        return { gradient_coherence: alpha, gradient_coherence_m: o.micro_batches * alpha };
      },
    };
  },
};
