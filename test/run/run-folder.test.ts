/**
 * The run folder's vocabulary: one metric direction for summary.json's `best`, sweep summaries and
 * early stopping (ece goes down everywhere); one timing-key rule; the readers' error messages; and
 * the atomic writer's temp names (host and pid, for Slurm tasks sharing a folder).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { appendFileSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { basename, join } from 'node:path';
import { withTmpDir } from '../support/tmp-dir.js';
import {
  isTimingKey, latestPerStep, metricDirection, MetricsTail, readMetrics, readStatus, readSummary, requireSummary, summarizeMetrics, TIMING_KEYS,
} from '../../src/run/run-folder.js';
import { tmpName, writeFileAtomic } from '../../src/run/atomic.js';
import { isAlive } from '../../src/core/process.js';
import { RunnerError } from '../../src/core/errors.js';
import { createStopper } from '../../src/sweep/early-stopping.js';
import { earlyStoppingSchema } from '../../src/sweep/spec.js';
import { summarizeSweep } from '../../src/sweep/summarize.js';
import type { TrialRecord } from '../../src/sweep/sweep-dir.js';

test('metric direction: losses, errors and calibration go down, the rest goes up, with or without split and best prefixes', () => {
  for (const k of ['loss', 'test.loss', 'best.test.loss', 'test.ece', 'adaptive_ece', 'brier', 'nll', 'mse', 'rmse', 'mae', 'train.error', 'perplexity', 'grad_norm', 'weight_norm', 'sharpness', 'softmax_collapse', 'zero_loss_fraction']) {
    assert.equal(metricDirection(k), 'min', k);
  }
  for (const k of ['accuracy', 'test.accuracy', 'best.test.accuracy', 'top_5', 'macro_f1', 'r2', 'class_acc_3']) assert.equal(metricDirection(k), 'max', k);
});

test('lowest test.ece is best in summary.json, first in `sweep summary --metric test.ece`, and what early stopping keeps', () => {
  // summary.json: the best ece is the lowest one
  const { best } = summarizeMetrics([
    { step: 10, epoch: 0, split: 'test', ece: 0.2, accuracy: 0.7, eval: true },
    { step: 20, epoch: 1, split: 'test', ece: 0.05, accuracy: 0.8, eval: true },
    { step: 30, epoch: 2, split: 'test', ece: 0.1, accuracy: 0.9, eval: true },
  ]);
  assert.deepEqual(best['test.ece'], { value: 0.05, step: 20 });
  assert.deepEqual(best['test.accuracy'], { value: 0.9, step: 30 });

  // sweep summary: sorted ascending by default, the low-ece group first
  const rec = (index: number, lr: number): TrialRecord => ({ index, id: `t${index}`, run_dir: `${index}`, params: { 'optimizer.lr': lr }, status: 'completed', attempts: 1, updated_at: '' });
  const records = [rec(0, 0.1), rec(1, 0.01), rec(2, 0.001)];
  const ece = [0.3, 0.02, 0.1];
  const summaries = new Map(records.map((r, i) => [r.id, { final: { 'test.ece': ece[i]! }, best: { 'test.ece': { value: ece[i]!, step: 5 } } }]));
  for (const metric of ['test.ece', 'best.test.ece']) {
    const s = summarizeSweep(records, summaries, { metric });
    assert.equal(s.mode, 'min', metric);
    assert.deepEqual(s.groups.map((g) => g.params['optimizer.lr']), [0.01, 0.001, 0.1], metric);
  }

  // early stopping without a mode: a trial whose ece is above the median of its peers is stopped
  const spec = earlyStoppingSchema.parse({ rule: 'median', metric: 'test.ece', min_trials: 3 });
  const peers = [0.1, 0.2, 0.3].map((v, i) => ({ id: `p${i}`, points: [{ step: 10, value: v }], finished: true }));
  assert.equal(createStopper(spec).check([{ step: 10, value: 0.25 }], peers).stop, true);
  assert.equal(createStopper(spec).check([{ step: 10, value: 0.15 }], peers).stop, false);
});

test('timing keys: seconds and milliseconds, whatever the prefix; never in summary.json', () => {
  for (const k of TIMING_KEYS) assert.ok(isTimingKey(k), k);
  for (const k of ['time_s', 'train.time_s', 'best.test.samples_per_s', 'step_time_ms']) assert.ok(isTimingKey(k), k);
  for (const k of ['loss', 'grad_evals', 'class_acc_s1', 'steps']) assert.ok(!isTimingKey(k), k);
  const { final, best } = summarizeMetrics([{ step: 5, epoch: 0, split: 'test', loss: 1, time_s: 3, samples_per_s: 100, step_time_ms: 2, eval: true }]);
  assert.deepEqual(Object.keys(final), ['test.loss']);
  assert.deepEqual(Object.keys(best), ['test.loss']);
});

test('readers: status, summary, metrics with a torn line, the last row per (split, step), and an incremental tail', async () => {
  await withTmpDir((dir) => {
    assert.equal(readStatus(dir), undefined);
    assert.equal(readSummary(dir), undefined);
    assert.throws(() => requireSummary(join(dir, 'nope')), (e: unknown) => e instanceof RunnerError && e.exitCode === 2 && /no run folder/.test(e.message));
    writeFileSync(join(dir, 'status'), 'interrupted\n');
    assert.equal(readStatus(dir), 'interrupted');
    assert.throws(() => requireSummary(dir), (e: unknown) => e instanceof RunnerError && /status: interrupted; resume it with `minima resume/.test(e.message));
    writeFileSync(join(dir, 'summary.json'), '{"status": "comp');
    assert.throws(() => readSummary(dir), (e: unknown) => e instanceof RunnerError && /not valid JSON/.test(e.message));

    const tail = new MetricsTail(join(dir, 'metrics.jsonl'));
    assert.deepEqual(tail.read(), []);
    const line = (o: object) => `${JSON.stringify(o)}\n`;
    writeFileSync(join(dir, 'metrics.jsonl'), line({ step: 1, epoch: 0, split: 'train', loss: 2 }) + line({ step: 2, epoch: 0, split: 'test', loss: null }) + '{"step": 2, "epo');
    assert.equal(readMetrics(dir).length, 2);
    assert.deepEqual(tail.read().map((r) => r.step), [1, 2]);
    appendFileSync(join(dir, 'metrics.jsonl'), `ch": 0, "split": "train", "loss": 1}\n${line({ step: 1, epoch: 0, split: 'train', loss: 1.5 })}`);
    assert.deepEqual(tail.read().map((r) => r.step), [1, 2, 2, 1]);
    assert.deepEqual(latestPerStep(readMetrics(dir)).map((r) => [r.step, r.split, r.loss]), [[1, 'train', 1.5], [2, 'train', 1], [2, 'test', null]]);
  });
});

test('atomic writes: a hidden temp name with host and pid beside the target, nothing left behind', async () => {
  await withTmpDir((dir) => {
    const target = join(dir, 'trials', 'a.json');
    mkdirSync(join(dir, 'trials'));
    const a = tmpName(target), b = tmpName(target);
    assert.notEqual(a, b);
    assert.ok(basename(a).startsWith(`.a.json.${hostname()}.${process.pid}.`) && a.endsWith('.tmp'), a);
    writeFileAtomic(target, '{"x": 1}\n');
    writeFileAtomic(target, Buffer.from('{"x": 2}\n'));
    assert.deepEqual(readdirSync(join(dir, 'trials')), ['a.json']);
  });
});

test('isAlive: this process is, an exited one is not', () => {
  assert.equal(isAlive(process.pid), true);
  assert.equal(isAlive(2 ** 22 + 12345), false); // above Linux's pid_max
});
