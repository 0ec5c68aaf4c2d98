import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { parseExpectation, evaluateExpectations, formatExpectationReport, ExpectationSyntaxError } from '../../src/expect/index.js';
import { check } from '../../src/commands/check.js';
import type { Summary } from '../../src/run/run-folder.js';
import { withTmpDir } from '../support/tmp-dir.js';
import { captureContext, writeRun } from '../sweep/helpers.js';

const summary = {
  status: 'completed',
  steps: 120,
  epochs: 2,
  wall_time_s: 3.5,
  samples_per_s: 1000,
  final: { 'train.loss': 0.15, 'test.accuracy': 0.96, 'test.loss': null },
  best: { 'test.accuracy': { value: 0.97, step: 100 } },
} satisfies Partial<Summary>;

test('parseExpectation reads every operator, metric kind and tolerance form', () => {
  assert.deepEqual(parseExpectation('test.accuracy>=0.95'), { expr: 'test.accuracy>=0.95', path: 'test.accuracy', metric: { kind: 'final', key: 'test.accuracy' }, op: '>=', value: 0.95 });
  assert.deepEqual(parseExpectation('best.test.accuracy > 9e-1').metric, { kind: 'best', key: 'test.accuracy' });
  assert.equal(parseExpectation('best.test.accuracy > 9e-1').value, 0.9);
  assert.deepEqual(parseExpectation('final.train.loss<0.2').metric, { kind: 'final', key: 'train.loss' });
  assert.deepEqual(parseExpectation('steps==120').metric, { kind: 'field', key: 'steps' });
  for (const op of ['>=', '>', '<=', '<', '==', '!=', '~='] as const) assert.equal(parseExpectation(`train.loss${op}1`).op, op);
  assert.deepEqual(parseExpectation('train.loss~=0.1±0.01').tolerance, { kind: 'abs', value: 0.01 });
  assert.deepEqual(parseExpectation('train.loss~=0.1+-1%').tolerance, { kind: 'rel', value: 0.01 });
  assert.equal(parseExpectation('status==completed').value, 'completed');
  assert.ok(Number.isNaN(parseExpectation('train.loss==nan').value));
});

test('parseExpectation rejects malformed expressions with a usage error', () => {
  for (const bad of ['test.accuracy', 'test.accuracy>=', 'test.accuracy>=0.9x', 'train.loss<0.2±0.1', 'best>0.5', 'a..b>1', 'status>=1', 'train.loss==completed', 'x~=1±-2']) {
    assert.throws(() => parseExpectation(bad), (e: unknown) => e instanceof ExpectationSyntaxError && e.exitCode === 2 && e.message.includes(bad), bad);
  }
});

test('evaluateExpectations compares against final, best and top-level fields', () => {
  const cases: [string, boolean, number | string | null][] = [
    ['test.accuracy>=0.95', true, 0.96],
    ['test.accuracy>=0.97', false, 0.96],
    ['best.test.accuracy>=0.97', true, 0.97], // best holds 0.97 although final is 0.96
    ['final.train.loss<0.2', true, 0.15],
    ['train.loss<0.15', false, 0.15], // strict
    ['train.loss<=0.15', true, 0.15],
    ['steps==120', true, 120],
    ['steps!=120', false, 120],
    ['status==completed', true, 'completed'],
    ['status!=completed', false, 'completed'],
    // |0.15 - 0.16| = 0.01 <= 0.011 holds; <= 0.009 does not
    ['train.loss~=0.16±0.011', true, 0.15],
    ['train.loss~=0.16±0.009', false, 0.15],
    // relative: 5% of 0.16 = 0.008 < 0.01
    ['train.loss~=0.16±5%', false, 0.15],
    // default rtol 1e-5: 0.15 vs 0.1500001 differ by 1e-7 <= 1.5e-6
    ['train.loss~=0.1500001', true, 0.15],
    ['train.loss~=0.1501', false, 0.15],
    // null in summary.json is a NaN
    ['test.loss==nan', true, Number.NaN],
    ['test.loss<1', false, Number.NaN],
    ['test.recall>0', false, null],
  ];
  for (const [expr, ok, actual] of cases) {
    const r = evaluateExpectations(summary, [expr]);
    assert.equal(r.ok, ok, expr);
    assert.deepEqual(r.results[0]!.actual, actual, expr);
  }
  const all = evaluateExpectations(summary, ['test.accuracy>=0.95', 'train.loss<0.1']);
  assert.equal(all.ok, false);
  assert.deepEqual(all.results.map((r) => r.ok), [true, false]);
});

test('the report says expected and actual for a failure and lists available metrics for a missing one', () => {
  const text = formatExpectationReport(evaluateExpectations(summary, ['test.accuracy>=0.99', 'test.recall>0', 'train.loss~=0.1±10%']));
  assert.match(text, /FAIL {2}test\.accuracy>=0\.99: expected >= 0\.99, actual 0\.96/);
  assert.match(text, /FAIL {2}test\.recall>0: expected > 0, actual missing \(no metric "test\.recall" in the summary; available: train\.loss, test\.accuracy, test\.loss, best\.test\.accuracy\)/);
  assert.match(text, /expected ≈ 0\.1 ± 10%, actual 0\.15/);
});

test('minima check exits 0 when expectations hold, 4 when one fails, 2 on bad input', async () => {
  await withTmpDir(async (tmp) => {
    writeRun(join(tmp, 'run'), { status: 'completed', summary });
    let c = captureContext(tmp);
    assert.equal(await check({ runDir: 'run', expect: ['test.accuracy>=0.95', 'train.loss<0.2'] }, c.ctx), 0);
    assert.match(c.out(), /ok {4}test\.accuracy>=0\.95 {2}\(actual 0\.96\)/);

    c = captureContext(tmp);
    assert.equal(await check({ runDir: 'run', expect: ['test.accuracy>=0.95', 'train.loss<0.1'] }, c.ctx), 4);
    assert.match(c.out(), /FAIL {2}train\.loss<0\.1: expected < 0\.1, actual 0\.15/);
    assert.match(c.err(), /1 of 2 expectations failed/);

    c = captureContext(tmp);
    assert.equal(await check({ runDir: 'run', expect: ['train.loss<0.1'], json: true }, c.ctx), 4);
    const j = JSON.parse(c.out()) as { ok: boolean; results: { expected: string; actual: number }[] };
    assert.equal(j.ok, false);
    assert.deepEqual([j.results[0]!.expected, j.results[0]!.actual], ['< 0.1', 0.15]);

    // no --expect: the run must have completed
    writeRun(join(tmp, 'div'), { status: 'diverged', summary: { ...summary, status: 'diverged' } });
    c = captureContext(tmp);
    assert.equal(await check({ runDir: 'div' }, c.ctx), 4);
    assert.match(c.out(), /expected == completed, actual diverged/);

    await assert.rejects(check({ runDir: 'nope', expect: ['a>1'] }, captureContext(tmp).ctx), { code: 'RUN_NOT_FOUND' });
    writeRun(join(tmp, 'killed'), { status: 'running' });
    await assert.rejects(check({ runDir: 'killed' }, captureContext(tmp).ctx), /no summary\.json \(status: running; resume it/);
    await assert.rejects(check({ runDir: 'run', expect: ['accuracy'] }, captureContext(tmp).ctx), { code: 'USAGE' });
  });
});
