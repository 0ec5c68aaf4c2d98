/**
 * The state-full subspaces of FRUGAL's coordinate and GaLore-style projections (official
 * `frugal/coordinate_projector.py` and `frugal/galore_projector.py`), for a matrix in torch's
 * [out, in] layout (R rows, C columns; a minima dense kernel [in, out] is its transpose):
 *   coord:  columns (int(C·ρ) random columns), rows (int(R·ρ) rows) or randk (int(R·C·ρ) entries),
 *           given as their indices;
 *   galore: a semi-orthogonal A (R × r, left side) and/or B (r × C, right side), from the top
 *           singular vectors of the gradient (svd), a random orthogonal draw (random) or rows of a
 *           random permutation matrix (randperm); project down Aᵀ·G·Bᵀ, up A·L·B.
 * Draws are pure functions of (seed, period, tensor index), so a resumed run draws the same ones;
 * the SVD is of the gradient at the refresh step, computed in float64 from the Gram matrix.
 */
import type { Rng } from '../../core/random.js';
import { symmetricEigen } from '../../measure/spectrum.js';

export type CoordChoice = 'columns' | 'rows' | 'randk';
export type ProjSide = 'std' | 'reverse_std' | 'left' | 'right' | 'full';
export type ProjType = 'svd' | 'random' | 'randperm';

/** Python's round(): half to even (the official rank is round(dim·ρ)). */
export function roundHalfEven(x: number): number {
  const f = Math.floor(x);
  const d = x - f;
  if (d > 0.5) return f + 1;
  if (d < 0.5) return f;
  return f % 2 === 0 ? f : f + 1;
}

/** How many indices a coordinate subspace keeps: the official int(n·ρ) of n columns, rows or entries. */
export function coordCount(rows: number, cols: number, density: number, choice: CoordChoice): number {
  const n = choice === 'columns' ? cols : choice === 'rows' ? rows : rows * cols;
  return Math.floor(n * density);
}

/**
 * The kept indices, in draw order (the projected state's order): columns (0..C−1), rows (0..R−1)
 * or row-major entries (r·C + c) of the R × C matrix; the first int(n·ρ) of a random permutation.
 */
export function coordIndices(rng: Rng, rows: number, cols: number, density: number, choice: CoordChoice): Int32Array {
  const n = choice === 'columns' ? cols : choice === 'rows' ? rows : rows * cols;
  return rng.permutation(n).slice(0, coordCount(rows, cols, density, choice));
}

export interface GaloreLayout {
  /** Which matrices project: right (B, r × C), left (A, R × r) or both (full). */
  readonly side: 'left' | 'right' | 'full';
  readonly rank: number;
  /** Shape of the projected (low-rank) gradient, in torch's layout. */
  readonly low: readonly [number, number];
}

/**
 * The official GaLoreProjector's choice of side and rank for an R × C matrix. The svd projection
 * slices a thin SVD (torch.linalg.svd, full_matrices=False), so its rank is at most min(R, C).
 */
export function galoreLayout(rows: number, cols: number, density: number, side: ProjSide, type: ProjType = 'svd'): GaloreLayout {
  const cap = (r: number) => (type === 'svd' ? Math.min(r, rows, cols) : r);
  if (side === 'right' || (side === 'std' && rows >= cols) || (side === 'reverse_std' && rows < cols)) {
    const rank = cap(roundHalfEven(cols * density));
    return { side: 'right', rank, low: [rows, rank] };
  }
  if (side === 'left' || side === 'std' || side === 'reverse_std') {
    const rank = cap(roundHalfEven(rows * density));
    return { side: 'left', rank, low: [rank, cols] };
  }
  const rank = roundHalfEven(Math.min(rows, cols) * density);
  return { side: 'full', rank, low: [rank, rank] };
}

/**
 * The `k` eigenvectors of largest eigenvalue of a symmetric n × n matrix (row-major, float64), by
 * measure/spectrum's Jacobi `symmetricEigen`, as columns of an n × k matrix, each with its
 * largest-magnitude entry positive (the sign is free; with the statistics reset at every refresh it
 * does not reach the update).
 */
