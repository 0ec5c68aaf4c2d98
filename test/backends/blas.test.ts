/**
 * The OpenBLAS that python3's numpy/scipy wheels bundle, used when the system has no BLAS: its
 * prefixed (and, in numpy 2, ILP64) cblas_sgemm loads, computes every transpose form like a plain
 * loop, gives the same bits run to run, and the kernel pack on it agrees with cpu. Skips where
 * python3 has no such wheel.
 */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import '../support/tf.js';
import { initBackend, installWasmKernelPack, loadBlas } from '../../src/backends/index.js';
import { pythonWheelBlas } from '../../src/backends/blas.js';
import { Rng } from '../../src/core/random.js';
import { opCases } from './op-cases.js';
import { assertMatchesCpu } from './compare.js';

const wheels = pythonWheelBlas();
const skip = wheels.length === 0 ? 'python3 has no numpy/scipy wheel with OpenBLAS' : false;

/** Row-major op(A)·op(B) in float64, the reference for sgemm. */
function naive(ta: boolean, tb: boolean, m: number, n: number, k: number, a: Float32Array, b: Float32Array): Float64Array {
  const c = new Float64Array(m * n);
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < n; j++) {
      let s = 0;
      for (let p = 0; p < k; p++) s += a[ta ? p * m + i : i * k + p]! * b[tb ? j * k + p : p * n + j]!;
      c[i * n + j] = s;
    }
  }
  return c;
}

describe('OpenBLAS from a python3 wheel', { skip }, () => {
  it('loads through its prefixed cblas_sgemm, names the file, and every transpose form matches a plain loop', () => {
    const { blas, tried } = loadBlas(wheels[0]!);
    assert.ok(blas, `did not load: ${tried.join('; ')}`);
    assert.match(blas.description, /^OpenBLAS [\d.]+ \(.*openblas/);
    const m = 37, n = 29, k = 23;
    const rng = Rng.derive(0, 'wheel-blas');
    const a = rng.fillNormal(new Float32Array(m * k)), b = rng.fillNormal(new Float32Array(k * n));
    for (const [ta, tb] of [[false, false], [false, true], [true, false], [true, true]] as const) {
      const c = new Float32Array(m * n), again = new Float32Array(m * n);
      blas.sgemm(ta, tb, m, n, k, a, ta ? m : k, b, tb ? k : n, 0, c, n);
      blas.sgemm(ta, tb, m, n, k, a, ta ? m : k, b, tb ? k : n, 0, again, n);
      const want = naive(ta, tb, m, n, k, a, b);
      c.forEach((v, i) => assert.ok(Math.abs(v - want[i]!) <= 1e-4 * (1 + Math.abs(want[i]!)), `${ta}/${tb} [${i}]: ${v} vs ${want[i]}`));
      assert.deepEqual(again, c, 'same bits run to run');
    }
  });

  describe('wasm + kernel pack on it agrees with cpu (rtol 1e-4)', () => {
    before(async () => {
      await initBackend('wasm');
      const pack = installWasmKernelPack({ blas: wheels[0]! });
      assert.ok(pack.blas);
    });
    after(() => {
      installWasmKernelPack();
    });
    for (const c of opCases) it(c.name, () => assertMatchesCpu('wasm', c));
  });
});
