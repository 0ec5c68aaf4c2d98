/**
 * L-BFGS with torch.optim.LBFGS semantics (torch/optim/lbfgs.py, after minFunc): one `step` runs up
 * to `max_iter` quasi-Newton iterations on the step's batch, each a two-loop recursion over the last
 * `history_size` pairs (s, y) of one flat vector of every parameter, then a fixed step t = lr (the
 * first iteration of a run: min(1, 1/‖g‖₁)·lr) or torch's strong-Wolfe line search; it stops early
 * on max_eval evaluations, ‖g‖∞ ≤ tolerance_grad, a directional derivative > −tolerance_change, a
 * step or loss change under tolerance_change. Every re-evaluation is ctx.evaluate (counted in
 * gradEvals, which therefore varies from step to step, 1 to max_eval).
 *
 * Batches: each step's closure is that step's batch, as a torch loop calling `opt.step(closure)` per
 * batch; the history carries across steps. L-BFGS is meant for full-batch problems (batch_size ≥ the
 * train set); with mini-batches the pairs mix batches, which torch allows and minima does too.
 *
 * State (checkpointed, so a resumed run continues bit for bit): d, t, the history as fixed
 * [history_size, n] buffers whose first `count` rows are valid (oldest first), ro, H_diag,
 * prev_flat_grad, prev_loss, n_iter, func_evals. Stopping tests and the line search read scalars
 * back to JS (a few per iteration), as torch's Python control flow does.
 */
import { z } from 'zod';
import * as tf from '../../backends/tf.js';
import { withPrecomputedSum } from '../apply.js';
import { clipOption, defineOptimizer, lrOption } from '../entry.js';
import { strongWolfe } from '../strong-wolfe.js';
import type { GradientTransformation, Params } from '../transform.js';

export interface LbfgsOptions {
  readonly lr: number;
  readonly max_iter: number;
  readonly max_eval: number | null;
  readonly tolerance_grad: number;
  readonly tolerance_change: number;
  readonly history_size: number;
  readonly line_search_fn: 'strong_wolfe' | null;
  readonly clip_grad_norm: number | null;
}

export interface LbfgsState {
  readonly [k: string]: tf.Tensor;
  readonly d: tf.Tensor;
  readonly t: tf.Tensor;
  readonly old_dirs: tf.Tensor;
  readonly old_stps: tf.Tensor;
  readonly ro: tf.Tensor;
  readonly count: tf.Tensor;
  readonly h_diag: tf.Tensor;
  readonly prev_flat_grad: tf.Tensor;
  readonly prev_loss: tf.Tensor;
  readonly n_iter: tf.Tensor;
  readonly func_evals: tf.Tensor;
}

const read = (t: tf.Tensor): number => t.dataSync()[0]!;
const flatOf = (xs: readonly tf.Tensor[]): tf.Tensor1D => tf.concat(xs.map((x) => tf.reshape(x, [-1])) as tf.Tensor1D[]);
const dot = (a: tf.Tensor, b: tf.Tensor): tf.Scalar => tf.dot(a as tf.Tensor1D, b as tf.Tensor1D) as tf.Scalar;
const absMax = (x: tf.Tensor): number => read(tf.max(tf.abs(x)));

