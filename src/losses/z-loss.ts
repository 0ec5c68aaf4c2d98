import type { z } from 'zod';
import * as tf from '../backends/tf.js';
import { classificationNeeds, extraSlot, lossSchema, statelessObjective, type LossEntry } from './common.js';

const schema = lossSchema({}, 1e-4);

/** (log Z)² with log Z = lse(z) (stable for any finite logits); `weight` defaults to PaLM's 1e-4. */
export const zLoss: LossEntry<z.infer<typeof schema>> = {
  name: 'z-loss',
  summary: 'Log-partition penalty weight·(log Σ_k e^{z_k})², weight 1e-4 by default ("PaLM: Scaling Language Modeling with Pathways", Chowdhery et al. 2022).',
  schema,
  nested: extraSlot,
  needs: { task: 'classification', input: 'logits' },
  info: { paper: 'PaLM: Scaling Language Modeling with Pathways (Chowdhery et al. 2022), §5' },
  create: () => statelessObjective(classificationNeeds, ({ output }) => tf.square(tf.logSumExp(output, -1))),
};
