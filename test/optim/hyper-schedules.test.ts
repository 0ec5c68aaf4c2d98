/**
 * Schedules of hyperparameters other than lr (issue 21): one-cycle's momentum against torch
 * OneCycleLR, torch trajectories with the momentum / β1 cycled, a constant schedule equal to none
 * bit for bit, and the strictness of createOptimizer's `scheduled`.
 */
import '../support/tf.js';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { assertClose, tf } from '../support/tf.js';
import type { Spec } from '../../src/core/registry.js';
import { ConfigError, RunnerError } from '../../src/core/errors.js';
import { createOptimizer, createSchedule, optimizerRegistry, type Optimizer } from '../../src/optim/index.js';
import { cycledMomentumPath, unschedulable } from '../../src/optim/hyper-schedules.js';
import { fusedActive } from '../../src/backends/kernels/kernel.js';
import { closureOf, disposeParams, flat, makeParams, type Problem } from './helpers.js';

const deps = { baseLr: 0.1, totalSteps: 100, stepsPerEpoch: 10 };
const momenta = (spec: Spec, steps: number[]): number[] => {
  const s = createSchedule(spec, deps);
  assert.ok(s.momentum, 'one-cycle carries a momentum schedule');
  return steps.map((k) => s.momentum!(k));
};

test('one-cycle momentum: torch OneCycleLR cycle_momentum values', () => {
  // torch 2.13: SGD(lr 0.1, momentum 0.9), OneCycleLR(max_lr 0.1, total_steps 100, …), param_groups[0]['momentum'] before each step
  assertClose(momenta({ name: 'one-cycle' }, [0, 10, 29, 50, 64, 99]), [0.95, 0.923420422, 0.85, 0.870610737, 0.9, 0.95], 1e-8);
  assertClose(momenta({ name: 'one-cycle', anneal_strategy: 'linear', base_momentum: 0.8, max_momentum: 0.9 }, [0, 10, 29, 50, 64, 99]),
    [0.9, 0.865517241, 0.8, 0.83, 0.85, 0.9], 1e-8);
  assertClose(momenta({ name: 'one-cycle', three_phase: true }, [0, 15, 29, 40, 58, 80, 99]), [0.95, 0.897293055, 0.85, 0.881493092, 0.95, 0.95, 0.95], 1e-8);
  // Adam: betas[0] is cycled the same way (pct_start 0.25)
  assertClose(momenta({ name: 'one-cycle', pct_start: 0.25 }, [0, 12, 24, 60, 99]), [0.95, 0.9, 0.85, 0.896860474, 0.95], 1e-8);
  // held after the cycle, as the lr is
  assert.equal(momenta({ name: 'one-cycle' }, [150])[0], 0.95);
  assert.equal(createSchedule({ name: 'one-cycle', cycle_momentum: false }, deps).momentum, undefined);
});

const a = [1, 3, 0.5];
const quadratic: Problem = {
  loss: ([w]) => tf.mul(0.5, tf.sum(tf.mul(tf.tensor1d(a), tf.square(w!)))) as tf.Scalar,
  grads: ([w]) => [tf.mul(tf.tensor1d(a), w!)],
};

/** `steps` steps with lr and the cycled hyperparameter set from one-cycle before each, as the trainer does. */
function cycled(spec: Spec, path: string, steps: number): number[] {
  const params = makeParams([{ value: [1, -2, 0.5] }]);
  const opt = createOptimizer(spec, params, { scheduled: [path] });
  const s = createSchedule({ name: 'one-cycle' }, { baseLr: opt.learningRate, totalSteps: steps, stepsPerEpoch: steps });
  const closure = closureOf(params, quadratic);
  for (let k = 0; k < steps; k++) {
    opt.setLearningRate(s(k));
    opt.setHyperparameter(path, s.momentum!(k));
    tf.tidy(() => { opt.step(closure); });
  }
  const out = flat(params);
  opt.dispose();
  disposeParams(params);
  return out;
}

test('one-cycle momentum in a trajectory: torch SGD and Adam under OneCycleLR(cycle_momentum=True)', () => {
  // torch 2.13, w0 = [1, −2, 0.5], loss ½Σ a·w² (a = [1, 3, 0.5]), OneCycleLR(max_lr 0.1, total_steps 8), 8 steps
  assertClose(cycled({ name: 'sgd', lr: 0.1, momentum: 0.9, weight_decay: 0.01 }, 'momentum', 8), [0.120499402, 1.40744853, 0.254677981], 1e-5);
  // momentum 0 configured: torch's scheduler switches it on (0.95 at step 0)
  assertClose(cycled({ name: 'sgd', lr: 0.1 }, 'momentum', 8), [0.127444968, 1.40394175, 0.259015352], 1e-5);
  assertClose(cycled({ name: 'adam', lr: 0.1, weight_decay: 0.01 }, 'beta1', 8), [0.68623817, -1.68365014, 0.193306327], 1e-5);
  // under a wrapper the base's momentum is cycled (path base.momentum)
  const viaSam = cycled({ name: 'sam', rho: 0, base: { name: 'sgd', lr: 0.1, momentum: 0.9, weight_decay: 0.01 } }, 'base.momentum', 8);
  assertClose(viaSam, [0.120499402, 1.40744853, 0.254677981], 1e-5);
});

