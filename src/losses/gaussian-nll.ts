/**
 * Heteroscedastic Gaussian negative log-likelihood (Nix and Weigend 1994; torch.nn.GaussianNLLLoss).
 * The model emits 2·D outputs [μ | s] for a D-dim target (needs.head 'gaussian'), s the
 * log-variance; var = max(exp(s), eps) as torch's clamp, computed as s' = max(s, log eps) so
 * exp never overflows. Per element ½(s' + (y − μ)²·exp(−s')) (+ ½·log 2π with `full`), mean over D.
 * β-NLL (Seitzer et al. ICLR 2022, martius-lab/beta-nll): each element is multiplied by the
 * detached var^β; β = 0 is the plain NLL, β = 1 gives the MSE gradient for μ.
 */
import { z } from 'zod';
import * as tf from '../backends/tf.js';
import { RunnerError } from '../core/errors.js';
import type { LossInput } from '../core/types.js';
import { extraSlot, lossSchema, meanOverDims, regressionNeeds, stopGradient, type LossEntry } from './common.js';

const schema = lossSchema({
  eps: z.number().positive().default(1e-6).describe('Floor of the variance (torch GaussianNLLLoss eps 1e-6).'),
  full: z.boolean().default(false).describe('Add the constant ½·log 2π (torch `full`, default false).'),
  beta: z.number().min(0).max(1).default(0).describe('β of β-NLL: elements weighted by the detached var^β (0: plain NLL; the β-NLL paper recommends 0.5).'),
});

/** The mean and log-variance halves of the output, the target as [batch, D]. */
export function meanLogVar(input: LossInput): { mean: tf.Tensor2D; logVar: tf.Tensor2D; y: tf.Tensor2D } {
  const b = input.output.shape[0] ?? 0;
  const out = tf.reshape(input.output, [b, -1]) as tf.Tensor2D;
  const y = tf.reshape(tf.cast(input.y, 'float32'), [b, -1]) as tf.Tensor2D;
  const d = y.shape[1]!;
  if (out.shape[1] !== 2 * d) throw new RunnerError('CONFIG_INVALID', `gaussian-nll reads 2·D = ${2 * d} outputs [mean | log-variance] for a ${d}-dim target, got ${out.shape[1]}`);
  return { mean: tf.slice(out, [0, 0], [b, d]), logVar: tf.slice(out, [0, d], [b, d]), y };
}

export const gaussianNll: LossEntry<z.infer<typeof schema>> = {
  name: 'gaussian-nll',
  summary: 'Heteroscedastic Gaussian NLL ½(log σ² + (y − μ)²/σ²) with the model emitting [μ | log σ²] (torch GaussianNLLLoss), with the β-NLL weighting (Seitzer et al. 2022).',
  schema,
  nested: extraSlot,
  needs: { task: 'regression', input: 'logits', head: 'gaussian' },
  info: {
    paper: 'Estimating the mean and variance of the target probability distribution (Nix and Weigend 1994); On the Pitfalls of Heteroscedastic Uncertainty Estimation with Probabilistic Neural Networks (Seitzer et al. ICLR 2022)',
    source: 'torch.nn.GaussianNLLLoss (eps 1e-6, full False; var clamped at eps); martius-lab/beta-nll (loss·var.detach()^β)',
    predictions: 'the mean half μ of the output (regression metrics)',
  },
  create(o) {
    const logEps = Math.log(o.eps);
    const constant = o.full ? 0.5 * Math.log(2 * Math.PI) : 0;
    const objective = {
      needs: regressionNeeds,
      variables: [],
      compute: (input: LossInput) =>
        tf.tidy(() => {
          const { mean, logVar, y } = meanLogVar(input);
          const s = tf.maximum(logVar, logEps);
          let nll: tf.Tensor = tf.mul(tf.add(s, tf.mul(tf.square(tf.sub(y, mean)), tf.exp(tf.neg(s)))), 0.5);
          if (constant !== 0) nll = tf.add(nll, constant);
          if (o.beta > 0) nll = tf.mul(nll, stopGradient(tf.exp(tf.mul(s, o.beta))));
          return meanOverDims(nll);
        }),
      predictions: (input: LossInput) => tf.tidy(() => meanLogVar(input).mean),
      dispose() {},
    };
    return objective;
  },
};
