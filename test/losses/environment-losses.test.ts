/**
 * irm and vrex against hand-derived numbers and an independent float64 transcription of the
 * official CMNIST loops (facebookresearch/InvariantRiskMinimization and capybaralet/REx_code_release
 * colored_mnist/main.py): per-environment mean cross-entropy, the IRMv1 penalty as the squared
 * derivative of the risk in a dummy logit scale (taken here by a float64 central difference, not the
 * closed form the loss uses), the REx penalty (L₁ − L₂)², the anneal and the rescaling; absent
 * environments; the two-class IRM penalty equal to the official single-logit BCE one; gradients by
 * finite differences.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { tf, assertClose, assertNoLeak, finiteDifference } from '../support/tf.js';
import { createObjective } from '../../src/losses/index.js';
import type { DataSpec, LossContext, LossInput, Objective } from '../../src/core/types.js';

const dataOf = (k: number, g: number): DataSpec => ({ task: 'classification', inputShape: [2], inputKind: 'dense', numClasses: k, outputDim: k, numGroups: g });
const build = (spec: Record<string, unknown>, data: DataSpec): Objective =>
  createObjective({ name: String(spec.name), ...spec }, { data, sizes: { train: 10, test: 10 }, seed: 0, embeddingDim: data.numClasses });
const ctx = (step: number, data: DataSpec, training = true): LossContext => ({ step, epoch: 0, training, data, seed: 1, split: training ? 'train' : 'test' });

interface Batch { z: number[][]; y: number[]; g: number[] }
const inputOf = (b: Batch, z?: tf.Tensor): LossInput => ({ output: z ?? tf.tensor2d(b.z), y: tf.tensor1d(b.y, 'int32'), group: tf.tensor1d(b.g, 'int32') });
const value = (obj: Objective, b: Batch, c: LossContext): number => tf.tidy(() => obj.compute(inputOf(b), c).dataSync()[0]!);

/* ------------------------------------------------ the official loops in float64 */

function ce(z: readonly number[], y: number): number {
  const m = Math.max(...z);
  return m + Math.log(z.reduce((s, v) => s + Math.exp(v - m), 0)) - z[y]!;
}
/** Mean CE of each environment present, in ascending environment id. */
function envRisk(b: Batch, scale = 1): Map<number, number> {
  const sum = new Map<number, number>(), count = new Map<number, number>();
  b.z.forEach((z, i) => {
    const g = b.g[i]!;
    sum.set(g, (sum.get(g) ?? 0) + ce(z.map((v) => v * scale), b.y[i]!));
    count.set(g, (count.get(g) ?? 0) + 1);
  });
  return new Map([...sum.keys()].sort().map((g) => [g, sum.get(g)! / count.get(g)!]));
}
const mean = (xs: number[]) => xs.reduce((a, v) => a + v, 0) / xs.length;
const anneal = (risk: number, pen: number, step: number, w: number, iters: number) => {
  const pw = step >= iters ? w : 1;
  const loss = risk + pw * pen;
  return pw > 1 ? loss / pw : loss;
};
/** IRM main.py: train_nll = mean_e nll_e; penalty_e = (d nll_e(s·z)/ds at 1)², by central difference. */
function officialIrm(b: Batch, step: number, w = 10000, iters = 100): number {
  const h = 1e-6;
  const up = envRisk(b, 1 + h), down = envRisk(b, 1 - h);
  const pens = [...up.keys()].map((g) => ((up.get(g)! - down.get(g)!) / (2 * h)) ** 2);
  return anneal(mean([...envRisk(b).values()]), mean(pens), step, w, iters);
}
/** REx main.py (rex, mse, erm_amount 1): loss = L₁ + L₂ + w·(L₁ − L₂)². */
function officialRex(b: Batch, step: number, w = 10000, iters = 100): number {
  const [l1, l2] = [...envRisk(b).values()] as [number, number];
  return anneal(l1 + l2, (l1 - l2) ** 2, step, w, iters);
}

/* --------------------------------------------------------------------- tests */

const D2 = dataOf(2, 3);
/** Environment 0: z = [0, 0], y = 0; environment 1: z = [2, 0], y = 1 (environment 2 absent). */
const HAND: Batch = { z: [[0, 0], [2, 0]], y: [0, 1], g: [0, 1] };
const RAND: Batch = {
  z: [[0.3, -1.2, 0.5], [2.0, 0.1, -0.4], [-0.7, 0.9, 1.3], [1.1, 1.0, -2.0], [0.0, -0.3, 0.8], [-1.5, 0.4, 0.2]],
  y: [2, 0, 1, 1, 2, 0],
  g: [0, 1, 0, 1, 1, 0],
};
const D3 = dataOf(3, 2);

