/**
 * Curvature spectra of a symmetric operator known only through products v ↦ Hv (a Hessian through
 * Hessian-vector products, measure/hvp.ts): the top eigenvalues by power iteration with deflation,
 * the Lanczos tridiagonalisation, the trace by Hutchinson's estimator and the spectral density by
 * stochastic Lanczos quadrature. Follows amirgholami/PyHessian (`pyhessian/hessian.py`
 * eigenvalues/trace/density, `density_plot.py` density_generate); vectors are flat Float64Arrays.
 */
import type { Rng } from '../core/random.js';

/** v ↦ Hv for a symmetric H of size n; async so a long run can yield to a progress bar. */
export type LinearOperator = (v: Float64Array) => Promise<Float64Array>;

export function dot(a: Float64Array, b: Float64Array): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i]! * b[i]!;
  return s;
}

/** a ← a + c·b, in place. */
function axpy(a: Float64Array, c: number, b: Float64Array): void {
  for (let i = 0; i < a.length; i++) a[i] = a[i]! + c * b[i]!;
}

function normalizeInPlace(v: Float64Array): number {
  const n = Math.sqrt(dot(v, v));
  if (n > 0) for (let i = 0; i < v.length; i++) v[i] = v[i]! / n;
  return n;
}

/** v with its components along the orthonormal `basis` removed (Gram-Schmidt, in place). */
function orthogonalize(v: Float64Array, basis: readonly Float64Array[]): void {
  for (const b of basis) axpy(v, -dot(v, b), b);
}

export function gaussianVector(n: number, rng: Rng): Float64Array {
  const v = new Float64Array(n);
  for (let i = 0; i < n; i++) v[i] = rng.normal();
  return v;
}

/** ±1 entries with equal probability (Hutchinson's Rademacher probes). */
export function rademacherVector(n: number, rng: Rng): Float64Array {
  const v = new Float64Array(n);
  for (let i = 0; i < n; i++) v[i] = rng.uniform() < 0.5 ? -1 : 1;
  return v;
}

/**
 * Eigen-decomposition of a symmetric n×n matrix (row-major) by cyclic Jacobi rotations: values in
 * descending order, vectors[k] the unit eigenvector of values[k]. For the small matrices here (a
 * Lanczos tridiagonal, a C×C Gram matrix), where O(n³) per sweep costs nothing.
 */
export function symmetricEigen(matrix: ArrayLike<number>, n: number): { values: number[]; vectors: Float64Array[] } {
  const a = Float64Array.from(matrix);
  const v = new Float64Array(n * n);
  for (let i = 0; i < n; i++) v[i * n + i] = 1;
  for (let sweep = 0; sweep < 100; sweep++) {
    let off = 0;
    let scale = 0;
    for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) (i === j ? (scale += a[i * n + j]! ** 2) : (off += a[i * n + j]! ** 2));
    if (off <= 1e-30 * Math.max(scale, 1e-300)) break;
    for (let p = 0; p < n - 1; p++) {
      for (let q = p + 1; q < n; q++) {
        const apq = a[p * n + q]!;
        if (Math.abs(apq) < 1e-300) continue;
        const theta = (a[q * n + q]! - a[p * n + p]!) / (2 * apq);
        const t = Math.sign(theta || 1) / (Math.abs(theta) + Math.sqrt(theta * theta + 1));
        const c = 1 / Math.sqrt(t * t + 1);
        const s = t * c;
        for (let k = 0; k < n; k++) {
          const akp = a[k * n + p]!;
          const akq = a[k * n + q]!;
          a[k * n + p] = c * akp - s * akq;
          a[k * n + q] = s * akp + c * akq;
        }
        for (let k = 0; k < n; k++) {
          const apk = a[p * n + k]!;
          const aqk = a[q * n + k]!;
          a[p * n + k] = c * apk - s * aqk;
          a[q * n + k] = s * apk + c * aqk;
        }
        for (let k = 0; k < n; k++) {
          const vkp = v[k * n + p]!;
          const vkq = v[k * n + q]!;
          v[k * n + p] = c * vkp - s * vkq;
          v[k * n + q] = s * vkp + c * vkq;
        }
      }
    }
  }
  const order = Array.from({ length: n }, (_, i) => i).sort((i, j) => a[j * n + j]! - a[i * n + i]!);
  return {
    values: order.map((i) => a[i * n + i]!),
    vectors: order.map((i) => Float64Array.from({ length: n }, (_, k) => v[k * n + i]!)),
  };
}

