import { z } from 'zod';
import { everyOption } from './common.js';
import type { DiagnosticEntry } from './types.js';

const schema = z.strictObject({ every: everyOption(100) });

/**
 * SC% = mean_i 1[ℓ_i == 0 exactly in float32], through the training loss code path
 * (ctx.perExampleLoss). CE is exactly 0 once z_y − max_{k≠y} z_k ≳ 16.6 + ln(K − 1): 1 + u rounds
 * to 1, and the target-class gradient p_y − 1 vanishes with it.
 */
export const softmaxCollapse: DiagnosticEntry<z.infer<typeof schema>> = {
  name: 'softmax-collapse',
  summary: 'Fraction of examples whose float32 loss is exactly 0 (Softmax Collapse; "Grokking at the Edge of Numerical Stability", Prieto et al. 2025).',
  schema,
  info: { cost: '1 forward', paper: 'Grokking at the Edge of Numerical Stability (Prieto et al. ICLR 2025)' },
  create(o) {
    return {
      every: o.every,
      async run(ctx) {
        const per = ctx.perExampleLoss();
        const values = (await per.data()) as Float32Array;
        per.dispose();
        let zeros = 0;
        for (const v of values) if (v === 0) zeros++;
        return { softmax_collapse: values.length > 0 ? zeros / values.length : 0 };
      },
    };
  },
};
