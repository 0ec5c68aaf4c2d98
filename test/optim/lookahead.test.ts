/**
 * Lookahead (michaelrzhang/lookahead lookahead_pytorch.py): steps worked by hand on f = ½ Σ a_j x_j²
 * (∇f = a ⊙ x, a = 1, 2, …) with a plain SGD base, the identity α = 1 ≡ base (bit for bit), the
 * slow weights in the optimizer state, and the schema's bounds. The registry contract tests
 * (contract.test.ts, fused suites) pick the entry up by iterating the registry.
 */
import '../support/tf.js';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { tf, assertClose } from '../support/tf.js';
import { ConfigError } from '../../src/core/errors.js';
import type { Spec } from '../../src/core/registry.js';
import { createOptimizer, optimizerRegistry } from '../../src/optim/index.js';
import { closureOf, disposeParams, makeParams, parabola, runSteps, softmaxRegression, type ParamDef } from './helpers.js';
import { trajectory } from './helpers-run.js';

const SGD: Spec = { name: 'sgd', lr: 0.1 };

test('lookahead k=2, α=0.5 over SGD: four steps by hand', () => {
  // w = [1, 2], a = [1, 2], lr 0.1; φ₀ = w
  // 1: g = [1, 4]            θ = [0.9, 1.6]                         (no sync)
  // 2: g = [0.9, 3.2]        θ' = [0.81, 1.28]; sync: θ = φ = ½θ' + ½φ₀ = [0.905, 1.64]
  // 3: g = [0.905, 3.28]     θ = [0.8145, 1.312]
  // 4: g = [0.8145, 2.624]   θ' = [0.73305, 1.0496]; θ = φ = ½θ' + ½[0.905, 1.64] = [0.819025, 1.3448]
  const t = trajectory({ name: 'lookahead', k: 2, alpha: 0.5, base: SGD }, [{ value: [1, 2] }], parabola, 4);
  assertClose(t.params[0]!, [0.9, 1.6], 1e-6);
  assertClose(t.params[1]!, [0.905, 1.64], 1e-6);
  assertClose(t.params[2]!, [0.8145, 1.312], 1e-6);
  assertClose(t.params[3]!, [0.819025, 1.3448], 1e-6);
  assert.deepEqual(t.gradEvals, [1, 1, 1, 1]); // the base's closure calls, nothing more
  assertClose([t.losses[1]!], [0.5 * 0.81 + 0.5 * 2 * 2.56], 1e-6); // loss at the step's start (θ₁)
});

test('lookahead α=0.8 (the official signature default), k=3: slow = 0.8·θ\' + 0.2·φ at step 3', () => {
  // w = [1], a = [1], lr 0.1: θ after 3 SGD steps = 0.9³ = 0.729; sync: 0.8·0.729 + 0.2·1 = 0.7832
  const t = trajectory({ name: 'lookahead', k: 3, alpha: 0.8, base: SGD }, [{ value: [1] }], parabola, 4);
  assertClose(t.params[1]!, [0.81], 1e-6);
  assertClose(t.params[2]!, [0.7832], 1e-6);
  assertClose(t.params[3]!, [0.7832 * 0.9], 1e-6);
});

test('lookahead α=1 is the base, bit for bit, with a stateful base', () => {
  const defs: ParamDef[] = [
    { value: [0.1, -0.2, 0.3, 0.05, -0.1, 0.2], shape: [3, 2], role: 'kernel' },
    { value: [0.01, -0.02], role: 'bias' },
  ];
  for (const base of [{ name: 'sgd', lr: 0.1, momentum: 0.9 }, { name: 'adamw', lr: 0.01, weight_decay: 0.1 }] as Spec[]) {
    const a = trajectory({ name: 'lookahead', k: 2, alpha: 1, base }, defs, softmaxRegression, 7);
    const b = trajectory(base, defs, softmaxRegression, 7);
    assert.deepEqual(a.params, b.params);
    assert.deepEqual(a.losses, b.losses);
  }
});

test('lookahead keeps its slow weights and counter as optimizer state; the counter wraps at k', () => {
  const params = makeParams([{ value: [1, 2] }]);
  const opt = createOptimizer({ name: 'lookahead', k: 3, alpha: 0.5, base: SGD }, params);
  const closure = closureOf(params, parabola);
  const read = () => {
    const s = opt.getState();
    const out = Object.fromEntries(Object.entries(s).map(([k, t]) => [k, Array.from(t.dataSync())]));
    tf.dispose(Object.values(s));
    return out;
  };
  assert.deepEqual(Object.keys(read()).sort(), ['count', 'slow/0']);
  assert.deepEqual(read()['slow/0'], [1, 2]);
  runSteps(opt, closure, 2);
  assert.deepEqual(read().count, [2]);
  assert.deepEqual(read()['slow/0'], [1, 2]);
  runSteps(opt, closure, 1);
  assert.deepEqual(read().count, [0]);
  const slow = read()['slow/0']!;
  assert.deepEqual(slow, Array.from(params[0]!.variable.dataSync())); // θ ← φ exactly
  opt.dispose();
  disposeParams(params);
});

test('lookahead rejects k < 1, α outside (0, 1] and other pullback modes', () => {
  const entry = optimizerRegistry.get('lookahead');
  assert.equal(entry.gradEvals, 1);
  const params = makeParams([{ value: [1, 2] }]);
  for (const [bad, key] of [[{ k: 0 }, 'k'], [{ k: 1.5 }, 'k'], [{ alpha: 0 }, 'alpha'], [{ alpha: 1.2 }, 'alpha'], [{ alpha: -0.5 }, 'alpha'], [{ pullback_momentum: 'reset' }, 'pullback_momentum']] as const) {
    assert.throws(
      () => createOptimizer({ name: 'lookahead', ...bad, base: SGD }, params),
      (e: unknown) => e instanceof ConfigError && e.issues.some((i) => i.path === `optimizer.${key}`),
      JSON.stringify(bad),
    );
  }
  disposeParams(params);
});

test('lookahead counts the base\'s closure evaluations and nests either way with SAM', () => {
  const defs: ParamDef[] = [{ value: [1, 2] }];
  const around = trajectory({ name: 'lookahead', k: 2, base: { name: 'sam', rho: 0.05, base: SGD } }, defs, parabola, 4);
  assert.deepEqual(around.gradEvals, [2, 2, 2, 2]);
  const sam = trajectory({ name: 'sam', rho: 0.05, base: SGD }, defs, parabola, 4);
  // step 1 is no sync: lookahead(sam) moves exactly as sam
  assert.deepEqual(around.params[0], sam.params[0]);
  assert.notDeepEqual(around.params[1], sam.params[1]);
  const inside = trajectory({ name: 'sam', rho: 0.05, base: { name: 'lookahead', k: 2, alpha: 1, base: SGD } }, defs, parabola, 4);
  assert.deepEqual(inside.gradEvals, [2, 2, 2, 2]);
  assertClose(inside.params[3]!, sam.params[3]!, 1e-6); // α = 1 inside SAM: SAM over SGD (up to the rebase's rounding)
});
