/**
 * Parameter groups (src/optim/param-groups.ts) on every descent rule in the registry: a mask that
 * excludes every tensor equals weight_decay 0, lr_mult m on every tensor equals lr·m, a partial mask
 * decays exactly the tensors it names (hand-derived SGD numbers), the defaults leave every rule's
 * numbers as they were, and layer_decay scales by depth.
 */
import { tf } from '../support/tf.js';
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { ConfigError } from '../../src/core/errors.js';
import type { Spec } from '../../src/core/registry.js';
import { createOptimizer, optimizerRegistry } from '../../src/optim/index.js';
import { groupParams } from '../../src/optim/param-groups.js';
import { schemaKeys } from '../../src/core/resolve-spec.js';
import { closureOf, disposeParams, flat, makeParams, runSteps, softmaxRegression, type ParamDef } from './helpers.js';

const SOFTMAX: ParamDef[] = [
  { value: [0.1, -0.2, 0.3, 0.05, -0.1, 0.2], shape: [3, 2], role: 'kernel', name: 'm/dense_0/kernel' },
  { value: [0.01, -0.02], role: 'bias', name: 'm/dense_0/bias' },
];

function trajectory(spec: Spec, steps = 4): number[] {
  const params = makeParams(SOFTMAX);
  const opt = createOptimizer(spec, params);
  runSteps(opt, closureOf(params, softmaxRegression), steps);
  const out = flat(params);
  opt.dispose();
  disposeParams(params);
  return out;
}

const rules = optimizerRegistry.entries.filter((e) => !e.nested && schemaKeys(e.schema).includes('weight_decay'));

for (const entry of rules) {
  const name = entry.name;
  const coupled = entry.fixedGroups !== undefined;
  describe(`parameter groups on ${name}`, () => {
    if (coupled) {
      test(`rejects non-default group options (${entry.fixedGroups})`, () => {
        const params = makeParams(SOFTMAX);
        assert.throws(() => createOptimizer({ name, weight_decay: 0.1, no_decay: ['*'] }, params), ConfigError);
        disposeParams(params);
      });
      return;
    }
    test('no_decay ["*"] and decay_roles [] both equal weight_decay 0, bit for bit', () => {
      const plain = trajectory({ name, lr: 0.05, weight_decay: 0 });
      assert.deepEqual(trajectory({ name, lr: 0.05, weight_decay: 0.3, no_decay: ['*'] }), plain);
      assert.deepEqual(trajectory({ name, lr: 0.05, weight_decay: 0.3, decay_roles: [] }), plain);
      assert.notDeepEqual(trajectory({ name, lr: 0.05, weight_decay: 0.3 }), plain);
    });
    test('lr_mult 2 on every tensor equals lr·2 (the grouped composite against the plain rule)', () => {
      // a rule with a second learning rate (muon's auxiliary adam_lr) has it doubled as well
      const second = schemaKeys(entry.schema).includes('adam_lr') ? { adam_lr: 6e-4 } : {};
      const a = trajectory({ name, lr: 0.1, weight_decay: 0.1, ...second });
      const b = trajectory({ name, lr: 0.05, weight_decay: 0.1, lr_mult: [{ mult: 2 }] });
      a.forEach((v, i) => assert.ok(Math.abs(v - b[i]!) <= 1e-6 * Math.max(1, Math.abs(v)), `${i}: ${v} vs ${b[i]}`));
    });
    test('the default options resolve to "decay everything at lr"', () => {
      const spec = optimizerRegistry.resolve({ name }, ['optimizer']) as unknown as Record<string, unknown>;
      assert.deepEqual(spec.decay_roles, ['kernel', 'bias']);
      assert.deepEqual(spec.no_decay, []);
      assert.deepEqual(spec.lr_mult, []);
      assert.equal(spec.layer_decay, null);
    });
  });
}

test('sgd with decay_roles [kernel]: the bias steps without decay, the kernel with it (by hand)', () => {
  // f = Σ c·x (constant gradient), one step at lr 0.1, wd 0.5: x ← x − 0.1·(c + 0.5·x) for decayed tensors
  const defs: ParamDef[] = [{ value: [1, 2], role: 'kernel', name: 'k' }, { value: [4], role: 'bias', name: 'b' }];
  const params = makeParams(defs);
  const opt = createOptimizer({ name: 'sgd', lr: 0.1, weight_decay: 0.5, decay_roles: ['kernel'] }, params);
  const vars = params.map((p) => p.variable);
  runSteps(opt, () => ({ loss: tf.scalar(0), grads: vars.map((v) => tf.onesLike(v)) }), 1);
  const [k, b] = params.map((p) => Array.from(p.variable.dataSync()));
  assert.deepEqual(k, [Math.fround(1 - 0.1 * 1.5), Math.fround(2 - 0.1 * 2)]);
  assert.deepEqual(b, [Math.fround(4 - 0.1)]);
  opt.dispose();
  disposeParams(params);
});

test('adamw with lr_mult by name glob: only the matched tensor moves at lr·mult', () => {
  const defs: ParamDef[] = [{ value: [1], role: 'kernel', name: 'm/head/kernel' }, { value: [1], role: 'kernel', name: 'm/body/kernel' }];
  const params = makeParams(defs);
  const opt = createOptimizer({ name: 'adamw', lr: 0.01, weight_decay: 0, lr_mult: [{ names: ['*/head/*'], mult: 10 }] }, params);
  const vars = params.map((p) => p.variable);
  runSteps(opt, () => ({ loss: tf.scalar(0), grads: vars.map((v) => tf.onesLike(v)) }), 1);
  // Adam's first step is lr·sign(g) (up to eps): 1 − 0.1 and 1 − 0.01
  const [h, b] = params.map((p) => p.variable.dataSync()[0]!);
  assert.ok(Math.abs(h! - 0.9) < 1e-6 && Math.abs(b! - 0.99) < 1e-6, `${h} ${b}`);
  opt.dispose();
  disposeParams(params);
});

test('groupParams: layer_decay scales by depth in parameter order; loss-owned tensors at 1; first lr_mult rule wins', () => {
  const v = null as unknown as tf.Variable;
  const params = [
    { name: 'm/dense_0/kernel', role: 'kernel', owner: 'model', variable: v },
    { name: 'm/dense_0/bias', role: 'bias', owner: 'model', variable: v },
    { name: 'm/dense_1/kernel', role: 'kernel', owner: 'model', variable: v },
    { name: 'm/head/kernel', role: 'kernel', owner: 'model', variable: v },
    { name: 'loss/centres', role: 'kernel', owner: 'loss', variable: v },
  ] as const;
  const g = groupParams(params, { decay_roles: ['kernel'], no_decay: ['m/head/*'], lr_mult: [{ roles: ['bias'], mult: 3 }, { mult: 5 }], layer_decay: 0.5 });
  assert.deepEqual(g.map((p) => p.lrScale), [0.25 * 5, 0.25 * 3, 0.5 * 5, 1 * 5, 5]);
  assert.deepEqual(g.map((p) => p.decay), [true, false, true, false, true]);
});
