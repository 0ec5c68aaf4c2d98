/** Hand-checked layer arithmetic: BatchNorm (torch semantics), dropout, the cpu convolution path, GELU, LayerNorm. */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { assertClose, tf } from '../support/tf.js';
import { Rng } from '../../src/core/random.js';
import { type ForwardContext, activation, batchNorm, batchNormRelu, dropout, embeddingLookup, layerNorm, layerSeed, shiftConv, subsample } from '../../src/models/layers.js';
import { ParamBuilder } from '../../src/models/param-builder.js';
import { buildModel } from '../../src/models/index.js';
import { denseSpec } from './fixtures.js';
import { setFusedKernels } from '../../src/backends/kernels/kernel.js';

function context(training: boolean, seed = 0): ForwardContext {
  return { training, dropoutSeed: (label) => layerSeed(seed, label), updates: [] };
}

describe('batchNorm', () => {
  it('training: batch statistics, torch running-stat updates; eval: running statistics', () => {
    const b = new ParamBuilder('bn-test', 0);
    const bn = batchNorm(b, 'bn', 2);
    // channel 0 = 1,3,5,7: mean 4, biased var (9+1+1+9)/4 = 5, unbiased 20/3
    // channel 1 = 2,4,6,8: mean 5, same variances
    const x = tf.tensor2d([[1, 2], [3, 4], [5, 6], [7, 8]]);
    const ctx = context(true);
    const y = bn(x, ctx);
    const s = Math.sqrt(5 + 1e-5);
    assertClose(y.dataSync(), [-3 / s, -3 / s, -1 / s, -1 / s, 1 / s, 1 / s, 3 / s, 3 / s], 1e-5, 1e-6, 'normalised');
    assert.equal(ctx.updates.length, 2);
    const [[meanVar, newMean], [varVar, newVar]] = ctx.updates as [[tf.Variable, tf.Tensor], [tf.Variable, tf.Tensor]];
    // running_mean = 0.9·0 + 0.1·mean; running_var = 0.9·1 + 0.1·(20/3)
    assertClose(newMean.dataSync(), [0.4, 0.5], 1e-6, 1e-7, 'running mean');
    assertClose(newVar.dataSync(), [0.9 + 2 / 3, 0.9 + 2 / 3], 1e-6, 1e-7, 'running var');
    // apply is functional: nothing is assigned until the caller does it
    assertClose(meanVar.dataSync(), [0, 0], 0, 0, 'buffer untouched');
    meanVar.assign(newMean);
    varVar.assign(newVar);
    const evalCtx = context(false);
    const e = bn(x, evalCtx);
    const sv = Math.sqrt(0.9 + 2 / 3 + 1e-5);
    assertClose(e.dataSync(), [0.6 / sv, 1.5 / sv, 2.6 / sv, 3.5 / sv, 4.6 / sv, 5.5 / sv, 6.6 / sv, 7.5 / sv], 1e-5, 1e-6, 'eval');
    assert.equal(evalCtx.updates.length, 0);
    tf.dispose([x, y, e, newMean, newVar]);
    for (const p of [...b.params, ...b.buffers]) p.variable.dispose();
  });

  it('NHWC input: statistics over batch, height and width', () => {
    const b = new ParamBuilder('bn-test', 0);
    const bn = batchNorm(b, 'bn', 1);
    // 8 values 0..7 in [2, 2, 2, 1]: mean 3.5, biased var 5.25, unbiased 6
    const x = tf.tensor4d([0, 1, 2, 3, 4, 5, 6, 7], [2, 2, 2, 1]);
    const ctx = context(true);
    const y = bn(x, ctx);
    assertClose(y.dataSync(), [0, 1, 2, 3, 4, 5, 6, 7].map((v) => (v - 3.5) / Math.sqrt(5.25 + 1e-5)), 1e-5, 1e-6);
    assertClose(ctx.updates[1]![1].dataSync(), [0.9 + 0.6], 1e-6, 1e-7, 'running var uses n/(n−1)');
    tf.dispose([x, y, ...ctx.updates.map(([, t]) => t)]);
    for (const p of [...b.params, ...b.buffers]) p.variable.dispose();
  });
});

