/**
 * FRUGAL (Zmushko et al. 2024, "FRUGAL: Memory-efficient optimization by reducing state overhead
 * for scalable training"; catalogue b30): the gradient is split into a state-full subspace, which
 * steps with AdamW, and the rest, which steps state-free (signSGD by default). The subspace is
 * redrawn every `update_gap` (T) steps. Three kinds of subspace (`projection`), as the official
 * code's three optimizers (philipzmr/FRUGAL `frugal/proj_optimizer_templates.py`, `adamw.py`; read
 * from hungquangbui02022003/FRUGAL @ c7ebe4c, the author's own commits):
 *   block  (BlockAdamW): a set of whole tensors (`block_order`: random, ascending, …);
 *   coord  (CoordAdamW): in every matrix, random `coord_choice` columns, rows or entries (randk);
 *   galore (GaloreAdamW): in every matrix, the span of a semi-orthogonal projection of rank
 *          round(ρ·dim) (`proj_type` svd of the gradient, random, randperm; `proj_side` std …).
 *   state-full: d = m̂/(sqrt(v̂) + eps) of the projected gradient, projected back up;
 *   state-free: d = inactive_lr_scale·sign(g − up(down(g)))   (`inactive_update_rule` sgd: the
 *               residual itself; no: nothing);
 *   w ← w − lr·(proj_params_lr_scale·d + wd·w)   (decoupled decay on every tensor, AdamW's).
 * coord and galore project every rank-2 tensor (matrices are in torch's [out, in] layout, so a
 * "column" is an input feature; the official code projects the nn.Linear weights of the blocks);
 * every other tensor (biases, norms, conv kernels) is plain AdamW, lr unscaled, never reset.
 * With `reset_statistics` (default) the moments and the bias-correction count restart at every
 * refresh; without it they carry over in the projected coordinates (GaLore's behaviour).
 * Block mode is BlockAdamW's: the tensors outside `state_full_roles` are its projectable group, of
 * which round(ρ·n) (Python's rounding) are state-full per period, chosen by `block_order`; at every
 * refresh all of them restart their moments and count, those staying in the set too (BlockAdamW
 * ignores `reset_statistics`). Differences: the random order draws from minima's seeded Rng, not
 * torch.randperm; the official projectable group is the attention/MLP nn.Linear weights, here every
 * tensor of a role outside `state_full_roles` (default: every kernel). The draws are pure functions
 * of (seed, period, tensor), so a resumed run draws the same sets; the SVD is of the gradient at the refresh step.
 */
import * as tf from '../../backends/tf.js';
import { z } from 'zod';
import { oneMinusPow, sign } from '../../backends/tree.js';
import { RunnerError } from '../../core/errors.js';
import { Rng } from '../../core/random.js';
import { betasOption, clipOption, clipped, defineOptimizer, lrOption } from '../entry.js';
import type { GradientTransformation, StateTree } from '../transform.js';
import { addDecayedWeights } from '../transforms/add-decayed-weights.js';
import { scaleByLearningRate } from '../transforms/scale-by-learning-rate.js';
import { coordCount, coordIndices, galoreLayout, roundHalfEven, galoreMatrices, type CoordChoice, type GaloreLayout, type ProjSide, type ProjType } from './frugal-subspaces.js';

/** BlockAdamW's `block_order`: how the next state-full set of tensors is chosen at a refresh. */
export type BlockOrder = 'random' | 'ascending' | 'descending' | 'mirror';

/** BlockAdamW's number of state-full tensors: round(ρ·n), Python's half-to-even (mirror needs it even). */
export function frugalBlockCount(n: number, density: number): number {
  return roundHalfEven(n * density);
}

/**
 * The state-full tensors of period k among n projectable tensors (indices into them), as BlockAdamW's
 * `_update_states`: random takes the first m of a permutation (minima's seeded Rng in place of
 * torch.randperm); ascending/descending walk m tensors on from where the last period stopped (the
 * official `next_block_start`, here (k·m) mod n, so resume needs no stored cursor); mirror takes m/2
 * tensors from the front and their mirror images from the back.
 */
