import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { evaluateAssertion } from '../../src/reproduce/assertions.js';
import { assertionSchema, type Assertion } from '../../src/reproduce/claim.js';
import { groupBySeed, groupStat, Measurements, paramValue, trialsOf } from '../../src/reproduce/measure.js';
import type { TrialRecord } from '../../src/sweep/sweep-dir.js';
import { withTmpDir } from '../support/tmp-dir.js';

/** A trial record with final test.accuracy / train.loss and a best test.accuracy. */
function record(index: number, params: Record<string, unknown>, acc: number, o: { status?: TrialRecord['status']; loss?: number; best?: number } = {}): TrialRecord {
  return {
    index, id: `t${index}`, run_dir: `r${index}`, params, status: o.status ?? 'completed', attempts: 1, updated_at: '',
    final: { 'test.accuracy': acc, 'train.loss': o.loss ?? 1 - acc },
    best: { 'test.accuracy': { value: o.best ?? acc, step: 1 } },
  };
}

function judge(records: readonly TrialRecord[], a: Record<string, unknown>, measures: Record<string, unknown> = {}) {
  const trials = trialsOf(records, '/nowhere');
  const m = new Measurements(new Map(records.map((r) => [r.id, r])), measures as never);
  return evaluateAssertion(assertionSchema.parse(a) as Assertion, trials, m);
}

// sam beats sgd at 0.4 in every seed, loses at 0.6 in the mean
const noisy = [
  record(0, { rate: 0.4, 'optimizer.name': 'sgd', seed: 0 }, 0.90), record(1, { rate: 0.4, 'optimizer.name': 'sam', seed: 0 }, 0.92),
  record(2, { rate: 0.4, 'optimizer.name': 'sgd', seed: 1 }, 0.89), record(3, { rate: 0.4, 'optimizer.name': 'sam', seed: 1 }, 0.91),
  record(4, { rate: 0.6, 'optimizer.name': 'sgd', seed: 0 }, 0.80), record(5, { rate: 0.6, 'optimizer.name': 'sam', seed: 0 }, 0.85),
  record(6, { rate: 0.6, 'optimizer.name': 'sgd', seed: 1 }, 0.84), record(7, { rate: 0.6, 'optimizer.name': 'sam', seed: 1 }, 0.70),
];

test('compare: group means, per value of for_each, with a margin', () => {
  const a = { kind: 'compare', metric: 'test.accuracy', a: { 'optimizer.name': 'sam' }, b: { 'optimizer.name': 'sgd' }, op: '>' };
  const r = judge(noisy, { ...a, for_each: 'rate' });
  assert.equal(r.holds, false);
  assert.deepEqual(r.checks.map((c) => [c.at, c.holds]), [['rate=0.4', true], ['rate=0.6', false]]);
  assert.match(r.checks[0]!.text, /^0\.915 ± 0\.007071 \(n=2\) > 0\.895 ± 0\.007071 \(n=2\) ✓$/);
  assert.equal(judge(noisy, { ...a, where: { rate: 0.4 } }).holds, true);
  // 0.915 > 0.895 + 0.02 is false (equal), > 0.895 + 0.019 true
  assert.equal(judge(noisy, { ...a, where: { rate: 0.4 }, margin: 0.0200001 }).holds, false);
  assert.equal(judge(noisy, { ...a, where: { rate: 0.4 }, margin: 0.019 }).holds, true);
  // nothing matches one side: never holds
  assert.equal(judge(noisy, { ...a, a: { 'optimizer.name': 'gam' } }).holds, false);
});

test('wins: seed by seed, paired on every other param', () => {
  const a = { kind: 'wins', metric: 'test.accuracy', a: { 'optimizer.name': 'sam' }, b: { 'optimizer.name': 'sgd' }, op: '>' };
  const r = judge(noisy, { ...a, at_least: 3 });
  assert.equal(r.checks[0]!.values.wins, 3);
  assert.equal(r.checks[0]!.values.pairs, 4);
  assert.equal(r.holds, true);
  assert.equal(judge(noisy, { ...a, at_least: 4 }).holds, false);
  const per = judge(noisy, { ...a, at_least: 2, for_each: 'rate' });
  assert.deepEqual(per.checks.map((c) => [c.values.wins, c.holds]), [[2, true], [1, false]]);
});

const lrs = [0.01, 0.1, 1, 10];
const curve = (name: string, accs: number[], start: number) => accs.map((acc, i) => record(start + i, { 'optimizer.name': name, 'optimizer.lr': lrs[i], seed: 0 }, acc));

