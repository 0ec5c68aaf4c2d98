/**
 * Contract tests iterated over the model registry: every entry × every test DataSpec either builds
 * and behaves (shapes, exact paramCount, seeded init, dropout determinism, BN updates, gradients to
 * every parameter, no leaks, embeddings head) or is rejected with CONFIG_INVALID before any
 * variable exists.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { tf } from '../support/tf.js';
import { Rng } from '../../src/core/random.js';
import { RunnerError } from '../../src/core/errors.js';
import type { DataSpec, Model } from '../../src/core/types.js';
import { modelEntries, modelRegistry, type ModelEntry } from '../../src/models/index.js';
import { smallOptions, testSpecs } from './fixtures.js';

const BATCH = 3;

function inputFor(data: DataSpec, seed: number): tf.Tensor {
  const rng = new Rng(seed);
  const size = BATCH * data.inputShape.reduce((a, b) => a * b, 1);
  if (data.inputKind === 'tokens') {
    return tf.tensor(Int32Array.from({ length: size }, () => rng.int(data.vocabSize!)), [BATCH, ...data.inputShape], 'int32');
  }
  return tf.tensor(rng.fillNormal(new Float32Array(size)), [BATCH, ...data.inputShape]);
}

function optionsOf(entry: ModelEntry): unknown {
  return entry.schema.parse(smallOptions[entry.name] ?? {});
}

function values(model: Model): Float32Array[] {
  return model.params.map((p) => p.variable.dataSync() as Float32Array);
}

function finite(t: tf.Tensor): boolean {
  return (t.dataSync() as Float32Array).every(Number.isFinite);
}

it('the registry lists exactly the exported entries, each supporting at least one test dataset', () => {
  assert.deepEqual(modelRegistry.names(), modelEntries.map((e) => e.name).sort());
  assert.deepEqual(modelRegistry.names(), ['cnn', 'diagonal-linear', 'embedding-mlp', 'linear', 'mlp', 'resnet', 'transformer', 'wide-resnet']);
  for (const entry of modelEntries) {
    const ok = Object.values(testSpecs).filter((d) => entry.supports(optionsOf(entry), d) === null);
    assert.ok(ok.length > 0, `${entry.name} supports none of the test datasets`);
  }
});

it('every schema is strict: unknown options are rejected', () => {
  for (const entry of modelEntries) {
    assert.equal(entry.schema.safeParse({ no_such_option: 1 }).success, false, entry.name);
  }
});

for (const entry of modelEntries) {
  describe(`model ${entry.name}`, () => {
    for (const [label, data] of Object.entries(testSpecs)) {
      const options = optionsOf(entry);
      const why = entry.supports(options, data);
      if (why !== null) {
        it(`rejects ${label} with CONFIG_INVALID: ${why}`, () => {
          const before = tf.memory().numTensors;
          assert.throws(() => entry.create(options, { data, seed: 1, head: 'logits' }), (e: unknown) => e instanceof RunnerError && e.code === 'CONFIG_INVALID');
          assert.equal(tf.memory().numTensors, before, 'no variable may be created for a rejected dataset');
        });
        continue;
      }
      it(`builds for ${label}: shapes, paramCount, roles, gradients, no leaks`, () => {
        const start = tf.memory().numTensors;
        const model = entry.create(options, { data, seed: 1, head: 'logits' });
        try {
          // exact parameter count and unique, stable names
          assert.equal(model.paramCount, model.params.reduce((n, p) => n + p.variable.size, 0));
          const names = [...model.params.map((p) => p.name), ...model.buffers.map((b) => b.name)];
          assert.equal(new Set(names).size, names.length, 'names are unique');
          for (const p of model.params) {
            assert.equal(p.owner, 'model');
            assert.ok(p.variable.trainable, p.name);
            const expected = /\/(bias|beta)$/.test(p.name) ? 'bias' : 'kernel';
            assert.equal(p.role, expected, `role of ${p.name}`);
          }
          for (const b of model.buffers) assert.equal(b.variable.trainable, false, b.name);

          const x = inputFor(data, 7);
          // eval: shapes, finite, no updates, no leak
          const before = tf.memory().numTensors;
          const ev = model.apply(x, { training: false });
          assert.deepEqual(ev.output.shape, [BATCH, data.outputDim]);
          assert.deepEqual(ev.embedding.shape, [BATCH, model.embeddingDim]);
          assert.ok(finite(ev.output) && finite(ev.embedding));
          assert.equal(ev.updates, undefined);
          tf.dispose([ev.output, ev.embedding]);
          assert.equal(tf.memory().numTensors, before, 'eval apply leaked');

          // training: the same dropout seed gives the same output; BN buffers get one update each
          const t1 = model.apply(x, { training: true, dropoutSeed: 11 });
          const t2 = model.apply(x, { training: true, dropoutSeed: 11 });
          assert.deepEqual(t1.output.dataSync(), t2.output.dataSync());
          const updates = t1.updates ?? [];
          assert.equal(updates.length, model.buffers.length);
          assert.deepEqual(new Set(updates.map(([v]) => v)), new Set(model.buffers.map((b) => b.variable)));
          for (const [v, t] of updates) assert.deepEqual(t.shape, v.shape);
          for (const r of [t1, t2]) tf.dispose([r.output, r.embedding, ...(r.updates ?? []).map(([, t]) => t)]);
          assert.equal(tf.memory().numTensors, before, 'training apply leaked');

          // gradients reach every parameter: finite everywhere, non-zero somewhere
          const weights = tf.tensor(new Rng(3).fillNormal(new Float32Array(BATCH * data.outputDim)), [BATCH, data.outputDim]);
          const grads = tf.tidy(() => {
            const { grads } = tf.variableGrads(() => tf.sum(tf.mul(model.apply(x, { training: true, dropoutSeed: 5 }).output, weights)) as tf.Scalar, model.params.map((p) => p.variable));
            return grads;
          });
          for (const p of model.params) {
            const g = grads[p.variable.name];
            assert.ok(g, `no gradient for ${p.name}`);
            const gv = g.dataSync() as Float32Array;
            assert.ok(gv.every(Number.isFinite), `non-finite gradient for ${p.name}`);
            assert.ok(gv.some((v) => v !== 0), `zero gradient for ${p.name}`);
          }
          tf.dispose([...Object.values(grads), weights]);
          assert.equal(tf.memory().numTensors, before, 'gradient computation leaked');
          x.dispose();
        } finally {
          model.dispose();
        }
        assert.equal(tf.memory().numTensors, start, 'dispose() released every variable');
      });
    }

    const data = Object.values(testSpecs).find((d) => entry.supports(optionsOf(entry), d) === null)!;

    it('initialisation is seeded: same seed same values, another seed other values', () => {
      const options = optionsOf(entry);
      const a = entry.create(options, { data, seed: 1, head: 'logits' });
      const b = entry.create(options, { data, seed: 1, head: 'logits' });
      const c = entry.create(options, { data, seed: 2, head: 'logits' });
      try {
        assert.deepEqual(a.params.map((p) => p.name), b.params.map((p) => p.name), 'ParamSpec names are stable');
        assert.ok(a.params.every((p, i) => p.variable.name !== b.params[i]!.variable.name), 'engine names differ per instance');
        assert.deepEqual(values(a), values(b));
        const va = values(a);
        const vc = values(c);
        // a model whose init is a constant by definition (diagonal-linear: u = v = α) says so in its info
        if (entry.info?.['seeded'] !== false) assert.ok(va.some((v, i) => v.some((x, j) => x !== vc[i]![j])), 'seed 2 changes the initialisation');
        else assert.deepEqual(va, vc);
      } finally {
        for (const m of [a, b, c]) m.dispose();
      }
    });

    it("head 'embeddings' drops the output layer and returns the embedding", { skip: entry.info?.['head'] === 'none' ? 'the model is its own linear map (no output layer)' : false }, () => {
      const options = optionsOf(entry);
      const withHead = entry.create(options, { data, seed: 1, head: 'logits' });
      const without = entry.create(options, { data, seed: 1, head: 'embeddings' });
      try {
        const E = without.embeddingDim;
        assert.equal(withHead.embeddingDim, E);
        // the head is one Linear E → outputDim with bias
        assert.equal(withHead.paramCount - without.paramCount, E * data.outputDim + data.outputDim);
        const x = inputFor(data, 8);
        const r = without.apply(x, { training: false });
        assert.deepEqual(r.output.shape, [BATCH, E]);
        assert.deepEqual(r.output.dataSync(), r.embedding.dataSync());
        tf.dispose([x, r.output, r.embedding]);
      } finally {
        withHead.dispose();
        without.dispose();
      }
    });
  });
}
