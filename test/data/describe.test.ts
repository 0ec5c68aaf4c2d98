/**
 * describe() agrees with the loaded dataset, for every entry of the registry: every fact it gives
 * is the loaded one (all of them when it says it is complete), its split sizes are the loaded
 * sizes, and its asymmetric-map flag says whether `label_noise: {type: asymmetric}` builds.
 * Without the files, a file entry still describes what its options say, and nothing it says
 * contradicts the loaded data.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { DataSpec } from '../../src/core/types.js';
import { ConfigError } from '../../src/core/errors.js';
import { datasetRegistry, type DatasetEntry } from '../../src/data/index.js';
import { withTmpDir } from '../support/tmp-dir.js';
import { build, deps, fixtures, optionsFor } from './helpers.js';

const specKeys: readonly Exclude<keyof DataSpec, 'classCounts' | 'groupCounts'>[] = ['task', 'inputShape', 'inputKind', 'vocabSize', 'numClasses', 'outputDim', 'classNames', 'numGroups'];

for (const registered of datasetRegistry.entries) {
  const entry = registered as DatasetEntry;
  test(`describe() agrees with the loaded dataset: ${entry.name}`, async () => {
    await withTmpDir(async (dir) => {
      const options = optionsFor(entry.name, dir);
      const d = entry.describe(entry.schema.parse(options), deps(3, dir, dir));
      const ds = await build({ name: entry.name, ...options }, 3, dir, dir);
      for (const key of specKeys) {
        if (d.complete || d.spec[key] !== undefined) assert.deepEqual(d.spec[key], ds.spec[key], `spec.${key}`);
      }
      for (const split of ['train', 'test'] as const) {
        if (d.sizes[split] !== undefined) assert.equal(d.sizes[split], ds.sizes[split], `sizes.${split}`);
      }
      if (d.asymmetricMap !== undefined) {
        const noisy = build({ name: entry.name, ...options, label_noise: { type: 'asymmetric', rate: 0.1 } }, 3, dir, dir);
        if (d.asymmetricMap) await assert.doesNotReject(noisy);
        else await assert.rejects(noisy, ConfigError);
      }
    });
  });
}

for (const name of Object.keys(fixtures)) {
  test(`describe() without the files says only what the options say: ${name}`, async () => {
    const entry = datasetRegistry.get(name) as DatasetEntry;
    const d = await withTmpDir(async (empty) => withTmpDir(async (dir) => {
      const options = entry.schema.parse(optionsFor(name, dir));
      return entry.describe(options, deps(3, empty, empty));
    }));
    const ds = await withTmpDir((dir) => build({ name, ...optionsFor(name, dir) }, 3, dir, dir));
    assert.equal(d.spec.task, ds.spec.task);
    for (const key of specKeys) {
      if (d.spec[key] !== undefined) assert.deepEqual(d.spec[key], ds.spec[key], `spec.${key}`);
    }
    assert.deepEqual(d.sizes, {});
  });
}