describe('batchNormRelu', () => {
  for (const fused of [true, false]) {
    it(`relu(batchNorm(x)) in training (${fused ? 'fused kernel' : 'composite ops'}) and eval, the same running-stat updates`, () => {
      setFusedKernels(fused);
      try {
        const b = new ParamBuilder('bn-test', 0);
        const bn = batchNormRelu(b, 'bn', 2);
        const x = tf.tensor2d([[1, 2], [3, 4], [5, 6], [7, 8]]);
        const ctx = context(true);
        const y = bn(x, ctx);
        const s = Math.sqrt(5 + 1e-5);
        assertClose(y.dataSync(), [0, 0, 0, 0, 1 / s, 1 / s, 3 / s, 3 / s], 1e-5, 1e-6, 'normalised, negatives zeroed');
        assertClose(ctx.updates[0]![1].dataSync(), [0.4, 0.5], 1e-6, 1e-7, 'running mean');
        assertClose(ctx.updates[1]![1].dataSync(), [0.9 + 2 / 3, 0.9 + 2 / 3], 1e-6, 1e-7, 'running var');
        const g = tf.grad((v: tf.Tensor) => tf.sum(tf.mul(bn(v, context(true)), tf.tensor2d([[1, 0], [0, 0], [0, 0], [0, 2]]))))(x);
        // only the last row passes the ReLU; d/dx of (x₃ − μ)/σ for channel 1 with weight 2: 2·(1/σ)(1 − 1/4 − x̂₃²/4)
        const xh = 3 / s;
        assertClose(g.dataSync(), [0, 2 * (1 / s) * (0 - 1 / 4 - xh * (-3 / s) / 4), 0, 2 * (1 / s) * (0 - 1 / 4 - xh * (-1 / s) / 4), 0, 2 * (1 / s) * (0 - 1 / 4 - xh * (1 / s) / 4), 0, 2 * (1 / s) * (1 - 1 / 4 - xh * xh / 4)], 1e-4, 1e-6, 'gradient');
        const e = bn(tf.tensor2d([[-10, 0.5]]), context(false));
        assertClose(e.dataSync(), [0, 0.5 / Math.sqrt(1 + 1e-5)], 1e-6, 1e-7, 'eval: running statistics (0, 1), then ReLU');
        tf.dispose([x, y, g, e, ...ctx.updates.map(([, t]) => t)]);
        for (const p of [...b.params, ...b.buffers]) p.variable.dispose();
      } finally {
        setFusedKernels(true);
      }
    });
  }
});

describe('dropout', () => {
  const x = tf.ones([4, 50]);
  const drop = dropout(0.25, 'd');
  it('inverted: survivors scaled by 1/(1−p), about p dropped', () => {
    const y = drop(x, context(true, 3)).dataSync();
    const zeros = y.filter((v) => v === 0).length;
    assert.ok(y.every((v) => v === 0 || Math.abs(v - 4 / 3) < 1e-6));
    // 200 Bernoulli(0.25) draws: mean 50, sd ≈ 6.1; ±4 sd
    assert.ok(zeros > 25 && zeros < 75, `${zeros} dropped of 200`);
  });
  it('same seed same mask, other seed or label another mask, identity in eval', () => {
    const a = drop(x, context(true, 3)).dataSync();
    assert.deepEqual(drop(x, context(true, 3)).dataSync(), a);
    assert.notDeepEqual(drop(x, context(true, 4)).dataSync(), a);
    assert.notDeepEqual(dropout(0.25, 'other')(x, context(true, 3)).dataSync(), a);
    assert.deepEqual(drop(x, context(false, 3)).dataSync(), x.dataSync());
  });
  it('in a model: training embedding = eval embedding × mask/(1−p), masks follow dropoutSeed', () => {
    const model = buildModel({ name: 'mlp', hidden: [64], dropout: 0.5 }, { data: denseSpec, seed: 1, head: 'logits' });
    const input = tf.tensor2d([[0.3, -1.2], [2, 0.5]]);
    const ev = model.apply(input, { training: false }).embedding.dataSync();
    const tr = model.apply(input, { training: true, dropoutSeed: 9 }).embedding.dataSync();
    assert.ok(tr.every((v, i) => v === 0 || Math.abs(v - 2 * ev[i]!) < 1e-5));
    assert.ok(tr.some((v, i) => v === 0 && ev[i]! > 0), 'some active unit was dropped');
    assert.deepEqual(model.apply(input, { training: true, dropoutSeed: 9 }).embedding.dataSync(), tr);
    assert.notDeepEqual(model.apply(input, { training: true, dropoutSeed: 10 }).embedding.dataSync(), tr);
    model.dispose();
  });
});

