/**
 * The training-dynamics measurements against hand-derived numbers.
 * - On L(θ) = ½θᵀAθ, A = diag(4, 1), at θ = (1, 1): g = (4, 1), tr H = 5 (every Rademacher zᵀAz = 5),
 *   cos(−g, θ) = −5/(√17·√2); first-order flatness as GAM estimates it (see its test).
 * - On per-row losses ℓ_r = ½‖w − c_r‖² at w = 0 with rows c = (−1,−2), (−1,−2), (−3,0), (−3,0) cut
 *   into m = 2 micro-batches: g_1 = (1, 2), g_2 = (3, 0), ḡ = (2, 1); α = ‖ḡ‖²/mean‖g_i‖² = 5/7;
 *   GSNR per coordinate: mean² (4, 1), unbiased var (2, 2) → (2, 0.5), mean 1.25; population var (1, 1) → (4, 1), mean 2.5.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { tf, assertClose, assertNoLeak } from '../support/tf.js';
import { diagnosticRegistry, type DiagnosticContext } from '../../src/diagnostics/index.js';
import { grokkingSummary } from '../../src/diagnostics/grokking.js';
import { splitRows } from '../../src/train/diagnostic-context.js';
import type { ParamSpec } from '../../src/core/types.js';
import type { RowSelection } from '../../src/diagnostics/types.js';

/** A context whose loss is mean_r f_r(w) over the selected rows; `rowLoss(w, r)` builds f_r. */
function contextOf(init: number[], batchSize: number, rowLoss: (w: tf.Variable, r: number) => tf.Scalar) {
  const w = tf.variable(tf.tensor1d(init), true);
  const params: ParamSpec[] = [{ name: 'w', variable: w, role: 'kernel', owner: 'model' }];
  let evaluations = 0;
  const rowsOf = (sel?: RowSelection): number[] => {
    if (!sel) return [...Array(batchSize).keys()];
    if (sel instanceof Int32Array) return [...sel];
    return [...Array(sel.end - sel.start).keys()].map((i) => i + sel.start);
  };
  const evaluate: DiagnosticContext['evaluate'] = (at, rows) => {
    evaluations++;
    const saved = tf.clone(w);
    try {
      if (at) w.assign(at[0] as tf.Tensor1D);
      const idx = rowsOf(rows);
      const { value, grads } = tf.variableGrads(() => tf.div(tf.addN(idx.map((r) => rowLoss(w, r))), idx.length) as tf.Scalar, [w]);
      return { loss: value, grads: [grads[w.name]!] };
    } finally {
      w.assign(saved);
      saved.dispose();
    }
  };
  const ctx: DiagnosticContext = {
    params, step: 3, lr: 0.1, batchSize, evaluate,
    perExampleLoss: () => { throw new Error('not used'); },
    subBatches: (m) => splitRows(batchSize, m).map((rows) => ({ rows, evaluate: (at) => evaluate(at, rows), perExampleLoss: () => { throw new Error('not used'); } })),
    artifact: () => 'artifacts/test/x',
    readArtifact: () => undefined,
  };
  return { ctx, w, evaluations: () => evaluations };
}

const A = [4, 1];
const quadratic = () => contextOf([1, 1], 4, (w) => tf.mul(0.5, tf.sum(tf.mul(tf.tensor1d(A), tf.square(w)))) as tf.Scalar);
const C = [[-1, -2], [-1, -2], [-3, 0], [-3, 0]];
const rows = () => contextOf([0, 0], 4, (w, r) => tf.mul(0.5, tf.sum(tf.square(tf.sub(w, tf.tensor1d(C[r]!))))) as tf.Scalar);

async function measure(make: () => ReturnType<typeof quadratic>, name: string, options: Record<string, unknown> = {}) {
  const q = make();
  const start = Array.from(q.w.dataSync());
  const d = diagnosticRegistry.get(name);
  const diag = d.create(d.schema.parse(options), {});
  let out: Record<string, number> = {};
  await assertNoLeak(async () => { out = await diag.run(q.ctx); }, name);
  assert.deepEqual(Array.from(q.w.dataSync()), start, `${name} restores the weights exactly`);
  q.w.dispose();
  return { out, evaluations: q.evaluations() };
}

