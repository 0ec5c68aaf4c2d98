import { tf, assertNoLeak } from '../support/tf.js';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { z } from 'zod';
import { ConfigError } from '../../src/core/errors.js';
import { Rng } from '../../src/core/random.js';
import { datasetRegistry } from '../../src/data/index.js';
import { withTmpDir } from '../support/tmp-dir.js';
import { build, optionsFor } from './helpers.js';

test('dataset registry: names are the documented ones', () => {
  for (const n of ['mnist', 'moons', 'spirals', 'blobs', 'modular-arithmetic', 'xor-clusters', 'teacher-student', 'gaussian-mixture', 'parity', 'sparse-parity', 'idx', 'cifar10', 'cifar100', 'csv', 'npy', 'npz']) {
    assert.ok(datasetRegistry.has(n), n);
  }
});

for (const entry of datasetRegistry.entries) {
  test(`dataset contract: ${entry.name}`, async () => {
    await withTmpDir(async (dir) => {
      const spec = { name: entry.name, ...optionsFor(entry.name, dir) };
      const ds = await build(spec, 3, dir, dir);
      const s = ds.spec;
      const D = s.inputShape.reduce((a, b) => a * b, 1);
      assert.ok(D > 0 && s.inputShape.every((d) => Number.isInteger(d) && d > 0));
      if (s.task === 'classification') {
        assert.ok(s.numClasses >= 2);
        assert.equal(s.outputDim, s.numClasses);
        assert.equal(s.classCounts?.reduce((a, b) => a + b, 0), ds.sizes.train);
        if (s.classNames) assert.equal(s.classNames.length, s.numClasses);
      } else {
        assert.equal(s.numClasses, 0);
        assert.ok(s.outputDim >= 1);
      }
      if (s.inputKind === 'tokens') assert.ok((s.vocabSize ?? 0) >= 2);
      assert.ok(ds.sizes.train > 0 && ds.sizes.test > 0);
      assert.equal(typeof ds.meta.source, 'string');
      assert.doesNotThrow(() => JSON.stringify(ds.meta));

      for (const split of ['train', 'test'] as const) {
        const m = Math.min(16, ds.sizes[split]);
        const idx = Int32Array.from({ length: m }, (_, i) => (i * 7) % ds.sizes[split]);
        const b = ds.gather(split, idx);
        assert.equal(b.x.length, m * D);
        assert.ok(s.inputKind === 'tokens' ? b.x instanceof Int32Array : b.x instanceof Float32Array);
        for (const v of b.x) {
          assert.ok(Number.isFinite(v));
          if (s.inputKind === 'tokens') assert.ok(v >= 0 && v < s.vocabSize!);
        }
        if (s.task === 'classification') {
          assert.ok(b.y instanceof Int32Array && b.y.length === m);
          for (const v of b.y) assert.ok(Number.isInteger(v) && v >= 0 && v < s.numClasses);
        } else {
          assert.ok(b.y instanceof Float32Array && b.y.length === m * s.outputDim);
        }
        await assertNoLeak(() => tf.tidy(() => tf.tensor(b.x, [m, ...s.inputShape], s.inputKind === 'tokens' ? 'int32' : 'float32').sum()).dispose());
      }
      // same data seed ⇒ same data; same rng state ⇒ same batch
      const again = await build(spec, 3, dir, dir);
      const idx = Int32Array.from([0, ds.sizes.train - 1]);
      assert.deepEqual(again.gather('train', idx, new Rng(1)), ds.gather('train', idx, new Rng(1)));
      await assert.rejects(build({ ...spec, no_such_option: 1 }, 3, dir, dir), ConfigError);
    });
  });
}

test('dataset schemas: every option is described', () => {
  for (const entry of datasetRegistry.entries) {
    const shape = (entry.schema as unknown as z.ZodObject).shape as Record<string, z.ZodType>;
    for (const [key, field] of Object.entries(shape)) assert.ok(field.description, `${entry.name}.${key} has no description`);
  }
});