export function frugalBlocks(seed: number, k: number, n: number, m: number, order: BlockOrder): number[] {
  const mod = (a: number, b: number) => ((a % b) + b) % b;
  if (m === 0 || n === 0) return [];
  if (order === 'random') {
    const perm = Array.from({ length: n }, (_v, i) => i);
    const rng = Rng.derive(seed, 'frugal', k);
    for (let i = n - 1; i > 0; i--) {
      const j = rng.int(i + 1);
      [perm[i], perm[j]] = [perm[j]!, perm[i]!];
    }
    return perm.slice(0, m);
  }
  if (order === 'ascending') return Array.from({ length: m }, (_v, j) => mod(k * m + j, n));
  if (order === 'descending') return Array.from({ length: m }, (_v, j) => mod(n - 1 - k * m - j, n));
  const half = Math.floor(n / 2);
  const start = mod(k * (m / 2), half);
  return Array.from({ length: m / 2 }, (_v, j) => mod(start + j, half)).flatMap((i) => [i, n - 1 - i]);
}

interface FrugalState {
  readonly [k: string]: StateTree;
  readonly mu: tf.Tensor[];
  readonly nu: tf.Tensor[];
  /** Steps each tensor has been state-full since it (re-)entered the set or its subspace was reset: its bias correction. */
  readonly steps: tf.Tensor[];
  readonly count: tf.Tensor;
}

/** coord and galore also keep each matrix's subspace: its indices, or its A and B ([1] placeholders where unused). */
interface ProjectedState extends FrugalState {
  readonly proj: StateTree[];
}

type Projection = 'block' | 'coord' | 'galore';
type InactiveRule = 'sign_sgd' | 'sgd' | 'no';

interface FrugalOptions {
  readonly betas: readonly [number, number];
  readonly eps: number;
  readonly density: number;
  readonly update_gap: number;
  readonly proj_params_lr_scale: number;
  readonly inactive_update_rule: InactiveRule;
  readonly inactive_lr_scale: number;
  readonly reset_statistics: boolean;
  readonly projection: Projection;
  readonly coord_choice: CoordChoice;
  readonly proj_type: ProjType;
  readonly proj_side: ProjSide;
  readonly state_full_roles: readonly ('kernel' | 'bias')[];
  readonly block_order: BlockOrder;
  readonly seed: number;
}

/** The Adam direction m̂/(sqrt(v̂) + eps) after one step of the moments (torch AdamW's arithmetic). */
function adamStep(g: tf.Tensor, mu: tf.Tensor, nu: tf.Tensor, steps: tf.Tensor, b1: number, b2: number, eps: number): { d: tf.Tensor; m: tf.Tensor; v: tf.Tensor; s: tf.Scalar } {
  const s = tf.add(steps, 1) as tf.Scalar;
  const m = tf.add(mu, tf.mul(tf.sub(g, mu), 1 - b1));
  const v = tf.add(tf.mul(nu, b2), tf.mul(tf.mul(g, g), 1 - b2));
  const d = tf.div(tf.div(m, oneMinusPow(b1, s)), tf.add(tf.div(tf.sqrt(v), tf.sqrt(oneMinusPow(b2, s))), eps));
  return { d, m, v, s };
}

/** The state-free step on the residual r = g − up(down(g)). */
function inactiveStep(r: tf.Tensor, o: FrugalOptions): tf.Tensor | null {
  if (o.inactive_update_rule === 'no') return null;
  const base = o.inactive_update_rule === 'sign_sgd' ? sign(r) : r;
  return o.inactive_lr_scale === 1 ? base : tf.mul(base, o.inactive_lr_scale);
}

