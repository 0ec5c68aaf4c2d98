import { z } from 'zod';
import * as tf from '../backends/tf.js';
import { RunnerError } from '../core/errors.js';
import { Rng } from '../core/random.js';
import type { LossInput, LossNeeds, Objective, ParamSpec } from '../core/types.js';
import { embeddingOf, extraSlot, l2Normalize, lossSchema, numClassesOf, oneHot, paramName, rowDot, stopGradient, variableState, type LossEntry } from './common.js';

const schema = lossSchema({
  m: z.number().min(0).default(0.4).describe('Margin m (AdaFace class default 0.4; the README runs use --m 0.4).'),
  h: z.number().min(0).default(0.333).describe('h: the margin scaler ẑ is (‖z‖ − μ)/(σ + eps)·h, clipped to [−1, 1] (0.333).'),
  s: z.number().positive().default(64).describe('Scale s of the logits (64).'),
  t_alpha: z.number().min(0).max(1).default(0.01).describe('EMA weight of the batch statistics of the feature norms (config.py --t_alpha 0.01; the class default 1.0 keeps no history).'),
});

const EPS = 1e-3;
let instances = 0;

/** kernel.uniform_(−1, 1).renorm_(2, 1, 1e-5).mul_(1e5): uniform entries, every class column scaled to unit norm. */
function unitColumns(name: string, seed: number, d: number, k: number): ParamSpec {
  const v = Rng.derive(seed, 'init', name).fillUniform(new Float32Array(d * k), -1, 1);
  for (let c = 0; c < k; c++) {
    let s = 0;
    for (let i = 0; i < d; i++) s += v[i * k + c]! ** 2;
    const inv = s > 0 ? 1 / Math.sqrt(s) : 0;
    for (let i = 0; i < d; i++) v[i * k + c] = Math.fround(v[i * k + c]! * inv);
  }
  const initial = tf.tensor2d(v, [d, k]);
  const variable = tf.variable(initial, true, `${name}#${instances++}`);
  initial.dispose();
  return { name, variable, role: 'kernel', owner: 'loss' };
}

/** A non-trainable [1] state tensor (a torch buffer of one value). */
function stateScalar(value: number): tf.Variable {
  const initial = tf.tensor1d([value]);
  const v = tf.variable(initial, false);
  initial.dispose();
  return v;
}

/**
 * AdaFace (mk-minchul/AdaFace head.py `AdaFace.forward`): with the feature norm ‖z‖ clipped to
 * [0.001, 100] and detached, the batch statistics μ ← α·mean + (1 − α)·μ, σ ← α·std + (1 − α)·σ
 * (std unbiased, as torch; μ₀ = 20, σ₀ = 100) are blended in BEFORE use, then
 * ẑ = clip((‖z‖ − μ)/(σ + 1e-3)·h, −1, 1) and the target logit is
 * s·(cos(clip(θ_y − m·ẑ, eps, π − eps)) − (m + m·ẑ)), cos θ clamped to [−1 + 1e-3, 1 − 1e-3].
 * compute() uses the blended μ, σ without storing them (SAM evaluates a step several times);
 * commit() stores them once per training step. Evaluation blends its own batch the same way but
 * never stores. μ and σ travel in checkpoints with the class kernel.
 */
