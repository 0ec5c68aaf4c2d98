/** Hand-computed parameter counts, initialisation scales, describeModel and the data-support hook. */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { tf } from '../support/tf.js';
import { ConfigError, UnknownNameError } from '../../src/core/errors.js';
import type { Spec } from '../../src/core/registry.js';
import type { DataSpec } from '../../src/core/types.js';
import { buildModel, describeModel, modelSupports } from '../../src/models/index.js';
import { cifarSpec, denseSpec, mnistSpec, tokenSpec } from './fixtures.js';

describe('parameter counts (hand-computed)', () => {
  const cases: [string, Spec, DataSpec, number][] = [
    // 784·10 + 10
    ['linear on MNIST', { name: 'linear' }, mnistSpec, 7_850],
    // 784·256 + 256 + 256·10 + 10 = 200,960 + 2,570
    ['mlp 784-256-10 (default)', { name: 'mlp' }, mnistSpec, 203_530],
    // 200,960 + linear embedding 256·64 + 64 = 16,448 (its BN has no γ, β) + head 64·10 + 10 = 650
    ['mlp 784-256, embedding 64 + BN', { name: 'mlp', embedding: { dim: 64 } }, mnistSpec, 218_058],
    // one-hot tokens: 2·7 = 14 inputs; 14·5 + 5 + 5·7 + 7 = 75 + 42; BN adds γ, β: 2·5
    ['mlp on tokens, BN', { name: 'mlp', hidden: [5], batch_norm: true }, tokenSpec, 127],
    // conv 9·1·32 + 32 = 320; conv 9·32·64 + 64 = 18,496; dense 7·7·64 = 3,136 → 128: 401,536; head 1,290
    ['cnn [32, 64] k3, dense 128', { name: 'cnn', channels: [32, 64], kernel_size: 3, hidden: [128] }, mnistSpec, 421_642],
    // ResNet-20 (option A): stem 432 + bn 32; stage 1: 3·(2·2,304 + 2·32) = 14,016;
    // stage 2: 4,608 + 9,216 + 128 + 2·(2·9,216 + 128) = 51,072; stage 3: 18,432 + 36,864 + 256
    // + 2·(2·36,864 + 256) = 203,520; fc 64·10 + 10 = 650 → 269,722 (the paper's 0.27M)
    ['ResNet-20 option A', { name: 'resnet' }, cifarSpec, 269_722],
    // ResNet-8: 464 + 4,672 + 13,952 + 55,552 + 650
    ['ResNet-8', { name: 'resnet', depth: 8 }, cifarSpec, 75_290],
    // option B adds 1×1 convs + BN: 16·32 + 64 and 32·64 + 128 = 2,752
    ['ResNet-20 option B', { name: 'resnet', shortcut: 'B' }, cifarSpec, 272_474],
    // WRN-16-1: stem 432; stage 1: 2·(32 + 2,304 + 32 + 2,304) = 9,344; stage 2: (32 + 4,608 + 64 +
    // 9,216 + 512) + (64 + 9,216 + 64 + 9,216) = 32,992; stage 3: (64 + 18,432 + 128 + 36,864 + 2,048)
    // + (128 + 36,864 + 128 + 36,864) = 131,520; final bn 128; fc 650
    ['WRN-16-1', { name: 'wide-resnet', widen_factor: 1 }, cifarSpec, 175_066],
    // table 7·4 = 28; 8·5 + 5 = 45; head 5·7 + 7 = 42
    ['embedding-mlp shared', { name: 'embedding-mlp', embed_dim: 4, hidden: [5] }, tokenSpec, 115],
    // two tables: 56
    ['embedding-mlp per position', { name: 'embedding-mlp', embed_dim: 4, hidden: [5], shared_embedding: false }, tokenSpec, 143],
    // tok 7·8 = 56; pos 2·8 = 16; ln1 16; qkv 8·24 + 24 = 216; proj 72; ln2 16; fc 8·16 + 16 = 144;
    // mlp proj 16·8 + 8 = 136; ln_f 16; head 8·7 + 7 = 63
    ['transformer tiny', { name: 'transformer', d_model: 8, n_heads: 2, d_mlp: 16 }, tokenSpec, 751],
    // without LayerNorm: 751 − 3·16
    ['transformer tiny, no LN', { name: 'transformer', d_model: 8, n_heads: 2, d_mlp: 16, layer_norm: false }, tokenSpec, 703],
  ];
  for (const [label, spec, data, count] of cases) {
    it(`${label}: ${count.toLocaleString('en')}`, () => {
      assert.equal(describeModel(spec, data).paramCount, count);
    });
  }
});

