/**
 * Multi-sample dropout (Inoue 2019) on the mlp head (`multi_sample_dropout: {samples, rate}`): in
 * training the head runs on K dropout masks of the last hidden features and the training loss is the
 * mean of the K losses (checked against cross-entropy computed here by hand from the K outputs); in
 * evaluation it is the plain model; a run trains, keeps its tensors flat and resumes bit-identically.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { tf } from '../support/tf.js';
import { withTmpDir } from '../support/tmp-dir.js';
import { catalog } from '../../src/registries.js';
import { forwardLoss } from '../../src/train/step.js';
import { resumeTiny, runTiny, tensorsBin, tinyConfig, trajectory, truncatedCopy } from '../train/harness.js';

const data = { task: 'classification', inputShape: [4], inputKind: 'dense', numClasses: 3, outputDim: 3, classCounts: [4, 4, 4] } as const;

test('training: the loss is the mean of the K cross-entropies; eval: the plain model', () => {
  const spec = (msd: unknown) => catalog.model.resolve({ name: 'mlp', hidden: [16], multi_sample_dropout: msd }, ['model']);
  const model = catalog.model.build(spec({ samples: 3, rate: 0.5 }), ['model'], { data, seed: 7, head: 'logits' });
  const plain = catalog.model.build(spec(null), ['model'], { data, seed: 7, head: 'logits' });
  const objective = catalog.loss.build(catalog.loss.resolve({ name: 'cross-entropy' }, ['loss']), ['loss'], { data, sizes: { train: 12, test: 12 }, seed: 1, embeddingDim: 16 });
  const before = tf.memory().numTensors;
  tf.tidy(() => {
    const x = tf.randomNormal([5, 4], 0, 1, 'float32', 3);
    const batch = { x, y: tf.tensor1d([0, 1, 2, 0, 1], 'int32'), index: tf.tensor1d([0, 1, 2, 3, 4], 'int32') };
    const lctx = { step: 0, epoch: 0, training: true, data, seed: 1, split: 'train' as const };
    const f = forwardLoss(model, objective, batch, lctx, 1234);
    const samples = f.model.samples!;
    assert.equal(samples.length, 3);
    assert.notDeepEqual(Array.from(samples[0]!.dataSync()), Array.from(samples[1]!.dataSync()), 'different masks');
    // cross-entropy by hand: −log softmax(z)_y per example, then the mean over the K samples
    const onehot = tf.oneHot(batch.y, 3);
    const ce = samples.map((z) => tf.neg(tf.sum(tf.mul(onehot, tf.logSoftmax(z)), 1)));
    const expected = Array.from(tf.div(tf.addN(ce), 3).dataSync());
    Array.from(f.values.dataSync()).forEach((v, i) => assert.ok(Math.abs(v - expected[i]!) < 1e-5, `${v} vs ${expected[i]}`));
    // output is the mean of the samples
    const mean = Array.from(tf.div(tf.addN([...samples]), 3).dataSync());
    Array.from(f.model.output.dataSync()).forEach((v, i) => assert.ok(Math.abs(v - mean[i]!) < 1e-6));
    // evaluation: dropout off, the same numbers as the model without the option (same parameters)
    const e1 = model.apply(x, { training: false }).output.dataSync();
    const e2 = plain.apply(x, { training: false }).output.dataSync();
    assert.deepEqual(Array.from(e1), Array.from(e2));
    assert.equal(model.apply(x, { training: false }).samples, undefined);
  });
  assert.equal(tf.memory().numTensors, before);
  model.dispose();
  plain.dispose();
  objective.dispose();
});

test('a run with multi-sample dropout trains, holds its tensors flat and resumes bit-identically', async () => {
  await withTmpDir(async (tmp) => {
    const cfg = tinyConfig({ model: { name: 'mlp', hidden: [8], multi_sample_dropout: { samples: 4, rate: 0.5 } }, train: { steps: 6 } });
    const full = await runTiny(tmp, 'msd', cfg);
    assert.equal(full.code, 0, full.stderr);
    assert.equal(new Set(full.stepTensors).size, 1, `tensors per step ${full.stepTensors.join(' ')}`);
    const cut = truncatedCopy(full.dir, 2, join(tmp, 'msd-cut'));
    const resumed = await resumeTiny(tmp, cut);
    assert.equal(resumed.code, 0, resumed.stderr);
    assert.deepEqual(trajectory(cut), trajectory(full.dir));
    assert.ok(tensorsBin(cut, 6).equals(tensorsBin(full.dir, 6)));
  });
});