describe('mlp embedding option (linear → BatchNorm1d affine=False, no activation)', () => {
  it('the embedding is BN(W·h + b) of the last hidden layer: zero batch mean, unit variance, negative entries', () => {
    const model = buildModel({ name: 'mlp', hidden: [8], embedding: { dim: 4 } }, { data: denseSpec, seed: 2, head: 'embeddings' });
    assert.deepEqual(model.params.map((p) => p.name).filter((n) => n.includes('embedding')), ['mlp/embedding/kernel', 'mlp/embedding/bias']);
    const input = tf.tensor2d([[0.3, -1.2], [2, 0.5], [-1, 1], [0.1, 0.2], [1.5, -0.7]]);
    const out = model.apply(input, { training: true, dropoutSeed: 1 });
    const e = out.embedding.arraySync() as number[][];
    assert.deepEqual(out.output.shape, [5, 4]);
    for (let j = 0; j < 4; j++) {
      const col = e.map((r) => r[j]!);
      const mean = col.reduce((a, b) => a + b, 0) / 5;
      const variance = col.reduce((a, b) => a + (b - mean) ** 2, 0) / 5;
      assert.ok(Math.abs(mean) < 1e-5, `column ${j} mean ${mean}`);
      // biased batch variance 1 − eps/(var + eps): within 1e-3 unless a column is near constant
      assert.ok(Math.abs(variance - 1) < 1e-2, `column ${j} variance ${variance}`);
    }
    assert.ok(e.flat().some((v) => v < 0), 'a linear + BN embedding has negative entries (a ReLU one would not)');
    // the running statistics moved: one update each for mean and variance
    assert.equal(out.updates?.length, 2);
    tf.dispose([input, out.output, out.embedding, ...(out.updates ?? []).map(([, v]) => v)]);
    model.dispose();
  });
  it('batch_norm false: the embedding is the plain linear map W·h + b', () => {
    const model = buildModel({ name: 'mlp', hidden: [3], embedding: { dim: 2, batch_norm: false } }, { data: denseSpec, seed: 4, head: 'logits' });
    const input = tf.tensor2d([[0.3, -1.2]]);
    const get = (n: string) => model.params.find((p) => p.name === n)!.variable;
    const h = tf.relu(tf.add(tf.matMul(input, get('mlp/dense_0/kernel')), get('mlp/dense_0/bias')));
    const ref = tf.add(tf.matMul(h, get('mlp/embedding/kernel')), get('mlp/embedding/bias'));
    const out = model.apply(input, { training: false });
    assertClose(out.embedding.dataSync(), ref.dataSync(), 1e-6, 1e-6, 'embedding');
    assert.deepEqual(out.output.shape, [1, denseSpec.outputDim]);
    tf.dispose([input, h, ref, out.output, out.embedding]);
    model.dispose();
  });
});

