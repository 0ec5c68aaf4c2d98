/**
 * Shared pieces of the loss entries: the options every loss accepts (`weight`; `extra` is a nested
 * slot), the LossEntry type with its typed needs, and float32-safe building blocks (references/losses.md §1).
 */
import { z } from 'zod';
import * as tf from '../backends/tf.js';
import type { Entry, NestedSlot, Spec } from '../core/registry.js';
import type { LossContext, LossDeps, LossInput, LossNeeds, Objective, ParamSpec, Task } from '../core/types.js';
import { RunnerError } from '../core/errors.js';
import { Rng } from '../core/random.js';

/**
 * What a loss asks of the data and the model, known before anything is built (config rules, the
 * trainer's choice of model head, createLoss). `input`: 'logits', the model's output;
 * 'embeddings', the model stops at its penultimate features (the loss owns the classifier);
 * 'logits+embedding', the model emits logits and the loss reads LossInput.embedding beside them.
 */
export interface LossEntryNeeds {
  readonly task: Task | 'any';
  readonly input: 'logits' | 'embeddings' | 'logits+embedding';
  /** 'batch': the value is one scalar for the batch; default 'per-example'. */
  readonly reduction?: LossNeeds['reduction'];
  /**
   * The loss reads the batch's group ids (LossInput.group) and DataSpec.numGroups/groupCounts:
   * the config rules reject it on a dataset without groups (config/rules.ts lossNeedsGroups).
   */
  readonly groups?: true;
  /**
   * The head the loss reads (default 'softmax': K logits, softmax probabilities). 'binary': the
   * model emits ONE logit f(x) on a 2-class dataset (labels 0/1 → y = ±1, margin m = y·f;
   * probabilities [1 − σ(f), σ(f)]). 'sigmoid': K logits read one-vs-rest; the loss's
   * probabilities are the per-class sigmoids normalised to sum 1 (docs/capabilities/heads-and-wrappers.md).
   * 'gaussian': a D-dim regression whose model emits 2·D outputs [mean | log-variance]; the
   * loss's `predictions` give the mean to the metrics.
   */
  readonly head?: 'softmax' | 'binary' | 'sigmoid' | 'gaussian';
  /** 'base': a wrapper (flooding, kl-dro): task, input and head are those of the nested `base:` loss. */
  readonly wraps?: 'base';
  /** A wrapper that transforms per-example values (kl-dro) needs a base with reduction 'per-example'. */
  readonly baseReduction?: 'per-example';
  /** Re-runs the model on perturbed inputs (LossInput.x, LossContext.apply): float inputs only (config rule). */
  readonly inputs?: boolean;
  /** Trains on rows whose label is −1 (dataset.labeled); every other loss is rejected with `labeled` set. */
  readonly unlabeled?: boolean;
  /**
   * Reads soft targets (LossInput.target) when the batch carries them: train.mix (mixup, cutmix)
   * needs every loss term to declare it (config rule), since a hard-label loss would ignore the mix.
   */
  readonly softTargets?: true;
  /**
   * Distils from the EMA of the weights (LossInput.teacher: train.ema's outputs on the batch, in
   * training steps): train.ema must be set (config rule teacherNeedsEma).
   */
  readonly teacher?: boolean;
}

export type LossEntry<O = any> = Entry<O, Objective, LossDeps> & { readonly needs: LossEntryNeeds };

/**
 * What a loss's create() may receive: LossDeps plus where the spec sits in the config
 * ('loss', 'loss.extra.0'), which names loss-owned parameters uniquely when terms nest.
 */
export interface LossBuildDeps extends LossDeps {
  readonly path?: string;
  /** Builds a nested loss spec at `path` (a wrapper's `base:`); set by compose.ts withComposition. */
  readonly buildLoss?: (spec: Spec, deps: LossDeps, path: string) => Objective;
}

