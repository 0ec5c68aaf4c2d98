/**
 * group-dro against an independent float64 transcription of kohpangwei/group_DRO loss.py
 * (compute_group_avg, compute_robust_loss: q ← q·exp(η·A) / Σ, loss = A·q with the NEW q, A = L
 * or L + adj/√n when every adj > 0, normalize_loss on the update only, absent groups at 0) over
 * two steps; q stored once per step (commit) and shared by a step's later passes; evaluation
 * reads q without moving it; checkpoint round trip; gradients by finite differences with q held.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { tf, assertClose, assertNoLeak, finiteDifference } from '../support/tf.js';
import { createLoss, createObjective } from '../../src/losses/index.js';
import type { DataSpec, LossContext, LossInput, Objective } from '../../src/core/types.js';

const K = 3;
const G = 3;
const COUNTS = [10, 20, 40];
const data: DataSpec = { task: 'classification', inputShape: [2], inputKind: 'dense', numClasses: K, outputDim: K, numGroups: G, groupCounts: COUNTS };

interface Batch { z: number[][]; y: number[]; g: number[] }
/** Step 0: groups 0 and 1 (group 2 absent). Step 1: groups 2 and 0 (group 1 absent). */
const B1: Batch = { z: [[2, 0, -1], [0, 1, 0], [1, 1, 1], [-1, 0, 2]], y: [0, 1, 2, 0], g: [0, 0, 1, 1] };
const B2: Batch = { z: [[0, 0, 3], [1, -1, 0], [2, 2, 0]], y: [2, 0, 1], g: [2, 0, 2] };

/* ------------------------------------------------ the official code in float64 */

function ce(z: number[], y: number): number {
  const m = Math.max(...z);
  return m + Math.log(z.reduce((s, v) => s + Math.exp(v - m), 0)) - z[y]!;
}
/** compute_group_avg: mean per group, 0 for an absent group (denominator count + (count == 0)). */
function groupAvg(b: Batch): number[] {
  const sum = new Array<number>(G).fill(0), count = new Array<number>(G).fill(0);
  b.z.forEach((z, i) => { sum[b.g[i]!]! += ce(z, b.y[i]!); count[b.g[i]!]! += 1; });
  return sum.map((s, g) => s / (count[g]! + (count[g] === 0 ? 1 : 0)));
}
interface Options { step_size?: number; adj?: number | number[]; normalize_loss?: boolean }
/** compute_robust_loss: returns the new q and the robust loss. */
function official(q: number[], b: Batch, o: Options): { q: number[]; loss: number } {
  const eta = o.step_size ?? 0.01;
  const adj = typeof o.adj === 'object' ? o.adj : new Array<number>(G).fill(o.adj ?? 0);
  let groupLoss = groupAvg(b);
  if (adj.every((c) => c > 0)) groupLoss = groupLoss.map((l, g) => l + adj[g]! / Math.sqrt(COUNTS[g]!)); // the in-place +=
  let adjusted = groupLoss;
  if (o.normalize_loss) { const s = adjusted.reduce((a, v) => a + v, 0); adjusted = adjusted.map((v) => v / s); }
  let next = q.map((qg, g) => qg * Math.exp(eta * adjusted[g]!));
  const s = next.reduce((a, v) => a + v, 0);
  next = next.map((v) => v / s);
  return { q: next, loss: groupLoss.reduce((a, l, g) => a + l * next[g]!, 0) };
}

/* --------------------------------------------------------------------- harness */

const build = (o: Options, d: DataSpec = data): Objective => createObjective({ name: 'group-dro', ...o }, { data: d, sizes: { train: 70, test: 10 }, seed: 0, embeddingDim: K });
const ctx = (step: number, training = true): LossContext => ({ step, epoch: 0, training, data, seed: 1, split: training ? 'train' : 'test' });
const inputOf = (b: Batch, z?: tf.Tensor): LossInput => ({ output: z ?? tf.tensor2d(b.z), y: tf.tensor1d(b.y, 'int32'), group: tf.tensor1d(b.g, 'int32') });
const value = (obj: Objective, b: Batch, c: LossContext): number => tf.tidy(() => obj.compute(inputOf(b), c).dataSync()[0]!);
const commit = (obj: Objective, b: Batch, c: LossContext): void => tf.tidy(() => obj.commit!(inputOf(b), c));
const stateQ = (obj: Objective): number[] => {
  const s = obj.getState!();
  const q = Array.from(s['loss/group-dro/adv_probs']!.dataSync());
  tf.dispose(Object.values(s));
  return q;
};

