/**
 * Hand-derived values of the analyses' closed-form metrics.
 * Neural collapse: three classes at the vertices of a unit equilateral triangle (a simplex ETF in
 * 2-D, cosines −1/2), two rows per class at μ_c ± ε·e₁. Σ_B = ½I, Σ_W = ε²e₁e₁ᵀ, so
 * NC1 = tr(Σ_W·2I)/3 = 2ε²/3; NC2 = 0; NC3 = 0 with W = the means; NC4 = 0.
 * Calibration: four rows whose top-label confidences 0.95 ✓, 0.85 ✗, 0.75 ✓, 0.65 ✗ fall in four
 * bins: ECE = (0.05 + 0.85 + 0.25 + 0.65)/4 = 0.45; per class the same four gaps appear.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { collapseMetrics } from '../../src/analysis/neural-collapse.js';
import { calibration } from '../../src/analysis/reliability.js';

const close = (a: number | null, b: number, tol: number, what: string) => assert.ok(a !== null && Math.abs(a - b) <= tol, `${what}: ${a} vs ${b}`);

test('neural collapse of a noisy simplex ETF', () => {
  const eps = 0.1;
  const angles = [90, 210, 330].map((a) => (a * Math.PI) / 180);
  const means = angles.map((a) => [Math.cos(a), Math.sin(a)]);
  const h: number[] = [];
  const y: number[] = [];
  means.forEach((m, c) => {
    for (const s of [1, -1]) { h.push(m[0]! + s * eps, m[1]!); y.push(c); }
  });
  const m = collapseMetrics(Float32Array.from(h), Int32Array.from(y), 2, 3, means.map((r) => Float64Array.from(r)), Int32Array.from(y));
  close(m.nc1, (2 * eps * eps) / 3, 1e-6, 'NC1');
  close(m.nc2_equinorm_means, 0, 1e-6, 'equinorm');
  close(m.nc2_equiangular_means, 0, 1e-6, 'equiangular');
  close(m.nc2_max_angle_means, 0, 1e-6, 'max-angle');
  close(m.cosines[1]!, -0.5, 1e-6, 'cosine between class means');
  close(m.nc3, 0, 1e-10, 'NC3');
  close(m.nc4, 0, 0, 'NC4');
  // a classifier off the means: NC3 > 0; predictions that disagree with the nearest mean: NC4 > 0
  const off = collapseMetrics(Float32Array.from(h), Int32Array.from(y), 2, 3, [Float64Array.of(1, 0), Float64Array.of(0, 1), Float64Array.of(-1, 0)], Int32Array.of(0, 0, 1, 1, 2, 0));
  assert.ok(off.nc3! > 0.1);
  close(off.nc4, 1 / 6, 1e-12, 'NC4 with one disagreeing row');
});

test('top-label and class-wise ECE by hand', () => {
  const probs = Float32Array.of(0.95, 0.05, 0.85, 0.15, 0.25, 0.75, 0.35, 0.65);
  const c = calibration(probs, Int32Array.of(0, 1, 1, 0), 2, 10);
  close(c.ece, 0.45, 1e-6, 'ECE');
  close(c.class_ece[0]!, 0.45, 1e-6, 'class 0 ECE');
  close(c.class_ece[1]!, 0.45, 1e-6, 'class 1 ECE');
  close(c.classwise_ece, 0.45, 1e-6, 'class-wise ECE');
  close(c.accuracy, 0.5, 0, 'accuracy');
  assert.deepEqual(c.bins.map((b) => b.count), [0, 0, 0, 0, 0, 0, 1, 1, 1, 1]);
  // a calibrated-looking pair in one bin: |mean hit − mean confidence| = |0.5 − 0.85|
  const one = calibration(Float32Array.of(0.85, 0.15, 0.15, 0.85), Int32Array.of(0, 0), 2, 10);
  close(one.ece, 0.35, 1e-6, 'ECE of one shared bin');
});
