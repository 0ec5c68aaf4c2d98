/**
 * Second parameter sets: weights other than the training iterate that a run keeps, checkpoints and
 * evaluates (an EMA of the weights, SWA, schedule-free's x, Lookahead's slow weights). Each
 * set is a provider the trainer drives through this one interface: `update` once per step after the
 * optimizer step (and after the step's BatchNorm statistics), `getState`/`setState` through the
 * checkpoint (`paramset/<name>/…`), and evaluation at its values, written as `<split>_<name>` rows
 * (`test_ema`, `train_ema`). Evaluation swaps the set's values into the model's variables by
 * reference, evaluates, and swaps the iterate's own tensors back, so the training trajectory keeps
 * every bit.
 */
import * as tf from '../backends/tf.js';
import { RunnerError } from '../core/errors.js';
import { hashSeed } from '../core/random.js';
import type { MetricRow } from '../run/run-folder.js';
import type { Experiment } from './build.js';
import { createEma } from './ema.js';
import { createSwa } from './swa.js';
import { batchNormStatisticsAt } from './bn-refresh.js';
import { evalPoint } from '../optim/transforms/schedule-free.js';
import { evaluateSplit, type EvaluationSinks } from './evaluate.js';
import { roundSeconds } from './metric-window.js';
import { fmtLoss } from './progress.js';

export interface ParameterSet {
  /** Names the metric rows (`test_<name>`) and the checkpoint keys (`paramset/<name>/…`). */
  readonly name: string;
  /** Once per step, after the optimizer step and the BN statistics; `done` = steps done (1-based). */
  update(done: number): void;
  /** Values to evaluate at, aligned with `Experiment.params`; the caller disposes them (clones are cheap). */
  values(): tf.Tensor[];
  /** Values of `model.buffers` to evaluate with (aligned), or undefined to use the live buffers; the caller disposes them. */
  buffers(): tf.Tensor[] | undefined;
  /** Everything a bit-exact continuation needs, as clones the caller disposes ({} for a set derived from other state). */
  getState(): tf.NamedTensorMap;
  /** Restores getState()'s map (the caller keeps and disposes the map's tensors). */
  setState(map: tf.NamedTensorMap): void;
  dispose(): void;
  /** False while the set has nothing to evaluate yet (SWA before its first average): no rows then. */
  ready?(): boolean;
}

/** The run's parameter sets, from its config: train.ema; train.swa; a lookahead's slow weights (`eval_slow_weights`); schedule-free's x. */
export function createParameterSets(exp: Pick<Experiment, 'config' | 'params' | 'model' | 'optimizer' | 'dataset' | 'stepsPerEpoch'>): ParameterSet[] {
  const sets: ParameterSet[] = [];
  if (exp.config.train.ema) sets.push(createEma(exp.config.train.ema, exp.params, exp.model.buffers));
  if (exp.config.train.swa) sets.push(createSwa(exp.config.train.swa, exp));
  if (usesLookahead(exp.config.optimizer)) sets.push(slowWeights(exp.optimizer, exp.params.length));
  const beta = scheduleFreeBeta(exp.config.optimizer);
  if (beta !== undefined) sets.push(scheduleFreeX(exp, beta));
  return sets;
}

/** β of a top-level schedule-free optimizer (SGD's momentum, AdamW's β1); undefined for any other. */
function scheduleFreeBeta(spec: unknown): number | undefined {
  const s = spec as { name?: unknown; momentum?: unknown; betas?: unknown };
  if (s.name === 'schedule-free-sgd') return typeof s.momentum === 'number' ? s.momentum : 0.9;
  if (s.name === 'schedule-free-adamw') return Array.isArray(s.betas) && typeof s.betas[0] === 'number' ? s.betas[0] : 0.9;
  return undefined;
}

/**
 * Schedule-free's evaluation point x = lerp(y, z, 1 − 1/β) as a set named `x` (rows test_x.*,
 * train_x.*): the official `optimizer.eval()`, from the parameters y and the optimizer state's z
 * (keys `…sf_z/<i>`), so it checkpoints nothing of its own. With BatchNorm, the statistics are
 * recomputed at x (bn-refresh.ts; the official README refreshes them on training batches at x).
 */
