/**
 * Binary and sigmoid heads, the loss wrappers and the metrics that go with them, against
 * hand-derived numbers (float64 in the comments) and independent formulas: sigmoid-bce,
 * sigmoid-focal, ensloss (the sorted-assignment rule on a tiny batch, fixed seed), logistic and
 * binary-hinge, flooding (value, and the gradient's sign flip below b), kl-dro (detached weights:
 * the gradient is the weighted CE gradient), the binary model head, AUC, balanced and worst-class
 * accuracy, and the config rule against a binary term beside K logits.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tf, assertClose, assertNoLeak } from '../support/tf.js';
import { createObjective } from '../../src/losses/index.js';
import type { Spec } from '../../src/core/registry.js';
import type { DataSpec, LossContext, Objective } from '../../src/core/types.js';
import { ensLossDerivatives, boxCoxInverse } from '../../src/losses/ensloss.js';
import { buildModel } from '../../src/models/index.js';
import { binaryAuc } from '../../src/metrics/binary-auc.js';
import { createClassificationAccumulator } from '../../src/metrics/index.js';
import { validate } from '../../src/commands/validate.js';
import { RunnerError } from '../../src/core/errors.js';
import { repoRoot } from '../support/cli.js';
import { withTmpDir } from '../support/tmp-dir.js';
import { captureContext } from '../sweep/helpers.js';

const spec = (k: number): DataSpec => ({ task: 'classification', inputShape: [3], inputKind: 'dense', numClasses: k, outputDim: k });
const ctx = (k: number, seed = 11, training = true): LossContext => ({ step: 0, epoch: 0, training, data: spec(k), seed });

function objective(s: Spec, k: number): Objective {
  return createObjective(s, { data: spec(k), sizes: { train: 8, test: 8 }, seed: 0, embeddingDim: 4 });
}

function values(o: Objective, out: number[][], y: number[], c: LossContext): number[] {
  return tf.tidy(() => Array.from(o.compute({ output: tf.tensor2d(out), y: tf.tensor1d(y, 'int32') }, c).dataSync()));
}

/** d(Σ values)/d(output) (or of the scalar value for a batch-level loss). */
function grad(o: Objective, out: number[][], y: number[], c: LossContext): number[] {
  return tf.tidy(() => {
    const yt = tf.tensor1d(y, 'int32');
    return Array.from(tf.grad((x: tf.Tensor) => tf.sum(o.compute({ output: x, y: yt }, c)))(tf.tensor2d(out)).dataSync());
  });
}

const sig = (x: number) => 1 / (1 + Math.exp(-x));
const sp = (x: number) => Math.log1p(Math.exp(x));

describe('sigmoid-bce', () => {
  it('sums BCE with logits over the classes; smoothing as timm; mean as torch', () => {
    const o = objective({ name: 'sigmoid-bce' }, 2);
    // z = [0, ln 3], y = 1: softplus(0) + softplus(ln 3) − ln 3 = ln 2 + ln(4/3) = ln(8/3)
    assertClose(values(o, [[0, Math.log(3)]], [1], ctx(2)), [Math.log(8 / 3)], 1e-6);
    // gradient σ(z) − t = [0.5, 0.75 − 1]
    assertClose(grad(o, [[0, Math.log(3)]], [1], ctx(2)), [0.5, -0.25], 1e-6);
    o.dispose();
    const s = objective({ name: 'sigmoid-bce', label_smoothing: 0.2, class_reduction: 'mean' }, 2);
    // off = 0.1, on = 0.9: (ln 2 + ln 4 − 0.9·ln 3)/2
    assertClose(values(s, [[0, Math.log(3)]], [1], ctx(2)), [(Math.log(2) + Math.log(4) - 0.9 * Math.log(3)) / 2], 1e-6);
    s.dispose();
  });

  it('normalised per-class sigmoid probabilities, finite at saturated logits', () => {
    const o = objective({ name: 'sigmoid-bce' }, 3);
    const p = tf.tidy(() => Array.from(o.probabilities!({ output: tf.tensor2d([[0, Math.log(3), -1e4], [-1e4, -1e4, -1e4]]), y: tf.tensor1d([0, 0], 'int32') }, ctx(3)).dataSync()));
    // σ = [0.5, 0.75, 0] → /1.25
    assertClose(p.slice(0, 3), [0.4, 0.6, 0], 1e-6);
    assertClose(p.slice(3), [1 / 3, 1 / 3, 1 / 3], 1e-6);
    o.dispose();
  });
});

