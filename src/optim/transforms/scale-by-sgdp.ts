import * as tf from '../../backends/tf.js';
import { zip } from '../../backends/tree.js';
import type { GradientTransformation, StateTree } from '../transform.js';
import { projectScaleInvariant } from './project-scale-invariant.js';

export interface SgdpOptions {
  readonly momentum: number; readonly dampening: number; readonly nesterov: boolean; readonly weight_decay: number;
  readonly eps: number; readonly delta: number; readonly wd_ratio: number;
}
export interface SgdpState { readonly [k: string]: StateTree; readonly buf: tf.Tensor[] }

/**
 * SGDP's step before the learning rate (clovaai/AdamP `adamp/sgdp.py`):
 *   buf = momentum·buf + (1 − dampening)·g (from 0: no first-step copy, unlike torch SGD)
 *   d = nesterov ? g + momentum·buf : buf, projected for tensors of rank > 1 (the test uses g)
 *   out = d + wd·r/(1 − momentum)·p,  r = wd_ratio where projected, else 1
 * so that −lr·out is the official p·(1 − lr·wd·r/(1 − momentum)) then p − lr·d.
 * Without Nesterov d IS the buffer and the official `perturb -= …` projects it in place, so the
 * buffer carries the projected value into the next step; kept here (the paper projects the step only).
 */
export function scaleBySgdp(o: SgdpOptions): GradientTransformation<SgdpState> {
  return {
    name: 'sgdp',
    init: (params) => ({ buf: params.map((p) => tf.zerosLike(p)) }),
    update(grads, state, params) {
      const buf = zip(state.buf, grads, (b, g) => tf.add(tf.mul(b, o.momentum), tf.mul(g, 1 - o.dampening)));
      const kept = [...buf];
      const out = params.map((p, i) => {
        const g = grads[i]!;
        let d = o.nesterov ? tf.add(g, tf.mul(buf[i]!, o.momentum)) : buf[i]!;
        let ratio: tf.Scalar | number = 1;
        if (p.rank > 1) {
          const r = projectScaleInvariant(p, g, d, o.delta, o.eps);
          d = r.out;
          if (!o.nesterov) kept[i] = d;
          ratio = tf.add(tf.mul(r.projected, o.wd_ratio - 1), 1) as tf.Scalar;
        }
        return o.weight_decay > 0 ? tf.add(d, tf.mul(p, tf.mul(ratio, o.weight_decay / (1 - o.momentum)))) : d;
      });
      return [out, { buf: kept }];
    },
  };
}
