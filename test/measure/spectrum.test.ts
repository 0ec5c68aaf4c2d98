/**
 * Spectra of a quadratic with a known Hessian H = Q·diag(λ)·Qᵀ (Q a Householder reflection, so the
 * eigenvalues are exactly λ): top-k by power iteration with deflation, Lanczos Ritz values, the
 * Hutchinson trace, the SLQ density, and the finite-difference HVP of L(θ) = ½θᵀHθ through tfjs.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { tf, assertNoLeak } from '../support/tf.js';
import { Rng } from '../../src/core/random.js';
import { densityOnGrid, dot, hutchinson, lanczos, powerIterationDeflated, ritz, slq, symmetricEigen, type LinearOperator } from '../../src/measure/spectrum.js';
import { finiteDifferenceHvp } from '../../src/measure/hvp.js';
import type { ParamSpec } from '../../src/core/types.js';

const n = 40;
const lambdas = Array.from({ length: n }, (_, i) => (i === 0 ? 10 : i === 1 ? 7 : i === 2 ? -6 : i === 3 ? 4 : 0.05 * (i - 20)));

function hessian(): Float64Array {
  const rng = new Rng(3);
  const u = Float64Array.from({ length: n }, () => rng.normal());
  const un = Math.sqrt(dot(u, u));
  for (let i = 0; i < n; i++) u[i] = u[i]! / un;
  const h = new Float64Array(n * n);
  // H = Q diag(λ) Q with Q = I − 2uuᵀ
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) {
      let s = 0;
      for (let k = 0; k < n; k++) s += ((i === k ? 1 : 0) - 2 * u[i]! * u[k]!) * lambdas[k]! * ((k === j ? 1 : 0) - 2 * u[k]! * u[j]!);
      h[i * n + j] = s;
    }
  }
  return h;
}
const H = hessian();
const op: LinearOperator = async (v) => {
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) { let s = 0; for (let j = 0; j < n; j++) s += H[i * n + j]! * v[j]!; out[i] = s; }
  return out;
};
const trace = lambdas.reduce((a, b) => a + b, 0);
const close = (a: number, b: number, tol: number, what: string) => assert.ok(Math.abs(a - b) <= tol, `${what}: ${a} vs ${b} (tol ${tol})`);

describe('spectrum on a quadratic with known Hessian', () => {
  it('symmetricEigen recovers the eigenvalues', () => {
    const { values, vectors } = symmetricEigen(H, n);
    const sorted = [...lambdas].sort((a, b) => b - a);
    values.forEach((v, i) => close(v, sorted[i]!, 1e-9, `eigenvalue ${i}`));
    close(dot(vectors[0]!, vectors[0]!), 1, 1e-12, 'unit eigenvector');
  });

  it('power iteration with deflation finds the three eigenvalues of largest magnitude', async () => {
    const { values } = await powerIterationDeflated(op, n, { k: 3, iterations: 500, tol: 1e-9, rng: new Rng(1) });
    close(values[0]!, 10, 1e-4, 'λ1');
    close(values[1]!, 7, 1e-4, 'λ2');
    close(values[2]!, -6, 1e-4, 'λ3 (largest magnitude after 10 and 7 is −6)');
  });

  it('Lanczos with n steps gives every eigenvalue; few steps give the extremes', async () => {
    const full = await lanczos(op, n, { steps: n, rng: new Rng(2) });
    const { nodes, weights } = ritz(full.alpha, full.beta);
    const sorted = [...lambdas].sort((a, b) => b - a);
    assert.equal(nodes.length, n);
    nodes.forEach((v, i) => close(v, sorted[i]!, 1e-6, `Ritz value ${i}`));
    close(weights.reduce((a, b) => a + b, 0), 1, 1e-9, 'weights sum');
    const few = await lanczos(op, n, { steps: 15, rng: new Rng(2) });
    const short = ritz(few.alpha, few.beta);
    close(short.nodes[0]!, 10, 1e-3, 'top Ritz value after 15 steps');
    close(short.nodes.at(-1)!, -6, 1e-3, 'bottom Ritz value after 15 steps');
  });

  it('Hutchinson is exact on a diagonal and unbiased on a dense Hessian', async () => {
    const diag: LinearOperator = async (v) => Float64Array.from(v, (x, i) => x * lambdas[i]!);
    close((await hutchinson(diag, n, { samples: 3, rng: new Rng(4) })).trace, trace, 1e-9, 'diagonal');
    const dense = await hutchinson(op, n, { samples: 2000, rng: new Rng(5) });
    close(dense.trace, trace, 4 * dense.stderr, 'dense (4 standard errors)');
    assert.ok(dense.stderr > 0 && dense.stderr < 1);
  });

  it('SLQ: nodes at the eigenvalues, n·Σwθ = trace, the density integrates to 1 with peaks at λ', async () => {
    const runs = await slq(op, n, { runs: 3, steps: n, rng: new Rng(6) });
    for (const r of runs) close(r.weights.reduce((a, b) => a + b, 0), 1, 1e-9, 'weights of a run');
    // n·Σ w_i θ_i = n·vᵀHv per run: unbiased for tr H (std ≈ √(2Σλ²) ≈ 20 per run here)
    const many = await slq(op, n, { runs: 400, steps: 4, rng: new Rng(7) });
    const est = many.reduce((a, r) => a + n * r.nodes.reduce((s, t, i) => s + t * r.weights[i]!, 0), 0) / many.length;
    close(est, trace, 4 * 20 / Math.sqrt(400), 'SLQ trace estimate (4 standard errors)');
    const { grid, density } = densityOnGrid(runs, { bins: 4000, sigmaSquared: 1e-3, overhead: 0.01 });
    const step = grid[1]! - grid[0]!;
    close(density.reduce((a, b) => a + b, 0) * step, 1, 1e-9, 'integral');
    close(grid[0]!, -6.01, 1e-6, 'grid starts below λ_min');
    close(grid.at(-1)!, 10.01, 1e-6, 'grid ends above λ_max');
    const at = (x: number) => density[Math.round((x - grid[0]!) / step)]!;
    assert.ok(at(10) > 10 * at(8.5), 'a peak at λ = 10');
    assert.ok(at(-6) > 10 * at(-4.5), 'a peak at λ = −6');
  });

  it('finite-difference HVPs of ½θᵀHθ through tfjs match Hv', async () => {
    const hm = tf.tensor2d(Float32Array.from(H), [n, n]);
    const w = tf.variable(tf.tensor1d(Float32Array.from({ length: n }, (_, i) => Math.sin(i))), true, 'w');
    const params: ParamSpec[] = [{ name: 'w', variable: w, role: 'kernel', owner: 'model' }];
    await assertNoLeak(async () => {
      const { op: fd, eps } = finiteDifferenceHvp(params, (at) => {
        const saved = w.clone();
        try {
          w.assign(at[0] as tf.Tensor1D);
          const { value, grads } = tf.variableGrads(() => tf.mul(0.5, tf.sum(tf.mul(w, tf.matMul(hm, tf.reshape(w, [n, 1])).reshape([n])))) as tf.Scalar, [w]);
          return { loss: value, grads: [grads[w.name]!] };
        } finally {
          w.assign(saved);
          saved.dispose();
        }
      });
      assert.ok(eps > 0);
      const v = Float64Array.from({ length: n }, (_, i) => Math.cos(3 * i));
      const got = await fd(v);
      const want = await op(v);
      const err = Math.sqrt(got.reduce((a, x, i) => a + (x - want[i]!) ** 2, 0) / dot(want, want));
      assert.ok(err < 1e-3, `relative error ${err}`);
      const top = await powerIterationDeflated(fd, n, { k: 1, iterations: 300, tol: 1e-7, rng: new Rng(1) });
      close(top.values[0]!, 10, 1e-2, 'λ_max through FD HVPs');
    });
    w.dispose();
    hm.dispose();
  });
});
