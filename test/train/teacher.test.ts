/**
 * The EMA teacher of distilling losses (needs.teacher: mesa): teacherOutputs is the model in eval
 * mode at the EMA set's weights and buffers, and leaves the iterate's variables bit-identical; a
 * run hands it to the loss once per step (mesa with reinforce 0 trains exactly as cross-entropy,
 * with reinforce > 0 it changes the loss only inside its epoch window, at one gradient evaluation
 * per step); a config without train.ema is rejected before anything runs.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { tf } from '../support/tf.js';
import { ConfigError } from '../../src/core/errors.js';
import { withTmpDir } from '../support/tmp-dir.js';
import { buildModel } from '../../src/models/index.js';
import { createEma } from '../../src/train/ema.js';
import { teacherOutputs } from '../../src/train/parameter-sets.js';
import { blobs, optimizerSpec, optimizersForLosses, resumeTiny, rowsOf, runTiny, status, tensorsBin, tinyConfig, trainRows, trajectory, truncatedCopy } from './harness.js';

test('teacherOutputs: the model in eval mode at the EMA weights and buffers; the iterate is restored bit for bit', () => {
  const data = { task: 'classification', inputShape: [2], inputKind: 'dense', numClasses: 3, outputDim: 3 } as const;
  const model = buildModel({ name: 'mlp', hidden: [4], batch_norm: true, dropout: 0.5 }, { data, seed: 1, head: 'logits' });
  const exp = { params: model.params, model };
  const ema = createEma({ decay: 0.5, warmup: false, warmup_gamma: 1, warmup_power: 2 / 3, exclude_buffers: false }, model.params, model.buffers);
  const x = tf.tensor2d([[0.3, -1.2], [2, 0.5], [-1, 1]]);
  // move the iterate and the BN running statistics away from the EMA (which holds the initial values)
  const initial = model.params.map((p) => tf.clone(p.variable));
  const initialBuffers = model.buffers.map((b) => tf.clone(b.variable));
  for (const v of [...model.params.map((p) => p.variable), ...model.buffers.map((b) => b.variable)]) v.assign(tf.tidy(() => tf.add(v, 0.25)));
  const before = [...model.params, ...model.buffers].map((p) => Array.from(p.variable.dataSync()));
  const teacher = teacherOutputs(exp, [ema], x);
  assert.deepEqual([...model.params, ...model.buffers].map((p) => Array.from(p.variable.dataSync())), before, 'the iterate is untouched');
  // reference: assign the initial values by hand and apply in eval mode (no dropout, running statistics)
  const saved = [...model.params, ...model.buffers].map((p) => tf.clone(p.variable));
  model.params.forEach((p, i) => p.variable.assign(initial[i]!));
  model.buffers.forEach((b, i) => b.variable.assign(initialBuffers[i]!));
  const ref = model.apply(x, { training: false });
  assert.deepEqual(Array.from(teacher.dataSync()), Array.from(ref.output.dataSync()));
  [...model.params, ...model.buffers].forEach((p, i) => p.variable.assign(saved[i]!));
  const live = model.apply(x, { training: false });
  assert.notDeepEqual(Array.from(live.output.dataSync()), Array.from(teacher.dataSync()), 'the teacher is not the iterate');
  tf.dispose([x, teacher, ref.output, ref.embedding, live.output, live.embedding, ...initial, ...initialBuffers, ...saved]);
  ema.dispose();
  model.dispose();
});

test('teacherOutputs without an ema set names train.ema', () => {
  const data = { task: 'classification', inputShape: [2], inputKind: 'dense', numClasses: 3, outputDim: 3 } as const;
  const model = buildModel({ name: 'mlp', hidden: [4] }, { data, seed: 1, head: 'logits' });
  const x = tf.tensor2d([[0.3, -1.2]]);
  assert.throws(() => teacherOutputs({ params: model.params, model }, [], x), /train\.ema/);
  x.dispose();
  model.dispose();
});

test('a mesa run: reinforce 0 is cross-entropy bit for bit; reinforce > 0 changes only the window\'s steps, at 1 gradient evaluation', async () => {
  await withTmpDir(async (tmp) => {
    const ema = { ema: { decay: 0.9 } };
    const ce = await runTiny(tmp, 'ce', tinyConfig({ dataset: blobs, loss: { name: 'cross-entropy' }, train: ema }));
    const zero = await runTiny(tmp, 'zero', tinyConfig({ dataset: blobs, loss: { name: 'mesa', reinforce: 0, kl_start_epoch: 0 }, train: ema }));
    const on = await runTiny(tmp, 'on', tinyConfig({ dataset: blobs, loss: { name: 'mesa', reinforce: 1, kl_start_epoch: 0 }, train: ema }));
    for (const r of [ce, zero, on]) {
      assert.equal(r.code, 0, r.stderr);
      assert.equal(status(r.dir), 'completed');
    }
    const loss = (dir: string) => trainRows(dir).map((x) => x.loss);
    assert.deepEqual(loss(zero.dir), loss(ce.dir));
    // 3 steps per epoch: steps 1-3 are epoch 0 (outside kl_start_epoch 0 < e), step 4 is epoch 1
    assert.deepEqual(loss(on.dir).slice(0, 3), loss(ce.dir).slice(0, 3));
    assert.ok(loss(on.dir)[3]! > loss(ce.dir)[3]!, `the KL term adds to the loss at step 4: ${loss(on.dir)[3]} vs ${loss(ce.dir)[3]}`);
    assert.ok(trainRows(on.dir).every((x) => x.grad_evals === 1), 'one gradient evaluation per step');
  });
});

test('mesa without train.ema is a config error naming train.ema, before anything is written', async () => {
  await withTmpDir(async (tmp) => {
    await assert.rejects(
      runTiny(tmp, 'no-ema', tinyConfig({ dataset: blobs, loss: { name: 'mesa' }, train: { ema: null } })),
      (err: unknown) => err instanceof ConfigError && err.issues.some((i) => i.path === 'loss.name' && /set train\.ema/.test(i.message)),
    );
    assert.ok(!existsSync(join(tmp, 'no-ema')), 'no run folder');
  });
});

for (const opt of optimizersForLosses()) {
  test(`mesa × ${opt.name}: trains with its teacher from epoch 1 and a run stopped at step 2 resumes bit for bit`, async () => {
    await withTmpDir(async (tmp) => {
      const config = tinyConfig({ dataset: blobs, loss: { name: 'mesa', reinforce: 0.8, kl_start_epoch: 0 }, optimizer: optimizerSpec(opt.name), train: { ema: { decay: 0.5 } } });
      const a = await runTiny(tmp, 'a', config);
      assert.equal(a.code, 0, a.stderr);
      assert.ok(trainRows(a.dir).every((x) => Number.isFinite(x.loss)));
      assert.ok(rowsOf(a.dir).some((x) => String(x.split) === 'test_ema'), 'the teacher is evaluated as test_ema');
      assert.deepEqual(a.stepTensors, a.stepTensors.map(() => a.stepTensors[0]), `live tensors per step ${a.stepTensors.join(', ')}`);
      const b = truncatedCopy(a.dir, 2, join(tmp, 'b'));
      const r = await resumeTiny(tmp, b);
      assert.equal(r.code, 0, r.stderr);
      assert.deepEqual(trajectory(b), trajectory(a.dir));
      assert.ok(tensorsBin(b, 4).equals(tensorsBin(a.dir, 4)), 'final checkpoint tensors (the EMA teacher included) are identical');
    });
  });
}