/** The L-BFGS rule as one transformation (torch's `step`); exported for tests. */
export function scaleByLbfgs(o: LbfgsOptions): GradientTransformation<LbfgsState> {
  const lr = { value: o.lr };
  const maxEval = o.max_eval ?? Math.floor((o.max_iter * 5) / 4);
  const m = o.history_size;
  return {
    name: 'lbfgs',
    learningRate: lr,
    hyperparams: () => ({ lr: lr.value }),
    init(params) {
      const n = params.reduce((s, p) => s + p.size, 0);
      const scalar = () => tf.scalar(0);
      return {
        d: tf.zeros([n]), t: scalar(), old_dirs: tf.zeros([m, n]), old_stps: tf.zeros([m, n]), ro: tf.zeros([m]), count: scalar(),
        h_diag: tf.scalar(1), prev_flat_grad: tf.zeros([n]), prev_loss: scalar(), n_iter: scalar(), func_evals: scalar(),
      };
    },
    update(grads, state, params, ctx) {
      const shapes = params.map((p) => p.shape);
      const sizes = params.map((p) => p.size);
      const split = (flat: tf.Tensor): tf.Tensor[] => tf.split(flat, sizes).map((x, i) => tf.reshape(x, shapes[i]!));
      // x: the running point, accumulated in place as torch's p.add_(d, alpha=t)
      let x: tf.Tensor[] = [...params];
      const at = (t: number, d: tf.Tensor): tf.Tensor[] => split(tf.add(flatOf(x), tf.mul(d, t)));
      // clip_grad_norm acts on every gradient the rule reads, as a clip inside torch's closure would
      const clip = (g: tf.Tensor1D): tf.Tensor1D => {
        if (o.clip_grad_norm === null) return g;
        const norm = tf.norm(g);
        return tf.mul(g, tf.minimum(tf.div(o.clip_grad_norm, tf.add(norm, 1e-6)), 1));
      };
      const evaluateAt = (point: Params) => {
        const r = ctx.evaluate(point);
        return { loss: read(r.loss), grad: clip(flatOf(r.grads)) };
      };

      let loss = read(ctx.loss);
      if (o.clip_grad_norm !== null) ctx.report('unclipped_grad_norm', tf.norm(flatOf(grads)) as tf.Scalar);
      let flatGrad = clip(flatOf(grads));
      let currentEvals = 1;
      let funcEvals = read(state.func_evals) + 1;
      let nIterTotal = read(state.n_iter);
      if (absMax(flatGrad) <= o.tolerance_grad) {
        // optimal at the start: torch returns before touching anything but func_evals
        return [params.map((p) => tf.zerosLike(p)), { ...state, func_evals: tf.scalar(funcEvals) }];
      }

      let d: tf.Tensor = state.d;
      let t = read(state.t);
      const count = read(state.count);
      let dirs: tf.Tensor[] = count > 0 ? tf.unstack(tf.slice(state.old_dirs, 0, count)) : [];
      let stps: tf.Tensor[] = count > 0 ? tf.unstack(tf.slice(state.old_stps, 0, count)) : [];
      let ro: tf.Scalar[] = count > 0 ? (tf.unstack(tf.slice(state.ro, 0, count)) as tf.Scalar[]) : [];
      let hDiag: tf.Scalar = state.h_diag as tf.Scalar;
      let prevFlatGrad: tf.Tensor = state.prev_flat_grad;
      let prevLoss = read(state.prev_loss);

      let nIter = 0;
      while (nIter < o.max_iter) {
        nIter++;
        nIterTotal++;
        if (nIterTotal === 1) {
          d = tf.neg(flatGrad);
          dirs = [];
          stps = [];
          ro = [];
          hDiag = tf.scalar(1);
        } else {
          const y = tf.sub(flatGrad, prevFlatGrad);
          const s = tf.mul(d, t);
          const ys = dot(y, s);
          if (read(ys) > 1e-10) {
            if (dirs.length === m) {
              dirs.shift();
              stps.shift();
              ro.shift();
            }
            dirs.push(y);
            stps.push(s);
            ro.push(tf.div(1, ys));
            hDiag = tf.div(ys, dot(y, y));
          }
          // the two-loop recursion: d = −H·g
          const al: tf.Scalar[] = new Array<tf.Scalar>(dirs.length);
          let q: tf.Tensor = tf.neg(flatGrad);
          for (let i = dirs.length - 1; i >= 0; i--) {
            al[i] = tf.mul(dot(stps[i]!, q), ro[i]!);
            q = tf.sub(q, tf.mul(dirs[i]!, al[i]!));
          }
          let r: tf.Tensor = tf.mul(q, hDiag);
          for (let i = 0; i < dirs.length; i++) {
            const be = tf.mul(dot(dirs[i]!, r), ro[i]!);
            r = tf.add(r, tf.mul(stps[i]!, tf.sub(al[i]!, be)));
          }
          d = r;
        }
        prevFlatGrad = flatGrad;
        prevLoss = loss;

        // torch: min(1, 1/‖g‖₁)·lr on a run's first iteration (a float32 tensor there), then lr
        t = nIterTotal === 1 ? Math.min(1, Math.fround(1 / read(tf.sum(tf.abs(flatGrad))))) * lr.value : lr.value;
        const gtd = read(dot(flatGrad, d));
        if (gtd > -o.tolerance_change) break;

        let lsEvals = 0;
        let optCond = false;
        if (o.line_search_fn === 'strong_wolfe') {
          const r = strongWolfe((tt) => evaluateAt(at(tt, d)), d as tf.Tensor1D, { t, f: loss, g: flatGrad as tf.Tensor1D, gtd }, { toleranceChange: o.tolerance_change, maxLs: maxEval - currentEvals });
          ({ loss, t } = r);
          flatGrad = r.grad;
          lsEvals = r.evals;
          x = at(t, d);
          optCond = absMax(flatGrad) <= o.tolerance_grad;
        } else {
          x = at(t, d);
          if (nIter !== o.max_iter) {
            ({ loss, grad: flatGrad } = evaluateAt(x));
            optCond = absMax(flatGrad) <= o.tolerance_grad;
            lsEvals = 1;
          }
        }
        currentEvals += lsEvals;
        funcEvals += lsEvals;

        if (nIter === o.max_iter) break;
        if (currentEvals >= maxEval) break;
        if (optCond) break;
        if (absMax(tf.mul(d, t)) <= o.tolerance_change) break;
        if (Math.abs(loss - prevLoss) < o.tolerance_change) break;
      }

      const n = flatGrad.size;
      const buffer = (rows: readonly tf.Tensor[]): tf.Tensor => (rows.length === m ? tf.stack([...rows]) : tf.concat([...rows.map((r) => tf.reshape(r, [1, n])), tf.zeros([m - rows.length, n])]));
      const roBuffer = rows0(ro, m);
      const next: LbfgsState = {
        d, t: tf.scalar(t), old_dirs: buffer(dirs), old_stps: buffer(stps), ro: roBuffer, count: tf.scalar(dirs.length), h_diag: tf.reshape(hDiag, []),
        prev_flat_grad: prevFlatGrad, prev_loss: tf.scalar(prevLoss), n_iter: tf.scalar(nIterTotal), func_evals: tf.scalar(funcEvals),
      };
      const updates = x.map((xi, i) => (xi === params[i] ? tf.zerosLike(xi) : withPrecomputedSum(tf.sub(xi, params[i]!), params[i]!, xi)));
      return [updates, next];
    },
  };
}