function scaleByFrugalBlocks(o: FrugalOptions): GradientTransformation<FrugalState> {
  const [b1, b2] = o.betas;
  return {
    name: 'frugal',
    init: (params) => ({
      mu: params.map((p) => tf.zerosLike(p)),
      nu: params.map((p) => tf.zerosLike(p)),
      steps: params.map(() => tf.scalar(0)),
      count: tf.scalar(0),
    }),
    update(grads, state, _params, ctx) {
      const t = state.count.dataSync()[0]!; // 0-based step
      const refresh = t % o.update_gap === 0;
      // the projectable tensors (BlockAdamW's is_proj_params group), in parameter order; the rest is plain AdamW
      const always = grads.map((_g, i) => o.state_full_roles.includes(ctx.params[i]?.role ?? 'kernel'));
      const projected = grads.map((_g, i) => i).filter((i) => !always[i]);
      const m = frugalBlockCount(projected.length, o.density);
      if (o.block_order === 'mirror' && m % 2 !== 0) {
        throw new RunnerError('CONFIG_INVALID', `frugal block_order mirror needs an even number of state-full tensors, but round(${projected.length}·${o.density}) = ${m}`);
      }
      const full = always.slice();
      for (const j of frugalBlocks(o.seed, Math.floor(t / o.update_gap), projected.length, m, o.block_order)) full[projected[j]!] = true;
      ctx.report('state_full_fraction', tf.scalar(grads.reduce((s, g, i) => s + (full[i] ? g.size : 0), 0) / grads.reduce((s, g) => s + g.size, 0)));
      const mu: tf.Tensor[] = [];
      const nu: tf.Tensor[] = [];
      const steps: tf.Tensor[] = [];
      const out = grads.map((g, i) => {
        const scale = always[i] ? 1 : o.proj_params_lr_scale;
        if (!full[i]) {
          mu.push(tf.zerosLike(g));
          nu.push(tf.zerosLike(g));
          steps.push(tf.scalar(0));
          const d = inactiveStep(g, o);
          return d === null ? tf.zerosLike(g) : scale === 1 ? d : tf.mul(d, scale);
        }
        // BlockAdamW deactivates every projectable tensor at a refresh, so one that stays in the set restarts too
        const reset = refresh && !always[i];
        const a = adamStep(g, reset ? tf.zerosLike(g) : state.mu[i]!, reset ? tf.zerosLike(g) : state.nu[i]!, reset ? tf.scalar(0) : state.steps[i]!, b1, b2, o.eps);
        mu.push(a.m);
        nu.push(a.v);
        steps.push(a.s);
        return scale === 1 ? a.d : tf.mul(a.d, scale);
      });
      return [out, { mu, nu, steps, count: tf.add(state.count, 1) }];
    },
  };
}

/** A matrix's projection in torch's layout (R = out = the kernel's 2nd axis, C = in = its 1st). */
interface Projector {
  readonly rows: number;
  readonly cols: number;
  /** Shape of the projected state; [1] (and no state-full part) when the subspace is empty. */
  readonly low: readonly number[];
  readonly empty: boolean;
  /** coord: how many indices are kept. */
  readonly kept: number;
  readonly galore?: GaloreLayout;
}

function projectorOf(shape: readonly number[], o: FrugalOptions): Projector | null {
  if (shape.length !== 2) return null;
  const [cols, rows] = shape as [number, number];
  if (o.projection === 'galore') {
    const layout = galoreLayout(rows, cols, o.density, o.proj_side, o.proj_type);
    return { rows, cols, low: layout.rank > 0 ? layout.low : [1], empty: layout.rank === 0, kept: 0, galore: layout };
  }
  const k = coordCount(rows, cols, o.density, o.coord_choice);
  const low = o.coord_choice === 'columns' ? [rows, k] : o.coord_choice === 'rows' ? [k, cols] : [k];
  return { rows, cols, low: k > 0 ? low : [1], empty: k === 0, kept: k };
}

/** The subspace state of a projector at init: coord indices [k], or galore's A [R, r] and B [r, C]. */
function initProj(p: Projector | null): StateTree {
  if (p === null || p.empty) return tf.zeros([1]);
  if (!p.galore) return tf.zeros([p.kept]);
  const { side, rank } = p.galore;
  return { a: side === 'right' ? tf.zeros([1]) : tf.zeros([p.rows, rank]), b: side === 'left' ? tf.zeros([1]) : tf.zeros([rank, p.cols]) };
}

/** down(gt) for a torch-layout gradient gt [R, C], and up(low) back to [R, C]. */
function projection(p: Projector, proj: StateTree, o: FrugalOptions): { down(gt: tf.Tensor): tf.Tensor; up(low: tf.Tensor): tf.Tensor } {
  if (p.galore) {
    const { a, b } = proj as { a: tf.Tensor2D; b: tf.Tensor2D };
    const side = p.galore.side;
    return {
      down: (gt) => {
        const l = side === 'right' ? gt : tf.matMul(a, gt as tf.Tensor2D, true, false);
        return side === 'left' ? l : tf.matMul(l as tf.Tensor2D, b, false, true);
      },
      up: (low) => {
        const l = side === 'right' ? low : tf.matMul(a, low as tf.Tensor2D);
        return side === 'left' ? l : tf.matMul(l as tf.Tensor2D, b);
      },
    };
  }
  const idx = tf.cast(proj as tf.Tensor, 'int32');
  const k = idx.size;
  const { rows, cols } = p;
  if (o.coord_choice === 'columns') {
    return {
      down: (gt) => tf.gather(gt, idx, 1),
      up: (low) => tf.transpose(tf.scatterND(tf.reshape(idx, [k, 1]), tf.transpose(low), [cols, rows])),
    };
  }
  if (o.coord_choice === 'rows') {
    return { down: (gt) => tf.gather(gt, idx, 0), up: (low) => tf.scatterND(tf.reshape(idx, [k, 1]), low, [rows, cols]) };
  }
  return {
    down: (gt) => tf.gather(tf.reshape(gt, [-1]), idx),
    up: (low) => tf.reshape(tf.scatterND(tf.reshape(idx, [k, 1]), low, [rows * cols]), [rows, cols]),
  };
}

