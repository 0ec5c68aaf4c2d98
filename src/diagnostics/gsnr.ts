/**
 * Gradient signal-to-noise ratio (Liu, Bai, Xiao, Zhang, "Understanding Why Neural Networks Generalize
 * Well Through GSNR of Parameters", ICLR 2020): per parameter j, r_j = mean_i(g_ij)² / var_i(g_ij) over
 * m micro-batch gradients; reported as the mean of r_j over the parameters whose variance is non-zero
 * (the paper's averaged GSNR), with the median. The paper's expectations are over single examples;
 * micro-batches of size b scale the variance by 1/b, so values compare only at equal m and batch size.
 * var uses the unbiased 1/(m − 1) estimate (`ddof` for the 1/m form).
 */
import { z } from 'zod';
import * as tf from '../backends/tf.js';
import { everyOption } from './common.js';
import { microBatchesOption, subBatchGradients } from './sub-batch-gradients.js';
import type { DiagnosticEntry } from './types.js';

const schema = z.strictObject({
  every: everyOption(100),
  micro_batches: microBatchesOption,
  ddof: z.union([z.literal(0), z.literal(1)]).default(1).describe('Variance divisor m − ddof: 1 unbiased (default), 0 the population form.'),
});

export const gsnr: DiagnosticEntry<z.infer<typeof schema>> = {
  name: 'gsnr',
  summary: 'Mean gradient signal-to-noise ratio mean(g_j)²/var(g_j) over m micro-batches ("Understanding Why Neural Networks Generalize Well Through GSNR of Parameters", Liu et al. 2020).',
  schema,
  info: {
    cost: 'micro_batches forward + backward passes on slices of the step\'s batch (together one batch)',
    paper: 'Understanding Why Neural Networks Generalize Well Through GSNR of Parameters (Liu et al. ICLR 2020)',
  },
  create(o) {
    return {
      every: o.every,
      async run(ctx) {
        const m = o.micro_batches;
        const g = subBatchGradients(ctx, m);
        const [mean2, variance] = tf.tidy(() => {
          const mean = tf.mean(g, 0);
          return [tf.square(mean), tf.div(tf.sum(tf.square(tf.sub(g, mean)), 0), m - o.ddof)];
        });
        g.dispose();
        const s = (await mean2!.data()) as Float32Array;
        const v = (await variance!.data()) as Float32Array;
        tf.dispose([mean2!, variance!]);
        const ratios: number[] = [];
        for (let j = 0; j < v.length; j++) if (v[j]! > 0) ratios.push(s[j]! / v[j]!);
        if (ratios.length === 0) return { gsnr: 0, gsnr_median: 0, gsnr_fraction: 0 };
        let sum = 0;
        for (const r of ratios) sum += r;
        ratios.sort((a, b) => a - b);
        const mid = ratios.length >> 1;
        const median = ratios.length % 2 === 1 ? ratios[mid]! : (ratios[mid - 1]! + ratios[mid]!) / 2;
        return { gsnr: sum / ratios.length, gsnr_median: median, gsnr_fraction: ratios.length / v.length };
      },
    };
  },
};