export const adaface: LossEntry<z.infer<typeof schema>> = {
  name: 'adaface',
  summary: 'AdaFace: a margin that adapts to image quality through the feature norm, normalised by EMA batch statistics (Kim, Jain & Liu, CVPR 2022).',
  schema,
  nested: extraSlot,
  needs: { task: 'classification', input: 'embeddings' },
  info: {
    group: 'face recognition: margin softmax with class proxies',
    paper: 'AdaFace: Quality Adaptive Margin for Face Recognition (Kim, Jain & Liu, CVPR 2022)',
    source: 'mk-minchul/AdaFace head.py (class AdaFace); t_alpha from config.py',
    state: 'batch_mean, batch_std (EMA of the feature-norm statistics), checkpointed',
    sampler: 'any (a proxy loss: the default shuffle sampler is what the paper uses)',
  },
  create(o, deps) {
    const k = numClassesOf(deps, 'adaface');
    const d = deps.embeddingDim;
    if (!(d >= 1)) throw new RunnerError('CONFIG_INVALID', `adaface needs the model's embedding width (got ${d})`);
    const kernel = unitColumns(paramName(deps, 'adaface', 'weight'), deps.seed, d, k);
    const meanName = paramName(deps, 'adaface', 'batch_mean');
    const stdName = paramName(deps, 'adaface', 'batch_std');
    const batchMean = stateScalar(20);
    const batchStd = stateScalar(100);
    const needs: LossNeeds = { input: 'embeddings', reduction: 'per-example', task: 'classification' };
    const cosines = (input: LossInput) => tf.clipByValue(tf.matMul(l2Normalize(embeddingOf(input, needs, 'adaface')), l2Normalize(kernel.variable, 0)), -1 + EPS, 1 - EPS);
    /** The blended statistics and the detached safe norms of this batch. */
    const statistics = (input: LossInput) => {
      // detached before the norm: the norm's own backward would be 0/0 at a zero embedding
      const safe = tf.clipByValue(tf.norm(stopGradient(embeddingOf(input, needs, 'adaface')), 2, 1), 0.001, 100);
      const b = safe.shape[0] ?? 1;
      const mean = tf.mean(safe);
      // torch .std() is unbiased; one example gives NaN upstream, 0 here
      const std = b > 1 ? tf.sqrt(tf.div(tf.sum(tf.square(tf.sub(safe, mean))), b - 1)) : tf.scalar(0);
      const mu = tf.add(tf.mul(mean, o.t_alpha), tf.mul(batchMean, 1 - o.t_alpha));
      const sigma = tf.add(tf.mul(std, o.t_alpha), tf.mul(batchStd, 1 - o.t_alpha));
      return { safe, mu, sigma };
    };
    const base = variableState([kernel]);
    const objective: Objective = {
      needs,
      variables: [kernel],
      compute: (input) =>
        tf.tidy(() => {
          const cos = cosines(input);
          const q = oneHot(input.y, k);
          const { safe, mu, sigma } = statistics(input);
          const scaler = tf.clipByValue(tf.mul(tf.div(tf.sub(safe, mu), tf.add(sigma, EPS)), o.h), -1, 1);
          const cosY = rowDot(cos, q);
          const thetaM = tf.clipByValue(tf.sub(tf.acos(cosY), tf.mul(scaler, o.m)), EPS, Math.PI - EPS);
          const target = tf.sub(tf.cos(thetaM), tf.add(tf.mul(scaler, o.m), o.m));
          const logits = tf.mul(tf.add(cos, tf.mul(q, tf.expandDims(tf.sub(target, cosY), 1))), o.s);
          return tf.neg(rowDot(tf.logSoftmax(logits), q));
        }),
      probabilities: (input) => tf.tidy(() => tf.softmax(tf.mul(cosines(input), o.s)) as tf.Tensor2D),
      commit(input, ctx) {
        if (!ctx.training) return;
        const [mu, sigma] = tf.tidy(() => {
          const s = statistics(input);
          return [s.mu, s.sigma];
        });
        batchMean.assign(mu!);
        batchStd.assign(sigma!);
        tf.dispose([mu!, sigma!]);
      },
      getState() {
        return { ...base.getState!(), [meanName]: tf.clone(batchMean), [stdName]: tf.clone(batchStd) };
      },
      setState(state) {
        base.setState!(state);
        for (const [name, v] of [[meanName, batchMean], [stdName, batchStd]] as const) {
          const t = state[name];
          if (t?.size !== 1) throw new RunnerError('CHECKPOINT_INVALID', `loss state lacks the scalar "${name}"`);
          tf.tidy(() => v.assign(tf.reshape(t, [1])));
        }
      },
      dispose() {
        base.dispose!();
        batchMean.dispose();
        batchStd.dispose();
      },
    };
    return objective;
  },
};
