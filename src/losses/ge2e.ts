import { z } from 'zod';
import * as tf from '../backends/tf.js';
import type { LossDeps, LossInput, LossNeeds, Objective, ParamSpec } from '../core/types.js';
import { embeddingOf, extraSlot, l2Normalize, lossSchema, paramName, rowDot, variableState, type LossEntry } from './common.js';
import { BIG, labelsOf, masked } from './pairs.js';

const schema = lossSchema({
  variant: z.enum(['softmax', 'contrast']).default('softmax').describe('softmax: −S_{ji,j} + log Σ_k e^{S_{ji,k}}; contrast: 1 − σ(S_{ji,j}) + max_{k≠j} σ(S_{ji,k}).'),
  init_w: z.number().positive().default(10).describe('Initial w of S = w·cos + b (10, the paper).'),
  init_b: z.number().default(-5).describe('Initial b (−5, the paper).'),
});

let instances = 0;

function scalarParam(deps: LossDeps, tensor: string, value: number): ParamSpec {
  const name = paramName(deps, 'ge2e', tensor);
  const initial = tf.tensor1d([value]);
  const variable = tf.variable(initial, true, `${name}#${instances++}`);
  initial.dispose();
  return { name, variable, role: tensor === 'b' ? 'bias' : 'kernel', owner: 'loss' };
}

/**
 * GE2E (Wan et al., ICASSP 2018) on a batch read as N "speakers" (the classes present) × their
 * utterances: ê the L2-normalised embeddings, c_k the mean ê of class k, and for the own class the
 * centroid without the utterance, c_j^(−i) = (Σ_j ê − ê_ji)/(M_j − 1) (eq. 8). S_{ji,k} = w·cos(ê_ji, c_k) + b
 * with w clamped at 1e-6 (the paper's w > 0). The value is the MEAN of the per-utterance losses
 * (the paper sums them) over the utterances whose class has another one in the batch (a lone
 * utterance has no own centroid and is left out; 0 when none is left). No official code exists;
 * the centroid and clamp follow the widely used port HarryVolek/PyTorch_Speaker_Verification.
 */
export const ge2e: LossEntry<z.infer<typeof schema>> = {
  name: 'ge2e',
  summary: 'GE2E: generalized end-to-end loss on scaled cosines to class centroids, own centroid leaving the example out (Wan et al., ICASSP 2018).',
  schema,
  nested: extraSlot,
  needs: { task: 'classification', input: 'embeddings', reduction: 'batch' },
  info: {
    group: 'metric learning: pair-based (train.sampler pk)',
    paper: 'Generalized End-to-End Loss for Speaker Verification (Wan, Wang, Papir & Lopez Moreno, ICASSP 2018)',
    source: 'no official code; eqs. 5-10 of the paper, w/b clamp and centroids as HarryVolek/PyTorch_Speaker_Verification utils.py (get_centroids, get_cossim) and speech_embedder_net.py (GE2ELoss)',
    differences: 'mean instead of sum over utterances',
    sampler: 'pk: N classes × M examples is the GE2E batch; with shuffle, classes with one example in the batch are left out',
    gradient_b: 'the softmax variant is invariant to b (a shift of every logit): b keeps its initial value; it moves under contrast',
    // the trainer tests check that every loss-owned tensor moves, which b does only under contrast
    example: '{"variant": "contrast"}',
  },
  create(o, deps) {
    const w = scalarParam(deps, 'w', o.init_w);
    const b = scalarParam(deps, 'b', o.init_b);
    const needs: LossNeeds = { input: 'embeddings', reduction: 'batch', task: 'classification' };
    const compute = (input: LossInput) =>
      tf.tidy(() => {
        const e = l2Normalize(embeddingOf(input, needs, 'ge2e'));
        const labels = labelsOf(input.y);
        const classes = [...new Set(labels)].sort((x, y) => x - y);
        const at = new Map(classes.map((c, i) => [c, i] as const));
        const n = labels.length;
        const c = classes.length;
        const member = new Float32Array(n * c);
        const counts = new Float32Array(c);
        labels.forEach((y, i) => {
          member[i * c + at.get(y)!] = 1;
          counts[at.get(y)!]! += 1;
        });
        const valid = Float32Array.from(labels, (y) => (counts[at.get(y)!]! > 1 ? 1 : 0));
        const nValid = valid.reduce((s, v) => s + v, 0);
        if (nValid === 0) return tf.mul(tf.sum(e), 0);
        const M = tf.tensor2d(member, [n, c]);
        const sums = tf.matMul(M, e, true, false); // [C, D]
        const cosAll = tf.matMul(e, l2Normalize(tf.div(sums, tf.expandDims(tf.tensor1d(counts), 1))), false, true); // [n, C]
        const ownCount = Float32Array.from(labels, (y) => Math.max(counts[at.get(y)!]! - 1, 1));
        const own = tf.div(tf.sub(tf.matMul(M, sums), e), tf.expandDims(tf.tensor1d(ownCount), 1));
        const cosOwn = rowDot(e, l2Normalize(own)); // ê is unit length
        const cos = tf.add(tf.mul(cosAll, tf.sub(1, M)), tf.mul(M, tf.expandDims(cosOwn, 1)));
        const S = tf.add(tf.mul(cos, tf.maximum(w.variable, 1e-6)), b.variable);
        const sOwn = rowDot(S, M);
        let per: tf.Tensor;
        if (o.variant === 'softmax') per = tf.sub(tf.logSumExp(S, 1), sOwn);
        else {
          const others = tf.sub(1, M);
          const sig = tf.sigmoid(S);
          // max over the other classes; with a single class in the batch that term is 0
          const maxOther = c > 1 ? tf.max(masked(others, sig, -BIG), 1) : tf.zeros([n]);
          per = tf.add(tf.sub(1, tf.sigmoid(sOwn)), maxOther);
        }
        return tf.div(tf.sum(tf.mul(per, tf.tensor1d(valid))), nValid);
      });
    const objective: Objective = { needs, variables: [w, b], compute, ...variableState([w, b]) };
    return objective;
  },
};
