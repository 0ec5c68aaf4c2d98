/**
 * Sum for wasm, float32:
 * - over trailing axes (a full reduction, a row sum): each row through `sumProgram`, 4-lane SIMD
 *   accumulators in the fixed order that the fused optimizer kernels' sums use (program.ts), so a
 *   composite tf.sum and a fused sum give the same bits. The stock kernel adds one element after
 *   another, a chain of dependent float32 adds 4× slower.
 * - over leading axes (the bias gradient, a conv's dy [N, H, W, C] summed to [C]): the stock kernel
 *   first transposes the reduced axes innermost, a full copy through a strided loop; this one reads
 *   the input in place as rows [R, C] and sums them as ones[1, R] · x[R, C], one BLAS call.
 * Other reductions, int32 sums, and leading-axis sums without a BLAS go to the stock kernel.
 * Mean over leading axes (BatchNorm's `tf.moments` over N, H, W: two calls per layer and step) is
 * that leading-axis Sum divided by the count; the stock Mean transposes first (ResNet-20: 17 ms
 * of CPU time per call at batch 128 before). Other means go to the stock kernel.
 */
import * as tf from '../tf.js';
import type { KernelConfig, TensorInfo } from '../tf.js';
import type { Gemm } from './gemm.js';
import { allocate, offsetOf, release, scratch, wasmKernel, type KernelArgs } from './heap.js';
import { compileJs, wasmProgram, type JsLoop, type Program } from '../kernels/program.js';

/** Below this many input elements the stock kernel's transpose costs less than the BLAS call. */
const MIN_ELEMENTS = 4096;

/** Σ x over one row. */
export const sumProgram: Program = { name: 'MinimaSum', arrays: 1, scalars: 0, outputs: 0, sums: 1, body: [{ sum: 0, e: { op: 'in', k: 0 } }] };
let sumJs: JsLoop | undefined;

function rowSums(backend: KernelArgs['backend'], x: TensorInfo, rows: number, cols: number, out: number): void {
  const run = wasmProgram(sumProgram, backend.wasm.asm.memory);
  const at = offsetOf(backend, x);
  if (run) {
    for (let r = 0; r < rows; r++) run(cols, (at + r * cols) * 4, (out + r) * 4);
    return;
  }
  // a shared (threaded) heap cannot be imported: the same order in JS
  sumJs ??= compileJs(sumProgram, 'f32');
  const heap = backend.wasm.HEAPF32;
  for (let r = 0; r < rows; r++) heap[out + r] = sumJs([heap.subarray(at + r * cols, at + (r + 1) * cols)], [], [])[0]!;
}

/** Σ over leading axes as ones[1, R] · x[R, C] through the GEMM; undefined where the stock kernel should run. */
function leadingSum(gemm: Gemm, args: KernelArgs, axes: readonly number[], keepDims: boolean): TensorInfo | undefined {
  const { inputs, backend } = args;
  const x = inputs['x']!;
  const rank = x.shape.length;
  const size = tf.util.sizeFromShape(x.shape);
  const leading = axes.length > 0 && axes.length < rank && axes.every((a, i) => a === i);
  if (!gemm.blas || x.dtype !== 'float32' || !leading || size < MIN_ELEMENTS) return undefined;
  const rows = tf.util.sizeFromShape(x.shape.slice(0, axes.length));
  const kept = x.shape.slice(axes.length);
  const [out, o] = allocate(backend, keepDims ? x.shape.map((d, i) => (axes.includes(i) ? 1 : d)) : kept);
  const ones = scratch(backend, rows);
  try {
    backend.wasm.HEAPF32.fill(1, ones, ones + rows);
    gemm.gemm(backend, { transA: false, transB: false, m: 1, n: size / rows, k: rows, a: ones, b: offsetOf(backend, x), c: o });
  } finally {
    release(backend, ones);
  }
  return out;
}

const axesOf = (args: KernelArgs): number[] =>
  [...new Set(tf.util.parseAxisParam(args.attrs['axis'] as number | number[], args.inputs['x']!.shape))].sort((a, b) => a - b);

export function sumKernel(gemm: Gemm, stock: (name: string) => KernelConfig): KernelConfig {
  return wasmKernel('Sum', (args: KernelArgs): TensorInfo => {
    const { inputs, backend, attrs } = args;
    const x = inputs['x']!;
    const rank = x.shape.length;
    const axes = axesOf(args);
    const keep = (kept: number[]): number[] => (attrs['keepDims'] === true ? x.shape.map((d, i) => (axes.includes(i) ? 1 : d)) : kept);
    const size = tf.util.sizeFromShape(x.shape);
    if (x.dtype === 'float32' && axes.length > 0 && axes.every((a, i) => a === rank - axes.length + i)) {
      const kept = x.shape.slice(0, rank - axes.length);
      const rows = tf.util.sizeFromShape(kept);
      const [out, o] = allocate(backend, keep(kept));
      if (rows > 0) rowSums(backend, x, rows, size / rows, o);
      return out;
    }
    return leadingSum(gemm, args, axes, attrs['keepDims'] === true) ?? stock('Sum').kernelFunc(args as never) as TensorInfo;
  });
}

export function meanKernel(gemm: Gemm, stock: (name: string) => KernelConfig): KernelConfig {
  return wasmKernel('Mean', (args: KernelArgs): TensorInfo => {
    const axes = axesOf(args);
    const out = leadingSum(gemm, args, axes, args.attrs['keepDims'] === true);
    if (!out) return stock('Mean').kernelFunc(args as never) as TensorInfo;
    const count = axes.reduce((n, a) => n * args.inputs['x']!.shape[a]!, 1);
    const heap = args.backend.wasm.HEAPF32;
    const o = offsetOf(args.backend, out);
    // divided (not multiplied by 1/count), as the stock and cpu kernels do
    for (let i = o, end = o + tf.util.sizeFromShape(out.shape); i < end; i++) heap[i] = heap[i]! / count;
    return out;
  });
}
