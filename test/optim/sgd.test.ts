/** torch SGD / SGDW on f = ½x² (g = x) from x = 1, worked by hand. */
import '../support/tf.js';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { assertClose } from '../support/tf.js';
import { ConfigError } from '../../src/core/errors.js';
import { createOptimizer } from '../../src/optim/index.js';
import { makeParams, disposeParams, parabola, sumSquares } from './helpers.js';
import { trajectory } from './helpers-run.js';

const ONE = [{ value: [1] }];

test('sgd: torch dampening skips the first step (buffer = plain copy of d)', () => {
  // lr 0.1, momentum 0.9, dampening 0.5
  // step 1: g = 1,   buf = 1 (copy)                         x = 1 − 0.1·1       = 0.9
  // step 2: g = 0.9, buf = 0.9·1 + 0.5·0.9 = 1.35           x = 0.9 − 0.135     = 0.765
  // (TF.js momentum would give acc = 1.8, x = 0.72; damping the first step too would give x1 = 0.95)
  const t = trajectory({ name: 'sgd', lr: 0.1, momentum: 0.9, dampening: 0.5 }, ONE, parabola, 2);
  assertClose(t.params.flat(), [0.9, 0.765], 1e-6, 1e-7);
});

test('sgd: Nesterov', () => {
  // lr 0.1, momentum 0.9: step 1: buf = 1, d = 1 + 0.9·1 = 1.9, x = 0.81
  // step 2: g = 0.81, buf = 0.9 + 0.81 = 1.71, d = 0.81 + 0.9·1.71 = 2.349, x = 0.81 − 0.2349 = 0.5751
  const t = trajectory({ name: 'sgd', lr: 0.1, momentum: 0.9, nesterov: true }, ONE, parabola, 2);
  assertClose(t.params.flat(), [0.81, 0.5751], 1e-6, 1e-7);
});

test('sgd: coupled weight decay enters the momentum buffer', () => {
  // lr 0.1, momentum 0.5, wd 0.1: d = g + 0.1x = 1.1x
  // step 1: d = 1.1, buf = 1.1, x = 1 − 0.11 = 0.89
  // step 2: d = 0.979, buf = 0.55 + 0.979 = 1.529, x = 0.89 − 0.1529 = 0.7371
  const t = trajectory({ name: 'sgd', lr: 0.1, momentum: 0.5, weight_decay: 0.1 }, ONE, parabola, 2);
  assertClose(t.params.flat(), [0.89, 0.7371], 1e-6, 1e-7);
});

test('sgd: Nesterov without momentum, or with dampening, is rejected like torch', () => {
  const params = makeParams(ONE);
  for (const spec of [{ name: 'sgd', nesterov: true }, { name: 'sgd', nesterov: true, momentum: 0.9, dampening: 0.1 }]) {
    assert.throws(() => createOptimizer(spec, params), (e: unknown) => e instanceof ConfigError && e.issues[0]!.path === 'optimizer.nesterov');
  }
  disposeParams(params);
});

test('sgdw: decoupled decay, torch convention (scaled by lr) and paper convention', () => {
  // lr 0.1, momentum 0.9, wd 0.5, f = ½x²:
  // scaled:   step 1: x = 1 − 0.1·0.5·1 − 0.1·1 = 0.85;  step 2: buf = 0.9 + 0.85 = 1.75, x = 0.85 − 0.0425 − 0.175 = 0.6325
  // unscaled: step 1: x = 1 − 0.5·1 − 0.1·1 = 0.4;      step 2: buf = 0.9 + 0.4 = 1.3,   x = 0.4 − 0.2 − 0.13 = 0.07
  const scaled = trajectory({ name: 'sgdw', lr: 0.1, momentum: 0.9, weight_decay: 0.5 }, ONE, parabola, 2);
  assertClose(scaled.params.flat(), [0.85, 0.6325], 1e-6, 1e-7);
  const paper = trajectory({ name: 'sgdw', lr: 0.1, momentum: 0.9, weight_decay: 0.5, decay_scaled_by_lr: false }, ONE, parabola, 2);
  assertClose(paper.params.flat(), [0.4, 0.07], 1e-6, 1e-6);
  // coupled sgd with the same numbers differs: d = 1.5x → x1 = 0.85, buf2 = 0.9·1.5 + 1.275 = 2.625 → x2 = 0.5875
  const coupled = trajectory({ name: 'sgd', lr: 0.1, momentum: 0.9, weight_decay: 0.5 }, ONE, parabola, 2);
  assertClose(coupled.params.flat(), [0.85, 0.5875], 1e-6, 1e-7);
});

test('clip_grad_norm rescales the global gradient only', () => {
  // f = Σx² at x = [3, 4] (g = [6, 8], ‖g‖ = 10), clip 5 → g·5/(10 + 1e-6) ≈ [3, 4]; lr 0.1 → x = [2.7, 3.6]
  const t = trajectory({ name: 'sgd', lr: 0.1, clip_grad_norm: 5 }, [{ value: [3, 4] }], sumSquares, 1);
  assertClose(t.params[0]!, [2.7, 3.6], 1e-6, 1e-6);
  assertClose([t.diagnostics[0]!.unclipped_grad_norm!], [10], 1e-6);
  // below the threshold nothing changes: clip 50 → x = [3 − 0.6, 4 − 0.8]
  const u = trajectory({ name: 'sgd', lr: 0.1, clip_grad_norm: 50 }, [{ value: [3, 4] }], sumSquares, 1);
  assertClose(u.params[0]!, [2.4, 3.2], 1e-6, 1e-6);
});
