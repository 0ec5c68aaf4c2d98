/**
 * The stateful facade over a GradientTransformation: what the trainer, checkpoints and `replay`
 * use. One step: call the closure at the current values, run the transformation (which may
 * evaluate again at other points through ctx.evaluate; the variables are restored by reference
 * after each), apply the updates to the starting values (apply.ts), keep the new state and dispose the old.
 */
import * as tf from '../backends/tf.js';
import { RunnerError } from '../core/errors.js';
import type { ParamSpec } from '../core/types.js';
import type { GradientTransformation, Params, StateTree, UpdateContext } from './transform.js';
import { flatten, leaves, unflatten } from './state-tree.js';
import type { Closure, ExtraBatches, Optimizer, Reduce, StepSources, StepResult } from './types.js';
import { applyUpdates } from './apply.js';

export interface ParamInput {
  readonly name: string;
  readonly variable: tf.Variable;
  readonly role: 'kernel' | 'bias';
  readonly owner?: 'model' | 'loss';
}

export function normalizeParams(params: readonly ParamInput[]): ParamSpec[] {
  const seen = new Set<string>();
  return params.map((p) => {
    if (seen.has(p.name)) throw new RunnerError('USAGE', `optimizer parameters: duplicate name "${p.name}"`);
    seen.add(p.name);
    if (p.variable.dtype !== 'float32') throw new RunnerError('USAGE', `optimizer parameter "${p.name}" is ${p.variable.dtype}; only float32 is trainable`);
    return { name: p.name, variable: p.variable, role: p.role, owner: p.owner ?? 'model' };
  });
}

export interface FacadeOptions {
  /**
   * `on_nonfinite: skip`: a step whose loss or update has a NaN/Inf leaves the parameters and the
   * optimizer state as they were (selected on the device, no read-back) and reports `skipped` 1.
   */
  readonly skipNonFinite?: boolean;
  /** Paths in the optimizer spec (`momentum`, `base.rho`) that a schedule drives (OptimizerDeps.scheduled). */
  readonly scheduled?: readonly string[];
}

/** 1 when every element of the loss and of every update is finite, else 0 (a float32 scalar). */
function allFinite(loss: tf.Scalar, updates: readonly tf.Tensor[]): tf.Scalar {
  // a sum of a non-finite tensor is non-finite (Inf − Inf = NaN included), so one sum per tensor decides
  // and x·0 is 0 exactly when x is finite (ops every backend has)
  const total = tf.addN([loss, ...updates.map((u) => tf.sum(u))]);
  return tf.cast(tf.equal(tf.mul(total, 0), 0), 'float32') as tf.Scalar;
}

