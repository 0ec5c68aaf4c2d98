/**
 * The seed papers' plain rules (issue 21): normalized GD (α, eps), loss-normalised GD (Normalized
 * LR+GD), SGLD and optax's noisy SGD, worked by hand on f = Σx² (g = 2x) from x = (3, 4) where
 * stated: L = 25, ‖g‖ = 10; and FRUGAL against its two limits (AdamW, signSGD) and its set draws.
 */
import '../support/tf.js';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { assertClose, tf } from '../support/tf.js';
import { Rng } from '../../src/core/random.js';
import { trajectory } from './helpers-run.js';
import { createOptimizer } from '../../src/optim/index.js';
import { frugalBlocks } from '../../src/optim/optimizers/frugal.js';
import { closureOf, disposeParams, linear, makeParams, parabola, runSteps, sumSquares } from './helpers.js';

const X = [{ value: [3, 4] }];

test('normalized-gd: x − lr·g/‖g‖ is a fixed-length step; α and eps change the normaliser', () => {
  // lr 0.5: x − 0.5·2x/10 = 0.9x; then ‖g‖ = 9: x(1 − 1/9) → (2.4, 3.2)
  const t = trajectory({ name: 'normalized-gd', lr: 0.5 }, X, sumSquares, 2);
  assertClose(t.params.flat(), [2.7, 3.6, 2.4, 3.2], 1e-6);
  assertClose([t.diagnostics[0]!.grad_norm!, t.diagnostics[1]!.grad_norm!], [10, 9], 1e-6);
  // α = ½: x − 0.5·2x/sqrt(10) = x(1 − 0.3162278)
  const half = trajectory({ name: 'normalized-gd', lr: 0.5, alpha: 0.5 }, X, sumSquares, 1);
  assertClose(half.params.flat(), [2.0513167, 2.7350889], 1e-6);
  // eps 1 (optax places it beside the norm): x − 0.5·2x/11
  const eps = trajectory({ name: 'normalized-gd', lr: 0.5, eps: 1 }, X, sumSquares, 1);
  assertClose(eps.params.flat(), [2.7272727, 3.6363636], 1e-6);
  // α = 0 is plain GD: x − 0.5·2x = 0
  assertClose(trajectory({ name: 'normalized-gd', lr: 0.5, alpha: 0 }, X, sumSquares, 1).params.flat(), [0, 0], 1e-7);
});

test('normalized-gd and loss-normalized-gd: a vanished normaliser gives a zero step, not NaN', () => {
  const zero = [{ value: [0, 0] }];
  assert.deepEqual(trajectory({ name: 'normalized-gd' }, zero, sumSquares, 2).params.flat(), [0, 0, 0, 0]);
  assert.deepEqual(trajectory({ name: 'loss-normalized-gd' }, zero, sumSquares, 2).params.flat(), [0, 0, 0, 0]);
});

test('loss-normalized-gd: x − lr·g/L (Tyurin 2024 eq. 5), and g/(L − lb)', () => {
  // L = 25: x − 2x/25 = 0.92x = (2.76, 3.68); L = 21.16: x(1 − 2/21.16) = (2.4991304, 3.3321739)
  const t = trajectory({ name: 'loss-normalized-gd', lr: 1 }, X, sumSquares, 2);
  assertClose(t.params.flat(), [2.76, 3.68, 2.4991304, 3.3321739], 1e-6);
  assertClose([t.diagnostics[0]!.normalizer!], [25], 1e-6);
  // lb 5: L − lb = 20: x − 2x/20 = 0.9x
  assertClose(trajectory({ name: 'loss-normalized-gd', lr: 1, lb: 5 }, X, sumSquares, 1).params.flat(), [2.7, 3.6], 1e-6);
});

test('sgld: temperature 0 is SGD; the noise is sqrt(2·lr·T)·ξ from the seeded per-step stream', () => {
  const cold = trajectory({ name: 'sgld', lr: 0.1, temperature: 0 }, X, sumSquares, 2);
  // x − 0.1·2x = 0.8x, twice
  assertClose(cold.params.flat(), [2.4, 3.2, 1.92, 2.56], 1e-6);
  // zero gradient (f = 0·x): the step is the noise alone; lr 0.5, T 4: std sqrt(2·0.5·4) = 2
  const n = 4000;
  const zeros = [{ value: new Array<number>(n).fill(0) }];
  const flatProblem = linear(new Array<number>(n).fill(0));
  const hot = trajectory({ name: 'sgld', lr: 0.5, temperature: 4, seed: 7 }, zeros, flatProblem, 2);
  const first = hot.params[0]!;
  const xi = Rng.derive(7, 'sgld', 1, 0).fillNormal(new Float32Array(n));
  assertClose(first, Array.from(xi, (v) => 2 * v), 1e-6);
  const second = hot.params[1]!.map((v, i) => v - first[i]!);
  const xi2 = Rng.derive(7, 'sgld', 2, 0).fillNormal(new Float32Array(n));
  assertClose(second, Array.from(xi2, (v) => 2 * v), 1e-5);
  const variance = first.reduce((s, v) => s + v * v, 0) / n;
  assert.ok(Math.abs(variance - 4) < 0.3, `variance ${variance}`);
  // another seed, another stream
  const other = trajectory({ name: 'sgld', lr: 0.5, temperature: 4, seed: 8 }, zeros, flatProblem, 1);
  assert.notDeepEqual(other.params[0], first);
});

