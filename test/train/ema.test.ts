/**
 * EMA of the weights (train.ema, src/train/ema.ts) and the second-parameter-set mechanism
 * (src/train/parameter-sets.ts): the decay schedules and the average worked by hand; a run with
 * EMA trains bit-identically to one without and adds test_ema rows (and summary keys); a run killed
 * mid-way and resumed gives the same EMA metrics and the same checkpoint bytes; the tensor count
 * stays flat; bad options are rejected before anything is written.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tf, assertClose } from '../support/tf.js';
import { withTmpDir } from '../support/tmp-dir.js';
import { repoRoot } from '../support/cli.js';
import { ExitCode, RunnerError } from '../../src/core/errors.js';
import { validate } from '../../src/commands/validate.js';
import { run } from '../../src/commands/run.js';
import { loadExperiment } from '../../src/config/load.js';
import { createEma, emaDecay } from '../../src/train/ema.js';
import { captureContext } from '../sweep/helpers.js';
import { blobs, checkpointTensors, resumeTiny, rowsOf, runTiny, tensorsBin, tinyConfig, trajectory, truncatedCopy } from './harness.js';

const EMA = { decay: 0.9998, warmup: true, warmup_gamma: 1, warmup_power: 2 / 3, exclude_buffers: false } as const;

test('emaDecay: tf warmup min(d, (1+t)/(10+t)), timm warmup, constant with a first copy', () => {
  assert.equal(emaDecay({ ...EMA, decay: 0.5 }, 1), 2 / 11);
  assert.equal(emaDecay({ ...EMA, warmup: 'tf' }, 1), 2 / 11);
  assert.equal(emaDecay(EMA, 2), 3 / 12);
  assert.equal(emaDecay({ ...EMA, decay: 0.5 }, 20), 0.5);
  assert.equal(emaDecay(EMA, 1e6), 0.9998);
  // timm ModelEmaV3.get_decay(step): step − 1 ≤ 0 → 0; else 1 − (1 + s/γ)^−p, capped at d
  assert.equal(emaDecay({ ...EMA, warmup: 'timm' }, 1), 0);
  assertClose([emaDecay({ ...EMA, warmup: 'timm' }, 2)], [1 - 2 ** (-2 / 3)], 1e-12);
  assertClose([emaDecay({ ...EMA, warmup: 'timm', warmup_gamma: 2, warmup_power: 1 }, 5)], [1 - 1 / 3], 1e-12);
  assert.equal(emaDecay({ ...EMA, warmup: 'timm', decay: 0.3 }, 100), 0.3);
  // no warmup: the first update copies θ (timm with a step, torch AveragedModel), then d
  assert.equal(emaDecay({ ...EMA, warmup: false }, 1), 0);
  assert.equal(emaDecay({ ...EMA, warmup: false }, 2), 0.9998);
  // ModelEmaV2 (MESA's teacher): d from the first update, no copy
  assert.equal(emaDecay({ ...EMA, warmup: 'none' }, 1), 0.9998);
  assert.equal(emaDecay({ ...EMA, warmup: 'none', decay: 0.5 }, 2), 0.5);
});

test('createEma: three updates by hand, buffers averaged, exclude_buffers uses the live ones', () => {
  const w = tf.variable(tf.tensor([1, 2]), true, 'ema-test-w');
  const rm = tf.variable(tf.tensor([0, 0]), false, 'ema-test-rm');
  const params = [{ name: 'w', variable: w, role: 'kernel' as const, owner: 'model' as const }];
  const buffers = [{ name: 'rm', variable: rm }];
  const ema = createEma({ ...EMA, decay: 0.5 }, params, buffers);
  const set = (v: tf.Variable, value: number[]) => { const t = tf.tensor(value); v.assign(t); t.dispose(); };
  const read = () => {
    const v = ema.values(), b = ema.buffers()!;
    const out = { w: Array.from(v[0]!.dataSync()), rm: Array.from(b[0]!.dataSync()) };
    tf.dispose([...v, ...b]);
    return out;
  };
  const before = tf.memory().numTensors;
  assert.deepEqual(read(), { w: [1, 2], rm: [0, 0] }); // starts as a copy of the model
  // t = 1: d = min(0.5, 2/11) = 2/11: ema = [1, 2] + (9/11)([3, 4] − [1, 2]) = [2.6363636, 3.6363636]
  set(w, [3, 4]);
  set(rm, [1, -1]);
  ema.update(1);
  assertClose(read().w, [1 + (9 / 11) * 2, 2 + (9 / 11) * 2], 1e-6);
  assertClose(read().rm, [9 / 11, -9 / 11], 1e-6);
  // t = 2: d = min(0.5, 3/12) = 0.25: ema = e + 0.75(θ − e), θ = [5, 0]
  set(w, [5, 0]);
  ema.update(2);
  const e1 = [1 + (9 / 11) * 2, 2 + (9 / 11) * 2];
  const e2 = [e1[0]! + 0.75 * (5 - e1[0]!), e1[1]! + 0.75 * (0 - e1[1]!)];
  assertClose(read().w, e2, 1e-6);
  // t = 20: d = min(0.5, 21/30) = 0.5
  set(w, [1, 1]);
  ema.update(20);
  assertClose(read().w, [e2[0]! + 0.5 * (1 - e2[0]!), e2[1]! + 0.5 * (1 - e2[1]!)], 1e-6);
  // the state round-trips through getState/setState
  const state = ema.getState();
  assert.deepEqual(Object.keys(state).sort(), ['buffer/rm', 'model/w']);
  ema.update(21);
  ema.setState(state);
  assertClose(read().w, [e2[0]! + 0.5 * (1 - e2[0]!), e2[1]! + 0.5 * (1 - e2[1]!)], 1e-6);
  tf.dispose(Object.values(state));
  assert.equal(tf.memory().numTensors, before, 'updates and reads keep the tensor count flat');
  ema.dispose();

  const noBuf = createEma({ ...EMA, warmup: false, exclude_buffers: true }, params, buffers);
  assert.equal(noBuf.buffers(), undefined);
  assert.deepEqual(Object.keys(noBuf.getState()), ['model/w']);
  set(w, [7, 8]);
  noBuf.update(1); // first update copies θ exactly
  const v = noBuf.values();
  assert.deepEqual(Array.from(v[0]!.dataSync()), [7, 8]);
  tf.dispose(v);
  noBuf.dispose();
  tf.dispose([w, rm]);
});

const bn = { dataset: blobs, model: { name: 'mlp', hidden: [8], batch_norm: true }, optimizer: { name: 'sgd', lr: 0.2, momentum: 0.9 } };
const emaTrain = { steps: 6, eval_splits: ['train', 'test'], eval_every: 2, ema: { decay: 0.9 } };

test('a run with ema trains bit-identically to one without, adds train_ema/test_ema rows and summary keys', async () => {
  await withTmpDir(async (tmp) => {
    const plain = await runTiny(tmp, 'plain', tinyConfig({ ...bn, train: { ...emaTrain, ema: null } }));
    const withEma = await runTiny(tmp, 'ema', tinyConfig({ ...bn, train: emaTrain }));
    assert.equal(plain.code, 0, plain.stderr);
    assert.equal(withEma.code, 0, withEma.stderr);
    const own = (dir: string) => trajectory(dir).filter((r) => r.split === 'train' || r.split === 'test');
    assert.deepEqual(own(withEma.dir), own(plain.dir));
    const emaRows = rowsOf(withEma.dir).filter((r) => String(r.split).endsWith('_ema'));
    assert.deepEqual(emaRows.map((r) => `${r.split}@${r.step}`), ['train_ema@2', 'test_ema@2', 'train_ema@4', 'test_ema@4', 'train_ema@6', 'test_ema@6']);
    for (const r of emaRows) assert.equal(typeof r.accuracy, 'number');
    // the EMA is not the iterate: some metric differs
    const testRow = (split: string) => rowsOf(withEma.dir).find((r) => r.split === split && r.step === 6)!;
    assert.notEqual(testRow('test_ema').loss, testRow('test').loss);
    // the parameters in the checkpoint are the same bits; the EMA is saved beside them
    const a = checkpointTensors(plain.dir, 6), b = checkpointTensors(withEma.dir, 6);
    for (const [k, v] of Object.entries(a)) assert.deepEqual(b[k], v, k);
    const emaKeys = Object.keys(b).filter((k) => k.startsWith('paramset/ema/'));
    assert.deepEqual(emaKeys.sort(), [...Object.keys(a).filter((k) => k.startsWith('model/') || k.startsWith('buffer/')).map((k) => `paramset/ema/${k}`)].sort());
    const summary = JSON.parse(readFileSync(join(withEma.dir, 'summary.json'), 'utf8')) as { final: Record<string, number>; best: Record<string, unknown> };
    assert.equal(typeof summary.final['test_ema.accuracy'], 'number');
    assert.ok(summary.best['test_ema.loss'] && summary.best['train_ema.accuracy']);
    // a flat footprint between steps
    assert.equal(new Set(withEma.stepTensors).size, 1, `tensors per step: ${withEma.stepTensors.join(' ')}`);
    assert.ok(withEma.leaked <= plain.leaked, `leaked ${withEma.leaked} vs ${plain.leaked}`);
  });
});

test('ema after one step with warmup false is the iterate (the first update copies)', async () => {
  await withTmpDir(async (tmp) => {
    const r = await runTiny(tmp, 'one', tinyConfig({ ...bn, train: { steps: 1, checkpoint_every: 1, ema: { decay: 0.99, warmup: false } } }));
    assert.equal(r.code, 0, r.stderr);
    const t = checkpointTensors(r.dir, 1);
    for (const k of Object.keys(t).filter((x) => x.startsWith('model/') || x.startsWith('buffer/'))) assert.deepEqual(t[`paramset/ema/${k}`], t[k], k);
  });
});

test('a run with ema killed at step 2 and resumed gives the same EMA metrics and checkpoint bytes', async () => {
  await withTmpDir(async (tmp) => {
    const full = await runTiny(tmp, 'full', tinyConfig({ ...bn, train: { ...emaTrain, ema: { decay: 0.8, warmup: 'timm' } } }));
    assert.equal(full.code, 0, full.stderr);
    const cut = truncatedCopy(full.dir, 2, join(tmp, 'cut'));
    const resumed = await resumeTiny(tmp, cut);
    assert.equal(resumed.code, 0, resumed.stderr);
    assert.deepEqual(trajectory(cut), trajectory(full.dir));
    assert.ok(tensorsBin(cut, 6).equals(tensorsBin(full.dir, 6)), 'final checkpoints have the same bytes');
    assert.ok(tensorsBin(cut, 4).equals(tensorsBin(full.dir, 4)), 'step-4 checkpoints have the same bytes');
  });
});

test('lookahead trains in a run and resumes bit-identically (its slow weights are optimizer state)', async () => {
  await withTmpDir(async (tmp) => {
    const cfg = tinyConfig({ ...bn, optimizer: { name: 'lookahead', k: 3, alpha: 0.5, eval_slow_weights: true, base: { name: 'adam', lr: 0.01 } }, train: { steps: 6, checkpoint_every: 2, eval_every: 2 } });
    const full = await runTiny(tmp, 'la', cfg);
    assert.equal(full.code, 0, full.stderr);
    assert.ok(Object.keys(checkpointTensors(full.dir, 2)).includes('optim/slow/0'));
    // the slow weights are evaluated as test_slow: apart from the iterate between syncs, equal at a sync (step 6 = 2k)
    const at = (split: string, step: number) => rowsOf(full.dir).find((r) => r.split === split && r.step === step)!;
    assert.notEqual(at('test_slow', 4).loss, at('test', 4).loss);
    assert.equal(at('test_slow', 6).loss, at('test', 6).loss);
    assert.ok(!Object.keys(checkpointTensors(full.dir, 2)).some((k) => k.startsWith('paramset/')), 'derived from the optimizer state: nothing of its own');
    const cut = truncatedCopy(full.dir, 2, join(tmp, 'la-cut'));
    const resumed = await resumeTiny(tmp, cut);
    assert.equal(resumed.code, 0, resumed.stderr);
    assert.deepEqual(trajectory(cut), trajectory(full.dir));
    assert.ok(tensorsBin(cut, 6).equals(tensorsBin(full.dir, 6)));
  });
});

const badCases: readonly (readonly [string, string, RegExp])[] = [
  ['ema decay 1', 'train:\n  epochs: 1\n  ema:\n    decay: 1\n', /train\.ema\.decay/],
  ['ema decay 0', 'train:\n  epochs: 1\n  ema: {decay: 0}\n', /train\.ema\.decay/],
  ['ema decay −0.5', 'train:\n  epochs: 1\n  ema: {decay: -0.5}\n', /train\.ema\.decay/],
  ['ema unknown key', 'train:\n  epochs: 1\n  ema: {decay: 0.9, decy: 1}\n', /train\.ema/],
  ['lookahead k 0', 'optimizer:\n  name: lookahead\n  k: 0\n  base: {name: sgd}\n', /optimizer\.k/],
  ['lookahead alpha 0', 'optimizer:\n  name: lookahead\n  alpha: 0\n  base: {name: sgd}\n', /optimizer\.alpha/],
  ['lookahead alpha 1.5', 'optimizer:\n  name: lookahead\n  alpha: 1.5\n  base: {name: sgd}\n', /optimizer\.alpha/],
];

for (const [label, body, says] of badCases) {
  test(`validate and run reject ${label} with exit 2 and file:line, before writing anything`, async () => {
    await withTmpDir(async (tmp) => {
      const file = join(tmp, 'bad.yaml');
      writeFileSync(file, `extends: ${join(repoRoot, 'configs', 'test', 'tiny-moons.yaml')}\n${body}`);
      const rejected = (err: unknown): boolean => {
        assert.ok(err instanceof RunnerError && err.exitCode === ExitCode.usage, String(err));
        assert.match((err as Error).message, says);
        assert.match((err as Error).message, /bad\.yaml:\d+:\d+: /, 'a file:line location');
        return true;
      };
      await assert.rejects(validate({ config: file }, captureContext(tmp).ctx), rejected);
      const dir = join(tmp, 'runs');
      await assert.rejects(run({ config: file, overrides: [], runsDir: dir, quiet: true }, captureContext(tmp).ctx), rejected);
      assert.ok(!existsSync(dir), 'nothing written');
    });
  });
}

test('the ema and lookahead claim configs validate and run two steps', async () => {
  await withTmpDir(async (tmp) => {
    for (const name of ['ema/mnist-sgd-ema.yaml', 'lookahead/mnist-adam-lr.yaml', 'lookahead/mnist-lookahead-adam-lr.yaml']) {
      const file = join(repoRoot, 'configs', 'claims', name);
      const { config } = await loadExperiment(file, ['~train.epochs', '+train.steps=2', 'train.eval_every=2', 'dataset.train_size=64', 'dataset.test_size=32'], { cwd: repoRoot });
      assert.equal(config.train.steps, 2);
      const c = captureContext(tmp);
      const dir = join(tmp, name.replace(/\W/g, '-'));
      const code = await run({ config: file, overrides: ['~train.epochs', '+train.steps=2', 'train.eval_every=2', 'dataset.train_size=64', 'dataset.test_size=32'], runDir: dir, quiet: true }, c.ctx);
      assert.equal(code, 0, c.err());
    }
  });
});
