/**
 * edge-of-stability on quadratics whose Hessian is known. Rows i = 0..3 of a "batch" each carry
 * L_i(θ) = ½ Σ_j a_ij θ_j² with a_0 = (10, 1, 1), a_1 = (2, 1, 1), a_2 = (4, 8, 1), a_3 = (0, 2, 1);
 * the batch loss is the mean over the selected rows, so H = diag(mean a_i):
 * all rows (4, 3, 1) → λ_max = 4; rows [0, 2) (6, 1, 1) → λ_max = 6.
 * With η = 0.1: threshold 2/η = 20, ratio λ_max·η/2 = 0.2 (all rows), 0.3 (first two).
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { tf, assertClose, assertNoLeak } from '../support/tf.js';
import { diagnosticRegistry, type DiagnosticContext, type RowSelection } from '../../src/diagnostics/index.js';
import type { ParamSpec } from '../../src/core/types.js';

const A = [[10, 1, 1], [2, 1, 1], [4, 8, 1], [0, 2, 1]];

function rowList(rows: RowSelection | undefined): number[] {
  if (!rows) return [0, 1, 2, 3];
  if (rows instanceof Int32Array) return Array.from(rows);
  return Array.from({ length: rows.end - rows.start }, (_, i) => rows.start + i);
}

function quadratic(step: number, lr: number, files: Map<string, string>) {
  const w = tf.variable(tf.tensor1d([1, -0.5, 2]), true);
  const params: ParamSpec[] = [{ name: 'w', variable: w, role: 'kernel', owner: 'model' }];
  const seen: number[][] = [];
  const evaluate: DiagnosticContext['evaluate'] = (at, rows) => {
    const list = rowList(rows);
    seen.push(list);
    const diag = list.map((r) => A[r]!).reduce((s, a) => s.map((x, j) => x + a[j]! / list.length), [0, 0, 0]);
    const a = tf.tensor1d(diag);
    const saved = tf.clone(w);
    try {
      if (at) w.assign(at[0] as tf.Tensor1D);
      const { value, grads } = tf.variableGrads(() => tf.mul(0.5, tf.sum(tf.mul(a, tf.square(w)))) as tf.Scalar, [w]);
      return { loss: value, grads: [grads[w.name]!] };
    } finally {
      w.assign(saved);
      tf.dispose([saved, a]);
    }
  };
  const ctx: DiagnosticContext = {
    params,
    step,
    lr,
    batchSize: 4,
    evaluate,
    perExampleLoss: () => tf.zeros([4]) as tf.Tensor1D,
    subBatches: () => [],
    artifact(name, data) {
      files.set(name, String(data));
      return `artifacts/edge-of-stability/${name}`;
    },
    readArtifact: (name) => files.get(name),
  };
  return { ctx, w, seen, dispose: () => w.dispose() };
}

async function measure(options: Record<string, unknown>, step = 10, lr = 0.1, files = new Map<string, string>()) {
  const q = quadratic(step, lr, files);
  const d = diagnosticRegistry.get('edge-of-stability');
  const diag = d.create(d.schema.parse(options), {});
  let out: Record<string, number> = {};
  await assertNoLeak(async () => { out = await diag.run(q.ctx); }, 'edge-of-stability');
  assert.deepEqual(Array.from(q.w.dataSync()), [1, -0.5, 2], 'weights restored exactly');
  q.dispose();
  return { out, files, seen: q.seen, every: diag.every };
}

describe('edge-of-stability', () => {
  it('λ_max = 4, threshold 2/η = 20, ratio λ_max·η/2 = 0.2', async () => {
    const { out, every } = await measure({ iterations: 60, tolerance: 0 });
    assert.equal(every, 100, 'default every');
    assertClose([out.eos_sharpness!, out.eos_threshold!, out.eos_ratio!], [4, 20, 0.2], 1e-3);
    assert.equal(out.eos_iterations, 60);
  });

  it('the ratio follows the context\'s learning rate: η = 0.5 → threshold 4, ratio 1', async () => {
    const { out } = await measure({ iterations: 60, tolerance: 0 }, 10, 0.5);
    assertClose([out.eos_threshold!, out.eos_ratio!], [4, 1], 1e-3);
  });

  it('abridged_size measures on the first rows only: rows [0, 2) → λ_max = 6, ratio 0.3', async () => {
    const { out, seen } = await measure({ iterations: 60, tolerance: 0, abridged_size: 2 });
    assertClose([out.eos_sharpness!, out.eos_ratio!], [6, 0.3], 1e-3);
    assert.ok(seen.every((rows) => rows.join() === '0,1'), 'every evaluation on rows 0, 1');
    const whole = await measure({ iterations: 60, tolerance: 0, abridged_size: 10 });
    assertClose([whole.out.eos_sharpness!], [4], 1e-3);
    assert.ok(whole.seen.every((rows) => rows.length === 4), 'abridged_size ≥ batch: the whole batch');
  });

  it('tolerance stops the power iteration early; each iteration costs 2 evaluations', async () => {
    const { out, seen } = await measure({ iterations: 200, tolerance: 1e-4 });
    assert.ok(out.eos_iterations! < 200, `stopped after ${out.eos_iterations}`);
    assert.equal(seen.length, 2 * out.eos_iterations!);
    assertClose([out.eos_sharpness!], [4], 1e-2);
  });

  it('eos.csv keeps one row per measured step; a re-measured step (after a resume) replaces the later rows', async () => {
    const files = new Map<string, string>();
    await measure({ iterations: 60, tolerance: 0 }, 10, 0.1, files);
    await measure({ iterations: 60, tolerance: 0 }, 20, 0.5, files);
    const third = await measure({ iterations: 60, tolerance: 0 }, 30, 0.25, files);
    assertClose([third.out.eos_ratio_first!, third.out.eos_ratio_max!, third.out.eos_ratio!], [0.2, 1, 0.5], 1e-3);
    const lines = files.get('eos.csv')!.trim().split('\n');
    assert.equal(lines[0], 'step,lr,sharpness,threshold,ratio');
    assert.deepEqual(lines.slice(1).map((l) => l.split(',').slice(0, 2).join(',')), ['10,0.1', '20,0.5', '30,0.25']);
    // a resumed run measures step 20 again: rows 20 and 30 of the earlier session go
    const again = await measure({ iterations: 60, tolerance: 0 }, 20, 0.5, files);
    assert.deepEqual(files.get('eos.csv')!.trim().split('\n').slice(1).map((l) => l.split(',')[0]), ['10', '20']);
    assertClose([again.out.eos_ratio_max!], [1], 1e-3);
  });

  it('csv: false writes nothing and reports no history statistics', async () => {
    const { out, files } = await measure({ iterations: 10, csv: false });
    assert.equal(files.size, 0);
    assert.equal(out.eos_ratio_first, undefined);
    assert.ok(out.eos_ratio! > 0);
  });

  it('a learning rate of 0 has no threshold: λ_max alone is reported', async () => {
    const { out } = await measure({ iterations: 30, csv: false }, 10, 0);
    assert.equal(out.eos_threshold, undefined);
    assert.equal(out.eos_ratio, 0);
  });
});