/** A refresh's new subspace for tensor i of period k (the SVD reads the torch-layout gradient gt). */
function drawProj(p: Projector, gt: tf.Tensor, o: FrugalOptions, k: number, i: number): StateTree {
  const rng = Rng.derive(o.seed, 'frugal', o.projection, k, i);
  if (!p.galore) return tf.tensor1d(Float32Array.from(coordIndices(rng, p.rows, p.cols, o.density, o.coord_choice)));
  const g = o.proj_type === 'svd' ? (gt.dataSync() as Float32Array) : new Float32Array(0);
  const { a, b } = galoreMatrices(p.galore, o.proj_type, g, p.rows, p.cols, rng);
  return {
    a: a ? tf.tensor2d(a, [p.rows, p.galore.rank]) : tf.zeros([1]),
    b: b ? tf.tensor2d(b, [p.galore.rank, p.cols]) : tf.zeros([1]),
  };
}

/** A kept subspace, copied into the new state (the caller disposes the old one). */
function cloneProj(t: StateTree): StateTree {
  if (t instanceof tf.Tensor) return tf.clone(t);
  const { a, b } = t as { a: tf.Tensor; b: tf.Tensor };
  return { a: tf.clone(a), b: tf.clone(b) };
}

function scaleByFrugalProjected(o: FrugalOptions): GradientTransformation<ProjectedState> {
  const [b1, b2] = o.betas;
  const projectors = new Map<string, Projector | null>();
  const projectorFor = (shape: readonly number[]) => {
    const key = shape.join('x');
    if (!projectors.has(key)) projectors.set(key, projectorOf(shape, o));
    return projectors.get(key)!;
  };
  return {
    name: 'frugal',
    init: (params) => {
      const ps = params.map((p) => projectorFor(p.shape));
      return {
        mu: params.map((p, i) => (ps[i] ? tf.zeros(ps[i]!.low as number[]) : tf.zerosLike(p))),
        nu: params.map((p, i) => (ps[i] ? tf.zeros(ps[i]!.low as number[]) : tf.zerosLike(p))),
        steps: params.map(() => tf.scalar(0)),
        count: tf.scalar(0),
        proj: ps.map(initProj),
      };
    },
    update(grads, state, _params, ctx) {
      const t = state.count.dataSync()[0]!; // 0-based step
      const refresh = t % o.update_gap === 0;
      const period = Math.floor(t / o.update_gap);
      const mu: tf.Tensor[] = [];
      const nu: tf.Tensor[] = [];
      const steps: tf.Tensor[] = [];
      const proj: StateTree[] = [];
      let stateful = 0;
      let total = 0;
      const out = grads.map((g, i) => {
        const p = projectorFor(g.shape);
        total += g.size;
        if (p === null) {
          stateful += g.size;
          const a = adamStep(g, state.mu[i]!, state.nu[i]!, state.steps[i]!, b1, b2, o.eps);
          mu.push(a.m);
          nu.push(a.v);
          steps.push(a.s);
          proj.push(tf.clone(state.proj[i] as tf.Tensor));
          return a.d;
        }
        const gt = tf.transpose(g);
        if (p.empty) {
          mu.push(tf.clone(state.mu[i]!));
          nu.push(tf.clone(state.nu[i]!));
          steps.push(tf.clone(state.steps[i]!));
          proj.push(tf.clone(state.proj[i] as tf.Tensor));
          const d = inactiveStep(g, o);
          return d === null ? tf.zerosLike(g) : o.proj_params_lr_scale === 1 ? d : tf.mul(d, o.proj_params_lr_scale);
        }
        stateful += p.low.reduce((s, n) => s * n, 1);
        const sub = refresh ? drawProj(p, gt, o, period, i) : cloneProj(state.proj[i]!);
        const reset = refresh && (o.reset_statistics || t === 0);
        const { down, up } = projection(p, sub, o);
        const low = down(gt);
        const a = adamStep(low, reset ? tf.zerosLike(low) : state.mu[i]!, reset ? tf.zerosLike(low) : state.nu[i]!, reset ? tf.scalar(0) : state.steps[i]!, b1, b2, o.eps);
        mu.push(a.m);
        nu.push(a.v);
        steps.push(a.s);
        proj.push(sub);
        let dt = up(a.d);
        const rest = inactiveStep(tf.sub(gt, up(low)), o);
        if (rest !== null) dt = tf.add(dt, rest);
        const d = tf.transpose(dt);
        return o.proj_params_lr_scale === 1 ? d : tf.mul(d, o.proj_params_lr_scale);
      });
      ctx.report('state_full_fraction', tf.scalar(stateful / total));
      return [out, { mu, nu, steps, count: tf.add(state.count, 1), proj }];
    },
  };
}