describe('shiftConv (the cpu convolution path)', () => {
  const rng = new Rng(5);
  for (const [k, stride, pad, h, w] of [[3, 1, 1, 5, 6], [3, 2, 1, 7, 6], [3, 1, 0, 5, 5], [1, 2, 0, 6, 5], [5, 1, 2, 6, 4], [3, 2, 1, 8, 8]] as const) {
    it(`equals tf.conv2d with gradients: k ${k}, stride ${stride}, pad ${pad}, ${h}×${w}`, () => {
      const x = tf.tensor4d(rng.fillNormal(new Float32Array(2 * h * w * 3)), [2, h, w, 3]);
      const kernel = tf.tensor4d(rng.fillNormal(new Float32Array(k * k * 3 * 4)), [k, k, 3, 4]);
      const ours = shiftConv(x, kernel, k, stride, pad);
      const ref = tf.conv2d(x, kernel, stride, pad === 0 ? 'valid' : pad);
      assert.deepEqual(ours.shape, ref.shape);
      assertClose(ours.dataSync(), ref.dataSync(), 1e-4, 1e-5, 'forward');
      const dy = tf.tensor(rng.fillNormal(new Float32Array(ref.size)), ref.shape);
      const loss = (f: (a: tf.Tensor4D, b: tf.Tensor4D) => tf.Tensor) => (a: tf.Tensor, b: tf.Tensor) => tf.sum(tf.mul(f(a as tf.Tensor4D, b as tf.Tensor4D), dy));
      const [gx, gw] = tf.grads(loss((a, b) => shiftConv(a, b, k, stride, pad)))([x, kernel]);
      const [rx, rw] = tf.grads(loss((a, b) => tf.conv2d(a, b, stride, pad === 0 ? 'valid' : pad)))([x, kernel]);
      assertClose(gx!.dataSync(), rx!.dataSync(), 1e-4, 1e-4, 'd/dx');
      assertClose(gw!.dataSync(), rw!.dataSync(), 1e-4, 1e-4, 'd/dkernel');
      tf.dispose([x, kernel, ours, ref, dy, gx!, gw!, rx!, rw!]);
    });
  }

  it('subsample is x[:, ::2, ::2] for odd and even sizes', () => {
    // [1, 3, 3, 1] holding 0..8: rows 0 and 2, columns 0 and 2 → 0, 2, 6, 8
    const x = tf.tensor4d([0, 1, 2, 3, 4, 5, 6, 7, 8], [1, 3, 3, 1]);
    assert.deepEqual([...subsample(x, 2).dataSync()], [0, 2, 6, 8]);
    const y = tf.tensor4d([...Array(16).keys()], [1, 4, 4, 1]);
    assert.deepEqual([...subsample(y, 2).dataSync()], [0, 2, 8, 10]);
  });
});

describe('activations and LayerNorm', () => {
  it('GELU is the exact erf form; SiLU is x·σ(x)', () => {
    const x = tf.tensor1d([-1, 0, 1, 2]);
    // 0.5·x·(1 + erf(x/√2)): Φ(1) = 0.8413447, Φ(2) = 0.9772499
    assertClose(activation('gelu')(x).dataSync(), [-(1 - 0.8413447), 0, 0.8413447, 2 * 0.9772499], 1e-5, 1e-6);
    const sig = (v: number) => 1 / (1 + Math.exp(-v));
    assertClose(activation('silu')(x).dataSync(), [-sig(-1), 0, sig(1), 2 * sig(2)], 1e-6, 1e-7);
  });

  it('LayerNorm normalises the last axis with eps 1e-5', () => {
    const b = new ParamBuilder('ln-test', 0);
    const ln = layerNorm(b, 'ln', 4);
    // [1, 2, 3, 4]: mean 2.5, biased var 1.25
    const y = ln(tf.tensor2d([[1, 2, 3, 4]]), context(false)).dataSync();
    assertClose(y, [-1.5, -0.5, 0.5, 1.5].map((v) => v / Math.sqrt(1.25 + 1e-5)), 1e-5, 1e-6);
    for (const p of b.params) p.variable.dispose();
  });
});

describe('embeddingLookup', () => {
  it('equals tf.gather, gradient included (repeated ids accumulate)', () => {
    const table = tf.tensor2d(new Rng(6).fillNormal(new Float32Array(5 * 3)), [5, 3]);
    const ids = tf.tensor2d([[0, 4], [4, 2], [0, 0]], [3, 2], 'int32');
    const dy = tf.tensor(new Rng(7).fillNormal(new Float32Array(18)), [3, 2, 3]);
    assert.deepEqual(embeddingLookup(table, ids).dataSync(), tf.gather(table, ids).dataSync());
    const ours = tf.grad((t: tf.Tensor) => tf.sum(tf.mul(embeddingLookup(t, ids), dy)))(table);
    const ref = tf.grad((t: tf.Tensor) => tf.sum(tf.mul(tf.gather(t, ids), dy)))(table);
    assertClose(ours.dataSync(), ref.dataSync(), 1e-6, 1e-6);
    // row 0 appears three times, rows 1 and 3 never: their gradient is zero
    assert.deepEqual([...ours.dataSync().slice(3, 6)], [0, 0, 0]);
  });
});