/** The valid ro values padded with zeros to the history size. */
function rows0(ro: readonly tf.Scalar[], m: number): tf.Tensor {
  const valid = ro.map((r) => tf.reshape(r, [1]));
  return valid.length === m ? tf.concat(valid) : tf.concat([...valid, tf.zeros([m - valid.length])]);
}

export const lbfgs = defineOptimizer({
  name: 'lbfgs',
  summary: 'L-BFGS with torch.optim.LBFGS semantics: up to max_iter quasi-Newton iterations per step, fixed step or strong-Wolfe line search (full-batch problems)',
  schema: z.strictObject({
    lr: lrOption(1),
    max_iter: z.number().int().positive().default(20).describe('most quasi-Newton iterations per optimizer step'),
    max_eval: z.number().int().positive().nullable().default(null).describe('most loss/gradient evaluations per step; null = floor(max_iter·5/4) (torch)'),
    tolerance_grad: z.number().min(0).default(1e-7).describe('stop when max |g| ≤ this (first-order optimality)'),
    tolerance_change: z.number().min(0).default(1e-9).describe('stop when the step, the loss change or the directional derivative falls under this'),
    history_size: z.number().int().positive().default(100).describe('(s, y) pairs kept for the two-loop recursion'),
    line_search_fn: z.enum(['strong_wolfe']).nullable().default(null).describe("null: fixed step lr; 'strong_wolfe': torch's strong-Wolfe line search (c1 1e-4, c2 0.9)"),
    ...clipOption,
  }),
  // the most a step takes with the defaults: max_eval 25, +1 when a line search ends on its last trial (torch)
  gradEvals: 26,
  fixedGroups: 'keeps one flat history over every tensor (torch LBFGS has no parameter groups)',
  info: { source: 'pytorch/pytorch torch/optim/lbfgs.py (LBFGS, _strong_wolfe, _cubic_interpolate)', paper: 'Nocedal 1980; Liu & Nocedal 1989, On the limited memory BFGS method for large scale optimization', gradEvalsVary: 'per step: 1 to max_eval (+1 in a line search)' },
  create: (o) => scaleByLbfgs(o),
});
