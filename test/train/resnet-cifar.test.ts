/**
 * A CIFAR-style ResNet-20 trains for a few steps on CIFAR-10-format fixture files (the binary
 * version: 1 label byte + 3072 pixel bytes per record) with every optimizer of the registry.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { withTmpDir } from '../support/tmp-dir.js';
import { wholeModelOptimizers } from '../support/optimizers.js';
import { Rng } from '../../src/core/random.js';
import { readMetrics } from '../../src/run/run-folder.js';
import { optimizerSpec, runTiny, tinyConfig } from './harness.js';

function writeCifarFixtures(dir: string, perFile: number): void {
  mkdirSync(dir, { recursive: true });
  const rng = new Rng(7);
  const file = (name: string) => {
    const buf = Buffer.alloc(perFile * 3073);
    for (let r = 0; r < perFile; r++) {
      const label = r % 10;
      buf[r * 3073] = label;
      // a class-dependent mean brightness plus noise, so there is something to learn
      for (let i = 1; i < 3073; i++) buf[r * 3073 + i] = Math.min(255, Math.floor(label * 20 + rng.uniform() * 60));
    }
    writeFileSync(join(dir, name), buf);
  };
  for (let b = 1; b <= 5; b++) file(`data_batch_${b}.bin`);
  file('test_batch.bin');
}

// About 5 CPU-minutes on the cpu backend (17 optimizers): part of `npm run test:long`, not the default suite.
const skip = process.env.MINIMA_TEST_LONG ? false : 'long test (npm run test:long)';

test('ResNet-20 trains on CIFAR-format fixtures with every fused optimizer and four composites (all: MINIMA_TEST_MATRIX=1)', { skip, timeout: 1_200_000 }, async () => {
  await withTmpDir(async (tmp) => {
    writeCifarFixtures(join(tmp, 'cifar'), 4);
    for (const name of wholeModelOptimizers()) {
      const out = await runTiny(tmp, `resnet-${name}`, tinyConfig({
        name: `resnet-${name}`,
        dataset: { name: 'cifar10', path: join(tmp, 'cifar'), normalize: true, random_crop: 4, horizontal_flip: true },
        model: { name: 'resnet', depth: 20 },
        optimizer: optimizerSpec(name),
        train: { steps: 2, batch_size: 4, eval_every: 2, checkpoint_every: 2, eval_batch_size: 4 },
      }));
      assert.equal(out.code, 0, `${name}: ${out.stderr}`);
      const rows = readMetrics(out.dir).filter((r) => r.split === 'train' && r.eval !== true);
      assert.equal(rows.length, 2, name);
      for (const r of rows) assert.ok(Number.isFinite(r.loss as number), `${name} loss finite`);
    }
  });
});
