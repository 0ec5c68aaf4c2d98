/**
 * Finite-difference checks of the analytic gradients of tiny models (BN in training mode, max
 * pooling, the cpu convolution path, attention), and one ResNet-20 forward/backward on CIFAR-sized input.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { assertClose, tf } from '../support/tf.js';
import { Rng } from '../../src/core/random.js';
import type { DataSpec, Model } from '../../src/core/types.js';
import type { Spec } from '../../src/core/registry.js';
import { buildModel } from '../../src/models/index.js';
import { cifarSpec } from './fixtures.js';

function flatten(model: Model): Float32Array {
  const parts = model.params.map((p) => p.variable.dataSync() as Float32Array);
  const out = new Float32Array(parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of parts) { out.set(p, o); o += p.length; }
  return out;
}

function assign(model: Model, flat: Float32Array): void {
  let o = 0;
  for (const p of model.params) {
    p.variable.assign(tf.tensor(flat.subarray(o, o + p.variable.size), p.variable.shape));
    o += p.variable.size;
  }
}

/** At most ~150 evenly spaced coordinates keep the larger models fast; central differences with step h. */
function check(spec: Spec, data: DataSpec, x: tf.Tensor, h = 1e-3): void {
  const model = buildModel(spec, { data, seed: 4, head: 'logits' });
  const batch = x.shape[0]!;
  const w = tf.tensor(new Rng(1).fillNormal(new Float32Array(batch * data.outputDim)), [batch, data.outputDim]);
  const loss = () => tf.sum(tf.mul(model.apply(x, { training: true, dropoutSeed: 1 }).output, w)) as tf.Scalar;
  const { grads } = tf.variableGrads(loss, model.params.map((p) => p.variable));
  const analytic = new Float32Array(model.paramCount);
  let o = 0;
  for (const p of model.params) { analytic.set(grads[p.variable.name]!.dataSync(), o); o += p.variable.size; }
  const theta = flatten(model);
  const stride = Math.max(1, Math.floor(theta.length / 150));
  const picked: number[] = [];
  const numeric: number[] = [];
  const at = (flat: Float32Array) => { assign(model, flat); return tf.tidy(() => loss().dataSync()[0]!); };
  for (let i = 0; i < theta.length; i += stride) {
    const plus = Float32Array.from(theta); plus[i] = theta[i]! + h;
    const minus = Float32Array.from(theta); minus[i] = theta[i]! - h;
    numeric.push((at(plus) - at(minus)) / (plus[i]! - minus[i]!));
    picked.push(analytic[i]!);
  }
  assign(model, theta);
  // h = 1e-3: float32 rounding of O(10) losses gives ~1e-3 noise; BN on 4 examples is too curved for 1e-2
  assertClose(picked, numeric, 2e-2, 3e-3, `${spec.name} gradient`);
  tf.dispose([w, ...Object.values(grads)]);
  model.dispose();
}

describe('finite-difference gradient checks', () => {
  it('mlp with BatchNorm (training mode) and GELU', () => {
    const data: DataSpec = { task: 'classification', inputShape: [3], inputKind: 'dense', numClasses: 2, outputDim: 2 };
    const x = tf.tensor2d(new Rng(2).fillNormal(new Float32Array(12)), [4, 3]);
    check({ name: 'mlp', hidden: [4], activation: 'gelu', batch_norm: true }, data, x);
  });

  it('cnn: cpu conv path, max pooling, BatchNorm', () => {
    const data: DataSpec = { task: 'classification', inputShape: [6, 6, 1], inputKind: 'dense', numClasses: 2, outputDim: 2 };
    const x = tf.tensor4d(new Rng(3).fillNormal(new Float32Array(2 * 36)), [2, 6, 6, 1]);
    check({ name: 'cnn', channels: [2], hidden: [3], activation: 'tanh', batch_norm: true }, data, x);
  });

  it('resnet (option A, strided convs) on a tiny image', () => {
    const data: DataSpec = { task: 'classification', inputShape: [4, 4, 2], inputKind: 'dense', numClasses: 2, outputDim: 2 };
    const x = tf.tensor4d(new Rng(4).fillNormal(new Float32Array(3 * 32)), [3, 4, 4, 2]);
    check({ name: 'resnet', depth: 8, width: 2 }, data, x);
  });

  it('transformer: causal attention, LayerNorm, embeddings', () => {
    const data: DataSpec = { task: 'classification', inputShape: [3], inputKind: 'tokens', vocabSize: 5, numClasses: 5, outputDim: 5 };
    const x = tf.tensor2d([[0, 1, 2], [4, 3, 1]], [2, 3], 'int32');
    check({ name: 'transformer', d_model: 4, n_heads: 2, d_mlp: 8, activation: 'gelu' }, data, x);
  });
});

describe('ResNet-20 on CIFAR-sized input', () => {
  it('forward and backward once on a batch of 2', () => {
    const model = buildModel({ name: 'resnet', depth: 20 }, { data: cifarSpec, seed: 0, head: 'logits' });
    const x = tf.tensor4d(new Rng(5).fillNormal(new Float32Array(2 * 32 * 32 * 3)), [2, 32, 32, 3]);
    const before = tf.memory().numTensors;
    const { value, grads } = tf.variableGrads(() => {
      const { output } = model.apply(x, { training: true });
      assert.deepEqual(output.shape, [2, 10]);
      return tf.mean(tf.losses.softmaxCrossEntropy(tf.oneHot(tf.tensor1d([3, 7], 'int32'), 10), output)) as tf.Scalar;
    }, model.params.map((p) => p.variable));
    // softmax over 10 classes at init: the loss is near ln 10 = 2.30
    assert.ok(Math.abs(value.dataSync()[0]! - Math.log(10)) < 1.5, `loss ${value.dataSync()[0]}`);
    for (const p of model.params) assert.ok((grads[p.variable.name]!.dataSync() as Float32Array).every(Number.isFinite), p.name);
    tf.dispose([value, ...Object.values(grads)]);
    assert.equal(tf.memory().numTensors, before);
    x.dispose();
    model.dispose();
  });
});
