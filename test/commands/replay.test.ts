import { test } from 'node:test';
import assert from 'node:assert/strict';
import '../support/tf.js';
import { replayTrajectory, type ReplayProblem } from '../../src/commands/replay.js';

// linear softmax, 2 samples, 2 features, 2 classes, W = 0, b = 0: logits 0, p = [½, ½].
// dL/dz_i = (p − onehot(y_i))/n; x1 = [1, 0], y1 = 0; x2 = [0, 1], y2 = 1.
// dL/dW = Σ_i x_iᵀ(p_i − onehot_i)/2 = [[-¼, ¼], [¼, -¼]], dL/db = [0, 0].
// One SGD step with lr 1: W = [[¼, -¼], [-¼, ¼]], b = 0. Loss before: ln 2.
const base: ReplayProblem = {
  problem: 'linear-softmax',
  x: [[1, 0], [0, 1]],
  y: [0, 1],
  params: { W: [[0, 0], [0, 0]], b: [0, 0] },
  optimizer: { name: 'sgd', lr: 1 },
};

test('replay: one SGD step on linear softmax matches the hand-derived update', async () => {
  const { steps } = await replayTrajectory(base, 1);
  const s = steps[0]!;
  assert.ok(Math.abs(s.loss_returned - Math.LN2) < 1e-6);
  const W = s.params.W as number[][];
  assert.ok(Math.abs(W[0]![0]! - 0.25) < 1e-7 && Math.abs(W[0]![1]! + 0.25) < 1e-7 && Math.abs(W[1]![0]! + 0.25) < 1e-7);
  assert.deepEqual(s.params.b, [0, 0]);
  assert.equal(s.grad_evals, 1);
  assert.ok(s.loss_after < s.loss_returned);
});

test('replay: SAM with rho 0 reproduces its base trajectory, with twice the gradient evaluations', async () => {
  const sgd = await replayTrajectory({ ...base, optimizer: { name: 'sgd', lr: 0.5, momentum: 0.9 } }, 5);
  const sam = await replayTrajectory({ ...base, optimizer: { name: 'sam', rho: 0, base: { name: 'sgd', lr: 0.5, momentum: 0.9 } } }, 5);
  assert.deepEqual(sam.steps.map((s) => s.params), sgd.steps.map((s) => s.params));
  assert.equal(sam.steps[0]!.grad_evals, 2);
});

// MESA with its EMA teacher (d ½, "none": ModelEmaV2, no first copy), τ 1, λ 1, from epoch 1.
// Step 0 (epoch 0) is plain CE: W₁ = [[¼, -¼], [-¼, ¼]]; then ema = ½·0 + ½·W₁. Step 1: student
// logits z₁ = [¼, -¼], teacher ½·z₁; per-example gradient (p − onehot) + (p − q), p = softmax(z),
// q = softmax(z/2): W₂[0][0] = ¼ − ½·(2p₀ − 1 − q₀) = 0.408628919; loss −ln p₀ + KL(q‖p) = 0.481670423.
test('replay: mesa distils from the EMA teacher, which moves after each step (hand-derived)', async () => {
  const mesa = { ...base, loss: { name: 'mesa', reinforce: 1, temperature: 1, kl_start_epoch: 0 }, steps_per_epoch: 1 };
  const v2 = await replayTrajectory({ ...mesa, ema: { decay: 0.5, warmup: 'none', warmup_gamma: 1, warmup_power: 2 / 3, exclude_buffers: false } }, 2);
  const s1 = v2.steps[1]!;
  assert.ok(Math.abs((s1.params.W as number[][])[0]![0]! - 0.408628919) < 1e-6);
  assert.ok(Math.abs((s1.params.W as number[][])[1]![1]! - 0.408628919) < 1e-6);
  assert.ok(Math.abs(s1.loss_returned - 0.481670423) < 1e-6);
  assert.ok(Math.abs(v2.steps[0]!.loss_returned - Math.LN2) < 1e-6);
  // a first copy (ModelEmaV3, warmup false) makes the teacher the student at step 1: no KL pull, the CE step
  const v3 = await replayTrajectory({ ...mesa, ema: { decay: 0.5, warmup: false, warmup_gamma: 1, warmup_power: 2 / 3, exclude_buffers: false } }, 2);
  const ce = await replayTrajectory(base, 2);
  assert.ok(Math.abs((v3.steps[1]!.params.W as number[][])[0]![0]! - (ce.steps[1]!.params.W as number[][])[0]![0]!) < 1e-6);
});
