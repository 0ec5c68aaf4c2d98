/**
 * MaxPoolGrad for wasm. The stock kernel (tfjs-backend-wasm 4.22) starts its running maximum at 0,
 * so a window whose inputs are all negative sends no gradient anywhere; this one, like the cpu
 * backend, routes each output's gradient to the first maximum of its window (scan order kh, kw).
 * The window's in-bounds pixels are listed once per output pixel, then every channel scans that
 * list: no per-channel scratch arrays, and an unrolled path for full 2×2 windows (the common 2×2
 * stride-2 pool). Plain compare-and-branch beats branch-free selects here (measured in V8).
 */
import * as tf from '../tf.js';
import type { KernelConfig, TensorInfo } from '../tf.js';
import { allocate, offsetOf, wasmKernel, type KernelArgs } from './heap.js';

type PoolArgs = Parameters<typeof tf.backend_util.computePool2DInfo>;

export function maxPoolGradKernel(): KernelConfig {
  return wasmKernel('MaxPoolGrad', ({ inputs, backend, attrs }: KernelArgs): TensorInfo => {
    const dy = inputs['dy']!, x = inputs['input']!;
    const c = tf.backend_util.computePool2DInfo(
      x.shape as PoolArgs[0], attrs['filterSize'] as PoolArgs[1], attrs['strides'] as PoolArgs[2], 1,
      attrs['pad'] as PoolArgs[4], attrs['dimRoundingMode'] as PoolArgs[5]);
    const { batchSize: N, inHeight: H, inWidth: W, inChannels: C, outHeight: OH, outWidth: OW } = c;
    const [out, dx] = allocate(backend, x.shape);
    const xo = offsetOf(backend, x), dyo = offsetOf(backend, dy);
    const heap = backend.wasm.HEAPF32;
    heap.fill(0, dx, dx + tf.util.sizeFromShape(x.shape));
    // Element offsets (relative to the tensor start) of the window's in-bounds pixels.
    const window = new Int32Array(c.effectiveFilterHeight * c.effectiveFilterWidth);
    for (let n = 0; n < N; n++) {
      for (let oh = 0; oh < OH; oh++) {
        for (let ow = 0; ow < OW; ow++) {
          let count = 0;
          for (let kh = 0; kh < c.effectiveFilterHeight; kh += c.dilationHeight) {
            const ih = oh * c.strideHeight - c.padInfo.top + kh;
            if (ih < 0 || ih >= H) continue;
            for (let kw = 0; kw < c.effectiveFilterWidth; kw += c.dilationWidth) {
              const iw = ow * c.strideWidth - c.padInfo.left + kw;
              if (iw >= 0 && iw < W) window[count++] = ((n * H + ih) * W + iw) * C;
            }
          }
          if (count === 0) continue;
          const g = dyo + ((n * OH + oh) * OW + ow) * C;
          if (count === 4) {
            const p0 = window[0]!, p1 = window[1]!, p2 = window[2]!, p3 = window[3]!;
            for (let ch = 0; ch < C; ch++) {
              let at = p0 + ch, best = heap[xo + at]!;
              let v = heap[xo + p1 + ch]!;
              if (v > best) { best = v; at = p1 + ch; }
              v = heap[xo + p2 + ch]!;
              if (v > best) { best = v; at = p2 + ch; }
              v = heap[xo + p3 + ch]!;
              if (v > best) at = p3 + ch;
              heap[dx + at] = heap[dx + at]! + heap[g + ch]!;
            }
            continue;
          }
          for (let ch = 0; ch < C; ch++) {
            let at = window[0]! + ch, best = heap[xo + at]!;
            for (let j = 1; j < count; j++) {
              const q = window[j]! + ch, v = heap[xo + q]!;
              if (v > best) { best = v; at = q; }
            }
            heap[dx + at] = heap[dx + at]! + heap[g + ch]!;
          }
        }
      }
    }
    return out;
  });
}
