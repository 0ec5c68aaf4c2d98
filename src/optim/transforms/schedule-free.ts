import * as tf from '../../backends/tf.js';
import type { GradientTransformation, Hyper, StateTree } from '../transform.js';
import { packDoubles, readDoubles } from './double-scalars.js';
import { lerp } from './lerp.js';

export interface ScheduleFreeOptions {
  /** 'sgd': d = g + wd·y; 'adamw': d = g/(sqrt(v/bc2) + eps) (or the inner momentum's m̂) + wd·y. */
  readonly kind: 'sgd' | 'adamw';
  /** β: SGD's momentum, AdamW's β1 (the interpolation y = (1 − β)z + βx). */
  readonly beta: number;
  readonly beta2: number;
  readonly eps: number;
  readonly inner_momentum: number;
  readonly weight_decay: number;
  readonly warmup_steps: number;
  readonly r: number;
  readonly weight_lr_power: number;
}
export interface ScheduleFreeState {
  readonly [k: string]: StateTree;
  /** The base sequence z (the parameters hold y; x is their interpolation, evalPoint). */
  readonly sf_z: tf.Tensor[];
  readonly v: tf.Tensor[];
  readonly m: tf.Tensor[];
  /** k, weight_sum and lr_max (the code's Python-float group scalars) as double pairs (double-scalars.ts). */
  readonly scalars: tf.Tensor1D;
}

/**
 * Schedule-free SGD and AdamW (facebookresearch/schedule_free `sgd_schedulefree.py`,
 * `adamw_schedulefree.py`, 70785b5), the train-mode step with y in the parameters:
 *   lr_k = lr·min(1, (k+1)/warmup_steps);  lr_max = max(lr_max, lr_k);  w = (k+1)^r·lr_max^weight_lr_power
 *   W += w;  c = w/W (0 when W = 0);  d as `kind` says, at y
 *   y ← lerp(y, z, c) + lr_k·(β(1 − c) − 1)·d;   z ← z − lr_k·d
 * The evaluation point x = lerp(y, z, 1 − 1/β) is the code's `optimizer.eval()` (evalPoint).
 */
export function scheduleFree(lr: Hyper, o: ScheduleFreeOptions): GradientTransformation<ScheduleFreeState> {
  const adam = o.kind === 'adamw';
  return {
    name: 'schedule_free',
    init: (params) => ({
      sf_z: params.map((p) => tf.clone(p)),
      v: adam ? params.map((p) => tf.zerosLike(p)) : [],
      m: adam && o.inner_momentum !== 0 ? params.map((p) => tf.zerosLike(p)) : [],
      scalars: packDoubles([0, 0, -1]),
    }),
    update(grads, state, y, ctx) {
      const [k, weightSum0, lrMax0] = readDoubles(state.scalars);
      const sched = k! < o.warmup_steps ? (k! + 1) / o.warmup_steps : 1;
      const lrk = lr.value * sched;
      const lrMax = Math.max(lrk, lrMax0!);
      const weight = (k! + 1) ** o.r * lrMax ** o.weight_lr_power;
      const weightSum = weightSum0! + weight;
      const c = weightSum === 0 ? 0 : weight / weightSum;
      let dirs = grads as tf.Tensor[];
      let v = state.v;
      let m = state.m;
      if (adam) {
        const bc2 = 1 - o.beta2 ** (k! + 1);
        v = state.v.map((vi, i) => tf.add(tf.mul(vi, o.beta2), tf.mul(tf.square(grads[i]!), 1 - o.beta2)));
        const denom = v.map((vi) => tf.add(tf.sqrt(tf.div(vi, bc2)), o.eps));
        if (o.inner_momentum !== 0) {
          const bc1 = 1 - o.inner_momentum ** (k! + 1);
          m = state.m.map((mi, i) => tf.add(tf.mul(mi, o.inner_momentum), tf.mul(grads[i]!, 1 - o.inner_momentum)));
          dirs = m.map((mi, i) => tf.div(tf.div(mi, bc1), denom[i]!));
        } else {
          dirs = grads.map((g, i) => tf.div(g, denom[i]!));
        }
      }
      const d = dirs.map((di, i) => (o.weight_decay === 0 || ctx.params[i]?.decay === false ? di : tf.add(di, tf.mul(y[i]!, o.weight_decay))));
      const updates: tf.Tensor[] = [];
      const z = state.sf_z.map((zi, i) => {
        const lri = lrk * (ctx.params[i]?.lrScale ?? 1);
        const next = tf.add(lerp(y[i]!, zi, c), tf.mul(d[i]!, lri * (o.beta * (1 - c) - 1)));
        updates.push(tf.sub(next, y[i]!));
        return tf.sub(zi, tf.mul(d[i]!, lri));
      });
      ctx.report('ckp1', tf.scalar(c));
      return [updates, { sf_z: z, v, m, scalars: packDoubles([k! + 1, weightSum, lrMax]) }];
    },
    learningRate: lr,
    hyperparams: () => ({ lr: lr.value }),
  };
}

/** x = lerp(y, z, 1 − 1/β): the code's `optimizer.eval()` point, from the parameters y and the state's z. */
export function evalPoint(y: readonly tf.Tensor[], z: readonly tf.Tensor[], beta: number): tf.Tensor[] {
  return y.map((yi, i) => lerp(yi, z[i]!, 1 - 1 / beta));
}
