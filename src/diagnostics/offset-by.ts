/** Bridges between the diagnostics' named maps and ctx.evaluate's lists aligned with ParamSpec order. */
import * as tf from '../backends/tf.js';
import type { ParamSpec } from '../core/types.js';

/** θ + offset as the absolute values ctx.evaluate takes; a parameter the offset does not name stays at θ. */
export function offsetBy(params: readonly ParamSpec[], offset: tf.NamedTensorMap): tf.Tensor[] {
  return params.map((p) => {
    const o = offset[p.name];
    return o ? tf.add(p.variable, o) : tf.clone(p.variable);
  });
}

/** A list aligned with `params` (ctx.evaluate's gradients) keyed by ParamSpec.name. */
export function byName(params: readonly ParamSpec[], list: readonly tf.Tensor[]): tf.NamedTensorMap {
  const out: tf.NamedTensorMap = {};
  params.forEach((p, i) => { out[p.name] = list[i]!; });
  return out;
}
