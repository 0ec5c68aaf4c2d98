import { z } from 'zod';
import * as tf from '../backends/tf.js';
import { Rng } from '../core/random.js';
import type { LossNeeds, Objective, ParamSpec } from '../core/types.js';
import { embeddingOf, extraSlot, l2Normalize, lossSchema, numClassesOf, oneHot, paramName, rowDot, variableState, type LossEntry } from './common.js';
import { plainArc } from './margin-losses.js';
import { labelsOf } from './pairs.js';

const schema = lossSchema({
  head: z.enum(['arcface', 'cosface']).default('arcface').describe('The margin head whose softmax gets the extra negatives (train.py --head, default arcface).'),
  s: z.number().positive().default(64).describe('Scale s (data/head.zoo.yaml: 64).'),
  m: z.number().min(0).default(0.5).describe('Margin m (data/head.zoo.yaml: 0.5 for arcface and for cosface).'),
  wisk: z.number().min(0).default(1.5).describe('Whisker w of the box-and-whisker filter: keep negatives in [Q1 − w·IQR, Q3 + w·IQR] (head.zoo.yaml unpg.wisk 1.5).'),
});

let instances = 0;

/** nn.init.xavier_uniform_ on the [K, D] weight: U(−a, a), a = sqrt(6/(K + D)); stored as [D, K]. */
function xavierWeights(name: string, seed: number, d: number, k: number): ParamSpec {
  const a = Math.sqrt(6 / (k + d));
  const values = Rng.derive(seed, 'init', name).fillUniform(new Float32Array(d * k), -a, a);
  const initial = tf.tensor2d(values, [d, k]);
  const variable = tf.variable(initial, true, `${name}#${instances++}`);
  initial.dispose();
  return { name, variable, role: 'kernel', owner: 'loss' };
}

/**
 * The negative pairs UNPG adds (Jung-Jun-Uk/UNPG recognition/models/build.py): the flat indices
 * i·b + j of the pairs i < j with y_i ≠ y_j whose cosine survives box_and_whisker_algorithm — the
 * similarities sorted ascending, Q1 = sorted[int(0.25·l)], Q3 = sorted[int(0.75·l)], kept when
 * Q1 − w·IQR ≤ s ≤ Q3 + w·IQR — in ascending order of similarity, as upstream returns them.
 */
export function unpgNegatives(sim: ArrayLike<number>, labels: ArrayLike<number>, wisk: number): Int32Array {
  const b = labels.length;
  const pairs: number[] = [];
  for (let i = 0; i < b; i++) for (let j = i + 1; j < b; j++) if (labels[i] !== labels[j]) pairs.push(i * b + j);
  const l = pairs.length;
  if (l === 0) return new Int32Array(0);
  pairs.sort((p, q) => sim[p]! - sim[q]! || p - q);
  const lower = sim[pairs[Math.floor(0.25 * l)]!]!;
  const upper = sim[pairs[Math.floor(0.75 * l)]!]!;
  const iqr = Math.fround(upper - lower);
  const lo = Math.fround(lower - Math.fround(wisk * iqr));
  const hi = Math.fround(upper + Math.fround(wisk * iqr));
  return Int32Array.from(pairs.filter((p) => sim[p]! >= lo && sim[p]! <= hi));
}

/**
 * UNPG: the margin head's cosines [b, K] (head.py ArcFace: cos(θ + m) on the target, no fallback;
 * CosFace: cos θ_y − m) get the filtered in-batch negative pair similarities s_n (the SAME list for
 * every row, as `aux_sn = one * aux_sn` broadcasts it) appended as extra columns, and the loss is
 * CE(s·[cos, s_n], y). The s_n stay differentiable; which pairs are kept is decided on values.
 * Weights W ~ xavier_uniform as head.py.
 */
export const unpg: LossEntry<z.infer<typeof schema>> = {
  name: 'unpg',
  summary: 'UNPG: ArcFace/CosFace softmax whose denominator also holds the filtered in-batch negative pair similarities (Jung et al. 2022).',
  schema,
  nested: extraSlot,
  needs: { task: 'classification', input: 'embeddings' },
  info: {
    group: 'face recognition: margin softmax with class proxies',
    paper: 'Unified Negative Pair Generation toward Well-discriminative Feature Space for Face Recognition (Jung et al., BMVC 2022)',
    source: 'Jung-Jun-Uk/UNPG recognition/models/head.py (ArcFace, CosFace, UNPG), build.py (box_and_whisker_algorithm, convert_label_to_similarity); data/head.zoo.yaml',
    sampler: 'any; pk gives every batch negatives of several classes (shuffle does too, at random)',
  },
  create(o, deps) {
    const k = numClassesOf(deps, 'unpg');
    const weight = xavierWeights(paramName(deps, 'unpg', 'weight'), deps.seed, deps.embeddingDim, k);
    const needs: LossNeeds = { input: 'embeddings', reduction: 'per-example', task: 'classification' };
    const cosines = (x: tf.Tensor) => tf.clipByValue(tf.matMul(x, l2Normalize(weight.variable, 0)), -1, 1);
    const objective: Objective = {
      needs,
      variables: [weight],
      compute: (input) =>
        tf.tidy(() => {
          const x = l2Normalize(embeddingOf(input, needs, 'unpg'));
          const b = x.shape[0]!;
          const cos = cosines(x);
          const q = oneHot(input.y, k);
          const cosY = rowDot(cos, q);
          const target = o.head === 'arcface' ? plainArc(cosY, o.m) : tf.sub(cosY, o.m);
          let logits: tf.Tensor = tf.add(cos, tf.mul(q, tf.expandDims(tf.sub(target, cosY), 1)));
          const sim = tf.reshape(tf.matMul(x, x, false, true), [-1]);
          const kept = unpgNegatives(sim.dataSync(), labelsOf(input.y), o.wisk);
          if (kept.length > 0) {
            const sn = tf.gather(sim, tf.tensor1d(kept, 'int32'));
            logits = tf.concat([logits, tf.tile(tf.expandDims(sn, 0), [b, 1])], 1);
          }
          const qFull = kept.length > 0 ? tf.concat([q, tf.zeros([b, kept.length])], 1) : q;
          return tf.neg(rowDot(tf.logSoftmax(tf.mul(logits, o.s)), qFull));
        }),
      probabilities: (input) => tf.tidy(() => tf.softmax(tf.mul(cosines(l2Normalize(embeddingOf(input, needs, 'unpg'))), o.s)) as tf.Tensor2D),
      ...variableState([weight]),
    };
    return objective;
  },
};
