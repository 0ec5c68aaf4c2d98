/**
 * The two depthwise-convolution backprops, absent from stock wasm. Depthwise work is O(pixels ·
 * taps · channels), small next to a dense convolution, so a direct loop over the heap suffices.
 * Filter [fh, fw, inC, mult]; output channel c·mult + q reads input channel c.
 */
import * as tf from '../tf.js';
import type { KernelConfig, TensorInfo } from '../tf.js';
import { allocate, offsetOf, wasmKernel, type KernelArgs } from './heap.js';

type ConvInfo = ReturnType<typeof tf.backend_util.computeConv2DInfo>;
type Shape4 = [number, number, number, number];
type Pad = Parameters<typeof tf.backend_util.computeConv2DInfo>[4];
type Rounding = Parameters<typeof tf.backend_util.computeConv2DInfo>[5];

function depthwiseInfo(attrs: KernelArgs['attrs'], xShape: number[], filterShape: number[]): ConvInfo {
  return tf.backend_util.computeConv2DInfo(
    xShape as Shape4, filterShape as Shape4, attrs['strides'] as [number, number],
    (attrs['dilations'] as [number, number] | number | undefined) ?? 1, attrs['pad'] as Pad,
    attrs['dimRoundingMode'] as Rounding, true, 'channelsLast');
}

/** Visits every (input pixel, filter tap, output pixel) triple inside the image. */
function forEachTap(c: ConvInfo, visit: (xPixel: number, tap: number, yPixel: number) => void): void {
  const { batchSize: N, inHeight: H, inWidth: W, outHeight: OH, outWidth: OW, filterHeight: FH, filterWidth: FW } = c;
  for (let n = 0; n < N; n++) {
    for (let oh = 0; oh < OH; oh++) {
      for (let ow = 0; ow < OW; ow++) {
        const yPixel = (n * OH + oh) * OW + ow;
        for (let kh = 0; kh < FH; kh++) {
          const ih = oh * c.strideHeight - c.padInfo.top + kh * c.dilationHeight;
          if (ih < 0 || ih >= H) continue;
          for (let kw = 0; kw < FW; kw++) {
            const iw = ow * c.strideWidth - c.padInfo.left + kw * c.dilationWidth;
            if (iw < 0 || iw >= W) continue;
            visit((n * H + ih) * W + iw, kh * FW + kw, yPixel);
          }
        }
      }
    }
  }
}

export function depthwiseKernels(): KernelConfig[] {
  const backpropInput = ({ inputs, backend, attrs }: KernelArgs): TensorInfo => {
    const dy = inputs['dy']!, filter = inputs['filter']!;
    const c = depthwiseInfo(attrs, attrs['inputShape'] as number[], filter.shape);
    const C = c.inChannels, M = filter.shape[3]!, CO = c.outChannels;
    const [out, dx] = allocate(backend, c.inShape);
    const dyo = offsetOf(backend, dy), fo = offsetOf(backend, filter);
    const heap = backend.wasm.HEAPF32;
    heap.fill(0, dx, dx + tf.util.sizeFromShape(c.inShape));
    forEachTap(c, (xPixel, tap, yPixel) => {
      const d = dx + xPixel * C, g = dyo + yPixel * CO, f = fo + tap * CO;
      for (let ch = 0; ch < C; ch++) {
        let s = 0;
        for (let q = 0; q < M; q++) s += heap[g + ch * M + q]! * heap[f + ch * M + q]!;
        heap[d + ch] = heap[d + ch]! + s;
      }
    });
    return out;
  };

  const backpropFilter = ({ inputs, backend, attrs }: KernelArgs): TensorInfo => {
    const x = inputs['x']!, dy = inputs['dy']!;
    const c = depthwiseInfo(attrs, x.shape, attrs['filterShape'] as number[]);
    const C = c.inChannels, M = c.filterShape[3]!, CO = c.outChannels;
    const [out, df] = allocate(backend, c.filterShape);
    const xo = offsetOf(backend, x), dyo = offsetOf(backend, dy);
    const heap = backend.wasm.HEAPF32;
    heap.fill(0, df, df + tf.util.sizeFromShape(c.filterShape));
    forEachTap(c, (xPixel, tap, yPixel) => {
      const s = xo + xPixel * C, g = dyo + yPixel * CO, f = df + tap * CO;
      for (let ch = 0; ch < C; ch++) {
        const v = heap[s + ch]!;
        for (let q = 0; q < M; q++) heap[f + ch * M + q] = heap[f + ch * M + q]! + v * heap[g + ch * M + q]!;
      }
    });
    return out;
  };

  return [
    wasmKernel('DepthwiseConv2dNativeBackpropInput', backpropInput),
    wasmKernel('DepthwiseConv2dNativeBackpropFilter', backpropFilter),
  ];
}
