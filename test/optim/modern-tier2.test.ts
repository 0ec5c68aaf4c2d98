/**
 * Adan, Muon, schedule-free, Prodigy, D-Adaptation and Polyak SGD worked by hand (the numbers in the
 * comments follow each official rule written out in double precision) on f = ½Σ a_i x_i²
 * (a = 1, 2, …), f = Σ x² and constant-gradient problems.
 */
import '../support/tf.js';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '../../src/backends/tf.js';
import { assertClose } from '../support/tf.js';
import { linear, parabola, sumSquares } from './helpers.js';
import { trajectory } from './helpers-run.js';
import { evalPoint } from '../../src/optim/transforms/schedule-free.js';
import { newtonSchulz } from '../../src/optim/transforms/scale-by-muon.js';
import { asStored, packDoubles, readDoubles } from '../../src/optim/transforms/double-scalars.js';

const ONE = [{ value: [1] }];

test('adan: the first step is lr·sign-like (d = 0, n̂ = g²); then the difference average enters', () => {
  // step 1: m̂ = 1, n̂ = 1 → 1 − 0.1/(1 + 1e-8); step 2: d = −0.1, u = 0.9 − 0.92·0.1 = 0.808,
  // n = 0.0099 + 0.01·0.808², m̂ = 0.0376/0.0396, diff̂ = −0.008·0.92/0.1536 → 0.80077316; step 3 → 0.70212946
  const t = trajectory({ name: 'adan', lr: 0.1 }, ONE, parabola, 3);
  assertClose(t.params.flat(), [0.9, 0.80077316, 0.70212946], 1e-6);
  // decay 0.5: proximal (1 − 0.1)/(1 + 0.05) = 0.85714286; no_prox 1·(1 − 0.05) − 0.1 = 0.85
  assertClose(trajectory({ name: 'adan', lr: 0.1, weight_decay: 0.5 }, ONE, parabola, 1).params[0]!, [0.85714286], 1e-6);
  assertClose(trajectory({ name: 'adan', lr: 0.1, weight_decay: 0.5, no_prox: true }, ONE, parabola, 1).params[0]!, [0.85], 1e-6);
});

test('muon: Newton–Schulz on the 2-D kernel, AdamW on the bias', () => {
  // g = I (2×2) and 1 on the bias. Kernel: m = 0.05·I, u = lerp(g, m, 0.95) = 0.0975·I, X = I/√2,
  // five quintic steps s ← 3.4445s − 4.775s³ + 2.0315s⁵ from 1/√2 give 1.10811112 (not 1: the
  // iteration's known overshoot), so the diagonal moves by 0.02·1.10811112. Bias: Adam's first step 3e-4.
  const defs = [{ value: [1, 0, 0, 1], shape: [2, 2], role: 'kernel' as const }, { value: [1], role: 'bias' as const }];
  const t = trajectory({ name: 'muon' }, defs, linear([1, 0, 0, 1, 1]), 1);
  assertClose(t.params[0]!, [1 - 0.02 * 1.10811112, 0, 0, 1 - 0.02 * 1.10811112, 1 - 3e-4], 1e-6, 1e-7);
  // a kernel in adamw_names takes the Adam step instead: 1 − 3e-4 on the gradient's support
  const a = trajectory({ name: 'muon', adamw_names: ['*'] }, defs.map((d, i) => ({ ...d, name: `p${i}` })), linear([1, 0, 0, 1, 1]), 1);
  assertClose(a.params[0]!, [1 - 3e-4, 0, 0, 1 - 3e-4, 1 - 3e-4], 1e-6, 1e-7);
});

test('muon: the iteration maps each singular value σ/‖G‖_F through the quintic, vectors kept', () => {
  // G = [[3, 1, 0], [1, 2, 1]]: GGᵀ = [[10, 5], [5, 6]], σ² = 8 ± √29, ‖G‖_F = 4. Five quintic steps
  // take σ/4 = 0.91465, 0.40428 to 0.70022459, 1.09564244, so O·Oᵀ has trace 1.69074683 and
  // determinant 0.58858937 (an exact orthogonalisation would give 2 and 1)
  const g = tf.tensor2d([[3, 1, 0], [1, 2, 1]]);
  const o = newtonSchulz(g, 5);
  const s = tf.tidy(() => tf.matMul(o, o, false, true).arraySync() as number[][]);
  assertClose([s[0]![0]! + s[1]![1]!, s[0]![0]! * s[1]![1]! - s[0]![1]! * s[1]![0]!], [1.69074683, 0.58858937], 1e-5);
  tf.dispose([g, o]);
});