describe('group-dro against loss.py over two steps', () => {
  const cases: [string, Options][] = [
    ['defaults (step_size 0.01, no adj)', {}],
    ['step_size 0.5', { step_size: 0.5 }],
    ['adj C = [1, 2, 0.5] with n = [10, 20, 40], absent groups adjusted too', { step_size: 0.3, adj: [1, 2, 0.5] }],
    ['adj 0.7 for every group', { step_size: 0.3, adj: 0.7 }],
    ['adj with one zero: no adjustment at all (torch.all(adj > 0))', { step_size: 0.3, adj: [1, 0, 1] }],
    ['normalize_loss: the update sees A/ΣA, the loss A', { step_size: 2, normalize_loss: true, adj: 1 }],
  ];
  for (const [label, o] of cases) {
    it(label, async () => {
      const obj = build(o);
      await assertNoLeak(() => {
        const s1 = official([1 / 3, 1 / 3, 1 / 3], B1, o);
        assertClose([value(obj, B1, ctx(0))], [s1.loss], 1e-5, 1e-6, 'step 0 loss');
        commit(obj, B1, ctx(0));
        assertClose(stateQ(obj), s1.q, 1e-5, 1e-7, 'q after step 0');
        const s2 = official(s1.q, B2, o);
        assertClose([value(obj, B2, ctx(1))], [s2.loss], 1e-5, 1e-6, 'step 1 loss');
        commit(obj, B2, ctx(1));
        assertClose(stateQ(obj), s2.q, 1e-5, 1e-7, 'q after step 1');
      });
      obj.dispose();
    });
  }

  it('the hand numbers of the default case', () => {
    // CE = lse − z_y: B1 rows 0.1698460, 0.5514448, 1.0986123, 3.1698460 → L = [0.3606454, 2.1342292, 0];
    // q1 ∝ exp(0.01·L)/3 → [0.3317526, 0.3376890, 0.3305583]; loss = L·q1 = 0.8403508
    const s1 = official([1 / 3, 1 / 3, 1 / 3], B1, {});
    assertClose(groupAvg(B1), [0.3606454, 2.1342292, 0], 1e-6, 1e-7, 'L');
    assertClose(s1.q, [0.3317526, 0.3376890, 0.3305583], 1e-6, 1e-7, 'q1');
    assertClose([s1.loss], [0.8403508], 1e-6, 1e-7, 'loss');
  });
});

describe('group-dro state: once per step, evaluation, checkpoints', () => {
  it('a step\'s later passes (SAM) weigh with the q its first pass stored; the next step updates from it', () => {
    const o = { step_size: 0.5 };
    const obj = build(o);
    const first = value(obj, B1, ctx(0));
    commit(obj, B1, ctx(0));
    const q1 = stateQ(obj);
    assert.equal(value(obj, B1, ctx(0)), first, 'the second pass of step 0 equals its first, bit for bit');
    commit(obj, B1, ctx(0)); // a second commit of the same step changes nothing
    assert.deepEqual(stateQ(obj), q1);
    assertClose([value(obj, B2, ctx(1))], [official(official([1 / 3, 1 / 3, 1 / 3], B1, o).q, B2, o).loss], 1e-5, 1e-6, 'step 1');
    obj.dispose();
  });

  it('evaluation weighs with the stored q and leaves it alone', () => {
    const o = { step_size: 0.5 };
    const obj = build(o);
    commit(obj, B1, ctx(0));
    const q1 = stateQ(obj);
    const L = groupAvg(B2);
    assertClose([value(obj, B2, ctx(7, false))], [L.reduce((a, l, g) => a + l * q1[g]!, 0)], 1e-5, 1e-6, 'eval value');
    commit(obj, B2, ctx(7, false));
    assert.deepEqual(stateQ(obj), q1, 'evaluation commits nothing');
    obj.dispose();
  });

  it('q round-trips through getState/setState: a restored loss continues bit for bit', () => {
    const o = { step_size: 0.5, adj: 1 };
    const a = build(o);
    commit(a, B1, ctx(0));
    const saved = a.getState!();
    const b = build(o);
    b.setState!(saved);
    assert.equal(value(b, B2, ctx(1)), value(a, B2, ctx(1)));
    commit(a, B2, ctx(1));
    commit(b, B2, ctx(1));
    assert.deepEqual(stateQ(b), stateQ(a));
    assert.throws(() => b.setState!({}), /lacks "loss\/group-dro\/adv_probs"/);
    assert.throws(() => b.setState!({ 'loss/group-dro/adv_probs': tf.zeros([2]) }), /expected \[3\]/);
    tf.dispose(Object.values(saved));
    a.dispose();
    b.dispose();
  });
});

