import { test } from 'node:test';
import assert from 'node:assert/strict';
import { expandSweep, splitCliOverrides, trialSlug, trialDirName, toOverride, sampleRandom } from '../../src/sweep/expand.js';
import { parseSweepSpec } from '../../src/sweep/spec.js';
import { resolveTrials, trialId, canonicalJson, configDiff } from '../../src/sweep/resolve-trials.js';
import { ConfigError } from '../../src/core/errors.js';
import { parseOverride, applyOverrides } from '../../src/config/overrides.js';

const base = { name: 'tiny', seed: 0, optimizer: { name: 'sgd', lr: 0.1 }, train: { epochs: 2, batch_size: 32 } };
/** A stand-in for the config loader: applies the overrides and rejects a negative lr. */
const fakeResolve = async (overrides: readonly string[]) => {
  const { value } = applyOverrides(base, overrides.map(parseOverride));
  const lr = (value.optimizer as { lr: number }).lr;
  if (!(lr > 0)) throw new ConfigError([{ path: 'optimizer.lr', message: `must be > 0, got ${lr}` }]);
  return value;
};

test('grid × seeds: 2 × 2 × 3 = 12 trials, last grid key fastest, seeds innermost', () => {
  const spec = parseSweepSpec({ base: 'x.yaml', grid: { 'optimizer.name': ['sgd', 'adamw'], 'optimizer.lr': [0.1, 0.01] }, seeds: [0, 1, 2] });
  const points = expandSweep(spec);
  assert.equal(points.length, 12);
  const show = (i: number) => points[i]!.assignments.map(toOverride).join(' ');
  assert.equal(show(0), 'optimizer.name=sgd optimizer.lr=0.1 seed=0');
  assert.equal(show(1), 'optimizer.name=sgd optimizer.lr=0.1 seed=1');
  assert.equal(show(3), 'optimizer.name=sgd optimizer.lr=0.01 seed=0');
  assert.equal(show(11), 'optimizer.name=adamw optimizer.lr=0.01 seed=2');
  assert.deepEqual(points.map((p) => p.index), [...Array(12).keys()]);
});

test('zip varies lists together; random draws are seeded; seeds as a count', () => {
  const spec = parseSweepSpec({
    base: 'x.yaml',
    grid: { 'optimizer.name': ['sgd', 'adamw'] },
    zip: { 'optimizer.lr': [0.1, 0.01, 0.001], 'train.batch_size': [16, 32, 64] },
    seeds: 2,
  });
  const points = expandSweep(spec);
  assert.equal(points.length, 2 * 3 * 2);
  assert.equal(points[2]!.assignments.map(toOverride).join(' '), 'optimizer.name=sgd optimizer.lr=0.01 train.batch_size=32 seed=0');

  const params = { 'optimizer.lr': { log_uniform: [1e-4, 1e-1] as [number, number] }, 'train.batch_size': { int: [16, 18] as [number, number] }, 'model.act': { choice: ['relu', 'gelu'] }, 'optimizer.wd': { uniform: [0, 0.5] as [number, number] } };
  const a = sampleRandom(params, 50, 7), b = sampleRandom(params, 50, 7), c = sampleRandom(params, 50, 8);
  assert.deepEqual(a, b);
  assert.notDeepEqual(a, c);
  for (const s of a) {
    const v = Object.fromEntries(s.map((x) => [x.path, x.value])) as Record<string, number | string>;
    assert.ok((v['optimizer.lr'] as number) >= 1e-4 && (v['optimizer.lr'] as number) < 0.1);
    assert.ok([16, 17, 18].includes(v['train.batch_size'] as number));
    assert.ok(['relu', 'gelu'].includes(v['model.act'] as string));
    assert.ok((v['optimizer.wd'] as number) >= 0 && (v['optimizer.wd'] as number) < 0.5);
  }
  // 50 draws over 3 integers and 2 choices hit every value (each missing with probability < 3·(2/3)^50)
  assert.equal(new Set(a.map((s) => s[1]!.value)).size, 3);
  assert.equal(new Set(a.map((s) => s[2]!.value)).size, 2);
  const r = parseSweepSpec({ base: 'x.yaml', random: { trials: 4, params }, seeds: [0, 1] });
  assert.equal(expandSweep(r).length, 8);
});

