/**
 * Bi-tempered logistic loss (Amid, Warmuth, Anil, Koren, NeurIPS 2019), ported from the official
 * google/bi-tempered-loss tensorflow/loss.py: the tempered softmax with temperature t2 (its
 * normaliser by fixed-point iteration for t2 > 1, by binary search for t2 < 1), the Bregman loss
 * with temperature t1, and the code's explicit gradient (tf.custom_gradient there, tf.customGrad here).
 */
import { z } from 'zod';
import * as tf from '../backends/tf.js';
import { extraSlot, lossSchema, numClassesOf, statelessObjective, targetOf, type LossEntry } from './common.js';

/** log_t(u) = (u^{1−t} − 1)/(1 − t); log at t = 1. */
export function logT(u: tf.Tensor, t: number): tf.Tensor {
  if (t === 1) return tf.log(u);
  return tf.div(tf.sub(tf.pow(u, 1 - t), 1), 1 - t);
}

/** exp_t(u) = relu(1 + (1 − t)u)^{1/(1−t)}; exp at t = 1. */
export function expT(u: tf.Tensor, t: number): tf.Tensor {
  if (t === 1) return tf.exp(u);
  return tf.pow(tf.relu(tf.add(tf.mul(u, 1 - t), 1)), 1 / (1 - t));
}

/** compute_normalization_fixed_point (t > 1): the normaliser λ(a) [batch, 1] such that Σ_k exp_t(a_k − λ) ≈ 1. */
function normalizationFixedPoint(a: tf.Tensor, t: number, iters: number): tf.Tensor {
  const mu = tf.max(a, -1, true);
  const a0 = tf.sub(a, mu);
  let at = a0;
  for (let i = 0; i < iters; i++) at = tf.mul(a0, tf.pow(tf.sum(expT(at, t), -1, true), 1 - t));
  const partition = tf.sum(expT(at, t), -1, true);
  return tf.add(tf.neg(logT(tf.reciprocal(partition), t)), mu);
}

/** compute_normalization_binary_search (t < 1): bisection on λ between 0 and −log_t(1/effective_dim). */
function normalizationBinarySearch(a: tf.Tensor, t: number, iters: number): tf.Tensor {
  const mu = tf.max(a, -1, true);
  const an = tf.sub(a, mu);
  const effectiveDim = tf.sum(tf.cast(tf.greater(an, -1 / (1 - t)), 'float32'), -1, true);
  let lower: tf.Tensor = tf.zerosLike(effectiveDim);
  let upper = tf.neg(logT(tf.reciprocal(effectiveDim), t));
  for (let i = 0; i < iters; i++) {
    const mid = tf.div(tf.add(upper, lower), 2);
    const below = tf.cast(tf.less(tf.sum(expT(tf.sub(an, mid), t), -1, true), 1), 'float32');
    lower = tf.add(tf.mul(lower, below), tf.mul(tf.sub(1, below), mid));
    upper = tf.add(tf.mul(upper, tf.sub(1, below)), tf.mul(below, mid));
  }
  return tf.add(tf.div(tf.add(upper, lower), 2), mu);
}

/** tempered_softmax: exp_t(a − λ(a)) [batch, K]; softmax at t = 1. */
export function temperedSoftmax(a: tf.Tensor, t: number, iters: number): tf.Tensor2D {
  if (t === 1) return tf.softmax(a) as tf.Tensor2D;
  const lambda = t < 1 ? normalizationBinarySearch(a, t, iters) : normalizationFixedPoint(a, t, iters);
  return expT(tf.sub(a, lambda), t) as tf.Tensor2D;
}

/**
 * The code's bi_tempered_logistic_loss per example: Σ_k q_k(log_t1(q_k + 1e-10) − log_t1(p_k))
 * − (q_k^{2−t1} − p_k^{2−t1})/(2 − t1), p = tempered_softmax(a, t2), with the code's gradient
 * (p − q)·p^{t2−t1} − escort(p)·Σ_k (p_k − q_k)p_k^{t2−t1}, escort(p) = p^{t2}/Σ p^{t2}.
 */
