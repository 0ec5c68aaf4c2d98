/**
 * mesa (AngusDujw/SAF MESA_train.py): CE + reinforce·T²·KL(softmax(teacher/T) ‖ softmax(z/T)) on
 * the EMA teacher's outputs (LossInput.teacher), inside the strict epoch window, against float64
 * formulas written here; CE alone in evaluation; finite differences treat the teacher as a constant.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { tf, assertClose } from '../support/tf.js';
import { createObjective } from '../../src/losses/index.js';
import type { DataSpec, LossContext, LossInput } from '../../src/core/types.js';

const K = 3;
const data: DataSpec = { task: 'classification', inputShape: [2], inputKind: 'dense', numClasses: K, outputDim: K };
const deps = { data, sizes: { train: 6, test: 4 }, seed: 0, embeddingDim: 4 };
const ctx = (epoch: number, training = true, split: 'train' | 'test' = 'train'): LossContext => ({ step: 7, epoch, training, data, seed: 1, split });

const lse = (v: number[]) => {
  const m = Math.max(...v);
  return m + Math.log(v.reduce((s, x) => s + Math.exp(x - m), 0));
};
const ce = (z: number[], y: number) => lse(z) - z[y]!;
/** KL(softmax(a/T) ‖ softmax(z/T)) in float64. */
const kl = (a: number[], z: number[], t: number) => {
  const la = lse(a.map((x) => x / t));
  const lz = lse(z.map((x) => x / t));
  return a.reduce((s, ak, k) => s + Math.exp(ak / t - la) * (ak / t - la - (z[k]! / t - lz)), 0);
};

const Z = [[2, 0, -1], [0.5, 1.5, -0.25]];
const TEACHER = [[1, 2, 3], [-2, 1, 0.5]];
const Y = [0, 2];

function values(o: Record<string, unknown>, c: LossContext, teacher = true): number[] {
  const obj = createObjective({ name: 'mesa', ...o }, deps);
  const input: LossInput = { output: tf.tensor2d(Z), y: tf.tensor1d(Y, 'int32'), ...(teacher ? { teacher: tf.tensor2d(TEACHER) } : {}) };
  try {
    const v = obj.compute(input, c);
    const out = Array.from(v.dataSync());
    v.dispose();
    return out;
  } finally {
    tf.dispose(Object.values(input) as tf.Tensor[]);
    obj.dispose();
  }
}

describe('mesa', () => {
  it('CE + reinforce·T²·KL(teacher ‖ student) inside kl_start_epoch < e < kl_end_epoch, CE outside and in evaluation', () => {
    const o = { reinforce: 0.3, temperature: 5, kl_start_epoch: 5, kl_end_epoch: 9 };
    const plain = Z.map((z, i) => ce(z, Y[i]!));
    const full = Z.map((z, i) => ce(z, Y[i]!) + 0.3 * 25 * kl(TEACHER[i]!, z, 5));
    assertClose(values(o, ctx(6)), full, 1e-5, 1e-6, 'epoch 6');
    assertClose(values(o, ctx(8)), full, 1e-5, 1e-6, 'epoch 8');
    for (const e of [0, 5, 9]) assertClose(values(o, ctx(e)), plain, 1e-5, 1e-6, `epoch ${e}: outside the strict window`);
    assertClose(values(o, ctx(6, false, 'test')), plain, 1e-5, 1e-6, 'evaluation: CE only');
    assertClose(values(o, ctx(6, false, 'test'), false), plain, 1e-5, 1e-6, 'evaluation needs no teacher');
    assertClose(values({ ...o, reinforce: 0.8, temperature: 2 }, ctx(6)), Z.map((z, i) => ce(z, Y[i]!) + 0.8 * 4 * kl(TEACHER[i]!, z, 2)), 1e-5, 1e-6, 'λ 0.8, T 2');
  });

  it('label smoothing: CE on (1 − s)·onehot + s/K', () => {
    const s = 0.1;
    const smooth = Z.map((z, i) => {
      const l = lse(z);
      return z.reduce((acc, zk, k) => acc - ((k === Y[i] ? 1 - s : 0) + s / K) * (zk - l), 0);
    });
    assertClose(values({ label_smoothing: s, kl_start_epoch: 0 }, ctx(0)), smooth, 1e-5, 1e-6, 'epoch 0 (window not open)');
  });

  it('a training call inside the window without a teacher is an error that names train.ema', () => {
    assert.throws(() => values({ kl_start_epoch: 0 }, ctx(1), false), /train\.ema/);
  });

  it('gradient matches finite differences of the float64 formula (the teacher is a constant)', () => {
    const obj = createObjective({ name: 'mesa', kl_start_epoch: 0 }, deps);
    const y = tf.tensor1d(Y, 'int32');
    const teacher = tf.tensor2d(TEACHER);
    const g = tf.tidy(() => Array.from(tf.grad((x: tf.Tensor) => tf.sum(obj.compute({ output: x, y, teacher }, ctx(1))))(tf.tensor2d(Z)).dataSync()));
    const f = (x: number[]) => [0, 1].reduce((s, i) => {
      const z = x.slice(i * K, i * K + K);
      return s + ce(z, Y[i]!) + 0.3 * 25 * kl(TEACHER[i]!, z, 5);
    }, 0);
    const x0 = Z.flat();
    const h = 1e-6;
    const fd = x0.map((_, j) => {
      const a = x0.slice();
      const b = x0.slice();
      a[j]! += h;
      b[j]! -= h;
      return (f(a) - f(b)) / (2 * h);
    });
    assertClose(g, fd, 1e-3, 1e-5, 'mesa gradient');
    tf.dispose([y, teacher]);
    obj.dispose();
  });
});