function scheduleFreeX(exp: Pick<Experiment, 'params' | 'model' | 'optimizer' | 'dataset' | 'config'>, beta: number): ParameterSet {
  const x = (): tf.Tensor[] => {
    const state = exp.optimizer.getState();
    const z = exp.params.map((_, i) => Object.entries(state).find(([k]) => new RegExp(`(^|/)sf_z/${i}$`).test(k))?.[1]);
    try {
      if (z.some((t) => t === undefined)) throw new Error('schedule-free z not found in the optimizer state');
      return tf.tidy(() => evalPoint(exp.params.map((p) => p.variable), z as tf.Tensor[], beta));
    } finally {
      tf.dispose(Object.values(state));
    }
  };
  return {
    name: 'x',
    update: () => {},
    values: x,
    buffers() {
      if (exp.model.buffers.length === 0) return undefined;
      const at = x();
      try {
        return batchNormStatisticsAt(exp, at);
      } finally {
        tf.dispose(at);
      }
    },
    getState: () => ({}),
    setState: () => {},
    dispose: () => {},
  };
}

/** Whether the optimizer spec has a lookahead with `eval_slow_weights: true` at any depth (a wrapper's `base`). */
function usesLookahead(spec: unknown): boolean {
  if (typeof spec !== 'object' || spec === null) return false;
  const s = spec as { name?: unknown; base?: unknown; eval_slow_weights?: unknown };
  return (s.name === 'lookahead' && s.eval_slow_weights === true) || usesLookahead(s.base);
}

/**
 * Lookahead's slow weights φ as a set named `slow` (rows test_slow.*), as the official code's
 * `_backup_and_load_cache` evaluates them. Derived from the optimizer's state (keys `…slow/<i>`,
 * the outermost lookahead's when they nest), so it checkpoints nothing of its own; the live BN
 * buffers are used.
 */
function slowWeights(optimizer: Experiment['optimizer'], count: number): ParameterSet {
  return {
    name: 'slow',
    update: () => {},
    values() {
      const state = optimizer.getState();
      const keys = Object.keys(state).filter((k) => /(^|\/)slow\/\d+$/.test(k));
      const prefix = keys.map((k) => k.slice(0, k.lastIndexOf('slow/'))).sort((a, b) => a.length - b.length)[0] ?? '';
      const out = Array.from({ length: count }, (_, i) => state[`${prefix}slow/${i}`]);
      tf.dispose(Object.entries(state).filter(([, t]) => !out.includes(t)).map(([, t]) => t));
      if (out.some((t) => t === undefined)) {
        tf.dispose(out.filter((t): t is tf.Tensor => t !== undefined));
        throw new Error(`lookahead slow weights not found in the optimizer state (${keys.length} of ${count})`);
      }
      return out as tf.Tensor[];
    },
    buffers: () => undefined,
    getState: () => ({}),
    setState: () => {},
    dispose: () => {},
  };
}

/**
 * Runs `fn` with the model's variables (params, and buffers when given) holding `params`/`buffers`,
 * then assigns the original tensors back (by reference: the same bits, nothing recomputed).
 */
export async function withValues<T>(exp: Pick<Experiment, 'params' | 'model'>, params: readonly tf.Tensor[], buffers: readonly tf.Tensor[] | undefined, fn: () => Promise<T>): Promise<T> {
  const vars = [...exp.params.map((p) => p.variable), ...(buffers ? exp.model.buffers.map((b) => b.variable) : [])];
  const next = [...params, ...(buffers ?? [])];
  if (next.length !== vars.length) throw new Error(`parameter set has ${next.length} tensors for ${vars.length} variables`);
  const saved = vars.map((v) => tf.clone(v));
  try {
    vars.forEach((v, i) => v.assign(next[i]!));
    return await fn();
  } finally {
    vars.forEach((v, i) => v.assign(saved[i]!));
    tf.dispose(saved);
  }
}