export interface PowerOptions {
  readonly k: number;
  /** Most power steps per eigenvalue (PyHessian maxIter 100). */
  readonly iterations: number;
  /** Stop an eigenvalue once |λ_t − λ_{t−1}| < tol·(|λ_{t−1}| + 1e-6) (PyHessian tol 1e-3). */
  readonly tol: number;
  readonly rng: Rng;
  /** Called after every operator product (progress). */
  readonly onProduct?: () => void;
}

/**
 * The k eigenvalues of largest magnitude by power iteration with deflation: each new vector is kept
 * orthogonal to the eigenvectors already found (PyHessian `eigenvalues`). Returns them in the order
 * found (|λ| descending, up to convergence) with the products spent on each.
 */
export async function powerIterationDeflated(op: LinearOperator, n: number, o: PowerOptions): Promise<{ values: number[]; vectors: Float64Array[]; products: number[] }> {
  const values: number[] = [];
  const vectors: Float64Array[] = [];
  const products: number[] = [];
  for (let k = 0; k < o.k; k++) {
    let v = gaussianVector(n, o.rng);
    orthogonalize(v, vectors);
    normalizeInPlace(v);
    let lambda: number | undefined;
    let used = 0;
    for (let it = 0; it < o.iterations; it++) {
      const hv = await op(v);
      used++;
      o.onProduct?.();
      const next = dot(hv, v);
      orthogonalize(hv, vectors);
      const norm = normalizeInPlace(hv);
      const done = lambda !== undefined && Math.abs(next - lambda) / (Math.abs(lambda) + 1e-6) < o.tol;
      lambda = next;
      if (!(norm > 0)) break;
      v = hv;
      if (done) break;
    }
    values.push(lambda ?? 0);
    vectors.push(v);
    products.push(used);
  }
  return { values, vectors, products };
}

export interface LanczosOptions {
  /** Lanczos steps m (PyHessian density iter 100). */
  readonly steps: number;
  readonly rng: Rng;
  /** Start vector (normalised here); default a Gaussian draw from rng. */
  readonly start?: Float64Array;
  readonly onProduct?: () => void;
}

/**
 * m steps of Lanczos with full reorthogonalisation (as PyHessian): the tridiagonal T = tridiag(β, α, β)
 * whose Ritz values approximate H's extreme eigenvalues, stopping early when β vanishes (an
 * invariant subspace of dimension < m was found).
 */
export async function lanczos(op: LinearOperator, n: number, o: LanczosOptions): Promise<{ alpha: number[]; beta: number[] }> {
  const v0 = o.start ? Float64Array.from(o.start) : gaussianVector(n, o.rng);
  normalizeInPlace(v0);
  const basis: Float64Array[] = [v0];
  const alpha: number[] = [];
  const beta: number[] = [];
  for (let i = 0; i < o.steps; i++) {
    const v = basis[i]!;
    const w = await op(v);
    o.onProduct?.();
    const a = dot(w, v);
    alpha.push(a);
    if (i === o.steps - 1) break;
    axpy(w, -a, v);
    if (i > 0) axpy(w, -beta[i - 1]!, basis[i - 1]!);
    // twice is enough (Kahan): the float rounding of one pass would let Ritz values repeat
    orthogonalize(w, basis);
    orthogonalize(w, basis);
    const b = normalizeInPlace(w);
    if (!(b > 1e-10 * Math.max(1, Math.abs(a)))) break;
    beta.push(b);
    basis.push(w);
  }
  return { alpha, beta };
}

