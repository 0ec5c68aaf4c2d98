/**
 * The rest of the error family of the regression survey (Jadon et al. 2022), as the survey's own
 * code computes them (aryan-jadon/Regression-Loss-Functions-in-Time-Series-Forecasting-Tensorflow
 * libs/utils.py; MAPE and MSLE are the Keras losses its TFT scripts train with). e = y − ŷ.
 * Per-example: mbe (y − ŷ), mape (100·|e|/max(|y|, 1e-7)), msle and rmsle (on
 * log(max(·, 1e-7) + 1), Keras). Batch-level (one scalar per batch, as the code's reductions):
 * rae Σ|e|/Σ|y − ȳ|, rse Σe²/Σ(y − ȳ)², nrmse rmse/std(ŷ), rrmse √(Σe²/Σŷ²).
 * Denominators get +1e-12 (a constant batch would divide by zero).
 */
import { z } from 'zod';
import * as tf from '../backends/tf.js';
import type { LossInput, LossNeeds } from '../core/types.js';
import { extraSlot, lossSchema, meanOverDims, regressionNeeds, residual, statelessObjective, type LossEntry } from './common.js';

const SURVEY = 'A Comprehensive Survey of Regression Based Loss Functions for Time Series Forecasting (Jadon et al. 2022)';
const CODE = 'aryan-jadon/Regression-Loss-Functions-in-Time-Series-Forecasting-Tensorflow libs/utils.py';
/** Keras backend.epsilon(), the clamp of MAPE's |y| and MSLE's arguments. */
const KERAS_EPS = 1e-7;
const TINY = 1e-12;
const batchNeeds: LossNeeds = { ...regressionNeeds, reduction: 'batch' };
const plain = lossSchema({});
type Plain = z.infer<typeof plain>;

/** Predictions and targets as float [batch, D]. */
function predTarget(input: LossInput): { pred: tf.Tensor2D; y: tf.Tensor2D } {
  const pred = tf.reshape(input.output, [input.output.shape[0] ?? 0, -1]) as tf.Tensor2D;
  return { pred, y: tf.reshape(tf.cast(input.y, 'float32'), pred.shape) as tf.Tensor2D };
}

/** √x with a zero (not infinite) gradient at x = 0. */
const safeSqrt = (x: tf.Tensor) => tf.sqrt(tf.maximum(x, 1e-30));

function entry(name: string, summary: string, batch: boolean, compute: (input: LossInput) => tf.Tensor, info: Record<string, string> = {}): LossEntry<Plain> {
  return {
    name,
    summary,
    schema: plain,
    nested: extraSlot,
    needs: { task: 'regression', input: 'logits', ...(batch ? { reduction: 'batch' as const } : {}) },
    info: { paper: SURVEY, source: CODE, ...info },
    create: () => statelessObjective(batch ? batchNeeds : regressionNeeds, compute),
  };
}

export const mbe = entry(
  'mbe',
  'Mean bias error y − ŷ (signed; its mean is the survey\'s MBE): unbounded below as a training loss, a bias diagnostic.',
  false,
  (input) => meanOverDims(residual(input)),
  { note: 'MBE is linear in ŷ: minimising it drives ŷ → +∞; the survey trains with it, minima ships it for that comparison' },
);

export const mape = entry(
  'mape',
  'Mean absolute percentage error 100·|y − ŷ|/max(|y|, 1e-7) (Keras MeanAbsolutePercentageError, as the survey trains).',
  false,
  (input) => {
    const { pred, y } = predTarget(input);
    return meanOverDims(tf.mul(tf.div(tf.abs(tf.sub(y, pred)), tf.maximum(tf.abs(y), KERAS_EPS)), 100));
  },
  { source: 'tf.keras.losses.MeanAbsolutePercentageError (the survey\'s TFT scripts)' },
);

const logSchema = lossSchema({
  clamp: z
    .enum(['keras', 'log1p'])
    .default('keras')
    .describe("Domain guard of log(v + 1): 'keras' clamps ŷ and y at 1e-7 (Keras, as the survey trains: no gradient for ŷ < 1e-7); 'log1p' clamps at −1 + 1e-7 (the smooth form)."),
});
type LogOptions = z.infer<typeof logSchema>;

