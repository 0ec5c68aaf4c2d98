import { z } from 'zod';
import * as tf from '../backends/tf.js';
import { RunnerError } from '../core/errors.js';
import { Rng } from '../core/random.js';
import type { LossContext, LossInput, LossNeeds } from '../core/types.js';
import { twoViews, twoViewShape } from '../data/two-views.js';
import { embeddingOf, extraSlot, l2Normalize, lossSchema, statelessObjective, type LossBuildDeps, type LossEntry } from './common.js';
import { eye } from './pairs.js';

const schema = lossSchema({
  temperature: z.number().positive().default(0.1).describe('τ (simclr run.py --temperature 0.1).'),
  hidden_norm: z.boolean().default(true).describe('L2-normalise the two views\' features (simclr --hidden_norm True).'),
  ...twoViewShape,
});

/** simclr objective.py LARGE_NUM: the self-similarity logits are pushed down by it. */
const LARGE_NUM = 1e9;

/**
 * NT-Xent (google-research/simclr objective.py add_contrastive_loss) on two augmented views of the
 * batch: h1, h2 the model's features of the views (data/two-views.ts, drawn from the step's loss
 * seed, so SAM's passes see the same views), normalised;
 *   loss_a_i = CE(onehot(i), [h1_i·h2ᵀ, h1_i·h1ᵀ − LARGE_NUM·e_i]/τ), loss_b_i likewise from h2,
 * per example loss_a_i + loss_b_i, whose batch mean is upstream's mean(loss_a) + mean(loss_b).
 * Labels are not read (self-supervised). The clean pass of the step is not used. Without the model
 * (createLoss, the loss contract: no LossContext.apply) both views are the given embedding.
 */
export const ntXent: LossEntry<z.infer<typeof schema>> = {
  name: 'nt-xent',
  summary: 'NT-Xent (SimCLR): contrastive loss between two augmented views of every example, the rest of the batch as negatives (Chen et al., ICML 2020).',
  schema,
  nested: extraSlot,
  needs: { task: 'classification', input: 'embeddings', inputs: true },
  info: {
    group: 'self-supervised',
    paper: 'A Simple Framework for Contrastive Learning of Visual Representations (Chen, Kornblith, Norouzi & Hinton, ICML 2020)',
    source: 'google-research/simclr objective.py (add_contrastive_loss), data_util.py (random_crop_with_resize, flip); temperature from run.py',
    differences: 'no projection head: the loss reads the model\'s embedding, which is also what the linear probe reads; no colour distortion or blur (crop, flip, optional pixel noise)',
    sampler: 'any (labels are unused); every other example of the batch is a negative',
    evaluation: 'train.retrieval {linear_probe: true}: linear-probe accuracy on the embedding',
  },
  create(o, deps) {
    if (deps.data.inputKind === 'tokens') throw new RunnerError('CONFIG_INVALID', 'loss "nt-xent" augments the inputs, so it needs float inputs (not tokens)');
    const needs: LossNeeds = { input: 'embeddings', reduction: 'per-example', task: 'classification', inputs: true };
    const label = `${(deps as LossBuildDeps).path ?? 'loss'}/nt-xent`;
    const shape = deps.data.inputShape;
    const views = (input: LossInput, ctx: LossContext): [tf.Tensor, tf.Tensor] => {
      if (!input.x || !ctx.apply) {
        const e = embeddingOf(input, needs, 'nt-xent');
        return [e, e];
      }
      const x = input.x;
      const b = x.shape[0]!;
      const [v1, v2] = twoViews(x.dataSync() as Float32Array, b, shape, o, Rng.derive(ctx.seed, label));
      return [ctx.apply(tf.tensor(v1, x.shape, 'float32')).output, ctx.apply(tf.tensor(v2, x.shape, 'float32')).output];
    };
    return statelessObjective(needs, (input, ctx) => {
      let [h1, h2] = views(input, ctx);
      if (o.hidden_norm) [h1, h2] = [l2Normalize(h1), l2Normalize(h2)];
      const b = h1.shape[0]!;
      const self = tf.mul(eye(b), LARGE_NUM);
      const t = o.temperature;
      const aa = tf.sub(tf.div(tf.matMul(h1, h1, false, true), t), self);
      const bb = tf.sub(tf.div(tf.matMul(h2, h2, false, true), t), self);
      const ab = tf.div(tf.matMul(h1, h2, false, true), t);
      const ba = tf.div(tf.matMul(h2, h1, false, true), t);
      const diag = (m: tf.Tensor) => tf.sum(tf.mul(m, eye(b)), 1);
      const lossA = tf.sub(tf.logSumExp(tf.concat([ab, aa], 1), 1), diag(ab));
      const lossB = tf.sub(tf.logSumExp(tf.concat([ba, bb], 1), 1), diag(ba));
      return tf.add(lossA, lossB);
    });
  },
};