describe('training-dynamics measurements', () => {
  it('first-order-flatness = ρ·‖∇L(θ + ρ·h/‖h‖)‖ with h ∥ A·g (3 evaluations)', async () => {
    const rhoP = 0.03, rho = 0.2;
    const { out, evaluations } = await measure(quadratic, 'first-order-flatness', { grad_rho: rhoP, grad_norm_rho: rho });
    // h = A·e0 = ρ′·(16, 1)/√17, so e1 = ρ·(16, 1)/√257 and g2 = A(θ + e1) = (4 + 64ρ/√257, 1 + ρ/√257)
    const s = Math.sqrt(257);
    const g2 = Math.hypot(4 + (64 * rho) / s, 1 + rho / s);
    assertClose([out.first_order_max_grad_norm!, out.first_order_flatness!], [g2, rho * g2], 1e-4);
    assertClose([out.first_order_grad_norm!, out.first_order_base_loss!], [Math.sqrt(17), 2.5], 1e-6);
    assert.equal(evaluations, 3);
  });

  it('first-order flatness is larger in the sharper quadratic (same gradient, larger curvature)', async () => {
    const sharp = () => contextOf([1, 1], 4, (w) => tf.sum(tf.mul(tf.tensor1d([4, 1]), tf.add(tf.square(w), tf.mul(3, tf.square(tf.sub(w, 1)))))) as tf.Scalar);
    const flat = await measure(quadratic, 'first-order-flatness');
    const steep = await measure(sharp, 'first-order-flatness');
    // at θ = (1, 1): ∇L = 2·(4, 1) (twice the gradient), Hessian 8·diag(4, 1) (eight times the curvature)
    assert.ok(steep.out.first_order_flatness! > flat.out.first_order_flatness!);
  });

  it('hessian-trace: every Rademacher zᵀAz of a diagonal A is tr A = 5; stops at the tolerance', async () => {
    const { out, evaluations } = await measure(quadratic, 'hessian-trace');
    assertClose([out.hessian_trace!], [5], 1e-3);
    assert.equal(out.hessian_trace_samples, 2);
    assert.equal(evaluations, 4);
  });

  it('hessian-trace of a non-diagonal Hessian converges to its trace over many draws', async () => {
    // L = ½θᵀBθ with B = [[2, 1.5], [1.5, 3]]: zᵀBz = 5 ± 3 for Rademacher z, mean 5
    const b = () => contextOf([0.5, -0.2], 2, (w) => {
      const [x, y] = [tf.slice(w, [0], [1]), tf.slice(w, [1], [1])];
      return tf.sum(tf.addN([tf.square(x), tf.mul(1.5, tf.square(y)), tf.mul(1.5, tf.mul(x, y))])) as tf.Scalar;
    });
    const { out } = await measure(b, 'hessian-trace', { samples: 400, tolerance: 0 });
    assert.equal(out.hessian_trace_samples, 400);
    // each draw is 2 or 8; 400 draws: std of the mean 3/20 = 0.15
    assert.ok(Math.abs(out.hessian_trace! - 5) < 0.6, `trace ${out.hessian_trace}`);
    const again = await measure(b, 'hessian-trace', { samples: 400, tolerance: 0 });
    assert.equal(again.out.hessian_trace, out.hessian_trace, 'deterministic given the seed');
  });

  it('gradient-coherence = 5/7 and m-coherence 10/7 over two micro-batches', async () => {
    const { out, evaluations } = await measure(rows, 'gradient-coherence', { micro_batches: 2 });
    assertClose([out.gradient_coherence!, out.gradient_coherence_m!], [5 / 7, 10 / 7], 1e-6);
    assert.equal(evaluations, 2);
    // one micro-batch per row: g = (1,2), (1,2), (3,0), (3,0) → ‖ḡ‖² = 5, mean ‖g_i‖² = 7 again
    assertClose([(await measure(rows, 'gradient-coherence', { micro_batches: 4 })).out.gradient_coherence!], [5 / 7], 1e-6);
  });

  it('gsnr: per-coordinate mean²/var averaged (1.25 unbiased, 2.5 population)', async () => {
    const { out } = await measure(rows, 'gsnr', { micro_batches: 2 });
    assertClose([out.gsnr!, out.gsnr_median!, out.gsnr_fraction!], [1.25, 1.25, 1], 1e-6);
    assertClose([(await measure(rows, 'gsnr', { micro_batches: 2, ddof: 0 })).out.gsnr!], [2.5], 1e-6);
  });

  it('gradient-coherence refuses more micro-batches than rows', async () => {
    const q = rows();
    const d = diagnosticRegistry.get('gradient-coherence');
    await assert.rejects(d.create(d.schema.parse({ micro_batches: 5 }), {}).run(q.ctx), /micro_batches 5 exceeds/);
    q.w.dispose();
  });

  it('grokking: nlm_alignment = cos(−g, θ) = −5/√34', async () => {
    const { out, evaluations } = await measure(quadratic, 'grokking');
    assertClose([out.nlm_alignment!], [-5 / Math.sqrt(34)], 1e-6);
    assert.equal(evaluations, 1);
  });

  it('grokking summary: first steps at the threshold, their gap, the alignment over the run', () => {
    const r = (step: number, split: 'train' | 'test', accuracy: number) => ({ step, epoch: 0, split, eval: true, accuracy });
    const rowsSeen = [
      r(100, 'train', 0.5), r(100, 'test', 0.01), { step: 100, split: 'train', diagnostics: true, nlm_alignment: 0.2 },
      r(200, 'train', 0.995), r(200, 'test', 0.02), { step: 200, split: 'train', diagnostics: true, nlm_alignment: 0.6 },
      r(300, 'train', 1), r(300, 'test', 0.5), { step: 300, split: 'train', loss: 0.1 },
      r(900, 'train', 1), r(900, 'test', 0.99), r(1000, 'train', 0.98), r(1000, 'test', 0.999),
    ];
    const s = grokkingSummary(rowsSeen, 0.99);
    assert.deepEqual(s, { 'grokking.grokked': 1, 'grokking.train_step': 200, 'grokking.test_step': 900, 'grokking.gap': 700, 'grokking.alignment_mean': 0.4, 'grokking.alignment_max': 0.6 });
    assert.deepEqual(grokkingSummary(rowsSeen.slice(0, 6), 0.99), { 'grokking.grokked': 0, 'grokking.train_step': 200, 'grokking.alignment_mean': 0.4, 'grokking.alignment_max': 0.6 });
    // the train-step row (no `eval`) never counts as an evaluation
    assert.equal(grokkingSummary([{ step: 5, split: 'train', accuracy: 1 }], 0.99)['grokking.train_step'], undefined);
  });
});
