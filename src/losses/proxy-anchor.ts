import { z } from 'zod';
import * as tf from '../backends/tf.js';
import type { LossInput, LossNeeds, Objective } from '../core/types.js';
import { classWeights, embeddingOf, extraSlot, l2Normalize, lossSchema, numClassesOf, oneHot, paramName, variableState, type LossEntry } from './common.js';
import { log1pSumExp } from './pairs.js';

const schema = lossSchema({
  mrg: z.number().min(0).default(0.1).describe('Margin δ (Proxy_Anchor mrg 0.1).'),
  alpha: z.number().positive().default(32).describe('Scale α (Proxy_Anchor alpha 32).'),
});

/**
 * Proxy-Anchor (tjddus9597/Proxy-Anchor-CVPR2020 code/losses.py Proxy_Anchor): with cos = x̂·p̂ᵀ,
 *   (1/|P⁺|)·Σ_{p∈P⁺} log(1 + Σ_{x of p's class} e^{−α(cos − δ)}) + (1/K)·Σ_p log(1 + Σ_{x not of p} e^{α(cos + δ)}),
 * P⁺ the proxies with a positive in the batch. Proxies kaiming_normal_(mode='fan_out') on [K, D]:
 * N(0, 2/K), stored [D, K]. log(1 + Σ e^z) is a log-sum-exp with a 0 term (the same value, finite
 * at α = 32). Upstream trains the proxies with a 100× learning rate (lr_mult); minima has one lr
 * for every parameter (docs/losses.md).
 */
export const proxyAnchor: LossEntry<z.infer<typeof schema>> = {
  name: 'proxy-anchor',
  summary: 'Proxy-Anchor loss: each class proxy is an anchor pulling its batch examples and pushing the others (Kim et al., CVPR 2020).',
  schema,
  nested: extraSlot,
  needs: { task: 'classification', input: 'embeddings', reduction: 'batch' },
  info: {
    group: 'metric learning: proxy-based',
    paper: 'Proxy Anchor Loss for Deep Metric Learning (Kim, Kim, Cho & Kwak, CVPR 2020)',
    source: 'tjddus9597/Proxy-Anchor-CVPR2020 code/losses.py (Proxy_Anchor; mrg 0.1, alpha 32)',
    differences: 'no 100× learning rate on the proxies (upstream lr_mult)',
    sampler: 'any: the proxies give every example positives and negatives; upstream trains with plain shuffled batches',
    metrics: 'no classifier: evaluation reports the loss and recall@k / map@r on the embedding',
  },
  create(o, deps) {
    const k = numClassesOf(deps, 'proxy-anchor');
    const proxies = classWeights(paramName(deps, 'proxy-anchor', 'proxies'), deps, k, Math.sqrt(2 / k));
    const needs: LossNeeds = { input: 'embeddings', reduction: 'batch', task: 'classification' };
    const compute = (input: LossInput) =>
      tf.tidy(() => {
        const cos = tf.matMul(l2Normalize(embeddingOf(input, needs, 'proxy-anchor')), l2Normalize(proxies.variable, 0));
        const pos = oneHot(input.y, k);
        const neg = tf.sub(1, pos);
        const withPos = tf.step(tf.sum(pos, 0));
        const posTerm = tf.div(tf.sum(tf.mul(withPos, log1pSumExp(pos, tf.mul(tf.sub(cos, o.mrg), -o.alpha), 0))), tf.maximum(tf.sum(withPos), 1));
        const negTerm = tf.div(tf.sum(log1pSumExp(neg, tf.mul(tf.add(cos, o.mrg), o.alpha), 0)), k);
        return tf.add(posTerm, negTerm);
      });
    const objective: Objective = { needs, variables: [proxies], compute, ...variableState([proxies]) };
    return objective;
  },
};
