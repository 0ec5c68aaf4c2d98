/**
 * Conv2D and its two backprops for wasm (NHWC) as im2col + GEMM: the patch matrix cols[P, K]
 * (P = batch·outH·outW output pixels, K = fh·fw·inC) turns each into one product:
 *   forward   y[P, co]  = cols · W[K, co]
 *   filter    dW[K, co] = colsᵀ · dy[P, co]             (stock wasm has no Conv2DBackpropFilter)
 *   input     dx        = col2im(dy[P, co] · W[K, co]ᵀ) (stock wasm runs a scalar loop)
 * Patches are built in chunks of rows so the scratch matrix stays small.
 */
import * as tf from '../tf.js';
import type { KernelConfig, TensorInfo } from '../tf.js';
import type { Gemm } from './gemm.js';
import { allocate, offsetOf, release, scratch, wasmKernel, type KernelArgs, type WasmBackend } from './heap.js';
import { RunCopier } from './run-copier.js';

type ConvInfo = ReturnType<typeof tf.backend_util.computeConv2DInfo>;
type Shape4 = [number, number, number, number];
type Pad = Parameters<typeof tf.backend_util.computeConv2DInfo>[4];
type Rounding = Parameters<typeof tf.backend_util.computeConv2DInfo>[5];

/** Scratch budget for one chunk of patches, in float32 elements (16 MiB). */
const CHUNK_ELEMENTS = 1 << 22;

function convInfo(attrs: KernelArgs['attrs'], xShape: number[], filterShape: number[]): ConvInfo {
  tf.util.assert((attrs['dataFormat'] ?? 'NHWC') === 'NHWC', () => 'conv2d on wasm supports NHWC only');
  return tf.backend_util.computeConv2DInfo(
    xShape as Shape4, filterShape as Shape4, attrs['strides'] as [number, number],
    (attrs['dilations'] as [number, number] | number | undefined) ?? 1, attrs['pad'] as Pad,
    attrs['dimRoundingMode'] as Rounding, false, 'channelsLast');
}

/** 1×1, stride 1, no padding: the input already is the patch matrix. */
function isPointwise(c: ConvInfo): boolean {
  return c.filterHeight === 1 && c.filterWidth === 1 && c.strideHeight === 1 && c.strideWidth === 1 &&
    c.padInfo.top === 0 && c.padInfo.left === 0 && c.outHeight === c.inHeight && c.outWidth === c.inWidth;
}

/** Writes rows [p0, p0 + rows) of the patch matrix of x (at element offset `x`) to `cols`. */
function im2col(backend: WasmBackend, c: ConvInfo, x: number, p0: number, rows: number, cols: number): void {
  const { inHeight: H, inWidth: W, inChannels: C, outHeight: OH, outWidth: OW, filterHeight: FH, filterWidth: FW } = c;
  const { strideHeight: sh, strideWidth: sw, dilationHeight: dh, dilationWidth: dw } = c;
  const K = FH * FW * C, run = FW * C;
  const r = new RunCopier(backend);
  try {
    for (let row = 0; row < rows; row++) {
      const p = p0 + row, ow = p % OW, t = (p - ow) / OW, oh = t % OH, n = (t - oh) / OH;
      const ih0 = oh * sh - c.padInfo.top, iw0 = ow * sw - c.padInfo.left;
      const dst = cols + row * K;
      for (let kh = 0; kh < FH; kh++) {
        const ih = ih0 + kh * dh, rowDst = dst + kh * run;
        if (ih < 0 || ih >= H) {
          r.zero(rowDst, run);
          continue;
        }
        const base = x + (n * H + ih) * W * C;
        if (dw === 1 && iw0 >= 0 && iw0 + FW <= W) {
          r.copy(rowDst, base + iw0 * C, run);
          continue;
        }
        for (let kw = 0; kw < FW; kw++) {
          const iw = iw0 + kw * dw, d = rowDst + kw * C;
          if (iw < 0 || iw >= W) r.zero(d, C);
          else r.copy(d, base + iw * C, C);
        }
      }
    }
  } finally {
    r.done();
  }
}

