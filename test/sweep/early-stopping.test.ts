import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createStopper, metricSeries, median, type PeerSeries } from '../../src/sweep/early-stopping.js';
import { metricDirection } from '../../src/run/run-folder.js';
import { earlyStoppingSchema } from '../../src/sweep/spec.js';
import { summarizeSweep, formatSummary, stat } from '../../src/sweep/summarize.js';
import type { TrialRecord } from '../../src/sweep/sweep-dir.js';

const pts = (values: readonly number[], every = 10) => values.map((value, i) => ({ step: (i + 1) * every, value }));
const peer = (id: string, values: readonly number[], finished = true): PeerSeries => ({ id, points: pts(values), finished });

test('metricSeries picks split.metric rows, last row per step, finite values only', () => {
  const rows = [
    { step: 10, split: 'test', loss: 0.9 }, { step: 10, split: 'train', loss: 5 },
    { step: 20, split: 'test', loss: 0.8 }, { step: 20, split: 'test', loss: 0.7 }, // re-logged after a resume
    { step: 30, split: 'test', loss: null },
  ];
  assert.deepEqual(metricSeries(rows, 'test.loss'), [{ step: 10, value: 0.9 }, { step: 20, value: 0.7 }]);
  assert.equal(metricDirection('test.loss'), 'min');
  assert.equal(metricDirection('test.accuracy'), 'max');
  assert.equal(median([3, 1, 2]), 2);
  assert.equal(median([4, 1, 2, 3]), 2.5);
});

test('median rule: stops a trial worse than the median of completed trials at the same step', () => {
  const spec = earlyStoppingSchema.parse({ rule: 'median', metric: 'test.loss', min_trials: 3, warmup_steps: 20 });
  const peers = [peer('a', [0.9, 0.5, 0.3]), peer('b', [0.9, 0.6, 0.4]), peer('c', [0.9, 0.7, 0.5]), peer('running', [0.1, 0.1], false)];
  // at step 20 the completed peers hold 0.5, 0.6, 0.7 → median 0.6
  assert.equal(createStopper(spec).check(pts([0.9, 0.65]), peers).stop, true);
  assert.equal(createStopper(spec).check(pts([0.9, 0.6]), peers).stop, false); // equal to the median continues
  assert.equal(createStopper(spec).check(pts([0.55, 0.65]), peers).stop, false); // best so far 0.55 < 0.6
  assert.equal(createStopper(spec).check(pts([2]), peers).stop, false); // step 10 < warmup
  assert.equal(createStopper(spec).check(pts([0.9, 0.65]), peers.slice(0, 2)).stop, false); // 2 < min_trials
  const d = createStopper(spec).check(pts([0.9, 0.65]), peers);
  assert.equal(d.step, 20);
  assert.match(d.reason!, /median 0\.6 of 3 completed trials/);
});

test('asha: at each rung only the top 1/η continue, and a passed rung stays passed', () => {
  const spec = earlyStoppingSchema.parse({ rule: 'asha', metric: 'test.accuracy', min_steps: 10, reduction_factor: 2, max_steps: 40 });
  // rungs 10, 20, 40. Peers at rung 10: 0.5, 0.6, 0.7. Own 0.65 → ranked [0.7, 0.65, 0.6, 0.5], keep ⌊4/2⌋ = 2 → continues
  const peers = [peer('a', [0.5]), peer('b', [0.6]), peer('c', [0.7, 0.9])];
  const s = createStopper(spec);
  assert.equal(s.check(pts([0.65]), peers).stop, false);
  // own 0.55 → ranked [0.7, 0.6, 0.55, 0.5], cutoff 0.6 → stopped at rung 10
  const d = createStopper(spec).check(pts([0.55]), peers);
  assert.deepEqual([d.stop, d.step], [true, 10]);
  // rung 20: only c reached it (0.9); own best 0.65 → ranked [0.9, 0.65], keep 1 → stopped; rung 10 is not re-judged
  const later = s.check(pts([0.65, 0.65]), [...peers, peer('d', [0.99])]);
  assert.deepEqual([later.stop, later.step], [true, 20]);
  // the first trial at a rung is always promoted
  assert.equal(createStopper(spec).check(pts([0.1]), []).stop, false);
  // a resumed trial does not re-judge rungs it passed before the resume
  assert.equal(createStopper(spec, 10).check(pts([0.1]), peers).stop, false);
});

