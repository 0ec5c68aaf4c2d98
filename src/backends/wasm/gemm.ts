/**
 * GEMM on the WASM heap. With a native BLAS every product goes to cblas_sgemm (all transpose forms
 * run at full speed). Without one, operands are transposed explicitly and the stock wasm
 * BatchMatMul (XNNPACK) multiplies them untransposed: its own transposed path is ~10× slower, while
 * an explicit transpose costs O(n²) against the product's O(n³).
 */
import * as tf from '../tf.js';
import type { KernelConfig, TensorInfo } from '../tf.js';
import type { Blas } from '../blas.js';
import { allocate, offsetOf, viewTensor, type WasmBackend } from './heap.js';

/** A batch of contiguous row-major products C[i] = op(A[i])·op(B[i]) + beta·C[i] (element offsets). */
export interface GemmCall {
  readonly transA: boolean;
  readonly transB: boolean;
  readonly m: number;
  readonly n: number;
  readonly k: number;
  readonly a: number;
  readonly b: number;
  readonly c: number;
  readonly beta?: number;
}

export interface Gemm {
  readonly blas: Blas | undefined;
  /** One product on heap memory the caller owns. */
  gemm(backend: WasmBackend, call: GemmCall): void;
  /** Batched product of rank-3 tensors; batch 1 on either side broadcasts. Returns a new tensor. */
  batchMatMul(backend: WasmBackend, a: TensorInfo, b: TensorInfo, transA: boolean, transB: boolean): TensorInfo;
}

export interface StockKernels {
  readonly batchMatMul: KernelConfig;
  readonly transpose: KernelConfig;
}

export function createGemm(blas: Blas | undefined, stock: StockKernels): Gemm {
  const run = (backend: WasmBackend, kernel: KernelConfig, inputs: Record<string, TensorInfo>, attrs: Record<string, unknown>): TensorInfo =>
    kernel.kernelFunc({ inputs, backend: backend as never, attrs: attrs as never }) as TensorInfo;

  /** Stock path: explicit transposes, then XNNPACK's untransposed product. */
  const stockMatMul = (backend: WasmBackend, a: TensorInfo, b: TensorInfo, transA: boolean, transB: boolean): TensorInfo => {
    const at = transA ? run(backend, stock.transpose, { x: a }, { perm: [0, 2, 1] }) : a;
    const bt = transB ? run(backend, stock.transpose, { x: b }, { perm: [0, 2, 1] }) : b;
    try {
      return run(backend, stock.batchMatMul, { a: at, b: bt }, { transposeA: false, transposeB: false });
    } finally {
      if (at !== a) backend.disposeData(at.dataId);
      if (bt !== b) backend.disposeData(bt.dataId);
    }
  };

  const gemm = (backend: WasmBackend, call: GemmCall): void => {
    const { transA, transB, m, n, k, a, b, c } = call;
    const beta = call.beta ?? 0;
    if (m === 0 || n === 0) return;
    if (k === 0) {
      // An empty sum; BLAS rejects lda = 0.
      const heap = backend.wasm.HEAPF32;
      for (let i = c; i < c + m * n; i++) heap[i] = beta === 0 ? 0 : beta * heap[i]!;
      return;
    }
    if (blas) {
      const heap = backend.wasm.HEAPF32;
      blas.sgemm(transA, transB, m, n, k,
        heap.subarray(a, a + m * k), transA ? m : k,
        heap.subarray(b, b + k * n), transB ? k : n,
        beta, heap.subarray(c, c + m * n), n);
      return;
    }
    const av = viewTensor(backend, transA ? [1, k, m] : [1, m, k], a);
    const bv = viewTensor(backend, transB ? [1, n, k] : [1, k, n], b);
    let out: TensorInfo | undefined;
    try {
      out = stockMatMul(backend, av, bv, transA, transB);
      const heap = backend.wasm.HEAPF32;
      const o = offsetOf(backend, out);
      if (beta === 0) heap.copyWithin(c, o, o + m * n);
      else for (let i = 0; i < m * n; i++) heap[c + i] = heap[o + i]! + beta * heap[c + i]!;
    } finally {
      av.dispose();
      bv.dispose();
      if (out) backend.disposeData(out.dataId);
    }
  };

  const batchMatMul = (backend: WasmBackend, a: TensorInfo, b: TensorInfo, transA: boolean, transB: boolean): TensorInfo => {
    const [batchA, a1, a2] = a.shape as [number, number, number];
    const [batchB, b1, b2] = b.shape as [number, number, number];
    const m = transA ? a2 : a1, k = transA ? a1 : a2, n = transB ? b1 : b2;
    tf.util.assert(k === (transB ? b2 : b1), () => `matMul: inner dimensions ${k} and ${transB ? b2 : b1} differ`);
    tf.util.assert(batchA === batchB || batchA === 1 || batchB === 1, () => `matMul: batch ${batchA} and ${batchB} do not broadcast`);
    if (!blas) return stockMatMul(backend, a, b, transA, transB);
    const batch = Math.max(batchA, batchB);
    const [out, c] = allocate(backend, [batch, m, n]);
    const ao = offsetOf(backend, a), bo = offsetOf(backend, b);
    for (let i = 0; i < batch; i++) {
      gemm(backend, {
        transA, transB, m, n, k,
        a: ao + (batchA === 1 ? 0 : i * m * k),
        b: bo + (batchB === 1 ? 0 : i * k * n),
        c: c + i * m * n,
      });
    }
    return out;
  };

  return { blas, gemm, batchMatMul };
}
