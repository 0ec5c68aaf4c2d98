/** ADOPT, AdaBelief and the cautious wrapper worked by hand on f = ½Σ a_i x_i² (a = 1, 2, …). */
import '../support/tf.js';
import { test } from 'node:test';
import { assertClose } from '../support/tf.js';
import { parabola } from './helpers.js';
import { trajectory } from './helpers-run.js';

const ONE = [{ value: [1] }];

test('adopt: no step on the first call; then g normalised by the previous v, momentum after', () => {
  // lr 0.1: step 1 sets v = 1 only; step 2: n = 1, m = 0.1 → 0.99; v stays 1 (0.9999 + 0.0001)
  // step 3: g = 0.99, n = 0.99 (clip ±2^¼), m = 0.09 + 0.099 = 0.189 → 0.99 − 0.0189 = 0.9711
  const t = trajectory({ name: 'adopt', lr: 0.1 }, ONE, parabola, 3);
  assertClose(t.params.flat(), [1, 0.99, 0.9711], 1e-6);
  // decoupled decay is skipped on the first step as well: step 2 → 1 − 0.1·0.5 − 0.01 = 0.94
  const d = trajectory({ name: 'adopt', lr: 0.1, weight_decay: 0.5, decouple: true }, ONE, parabola, 2);
  assertClose(d.params.flat(), [1, 0.94], 1e-6);
});

test('adabelief: the SGD step while N_t < 5 (rectified), the belief denominator otherwise', () => {
  // rectify (default): N_1 = 1 → x = 1 − 0.1·m/(1 − β1) = 0.9
  const r = trajectory({ name: 'adabelief', lr: 0.1 }, ONE, parabola, 1);
  assertClose(r.params.flat(), [0.9], 1e-6);
  // paper form, eps 1e-8: s = 0.001·(1 − 0.1)² + 1e-8 = 0.00081001; denom = sqrt(s)/sqrt(0.001) + 1e-8 = 0.9000056
  // x = 1 − 0.1·1/0.9000056 = 0.8888896 (Adam: 0.9)
  const p = trajectory({ name: 'adabelief', lr: 0.1, rectify: false, eps: 1e-8 }, ONE, parabola, 1);
  assertClose(p.params.flat(), [0.8888896], 1e-6);
});

test('cautious: entries whose update disagrees with g are dropped, the rest rescaled', () => {
  // sgd lr 0.9, momentum 0.9 from (1, −0.05), g = (x1, 2·x2). step 1 agrees everywhere → (0.1, 0.04)
  // step 2: g = (0.1, 0.08), buf = (1.0, −0.01): the second entry's step +0.009 opposes g → masked;
  // mean φ = ½ doubles the first: 0.1 − 2·0.9 = −1.7 (plain SGD: (−0.8, 0.049))
  const start = [{ value: [1, -0.05] }];
  const base = { name: 'sgd', lr: 0.9, momentum: 0.9 };
  const mean = trajectory({ name: 'cautious', base }, start, parabola, 2);
  assertClose(mean.params.flat(), [0.1, 0.04, -1.7, 0.04], 1e-5, 1e-6);
  // count (C-Lion, paper): φ·n/(Σφ + 1) = 2/3 at step 1 even when nothing is masked → (0.4, 0.01)
  const count = trajectory({ name: 'cautious', normalize: 'count', base }, start, parabola, 1);
  assertClose(count.params.flat(), [0.4, 0.01], 1e-5, 1e-6);
});

test('cautious over adamw: the decoupled decay stays unmasked in either convention', () => {
  // lr 0.1, wd 0.1, f = ½x² from 1: the Adam direction 1 agrees with g (mask 1, mean 1), so
  // torch form x = 1 − 0.1 − 0.1·0.1·1 = 0.89; paper form (η = 1 at constant lr) x = 1 − 0.1 − 0.1·1 = 0.8
  const torch = trajectory({ name: 'cautious', base: { name: 'adamw', lr: 0.1, weight_decay: 0.1 } }, ONE, parabola, 1);
  assertClose(torch.params.flat(), [0.89], 1e-6);
  const paper = trajectory({ name: 'cautious', base: { name: 'adamw', lr: 0.1, weight_decay: 0.1, decay_scaled_by_lr: false } }, ONE, parabola, 1);
  assertClose(paper.params.flat(), [0.8], 1e-6);
});