/** Adds rows [p0, p0 + rows) of a patch-gradient matrix back onto dx (the adjoint of im2col). */
function col2im(heap: Float32Array, c: ConvInfo, dx: number, p0: number, rows: number, cols: number): void {
  const { inHeight: H, inWidth: W, inChannels: C, outHeight: OH, outWidth: OW, filterHeight: FH, filterWidth: FW } = c;
  const { strideHeight: sh, strideWidth: sw, dilationHeight: dh, dilationWidth: dw } = c;
  const K = FH * FW * C;
  for (let r = 0; r < rows; r++) {
    const p = p0 + r, ow = p % OW, t = (p - ow) / OW, oh = t % OH, n = (t - oh) / OH;
    const ih0 = oh * sh - c.padInfo.top, iw0 = ow * sw - c.padInfo.left;
    const src = cols + r * K;
    for (let kh = 0; kh < FH; kh++) {
      const ih = ih0 + kh * dh;
      if (ih < 0 || ih >= H) continue;
      const base = dx + (n * H + ih) * W * C;
      for (let kw = 0; kw < FW; kw++) {
        const iw = iw0 + kw * dw;
        if (iw < 0 || iw >= W) continue;
        const d = base + iw * C, s = src + (kh * FW + kw) * C;
        for (let ch = 0; ch < C; ch++) heap[d + ch] = heap[d + ch]! + heap[s + ch]!;
      }
    }
  }
}

/**
 * Single-channel input (a first layer on grey images) with stride-1 columns: the patch matrix is
 * built transposed, colsT[K, rows] for the images [n0, n0 + images), since each of its rows is a
 * shifted copy of image rows (runs of outW floats) where cols[P, K] would take K scalar writes per
 * output pixel.
 */
function im2colT(backend: WasmBackend, c: ConvInfo, x: number, n0: number, images: number, cols: number): void {
  const { inHeight: H, inWidth: W, outHeight: OH, outWidth: OW, filterHeight: FH, filterWidth: FW } = c;
  const rows = images * OH * OW;
  const r = new RunCopier(backend);
  try {
    for (let kh = 0; kh < FH; kh++) {
      for (let kw = 0; kw < FW; kw++) {
        const shift = kw * c.dilationWidth - c.padInfo.left;
        // Output columns whose input column ow + shift lies inside the image.
        const lo = Math.min(OW, Math.max(0, -shift)), hi = Math.max(lo, Math.min(OW, W - shift));
        let dst = cols + (kh * FW + kw) * rows;
        for (let n = n0; n < n0 + images; n++) {
          for (let oh = 0; oh < OH; oh++, dst += OW) {
            const ih = oh * c.strideHeight - c.padInfo.top + kh * c.dilationHeight;
            if (ih < 0 || ih >= H) {
              r.zero(dst, OW);
              continue;
            }
            r.zero(dst, lo);
            r.copy(dst + lo, x + (n * H + ih) * W + lo + shift, hi - lo);
            r.zero(dst + hi, OW - hi);
          }
        }
      }
    }
  } finally {
    r.done();
  }
}

function transposedPatches(c: ConvInfo): boolean {
  return c.inChannels === 1 && c.strideWidth === 1;
}

/** Calls `body(n0, images, cols)` over chunks of whole images, `cols` holding colsT of a chunk. */
function chunkedImages(backend: WasmBackend, c: ConvInfo, body: (n0: number, images: number, cols: number) => void): void {
  const perImage = c.filterHeight * c.filterWidth * c.outHeight * c.outWidth;
  const imagesPerChunk = Math.max(1, Math.min(c.batchSize, Math.floor(CHUNK_ELEMENTS / Math.max(perImage, 1))));
  const cols = scratch(backend, imagesPerChunk * perImage);
  try {
    for (let n0 = 0; n0 < c.batchSize; n0 += imagesPerChunk) body(n0, Math.min(imagesPerChunk, c.batchSize - n0), cols);
  } finally {
    release(backend, cols);
  }
}