test('sgld: the coupled weight decay joins the gradient before the lr', () => {
  // wd 1: g + x = 3x; x − 0.1·3x = 0.7x
  assertClose(trajectory({ name: 'sgld', lr: 0.1, temperature: 0, weight_decay: 1 }, X, sumSquares, 1).params.flat(), [2.1, 2.8], 1e-6);
});

test('noisy-sgd: −lr·(g + sqrt(eta/t^γ)·ξ) (optax add_noise then scale_by_learning_rate)', () => {
  const n = 3;
  const zeros = [{ value: [0, 0, 0] }];
  // lr 0.5, eta 4, γ 2: step 1 std 2, step 2 std sqrt(4/4) = 1
  const t = trajectory({ name: 'noisy-sgd', lr: 0.5, eta: 4, gamma: 2 }, zeros, linear([0, 0, 0]), 2);
  const xi1 = Rng.derive(0, 'noisy-sgd', 1, 0).fillNormal(new Float32Array(n));
  const xi2 = Rng.derive(0, 'noisy-sgd', 2, 0).fillNormal(new Float32Array(n));
  const expected1 = Array.from(xi1, (v) => -0.5 * 2 * v);
  assertClose(t.params[0]!, expected1, 1e-6);
  assertClose(t.params[1]!, Array.from(xi2, (v, i) => expected1[i]! - 0.5 * 1 * v), 1e-6);
});

const TWO = [{ value: [1, -0.5, 0.25, 0.75], shape: [2, 2], role: 'kernel' as const }, { value: [0.5, -1], role: 'bias' as const }];

test('frugal: density 1 is AdamW; density 0 with no always-full role is signSGD (inactive_lr_scale scales it)', () => {
  const all = trajectory({ name: 'frugal', lr: 0.1, weight_decay: 0.1, density: 1 }, TWO, parabola, 3);
  const adamw = trajectory({ name: 'adamw', lr: 0.1, weight_decay: 0.1 }, TWO, parabola, 3);
  assertClose(all.params.flat(), adamw.params.flat(), 1e-6, 1e-7);
  assert.deepEqual(all.diagnostics.map((d) => d.state_full_fraction), [1, 1, 1]);
  const none = trajectory({ name: 'frugal', lr: 0.1, weight_decay: 0, density: 0, state_full_roles: [] }, TWO, parabola, 3);
  const signSgd = trajectory({ name: 'sign-sgd', lr: 0.1 }, TWO, parabola, 3);
  assert.deepEqual(none.params, signSgd.params);
  const half = trajectory({ name: 'frugal', lr: 0.2, weight_decay: 0, density: 0, state_full_roles: [], inactive_lr_scale: 0.5 }, TWO, parabola, 3);
  assertClose(half.params.flat(), signSgd.params.flat(), 1e-7);
});

test('frugal: the state-full set covers ρ of the parameters, keeps the always-full roles, and is redrawn per period', () => {
  const sizes = [6, 2, 4, 4];
  const always = [false, true, false, false];
  const sets = Array.from({ length: 8 }, (_, k) => frugalBlocks(3, k, sizes, 0.25, always));
  for (const s of sets) {
    assert.equal(s[1], true);
    // the always-full bias (2) plus one more tensor: 2 < 0.25·16 = 4 needs at least one, and one of 4 or 6 is enough
    assert.equal(s.filter(Boolean).length, 2);
  }
  assert.deepEqual(frugalBlocks(3, 5, sizes, 0.25, always), sets[5]);
  assert.ok(new Set(sets.map((s) => s.join())).size > 1, 'different periods draw different sets');
  assert.deepEqual(frugalBlocks(3, 0, sizes, 0, always), always);
});

test('frugal: a tensor leaving the state-full set drops its moments and count; one that stays keeps counting', () => {
  const defs = [{ value: [1, 2], role: 'kernel' as const }, { value: [3, 4], role: 'kernel' as const }];
  const params = makeParams(defs);
  const opt = createOptimizer({ name: 'frugal', lr: 0.01, density: 0.5, update_gap: 2, state_full_roles: [], seed: 1 }, params);
  const closure = closureOf(params, parabola);
  const expected = [0, 0];
  let left = 0;
  for (let step = 0; step < 8; step++) {
    const full = frugalBlocks(1, Math.floor(step / 2), [2, 2], 0.5, [false, false]);
    runSteps(opt, closure, 1);
    const state = opt.getState();
    const steps = Object.entries(state).filter(([k]) => k.includes('steps')).sort(([a], [b]) => a.localeCompare(b)).map(([, t]) => t.dataSync()[0]);
    const moments = Object.entries(state).filter(([k]) => /mu/.test(k)).sort(([a], [b]) => a.localeCompare(b)).map(([, t]) => Array.from(t.dataSync()).some((v) => v !== 0));
    // a full tensor's count runs on (across periods while it stays full); a free one holds 0 and zero moments
    full.forEach((f, i) => { if (!f && expected[i]! > 0) left += 1; expected[i] = f ? expected[i]! + 1 : 0; });
    assert.deepEqual(steps, expected, `step ${step}`);
    assert.deepEqual(moments, full);
    tf.dispose(Object.values(state));
  }
  assert.ok(left > 0, 'the seed-1 draws move the state-full set at least once in 4 periods');
  opt.dispose();
  disposeParams(params);
});