function squaredLogError(input: LossInput, clamp: LogOptions['clamp']): tf.Tensor2D {
  const { pred, y } = predTarget(input);
  const floor = clamp === 'keras' ? KERAS_EPS : -1 + KERAS_EPS;
  const log1 = (v: tf.Tensor) => tf.log1p(tf.maximum(v, floor));
  return tf.square(tf.sub(log1(pred), log1(y))) as tf.Tensor2D;
}

const KERAS_KINK = "with clamp keras the gradient is zero for ŷ < 1e-7 and the value has a kink there (Keras's clamp): the finite-difference check would straddle it at ŷ = 0";

function logEntry(name: string, summary: string, root: boolean, info: Record<string, string>): LossEntry<LogOptions> {
  return {
    name,
    summary,
    schema: logSchema,
    nested: extraSlot,
    needs: { task: 'regression', input: 'logits' },
    info: { paper: SURVEY, source: CODE, gradient: KERAS_KINK, ...info },
    create: (o) =>
      statelessObjective(regressionNeeds, (input) => {
        const m = meanOverDims(squaredLogError(input, o.clamp));
        return root ? (safeSqrt(m) as tf.Tensor1D) : m;
      }),
  };
}

export const msle = logEntry('msle', 'Mean squared logarithmic error (log(ŷ⁺ + 1) − log(y⁺ + 1))², ⁺ the clamp (Keras MeanSquaredLogarithmicError, as the survey trains).', false, {
  source: "tf.keras.losses.MeanSquaredLogarithmicError (the survey's TFT scripts)",
});

export const rmsle = logEntry('rmsle', "Root mean squared logarithmic error √mean_D (log(ŷ⁺ + 1) − log(y⁺ + 1))² per example, as the survey's RootMeanSquaredLogarithmicError.", true, {
  note: 'the survey code takes the root per example (over the last axis) before the batch mean; the split metric rmsle is √MSLE',
});

function deviation(y: tf.Tensor): tf.Tensor {
  return tf.sub(y, tf.mean(y));
}

export const rae = entry('rae', 'Relative absolute error Σ|y − ŷ|/Σ|y − ȳ| over the batch (the survey\'s RelativeAbsoluteError).', true, (input) => {
  const { pred, y } = predTarget(input);
  return tf.div(tf.sum(tf.abs(tf.sub(y, pred))), tf.add(tf.sum(tf.abs(deviation(y))), TINY));
});

export const rse = entry(
  'rse',
  'Relative squared error Σ(y − ŷ)²/Σ(y − ȳ)² over the batch (the survey paper\'s formula).',
  true,
  (input) => {
    const { pred, y } = predTarget(input);
    return tf.div(tf.sum(tf.square(tf.sub(y, pred))), tf.add(tf.sum(tf.square(deviation(y))), TINY));
  },
  { note: 'the survey code divides Σe² by itself (a constant 1); minima follows the paper\'s denominator Σ(y − ȳ)²' },
);

export const nrmse = entry('nrmse', 'Normalised RMSE: √mean(e²) divided by the population std of the predictions, over the batch (the survey\'s NormalizedRootMeanSquaredError).', true, (input) => {
  const { pred, y } = predTarget(input);
  const rmse = safeSqrt(tf.mean(tf.square(tf.sub(y, pred))));
  return tf.div(rmse, safeSqrt(tf.add(tf.moments(pred).variance, TINY)));
});

export const rrmse = entry('rrmse', 'Relative RMSE √(Σe²/Σŷ²) over the batch (the survey\'s RelativeRootMeanSquaredError, normalised by the predictions).', true, (input) => {
  const { pred, y } = predTarget(input);
  return safeSqrt(tf.div(tf.sum(tf.square(tf.sub(y, pred))), tf.add(tf.sum(tf.square(pred)), TINY)));
});