/** Calls `body(p0, rows, cols)` over chunks of the patch matrix, with `cols` a scratch offset. */
function chunked(backend: WasmBackend, c: ConvInfo, body: (p0: number, rows: number, cols: number) => void): void {
  const K = c.filterHeight * c.filterWidth * c.inChannels;
  const P = c.batchSize * c.outHeight * c.outWidth;
  const rowsPerChunk = Math.max(1, Math.min(P, Math.floor(CHUNK_ELEMENTS / Math.max(K, 1))));
  const cols = scratch(backend, rowsPerChunk * K);
  try {
    for (let p0 = 0; p0 < P; p0 += rowsPerChunk) body(p0, Math.min(rowsPerChunk, P - p0), cols);
  } finally {
    release(backend, cols);
  }
}

/**
 * The input gradient of a stride-1 convolution is itself a convolution: dy (padded by
 * f − 1 − pad) with the filter rotated 180° and its channel axes swapped,
 *   W'[kh, kw, co, ci] = W[FH−1−kh, FW−1−kw, ci, co].
 * Its patches are contiguous copies (memmove) where col2im would add element by element in JS,
 * and the product writes dx directly, so dx needs no zeroing.
 */
function transposedConv(gemm: Gemm, backend: WasmBackend, c: ConvInfo, dyo: number, wo: number, dx: number): void {
  const { filterHeight: FH, filterWidth: FW, inChannels: ci, outChannels: co } = c;
  const t: ConvInfo = {
    ...c,
    inHeight: c.outHeight, inWidth: c.outWidth, inChannels: co, outHeight: c.inHeight, outWidth: c.inWidth, outChannels: ci,
    padInfo: { ...c.padInfo, top: FH - 1 - c.padInfo.top, left: FW - 1 - c.padInfo.left },
  };
  const K = FH * FW * co;
  const rotated = scratch(backend, K * ci);
  try {
    const heap = backend.wasm.HEAPF32;
    for (let kh = 0; kh < FH; kh++) {
      for (let kw = 0; kw < FW; kw++) {
        const src = wo + ((FH - 1 - kh) * FW + (FW - 1 - kw)) * ci * co, dst = rotated + (kh * FW + kw) * co * ci;
        for (let i = 0; i < ci; i++) for (let o = 0; o < co; o++) heap[dst + o * ci + i] = heap[src + i * co + o]!;
      }
    }
    chunked(backend, t, (p0, rows, cols) => {
      im2col(backend, t, dyo, p0, rows, cols);
      gemm.gemm(backend, { transA: false, transB: false, m: rows, n: ci, k: K, a: cols, b: rotated, c: dx + p0 * ci });
    });
  } finally {
    release(backend, rotated);
  }
}

/** Below this patch length the product is too thin for BLAS to repay building the patches. */
const MIN_BLAS_PATCH = 64;