/**
 * The EMA teacher's outputs on `x`, as AngusDujw/SAF MESA_train.py takes them before each step
 * (`ema_output = model_ema.module(input)` under no_grad; timm's EMA module is in eval mode): the
 * model in eval mode at the `ema` set's weights (and its averaged buffers, unless exclude_buffers),
 * then the iterate's own values assigned back, bit for bit. No gradient flows into them.
 */
export function teacherOutputs(exp: Pick<Experiment, 'params' | 'model'>, sets: readonly ParameterSet[], x: tf.Tensor): tf.Tensor2D {
  const ema = sets.find((s) => s.name === 'ema');
  if (!ema) throw new RunnerError('CONFIG_INVALID', 'the loss distils from the EMA of the weights (needs.teacher), but train.ema is not set');
  const params = ema.values();
  const buffers = ema.buffers();
  const vars = [...exp.params.map((p) => p.variable), ...(buffers ? exp.model.buffers.map((b) => b.variable) : [])];
  const next = [...params, ...(buffers ?? [])];
  const saved = vars.map((v) => tf.clone(v));
  try {
    vars.forEach((v, i) => v.assign(next[i]!));
    const out = exp.model.apply(x, { training: false });
    if (out.embedding !== out.output) out.embedding.dispose();
    return out.output as tf.Tensor2D;
  } finally {
    vars.forEach((v, i) => v.assign(saved[i]!));
    tf.dispose([...saved, ...next]);
  }
}

/** Evaluates every split of `train.eval_splits` at each set's values: rows `<split>_<set>` beside the iterate's. */
export async function evaluateParameterSets(exp: Experiment, sets: readonly ParameterSet[], step: number, trainTimeS: number, sinks: EvaluationSinks): Promise<void> {
  if (sets.length === 0) return;
  const { config, dataset, model, objective } = exp;
  const splits = config.train.eval_splits;
  const epoch = Math.floor(Math.max(0, step - 1) / exp.stepsPerEpoch);
  for (const set of sets) {
    if (set.ready && !set.ready()) continue;
    const params = set.values();
    const buffers = set.buffers();
    try {
      await withValues(exp, params, buffers, async () => {
        for (const split of splits) {
          const metrics = await evaluateSplit({ dataset, model, objective, batchSize: config.train.eval_batch_size, step, epoch, seed: hashSeed(config.seed, 'eval') }, split);
          // the row's split names the set: metrics.jsonl and summary.json key it as test_ema.accuracy
          const row = { step, epoch, split: `${split}_${set.name}`, ...metrics, eval: true, time_s: roundSeconds(trainTimeS) } as unknown as MetricRow;
          sinks.writer.appendMetrics(row);
          sinks.log.info(row, 'eval');
          if (split === 'test' || splits.length === 1) {
            const shown = ['loss', 'accuracy', 'rmse'].filter((k) => metrics[k] !== undefined);
            sinks.progress.log(`eval step ${step}: ${shown.map((k) => `${split}_${set.name}.${k} ${fmtLoss(metrics[k])}`).join('  ')}`);
          }
        }
      });
    } finally {
      tf.dispose([...params, ...(buffers ?? [])]);
    }
  }
}

/** Checkpoint tensors of every set, keyed `paramset/<name>/<key>`; the caller disposes them. */
export function parameterSetTensors(sets: readonly ParameterSet[]): tf.NamedTensorMap {
  const out: tf.NamedTensorMap = {};
  for (const set of sets) for (const [k, v] of Object.entries(set.getState())) out[`paramset/${set.name}/${k}`] = v;
  return out;
}

/** Restores every set from checkpoint tensors (a set without tensors there is an error: the run had it). */
export function restoreParameterSets(sets: readonly ParameterSet[], tensors: tf.NamedTensorMap): void {
  for (const set of sets) {
    const prefix = `paramset/${set.name}/`;
    const mine = Object.fromEntries(Object.entries(tensors).filter(([k]) => k.startsWith(prefix)).map(([k, v]) => [k.slice(prefix.length), v]));
    set.setState(mine);
  }
}