describe('sigmoid-focal', () => {
  it('matches torchvision sigmoid_focal_loss summed over classes (alpha 0.25, gamma 2)', () => {
    const o = objective({ name: 'sigmoid-focal' }, 3);
    // z = 0 everywhere, y = 1: positives 0.25·0.25·ln2, negatives 0.75·0.25·ln2 (×2)
    assertClose(values(o, [[0, 0, 0]], [1], ctx(3)), [(0.0625 + 2 * 0.1875) * Math.LN2], 1e-6);
    const z = [[1.5, -0.3, 2.2], [-4, 0.7, 0.1]];
    const y = [2, 0];
    const ref = z.map((row, i) => row.reduce((s, x, k) => {
      const t = k === y[i] ? 1 : 0;
      const p = sig(x);
      const pt = p * t + (1 - p) * (1 - t);
      const ce = -(t * Math.log(p) + (1 - t) * Math.log(1 - p));
      return s + (0.25 * t + 0.75 * (1 - t)) * ce * (1 - pt) ** 2;
    }, 0));
    assertClose(values(o, z, y, ctx(3)), ref, 1e-5);
    o.dispose();
    const noAlpha = objective({ name: 'sigmoid-focal', alpha: -1, gamma: 0 }, 3);
    // α < 0 and γ = 0: plain BCE with logits
    assertClose(values(noAlpha, z, y, ctx(3)), z.map((row, i) => row.reduce((s, x, k) => s + (k === y[i] ? sp(-x) : sp(x)), 0)), 1e-5);
    noAlpha.dispose();
  });
});