test('trend and spread: monotone curves and flatness over a range; a diverged run is the worst value', () => {
  const rs = [...curve('momo', [0.90, 0.91, 0.905, 0.90], 0), ...curve('sgd', [0.5, 0.8, 0.9, 0.1], 4)];
  const spread = (name: string, value: number, extra = {}) => judge(rs, { kind: 'spread', metric: 'test.accuracy', x: 'optimizer.lr', where: { 'optimizer.name': name }, op: '<=', value, ...extra });
  assert.equal(spread('momo', 0.02).holds, true);
  assert.ok(Math.abs((spread('momo', 0.02).checks[0]!.values.spread as number) - 0.01) < 1e-12);
  assert.equal(spread('sgd', 0.02).holds, false);
  assert.equal(spread('sgd', 0.15, { range: [0.1, 1] }).holds, true);
  const up = (name: string, direction: string, strict = false) => judge(rs, { kind: 'trend', metric: 'test.accuracy', x: 'optimizer.lr', where: { 'optimizer.name': name, 'optimizer.lr': [0.01, 0.1, 1] }, direction, strict }).holds;
  assert.equal(up('sgd', 'increasing', true), true);
  assert.equal(up('sgd', 'decreasing'), false);
  assert.equal(up('momo', 'increasing'), false);
  // sgd at lr 10 diverged: counted at −∞ for accuracy (a max metric), so the spread is infinite
  const div = rs.map((r) => (r.index === 7 ? { ...r, status: 'diverged' as const, final: {}, best: {} } : r));
  const s = judge(div, { kind: 'spread', metric: 'test.accuracy', x: 'optimizer.lr', where: { 'optimizer.name': 'sgd' }, op: '>', value: 1 });
  assert.equal(s.holds, true);
  assert.equal(s.checks[0]!.values.spread, Number.POSITIVE_INFINITY);
  // a failed trial is not counted at all
  const failed = rs.map((r) => (r.index === 7 ? { ...r, status: 'failed' as const } : r));
  assert.equal(judge(failed, { kind: 'spread', metric: 'test.accuracy', x: 'optimizer.lr', where: { 'optimizer.name': 'sgd' }, op: '<=', value: 0.41 }).holds, true);
});

test('spread than: flatter than another curve, both over x; value and than are exclusive', () => {
  const rs = [...curve('momo', [0.90, 0.91, 0.905, 0.90], 0), ...curve('sgd', [0.5, 0.8, 0.9, 0.1], 4), ...curve('adam', [0.6, 0.9, 0.9, 0.2], 8)];
  const flatter = (name: string, than: string, op = '<', records = rs) => judge(records, { kind: 'spread', metric: 'test.accuracy', x: 'optimizer.lr', where: { 'optimizer.name': name }, op, than: { 'optimizer.name': than } });
  const r = flatter('momo', 'sgd');
  assert.equal(r.holds, true);
  assert.ok(Math.abs((r.checks[0]!.values.than as { spread: number }).spread - 0.8) < 1e-12);
  assert.match(r.checks[0]!.text, /spread 0\.01 < that of optimizer\.name=sgd \(.*spread 0\.8\) ✓$/);
  assert.equal(flatter('sgd', 'momo').holds, false);
  // adam spans 0.7, sgd 0.8: flatter, but not by the threshold form's 0.75 on both sides
  assert.equal(flatter('adam', 'sgd').holds, true);
  assert.equal(flatter('sgd', 'adam').holds, false);
  // range restricts both curves: over [0.01, 1] sgd spans 0.4, adam 0.3
  assert.equal(judge(rs, { kind: 'spread', metric: 'test.accuracy', x: 'optimizer.lr', range: [0.01, 1], where: { 'optimizer.name': 'sgd' }, op: '>', than: { 'optimizer.name': 'adam' } }).holds, true);
  // two diverging curves: ∞ < ∞ is false, so neither is flatter
  const div = rs.map((t) => (t.index === 7 || t.index === 11 ? { ...t, status: 'diverged' as const, final: {}, best: {} } : t));
  assert.equal(flatter('adam', 'sgd', '<', div).holds, false);
  assert.equal(flatter('momo', 'sgd', '<', div).holds, true);
  assert.throws(() => assertionSchema.parse({ kind: 'spread', metric: 'm', x: 'lr', op: '<', value: 1, than: { opt: 'sgd' } }), /exactly one of value and than/);
  assert.throws(() => assertionSchema.parse({ kind: 'spread', metric: 'm', x: 'lr', op: '<' }), /exactly one of value and than/);
});

