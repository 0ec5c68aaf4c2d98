/**
 * ghost-step (Sao 2026): on softmax regression the logits are linear in the weights, so the JVP
 * along the base update u is a = X·u_W + u_b exactly; r = max_i |a_i0 − a_i1|/π (two classes) and
 * the step taken is u·min(1, max_ratio/r). Hand-derived from the base's gradient, checked here.
 */
import '../support/tf.js';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { assertClose, tf } from '../support/tf.js';
import type { Spec } from '../../src/core/registry.js';
import { RunnerError } from '../../src/core/errors.js';
import { createOptimizer } from '../../src/optim/index.js';
import { closureOf, disposeParams, flat, makeParams, runSteps, softmaxRegression } from './helpers.js';

const W0 = [0.1, -0.2, 0.3, 0.05, -0.1, 0.2];
const B0 = [0.01, -0.02];
const X = [[1, 0.5, -1], [-0.5, 1, 0.25], [0.3, -0.7, 1], [1.2, 0.1, 0.4]];
const defs = () => makeParams([{ value: W0, shape: [3, 2] }, { value: B0, role: 'bias' }]);

/** One step of `spec`; the final parameters and the step's diagnostics. */
function oneStep(spec: Spec): { w: number[]; d: Record<string, number> } {
  const params = defs();
  const opt = createOptimizer(spec, params);
  const { diagnostics } = runSteps(opt, closureOf(params, softmaxRegression), 1);
  const w = flat(params);
  opt.dispose();
  disposeParams(params);
  return { w, d: diagnostics[0]! };
}

/** The hand-derived ratio of the plain SGD update u = −lr·g. */
function expected(lr: number): { u: number[]; r: number } {
  const params = defs();
  const g = tf.tidy(() => softmaxRegression.grads(params.map((p) => p.variable)).map((t) => Array.from(t.dataSync())));
  disposeParams(params);
  const u = [...g[0]!, ...g[1]!].map((x) => -lr * x);
  let spread = 0;
  for (const row of X) {
    const a = [0, 1].map((k) => row.reduce((s, x, j) => s + x * u[j * 2 + k]!, 0) + u[6 + k]!);
    spread = Math.max(spread, Math.abs(a[0]! - a[1]!));
  }
  return { u, r: spread / Math.PI };
}

test('ghost-step: r = max_i spread of the logit JVP / π, and the capped step u·max_ratio/r', () => {
  const w0 = [...W0, ...B0];
  for (const lr of [5, 50]) {
    const { u, r } = expected(lr);
    assert.ok(r > 1, `lr ${lr} proposes a step past the radius (r = ${r})`);
    const { w, d } = oneStep({ name: 'ghost-step', base: { name: 'sgd', lr } });
    assertClose([d['ghost_ratio']!], [r], 1e-3);
    const norm = Math.hypot(...u);
    assertClose([d['ghost_radius']!], [norm / r], 1e-3);
    assertClose(w, w0.map((x, i) => x + u[i]! / r), 1e-4, 1e-6);
    // max_ratio 0.5: half the radius
    const half = oneStep({ name: 'ghost-step', max_ratio: 0.5, base: { name: 'sgd', lr } });
    assertClose(half.w, w0.map((x, i) => x + (0.5 * u[i]!) / r), 1e-4, 1e-6);
  }
});

test('ghost-step: a step inside the radius is the base step bit for bit', () => {
  const { r } = expected(0.1);
  assert.ok(r < 1);
  const base = { name: 'adam', lr: 0.1 };
  assert.deepEqual(oneStep({ name: 'ghost-step', base }).w, oneStep(base).w);
  assert.deepEqual(oneStep({ name: 'ghost-step', max_ratio: 1e9, base: { name: 'sgd', lr: 50 } }).w, oneStep({ name: 'sgd', lr: 50 }).w);
});

test('ghost-step: the capped step lands on the radius (r of the step taken is max_ratio)', () => {
  const params = defs();
  const opt = createOptimizer({ name: 'ghost-step', base: { name: 'sgd', lr: 50 } }, params);
  const before = flat(params);
  runSteps(opt, closureOf(params, softmaxRegression), 1);
  const step = flat(params).map((x, i) => x - before[i]!);
  let spread = 0;
  for (const row of X) {
    const a = [0, 1].map((k) => row.reduce((s, x, j) => s + x * step[j * 2 + k]!, 0) + step[6 + k]!);
    spread = Math.max(spread, Math.abs(a[0]! - a[1]!));
  }
  assertClose([spread / Math.PI], [1], 1e-3);
  opt.dispose();
  disposeParams(params);
});

test('ghost-step needs the model outputs: a caller without them is told so', () => {
  const params = defs();
  const opt = createOptimizer({ name: 'ghost-step', base: { name: 'sgd' } }, params);
  const closure = closureOf(params, softmaxRegression);
  assert.throws(() => tf.tidy(() => { opt.step(closure); }), (e: unknown) => e instanceof RunnerError && /outputs/.test(e.message));
  opt.dispose();
  disposeParams(params);
});