export const frugal = defineOptimizer({
  name: 'frugal',
  summary: 'FRUGAL: AdamW on a state-full subspace (tensor blocks, random columns, or an SVD/random projection) redrawn every T steps, signSGD on the rest (Zmushko et al. 2024)',
  schema: z.strictObject({
    lr: lrOption(1e-3),
    betas: betasOption(0.9, 0.999),
    eps: z.number().min(0).default(1e-8).describe('added to sqrt(v̂) (AdamW)'),
    weight_decay: z.number().min(0).default(0.01).describe('decoupled: p ← p·(1 − lr·wd), on every tensor (the official AdamW class default 0.01)'),
    projection: z.enum(['block', 'coord', 'galore']).default('block').describe('the state-full subspace: whole tensors (BlockAdamW), coordinates of each matrix (CoordAdamW) or a low-rank projection of each matrix (GaloreAdamW)'),
    density: z.number().min(0).max(1).default(0.25).describe('ρ: block, round(ρ·n) of the n projectable tensors are state-full (BlockAdamW); coord, int(ρ·n) columns/rows/entries; galore, rank round(ρ·dim)'),
    update_gap: z.number().int().positive().default(200).describe('T: steps between redraws of the state-full subspace'),
    proj_params_lr_scale: z.number().min(0).default(1).describe('multiplies the step (both parts) of the projected tensors: block, those outside state_full_roles; coord/galore, the matrices'),
    inactive_update_rule: z.enum(['sign_sgd', 'sgd', 'no']).default('sign_sgd').describe('the state-free step: sign of the residual gradient, the residual itself, or none'),
    inactive_lr_scale: z.number().min(0).default(1).describe('the state-free step is lr·proj_params_lr_scale·inactive_lr_scale'),
    reset_statistics: z.boolean().default(true).describe('coord/galore: zero the moments and the bias-correction count at every refresh (false: they carry over, GaLore-style); block always resets every projectable tensor at a refresh, as BlockAdamW'),
    coord_choice: z.enum(['columns', 'rows', 'randk']).default('columns').describe('coord: random columns (input features), rows (output units) or entries of each matrix'),
    proj_type: z.enum(['svd', 'random', 'randperm']).default('svd').describe('galore: top singular vectors of the gradient at the refresh, a random semi-orthogonal matrix, or rows of a random permutation'),
    proj_side: z.enum(['std', 'reverse_std', 'left', 'right', 'full']).default('std').describe('galore: project the smaller dimension (std), the larger (reverse_std), always left/right, or both (full)'),
    state_full_roles: z.array(z.enum(['kernel', 'bias'])).default(['bias']).describe('block: roles outside the projectable group, always plain AdamW (the official regular group); coord/galore project every rank-2 tensor and keep the rest state-full'),
    block_order: z.enum(['random', 'ascending', 'descending', 'mirror']).default('random').describe('block: the next state-full tensors: a random draw, the next round(ρ·n) in parameter order, in reverse order, or pairs from both ends (round(ρ·n) even)'),
    seed: z.number().int().min(0).default(0).describe('seed of the subspace draws'),
    ...clipOption,
  }),
  gradEvals: 1,
  info: { source: 'philipzmr/FRUGAL frugal/proj_optimizer_templates.py, coordinate_projector.py, galore_projector.py, adamw.py (read from hungquangbui02022003/FRUGAL @ c7ebe4c, the author commits)', paper: 'Zmushko et al. 2024, FRUGAL' },
  create: (o) => clipped(o.clip_grad_norm, o.projection === 'block' ? scaleByFrugalBlocks(o) : scaleByFrugalProjected(o), addDecayedWeights(o.weight_decay), scaleByLearningRate({ value: o.lr })),
});