describe('initialisation scales', () => {
  function stats(spec: Spec, data: DataSpec, name: string): { std: number; maxAbs: number; mean: number } {
    const model = buildModel(spec, { data, seed: 3, head: 'logits' });
    const p = model.params.find((q) => q.name === name);
    assert.ok(p, `${name} not found in ${model.params.map((q) => q.name).join(', ')}`);
    const v = p.variable.dataSync() as Float32Array;
    const mean = v.reduce((a, b) => a + b, 0) / v.length;
    const std = Math.sqrt(v.reduce((a, b) => a + (b - mean) ** 2, 0) / v.length);
    const maxAbs = v.reduce((a, b) => Math.max(a, Math.abs(b)), 0);
    model.dispose();
    return { std, maxAbs, mean };
  }
  const near = (a: number, b: number, rel: number, label: string) => assert.ok(Math.abs(a - b) <= rel * b, `${label}: ${a} vs ${b}`);

  it('Linear: U(±1/√fan_in) (std = bound/√3)', () => {
    const s = stats({ name: 'mlp' }, mnistSpec, 'mlp/dense_0/kernel');
    const bound = 1 / Math.sqrt(784);
    assert.ok(s.maxAbs <= bound && s.maxAbs > 0.99 * bound);
    near(s.std, bound / Math.sqrt(3), 0.02, 'std');
    const bias = stats({ name: 'mlp' }, mnistSpec, 'mlp/dense_0/bias');
    assert.ok(bias.maxAbs <= bound && bias.maxAbs > 0.8 * bound);
  });
  it('ResNet convs: kaiming_normal fan_in, N(0, 2/(9·in))', () => {
    near(stats({ name: 'resnet' }, cifarSpec, 'resnet/layer3_1/conv1/kernel').std, Math.sqrt(2 / (9 * 64)), 0.03, 'std');
  });
  it('WRN convs: N(0, 2/(9·out)) (fan_out); linear bias 0', () => {
    near(stats({ name: 'wide-resnet', widen_factor: 1 }, cifarSpec, 'wide-resnet/block3_1/conv1/kernel').std, Math.sqrt(2 / (9 * 64)), 0.03, 'std');
    assert.equal(stats({ name: 'wide-resnet', widen_factor: 1 }, cifarSpec, 'wide-resnet/head/bias').maxAbs, 0);
  });
  it('transformer N(0, 0.02), residual projections N(0, 0.02/√(2L)); embedding-mlp tables N(0, 1)', () => {
    const data: DataSpec = { ...tokenSpec, vocabSize: 97, numClasses: 97, outputDim: 97 };
    near(stats({ name: 'transformer' }, data, 'transformer/token_embedding').std, 0.02, 0.03, 'embedding');
    near(stats({ name: 'transformer', n_layers: 2 }, data, 'transformer/block_1/mlp/proj/kernel').std, 0.02 / 2, 0.03, 'residual');
    near(stats({ name: 'embedding-mlp' }, data, 'embedding-mlp/embedding/table').std, 1, 0.03, 'table');
  });
});

describe('describeModel and modelSupports', () => {
  it('summarises layers in order with shapes', () => {
    const d = describeModel({ name: 'mlp' }, mnistSpec);
    assert.deepEqual(d.layers, [
      { layer: 'mlp/dense_0', shapes: { kernel: [784, 256], bias: [256] }, params: 200_960 },
      { layer: 'mlp/head', shapes: { kernel: [256, 10], bias: [10] }, params: 2_570 },
    ]);
    assert.equal(d.embeddingDim, 256);
    assert.equal(d.outputDim, 10);
    assert.equal(d.bufferCount, 0);
    // ResNet-20: 19 BN layers of running mean + var: 2·(16·7 + 32·6 + 64·6) = 1,376
    assert.equal(describeModel({ name: 'resnet' }, cifarSpec).bufferCount, 1_376);
  });

  it('says why a model cannot take a dataset, before building anything', () => {
    const before = tf.memory().numTensors;
    assert.equal(modelSupports({ name: 'mlp' }, tokenSpec), null);
    assert.match(modelSupports({ name: 'cnn' }, denseSpec) ?? '', /\[height, width, channels\]/);
    assert.match(modelSupports({ name: 'transformer' }, mnistSpec) ?? '', /token inputs/);
    assert.match(modelSupports({ name: 'cnn', channels: [8, 8, 8, 8, 8, 8] }, mnistSpec) ?? '', /shrink/);
    assert.match(modelSupports({ name: 'mlp' }, { ...tokenSpec, vocabSize: undefined } as unknown as DataSpec) ?? '', /vocabSize/);
    assert.equal(tf.memory().numTensors, before);
  });

  it('bad options become config issues with paths; unknown names suggest', () => {
    assert.throws(() => buildModel({ name: 'resnet', depth: 10 }, { data: cifarSpec, seed: 0, head: 'logits' }), (e: unknown) => e instanceof ConfigError && e.issues[0]!.path === 'model.depth');
    assert.throws(() => modelSupports({ name: 'transformer', d_model: 10, n_heads: 4 }, tokenSpec), (e: unknown) => e instanceof ConfigError && e.issues[0]!.path === 'model.n_heads');
    assert.throws(() => modelSupports({ name: 'resnt' }, cifarSpec), (e: unknown) => e instanceof UnknownNameError && e.suggestions.includes('resnet'));
  });
});