describe('binary head losses', () => {
  it('logistic and binary-hinge read one logit with y = 2t − 1; probabilities [1 − σ, σ]', () => {
    const l = objective({ name: 'logistic' }, 2);
    const h = objective({ name: 'binary-hinge' }, 2);
    const f = [[2], [0.5], [-1]];
    const y = [1, 0, 0]; // margins 2, −0.5, 1
    assertClose(values(l, f, y, ctx(2)), [sp(-2), sp(0.5), sp(-1)], 1e-6);
    assertClose(values(h, f, y, ctx(2)), [0, 1.5, 0], 1e-6);
    const p = tf.tidy(() => Array.from(l.probabilities!({ output: tf.tensor2d(f), y: tf.tensor1d(y, 'int32') }, ctx(2)).dataSync()));
    assertClose(p, [1 - sig(2), sig(2), 1 - sig(0.5), sig(0.5), 1 - sig(-1), sig(-1)], 1e-6);
    l.dispose();
    h.dispose();
  });

  it('ensloss: sorted derivatives from the step seed, assigned in ascending-margin order, scaled by 1/m above 1', () => {
    const o = objective({ name: 'ensloss' }, 2);
    const d = Array.from(ensLossDerivatives(3, 0, 11));
    // sorted ascending, in [−1, 0)
    assert.ok(d[0]! <= d[1]! && d[1]! <= d[2]! && d[0]! >= -1 && d[2]! < 0, String(d));
    // the official draw: −exp(z) for z ~ N(0, 1); with λ ≠ 0 the inverse Box-Cox map
    assert.equal(boxCoxInverse(0.3, 0), Math.exp(0.3));
    assertClose([boxCoxInverse(0.3, 0.5), boxCoxInverse(-3, 0.5)], [1.15 ** 2, 0], 1e-12);
    // margins: f·y with y = [+1, −1, +1] → m = [2, 1, −0.5]... here f = [2, 1, −0.5], y = [1, 0, 1] → m = [2, −1, −0.5]
    const f = [[2], [1], [-0.5]];
    const y = [1, 0, 1];
    const m = [2, -1, -0.5];
    // ascending margins: row 1 (−1), row 2 (−0.5), row 0 (2) get d0, d1, d2; row 0 has m > 1: d2/2
    const g = [d[2]! / 2 - 1e-6, d[0]! - 1e-6, d[1]! - 1e-6];
    assertClose(values(o, f, y, ctx(2, 11)), g.map((gi, i) => gi * m[i]!), 1e-6);
    // gradient w.r.t. f: g_i·y_i (g detached)
    assertClose(grad(o, f, y, ctx(2, 11)), [g[0]!, -g[1]!, g[2]!], 1e-6);
    // the same seed gives the same draw (SAM's evaluations agree); another seed another draw
    assert.deepEqual(values(o, f, y, ctx(2, 11)), values(o, f, y, ctx(2, 11)));
    assert.notDeepEqual(values(o, f, y, ctx(2, 12)), values(o, f, y, ctx(2, 11)));
    o.dispose();
  });

  it('the binary model head emits one logit', async () => {
    const model = buildModel({ name: 'mlp', hidden: [5] }, { data: spec(2), seed: 1, head: 'binary' });
    await assertNoLeak(() => tf.tidy(() => {
      const out = model.apply(tf.ones([4, 3]), { training: false });
      assert.deepEqual(out.output.shape, [4, 1]);
    }));
    model.dispose();
  });
});

describe('loss wrappers', () => {
  const z = [[2, 0, -1], [0.5, 0.2, 0.1], [-1, 3, 0]];
  const y = [0, 2, 1];
  const ce = (row: number[], t: number) => Math.log(row.reduce((s, v) => s + Math.exp(v), 0)) - row[t]!;
  const ceVals = z.map((row, i) => ce(row, y[i]!));
  const meanCe = ceVals.reduce((a, b) => a + b, 0) / 3;

  it('flooding: |L − b| + b of the batch mean; the gradient flips sign below b; evaluation reports the base', () => {
    const above = objective({ name: 'flooding', b: 0.1, base: { name: 'cross-entropy' } }, 3);
    const below = objective({ name: 'flooding', b: 5, base: { name: 'cross-entropy' } }, 3);
    const base = objective({ name: 'cross-entropy' }, 3);
    assertClose(values(above, z, y, ctx(3)), [meanCe], 1e-6);
    assertClose(values(below, z, y, ctx(3)), [2 * 5 - meanCe], 1e-6);
    const gBase = grad(base, z, y, ctx(3)).map((v) => v / 3); // of the mean
    assertClose(grad(above, z, y, ctx(3)), gBase, 1e-5, 1e-7);
    assertClose(grad(below, z, y, ctx(3)), gBase.map((v) => -v), 1e-5, 1e-7);
    assertClose(values(below, z, y, ctx(3, 11, false)), ceVals, 1e-6);
    // extras are inside the flood: L = mean(CE + z-loss term)
    const withExtra = objective({ name: 'flooding', b: 5, base: { name: 'cross-entropy', extra: [{ name: 'z-loss', weight: 0.5 }] } }, 3);
    const zl = z.map((row) => 0.5 * Math.log(row.reduce((s, v) => s + Math.exp(v), 0)) ** 2);
    const L = ceVals.reduce((s, v, i) => s + v + zl[i]!, 0) / 3;
    assertClose(values(withExtra, z, y, ctx(3)), [Math.abs(L - 5) + 5], 1e-5);
    for (const o of [above, below, base, withExtra]) o.dispose();
  });

  it('kl-dro: detached weights B·softmax(ℓ/τ); the gradient is the weighted CE gradient', () => {
    for (const tau of [1, -0.5]) {
      const o = objective({ name: 'kl-dro', tau, base: { name: 'cross-entropy' } }, 3);
      const e = ceVals.map((l) => Math.exp(l / tau));
      const s = e.reduce((a, b) => a + b, 0);
      const w = e.map((v) => (3 * v) / s);
      assertClose(values(o, z, y, ctx(3)), ceVals.map((l, i) => w[i]! * l), 1e-5);
      // Σ_i w_i ∇ℓ_i: row i of the CE gradient (softmax − onehot) scaled by w_i
      const expected = z.flatMap((row, i) => {
        const lse = Math.log(row.reduce((a, v) => a + Math.exp(v), 0));
        return row.map((v, k) => w[i]! * (Math.exp(v - lse) - (k === y[i] ? 1 : 0)));
      });
      assertClose(grad(o, z, y, ctx(3)), expected, 1e-5, 1e-7);
      o.dispose();
    }
  });
});