export function optimizerFacade(
  transform: GradientTransformation,
  hyperparameters: Readonly<Record<string, unknown>>,
  params: readonly ParamSpec[],
  options: FacadeOptions = {},
): Optimizer {
  const vars = params.map((p) => p.variable);
  let state: StateTree = tf.tidy(() => {
    const s = transform.init(vars);
    return s as tf.TensorContainer;
  }) as StateTree;
  leaves(state).forEach((t) => tf.keep(t));

  const check = (grads: readonly tf.Tensor[], loss: tf.Scalar): void => {
    if (grads.length !== vars.length) throw new Error(`closure returned ${grads.length} gradients for ${vars.length} parameters`);
    grads.forEach((g, i) => {
      if (g.shape.join(',') !== vars[i]!.shape.join(',')) {
        throw new Error(`closure gradient ${i} (${params[i]!.name}) has shape [${g.shape}], expected [${vars[i]!.shape}]`);
      }
    });
    if (loss.rank !== 0) throw new Error(`closure loss must be a scalar, got shape [${loss.shape}]`);
  };

  const replaceState = (next: StateTree): void => {
    const keepSet = new Set(leaves(next));
    keepSet.forEach((t) => tf.keep(t));
    for (const t of leaves(state)) if (!keepSet.has(t) && !t.isDisposed) t.dispose();
    state = next;
  };

  return {
    hyperparameters,
    get learningRate() {
      return transform.learningRate?.value ?? Number.NaN;
    },
    step(closure: Closure, extra?: ExtraBatches, sources: StepSources = {}): StepResult {
      const { outputs, sampled } = sources;
      let gradEvals = 0;
      const diagnostics: Record<string, tf.Scalar> = {};
      const out = tf.tidy(() => {
        // Snapshot by reference: assign() swaps the variables' data, the snapshot keeps the old buffers.
        const origin: Params = vars.map((v) => v.clone());
        const first = closure();
        check(first.grads, first.loss);
        gradEvals = 1;
        // one evaluation at `at` (the step's starting values when absent), the variables restored after
        const evaluateWith = (run: Closure, at: Params | undefined, reduce?: Reduce) => {
          if (at) at.forEach((x, i) => vars[i]!.assign(x));
          try {
            const r = reduce ? run(reduce) : run();
            check(r.grads, r.loss);
            gradEvals += 1;
            return { loss: r.loss, grads: [...r.grads] };
          } finally {
            if (at) origin.forEach((x, i) => vars[i]!.assign(x));
          }
        };
        const ctx: UpdateContext = {
          loss: first.loss,
          params,
          evaluate: (at, reduce) => evaluateWith(closure, at, reduce),
          evaluateBatch(k, at, reduce) {
            if (!extra) throw new RunnerError('USAGE', 'this optimizer evaluates extra batches, but the caller supplied none (optimizer.step(closure, extra))');
            if (!Number.isInteger(k) || k < 0) throw new RunnerError('USAGE', `extra batch index must be an integer ≥ 0, got ${k}`);
            return evaluateWith(extra(k), at, reduce);
          },
          outputs(at) {
            if (!outputs) throw new RunnerError('USAGE', "this optimizer reads the model's outputs, but the caller supplied none (optimizer.step(closure, extra, {outputs}))");
            if (at) at.forEach((x, i) => vars[i]!.assign(x));
            try {
              return outputs();
            } finally {
              if (at) origin.forEach((x, i) => vars[i]!.assign(x));
            }
          },
          ...(sampled
            ? {
                evaluateSampled(seed: number) {
                  const r = sampled(seed);
                  check(r.grads, r.loss);
                  gradEvals += 1;
                  return { loss: r.loss, grads: [...r.grads], rows: r.rows };
                },
              }
            : {}),
          report(name, value) {
            // A copy: the caller owns (and disposes) StepResult.diagnostics, and a transform may
            // report one of its own state tensors (MoMo's lb).
            diagnostics[name] = tf.clone(value);
          },
        };
        const [updates, next] = transform.update([...first.grads], state, origin, ctx);
        const applied = applyUpdates(origin, updates);
        if (!options.skipNonFinite) {
          applied.forEach((x, i) => vars[i]!.assign(x));
          return { loss: first.loss, diagnostics: { ...diagnostics }, next: next as tf.TensorContainer };
        }
        const ok = allFinite(first.loss, updates);
        const keep = tf.cast(ok, 'bool');
        applied.forEach((x, i) => vars[i]!.assign(tf.where(keep, x, origin[i]!)));
        // the state as it was where the step is skipped (a leaf the step did not replace stays as it is)
        const old = flatten(state);
        const merged: tf.NamedTensorMap = {};
        for (const [k, t] of Object.entries(flatten(next))) merged[k] = old[k] && old[k] !== t ? tf.where(keep, t, old[k]!) : t;
        diagnostics['skipped'] = tf.sub(1, ok);
        return { loss: first.loss, diagnostics: { ...diagnostics }, next: unflatten(next, merged, (t) => t) as tf.TensorContainer };
      }) as unknown as { loss: tf.Scalar; diagnostics: Record<string, tf.Scalar>; next: StateTree };
      replaceState(out.next);
      return Object.keys(out.diagnostics).length > 0
        ? { loss: out.loss, gradEvals, diagnostics: out.diagnostics }
        : { loss: out.loss, gradEvals };
    },
    setLearningRate(lr: number) {
      if (!transform.learningRate) throw new RunnerError('USAGE', 'this optimizer has no learning rate to set');
      if (!Number.isFinite(lr) || lr < 0) throw new RunnerError('USAGE', `learning rate must be a finite number ≥ 0, got ${lr}`);
      transform.learningRate.value = lr;
    },
    setHyperparameter(path: string, value: number) {
      const h = transform.hypers?.[path];
      if (!h?.scheduled) throw new RunnerError('USAGE', `optimizer hyperparameter "${path}" is not scheduled (schedulable: ${Object.keys(transform.hypers ?? {}).join(', ') || 'none'})`);
      if (!Number.isFinite(value) || value < 0) throw new RunnerError('USAGE', `${path} must be a finite number ≥ 0, got ${value}`);
      h.value = value;
    },
    getHyperparameter(path: string) {
      const h = transform.hypers?.[path];
      if (!h) throw new RunnerError('USAGE', `optimizer hyperparameter "${path}" cannot be scheduled (schedulable: ${Object.keys(transform.hypers ?? {}).join(', ') || 'none'})`);
      return h.value;
    },
    currentHyperparams() {
      return { ...(transform.hyperparams?.() ?? {}) };
    },
    getState() {
      const flat = flatten(state);
      const out: tf.NamedTensorMap = {};
      for (const [k, t] of Object.entries(flat)) out[k] = t.clone();
      return out;
    },
    setState(map: tf.NamedTensorMap) {
      const next = unflatten(state, map, (t) => tf.keep(t.clone()));
      const old = leaves(state);
      state = next;
      old.forEach((t) => t.dispose());
    },
    dispose() {
      leaves(state).forEach((t) => { if (!t.isDisposed) t.dispose(); });
      state = {};
    },
  };
}