/** Stable parameter name of a loss-owned tensor: `loss/arcface/weight`, `loss/extra/0/arcface/weight`. */
export function paramName(deps: LossDeps, entry: string, tensor: string): string {
  const path = (deps as LossBuildDeps).path ?? 'loss';
  return `${path.replace(/\./g, '/')}/${entry}/${tensor}`;
}

/** Every loss may carry auxiliary terms: `extra: [{name: z-loss, weight: 1e-4}]` (see compose.ts). */
export const extraSlot: Readonly<Record<string, NestedSlot>> = { extra: { kind: 'loss', list: true, optional: true } };

/** The `weight` option every entry has; z-loss defaults it to its customary 1e-4. */
export function weightOption(defaultWeight = 1) {
  return z
    .number()
    .finite()
    .default(defaultWeight)
    .describe('Multiplier of this term (for a term in `extra`: its weight in the sum; for the main loss: a plain scale).');
}

/** A strict object schema with `weight` added; `extra` is validated through the nested slot. */
export function lossSchema<S extends z.ZodRawShape>(shape: S, defaultWeight = 1) {
  return z.strictObject({ ...shape, weight: weightOption(defaultWeight) });
}

export const classificationNeeds: LossNeeds = { input: 'logits', reduction: 'per-example', task: 'classification' };
export const regressionNeeds: LossNeeds = { input: 'logits', reduction: 'per-example', task: 'regression' };

/** An objective without variables or state. */
export function statelessObjective(
  needs: LossNeeds,
  compute: (input: LossInput, ctx: LossContext) => tf.Tensor,
  probabilities?: (input: LossInput, ctx: LossContext) => tf.Tensor2D,
): Objective {
  return {
    needs,
    variables: [],
    compute: (input, ctx) => tf.tidy(() => compute(input, ctx)),
    ...(probabilities ? { probabilities: (input: LossInput, ctx: LossContext) => tf.tidy(() => probabilities(input, ctx)) } : {}),
    dispose() {},
  };
}

export function numClassesOf(deps: LossDeps, name: string): number {
  const k = deps.data.numClasses;
  if (!(k >= 2)) throw new RunnerError('CONFIG_INVALID', `loss "${name}" needs a classification dataset with at least 2 classes (got ${k})`);
  return k;
}

/** Float one-hot [batch, K] of int32 labels [batch]. */
export function oneHot(y: tf.Tensor, k: number): tf.Tensor2D {
  return tf.cast(tf.oneHot(tf.cast(y, 'int32') as tf.Tensor1D, k), 'float32') as tf.Tensor2D;
}

/**
 * The target distribution [batch, K]: the batch's soft targets (LossInput.target, from train.mix)
 * when present, else the one-hot of y.
 */
export function targetOf(input: LossInput, k: number): tf.Tensor2D {
  return input.target ?? oneHot(input.y, k);
}

/** Row-wise Σ_k a_k·b_k → [batch]. */
export function rowDot(a: tf.Tensor, b: tf.Tensor): tf.Tensor1D {
  return tf.sum(tf.mul(a, b), -1) as tf.Tensor1D;
}

/** log p_y from logSoftmax (never log(softmax)): finite for any finite logits. */
export function logProbTarget(logits: tf.Tensor, onehot: tf.Tensor): tf.Tensor1D {
  return rowDot(tf.logSoftmax(logits), onehot);
}

/** 1 − p computed as −expm1(log p): exact near p = 1, where 1 − exp(log p) loses all digits. */
export function oneMinusExp(logP: tf.Tensor): tf.Tensor {
  return tf.maximum(tf.neg(tf.expm1(logP)), 0);
}

/**
 * x^γ for x ≥ 0 with a finite gradient: the base is clamped at 0 (rounding can make it slightly
 * negative) and, for γ < 1 where d/dx x^γ is infinite at 0, at 1e-12.
 */
export function powNonNeg(x: tf.Tensor, gamma: number): tf.Tensor {
  if (gamma === 0) return tf.onesLike(x);
  if (gamma === 1) return tf.maximum(x, 0);
  if (gamma === 2) return tf.square(tf.maximum(x, 0));
  return tf.pow(tf.maximum(x, gamma < 1 ? 1e-12 : 0), gamma);
}