test('the sweep file is checked whole: overlapping paths, zip lengths, bad ranges, unknown keys', () => {
  try {
    parseSweepSpec({ base: 'x.yaml', grid: { 'optimizer.lr': [1] }, zip: { 'optimizer.lr': [1, 2], 'a.b': [1] }, random: { trials: 2, params: { 'a.c': { log_uniform: [0, 1] } } } }, 's.yaml');
    assert.fail('should throw');
  } catch (err) {
    assert.ok(err instanceof ConfigError);
    const text = err.issues.map((i) => `${i.path}: ${i.message}`).join('\n');
    assert.match(text, /zip\.optimizer\.lr: also set in grid/);
    assert.match(text, /zip: lists must have the same length \(optimizer\.lr: 2, a\.b: 1\)/);
    assert.match(text, /random\.params\.a\.c: log_uniform needs 0 < low < high/);
  }
  assert.throws(() => parseSweepSpec({ base: 'x.yaml', gird: {} }), ConfigError);
  assert.throws(() => parseSweepSpec({ grid: {} }), ConfigError);
});

test('command-line overrides: fixed values and comma lists as grid axes', () => {
  assert.deepEqual(splitCliOverrides(['train.epochs=3', 'optimizer.lr=0.1,0.01', 'model.hidden=[16,16]', 'model.hidden2=[8],[16, 4]', '+x.y=a,b']), {
    fixed: ['train.epochs=3', 'model.hidden=[16,16]', '+x.y=a,b'],
    grid: { 'optimizer.lr': [0.1, 0.01], 'model.hidden2': [[8], [16, 4]] },
  });
});

test('slugs and folder names show the varied values', () => {
  assert.equal(trialSlug([{ path: 'optimizer.name', value: 'adamw' }, { path: 'optimizer.lr', value: 0.01 }, { path: 'seed', value: 2 }]), 'adamw-lr0.01-s2');
  assert.equal(trialSlug([{ path: 'optimizer.weight_decay', value: 1e-4 }, { path: 'model.hidden', value: [16, 16] }]), 'weightd0.0001-hidden_16_16');
  assert.equal(trialSlug([]), 'base');
  assert.equal(trialDirName(3, 12, 'x'), '03-x');
  assert.equal(trialDirName(3, 120, 'x'), '003-x');
  // values round-trip through the override parser with their types
  for (const value of [0.1, 'adamw', '0.1', [16, 16], true, { a: 1 }, 1e-8]) {
    assert.deepEqual(parseOverride(toOverride({ path: 'a.b', value })).value, value);
  }
});

test('ids are sha256 of the canonical resolved config: key order does not matter, values do', () => {
  assert.equal(canonicalJson({ b: 1, a: { d: 2, c: 3 } }), '{"a":{"c":3,"d":2},"b":1}');
  assert.equal(trialId({ b: 1, a: 2 }), trialId({ a: 2, b: 1 }));
  assert.notEqual(trialId({ a: 1 }), trialId({ a: 1.0000001 }));
  assert.match(trialId({}), /^[0-9a-f]{8}$/);
  // sha256("{}") = 44136fa3…
  assert.equal(trialId({}), '44136fa3');
});

test('resolveTrials validates every trial up front and names each invalid one', async () => {
  const spec = parseSweepSpec({ base: 'x.yaml', grid: { 'optimizer.lr': [0.1, -1, 0.01, -2] }, seeds: [0, 1] });
  await assert.rejects(resolveTrials(expandSweep(spec), [], fakeResolve, 'grid.yaml'), (err: unknown) => {
    assert.ok(err instanceof ConfigError);
    assert.match(err.message, /invalid sweep grid\.yaml: 4 of 8 trials fail validation, nothing was run/);
    assert.equal(err.issues[0]!.path, 'trial 2 (optimizer.lr=-1 seed=0): optimizer.lr');
    assert.equal(err.issues[0]!.message, 'must be > 0, got -1');
    return true;
  });
  const ok = parseSweepSpec({ base: 'x.yaml', grid: { 'optimizer.lr': [0.1, 0.01] }, seeds: [0, 1] });
  const trials = await resolveTrials(expandSweep(ok), ['train.epochs=3'], fakeResolve);
  const again = await resolveTrials(expandSweep(ok), ['train.epochs=3'], fakeResolve);
  assert.deepEqual(trials.map((t) => t.id), again.map((t) => t.id));
  assert.equal(new Set(trials.map((t) => t.id)).size, 4);
  assert.deepEqual(trials[1]!.overrides, ['train.epochs=3', 'optimizer.lr=0.1', 'seed=1']);
  assert.equal(trials[1]!.dir, '01-lr0.1-s1');
  assert.deepEqual(configDiff(base, trials[3]!.config), ['seed=1', 'optimizer.lr=0.01', 'train.epochs=3']);
  // the same config twice is a duplicate trial
  const dup = parseSweepSpec({ base: 'x.yaml', grid: { 'optimizer.lr': [0.1, 0.1] } });
  await assert.rejects(resolveTrials(expandSweep(dup), [], fakeResolve), /resolves to the same config as trial 0/);
});
