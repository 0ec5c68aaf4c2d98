/** Every schedule at hand-picked steps (lr 0.1, 100 total steps unless said). */
import '../support/tf.js';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { assertClose } from '../support/tf.js';
import { ConfigError, UnknownNameError } from '../../src/core/errors.js';
import type { Spec } from '../../src/core/registry.js';
import { createSchedule, scheduleRegistry } from '../../src/optim/index.js';

const deps = { baseLr: 0.1, totalSteps: 100, stepsPerEpoch: 10 };
const at = (spec: Spec, steps: number[], d = deps): number[] => {
  const s = createSchedule(spec, d);
  return steps.map((k) => s(k));
};

test('constant', () => {
  assert.deepEqual(at({ name: 'constant' }, [0, 50, 1000]), [0.1, 0.1, 0.1]);
});

test('step: lr·gamma^floor(step/step_size)', () => {
  // step_size 10, gamma 0.5: steps 0–9 → 0.1, 10–19 → 0.05, 25 → 0.025
  assertClose(at({ name: 'step', step_size: 10, gamma: 0.5 }, [0, 9, 10, 25]), [0.1, 0.1, 0.05, 0.025], 1e-12);
});

test('multistep: one factor per milestone passed (torch bisect_right)', () => {
  assertClose(at({ name: 'multistep', milestones: [8, 5] }, [4, 5, 7, 8, 99]), [0.1, 0.01, 0.01, 0.001, 0.001], 1e-12);
});

test('exponential: lr·gamma^step', () => {
  assertClose(at({ name: 'exponential', gamma: 0.9 }, [0, 1, 2]), [0.1, 0.09, 0.081], 1e-12);
});

test('cosine: T_max defaults to the total steps', () => {
  // eta_min 0.01: step 0 → 0.1; 50 → 0.01 + 0.09·(1 + cos(π/2))/2 = 0.055; 100 → 0.01; 25 → 0.01 + 0.045·(1 + √½) = 0.0868198
  assertClose(at({ name: 'cosine', eta_min: 0.01 }, [0, 25, 50, 100]), [0.1, 0.0868198, 0.055, 0.01], 1e-6);
  assertClose(at({ name: 'cosine', T_max: 50 }, [25, 50]), [0.05, 0], 1e-9, 1e-12);
});

test('warmup-cosine: linear warmup from 0, cosine to min_lr at decay_steps, then held', () => {
  // warmup 10, total 110: 5 → 0.05; 10 → 0.1; 60 → halfway through the cosine = 0.05; 110 and later → 0
  assertClose(at({ name: 'warmup-cosine', warmup_steps: 10 }, [0, 5, 10, 60, 110, 200], { ...deps, totalSteps: 110 }), [0, 0.05, 0.1, 0.05, 0, 0], 1e-9, 1e-12);
  // min_lr 0.02: the midpoint is 0.02 + 0.08/2 = 0.06
  assertClose(at({ name: 'warmup-cosine', warmup_steps: 10, min_lr: 0.02 }, [60], { ...deps, totalSteps: 110 }), [0.06], 1e-9);
});

test('linear: warmup then decay to zero (HF)', () => {
  // warmup 10, total 110: 5 → 0.05; 10 → 0.1; 60 → 0.1·50/100 = 0.05; 110, 200 → 0
  assertClose(at({ name: 'linear', warmup_steps: 10 }, [0, 5, 10, 60, 110, 200], { ...deps, totalSteps: 110 }), [0, 0.05, 0.1, 0.05, 0, 0], 1e-9, 1e-12);
  // no warmup: 0 → 0.1, 25 → 0.075
  assertClose(at({ name: 'linear' }, [0, 25]), [0.1, 0.075], 1e-12);
});

test('one-cycle: torch OneCycleLR values', () => {
  // max 0.1, initial = 0.1/25 = 0.004, min = 0.004/1e4 = 4e-7, total 100, pct_start 0.3 → phase ends at steps 29 and 99
  // 0 → 0.004; 29 → 0.1; 64 (pct 35/70 = ½) → 4e-7 + (0.1 − 4e-7)/2 = 0.0500002; 99 → 4e-7; later steps hold 4e-7
  assertClose(at({ name: 'one-cycle' }, [0, 29, 64, 99, 150]), [0.004, 0.1, 0.0500002, 4e-7, 4e-7], 1e-6, 1e-12);
  // linear anneal: step 10 → 0.004 + 0.096·10/29 = 0.0371034
  assertClose(at({ name: 'one-cycle', anneal_strategy: 'linear' }, [10]), [0.0371034], 1e-6);
  // three phases: 29 → 0.1, 58 → back at 0.004, 99 → 4e-7
  assertClose(at({ name: 'one-cycle', three_phase: true }, [29, 58, 99]), [0.1, 0.004, 4e-7], 1e-6, 1e-12);
});

test('every schedule is finite and non-negative over a run, with its defaults', () => {
  const required: Record<string, Record<string, unknown>> = { step: { step_size: 7 }, multistep: { milestones: [3] }, exponential: { gamma: 0.99 }, swa: { swa_start: 3, swa_lr: 0.01 } };
  for (const name of scheduleRegistry.names()) {
    const s = createSchedule({ name, ...required[name] }, deps);
    for (let k = 0; k < 120; k++) assert.ok(Number.isFinite(s(k)) && s(k) >= 0, `${name}(${k}) = ${s(k)}`);
  }
});

test('schedule specs are validated: unknown names, unknown keys and missing options', () => {
  assert.throws(() => createSchedule({ name: 'cosin' }, deps), (e: unknown) => e instanceof UnknownNameError && e.suggestions.includes('cosine'));
  assert.throws(
    () => createSchedule({ name: 'step', gama: 0.5 }, deps),
    (e: unknown) => e instanceof ConfigError && e.issues.map((i) => i.path).sort().join() === 'schedule.gama,schedule.step_size',
  );
});
