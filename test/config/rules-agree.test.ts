/**
 * The config stage and the build agree over a grid drawn from the registries: every model, every
 * loss (alone and as an `extra` term) and the transform options, on a synthetic, a bundled and
 * every kind of file dataset. A config loads (rules included) exactly when it builds with the
 * rules' facts hidden, so the rules are neither weaker nor stricter than `run`.
 * Left out: what only the data can tell (a CSV's row count against `subset`, the classes of
 * `npy` labels without `num_classes` against a `class_map`, the classes of a CSV against a
 * binary-head loss).
 */
import { effectiveNeeds } from '../../src/losses/needs.js';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { loadExperiment } from '../../src/config/load.js';
import { RunnerError } from '../../src/core/errors.js';
import type { Entry } from '../../src/core/registry.js';
import { catalog } from '../../src/registries.js';
import { buildExperiment } from '../../src/train/build.js';
import { withTmpDir } from '../support/tmp-dir.js';
import { npyBytes, writeCifar100, writeFile, writeIdxFolder } from '../data/make-fixtures.js';
import { blindCatalog } from './blind-catalog.js';

type Part = Record<string, unknown>;

function writeFixtures(dir: string): void {
  writeFileSync(join(dir, 't.csv'), `u,v,y\n${Array.from({ length: 30 }, (_, i) => `${i},${i * i},${i % 3}`).join('\n')}\n`);
  writeFile(join(dir, 'x.npy'), npyBytes('<f4', [20, 4, 4], Array.from({ length: 320 }, (_, i) => i % 7)));
  writeFile(join(dir, 'y.npy'), npyBytes('<i8', [20], Array.from({ length: 20 }, (_, i) => i % 2)));
  writeIdxFolder(join(dir, 'mnist'), 40, 20, true);
  writeCifar100(join(dir, 'c100'), 120, 30);
}

const datasets: readonly Part[] = [
  { name: 'moons', n_train: 40, n_test: 20 },
  { name: 'mnist', train_size: 60, test_size: 30 },
  { name: 'modular-arithmetic', p: 7 },
  { name: 'teacher-student', n_train: 40, n_test: 20 },
  { name: 'spurious-gaussian', n_train: 40, n_test: 20 },
  { name: 'csv', path: 't.csv', label: 'y' },
  { name: 'csv', path: 't.csv', label: 'y', task: 'regression' },
  { name: 'npy', x: 'x.npy', y: 'y.npy' },
  { name: 'idx', path: 'mnist' },
  { name: 'cifar100', path: 'c100', label_mode: 'coarse' },
];

const transforms: readonly Part[] = [
  { random_crop: 1 }, { random_crop: 4 }, { horizontal_flip: true }, { normalize: true },
  { label_noise: { rate: 0.2 } }, { label_noise: { type: 'asymmetric', rate: 0.2 } }, { label_noise: { type: 'pairflip', rate: 0.2 } },
  { label_noise: { type: 'asymmetric', rate: 0.2, class_map: { '1': 2 } } }, { imbalance_ratio: 5 }, { subset: { train: 10 } }, { subset: { train: 100, test: 10 } },
];

/** Facts only the data holds (see the header). */
const dataOnly = (d: Part, t: Part) => (d.name === 'csv' && t.subset !== undefined) || (d.name === 'npy' && t.label_noise !== undefined && (t.label_noise as Part).class_map !== undefined);

const lossOf = (e: Entry): Part => ({ name: e.name, ...(typeof e.info?.example === 'string' ? (JSON.parse(e.info.example) as Part) : {}) });
const mlp = { name: 'mlp', hidden: [4] };
/** A binary-head loss (one logit) needs 2 classes, which only a CSV's rows tell. */
const binaryHead = (e: Entry) => effectiveNeeds(catalog.loss, lossOf(e) as { name: string })?.head === 'binary';

function grid(): { dataset: Part; model: Part; loss: Part }[] {
  const out: { dataset: Part; model: Part; loss: Part }[] = [];
  for (const d of datasets) {
    for (const m of catalog.model.entries) out.push({ dataset: d, model: { name: m.name }, loss: { name: 'mae' } });
    for (const l of catalog.loss.entries) if (!(d.name === 'csv' && binaryHead(l))) out.push({ dataset: d, model: mlp, loss: lossOf(l) });
    for (const t of transforms) if (!dataOnly(d, t)) out.push({ dataset: { ...d, ...t }, model: mlp, loss: { name: 'mae' } });
  }
  for (const main of ['arcface', 'harmonic', 'cross-entropy', 'mae']) {
    for (const x of catalog.loss.entries) out.push({ dataset: datasets[0]!, model: mlp, loss: { ...lossOf(catalog.loss.get(main)), extra: [lossOf(x)] } });
  }
  return out;
}

/** null when it passes, else the error's first line. */
async function outcome(fn: () => Promise<void>): Promise<string | null> {
  try {
    await fn();
    return null;
  } catch (err) {
    if (!(err instanceof RunnerError)) throw err;
    assert.equal(err.exitCode, 2, err.message);
    return err.message;
  }
}

test('the config stage rejects exactly the configs the build rejects', async () => {
  await withTmpDir(async (dir) => {
    writeFixtures(dir);
    const disagree: string[] = [];
    for (const parts of grid()) {
      const file = join(dir, 'exp.yaml');
      writeFileSync(file, stringify({ name: 'grid', ...parts, optimizer: { name: 'sgd', lr: 0.1 }, train: { epochs: 1, batch_size: 8 }, backend: 'cpu' }));
      const validated = await outcome(async () => { await loadExperiment(file, [], { cwd: dir }); });
      const built = await outcome(async () => {
        const loaded = await loadExperiment(file, [], { cwd: dir, catalog: blindCatalog });
        (await buildExperiment(loaded.config, { cwd: dir, configDir: dir })).dispose();
      });
      if ((validated === null) !== (built === null)) disagree.push(`${JSON.stringify(parts)}\n  config stage: ${validated}\n  build: ${built}`);
    }
    assert.deepEqual(disagree, []);
  });
});
