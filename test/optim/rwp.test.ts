/**
 * rwp (robust weight perturbation): one step against a float64 transcription of the official
 * RobustWeightPerturb.calc_awp loop on per-example squared errors, where the c_min mask drops rows;
 * the identity γ = 0 = base; every base optimizer under it. The registry contract tests
 * (contract.test.ts) cover descent, tensor counts, resume and gradEvals.
 */
import { tf } from '../support/tf.js';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Spec } from '../../src/core/registry.js';
import { createOptimizer, optimizerRegistry, type Closure, type ParamInput } from '../../src/optim/index.js';
import { meanBelow } from '../../src/optim/optimizers/rwp.js';
import { disposeParams, flat, makeParams, runSteps } from './helpers.js';

/** Four rows of a linear model with two inputs: per-example ℓ_i = ½(W·x_i + b − y_i)². */
const X = [[1, 0], [0, 1], [1, 1], [2, -1]];
const Y = [0.5, -1, 4, 0];
const W0 = [0.3, -0.2];
const B0 = 0.1;

/** The trainer's closure shape: per-example values, reduced by `reduce` (the mean by default), autodiff gradients. */
function closureOf(params: readonly ParamInput[]): Closure {
  const [w, b] = params.map((p) => p.variable);
  return (reduce = (v) => tf.mean(v) as tf.Scalar) => {
    const { value, grads } = tf.variableGrads(() => {
      const r = tf.sub(tf.add(tf.squeeze(tf.matMul(tf.tensor2d(X), w!, false, true), [1]), b!), tf.tensor1d(Y));
      return reduce(tf.mul(0.5, tf.square(r)));
    }, [w!, b!]);
    return { loss: value, grads: [grads[w!.name]!, grads[b!.name]!] };
  };
}

/** The official loop in float64: 10 masked proxy steps, model-wide norm, base SGD step at w + γv, restore. */
function official(gamma: number, cMin: number, lr: number, steps = 10): number[] {
  const resid = (w: number[], i: number) => w[0]! * X[i]![0]! + w[1]! * X[i]![1]! + B0 - Y[i]!;
  const norm = (v: number[]) => Math.hypot(...v);
  let d = [0, 0];
  let v = [0, 0];
  for (let s = 0; s < steps; s++) {
    const p = [W0[0]! + gamma * v[0]!, W0[1]! + gamma * v[1]!];
    let g0 = 0;
    let g1 = 0;
    X.forEach((x, i) => {
      const r = resid(p, i);
      if (0.5 * r * r < cMin) { g0 += (r * x[0]!) / X.length; g1 += (r * x[1]!) / X.length; }
    });
    d = [d[0]! + 0.01 * g0, d[1]! + 0.01 * g1];
    const scale = norm(W0) / (norm(d) + 1e-20);
    v = [scale * d[0]!, scale * d[1]!];
  }
  const p = [W0[0]! + gamma * v[0]!, W0[1]! + gamma * v[1]!];
  let gw0 = 0;
  let gw1 = 0;
  let gb = 0;
  X.forEach((x, i) => {
    const r = resid(p, i);
    gw0 += (r * x[0]!) / X.length; gw1 += (r * x[1]!) / X.length; gb += r / X.length;
  });
  return [p[0]! - lr * gw0 - gamma * v[0]!, p[1]! - lr * gw1 - gamma * v[1]!, B0 - lr * gb];
}

function oneStep(spec: Spec): { values: number[]; gradEvals: number } {
  const params = makeParams([{ value: W0, shape: [1, 2], role: 'kernel' }, { value: [B0], role: 'bias' }]);
  const opt = createOptimizer(spec, params);
  const r = runSteps(opt, closureOf(params), 1);
  const values = flat(params);
  opt.dispose();
  disposeParams(params);
  return { values, gradEvals: r.gradEvals[0]! };
}

