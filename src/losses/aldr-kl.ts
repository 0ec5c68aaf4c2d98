/**
 * ALDR-KL: LDR-KL with a per-example λ_i kept across steps (Zhu, Ying, Yang ICML 2023), as the
 * official `ALDRLoss_V1` of Optimization-AI/ICML2023_LDR `loss.py` computes it (read from a stored
 * copy of that file; `experiment.py` of the same repository builds it with `N=trainN`,
 * `Lambda=10`, `alpha=args.alpha` (2), `threshold=args.margin` (0.1)). For the rows i of a batch:
 *
 *   z̃      = z / (‖z‖₁/K)                          (normalize 'l1'; 'softplus-l1' first applies softplus)
 *   p       = softmax(z̃ / λ_i^old) + 1e-5, then p ← p / Σ_k p_k
 *   λ_i     = λ₀ − λ₀·KL(p ‖ U)/(α·log K)           with KL(p ‖ U) = Σ_k p_k log(K p_k); detached
 *   ℓ_i     = λ_i·(lse_k(δ_k/λ_i) − log K) − (α·log K/(2λ₀))·(λ_i − λ₀)²,   δ_k = c·1[k≠y] + z̃_k − z̃_y
 *
 * and λ_i is stored for the next visit. Notes on the official code, kept as it is:
 * - the update reads the stored λ_i^old and the NEW λ_i is used in the same step's loss;
 * - p is softmax(z̃/λ) without the margin c, so λ_i is one closed-form ascent step on the
 *   penalised objective, not its exact maximiser; λ_i ∈ [λ₀(1 − 1/α), λ₀] up to the 1e-5 smoothing;
 * - λ_i is detached (`.detach()`), so the gradient is that of ℓ at fixed λ_i, not the derivative of
 *   the value (the penalty term is a constant for the gradient); `info.gradient` says so.
 *
 * minima's placement of the update: compute() reads λ^old from the table and uses the new λ_i;
 * commit(), which runs once per step on the step's first evaluation, writes it. A SAM-type second
 * evaluation of the same step reads the rows as they were at the start of the step (a snapshot kept
 * by commit), so every evaluation of a step sees the same state and the table changes once.
 * Evaluation (training false, or split 'test') never touches the table: it uses λ_i = λ₀ (the
 * fixed-λ LDR-KL on the normalised logits; the penalty is then 0). Metrics use softmax(z), as the
 * official evaluation does.
 *
 * Defaults: λ₀ (`Lambda`) 1 and c (`threshold`) 1 are `ALDRLoss_V1`'s constructor defaults; α
 * defaults to 2, the `--alpha` default of `experiment.py` and the README's value, because the
 * constructor's own default 1 sits on the boundary of its comment "alpha > 1.0" (α = 1 lets λ_i
 * approach 0; minima accepts α ≥ 1).
 */
import { z } from 'zod';
import * as tf from '../backends/tf.js';
import { RunnerError } from '../core/errors.js';
import type { LossContext, LossInput, Objective } from '../core/types.js';
import { classificationNeeds, extraSlot, lossSchema, numClassesOf, oneHot, paramName, rowDot, stopGradient, type LossEntry } from './common.js';
import { normalizationOption, normalizeLogits, type LogitNormalization } from './ldr-kl.js';
import { perExampleState } from './per-example-state.js';

const schema = lossSchema({
  lambda: z.number().positive().default(1).describe('λ₀ > 0 (official `Lambda`, default 1.0; experiment.py runs 10): the initial value of every λ_i and the reference of the update and penalty.'),
  c: z.number().min(0).default(1).describe('c ≥ 0 (official `threshold`, default 1.0; experiment.py --margin 0.1): margin added to every non-target normalised logit.'),
  alpha: z.number().min(1).default(2).describe('α ≥ 1 (official `alpha`; experiment.py and README use 2): λ_i = λ₀ − λ₀·KL(p ‖ U)/(α log K), so λ_i ≥ λ₀(1 − 1/α).'),
  normalize: normalizationOption('l1'),
});

type Options = z.infer<typeof schema>;

/** λ_i = λ₀ − λ₀·KL(p ‖ U)/(α log K) with p = normalise(softmax(z̃/λ_old) + 1e-5), as ALDRLoss_V1. */
export function aldrLambda(zt: tf.Tensor2D, lambdaOld: tf.Tensor, lambda0: number, alpha: number): tf.Tensor2D {
  const k = zt.shape[1]!;
  const raw = tf.add(tf.softmax(tf.div(zt, lambdaOld)), 1e-5);
  const p = tf.div(raw, tf.maximum(tf.sum(raw, -1, true), 1e-12));
  const kl = tf.sum(tf.mul(p, tf.log(tf.mul(p, k))), -1, true);
  return tf.sub(lambda0, tf.div(tf.mul(kl, lambda0), alpha * Math.log(k))) as tf.Tensor2D;
}