describe('irm', () => {
  it('hand-derived: ln 2 and ln(e² + 1) risks, penalties 0 and (2σ(2))², before and after the anneal', () => {
    const obj = build({ name: 'irm' }, D2);
    const l0 = Math.log(2), l1 = Math.log(Math.exp(2) + 1);
    const g1 = 2 / (1 + Math.exp(-2)); // ∂/∂s log(e^{2s} + 1) at s = 1
    const nll = (l0 + l1) / 2, pen = (0 + g1 * g1) / 2;
    assertClose([value(obj, HAND, ctx(0, D2))], [nll + pen], 1e-6, 1e-6, 'step 0 (weight 1)');
    assertClose([value(obj, HAND, ctx(99, D2))], [nll + pen], 1e-6, 1e-6, 'step 99 (weight 1)');
    assertClose([value(obj, HAND, ctx(100, D2))], [(nll + 10000 * pen) / 10000], 1e-6, 1e-6, 'step 100 (weight 10⁴, rescaled)');
    const noRescale = build({ name: 'irm', penalty_weight: 3, penalty_anneal_iters: 0, rescale: false }, D2);
    assertClose([value(noRescale, HAND, ctx(0, D2))], [nll + 3 * pen], 1e-6, 1e-6, 'rescale false');
    obj.dispose();
    noRescale.dispose();
  });

  it('matches the official loop with the penalty by a float64 central difference (3 classes, 2 environments)', async () => {
    const obj = build({ name: 'irm', penalty_weight: 50, penalty_anneal_iters: 5 }, D3);
    await assertNoLeak(() => {
      for (const step of [0, 4, 5, 20]) assertClose([value(obj, RAND, ctx(step, D3))], [officialIrm(RAND, step, 50, 5)], 1e-5, 1e-6, `step ${step}`);
    });
    obj.dispose();
  });

  it('two classes: the penalty is the official single-logit BCE penalty on z₁ − z₀', () => {
    const b: Batch = { z: [[0.2, 1.5], [-0.4, 0.3], [1.0, -1.0], [0.7, 0.6]], y: [1, 0, 0, 1], g: [0, 0, 1, 1] };
    const obj = build({ name: 'irm', penalty_weight: 1, penalty_anneal_iters: 0 }, D2);
    const sig = (v: number) => 1 / (1 + Math.exp(-v));
    const bce = (d: number, y: number) => Math.max(d, 0) - d * y + Math.log1p(Math.exp(-Math.abs(d)));
    let nll = 0, pen = 0;
    for (const e of [0, 1]) {
      const rows = b.g.flatMap((g, i) => (g === e ? [i] : []));
      const d = rows.map((i) => b.z[i]![1]! - b.z[i]![0]!);
      nll += mean(rows.map((i, j) => bce(d[j]!, b.y[i]!))) / 2;
      pen += mean(rows.map((i, j) => (sig(d[j]!) - b.y[i]!) * d[j]!)) ** 2 / 2; // ∂ BCE(s·d)/∂s at 1
    }
    assertClose([value(obj, b, ctx(0, D2))], [nll + pen], 1e-5, 1e-6);
    obj.dispose();
  });

  it('an environment absent from the batch counts in no mean', () => {
    const obj = build({ name: 'irm' }, dataOf(3, 5));
    const moved: Batch = { ...RAND, g: RAND.g.map((g) => (g === 0 ? 1 : 4)) }; // environments 1 and 4 of 5
    assertClose([value(obj, moved, ctx(0, dataOf(3, 5)))], [officialIrm(RAND, 0)], 1e-5, 1e-6);
    obj.dispose();
  });

  it('gradient with respect to the logits by finite differences, after the anneal', () => {
    const obj = build({ name: 'irm', penalty_weight: 100, penalty_anneal_iters: 0 }, D3);
    const c = ctx(3, D3);
    const x0 = Float32Array.from(RAND.z.flat());
    const shape: [number, number] = [RAND.z.length, 3];
    const f = (flat: Float32Array) => tf.tidy(() => obj.compute(inputOf(RAND, tf.tensor2d(flat, shape)), c).dataSync()[0]!);
    const grad = tf.tidy(() => Array.from(tf.grad((z: tf.Tensor) => obj.compute(inputOf(RAND, z), c))(tf.tensor2d(x0, shape)).dataSync()));
    assertClose(grad, finiteDifference(f, x0, 3e-3), 2e-2, 2e-3, 'gradient');
    assert.ok(grad.some((v) => Math.abs(v) > 1e-3));
    obj.dispose();
  });
});

