/**
 * Regression losses on e = y − ŷ. The per-example value is the mean over the target dimension D
 * (the Keras convention), so D = 1 gives the textbook formulas. Survey: "A Comprehensive Survey of
 * Regression Based Loss Functions for Time Series Forecasting" (Jadon et al. 2022,
 * aryan-jadon/Regression-Loss-Functions-in-Time-Series-Forecasting-Tensorflow).
 */
import { z } from 'zod';
import * as tf from '../backends/tf.js';
import { RunnerError } from '../core/errors.js';
import { extraSlot, lossSchema, meanOverDims, regressionNeeds, residual, statelessObjective, type LossEntry } from './common.js';

const SURVEY = 'A Comprehensive Survey of Regression Based Loss Functions for Time Series Forecasting (Jadon et al. 2022)';

const plain = lossSchema({});

export const mse: LossEntry<z.infer<typeof plain>> = {
  name: 'mse',
  summary: 'Mean squared error e² (mean over target dims); regression survey of Jadon et al. 2022.',
  schema: plain,
  nested: extraSlot,
  needs: { task: 'regression', input: 'logits' },
  info: { paper: SURVEY },
  create: () => statelessObjective(regressionNeeds, (input) => meanOverDims(tf.square(residual(input)))),
};

/** Regression MAE |e|; the `mae` entry dispatches here on regression datasets. */
export function regressionMae() {
  return statelessObjective(regressionNeeds, (input) => meanOverDims(tf.abs(residual(input))));
}

const huberSchema = lossSchema({
  delta: z.number().positive().default(1).describe('δ: quadratic for |e| ≤ δ, linear beyond (1.0 as tf.losses.huberLoss).'),
});

/** ½a² + δ(|e| − a) with a = min(|e|, δ): the two Huber branches without tf.where. */
export const huber: LossEntry<z.infer<typeof huberSchema>> = {
  name: 'huber',
  summary: 'Huber loss: ½e² for |e| ≤ δ, δ(|e| − ½δ) beyond (Huber 1964; regression survey of Jadon et al. 2022).',
  schema: huberSchema,
  nested: extraSlot,
  needs: { task: 'regression', input: 'logits' },
  info: { paper: SURVEY },
  create: (o) =>
    statelessObjective(regressionNeeds, (input) => {
      const abs = tf.abs(residual(input));
      const a = tf.minimum(abs, o.delta);
      return meanOverDims(tf.add(tf.mul(tf.square(a), 0.5), tf.mul(tf.sub(abs, a), o.delta)));
    }),
};

const pseudoHuberSchema = lossSchema({
  delta: z
    .number()
    .positive()
    .default(0.1)
    .describe('δ (huber_c): the paper records no default; 0.1 is the `huber_c` default of the diffusers/kohya ports. With schedule exponential, the final δ.'),
  schedule: z
    .enum(['constant', 'exponential'])
    .default('constant')
    .describe("δ(t): 'constant' δ, or 'exponential' δ(t) = exp(−α·t) with α = −ln(δ)/T (kohya huber_schedule exponential; t is the 0-based training step, clamped at T)."),
  schedule_steps: z
    .int()
    .positive()
    .nullable()
    .default(null)
    .describe('T of the exponential schedule (the diffusion code uses num_train_timesteps); required with schedule exponential.'),
});

/** δ(t) of the schedule: exp(ln(δ)·min(t, T)/T) goes from 1 at t = 0 to δ at t = T. */
export function pseudoHuberDelta(o: z.infer<typeof pseudoHuberSchema>, step: number): number {
  if (o.schedule === 'constant') return o.delta;
  const t = Math.min(Math.max(step, 0), o.schedule_steps!);
  return Math.exp((Math.log(o.delta) * t) / o.schedule_steps!);
}

/** 2δ(√(e² + δ²) − δ) = 2δ·e²/(√(e² + δ²) + δ): the second form has no cancellation. */
export const pseudoHuber: LossEntry<z.infer<typeof pseudoHuberSchema>> = {
  name: 'pseudo-huber',
  summary: 'Pseudo-Huber 2δ(√(e²+δ²) − δ) per element, δ constant or scheduled over training steps ("Improving Diffusion Models\'s Data-Corruption Resistance using Scheduled Pseudo-Huber Loss").',
  schema: pseudoHuberSchema,
  nested: extraSlot,
  needs: { task: 'regression', input: 'logits' },
  info: {
    paper: "Improving Diffusion Models's Data-Corruption Resistance using Scheduled Pseudo-Huber Loss (Khrapov et al. 2024)",
    source: 'kohya-ss/sd-scripts library/train_util.py get_huber_threshold (constant, exponential: alpha = -ln(huber_c)/T, exp(-alpha·t)); diffusers ports',
  },
  create(o) {
    if (o.schedule === 'exponential' && o.schedule_steps === null) {
      throw new RunnerError('CONFIG_INVALID', 'pseudo-huber: schedule exponential needs schedule_steps (T)');
    }
    return statelessObjective(regressionNeeds, (input, ctx) => {
      const e2 = tf.square(residual(input));
      const d = pseudoHuberDelta(o, ctx.step);
      return meanOverDims(tf.div(tf.mul(e2, 2 * d), tf.add(tf.sqrt(tf.add(e2, d * d)), d)));
    });
  },
};

/** log cosh e = |e| + softplus(−2|e|) − log 2 (cosh itself overflows for |e| > 89). */
export const logCosh: LossEntry<z.infer<typeof plain>> = {
  name: 'log-cosh',
  summary: 'log cosh(e), computed as |e| + softplus(−2|e|) − log 2; regression survey of Jadon et al. 2022.',
  schema: plain,
  nested: extraSlot,
  needs: { task: 'regression', input: 'logits' },
  info: { paper: SURVEY },
  create: () =>
    statelessObjective(regressionNeeds, (input) => {
      const abs = tf.abs(residual(input));
      return meanOverDims(tf.sub(tf.add(abs, tf.softplus(tf.mul(abs, -2))), Math.LN2));
    }),
};

const quantileSchema = lossSchema({
  q: z.number().gt(0).lt(1).default(0.5).describe('Quantile level q; q = 0.5 gives ½·|e|. Under-prediction (e > 0) costs q·e.'),
});

export const quantile: LossEntry<z.infer<typeof quantileSchema>> = {
  name: 'quantile',
  summary: 'Quantile (pinball) loss max(q·e, (q − 1)·e) with e = y − ŷ; regression survey of Jadon et al. 2022.',
  schema: quantileSchema,
  nested: extraSlot,
  needs: { task: 'regression', input: 'logits' },
  info: { paper: SURVEY },
  create: (o) =>
    statelessObjective(regressionNeeds, (input) => {
      const e = residual(input);
      return meanOverDims(tf.maximum(tf.mul(e, o.q), tf.mul(e, o.q - 1)));
    }),
};