/** Final parameters after 5 steps; `drive` sets the scheduled values before each step. */
function trajectory(spec: Spec, scheduled: readonly string[], drive: (opt: Optimizer, k: number) => void): number[] {
  const params = makeParams([{ value: [1, -2, 0.5] }, { value: [0.3, -0.1], role: 'bias' }]);
  const opt = createOptimizer(spec, params, { scheduled });
  const problem: Problem = {
    loss: (ws) => tf.addN(ws.map((w) => tf.sum(tf.square(w)))) as tf.Scalar,
    grads: (ws) => ws.map((w) => tf.add(tf.mul(2, w), tf.mul(0.1, tf.sin(tf.mul(7, w))))),
  };
  const closure = closureOf(params, problem);
  for (let k = 0; k < 5; k++) {
    drive(opt, k);
    tf.tidy(() => { opt.step(closure); });
  }
  const out = flat(params);
  opt.dispose();
  disposeParams(params);
  return out;
}

test('a constant schedule equals no schedule bit for bit (sgd, sgdw, adam, adamw, rmsprop, lion, sam family)', () => {
  const cases: [Spec, string[]][] = [
    [{ name: 'sgd', lr: 0.05, momentum: 0.9, weight_decay: 0.01, nesterov: true }, ['momentum', 'weight_decay']],
    [{ name: 'sgdw', lr: 0.05, momentum: 0.8, weight_decay: 0.1, decay_scaled_by_lr: false }, ['momentum', 'weight_decay']],
    [{ name: 'adam', lr: 0.05, weight_decay: 0.01 }, ['beta1', 'weight_decay']],
    [{ name: 'adamw', lr: 0.05 }, ['beta1', 'weight_decay']],
    [{ name: 'rmsprop', lr: 0.01, momentum: 0.5, weight_decay: 0.01 }, ['momentum', 'weight_decay']],
    [{ name: 'lion', lr: 0.01, weight_decay: 0.1 }, ['weight_decay']],
    [{ name: 'sam', rho: 0.05, base: { name: 'sgd', lr: 0.05, momentum: 0.9 } }, ['rho', 'base.momentum']],
    [{ name: 'asam', base: { name: 'adamw', lr: 0.05 } }, ['rho', 'base.beta1', 'base.weight_decay']],
    [{ name: 'wsam', base: { name: 'sgd', lr: 0.05 } }, ['rho']],
    [{ name: 'looksam', base: { name: 'sgd', lr: 0.05 } }, ['rho']],
    [{ name: 'friendly-sam', base: { name: 'sgd', lr: 0.05 } }, ['rho']],
    [{ name: 'gam', base: { name: 'sgd', lr: 0.05 } }, ['grad_rho', 'grad_norm_rho']],
  ];
  for (const [spec, paths] of cases) {
    const plain = trajectory(spec, [], () => {});
    const driven = trajectory(spec, paths, (opt, _k) => { for (const p of paths) opt.setHyperparameter(p, opt.getHyperparameter(p)); });
    assert.deepEqual(driven, plain, `${spec.name} ${paths.join(',')}`);
  }
});

test('a schedule changes the trajectory: momentum, weight decay and ρ are read every step', () => {
  const cases: [Spec, string][] = [
    [{ name: 'sgd', lr: 0.05, momentum: 0.9 }, 'momentum'],
    [{ name: 'adamw', lr: 0.05 }, 'weight_decay'],
    [{ name: 'adam', lr: 0.05 }, 'beta1'],
    [{ name: 'sam', base: { name: 'sgd', lr: 0.05 } }, 'rho'],
  ];
  for (const [spec, path] of cases) {
    const plain = trajectory(spec, [], () => {});
    const driven = trajectory(spec, [path], (opt, k) => opt.setHyperparameter(path, k < 2 ? opt.getHyperparameter(path) : 0.5));
    assert.notDeepEqual(driven, plain, `${spec.name}.${path}`);
  }
  // a scheduled momentum that is 0 at a step leaves the buffer alone (torch skips its momentum branch): 0 throughout = plain SGD
  const sgd = { name: 'sgd', lr: 0.05 };
  assert.deepEqual(trajectory({ ...sgd, momentum: 0.9 }, ['momentum'], (opt) => opt.setHyperparameter('momentum', 0)), trajectory(sgd, [], () => {}));
});

