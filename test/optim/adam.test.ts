/** torch Adam / AdamW, worked by hand on f = ½x² (g = x) from x = 1, β = (0.9, 0.999), eps 1e-8. */
import '../support/tf.js';
import { test } from 'node:test';
import { assertClose } from '../support/tf.js';
import { createOptimizer } from '../../src/optim/index.js';
import { closureOf, disposeParams, flat, linear, makeParams, parabola, runSteps } from './helpers.js';
import { trajectory } from './helpers-run.js';

const ONE = [{ value: [1] }];

test('adamw: decoupled decay scaled by lr, then the Adam step', () => {
  // lr 0.1, wd 0.1. step 1: p = 1·(1 − 0.01) = 0.99; m = 0.1, v = 0.001, m̂ = 1, sqrt(v̂) = 1 → x = 0.99 − 0.1 = 0.89
  // step 2: g = 0.89; p = 0.89·0.99 = 0.8811; m = 0.09 + 0.089 = 0.179, v = 0.000999 + 0.00079210 = 0.0017911
  //   m̂ = 0.179/0.19 = 0.942105, v̂ = 0.0017911/0.001999 = 0.895998, ratio = 0.942105/0.946572 = 0.995281
  //   x = 0.8811 − 0.0995281 = 0.781572
  const t = trajectory({ name: 'adamw', lr: 0.1, weight_decay: 0.1 }, ONE, parabola, 2);
  assertClose(t.params.flat(), [0.89, 0.7815719], 2e-6, 1e-7);
});

test('adamw decay_scaled_by_lr false: the paper\'s decay η_t·λ follows the schedule multiplier, not lr', () => {
  // lr₀ 0.1, λ 0.1; the schedule gives lr 0.1 then 0.05 (η = 1, 0.5). step 1: Adam direction 1 →
  //   x = 1 − 0.1·1 − 1·0.1·1 = 0.8 (torch form: 0.89).  step 2: g = 0.8; m = 0.17, v = 0.001639,
  //   m̂ = 0.894737, sqrt(v̂) = 0.905489, ratio 0.988125 → x = 0.8 − 0.05·0.988125 − 0.5·0.1·0.8 = 0.7105937
  const params = makeParams(ONE);
  const opt = createOptimizer({ name: 'adamw', lr: 0.1, weight_decay: 0.1, decay_scaled_by_lr: false }, params);
  const closure = closureOf(params, parabola);
  const xs: number[] = [];
  for (const lr of [0.1, 0.05]) {
    opt.setLearningRate(lr);
    runSteps(opt, closure, 1);
    xs.push(...flat(params));
  }
  opt.dispose();
  disposeParams(params);
  assertClose(xs, [0.8, 0.7105937], 2e-6, 1e-7);
});

test('adam: coupled L2 goes through the moments (distinguishable from AdamW)', () => {
  // lr 0.1, wd 0.1: g = 1.1x. step 1: m̂ = sqrt(v̂) = 1.1 → x = 1 − 0.1 = 0.9 (AdamW: 0.89)
  // step 2: g = 0.99; m = 0.099 + 0.099 = 0.198, v = 0.00120879 + 0.0009801 = 0.00218889
  //   m̂ = 1.0421053, v̂ = 1.0949925, ratio = 1.0421053/1.0464189 = 0.995878 → x = 0.9 − 0.0995878 = 0.8004122
  const t = trajectory({ name: 'adam', lr: 0.1, weight_decay: 0.1 }, ONE, parabola, 2);
  assertClose(t.params.flat(), [0.9, 0.8004122], 2e-6, 1e-7);
});

test('adam: eps is added after the bias-corrected sqrt (torch placement)', () => {
  // f = 1e-6·x (g = 1e-6), lr 1, eps 1e-6: m̂ = 1e-6, sqrt(v̂) = 1e-6 → step = 1e-6/(1e-6 + 1e-6) = 0.5
  // (eps on the uncorrected sqrt(v) = 3.16e-8 would give 0.0969·sqrt(0.001)/0.1 = 0.0307 instead)
  const t = trajectory({ name: 'adam', lr: 1, eps: 1e-6 }, ONE, linear([1e-6]), 1);
  assertClose(t.params[0]!, [0.5], 1e-5);
});
