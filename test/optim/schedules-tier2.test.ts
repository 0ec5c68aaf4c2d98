/** The tier-2 schedules (issue 21) at hand-picked steps, lr 0.1 and 100 total steps unless said. */
import '../support/tf.js';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { assertClose } from '../support/tf.js';
import type { Spec } from '../../src/core/registry.js';
import { createSchedule } from '../../src/optim/index.js';

const deps = { baseLr: 0.1, totalSteps: 100, stepsPerEpoch: 10 };
const at = (spec: Spec, steps: number[]): number[] => {
  const s = createSchedule(spec, deps);
  return steps.map((k) => s(k));
};
const range = (n: number): number[] => Array.from({ length: n }, (_, i) => i);

test('cosine-restarts: torch CosineAnnealingWarmRestarts values (T_mult 1, 2, 3)', () => {
  // torch 2.13, lr 0.1, eta_min 0.01, lr read before each of 25 steps
  assertClose(at({ name: 'cosine-restarts', T_0: 5, eta_min: 0.01 }, range(10)),
    [0.1, 0.091405765, 0.068905765, 0.041094235, 0.018594235, 0.1, 0.091405765, 0.068905765, 0.041094235, 0.018594235], 1e-7);
  assertClose(at({ name: 'cosine-restarts', T_0: 3, T_mult: 2, eta_min: 0.01 }, range(25)),
    [0.1, 0.0775, 0.0325, 0.1, 0.093971143, 0.0775, 0.055, 0.0325, 0.016028857, 0.1, 0.098466662, 0.093971143, 0.086819805,
      0.0775, 0.066646857, 0.055, 0.043353143, 0.0325, 0.023180195, 0.016028857, 0.011533338, 0.1, 0.099615019, 0.098466662, 0.096574579], 1e-7);
  assertClose(at({ name: 'cosine-restarts', T_0: 2, T_mult: 3, eta_min: 0.01 }, range(25)),
    [0.1, 0.055, 0.1, 0.093971143, 0.0775, 0.055, 0.0325, 0.016028857, 0.1, 0.099316349, 0.097286168, 0.093971143, 0.089472,
      0.083925442, 0.0775, 0.070390906, 0.062814168, 0.055, 0.047185832, 0.039609094, 0.0325, 0.026074558, 0.020528, 0.016028857, 0.012713832], 1e-7);
  // cycle_decay 0.5: the second cycle peaks at 0.05, the third at 0.025
  assertClose(at({ name: 'cosine-restarts', T_0: 10, cycle_decay: 0.5 }, [0, 10, 15, 20]), [0.1, 0.05, 0.025, 0.025], 1e-12);
});

test('wsd: warmup, stable, then the last decay_fraction (linear, cosine, 1 − sqrt)', () => {
  // warmup 10, decay over the last 20 steps (80 → 100)
  const base = { name: 'wsd', warmup_steps: 10, decay_fraction: 0.2 };
  assertClose(at(base, [0, 5, 10, 50, 79, 80, 90, 99, 100, 150]), [0, 0.05, 0.1, 0.1, 0.1, 0.1, 0.05, 0.005, 0, 0], 1e-12);
  assertClose(at({ ...base, decay_shape: 'cosine' }, [80, 90]), [0.1, 0.05], 1e-12);
  // sqrt: 0.1·(1 − sqrt(0.25)) = 0.05 at step 85; min_lr 0.01 → 0.01 + 0.09·0.5 = 0.055
  assertClose(at({ ...base, decay_shape: 'sqrt' }, [85]), [0.05], 1e-12);
  assertClose(at({ ...base, decay_shape: 'sqrt', min_lr: 0.01 }, [85, 100]), [0.055, 0.01], 1e-12);
});