test('argmax: the best weight decay stays put across lr (stable) or moves (shifts)', () => {
  const grid = (name: string, best: (lrIndex: number) => number, start: number) => {
    const out: TrialRecord[] = [];
    for (let i = 0; i < 3; i++) for (let j = 0; j < 3; j++) out.push(record(start + i * 3 + j, { opt: name, lr: [1e-3, 3e-3, 1e-2][i], wd: [1e-4, 1e-3, 1e-2][j], seed: 0 }, j === best(i) ? 0.9 : 0.8));
    return out;
  };
  const rs = [...grid('adamw', () => 1, 0), ...grid('adam', (i) => 2 - i, 9)];
  const am = (opt: string, expect: string, tolerance = 0) => judge(rs, { kind: 'argmax', metric: 'test.accuracy', over: 'wd', across: 'lr', where: { opt }, expect, tolerance });
  assert.equal(am('adamw', 'stable').holds, true);
  assert.equal(am('adamw', 'shifts').holds, false);
  assert.equal(am('adam', 'shifts').holds, true);
  assert.equal(am('adam', 'stable').holds, false);
  assert.equal(am('adam', 'stable', 2).holds, true);
  assert.match(am('adam', 'shifts').text, /lr=0\.001 → 0\.01, lr=0\.003 → 0\.001, lr=0\.01 → 0\.0001; moves 2 grid step/);
  // direction: adam's best wd falls as lr rises (diagonal); a best wd that jumps up and back down is no diagonal
  const dir = (records: TrialRecord[], direction: string) => judge(records, { kind: 'argmax', metric: 'test.accuracy', over: 'wd', across: 'lr', where: { opt: 'adam' }, expect: 'shifts', direction });
  assert.equal(dir(rs, 'decreasing').holds, true);
  assert.equal(dir(rs, 'increasing').holds, false);
  const zigzag = grid('adam', (i) => [0, 2, 0][i]!, 9);
  assert.equal(judge(zigzag, { kind: 'argmax', metric: 'test.accuracy', over: 'wd', across: 'lr', where: { opt: 'adam' }, expect: 'shifts' }).holds, true);
  assert.equal(dir(zigzag, 'decreasing').holds, false);
  assert.equal(dir(zigzag, 'increasing').holds, false);
  assert.match(dir(rs, 'decreasing').text, /falling as lr rises/);
  assert.throws(() => assertionSchema.parse({ kind: 'argmax', metric: 'm', over: 'wd', across: 'lr', expect: 'stable', direction: 'decreasing' }), /direction goes with expect: shifts/);
});

test('measures: steps_to reads metrics.jsonl, gap subtracts two summary values; swept mappings are reached by dotted paths', async () => {
  await withTmpDir(async (tmp) => {
    const rows = (losses: number[]) => losses.map((l, i) => JSON.stringify({ step: (i + 1) * 10, epoch: 0, split: 'train', loss: l })).join('\n');
    mkdirSync(join(tmp, 'r0'));
    mkdirSync(join(tmp, 'r1'));
    writeFileSync(join(tmp, 'r0/metrics.jsonl'), `${rows([0.9, 0.5, 0.09, 0.2])}\n`);
    writeFileSync(join(tmp, 'r1/metrics.jsonl'), `${rows([0.9, 0.8, 0.7])}\n`);
    const recs = [record(0, { optimizer: { name: 'grams', lr: 1e-3 }, seed: 0 }, 0.9, { best: 0.95 }), record(1, { optimizer: { name: 'adam', lr: 1e-3 }, seed: 0 }, 0.8)];
    const trials = trialsOf(recs, tmp);
    assert.equal(paramValue(trials[0]!.params, 'optimizer.name'), 'grams');
    assert.equal(paramValue(trials[0]!.params, 'optimizer.beta'), undefined);
    const m = new Measurements(new Map(recs.map((r) => [r.id, r])), { reach: { steps_to: { metric: 'train.loss', target: 0.1 } }, gap: { gap: ['best.test.accuracy', 'test.accuracy'] } });
    assert.equal(m.value(trials[0]!, 'reach'), 30);
    assert.equal(m.value(trials[1]!, 'reach'), Number.POSITIVE_INFINITY);
    assert.ok(Math.abs(m.value(trials[0]!, 'gap') - 0.05) < 1e-12);
    assert.equal(m.direction('reach'), 'min');
    const r = evaluateAssertion(assertionSchema.parse({ kind: 'compare', metric: 'reach', a: { 'optimizer.name': 'grams' }, b: { 'optimizer.name': 'adam' }, op: '<' }), trials, m);
    assert.equal(r.holds, true);
    assert.match(r.text, /30 \(n=1\) < ∞ \(n=1\)/);
    const g = groupBySeed(trials);
    assert.equal(g.length, 2);
    assert.equal(groupStat(m, g[0]!, 'test.accuracy').mean, 0.9);
  });
});