/** ℓ_i at per-row λ ([b, 1]): λ(lse(δ/λ) − log K) − (α log K/(2λ₀))(λ − λ₀)². */
function aldrValue(zt: tf.Tensor2D, y: tf.Tensor, lambda: tf.Tensor, o: Options): tf.Tensor1D {
  const k = zt.shape[1]!;
  const q = oneHot(y, k);
  const zy = tf.expandDims(rowDot(zt, q), 1);
  const delta = tf.add(tf.sub(zt, zy), tf.mul(tf.sub(1, q), o.c));
  const lam = tf.reshape(lambda, [-1]);
  const main = tf.mul(tf.sub(tf.logSumExp(tf.div(delta, lambda), -1), Math.log(k)), lam);
  const penalty = tf.mul(tf.square(tf.sub(lam, o.lambda)), (o.alpha * Math.log(k)) / (2 * o.lambda));
  return tf.sub(main, penalty) as tf.Tensor1D;
}

/** Whether a call reads and updates the per-example table: training on train rows only. */
export function usesTrainState(ctx: LossContext): boolean {
  return ctx.training && (ctx.split ?? 'train') === 'train';
}

export function requireIndex(input: LossInput, name: string): tf.Tensor1D {
  if (!input.index) throw new RunnerError('USAGE', `loss "${name}" keeps per-example state: training calls need LossInput.index (the batch's train-row ids)`);
  return input.index;
}

export const aldrKl: LossEntry<Options> = {
  name: 'aldr-kl',
  summary: 'Adaptive LDR-KL: LDR-KL on normalised logits with a per-example λ_i updated in closed form at each visit and stored by row id (Zhu, Ying, Yang ICML 2023).',
  schema,
  nested: extraSlot,
  needs: { task: 'classification', input: 'logits' },
  info: {
    paper: 'Label Distributionally Robust Losses for Multi-class Classification: Consistency, Robustness and Adaptivity (Zhu, Ying, Yang ICML 2023)',
    repo: 'Optimization-AI/ICML2023_LDR',
    source: 'Optimization-AI/ICML2023_LDR loss.py ALDRLoss_V1; experiment.py (alpha 2)',
    gradient: 'λ_i is detached as in the official code: the gradient is that of ℓ at fixed λ_i, not the derivative of the value',
    perExampleState: 'λ_i, rows = train split, width 1',
  },
  create(o, deps) {
    numClassesOf(deps, 'aldr-kl');
    const mode: LogitNormalization = o.normalize;
    const table = perExampleState(paramName(deps, 'aldr-kl', 'lambda'), deps.sizes.train, 1, o.lambda);
    /** The rows commit() replaced this step, as they were before: later evaluations of the step read them. */
    let before: { step: number; index: tf.Tensor1D; rows: tf.Tensor2D } | undefined;
    const clearBefore = () => {
      before?.rows.dispose();
      before = undefined;
    };
    const stored = (input: LossInput, ctx: LossContext): tf.Tensor2D => {
      const index = requireIndex(input, 'aldr-kl');
      return before && before.step === ctx.step && before.index === index ? before.rows : table.read(index);
    };
    const objective: Objective = {
      needs: classificationNeeds,
      variables: [],
      compute: (input, ctx) =>
        tf.tidy(() => {
          const zt = normalizeLogits(input.output, mode);
          const lambda = usesTrainState(ctx)
            ? stopGradient(aldrLambda(zt, stored(input, ctx), o.lambda, o.alpha))
            : tf.fill([zt.shape[0]!, 1], o.lambda);
          return aldrValue(zt, input.y, lambda, o);
        }),
      commit(input, ctx) {
        if (!usesTrainState(ctx)) return;
        const index = requireIndex(input, 'aldr-kl');
        tf.tidy(() => {
          const old = table.read(index);
          const updated = aldrLambda(normalizeLogits(input.output, mode), old, o.lambda, o.alpha);
          clearBefore();
          before = { step: ctx.step, index, rows: tf.keep(old) };
          table.write(index, updated);
        });
      },
      getState: () => table.getState(),
      setState(state) {
        clearBefore();
        table.setState(state);
      },
      dispose() {
        clearBefore();
        table.dispose();
      },
    };
    return objective;
  },
};
