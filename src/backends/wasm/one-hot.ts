/**
 * OneHot for wasm. The stock kernel (tfjs-backend-wasm 4.22) writes int32 bit patterns whatever
 * the requested dtype, so `tf.oneHot(ids, depth, 1, 0, 'float32')` yields 1.4e-45 instead of 1;
 * this one writes values of the output's dtype. Indices outside [0, depth) give an all-off row.
 */
import * as tf from '../tf.js';
import type { KernelConfig, TensorInfo } from '../tf.js';
import { allocate, offsetOf, wasmKernel, type KernelArgs } from './heap.js';

export function oneHotKernel(): KernelConfig {
  return wasmKernel('OneHot', ({ inputs, backend, attrs }: KernelArgs): TensorInfo => {
    const indices = inputs['indices']!;
    const depth = attrs['depth'] as number, on = attrs['onValue'] as number, off = attrs['offValue'] as number;
    const dtype = (attrs['dtype'] as string | undefined) === 'float32' ? 'float32' : 'int32';
    tf.util.assert(indices.dtype === 'int32', () => `oneHot: indices must be int32, got ${indices.dtype}`);
    const count = tf.util.sizeFromShape(indices.shape);
    const [out, o] = allocate(backend, [...indices.shape, depth], dtype);
    const io = offsetOf(backend, indices);
    const heap = dtype === 'float32' ? backend.wasm.HEAPF32 : backend.wasm.HEAP32;
    const ids = backend.wasm.HEAP32;
    heap.fill(off, o, o + count * depth);
    for (let i = 0; i < count; i++) {
      const k = ids[io + i]!;
      if (k >= 0 && k < depth) heap[o + i * depth + k] = on;
    }
    return out;
  });
}
