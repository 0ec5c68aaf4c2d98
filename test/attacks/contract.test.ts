/**
 * Every attack of the registry, with its defaults and with each norm it offers: the adversarial
 * inputs stay in the ε-ball around x and in the input range, raise the attacked loss, depend only
 * on the seed, carry no gradient history and leak no tensor. The ℓ∞ and ℓ2 steps are pinned by
 * hand on a linear model, whose input gradient is a constant.
 */
import { describe, it, test } from 'node:test';
import assert from 'node:assert/strict';
import { tf, assertNoLeak } from '../support/tf.js';
import { attackRegistry, buildAttack, robustKey, type AttackSpec } from '../../src/attacks/index.js';

const D = 6;
const K = 3;
const B = 4;
const W = [0.5, -0.2, 0.3, -0.3, 0.4, 0.1, 0.7, -0.6, 0.2, 0.1, 0.3, -0.5, -0.4, 0.2, 0.6, 0.3, -0.1, -0.2];
const X0 = [0.2, 0.5, 0.6, 0.9, 0.4, 0.1, 0.3, 0.35, 0.95, 0.0, 0.5, 0.7, 0.8, 0.1, 0.2, 0.4, 0.6, 0.3, 0.05, 0.5, 0.5, 0.5, 0.99, 0.2];
const Y = [0, 1, 2, 1];

/** Summed CE of a linear model on x [B, D]. */
function lossOf(x: tf.Tensor): tf.Scalar {
  return tf.tidy(() => {
    const target = tf.oneHot(tf.tensor1d(Y, 'int32'), K);
    return tf.neg(tf.sum(tf.mul(tf.logSoftmax(tf.matMul(x as tf.Tensor2D, tf.tensor2d(W, [D, K]))), target))) as tf.Scalar;
  });
}

function rows(t: tf.Tensor): number[][] {
  return t.arraySync() as number[][];
}

/** The specs checked per entry: its defaults, and each norm its schema accepts. */
function specsOf(name: string): AttackSpec[] {
  const specs: AttackSpec[] = [{ name, eps: 0.1 }];
  if (attackRegistry.get(name).schema.safeParse({ norm: 'l2' }).success) specs.push({ name, norm: 'l2', eps: 0.5, step_size: 0.2, steps: 5 });
  return specs;
}

describe('attack contract', () => {
  for (const name of attackRegistry.names()) {
    for (const raw of specsOf(name)) {
      const spec = { ...raw, ...(attackRegistry.get(name).schema.parse(Object.fromEntries(Object.entries(raw).filter(([k]) => k !== 'name'))) as object) };
      const label = `${name} ${JSON.stringify(raw)}`;
      it(`${label}: inside the ε-ball and the range, raises the loss, seeded, no leak`, async () => {
        const attack = buildAttack(spec);
        const x0 = tf.tensor2d(X0, [B, D]);
        try {
          const adv = attack.perturb(lossOf, x0, 7);
          const a = rows(adv);
          for (let i = 0; i < B; i++) {
            const d = a[i]!.map((v, j) => v - X0[i * D + j]!);
            const size = attack.norm === 'linf' ? Math.max(...d.map(Math.abs)) : Math.sqrt(d.reduce((s, v) => s + v * v, 0));
            assert.ok(size <= attack.eps * (1 + 1e-5) + 1e-6, `${label}: row ${i} moved ${size} > ε ${attack.eps}`);
            for (const v of a[i]!) assert.ok(v >= 0 && v <= 1, `${label}: ${v} outside [0, 1]`);
          }
          const before = lossOf(x0).dataSync()[0]!;
          const after = lossOf(adv).dataSync()[0]!;
          assert.ok(after > before, `${label}: loss ${before} → ${after}`);
          const again = attack.perturb(lossOf, x0, 7);
          assert.deepEqual(Array.from(again.dataSync()), Array.from(adv.dataSync()), `${label}: same seed, same x_adv`);
          tf.dispose([adv, again]);
          await assertNoLeak(() => tf.dispose(attack.perturb(lossOf, x0, 3)), label);
        } finally {
          x0.dispose();
        }
      });
    }
  }
});