test('polynomial: HF warmup then (lr − end)(1 − progress)^power + end', () => {
  // warmup 20, power 2, end 0.01: step 60 → 0.09·(1 − 40/80)² + 0.01 = 0.0325
  assertClose(at({ name: 'polynomial', warmup_steps: 20, power: 2, end_lr: 0.01 }, [0, 10, 20, 60, 100, 200]), [0, 0.05, 0.1, 0.0325, 0.01, 0.01], 1e-12);
  assertClose(at({ name: 'polynomial' }, [0, 25, 100]), [0.1, 0.075, 0], 1e-12);
});

test('inverse-sqrt: HF get_inverse_sqrt_schedule (timescale = warmup)', () => {
  // warmup 4: 0, 0.025, …; step 4 → 0.1; step 16 → 0.1/sqrt(16/4) = 0.05
  assertClose(at({ name: 'inverse-sqrt', warmup_steps: 4 }, [0, 1, 4, 16, 100]), [0, 0.025, 0.1, 0.05, 0.02], 1e-12);
  // no warmup: timescale 10 000, step 30 000 → 0.1/sqrt(4) = 0.05
  assertClose(at({ name: 'inverse-sqrt' }, [0, 30_000]), [0.1, 0.05], 1e-12);
});

test('reduce-on-plateau: torch ReduceLROnPlateau lrs after each observed metric (rel/abs, cooldown, max mode, min_lr)', () => {
  // torch 2.13: SGD lr 0.1, scheduler.step(v) for each v, then param_groups[0]['lr']
  const lrs = (spec: Spec, values: number[]): number[] => {
    const s = createSchedule(spec, deps);
    return values.map((v) => { s.observer!.observe(v); return s(0); });
  };
  const losses = [1.0, 0.9, 0.95, 0.9, 0.91, 0.8999, 0.9, 0.5, 0.6, 0.7, 0.8, 0.9, 1.0];
  // patience 2: the 3rd bad evaluation (0.95, 0.9, 0.91) halves; 0.8999 < 0.9·(1 − 1e-4) is an improvement
  assertClose(lrs({ name: 'reduce-on-plateau', patience: 2, factor: 0.5 }, losses),
    [0.1, 0.1, 0.1, 0.1, 0.05, 0.05, 0.05, 0.05, 0.05, 0.05, 0.025, 0.025, 0.025], 1e-12);
  assertClose(lrs({ name: 'reduce-on-plateau', patience: 1, factor: 0.5, cooldown: 2, threshold_mode: 'abs', threshold: 0.05 }, losses),
    [0.1, 0.1, 0.1, 0.05, 0.05, 0.05, 0.05, 0.05, 0.05, 0.025, 0.025, 0.025, 0.025], 1e-12);
  assertClose(lrs({ name: 'reduce-on-plateau', metric: 'test.accuracy', mode: 'max', patience: 1, min_lr: 0.002 }, [0.5, 0.6, 0.6, 0.6, 0.61, 0.6, 0.6, 0.6, 0.6]),
    [0.1, 0.1, 0.1, 0.01, 0.01, 0.01, 0.002, 0.002, 0.002], 1e-12);
});

test('reduce-on-plateau: its state (JSON, no Infinity) restores the reductions and the counters', () => {
  const spec: Spec = { name: 'reduce-on-plateau', patience: 1, factor: 0.5 };
  const a = createSchedule(spec, deps);
  assert.deepEqual(a.observer!.getState(), { lr: 0.1, best: null, bad: 0, cooldown: 0 });
  for (const v of [1, 2, 3]) a.observer!.observe(v); // best 1, then 2 bad → 0.05
  const saved = JSON.parse(JSON.stringify(a.observer!.getState())) as Record<string, number | null>;
  assert.deepEqual(saved, { lr: 0.05, best: 1, bad: 0, cooldown: 0 });
  const b = createSchedule(spec, deps);
  b.observer!.setState(saved);
  for (const v of [4, 5, 0.5, 6]) { a.observer!.observe(v); b.observer!.observe(v); assert.equal(b(7), a(7)); }
  assert.equal(b(0), 0.025);
  assert.throws(() => createSchedule({ name: 'reduce-on-plateau', metric: 'loss' }, deps), /<split>\.<metric>/);
});
