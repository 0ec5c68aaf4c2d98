/**
 * MaxPoolGrad for wasm. The stock kernel (tfjs-backend-wasm 4.22) starts its running maximum at 0,
 * so a window whose inputs are all negative sends no gradient anywhere; this one, like the cpu
 * backend, routes each output's gradient to the first maximum of its window (scan order kh, kw).
 * - 2×2 windows at stride 2 lying inside the input, channels a multiple of 4 (the usual CNN pool):
 *   a generated WebAssembly SIMD loop, 4 channels at once. The windows do not overlap, so each
 *   input pixel takes its window's gradient or 0 and no scatter is needed: the four strict `>`
 *   comparisons in scan order become lane masks that select dy into the four positions.
 * - otherwise: the window's in-bounds pixels are listed once per output pixel, then every channel
 *   scans that list (plain compare-and-branch beats branch-free selects in V8, measured).
 */
import * as tf from '../tf.js';
import type { KernelConfig, TensorInfo } from '../tf.js';
import { allocate, offsetOf, wasmKernel, type KernelArgs } from './heap.js';
import { I32, V128, get, i32, perMemory, set, simd, wasmModule } from './assembler.js';

type PoolArgs = Parameters<typeof tf.backend_util.computePool2DInfo>;

/** (x, dy, dx byte addresses of one output row's first window / gradient / dx pixel, output width, channels·4, input row bytes) → (). */
type Row2x2 = (x: number, dy: number, dx: number, ow: number, cBytes: number, rowBytes: number) => void;

/** The 2×2 stride-2 gradient of one output row, as WebAssembly. */
function row2x2Module(): Uint8Array {
  const [X, DY, DX, OW, CB, RB] = [0, 1, 2, 3, 4, 5];
  const [o, c] = [6, 7]; // i32 locals: output column, channel byte offset
  const [a, b, cc, d, g, best, mb, mc, md] = [8, 9, 10, 11, 12, 13, 14, 15, 16]; // v128
  const load = (addr: number[], into: number): number[] => [...addr, ...simd(0x00), 4, 0, ...set(into)];
  const store = (addr: number[], value: number[]): number[] => [...addr, ...value, ...simd(0x0b), 4, 0];
  const at = (base: number, ...extra: number[]): number[] => [...get(base), ...get(c), 0x6a, ...extra.flatMap((e) => [...get(e), 0x6a])];
  const and = simd(0x4e), andnot = simd(0x4f), or = simd(0x50), gt = simd(0x44), bitselect = simd(0x52);
  const body = [
    ...i32(0), ...set(o),
    0x02, 0x40, 0x03, 0x40, // block loop (output columns)
    ...get(o), ...get(OW), 0x4e, 0x0d, 1, // o >= ow: exit (i32.ge_s)
    ...i32(0), ...set(c),
    0x02, 0x40, 0x03, 0x40, // block loop (4 channels at a time)
    ...get(c), ...get(CB), 0x4e, 0x0d, 1,
    ...load(at(X), a), ...load(at(X, CB), b), ...load(at(X, RB), cc), ...load(at(X, RB, CB), d), ...load(at(DY), g),
    // first maximum in scan order: each later pixel wins only if strictly greater
    ...get(b), ...get(a), ...gt, ...set(mb),
    ...get(b), ...get(a), ...get(mb), ...bitselect, ...set(best),
    ...get(cc), ...get(best), ...gt, ...set(mc),
    ...get(cc), ...get(best), ...get(mc), ...bitselect, ...set(best),
    ...get(d), ...get(best), ...gt, ...set(md),
    ...store(at(DX), [...get(g), ...get(mb), ...get(mc), ...or, ...get(md), ...or, ...andnot]),
    ...store(at(DX, CB), [...get(mb), ...get(mc), ...get(md), ...or, ...andnot, ...get(g), ...and]),
    ...store(at(DX, RB), [...get(mc), ...get(md), ...andnot, ...get(g), ...and]),
    ...store(at(DX, RB, CB), [...get(md), ...get(g), ...and]),
    ...get(c), ...i32(16), 0x6a, ...set(c),
    0x0c, 0, 0x0b, 0x0b,
    // next window: x and dx move two pixels, dy one
    ...get(X), ...get(CB), ...get(CB), 0x6a, 0x6a, ...set(X),
    ...get(DX), ...get(CB), ...get(CB), 0x6a, 0x6a, ...set(DX),
    ...get(DY), ...get(CB), 0x6a, ...set(DY),
    ...get(o), ...i32(1), 0x6a, ...set(o),
    0x0c, 0, 0x0b, 0x0b,
  ];
  return wasmModule([I32, I32, I32, I32, I32, I32], [[2, I32], [9, V128]], body);
}

const row2x2 = perMemory<Row2x2>(row2x2Module);

/** SIMD path enabled (tests turn it off to compare with the general loop). */
let simd2x2 = true;
export function setMaxPoolGradSimd(on: boolean): void {
  simd2x2 = on;
}

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
    const fast = simd2x2 && c.strideHeight === 2 && c.strideWidth === 2 && c.effectiveFilterHeight === 2 && c.effectiveFilterWidth === 2 &&
      c.padInfo.top === 0 && c.padInfo.left === 0 && 2 * OH <= H && 2 * OW <= W && C % 4 === 0 && C > 0
      ? row2x2(backend.wasm.asm.memory) : undefined;
    if (fast) {
      for (let n = 0; n < N; n++) {
        for (let oh = 0; oh < OH; oh++) {
          const first = (n * H + 2 * oh) * W * C;
          fast((xo + first) * 4, (dyo + (n * OH + oh) * OW * C) * 4, (dx + first) * 4, OW, C * 4, W * C * 4);
        }
      }
      return out;
    }
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