const detach = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => ({
  value: tf.clone(args[0] as tf.Tensor),
  gradFunc: (dy: tf.Tensor) => tf.zerosLike(dy),
}));

/** Identity forward, zero gradient (torch's `.detach()` / `.data`). */
export function stopGradient<T extends tf.Tensor>(x: T): T {
  return detach(x) as T;
}

/** Rows scaled to unit L2 norm; eps keeps an all-zero row finite (value 0, finite gradient). */
export function l2Normalize(x: tf.Tensor, axis = -1, eps = 1e-12): tf.Tensor {
  return tf.div(x, tf.sqrt(tf.add(tf.sum(tf.square(x), axis, true), eps)));
}

/** Regression residual e = y − ŷ as float [batch, D] (targets may arrive as [batch]). */
export function residual(input: LossInput): tf.Tensor2D {
  const pred = tf.reshape(input.output, [input.output.shape[0] ?? 0, -1]);
  const y = tf.reshape(tf.cast(input.y, 'float32'), pred.shape);
  return tf.sub(y, pred) as tf.Tensor2D;
}

/** Mean over the target dimension (Keras convention: per-example value = mean over D). */
export function meanOverDims(x: tf.Tensor): tf.Tensor1D {
  return tf.mean(x, -1) as tf.Tensor1D;
}

/* -------------------------------------------------- loss-owned class weights */

/** tf.Variable names are global in the engine; the counter keeps two instances of a loss apart. */
let instances = 0;

/**
 * A [D, K] class-weight matrix owned by a loss (margin proxies, harmonic centres), filled from
 * `Rng.derive(seed, 'init', name)` with N(0, std²) like insightface's `normal_(0, 0.01)`.
 */
export function classWeights(name: string, deps: LossDeps, numClasses: number, std: number): ParamSpec {
  const d = deps.embeddingDim;
  if (!(d >= 1)) throw new RunnerError('CONFIG_INVALID', `${name} needs the model's embedding width (got ${d})`);
  const values = Rng.derive(deps.seed, 'init', name).fillNormal(new Float32Array(d * numClasses), 0, std);
  const initial = tf.tensor2d(values, [d, numClasses]);
  const variable = tf.variable(initial, true, `${name}#${instances++}`);
  initial.dispose(); // the variable holds its own reference to the data
  return { name, variable, role: 'kernel', owner: 'loss' };
}

/** getState/setState/dispose for objectives whose only state is their variables. */
export function variableState(params: readonly ParamSpec[]): Pick<Objective, 'getState' | 'setState' | 'dispose'> {
  return {
    getState() {
      const out: tf.NamedTensorMap = {};
      for (const p of params) out[p.name] = tf.clone(p.variable);
      return out;
    },
    setState(state) {
      for (const p of params) {
        const t = state[p.name];
        if (!t) throw new RunnerError('CHECKPOINT_INVALID', `loss state lacks "${p.name}"`);
        if (t.shape.join('x') !== p.variable.shape.join('x')) {
          throw new RunnerError('CHECKPOINT_INVALID', `loss state "${p.name}" has shape [${t.shape.join(', ')}], expected [${p.variable.shape.join(', ')}]`);
        }
        p.variable.assign(t);
      }
    },
    dispose() {
      for (const p of params) p.variable.dispose();
    },
  };
}

/** The embedding a loss reads: `input.embedding` when given, else the output (embeddings-input losses). */
export function embeddingOf(input: LossInput, needs: LossNeeds, name: string): tf.Tensor2D {
  if (input.embedding) return input.embedding as tf.Tensor2D;
  if (needs.input === 'embeddings') return input.output as tf.Tensor2D;
  throw new RunnerError('CONFIG_INVALID', `loss "${name}" needs the model's penultimate features: pass LossInput.embedding`);
}