const close = (a: readonly number[], b: readonly number[], tol = 1e-5): void =>
  a.forEach((v, i) => assert.ok(Math.abs(v - b[i]!) <= tol * Math.max(1, Math.abs(b[i]!)), `[${i}] ${v} vs ${b[i]} (${a} vs ${b})`));

test('meanBelow: the batch mean with the rows at or above c counted as 0; a batch-level scalar is refused', () => {
  const m = tf.tidy(() => meanBelow(1.7)(tf.tensor1d([1, 2, 1.7, 0.5])).dataSync()[0]!);
  assert.equal(m, (1 + 0.5) / 4);
  assert.throws(() => meanBelow(1)(tf.scalar(0.5)), /per-example/);
});

test('rwp: one step equals the official loop in float64 (mask active, model-wide norm, kernel only), 12 evaluations', () => {
  // at W0 the rows' losses are 0.005, 0.405, 7.22, 0.405: c_min 1.7 drops the third row from the proxy steps
  const r = oneStep({ name: 'rwp', gamma: 0.05, base: { name: 'sgd', lr: 0.1 } });
  const want = official(0.05, 1.7, 0.1);
  close(r.values, want);
  assert.equal(r.gradEvals, 12);
  // the mask matters here: without it (c_min above every loss) the step differs
  const open = official(0.05, 100, 0.1);
  assert.ok(Math.abs(open[0]! - want[0]!) > 1e-4, `${open} vs ${want}`);
  close(oneStep({ name: 'rwp', gamma: 0.05, c_min: 100, base: { name: 'sgd', lr: 0.1 } }).values, open);
  // steps 3: fewer accumulated proxy steps, 5 evaluations
  const three = oneStep({ name: 'rwp', gamma: 0.05, steps: 3, base: { name: 'sgd', lr: 0.1 } });
  close(three.values, official(0.05, 1.7, 0.1, 3));
  assert.equal(three.gradEvals, 5);
});

test('rwp: no row below c_min leaves the weights unperturbed (a zero ascent direction), so the step is the base\'s', () => {
  const base = oneStep({ name: 'sgd', lr: 0.1, momentum: 0.9 });
  close(oneStep({ name: 'rwp', gamma: 0.05, c_min: 0, base: { name: 'sgd', lr: 0.1, momentum: 0.9 } }).values, base.values, 1e-7);
});

test('rwp γ 0 equals its base bit for bit (sgd with momentum, adam)', () => {
  for (const base of [{ name: 'sgd', lr: 0.1, momentum: 0.9, weight_decay: 1e-3 }, { name: 'adam', lr: 0.01 }]) {
    assert.deepEqual(oneStep({ name: 'rwp', gamma: 0, base }).values, oneStep(base).values, base.name);
  }
});

test('rwp wraps every base optimizer of the registry: three finite steps, 11 evaluations plus the base ones each, no leak', () => {
  const bases = optimizerRegistry.entries.filter((e) => !e.nested);
  assert.ok(bases.length > 20);
  for (const e of bases) {
    const params = makeParams([{ value: W0, shape: [1, 2], role: 'kernel' }, { value: [B0], role: 'bias' }]);
    const opt = createOptimizer({ name: 'rwp', base: { name: e.name } }, params);
    const before = tf.memory().numTensors;
    const r = runSteps(opt, closureOf(params), 3);
    assert.equal(tf.memory().numTensors, before, `${e.name}: tensors leaked`);
    // 11 of rwp's own, then the base's: 1 for most; a base that re-evaluates (lbfgs) adds up to its declared count
    if (e.gradEvals === 1) assert.deepEqual(r.gradEvals, [12, 12, 12], e.name);
    else assert.ok(r.gradEvals.every((n) => n >= 12 && n <= 11 + e.gradEvals), `${e.name}: ${r.gradEvals}`);
    assert.ok(flat(params).every(Number.isFinite), e.name);
    opt.dispose();
    disposeParams(params);
  }
});
