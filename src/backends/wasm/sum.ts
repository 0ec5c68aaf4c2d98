/**
 * Sum over leading axes for wasm, the bias gradient (a conv's dy [N, H, W, C] summed to [C]). The
 * stock kernel first transposes the reduced axes innermost, a full copy through a strided loop;
 * this one reads the input in place as rows [R, C] and sums them as ones[1, R] · x[R, C], one BLAS
 * call. Other reductions, int32 sums and inputs without a BLAS go to the stock kernel.
 */
import * as tf from '../tf.js';
import type { KernelConfig, TensorInfo } from '../tf.js';
import type { Gemm } from './gemm.js';
import { allocate, offsetOf, release, scratch, wasmKernel, type KernelArgs } from './heap.js';

/** Below this many input elements the stock kernel's transpose costs less than the BLAS call. */
const MIN_ELEMENTS = 4096;

export function sumKernel(gemm: Gemm, stock: (name: string) => KernelConfig): KernelConfig {
  return wasmKernel('Sum', (args: KernelArgs): TensorInfo => {
    const { inputs, backend, attrs } = args;
    const x = inputs['x']!;
    const rank = x.shape.length;
    const axes = [...new Set(tf.util.parseAxisParam(attrs['axis'] as number | number[], x.shape))].sort((a, b) => a - b);
    const leading = axes.length > 0 && axes.length < rank && axes.every((a, i) => a === i);
    const size = tf.util.sizeFromShape(x.shape);
    if (!gemm.blas || x.dtype !== 'float32' || !leading || size < MIN_ELEMENTS) {
      return stock('Sum').kernelFunc(args as never) as TensorInfo;
    }
    const rows = tf.util.sizeFromShape(x.shape.slice(0, axes.length));
    const kept = x.shape.slice(axes.length);
    const shape = attrs['keepDims'] === true ? [...Array<number>(axes.length).fill(1), ...kept] : kept;
    const [out, o] = allocate(backend, shape);
    const ones = scratch(backend, rows);
    try {
      backend.wasm.HEAPF32.fill(1, ones, ones + rows);
      gemm.gemm(backend, { transA: false, transB: false, m: 1, n: size / rows, k: rows, a: ones, b: offsetOf(backend, x), c: o });
    } finally {
      release(backend, ones);
    }
    return out;
  });
}
