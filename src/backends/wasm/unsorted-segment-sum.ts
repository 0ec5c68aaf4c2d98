/**
 * UnsortedSegmentSum for wasm: the gradient of gather (embeddings) scatters rows back with it.
 * out[s, …] = Σ_{i : ids[i] = s} x[i, …]; ids outside [0, numSegments) are dropped, as in TF.
 */
import * as tf from '../tf.js';
import type { KernelConfig, TensorInfo } from '../tf.js';
import { allocate, offsetOf, wasmKernel, type KernelArgs } from './heap.js';

export function unsortedSegmentSumKernel(): KernelConfig {
  return wasmKernel('UnsortedSegmentSum', ({ inputs, backend, attrs }: KernelArgs): TensorInfo => {
    const x = inputs['x']!, ids = inputs['segmentIds']!;
    const numSegments = attrs['numSegments'] as number;
    tf.util.assert(x.dtype === 'float32' || x.dtype === 'int32', () => `unsortedSegmentSum: dtype ${x.dtype} is not supported`);
    const count = tf.util.sizeFromShape(ids.shape);
    const inner = count === 0 ? 0 : tf.util.sizeFromShape(x.shape) / count;
    const outShape = [numSegments, ...x.shape.slice(ids.shape.length)];
    const [out, o] = allocate(backend, outShape, x.dtype as 'float32' | 'int32');
    const xo = offsetOf(backend, x), io = offsetOf(backend, ids);
    const heap = x.dtype === 'float32' ? backend.wasm.HEAPF32 : backend.wasm.HEAP32;
    const idHeap = backend.wasm.HEAP32;
    heap.fill(0, o, o + numSegments * inner);
    for (let i = 0; i < count; i++) {
      const s = idHeap[io + i]!;
      if (s < 0 || s >= numSegments) continue;
      const src = xo + i * inner, dst = o + s * inner;
      for (let j = 0; j < inner; j++) heap[dst + j] = heap[dst + j]! + heap[src + j]!;
    }
    return out;
  });
}