export function topEigenvectors(a: Float64Array, n: number, k: number): Float64Array {
  const { vectors } = symmetricEigen(a, n);
  const out = new Float64Array(n * k);
  vectors.slice(0, k).forEach((vec, j) => {
    let big = 0;
    for (let i = 0; i < n; i++) if (Math.abs(vec[i]!) > Math.abs(big)) big = vec[i]!;
    const flip = big < 0 ? -1 : 1;
    for (let i = 0; i < n; i++) out[i * k + j] = flip * vec[i]!;
  });
  return out;
}

/** G·Gᵀ (R × R) or Gᵀ·G (C × C) of a row-major R × C matrix, in float64. */
function gram(g: Float32Array, rows: number, cols: number, left: boolean): Float64Array {
  const n = left ? rows : cols;
  const out = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = i; j < n; j++) {
      let s = 0;
      if (left) for (let c = 0; c < cols; c++) s += g[i * cols + c]! * g[j * cols + c]!;
      else for (let r = 0; r < rows; r++) s += g[r * cols + i]! * g[r * cols + j]!;
      out[i * n + j] = s;
      out[j * n + i] = s;
    }
  }
  return out;
}

/** An n × k matrix (n ≥ k) with orthonormal columns: Gram–Schmidt of a Gaussian draw (torch's orthogonal_ law: diag(R) > 0). */
function randomOrthonormal(rng: Rng, n: number, k: number): Float64Array {
  const q = new Float64Array(n * k);
  for (let i = 0; i < n * k; i++) q[i] = rng.normal();
  for (let j = 0; j < k; j++) {
    for (let pass = 0; pass < 2; pass++) {
      for (let l = 0; l < j; l++) {
        let d = 0;
        for (let i = 0; i < n; i++) d += q[i * k + j]! * q[i * k + l]!;
        for (let i = 0; i < n; i++) q[i * k + j] = q[i * k + j]! - d * q[i * k + l]!;
      }
    }
    let norm = 0;
    for (let i = 0; i < n; i++) norm += q[i * k + j]! ** 2;
    norm = Math.sqrt(norm);
    for (let i = 0; i < n; i++) q[i * k + j] = q[i * k + j]! / norm;
  }
  return q;
}

/** The first k columns of a random n × n permutation matrix P (P[i, π(i)] = 1): an n × k 0/1 matrix. */
function permutationColumns(rng: Rng, n: number, k: number): Float64Array {
  const out = new Float64Array(n * k);
  const perm = rng.permutation(n);
  for (let i = 0; i < n; i++) if (perm[i]! < k) out[i * k + perm[i]!] = 1;
  return out;
}

function transpose(a: Float64Array, rows: number, cols: number): Float32Array {
  const out = new Float32Array(rows * cols);
  for (let i = 0; i < rows; i++) for (let j = 0; j < cols; j++) out[j * rows + i] = a[i * cols + j]!;
  return out;
}

/**
 * A (R × r, row-major) and B (r × C) of a refresh; the side not used is absent. svd reads the
 * gradient g (R × C, row-major); random and randperm draw from rng.
 */
export function galoreMatrices(layout: GaloreLayout, type: ProjType, g: Float32Array, rows: number, cols: number, rng: Rng): { a?: Float32Array; b?: Float32Array } {
  const { side, rank } = layout;
  const left = (): Float32Array => {
    const u = type === 'svd' ? topEigenvectors(gram(g, rows, cols, true), rows, rank) : type === 'random' ? randomOrthonormal(rng, rows, rank) : permutationColumns(rng, rows, rank);
    return Float32Array.from(u);
  };
  // B = Vh[:r] (r × C): the transpose of C × r column vectors
  const right = (): Float32Array => {
    const v = type === 'svd' ? topEigenvectors(gram(g, rows, cols, false), cols, rank) : type === 'random' ? randomOrthonormal(rng, cols, rank) : permutationColumns(rng, cols, rank);
    return transpose(v, cols, rank);
  };
  if (side === 'left') return { a: left() };
  if (side === 'right') return { b: right() };
  return { a: left(), b: right() };
}
