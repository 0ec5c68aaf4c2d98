/**
 * MaxPoolGrad for wasm. The stock kernel (tfjs-backend-wasm 4.22) starts its running maximum at 0,
 * so a window whose inputs are all negative sends no gradient anywhere; this one starts at -∞ and,
 * like the cpu backend, routes each output's gradient to the first maximum of its window.
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
    const best = new Float32Array(C), arg = new Int32Array(C);
    for (let n = 0; n < N; n++) {
      for (let oh = 0; oh < OH; oh++) {
        for (let ow = 0; ow < OW; ow++) {
          best.fill(-Infinity);
          arg.fill(-1);
          for (let kh = 0; kh < c.effectiveFilterHeight; kh += c.dilationHeight) {
            const ih = oh * c.strideHeight - c.padInfo.top + kh;
            if (ih < 0 || ih >= H) continue;
            for (let kw = 0; kw < c.effectiveFilterWidth; kw += c.dilationWidth) {
              const iw = ow * c.strideWidth - c.padInfo.left + kw;
              if (iw < 0 || iw >= W) continue;
              const pixel = ((n * H + ih) * W + iw) * C;
              for (let ch = 0; ch < C; ch++) {
                const v = heap[xo + pixel + ch]!;
                if (v > best[ch]! || arg[ch] === -1) {
                  best[ch] = v;
                  arg[ch] = pixel + ch;
                }
              }
            }
          }
          const g = dyo + ((n * OH + oh) * OW + ow) * C;
          for (let ch = 0; ch < C; ch++) {
            const at = arg[ch]!;
            if (at >= 0) heap[dx + at] = heap[dx + at]! + heap[g + ch]!;
          }
        }
      }
    }
    return out;
  });
}