/** The eigenvalues (Ritz values, descending) of tridiag(β, α, β) and the squared first components of its eigenvectors (the quadrature weights). */
export function ritz(alpha: readonly number[], beta: readonly number[]): { nodes: number[]; weights: number[] } {
  const m = alpha.length;
  const t = new Float64Array(m * m);
  for (let i = 0; i < m; i++) {
    t[i * m + i] = alpha[i]!;
    if (i + 1 < m) t[i * m + i + 1] = t[(i + 1) * m + i] = beta[i]!;
  }
  const { values, vectors } = symmetricEigen(t, m);
  return { nodes: values, weights: vectors.map((u) => u[0]! ** 2) };
}

/** Hutchinson: tr H ≈ mean vᵀHv over Rademacher v; also the standard error of the mean. */
export async function hutchinson(op: LinearOperator, n: number, o: { readonly samples: number; readonly rng: Rng; readonly onProduct?: () => void }): Promise<{ trace: number; stderr: number; samples: number[] }> {
  const samples: number[] = [];
  for (let s = 0; s < o.samples; s++) {
    const v = rademacherVector(n, o.rng);
    samples.push(dot(await op(v), v));
    o.onProduct?.();
  }
  const mean = samples.reduce((a, b) => a + b, 0) / samples.length;
  const variance = samples.length > 1 ? samples.reduce((a, b) => a + (b - mean) ** 2, 0) / (samples.length - 1) : Number.NaN;
  return { trace: mean, stderr: Math.sqrt(variance / samples.length), samples };
}

/**
 * Stochastic Lanczos quadrature: `runs` Lanczos runs from Gaussian starts (PyHessian n_v), each
 * giving Ritz nodes and weights. The density is Σ_i w_i·δ(λ − θ_i) averaged over runs, smoothed by
 * `densityOnGrid`; n·Σ w_i θ_i estimates the trace as well.
 */
export async function slq(op: LinearOperator, n: number, o: { readonly runs: number; readonly steps: number; readonly rng: Rng; readonly onProduct?: () => void }): Promise<{ nodes: number[]; weights: number[] }[]> {
  const out: { nodes: number[]; weights: number[] }[] = [];
  for (let r = 0; r < o.runs; r++) {
    const { alpha, beta } = await lanczos(op, n, { steps: o.steps, rng: o.rng, ...(o.onProduct ? { onProduct: o.onProduct } : {}) });
    out.push(ritz(alpha, beta));
  }
  return out;
}

/**
 * The smoothed spectral density on a uniform grid (PyHessian density_generate): the grid spans the
 * runs' mean smallest to mean largest node ± overhead; each node is a Gaussian of variance
 * σ² = sigma_squared·max(1, λ_max − λ_min); runs are averaged and the result normalised to
 * integrate to 1 on the grid.
 */
export function densityOnGrid(runs: readonly { nodes: readonly number[]; weights: readonly number[] }[], o: { readonly bins: number; readonly sigmaSquared: number; readonly overhead: number }): { grid: number[]; density: number[] } {
  const mean = (f: (r: { nodes: readonly number[] }) => number) => runs.reduce((a, r) => a + f(r), 0) / runs.length;
  const hi = mean((r) => Math.max(...r.nodes)) + o.overhead;
  const lo = mean((r) => Math.min(...r.nodes)) - o.overhead;
  const grid = Array.from({ length: o.bins }, (_, j) => (o.bins === 1 ? lo : lo + ((hi - lo) * j) / (o.bins - 1)));
  const s2 = o.sigmaSquared * Math.max(1, hi - lo);
  const density = grid.map((x) => {
    let total = 0;
    for (const r of runs) r.nodes.forEach((t, i) => { total += (r.weights[i]! * Math.exp(-((x - t) ** 2) / (2 * s2))) / Math.sqrt(2 * Math.PI * s2); });
    return total / runs.length;
  });
  const step = grid.length > 1 ? grid[1]! - grid[0]! : 1;
  const z = density.reduce((a, b) => a + b, 0) * step;
  return { grid, density: z > 0 ? density.map((d) => d / z) : density };
}