test('schedule-free sgd: y, z and the average x by hand', () => {
  // lr 0.1, β 0.9 from 1: step 1 c = 1 → y = z = 0.9; step 2 c = ½: y = 0.9 + 0.1·(0.9·½ − 1)·0.9 = 0.8505, z = 0.81
  const t = trajectory({ name: 'schedule-free-sgd', lr: 0.1 }, ONE, parabola, 2);
  assertClose(t.params.flat(), [0.9, 0.8505], 1e-6);
  // x = lerp(y, z, 1 − 1/β) = ½·0.9 + ½·0.81 = 0.855 (the running average of z)
  const x = evalPoint([tf.scalar(0.8505)], [tf.scalar(0.81)], 0.9);
  assertClose(x[0]!.dataSync(), [0.855], 1e-6);
  tf.dispose(x);
  // warmup 2: step 1 at lr 0.05 → 0.95
  assertClose(trajectory({ name: 'schedule-free-sgd', lr: 0.1, warmup_steps: 2 }, ONE, parabola, 1).params[0]!, [0.95], 1e-6);
});

test('schedule-free adamw: the first step is lr·g/|g| at c = 1', () => {
  // v̂ = g² → d = 1/(1 + 1e-8); y = z − 0.0025·d
  assertClose(trajectory({ name: 'schedule-free-adamw' }, ONE, parabola, 1).params[0]!, [1 - 0.0025], 1e-7);
});

test('prodigy: d stays d0 on the first step, then grows from <g, p0 − p>', () => {
  // d0 1e-6: step 1 moves by dlr·m/sqrt(v) = 3.1623e-6; step 2: d̂ = <g, p0 − p>·dlr/‖s‖₁ = 1.5815e-6
  const t = trajectory({ name: 'prodigy' }, ONE, parabola, 3);
  assertClose(t.params.flat(), [0.99999684, 0.99999259, 0.99998483], 0, 1e-7);
  assertClose(t.diagnostics.map((d) => d.d!), [1e-6, 1.5815313e-6, 4.8223927e-6], 1e-2);
  assertClose(t.diagnostics.slice(0, 2).map((d) => d.d!), [1e-6, 1.5815313e-6], 1e-3);
});

test('d-adapt adam and sgd: the d estimates by hand', () => {
  const adam = trajectory({ name: 'dadapt-adam' }, ONE, parabola, 3);
  assertClose(adam.params.flat(), [0.99999684, 0.99999259, 0.99996058], 0, 1e-7);
  assertClose(adam.diagnostics.map((d) => d.d!), [1e-6, 1.5815313e-5, 4.1478415e-5], 1e-2);
  // SGD: dlr = d/‖g₀‖, p = x0 − s; d̂ = 2·Σ dlr<g, s>/‖s‖ reaches 2e-6 at step 3
  const sgd = trajectory({ name: 'dadapt-sgd' }, ONE, parabola, 3);
  assertClose(sgd.params.flat(), [0.999999, 0.999998, 0.999997], 0, 1e-7);
  assertClose(sgd.diagnostics.map((d) => d.d!), [1e-6, 1e-6, 1.999998e-6], 1e-4);
});

test('polyak-sgd: optax\'s docstring example and its cap, f* and sps+', () => {
  // f = Σx² at (1, 2, 3): f = 14, ‖g‖² = 56 → step 0.25 halves x: f 3.5, 0.875, …
  const start = [{ value: [1, 2, 3] }];
  const t = trajectory({ name: 'polyak-sgd' }, start, sumSquares, 2);
  assertClose(t.params.flat(), [0.5, 1, 1.5, 0.25, 0.5, 0.75], 1e-6);
  assertClose(t.diagnostics.map((d) => d.step_size!), [0.25, 0.25], 1e-6);
  // γ_max 0.1 caps it: x·(1 − 0.2)
  assertClose(trajectory({ name: 'polyak-sgd', max_learning_rate: 0.1 }, start, sumSquares, 1).params[0]!, [0.8, 1.6, 2.4], 1e-6);
  // f* = 20 above f: sps steps uphill by (14 − 20)/56 = −3/28; sps+ does not move
  const up = 1 + 2 * (3 / 28);
  assertClose(trajectory({ name: 'polyak-sgd', f_min: 20 }, start, sumSquares, 1).params[0]!, [up, 2 * up, 3 * up], 1e-6);
  assertClose(trajectory({ name: 'polyak-sgd', f_min: 20, variant: 'sps+' }, start, sumSquares, 1).params[0]!, [1, 2, 3], 0, 0);
});

test('double pairs keep about 48 bits of a Python float through the float32 state', () => {
  const xs = [1e-6, 1 / 3, 123456.789, -1, 0];
  const t = packDoubles(xs);
  const back = readDoubles(t);
  t.dispose();
  xs.forEach((x, i) => {
    assert.ok(Math.abs(back[i]! - x) <= Math.abs(x) * 2 ** -46, `${x} → ${back[i]}`);
    assert.equal(back[i], asStored(x));
  });
});