test('pgd ℓ∞ without random start: k steps of a·sign(∇) clipped to the box, as mnist_challenge', () => {
  const a = 0.03;
  const eps = 0.05;
  const adv = buildAttack({ name: 'pgd', eps, steps: 3, step_size: a, random_start: false, range: null });
  const x0 = tf.tensor2d(X0, [B, D]);
  const out = rows(adv.perturb(lossOf, x0, 0));
  // a linear model's CE gradient is W(p − e_y): its sign can change between steps, so step by hand
  let x = Array.from({ length: B }, (_, i) => X0.slice(i * D, (i + 1) * D));
  for (let s = 0; s < 3; s++) {
    const g = rows(tf.grad(lossOf)(tf.tensor2d(x.flat(), [B, D])));
    x = x.map((r, i) => r.map((v, j) => Math.min(X0[i * D + j]! + eps, Math.max(X0[i * D + j]! - eps, v + a * Math.sign(g[i]![j]!)))));
  }
  for (let i = 0; i < B; i++) for (let j = 0; j < D; j++) assert.ok(Math.abs(out[i]![j]! - x[i]![j]!) < 1e-6, `row ${i} feature ${j}`);
  x0.dispose();
});

test('pgd ℓ2: δ ← renorm_ε(δ + a·g/‖g‖) per row, as csdongxian/AWP attack_pgd', () => {
  const eps = 0.1;
  const a = 0.08;
  const adv = buildAttack({ name: 'pgd', norm: 'l2', eps, steps: 2, step_size: a, random_start: false, range: null });
  const x0 = tf.tensor2d(X0, [B, D]);
  const out = rows(adv.perturb(lossOf, x0, 0));
  let x = Array.from({ length: B }, (_, i) => X0.slice(i * D, (i + 1) * D));
  for (let s = 0; s < 2; s++) {
    const g = rows(tf.grad(lossOf)(tf.tensor2d(x.flat(), [B, D])));
    x = x.map((r, i) => {
      const gn = Math.sqrt(g[i]!.reduce((t, v) => t + v * v, 0));
      const d = r.map((v, j) => v - X0[i * D + j]! + (a * g[i]![j]!) / (gn + 1e-10));
      const dn = Math.sqrt(d.reduce((t, v) => t + v * v, 0));
      const f = dn > eps ? eps / (dn + 1e-7) : 1;
      return d.map((v, j) => X0[i * D + j]! + v * f);
    });
  }
  for (let i = 0; i < B; i++) for (let j = 0; j < D; j++) assert.ok(Math.abs(out[i]![j]! - x[i]![j]!) < 1e-6, `row ${i} feature ${j}`);
  x0.dispose();
});

test('fgsm is x + ε·sign(∇) clipped to the range; ε = 0 returns x', () => {
  const x0 = tf.tensor2d(X0, [B, D]);
  const g = rows(tf.grad(lossOf)(x0));
  const out = rows(buildAttack({ name: 'fgsm', eps: 0.2 }).perturb(lossOf, x0, 0));
  for (let i = 0; i < B; i++) for (let j = 0; j < D; j++) {
    const want = Math.min(1, Math.max(0, X0[i * D + j]! + 0.2 * Math.sign(g[i]![j]!)));
    assert.ok(Math.abs(out[i]![j]! - want) < 1e-6);
  }
  const zero = buildAttack({ name: 'pgd', eps: 0, steps: 3 }).perturb(lossOf, x0, 1);
  assert.deepEqual(Array.from(zero.dataSync()), Array.from(x0.dataSync()));
  tf.dispose([x0, zero]);
});

test('metric keys: robust_accuracy@ε for ℓ∞, @l2-ε for ℓ2, or the given key', () => {
  assert.equal(robustKey({ name: 'pgd', norm: 'linf', eps: 0.3 }), 'robust_accuracy@0.3');
  assert.equal(robustKey({ name: 'pgd', norm: 'l2', eps: 1.5 }), 'robust_accuracy@l2-1.5');
  assert.equal(robustKey({ name: 'fgsm', eps: 0.1 }, 'fgsm_acc'), 'fgsm_acc');
});
