/**
 * buildExperiment → dispose() returns every tensor it created: the baseline the run-level leak
 * checks of the other trainer tests compare against must itself be zero. One case per model of
 * the registry (default options, on a small dataset of the input kind it takes, with
 * cross-entropy, which owns no tensors) and one per loss (its objective alone), so a leak is
 * pinned on the entry that has it.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { tf } from '../support/tf.js';
import { withTmpDir } from '../support/tmp-dir.js';
import type { Entry, Spec } from '../../src/core/registry.js';
import type { Objective } from '../../src/core/types.js';
import { catalog } from '../../src/registries.js';
import { effectiveNeeds } from '../../src/losses/needs.js';
import { loadExperiment } from '../../src/config/load.js';
import { buildDataset } from '../../src/train/build.js';
import { blobs, buildLeak, grouped, lossSpec, teacher, tinyConfig } from './harness.js';

/** A small dataset of the input kind a model's info.input names (image, tokens, or anything dense). */
function datasetFor(model: Entry): Spec {
  const input = String(model.info?.input ?? '');
  if (input.startsWith('image')) return { name: 'mnist', train_size: 16, test_size: 8 };
  if (input.startsWith('tokens')) return { name: 'modular-arithmetic', p: 7 };
  return blobs;
}

for (const model of catalog.model.entries) {
  test(`model ${model.name}: building and disposing the experiment leaves no tensors`, async () => {
    await withTmpDir(async (tmp) => {
      const leaked = await buildLeak(tmp, 'm', tinyConfig({ dataset: datasetFor(model), model: { name: model.name } }));
      assert.equal(leaked, 0, `${leaked} tensors left after dispose()`);
    });
  });
}

for (const loss of catalog.loss.entries) {
  test(`loss ${loss.name}: creating and disposing its objective leaves no tensors`, async () => {
    await withTmpDir(async (tmp) => {
      const file = join(tmp, 'l.yaml');
      const binary = effectiveNeeds(catalog.loss, lossSpec(loss))?.head === 'binary'; // one logit: a 2-class dataset
      // a wrapper's task is its example base's (z-error over mse is a regression loss)
      const regression = (effectiveNeeds(catalog.loss, lossSpec(loss))?.task ?? loss.needs.task) === 'regression';
      writeFileSync(file, stringify(tinyConfig({ dataset: regression ? teacher : loss.needs.groups ? grouped : binary ? { ...blobs, centers: 2 } : blobs, loss: lossSpec(loss) })));
      const { config } = await loadExperiment(file, [], { cwd: tmp });
      const data = (await buildDataset(config, { cwd: tmp, configDir: tmp })).spec;
      const { name: _name, ...options } = config.loss;
      const before = tf.memory().numTensors;
      (loss.create(options, { data, sizes: { train: 8, test: 8 }, seed: 1, embeddingDim: 8 }) as Objective).dispose();
      const leaked = tf.memory().numTensors - before;
      assert.equal(leaked, 0, `${leaked} tensors left after dispose()`);
    });
  });
}
