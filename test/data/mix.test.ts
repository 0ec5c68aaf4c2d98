/**
 * train.mix (data/mix.ts): the draws of mixup and CutMix as the official code makes them, the
 * mixed inputs and soft targets, determinism per (seed, step), the Beta sampler's moments.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { tf, assertClose, assertNoLeak } from '../support/tf.js';
import { Rng } from '../../src/core/random.js';
import { drawMix, mixBatch, mixSchema, randomBox } from '../../src/data/mix.js';

const spec = (o: Record<string, unknown>) => mixSchema.parse(o);

describe('train.mix', () => {
  it('Rng.beta has the moments of Beta(a, b) (mean a/(a+b), variance ab/((a+b)²(a+b+1)))', () => {
    for (const [a, b] of [[1, 1], [0.4, 0.4], [2, 5]] as const) {
      const rng = new Rng(11);
      const n = 20000;
      let s = 0;
      let s2 = 0;
      for (let i = 0; i < n; i++) {
        const v = rng.beta(a, b);
        assert.ok(v >= 0 && v <= 1);
        s += v;
        s2 += v * v;
      }
      const mean = s / n;
      const variance = s2 / n - mean * mean;
      const m = a / (a + b);
      const vv = (a * b) / ((a + b) ** 2 * (a + b + 1));
      assert.ok(Math.abs(mean - m) < 0.01, `Beta(${a}, ${b}) mean ${mean} vs ${m}`);
      assert.ok(Math.abs(variance - vv) < 0.01, `Beta(${a}, ${b}) variance ${variance} vs ${vv}`);
    }
  });

  it('schema: defaults are mixup-cifar10 (α = 1, every batch); both α = 0 is refused', () => {
    assert.deepEqual(spec({}), { mixup_alpha: 1, cutmix_alpha: 0, prob: 1, switch_prob: 0.5 });
    assert.equal(mixSchema.safeParse({ mixup_alpha: 0 }).success, false);
    assert.equal(mixSchema.safeParse({ mixup: 1 }).success, false, 'strict');
  });

  it('the same seed draws the same mix; prob 0 never mixes; switch_prob picks the transform', () => {
    const s = spec({ mixup_alpha: 0.4, cutmix_alpha: 1 });
    assert.deepEqual(drawMix(s, 8, new Rng(3), [6, 6]), drawMix(s, 8, new Rng(3), [6, 6]));
    assert.equal(drawMix(spec({ prob: 0 }), 8, new Rng(3)).kind, 'none');
    assert.equal(drawMix(spec({ cutmix_alpha: 1, switch_prob: 1 }), 8, new Rng(3), [6, 6]).kind, 'cutmix');
    assert.equal(drawMix(spec({ cutmix_alpha: 1, switch_prob: 0 }), 8, new Rng(3), [6, 6]).kind, 'mixup');
    let mixed = 0;
    for (let i = 0; i < 400; i++) if (drawMix(spec({ prob: 0.25 }), 4, new Rng(i)).kind !== 'none') mixed++;
    assert.ok(mixed > 70 && mixed < 130, `prob 0.25 mixed ${mixed} of 400`);
  });

  it('rand_bbox: cut √(1 − λ) of each side around a uniform centre, clipped to the image', () => {
    for (let i = 0; i < 50; i++) {
      const [r0, c0, r1, c1] = randomBox(10, 8, 0.64, new Rng(i));
      assert.ok(r0 >= 0 && c0 >= 0 && r1 <= 10 && c1 <= 8 && r0 <= r1 && c0 <= c1);
      // cut_h = int(10·0.6) = 6, cut_w = int(8·0.6) = 4: at most 2·(6//2) rows and 2·(4//2) columns
      assert.ok(r1 - r0 <= 6 && c1 - c0 <= 4);
    }
  });

  it('mixup: x = λx + (1 − λ)x[perm], targets λ·e_y + (1 − λ)·e_y[perm]', async () => {
    await assertNoLeak(() => {
      const x = tf.tensor2d([[1, 0], [0, 1], [2, 2], [4, -1]]);
      const y = tf.tensor1d([0, 1, 2, 1], 'int32');
      const s = spec({ mixup_alpha: 0.5 });
      const m = mixBatch(x, y, 3, s, new Rng(5));
      const { lambda, perm } = m.draw;
      assert.equal(m.draw.kind, 'mixup');
      const xs = x.arraySync();
      const ys = [0, 1, 2, 1];
      const expX = xs.map((r, i) => r.map((v, j) => lambda * v + (1 - lambda) * xs[perm![i]!]![j]!));
      assertClose(m.x.dataSync(), expX.flat(), 1e-6, 1e-6);
      const expT = ys.map((c, i) => [0, 1, 2].map((k) => lambda * (k === c ? 1 : 0) + (1 - lambda) * (k === ys[perm![i]!] ? 1 : 0)));
      assertClose(m.target.dataSync(), expT.flat(), 1e-6, 1e-6);
      tf.dispose([x, y, m.x, m.target]);
    });
  });

  it('cutmix: the box comes from the partner row, λ is corrected to the box area', async () => {
    await assertNoLeak(() => {
      const n = 4;
      const x = tf.tidy(() => tf.mul(tf.ones([n, 6, 6, 1]), tf.reshape(tf.range(1, n + 1), [n, 1, 1, 1])));
      const y = tf.tensor1d([0, 1, 2, 0], 'int32');
      let m = mixBatch(x, y, 3, spec({ mixup_alpha: 0, cutmix_alpha: 1 }), new Rng(2));
      for (let seed = 3; m.draw.box && (m.draw.box[2] - m.draw.box[0]) * (m.draw.box[3] - m.draw.box[1]) === 0; seed++) {
        tf.dispose([m.x, m.target]);
        m = mixBatch(x, y, 3, spec({ mixup_alpha: 0, cutmix_alpha: 1 }), new Rng(seed));
      }
      const [r0, c0, r1, c1] = m.draw.box!;
      const area = (r1 - r0) * (c1 - c0);
      assertClose([m.draw.lambda], [1 - area / 36], 1e-12, 1e-12);
      const out = m.x.arraySync() as number[][][][];
      const perm = m.draw.perm!;
      for (let i = 0; i < n; i++) {
        for (let r = 0; r < 6; r++) {
          for (let c = 0; c < 6; c++) {
            const inBox = r >= r0 && r < r1 && c >= c0 && c < c1;
            assert.equal(out[i]![r]![c]![0], inBox ? perm[i]! + 1 : i + 1);
          }
        }
      }
      const t = m.target.arraySync();
      for (const row of t) assertClose([row.reduce((a, b) => a + b, 0)], [1], 1e-6, 1e-6);
      tf.dispose([x, y, m.x, m.target]);
    });
  });
});
