import * as tf from '../../backends/tf.js';
import { isScheduled, hyperValue, type GradientTransformation, type HyperValue, type StateTree } from '../transform.js';
import { select, zip } from '../../backends/tree.js';

export interface TraceOptions {
  readonly momentum: HyperValue;
  readonly dampening: number;
  readonly nesterov: boolean;
}
export type TraceState = { readonly [k: string]: StateTree } & ({ readonly buf: tf.Tensor[]; readonly count: tf.Scalar } | Record<string, never>);

/**
 * torch.optim.SGD's momentum buffer: on the first step `buf = d` (a plain copy, no (1 − dampening)
 * factor), afterwards `buf = momentum·buf + (1 − dampening)·d`; Nesterov returns `d + momentum·buf`.
 * The first-step copy is exact: buf starts at zero and the coefficient of d is selected as 1.
 * A scheduled momentum is read each step; a step where it is 0 leaves the buffer alone, as torch
 * skips its momentum branch (so the first nonzero step copies, like torch's first buffer).
 */
export function trace({ momentum, dampening, nesterov }: TraceOptions): GradientTransformation<TraceState> {
  return {
    name: 'momentum',
    // momentum 0 keeps no buffer at all, as torch (a scheduled momentum keeps one from the start)
    init: (params) => (momentum === 0 || (!isScheduled(momentum) && hyperValue(momentum) === 0) ? {} : { buf: params.map((p) => tf.zerosLike(p)), count: tf.scalar(0) }),
    update(d, state) {
      const m = hyperValue(momentum);
      if (m === 0 || !('buf' in state)) return [d, state];
      const coef = select(tf.equal(state.count, 0), 1, 1 - dampening);
      const buf = zip(state.buf, d, (b, g) => tf.add(tf.mul(b, m), tf.mul(g, coef)));
      const out = nesterov ? zip(d, buf, (g, b) => tf.add(g, tf.mul(b, m))) : buf;
      return [out, { buf, count: tf.add(state.count, 1) }];
    },
  };
}