test('scheduled paths are strict: unknown or unschedulable paths are refused; only scheduled ones can be set', () => {
  const params = makeParams([{ value: [1, 2] }]);
  assert.throws(() => createOptimizer({ name: 'sgd' }, params, { scheduled: ['nesterov'] }), (e: unknown) => e instanceof ConfigError && /schedules\.nesterov/.test(e.issues[0]!.path));
  assert.throws(() => createOptimizer({ name: 'adagrad' }, params, { scheduled: ['momentum'] }), ConfigError);
  const opt = createOptimizer({ name: 'sgd', momentum: 0.9 }, params, { scheduled: ['momentum'] });
  assert.throws(() => opt.setHyperparameter('weight_decay', 0.1), RunnerError);
  assert.throws(() => opt.setHyperparameter('momentum', Number.NaN), RunnerError);
  assert.equal(opt.getHyperparameter('momentum'), 0.9);
  opt.setHyperparameter('momentum', 0.5);
  assert.equal(opt.currentHyperparams().momentum, 0.5, 'a scheduled value is reported for metrics.jsonl');
  opt.dispose();
  const plain = createOptimizer({ name: 'sgd', momentum: 0.9 }, params);
  assert.equal(plain.currentHyperparams().momentum, undefined, 'an unscheduled one is not');
  plain.dispose();
  disposeParams(params);
});

test('what can be scheduled is read from the registry: paths through wrappers, the momentum one-cycle cycles', () => {
  const facts = (n: string) => (optimizerRegistry.has(n) ? optimizerRegistry.get(n) : undefined);
  assert.equal(unschedulable({ name: 'sgd' }, 'momentum', facts), undefined);
  assert.equal(unschedulable({ name: 'sam', base: { name: 'adamw' } }, 'base.beta1', facts), undefined);
  assert.match(unschedulable({ name: 'sgd' }, 'lr', facts)!, /schedule:/);
  assert.match(unschedulable({ name: 'sgd' }, 'dampening', facts)!, /cannot schedule dampening/);
  assert.match(unschedulable({ name: 'cautious', base: { name: 'sgd' } }, 'base.momentum', facts)!, /does not pass schedules/);
  assert.equal(cycledMomentumPath({ name: 'sgd' }, facts), 'momentum');
  assert.equal(cycledMomentumPath({ name: 'adamw' }, facts), 'beta1');
  assert.equal(cycledMomentumPath({ name: 'sam', base: { name: 'lookahead', base: { name: 'rmsprop' } } }, facts), 'base.base.momentum');
  assert.equal(cycledMomentumPath({ name: 'adagrad' }, facts), undefined);
});

test('the value set before a step is the one the step uses: a scheduled value c equals c configured, bit for bit (fused forms included)', () => {
  const cases: [Spec, string, number, Spec][] = [
    [{ name: 'sgd', lr: 0.05, momentum: 0.9 }, 'momentum', 0.5, { name: 'sgd', lr: 0.05, momentum: 0.5 }],
    [{ name: 'sgd', lr: 0.05, momentum: 0.9 }, 'weight_decay', 0.1, { name: 'sgd', lr: 0.05, momentum: 0.9, weight_decay: 0.1 }],
    [{ name: 'adam', lr: 0.05 }, 'beta1', 0.8, { name: 'adam', lr: 0.05, betas: [0.8, 0.999] }],
    [{ name: 'adamw', lr: 0.05 }, 'weight_decay', 0.3, { name: 'adamw', lr: 0.05, weight_decay: 0.3 }],
    [{ name: 'sam', base: { name: 'sgd', lr: 0.05 } }, 'rho', 0.2, { name: 'sam', rho: 0.2, base: { name: 'sgd', lr: 0.05 } }],
    [{ name: 'sam', base: { name: 'adamw', lr: 0.05 } }, 'base.beta1', 0.7, { name: 'sam', base: { name: 'adamw', lr: 0.05, betas: [0.7, 0.999] } }],
    [{ name: 'gam', base: { name: 'sgd', lr: 0.05 } }, 'grad_norm_rho', 0.5, { name: 'gam', grad_norm_rho: 0.5, base: { name: 'sgd', lr: 0.05 } }],
    [{ name: 'gam', base: { name: 'sgd', lr: 0.05 } }, 'grad_rho', 0.1, { name: 'gam', grad_rho: 0.1, base: { name: 'sgd', lr: 0.05 } }],
  ];
  for (const [spec, path, c, configured] of cases) {
    assert.deepEqual(trajectory(spec, [path], (opt) => opt.setHyperparameter(path, c)), trajectory(configured, [], () => {}), `${spec.name} ${path} = ${c}`);
  }
});

test('fused kernels: used when nothing is scheduled, the composite when a baked-in hyperparameter is', async () => {
  const kernels = async (scheduled: readonly string[]): Promise<string[]> => {
    const params = makeParams([{ value: [1, -2, 0.5] }]);
    const opt = createOptimizer({ name: 'sgd', lr: 0.1, momentum: 0.9 }, params, { scheduled });
    const closure = closureOf(params, quadratic);
    tf.tidy(() => { opt.step(closure); }); // the first step's copy of the buffer, then a regular one
    const info = await tf.profile(() => { tf.tidy(() => { opt.step(closure); }); });
    opt.dispose();
    disposeParams(params);
    return info.kernelNames.filter((k) => k.startsWith('Minima'));
  };
  if (!fusedActive()) return; // a backend without fused kernels runs the composite either way
  assert.deepEqual(await kernels([]), ['MinimaSgd']);
  assert.deepEqual(await kernels(['momentum']), []);
});