describe('vrex', () => {
  it('hand-derived: ln 2 + ln(e² + 1) + (ln 2 − ln(e² + 1))², before and after the anneal', () => {
    const obj = build({ name: 'vrex', penalty_weight: 100, penalty_anneal_iters: 10 }, D2);
    const l0 = Math.log(2), l1 = Math.log(Math.exp(2) + 1);
    const pen = (l0 - l1) ** 2;
    assertClose([value(obj, HAND, ctx(9, D2))], [l0 + l1 + pen], 1e-6, 1e-6, 'weight 1');
    assertClose([value(obj, HAND, ctx(10, D2))], [(l0 + l1 + 100 * pen) / 100], 1e-6, 1e-6, 'weight 100, rescaled');
    const domainbed = build({ name: 'vrex', penalty_weight: 100, penalty_anneal_iters: 0, risk: 'mean', variance: 'population', rescale: false }, D2);
    assertClose([value(domainbed, HAND, ctx(0, D2))], [(l0 + l1) / 2 + 100 * ((l0 - l1) / 2) ** 2], 1e-6, 1e-6, 'DomainBed form');
    const half = build({ name: 'vrex', erm_amount: 0.5, penalty_anneal_iters: 0, penalty_weight: 1 }, D2);
    assertClose([value(half, HAND, ctx(0, D2))], [0.5 * (l0 + l1) + pen], 1e-6, 1e-6, 'erm_amount');
    obj.dispose();
    domainbed.dispose();
    half.dispose();
  });

  it('matches the official loop (3 classes, 2 environments)', async () => {
    const obj = build({ name: 'vrex', penalty_weight: 50, penalty_anneal_iters: 5 }, D3);
    await assertNoLeak(() => {
      for (const step of [0, 5, 20]) assertClose([value(obj, RAND, ctx(step, D3))], [officialRex(RAND, step, 50, 5)], 1e-5, 1e-6, `step ${step}`);
    });
    obj.dispose();
  });

  it('three environments: pairs is the mean of (L_e − L_e′)² over the pairs; one environment has no penalty', () => {
    const b: Batch = { ...RAND, g: [0, 1, 2, 0, 1, 2] };
    const r = [...envRisk(b).values()];
    const pairs = ((r[0]! - r[1]!) ** 2 + (r[0]! - r[2]!) ** 2 + (r[1]! - r[2]!) ** 2) / 3;
    const obj = build({ name: 'vrex', penalty_weight: 7, penalty_anneal_iters: 0, rescale: false }, dataOf(3, 3));
    assertClose([value(obj, b, ctx(0, dataOf(3, 3)))], [r[0]! + r[1]! + r[2]! + 7 * pairs], 1e-5, 1e-6);
    const one: Batch = { ...RAND, g: RAND.g.map(() => 1) };
    assertClose([value(obj, one, ctx(0, dataOf(3, 3)))], [[...envRisk(one).values()][0]!], 1e-5, 1e-6, 'one environment');
    obj.dispose();
  });

  it('gradient with respect to the logits by finite differences, after the anneal', () => {
    const obj = build({ name: 'vrex', penalty_weight: 100, penalty_anneal_iters: 0 }, D3);
    const c = ctx(3, D3);
    const x0 = Float32Array.from(RAND.z.flat());
    const shape: [number, number] = [RAND.z.length, 3];
    const f = (flat: Float32Array) => tf.tidy(() => obj.compute(inputOf(RAND, tf.tensor2d(flat, shape)), c).dataSync()[0]!);
    const grad = tf.tidy(() => Array.from(tf.grad((z: tf.Tensor) => obj.compute(inputOf(RAND, z), c))(tf.tensor2d(x0, shape)).dataSync()));
    assertClose(grad, finiteDifference(f, x0, 3e-3), 2e-2, 2e-3, 'gradient');
    obj.dispose();
  });
});
