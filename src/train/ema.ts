/**
 * EMA of the weights (`train.ema`), after timm `timm/utils/model_ema.py` ModelEmaV3:
 *   - the average starts as a copy of the model (timm deep-copies it at construction);
 *   - after every optimizer step t (t = steps done, this one included; timm's `num_updates`):
 *       ema ← lerp(ema, θ, 1 − d_t) = ema + (1 − d_t)·(θ − ema)      (torch._foreach_lerp_)
 *     over the trainable parameters (model and loss-owned ones) and, unless `exclude_buffers`, the
 *     float buffers (BatchNorm running mean/variance; timm lerps every floating state_dict entry,
 *     integer buffers are copied). With `exclude_buffers` the EMA is evaluated with the live
 *     buffers (timm's apply_update_no_buffers_ copies them);
 *   - the decay d_t (emaDecay): constant d, first update a copy (warmup false: timm get_decay with a
 *     step, and torch swa_utils AveragedModel's first update_parameters, both copy); the
 *     `tf.train.ExponentialMovingAverage(num_updates)` warmup min(d, (1 + t)/(10 + t)) (warmup
 *     true or "tf", the default here because short runs never leave the warmup of d = 0.9998); or
 *     timm's use_warmup form min(d, 1 − (1 + (t − 1)/γ)^(−p)), 0 at t = 1 (warmup "timm"); or d from
 *     the first update on (warmup "none": timm ModelEmaV2, which MESA's official teacher uses).
 * The decay is a function of the step the loop knows, so the state is the averaged tensors only.
 */
import * as tf from '../backends/tf.js';
import type { ParamSpec } from '../core/types.js';
import type { TrainConfig } from '../config/schema.js';
import type { ParameterSet } from './parameter-sets.js';

export type EmaOptions = NonNullable<TrainConfig['ema']>;

/** The decay of the update after step `t` (1-based: optimizer steps done, this one included). */
export function emaDecay(o: Pick<EmaOptions, 'decay' | 'warmup' | 'warmup_gamma' | 'warmup_power'>, t: number): number {
  if (o.warmup === true || o.warmup === 'tf') return Math.min(o.decay, (1 + t) / (10 + t));
  if (o.warmup === 'none') return o.decay;
  const s = Math.max(0, t - 1); // timm get_decay: step − update_after_step − 1
  if (s <= 0) return 0;
  if (o.warmup === 'timm') return Math.max(Math.min(1 - (1 + s / o.warmup_gamma) ** -o.warmup_power, o.decay), 0);
  return o.decay;
}

interface Slot {
  readonly key: string;
  readonly variable: tf.Variable;
  /** Averaged (float32) or copied (any other dtype). */
  readonly average: boolean;
  value: tf.Tensor;
}

export function createEma(o: EmaOptions, params: readonly ParamSpec[], buffers: readonly { readonly name: string; readonly variable: tf.Variable }[]): ParameterSet {
  const slot = (key: string, variable: tf.Variable, average: boolean): Slot => ({ key, variable, average, value: tf.keep(tf.clone(variable)) });
  const paramSlots = params.map((p) => slot(`${p.owner}/${p.name}`, p.variable, true));
  const bufferSlots = o.exclude_buffers ? [] : buffers.map((b) => slot(`buffer/${b.name}`, b.variable, b.variable.dtype === 'float32'));
  const slots = [...paramSlots, ...bufferSlots];
  const replace = (s: Slot, next: tf.Tensor): void => {
    tf.keep(next);
    s.value.dispose();
    s.value = next;
  };
  return {
    name: 'ema',
    update(done) {
      const d = emaDecay(o, done);
      for (const s of slots) {
        const next = tf.tidy(() => (d === 0 || !s.average ? tf.clone(s.variable) : tf.add(s.value, tf.mul(tf.sub(s.variable, s.value), 1 - d))));
        replace(s, next);
      }
    },
    values: () => paramSlots.map((s) => tf.clone(s.value)),
    buffers: () => (o.exclude_buffers ? undefined : bufferSlots.map((s) => tf.clone(s.value))),
    getState: () => Object.fromEntries(slots.map((s) => [s.key, tf.clone(s.value)])),
    setState(map) {
      for (const s of slots) {
        const t = map[s.key];
        if (!t) throw new Error(`checkpoint lacks tensor paramset/ema/${s.key}`);
        if (t.shape.join(',') !== s.value.shape.join(',')) throw new Error(`checkpoint tensor paramset/ema/${s.key} has shape [${t.shape}], expected [${s.value.shape}]`);
        replace(s, tf.clone(t));
      }
    },
    dispose() {
      for (const s of slots) s.value.dispose();
    },
  };
}
