/**
 * SGD with torch semantics (torch/optim/sgd.py) and SGDW (decoupled decay, Loshchilov & Hutter).
 *   sgd:  d = g + wd·p;  buf = d (first step) | momentum·buf + (1 − dampening)·d;  d = nesterov ? d + momentum·buf : buf;  p −= lr·d
 *   sgdw: p −= lr·wd·p (decay_scaled_by_lr, torch convention) or wd·p (paper convention, η = 1);  then the momentum step without wd
 */
import * as tf from '../../backends/tf.js';
import { z } from 'zod';
import { stateless } from '../transform.js';
import { addDecayedWeights } from '../transforms/add-decayed-weights.js';
import { scaleByLearningRate } from '../transforms/scale-by-learning-rate.js';
import { trace, type TraceState } from '../transforms/trace.js';
import { clipOption, defineOptimizer, lrOption } from '../entry.js';
import type { GradientTransformation, Hyper } from '../transform.js';
import { select } from '../tree.js';
import { runProgram } from '../fused/kernel.js';
import { column, fusedRecipe, perParam } from '../fused/recipe.js';
import { sgdProgram, type DecayMode } from '../fused/rules.js';

const momentumFields = {
  lr: lrOption(1e-3),
  momentum: z.number().min(0).default(0).describe('momentum factor (torch SGD)'),
  dampening: z.number().min(0).max(1).default(0).describe('dampening for momentum; not applied on the first step (torch)'),
  nesterov: z.boolean().default(false).describe('Nesterov momentum; needs momentum > 0 and dampening = 0'),
  ...clipOption,
};

function nesterovRule(o: { nesterov: boolean; momentum: number; dampening: number }, ctx: z.RefinementCtx): void {
  if (o.nesterov && (o.momentum <= 0 || o.dampening !== 0)) {
    ctx.addIssue({ code: 'custom', path: ['nesterov'], message: 'Nesterov momentum requires momentum > 0 and dampening = 0 (as torch.optim.SGD)' });
  }
}

const sgdSchema = z
  .strictObject({ ...momentumFields, weight_decay: z.number().min(0).default(0).describe('coupled L2: added to the gradient before momentum') })
  .superRefine(nesterovRule);

export const sgd = defineOptimizer({
  name: 'sgd',
  summary: 'SGD with momentum, dampening, Nesterov and coupled weight decay (torch.optim.SGD semantics)',
  schema: sgdSchema,
  info: { gradEvals: 1, source: 'pytorch/pytorch torch/optim/sgd.py' },
  create(o) {
    const lr: Hyper = { value: o.lr };
    return sgdRecipe(o, [addDecayedWeights(o.weight_decay), trace(o), scaleByLearningRate(lr)], lr, o.weight_decay === 0 ? 'none' : 'coupled');
  },
});

interface MomentumOptions {
  readonly momentum: number; readonly dampening: number; readonly nesterov: boolean; readonly weight_decay: number; readonly clip_grad_norm: number | null;
}

/** The composite chain `parts`, and its fused form (kernel MinimaSgd) on cpu and wasm. */
function sgdRecipe(o: MomentumOptions, parts: GradientTransformation<any>[], lr: Hyper, mode: DecayMode): GradientTransformation {
  const program = sgdProgram(o.momentum, o.nesterov, o.weight_decay, mode);
  return fusedRecipe(o.clip_grad_norm, parts, (grads, state, params) => {
    const s = state['momentum'] as TraceState;
    if (o.momentum === 0 || !('buf' in s)) {
      return [perParam(params, (i) => runProgram(program, [params[i]!, grads[i]!], [-lr.value])).updates, {}];
    }
    // the first-step coefficient exactly as trace() selects it
    const coef = select(tf.equal(s.count, 0), 1, 1 - o.dampening);
    const { updates, states } = perParam(params, (i) => runProgram(program, [params[i]!, grads[i]!, s.buf[i]!], [-lr.value, coef]));
    return [updates, { momentum: { buf: column(states, 0), count: tf.add(s.count, 1) } }];
  });
}

const sgdwSchema = z
  .strictObject({
    ...momentumFields,
    weight_decay: z.number().min(0).default(0).describe('decoupled decay: p ← p − lr·wd·p (or wd·p, see decay_scaled_by_lr)'),
    decay_scaled_by_lr: z.boolean().default(true).describe('true: torch convention p·(1 − lr·wd); false: paper convention with η = 1, p·(1 − wd)'),
  })
  .superRefine(nesterovRule);

export const sgdw = defineOptimizer({
  name: 'sgdw',
  summary: 'SGD with decoupled weight decay (Loshchilov & Hutter), torch-style momentum',
  schema: sgdwSchema,
  info: { gradEvals: 1, source: 'loshchil/AdamW-and-SGDW (Alg. 1), torch SGD momentum' },
  create(o) {
    const lr: Hyper = { value: o.lr };
    const none = o.weight_decay === 0;
    if (o.decay_scaled_by_lr) {
      return sgdRecipe(o, [trace(o), addDecayedWeights(o.weight_decay), scaleByLearningRate(lr)], lr, none ? 'none' : 'decoupled');
    }
    const unscaledDecay = stateless('decay', (u, params) =>
      none ? u : u.map((x, i) => tf.sub(x, tf.mul(params[i]!, o.weight_decay))),
    );
    return sgdRecipe(o, [trace(o), scaleByLearningRate(lr), unscaledDecay], lr, none ? 'none' : 'after_lr');
  },
});