describe('binary AUC, balanced and worst-class accuracy', () => {
  it('AUC by midranks', () => {
    assert.equal(binaryAuc([0.1, 0.4, 0.35, 0.8], [0, 0, 1, 1]), 0.75); // sklearn's example
    assert.equal(binaryAuc([0.5, 0.5], [0, 1]), 0.5); // a tie counts ½
    // ties across classes: pos {0.2, 0.5, 0.5}, neg {0.5, 0.1}: pairs won 1+1+1 (vs 0.1), ties ½+½ (vs 0.5), 0.2 < 0.5 → (3 + 1)/6
    assertClose([binaryAuc([0.2, 0.5, 0.5, 0.5, 0.1], [1, 1, 1, 0, 0])], [4 / 6], 1e-12);
    assert.ok(Number.isNaN(binaryAuc([0.2, 0.3], [1, 1])));
  });

  it('the accumulator reports balanced_accuracy, worst_class_accuracy and (2 classes) auc', () => {
    const acc = createClassificationAccumulator(3);
    // labels 0,0,0,1,2: predictions 0,0,1,1,0 → class accuracies 2/3, 1, 0
    acc.add(Float32Array.from([0.8, 0.1, 0.1, 0.7, 0.2, 0.1, 0.2, 0.7, 0.1, 0.1, 0.8, 0.1, 0.6, 0.2, 0.2]), Int32Array.from([0, 0, 0, 1, 2]));
    const r = acc.result();
    assertClose([r.balanced_accuracy!, r.worst_class_accuracy!], [(2 / 3 + 1 + 0) / 3, 0], 1e-12);
    assert.equal(r.auc, undefined);
    const bin = createClassificationAccumulator(2);
    bin.add(Float32Array.from([0.9, 0.1, 0.6, 0.4, 0.65, 0.35, 0.2, 0.8]), Int32Array.from([0, 0, 1, 1]));
    assert.equal(bin.result().auc, 0.75);
  });
});

describe('config rules for the binary head', () => {
  it('validate rejects a binary term beside a K-logit loss with exit 2 and file:line', async () => {
    await withTmpDir(async (dir) => {
      writeFileSync(join(dir, 'exp.yaml'), `extends: ${join(repoRoot, 'configs', 'test', 'tiny-moons.yaml')}\nloss:\n  name: cross-entropy\n  extra:\n    - name: logistic\n`);
      const v = captureContext(dir);
      await assert.rejects(validate({ config: 'exp.yaml' }, v.ctx), (err: unknown) => {
        assert.ok(err instanceof RunnerError);
        assert.equal(err.exitCode, 2);
        assert.match(err.message, /exp\.yaml:5:\d+: loss\.extra\.0\.name: loss "logistic" uses a binary head/);
        return true;
      });
    });
  });
});
