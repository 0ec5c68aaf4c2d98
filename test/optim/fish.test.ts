/**
 * fish (YugeTen/fish train_fish + fish_step): one meta step worked by hand on per-domain quadratics
 * f_k(w) = Σ (w − c_k)² (extra batch k pulls w towards c_k), with SGD as the inner optimizer; the
 * identity with its base (meta_steps 1, meta_lr 1 = one base step on the domain batch); the inner
 * state carried across meta steps (reload_inner_optim) or started fresh; a SAM base evaluates again
 * on the same domain batch.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { tf, assertClose, assertNoLeak } from '../support/tf.js';
import type { Spec } from '../../src/core/registry.js';
import { createOptimizer } from '../../src/optim/index.js';
import type { Closure, Optimizer } from '../../src/optim/types.js';

/** Σ (w − c)² and its gradient 2(w − c) at the variable's current value. */
const pull = (w: tf.Variable, c: readonly number[]): Closure => () =>
  tf.tidy(() => {
    const { value, grads } = tf.variableGrads(() => tf.sum(tf.square(tf.sub(w, tf.tensor1d(c as number[])))) as tf.Scalar, [w]);
    return { loss: value, grads: [grads[w.name]!] };
  });

let counter = 0;
function setup(spec: Spec, start = [1, 2]) {
  const w = tf.variable(tf.tensor1d(start), true, `fish-test-${counter++}`);
  const opt = createOptimizer(spec, [{ name: 'w', variable: w, role: 'kernel' }]);
  const domains = [[0, 0], [3, 3], [-1, 4]];
  const main = pull(w, [10, 10]); // the step's whole batch: only its loss is reported
  const step = (o: Optimizer = opt) => tf.tidy(() => {
    const r = o.step(main, (k) => pull(w, domains[k]!));
    return { loss: r.loss.dataSync()[0]!, gradEvals: r.gradEvals };
  });
  return { w, opt, step, value: () => Array.from(w.dataSync()), dispose: () => { opt.dispose(); w.dispose(); } };
}

test('fish: inner SGD steps on domain 0 then domain 1 from a copy, then θ + (meta_lr/meta_steps)(θ̃ − θ)', async () => {
  // θ = [1, 2], α = 0.1: domain 0 (c = 0): g = [2, 4] → θ̃ = [0.8, 1.6]; domain 1 (c = 3) at θ̃:
  // g = [−4.4, −2.8] → θ̃ = [1.24, 1.88]; ε = 0.5 / 2 = 0.25 → θ = [1 + 0.25·0.24, 2 − 0.25·0.12] = [1.06, 1.97]
  const s = setup({ name: 'fish', meta_lr: 0.5, meta_steps: 2, base: { name: 'sgd', lr: 0.1 } });
  // the domain order is the extra batches' (the sampler's); here extra batch k is domain k
  await assertNoLeak(() => {
    const r = s.step();
    assert.equal(r.gradEvals, 3);
    assertClose([r.loss], [81 + 64], 1e-6, 1e-6, 'the reported loss is the first evaluation (the whole batch at θ)');
  });
  assertClose(s.value(), [1.06, 1.97], 1e-6, 1e-6);
  s.dispose();
});

test('fish: three domains, one inner step each, in sequence', () => {
  // θ = [0, 0], α = 0.25: c = [0,0] → g 0 → θ̃ [0,0]; c = [3,3] → g [−6,−6] → θ̃ [1.5, 1.5];
  // c = [−1, 4] → g [5, −5] → θ̃ [0.25, 2.75]; ε = 0.3/3 = 0.1 → θ = [0.025, 0.275]
  const s = setup({ name: 'fish', meta_lr: 0.3, meta_steps: 3, base: { name: 'sgd', lr: 0.25 } }, [0, 0]);
  assert.equal(s.step().gradEvals, 4);
  assertClose(s.value(), [0.025, 0.275], 1e-6, 1e-6);
  s.dispose();
});

test('fish with meta_steps 1 and meta_lr 1 is its base stepping on the domain batch', () => {
  for (const base of [{ name: 'sgd', lr: 0.1, momentum: 0.9 }, { name: 'adam', lr: 0.05 }] as Spec[]) {
    const a = setup({ name: 'fish', meta_lr: 1, meta_steps: 1, base });
    const b = setup(base);
    const w = b.w;
    const domain = pull(w, [0, 0]);
    for (let i = 0; i < 3; i++) {
      a.step();
      tf.tidy(() => { b.opt.step(domain); });
    }
    assertClose(a.value(), b.value(), 1e-6, 1e-7, base.name);
    a.dispose();
    b.dispose();
  }
});

test('fish: reload_inner_optim carries the inner momentum across meta steps; false starts it fresh each time', () => {
  const spec = (reload: boolean): Spec => ({ name: 'fish', meta_lr: 0.5, meta_steps: 2, reload_inner_optim: reload, base: { name: 'sgd', lr: 0.1, momentum: 0.9 } });
  const carried = setup(spec(true));
  const fresh = setup(spec(false));
  carried.step();
  fresh.step();
  assert.deepEqual(carried.value(), fresh.value(), 'the first meta step starts from zero momentum either way');
  // a fresh fish from the weights after one step reproduces the second step without reload
  const restart = setup(spec(false), fresh.value());
  carried.step();
  fresh.step();
  restart.step();
  assert.deepEqual(fresh.value(), restart.value());
  assert.notDeepEqual(carried.value(), fresh.value(), 'carried momentum changes the second step');
  carried.dispose();
  fresh.dispose();
  restart.dispose();
});

test('fish with a SAM base: the perturbed evaluation is on the same domain batch', () => {
  // θ = [1, 2], domain 0 (c = 0): g = [2, 4], ‖g‖ = √20; e = 0.1·g/‖g‖ = [0.0447214, 0.0894427];
  // g' = 2(θ + e) = [2.0894427, 4.1788854] → θ̃ = θ − 0.1·g' = [0.7910557, 1.5821115]; meta_lr 1, 1 step
  const s = setup({ name: 'fish', meta_lr: 1, meta_steps: 1, base: { name: 'sam', rho: 0.1, base: { name: 'sgd', lr: 0.1 } } });
  assert.equal(s.step().gradEvals, 3);
  assertClose(s.value(), [0.7910557, 1.5821115], 1e-6, 1e-6);
  s.dispose();
});