export function conv2dKernels(gemm: Gemm, stock: (name: string) => KernelConfig): KernelConfig[] {
  const forward = (args: KernelArgs): TensorInfo => {
    const { inputs, backend, attrs } = args;
    const x = inputs['x']!, filter = inputs['filter']!;
    const c = convInfo(attrs, x.shape, filter.shape);
    const K = c.filterHeight * c.filterWidth * c.inChannels, co = c.outChannels;
    // XNNPACK's direct convolution wins without a BLAS, and on thin patches (first layers) unless
    // they can be built transposed.
    const transposed = transposedPatches(c);
    if (!gemm.blas || (K < MIN_BLAS_PATCH && !transposed)) return stock('Conv2D').kernelFunc(args as never) as TensorInfo;
    const [out, y] = allocate(backend, c.outShape);
    const xo = offsetOf(backend, x), wo = offsetOf(backend, filter);
    if (transposed) {
      const pixels = c.outHeight * c.outWidth;
      chunkedImages(backend, c, (n0, images, cols) => {
        im2colT(backend, c, xo, n0, images, cols);
        gemm.gemm(backend, { transA: true, transB: false, m: images * pixels, n: co, k: K, a: cols, b: wo, c: y + n0 * pixels * co });
      });
      return out;
    }
    if (isPointwise(c)) {
      gemm.gemm(backend, { transA: false, transB: false, m: c.batchSize * c.outHeight * c.outWidth, n: co, k: K, a: xo, b: wo, c: y });
      return out;
    }
    chunked(backend, c, (p0, rows, cols) => {
      im2col(backend, c, xo, p0, rows, cols);
      gemm.gemm(backend, { transA: false, transB: false, m: rows, n: co, k: K, a: cols, b: wo, c: y + p0 * co });
    });
    return out;
  };

  const backpropFilter = ({ inputs, backend, attrs }: KernelArgs): TensorInfo => {
    const x = inputs['x']!, dy = inputs['dy']!;
    const c = convInfo(attrs, x.shape, attrs['filterShape'] as number[]);
    const K = c.filterHeight * c.filterWidth * c.inChannels, co = c.outChannels;
    const [out, dw] = allocate(backend, c.filterShape);
    const xo = offsetOf(backend, x), dyo = offsetOf(backend, dy);
    if (isPointwise(c)) {
      gemm.gemm(backend, { transA: true, transB: false, m: K, n: co, k: c.batchSize * c.outHeight * c.outWidth, a: xo, b: dyo, c: dw });
      return out;
    }
    backend.wasm.HEAPF32.fill(0, dw, dw + K * co);
    if (transposedPatches(c)) {
      const pixels = c.outHeight * c.outWidth;
      chunkedImages(backend, c, (n0, images, cols) => {
        im2colT(backend, c, xo, n0, images, cols);
        gemm.gemm(backend, { transA: false, transB: false, m: K, n: co, k: images * pixels, a: cols, b: dyo + n0 * pixels * co, c: dw, beta: 1 });
      });
      return out;
    }
    chunked(backend, c, (p0, rows, cols) => {
      im2col(backend, c, xo, p0, rows, cols);
      gemm.gemm(backend, { transA: true, transB: false, m: K, n: co, k: rows, a: cols, b: dyo + p0 * co, c: dw, beta: 1 });
    });
    return out;
  };

  const backpropInput = ({ inputs, backend, attrs }: KernelArgs): TensorInfo => {
    const dy = inputs['dy']!, filter = inputs['filter']!;
    const c = convInfo(attrs, attrs['inputShape'] as number[], filter.shape);
    const K = c.filterHeight * c.filterWidth * c.inChannels, co = c.outChannels;
    const [out, dx] = allocate(backend, c.inShape);
    const dyo = offsetOf(backend, dy), wo = offsetOf(backend, filter);
    if (gemm.blas && !isPointwise(c) && c.strideHeight === 1 && c.strideWidth === 1 && c.dilationHeight === 1 && c.dilationWidth === 1) {
      transposedConv(gemm, backend, c, dyo, wo, dx);
      return out;
    }
    if (isPointwise(c)) {
      gemm.gemm(backend, { transA: false, transB: true, m: c.batchSize * c.outHeight * c.outWidth, n: K, k: co, a: dyo, b: wo, c: dx });
      return out;
    }
    backend.wasm.HEAPF32.fill(0, dx, dx + tf.util.sizeFromShape(c.inShape));
    chunked(backend, c, (p0, rows, cols) => {
      gemm.gemm(backend, { transA: false, transB: true, m: rows, n: K, k: co, a: dyo + p0 * co, b: wo, c: cols });
      col2im(backend.wasm.HEAPF32, c, dx, p0, rows, cols);
    });
    return out;
  };

  return [
    wasmKernel('Conv2D', forward),
    wasmKernel('Conv2DBackpropFilter', backpropFilter),
    wasmKernel('Conv2DBackpropInput', backpropInput),
  ];
}