export function biTemperedTerm(a: tf.Tensor, q: tf.Tensor, t1: number, t2: number, iters: number): tf.Tensor1D {
  const f = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
    const x = args[0] as tf.Tensor;
    const save = args[1] as tf.GradSaveFunc;
    const p = temperedSoftmax(x, t2, iters);
    // log_t1(p) at p = 0 is finite for t1 < 1; at t1 = 1 a zero probability is floored (log → −87)
    const logTp = logT(t1 === 1 ? tf.maximum(p, 1e-38) : p, t1);
    const value = tf.sum(tf.sub(tf.mul(q, tf.sub(logT(tf.add(q, 1e-10), t1), logTp)), tf.div(tf.sub(tf.pow(q, 2 - t1), tf.pow(p, 2 - t1)), 2 - t1)), -1);
    save([p, q]); // q too: the gradient runs after compute's tidy has freed it
    return {
      value,
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
        const [prob, target] = saved as [tf.Tensor, tf.Tensor];
        // p_k = 0 (finite support, t2 < 1) with t2 < t1 would give 0·∞: such a class has zero gradient
        const forget = t2 === t1 ? tf.onesLike(prob) : tf.where(tf.greater(prob, 0), tf.pow(tf.maximum(prob, 1e-30), t2 - t1), tf.zerosLike(prob));
        const delta = tf.mul(tf.sub(prob, target), forget);
        const escorts = tf.pow(prob, t2);
        const escort = tf.div(escorts, tf.sum(escorts, -1, true));
        const derivative = tf.sub(delta, tf.mul(escort, tf.sum(delta, -1, true)));
        return tf.mul(tf.expandDims(dy, -1), derivative);
      },
    };
  });
  return f(a) as tf.Tensor1D;
}

const schema = lossSchema({
  t1: z.number().min(0).max(1).default(0.8).describe('t1 ≤ 1: temperature of the log (t1 < 1 bounds the loss). The code has no default; 0.8 is the paper\'s noisy-MNIST/CIFAR choice with t2 = 1.2.'),
  t2: z.number().positive().default(1.2).describe('t2: temperature of the tempered softmax (> 1 heavy tails, < 1 finite support, 1 softmax).'),
  label_smoothing: z.number().min(0).lt(1).default(0).describe('s: targets (1 − K/(K − 1)·s)·q + s/(K − 1), the code\'s smoothing (note: s/(K − 1), not CE\'s s/K).'),
  num_iters: z.number().int().min(1).default(5).describe('Iterations of the normaliser: fixed point for t2 > 1, bisection for t2 < 1 (the code\'s 5).'),
});

export const biTempered: LossEntry<z.infer<typeof schema>> = {
  name: 'bi-tempered',
  summary: 'Bi-tempered logistic loss with tempered softmax (t2) and tempered log (t1) ("Robust Bi-Tempered Logistic Loss Based on Bregman Divergences", Amid et al. 2019).',
  schema,
  nested: extraSlot,
  needs: { task: 'classification', input: 'logits', softTargets: true },
  info: {
    paper: 'Robust Bi-Tempered Logistic Loss Based on Bregman Divergences (Amid, Warmuth, Anil, Koren, NeurIPS 2019)',
    repo: 'google/bi-tempered-loss',
    source: 'google/bi-tempered-loss tensorflow/loss.py (bi_tempered_logistic_loss, tempered_softmax)',
  },
  create(o, deps) {
    const k = numClassesOf(deps, 'bi-tempered');
    const s = o.label_smoothing;
    const target = (q: tf.Tensor) => (s > 0 ? tf.add(tf.mul(q, 1 - (k / (k - 1)) * s), s / (k - 1)) : q);
    return statelessObjective(
      { input: 'logits', reduction: 'per-example', task: 'classification' },
      (input) => {
        const q = target(targetOf(input, k));
        // t1 = t2 = 1: the code returns softmax_cross_entropy_with_logits
        if (o.t1 === 1 && o.t2 === 1) return tf.neg(tf.sum(tf.mul(q, tf.logSoftmax(input.output)), -1));
        return biTemperedTerm(input.output, q, o.t1, o.t2, o.num_iters);
      },
      // metrics: the tempered softmax, renormalised (a finite num_iters leaves Σ_k p_k ≈ 1)
      o.t2 === 1 ? undefined : ({ output }) => {
        const p = temperedSoftmax(output, o.t2, o.num_iters);
        return tf.div(p, tf.sum(p, -1, true)) as tf.Tensor2D;
      },
    );
  },
};