describe('group-dro gradients', () => {
  const shape: [number, number] = [4, K];
  const x0 = Float32Array.from(B1.z.flat());
  const gradAt = (obj: Objective, c: LossContext): Float32Array =>
    tf.tidy(() => tf.grad((x: tf.Tensor) => obj.compute(inputOf(B1, x), c))(tf.tensor2d(x0, shape)).dataSync() as Float32Array);

  it('match central finite differences with q held (the stored q, as in evaluation)', () => {
    const obj = build({ adj: [1, 2, 0.5] });
    const q = tf.tensor1d([0.5, 0.3, 0.2]);
    obj.setState!({ 'loss/group-dro/adv_probs': q });
    const c = ctx(0, false);
    const f = (flat: Float32Array) => tf.tidy(() => obj.compute(inputOf(B1, tf.tensor2d(flat, shape)), c).dataSync()[0]!);
    assertClose(gradAt(obj, c), finiteDifference(f, x0, 3e-3), 2e-2, 2e-3, 'gradient');
    q.dispose();
    obj.dispose();
  });

  it('treat this step\'s new q as a constant (detached, as adv_probs from .data)', () => {
    const o = { step_size: 0.5 };
    const a = build(o);
    const trained = gradAt(a, ctx(0)); // derives q1 inside compute
    commit(a, B1, ctx(0));
    const held = gradAt(a, ctx(0, false)); // q1 stored, held
    assertClose(trained, held, 1e-6, 1e-7, 'same gradient');
    a.dispose();
  });
});

describe('group-dro through createLoss and its errors', () => {
  it('createLoss takes numGroups and the context\'s group ids; the batch value is broadcast', () => {
    const f = createLoss({ name: 'group-dro' }, { numClasses: K, numGroups: G, groupCounts: COUNTS });
    const v = tf.tidy(() => Array.from(f(tf.tensor2d(B1.z), tf.tensor1d(B1.y, 'int32'), { group: tf.tensor1d(B1.g, 'int32'), step: 0 }).dataSync()));
    const expected = official([1 / 3, 1 / 3, 1 / 3], B1, {}).loss;
    assertClose(v, [expected, expected, expected, expected], 1e-5, 1e-6, 'broadcast');
    f.dispose();
  });

  it('refuses data without groups, a batch without group ids, adj of the wrong length, adj with an empty group', () => {
    const { numGroups: _n, groupCounts: _c, ...plain } = data;
    assert.throws(() => build({}, plain), /group-dro.*needs a dataset whose examples carry group ids/);
    const obj = build({});
    assert.throws(() => tf.tidy(() => obj.compute({ output: tf.tensor2d(B1.z), y: tf.tensor1d(B1.y, 'int32') }, ctx(0))), /needs the batch's group ids/);
    obj.dispose();
    assert.throws(() => build({ adj: [1, 2] }), /adj has 2 values, the dataset has 3 groups/);
    assert.throws(() => build({ adj: 1 }, { ...data, groupCounts: [5, 0, 3] }), /adj needs every group in the train split/);
  });
});
