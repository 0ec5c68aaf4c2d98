/**
 * `minima eval --ensemble RUN_DIR`: an SGLD run's kept checkpoints as a sample ensemble. The
 * averaged probabilities are recomputed here by hand from each checkpoint's linear weights
 * (softmax(x·W + b)) and the test split, and the metrics compared.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import '../support/tf.js';
import { withTmpDir } from '../support/tmp-dir.js';
import { ensembleValues, evalCommand, evaluateEnsemble } from '../../src/commands/eval.js';
import { all, build } from '../data/helpers.js';
import { blobs, capture, checkpointTensors, runTiny, tinyConfig } from '../train/harness.js';

test('eval --ensemble: members are the kept checkpoints from --from-step on; averaged softmax probabilities, by hand', async () => {
  await withTmpDir(async (tmp) => {
    const config = tinyConfig({ model: { name: 'linear' }, optimizer: { name: 'sgld', lr: 0.1, temperature: 0.01, seed: 3 }, train: { steps: 6, checkpoint_every: 2 } });
    const run = await runTiny(tmp, 'chain', config);
    assert.equal(run.code, 0, run.stderr);
    const { ctx } = capture(tmp, ['eval']);
    const r = await evaluateEnsemble({ ensemble: run.dir, fromStep: 3 }, ctx);
    assert.deepEqual(r.members, [4, 6]);

    const ds = await build(blobs, 0);
    const { x, y } = all(ds, 'test');
    const n = y.length;
    const probsAt = (step: number): number[][] => {
      const t = Object.values(checkpointTensors(run.dir, step)).filter((v) => v.length === 6 || v.length === 3);
      const w = t.find((v) => v.length === 6)!; // kernel [2, 3]
      const b = t.find((v) => v.length === 3 && v !== w)!;
      return Array.from({ length: n }, (_, i) => {
        const z = [0, 1, 2].map((c) => (x[2 * i] as number) * w[c]! + (x[2 * i + 1] as number) * w[3 + c]! + b[c]!);
        const m = Math.max(...z);
        const e = z.map((v) => Math.exp(v - m));
        const s = e.reduce((a, v) => a + v, 0);
        return e.map((v) => v / s);
      });
    };
    const [p4, p6] = [probsAt(4), probsAt(6)];
    const mean = p4.map((row, i) => row.map((v, c) => (v + p6[i]![c]!) / 2));
    const metrics = (p: number[][]) => ({
      accuracy: p.filter((row, i) => row.indexOf(Math.max(...row)) === y[i]).length / n,
      nll: -p.reduce((s, row, i) => s + Math.log(row[y[i] as number]!), 0) / n,
    });
    const want = metrics(mean);
    assert.equal(r.ensemble.accuracy, want.accuracy);
    assert.ok(Math.abs(r.ensemble.nll! - want.nll) < 1e-5, `${r.ensemble.nll} vs ${want.nll}`);
    const last = metrics(p6);
    assert.ok(Math.abs(r.last.nll! - last.nll) < 1e-5);
    assert.notEqual(r.ensemble.nll, r.last.nll);

    // gain: the ensemble's improvement, last − ensemble for a lower-is-better metric
    const v = ensembleValues(r);
    assert.equal(v['gain.nll'], r.last.nll! - r.ensemble.nll!);
    assert.equal(v['gain.accuracy'], r.ensemble.accuracy! - r.last.accuracy!);
    assert.equal(await evalCommand({ ensemble: run.dir, fromStep: 3, expect: ['ensemble.accuracy>=0'] }, ctx), 0);
    assert.equal(await evalCommand({ ensemble: run.dir, fromStep: 3, expect: ['ensemble.accuracy>1'] }, ctx), 4);

    const one = await evaluateEnsemble({ ensemble: run.dir, fromStep: 6 }, ctx);
    assert.deepEqual(one.ensemble, one.last);
    await assert.rejects(evaluateEnsemble({ ensemble: run.dir, fromStep: 7 }, ctx), /no checkpoint at step ≥ 7/);
  });
});