test('summary groups over seeds: mean, sample std and n against hand numbers', () => {
  const rec = (index: number, lr: number, seed: number, status: TrialRecord['status'] = 'completed'): TrialRecord =>
    ({ index, id: `t${index}`, run_dir: `${index}`, params: { 'optimizer.lr': lr, 'train.epochs': 2, seed }, status, attempts: 1, updated_at: '' });
  const records = [rec(0, 0.1, 0), rec(1, 0.1, 1), rec(2, 0.1, 2), rec(3, 0.01, 0), rec(4, 0.01, 1), rec(5, 0.01, 2, 'diverged')];
  const acc = [0.9, 0.92, 0.94, 0.8, 0.9, 0.1];
  const summaries = new Map(records.map((r, i) => [r.id, { final: { 'test.accuracy': acc[i]!, 'train.time_s': 3 + i }, best: { 'test.accuracy': { value: acc[i]! + 0.01, step: 5 } } }]));
  const s = summarizeSweep(records, summaries);
  assert.equal(s.metric, 'best.test.accuracy');
  assert.deepEqual(s.paramColumns, ['optimizer.lr']); // train.epochs is the same everywhere
  assert.deepEqual(s.metricColumns, ['best.test.accuracy', 'test.accuracy']); // timing keys left out
  // lr 0.1: mean(0.90, 0.92, 0.94) = 0.92, sample std = sqrt((0.02² + 0 + 0.02²)/2) = 0.02
  const g0 = s.groups[0]!;
  assert.equal(g0.params['optimizer.lr'], 0.1);
  assert.ok(Math.abs(g0.metrics['test.accuracy']!.mean - 0.92) < 1e-12);
  assert.ok(Math.abs(g0.metrics['test.accuracy']!.std! - 0.02) < 1e-12);
  // lr 0.01: the diverged trial is left out of the means: mean(0.8, 0.9) = 0.85, std = 0.1/√2
  const g1 = s.groups[1]!;
  assert.equal(g1.n, 2);
  assert.ok(Math.abs(g1.metrics['test.accuracy']!.mean - 0.85) < 1e-12);
  assert.ok(Math.abs(g1.metrics['test.accuracy']!.std! - 0.1 / Math.SQRT2) < 1e-12);
  assert.deepEqual(g1.statuses, { completed: 2, diverged: 1 });
  assert.equal(s.showStatus, true);
  assert.deepEqual(stat([5]), { mean: 5, std: null, n: 1 });
  // sorted ascending when asked
  assert.equal(summarizeSweep(records, summaries, { metric: 'test.accuracy', mode: 'min' }).groups[0]!.params['optimizer.lr'], 0.01);

  const table = formatSummary(s, 'table').split('\n');
  assert.equal(table[0], 'optimizer.lr  n  best.test.accuracy (max)  test.accuracy  status');
  assert.equal(table[1], '0.1           3  0.93 ± 0.02               0.92 ± 0.02    3 completed');
  assert.equal(table[2], '0.01          2  0.86 ± 0.071              0.85 ± 0.071   2 completed, 1 diverged');
  assert.equal(formatSummary(s, 'markdown').split('\n')[1], '| --- | --- | --- | --- | --- |');
  const csv = formatSummary(s, 'csv').split('\n');
  assert.equal(csv[0], 'optimizer.lr,n,trials,best.test.accuracy.mean,best.test.accuracy.std,best.test.accuracy.n,test.accuracy.mean,test.accuracy.std,test.accuracy.n,status');
  assert.match(csv[2]!, /^0\.01,2,3,0\.86\d*,0\.0707\d*,2,0\.85\d*,0\.0707\d*,2,"2 completed, 1 diverged"$/);
});
