import * as tf from '../../backends/tf.js';
import { globToRegExp } from '../../core/registry.js';
import type { GradientTransformation, Hyper, StateTree } from '../transform.js';
import type { GroupedParam } from '../param-groups.js';
import { lerp } from './lerp.js';

export interface MuonOptions {
  readonly lr: number;
  readonly momentum: number;
  readonly nesterov: boolean;
  readonly ns_steps: number;
  readonly weight_decay: number;
  readonly adam_lr: number;
  readonly adam_betas: readonly [number, number];
  readonly adam_eps: number;
  readonly adam_weight_decay: number;
  readonly adamw_names: readonly string[];
}
export interface MuonState {
  readonly [k: string]: StateTree;
  /** Muon's momentum buffer, or the auxiliary Adam's exp_avg (by tensor). */
  readonly mu: tf.Tensor[];
  /** The auxiliary Adam's exp_avg_sq (zeros for Muon's tensors). */
  readonly nu: tf.Tensor[];
  /** The auxiliary Adam's step. */
  readonly count: tf.Scalar;
}


/**
 * zeropower_via_newtonschulz5 on X with rows ≤ columns: X/(‖X‖_F + 1e-7), then `steps` quintic
 * iterations X ← aX + (bA + cA²)X, A = XXᵀ, (a, b, c) = (3.4445, −4.7750, 2.0315). float32 here
 * (the official code runs it in bfloat16).
 */
export function newtonSchulz(x0: tf.Tensor2D, steps: number): tf.Tensor2D {
  let x = tf.div(x0, tf.add(tf.sqrt(tf.sum(tf.square(x0))), 1e-7)) as tf.Tensor2D;
  for (let i = 0; i < steps; i++) {
    const a = tf.matMul(x, x, false, true);
    const b = tf.add(tf.mul(a, -4.775), tf.mul(tf.matMul(a, a), 2.0315)) as tf.Tensor2D;
    x = tf.add(tf.mul(x, 3.4445), tf.matMul(b, x)) as tf.Tensor2D;
  }
  return x;
}

/**
 * Muon's orthogonalised step for a kernel whose last axis is the output (minima's [in, out] and
 * [kh, kw, in, out]): viewed as M = [fan_in, out], which is torch's [out, fan_in] transposed. The
 * official code transposes to rows ≤ columns before the iteration and back after, and scales by
 * sqrt(max(1, out/fan_in)); column order inside fan_in does not change the result (the
 * iteration commutes with permutations), so conv kernels need no reordering.
 */
export function orthogonalised(u: tf.Tensor, steps: number): tf.Tensor {
  const out = u.shape[u.rank - 1]!;
  const fanIn = u.size / out;
  const m = tf.reshape(u, [fanIn, out]) as tf.Tensor2D;
  const wide = out > fanIn; // torch G = [out, fan_in] is tall: its code iterates on Gᵀ = M
  const x = newtonSchulz(wide ? m : tf.transpose(m), steps);
  const back = wide ? x : tf.transpose(x);
  return tf.reshape(tf.mul(back, Math.sqrt(Math.max(1, out / fanIn))), u.shape);
}

/** Whether a tensor takes the Muon step: kernels of rank ≥ 2 not named in `adamw_names`. */
export function usesMuon(p: GroupedParam | undefined, t: tf.Tensor, adamw: readonly RegExp[]): boolean {
  return p !== undefined && p.role === 'kernel' && t.rank >= 2 && !adamw.some((re) => re.test(p.name));
}

/**
 * SingleDeviceMuonWithAuxAdam's step (KellerJordan/Muon `muon.py`, 857d1ad), learning rates and decay included:
 *   Muon tensors: m = lerp(m, g, 1 − β);  u = lerp(g, m, β) (nesterov) or m;  O = NS5(u)·sqrt(max(1, out/in))
 *                 p ← p·(1 − lr·wd) − lr·O
 *   the rest:     Adam (exp_avg/exp_avg_sq by lerp, bias-corrected, eps outside the sqrt)
 *                 p ← p·(1 − lr_adam·wd_adam) − lr_adam·m̂/(sqrt(v̂) + eps)
 * A schedule scales both learning rates by the same factor (as torch schedulers scale every group).
 */
export function scaleByMuon(lr: Hyper, o: MuonOptions): GradientTransformation<MuonState> {
  const adamw = o.adamw_names.map(globToRegExp);
  const [b1, b2] = o.adam_betas;
  return {
    name: 'muon',
    init: (params) => ({ mu: params.map((p) => tf.zerosLike(p)), nu: params.map((p) => tf.zerosLike(p)), count: tf.scalar(0) }),
    update(grads, state, params, ctx) {
      const t = state.count.dataSync()[0]! + 1;
      const factor = o.lr === 0 ? 1 : lr.value / o.lr;
      const mu: tf.Tensor[] = [];
      const nu: tf.Tensor[] = [];
      const updates = params.map((p, i) => {
        const g = grads[i]!;
        const gp = ctx.params[i];
        const scale = gp?.lrScale ?? 1;
        if (usesMuon(gp, p, adamw)) {
          const m = lerp(state.mu[i]!, g, 1 - o.momentum);
          mu.push(m);
          nu.push(state.nu[i]!);
          const lri = lr.value * scale;
          const wd = gp?.decay === false ? 0 : o.weight_decay;
          const step = tf.mul(orthogonalised(o.nesterov ? lerp(g, m, o.momentum) : m, o.ns_steps), lri);
          return wd === 0 ? tf.neg(step) : tf.sub(tf.neg(tf.mul(p, lri * wd)), step);
        }
        const m = lerp(state.mu[i]!, g, 1 - b1);
        const v = lerp(state.nu[i]!, tf.square(g), 1 - b2);
        mu.push(m);
        nu.push(v);
        const lri = o.adam_lr * factor * scale;
        const wd = gp?.decay === false ? 0 : o.adam_weight_decay;
        const upd = tf.div(tf.div(m, 1 - b1 ** t), tf.add(tf.sqrt(tf.div(v, 1 - b2 ** t)), o.adam_eps));
        const step = tf.mul(upd, lri);
        return wd === 0 ? tf.neg(step) : tf.sub(tf.neg(tf.mul(p, lri * wd)), step);
      });
      return [updates, { mu, nu, count: tf.scalar(t) }];
    },
    learningRate: lr,
    hyperparams: () => ({ lr: lr.value, adam_lr: o.adam_lr * (o.lr === 0 ? 1 : lr.value / o.lr) }),
  };
}
