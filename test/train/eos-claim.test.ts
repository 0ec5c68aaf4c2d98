/**
 * The edge-of-stability claim config stays runnable: two steps of configs/claims/eos/mnist-2k-gd-tanh.yaml
 * with a measurement every step; the monitor's keys, its CSV artifact and summary.json's list.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import '../support/tf.js';
import { repoRoot } from '../support/cli.js';
import { withTmpDir } from '../support/tmp-dir.js';
import { readSummary } from '../../src/run/run-folder.js';
import { rowsOf, runTiny } from './harness.js';

test('configs/claims/eos/mnist-2k-gd-tanh.yaml runs 2 steps with the monitor every step', async () => {
  const config = parse(readFileSync(join(repoRoot, 'configs/claims/eos/mnist-2k-gd-tanh.yaml'), 'utf8')) as Record<string, unknown>;
  const diagnostics = (config.diagnostics as Record<string, unknown>[]).map((d) => ({ ...d, every: 1, iterations: 2 }));
  await withTmpDir(async (tmp) => {
    const r = await runTiny(tmp, 'eos', { ...config, diagnostics, backend: 'cpu' }, ['train.steps=2', 'train.eval_every=2', 'train.checkpoint_every=2']);
    assert.equal(r.code, 0, r.stderr);
    const rows = rowsOf(r.dir).filter((x) => x.diagnostics === true);
    assert.deepEqual(rows.map((x) => x.step), [1, 2]);
    for (const row of rows) {
      assert.equal(row.eos_threshold, 2 / 0.08);
      assert.ok(typeof row.eos_sharpness === 'number' && row.eos_sharpness > 0);
      assert.ok(Math.abs((row.eos_ratio as number) - ((row.eos_sharpness as number) * 0.08) / 2) < 1e-9);
    }
    assert.deepEqual(readSummary(r.dir)!.artifacts, ['artifacts/edge-of-stability/eos.csv']);
  });
});
