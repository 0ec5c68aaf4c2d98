/**
 * Training-mode BatchNorm (optionally followed by ReLU) as one kernel forward and one backward,
 * for the CPU-memory backends (`cpu`, `wasm`; on wasm in place in the heap). The composite form
 * (tf.moments, normalise, γ/β, ReLU, and tfjs' gradients of each) runs ~20 full-size kernels and
 * allocates ~10 full-size intermediates per layer and step; this reads x twice for the moments and
 * once to write y, and the backward pass reads (dy, x, y) once and writes dx once.
 *
 * Arithmetic: float64 accumulators in a fixed row order (the same bits every run, on both backends),
 * moments rounded to float32 as the outputs are, per-channel constants in float64, each output
 * element rounded once. The result agrees with the composite within float32 rounding (it is more
 * accurate: the composite rounds after every op); test/backends/batch-norm.test.ts holds it to
 * rtol 1e-4 against the composite, gradients included.
 */
import * as tf from '../tf.js';
import type { TensorInfo } from '../tf.js';
import { storeOf } from './store.js';
import { fusedActive } from './kernel.js';

const FORWARD = 'MinimaBatchNormTrain';
const BACKWARD = 'MinimaBatchNormTrainGrad';

function checkFloat(name: string, ts: readonly TensorInfo[]): void {
  for (const t of ts) if (t.dtype !== 'float32') throw new Error(`${name}: a ${t.dtype} input, expected float32`);
}

/*
 * The loops. Tensors are rows of C channels. Every pass visits each channel's elements in row
 * order, so each per-channel sum has one fixed order whatever the path. Where C is a multiple of 4
 * the fast path walks blocks of rows that fit in L1 and, inside a block, 4 channels at a time with
 * their constants and accumulators in locals (V8 keeps those in registers; row-major loops over
 * Float64Array constants run 2–3× slower). ReLU is branch-free: random signs make a branch
 * mispredict half the time (forward (v + |v|)/2; backward the mask (−bits(y)) >>> 31, 1 where y > 0).
 */

/** Elements of one block: whole rows, about 2,048 floats (8 KiB per operand). */
const blockOf = (channels: number): number => Math.max(1, Math.floor(2048 / channels)) * channels;

/** Σ x and Σ (x − μ)² per channel (μ = Σ x / rows, rounded to float32 into `mean`). */
function moments(x: Float32Array, channels: number, mean: Float32Array, variance: Float32Array): void {
  const size = x.length, rows = size / channels;
  const acc = new Float64Array(channels);
  if (channels % 4 === 0) {
    const block = blockOf(channels);
    for (let s = 0; s < size; s += block) {
      const e = Math.min(size, s + block);
      for (let c = 0; c < channels; c += 4) {
        let a0 = acc[c]!, a1 = acc[c + 1]!, a2 = acc[c + 2]!, a3 = acc[c + 3]!;
        for (let i = s + c; i < e; i += channels) {
          a0 += x[i]!; a1 += x[i + 1]!; a2 += x[i + 2]!; a3 += x[i + 3]!;
        }
        acc[c] = a0; acc[c + 1] = a1; acc[c + 2] = a2; acc[c + 3] = a3;
      }
    }
    for (let c = 0; c < channels; c++) { mean[c] = acc[c]! / rows; acc[c] = 0; }
    for (let s = 0; s < size; s += block) {
      const e = Math.min(size, s + block);
      for (let c = 0; c < channels; c += 4) {
        const m0 = mean[c]!, m1 = mean[c + 1]!, m2 = mean[c + 2]!, m3 = mean[c + 3]!;
        let a0 = acc[c]!, a1 = acc[c + 1]!, a2 = acc[c + 2]!, a3 = acc[c + 3]!;
        for (let i = s + c; i < e; i += channels) {
          const d0 = x[i]! - m0, d1 = x[i + 1]! - m1, d2 = x[i + 2]! - m2, d3 = x[i + 3]! - m3;
          a0 += d0 * d0; a1 += d1 * d1; a2 += d2 * d2; a3 += d3 * d3;
        }
        acc[c] = a0; acc[c + 1] = a1; acc[c + 2] = a2; acc[c + 3] = a3;
      }
    }
  } else {
    for (let i = 0; i < size; i += channels) for (let c = 0; c < channels; c++) acc[c] = acc[c]! + x[i + c]!;
    for (let c = 0; c < channels; c++) { mean[c] = acc[c]! / rows; acc[c] = 0; }
    for (let i = 0; i < size; i += channels) {
      for (let c = 0; c < channels; c++) {
        const d = x[i + c]! - mean[c]!;
        acc[c] = acc[c]! + d * d;
      }
    }
  }
  for (let c = 0; c < channels; c++) variance[c] = acc[c]! / rows;
}

/** y = (x − μ)·scale + shift per channel, then (v + |v|)/2 with relu. */
function normalise(x: Float32Array, channels: number, mean: Float32Array, scale: Float64Array, shift: Float32Array, relu: boolean, y: Float32Array): void {
  const size = x.length;
  if (channels % 4 === 0) {
    const block = blockOf(channels);
    for (let s = 0; s < size; s += block) {
      const e = Math.min(size, s + block);
      for (let c = 0; c < channels; c += 4) {
        const m0 = mean[c]!, m1 = mean[c + 1]!, m2 = mean[c + 2]!, m3 = mean[c + 3]!;
        const k0 = scale[c]!, k1 = scale[c + 1]!, k2 = scale[c + 2]!, k3 = scale[c + 3]!;
        const b0 = shift[c]!, b1 = shift[c + 1]!, b2 = shift[c + 2]!, b3 = shift[c + 3]!;
        if (relu) {
          for (let i = s + c; i < e; i += channels) {
            const v0 = (x[i]! - m0) * k0 + b0, v1 = (x[i + 1]! - m1) * k1 + b1, v2 = (x[i + 2]! - m2) * k2 + b2, v3 = (x[i + 3]! - m3) * k3 + b3;
            y[i] = (v0 + Math.abs(v0)) * 0.5; y[i + 1] = (v1 + Math.abs(v1)) * 0.5; y[i + 2] = (v2 + Math.abs(v2)) * 0.5; y[i + 3] = (v3 + Math.abs(v3)) * 0.5;
          }
        } else {
          for (let i = s + c; i < e; i += channels) {
            y[i] = (x[i]! - m0) * k0 + b0; y[i + 1] = (x[i + 1]! - m1) * k1 + b1; y[i + 2] = (x[i + 2]! - m2) * k2 + b2; y[i + 3] = (x[i + 3]! - m3) * k3 + b3;
          }
        }
      }
    }
    return;
  }
  for (let i = 0; i < size; i += channels) {
    for (let c = 0; c < channels; c++) {
      const v = (x[i + c]! - mean[c]!) * scale[c]! + shift[c]!;
      y[i + c] = relu ? (v + Math.abs(v)) * 0.5 : v;
    }
  }
}

/** Σ g and Σ g·(x − μ) per channel, g = dy (where y > 0 with relu: `yBits` is y's bits, or undefined). */
function gradientSums(dy: Float32Array, x: Float32Array, yBits: Int32Array | undefined, channels: number, mean: Float32Array, sumG: Float64Array, sumGX: Float64Array): void {
  const size = x.length;
  if (channels % 4 === 0) {
    const block = blockOf(channels);
    for (let s = 0; s < size; s += block) {
      const e = Math.min(size, s + block);
      for (let c = 0; c < channels; c += 4) {
        const m0 = mean[c]!, m1 = mean[c + 1]!, m2 = mean[c + 2]!, m3 = mean[c + 3]!;
        let a0 = sumG[c]!, a1 = sumG[c + 1]!, a2 = sumG[c + 2]!, a3 = sumG[c + 3]!;
        let q0 = sumGX[c]!, q1 = sumGX[c + 1]!, q2 = sumGX[c + 2]!, q3 = sumGX[c + 3]!;
        for (let i = s + c; i < e; i += channels) {
          let g0 = dy[i]!, g1 = dy[i + 1]!, g2 = dy[i + 2]!, g3 = dy[i + 3]!;
          if (yBits) {
            g0 *= (-yBits[i]!) >>> 31; g1 *= (-yBits[i + 1]!) >>> 31; g2 *= (-yBits[i + 2]!) >>> 31; g3 *= (-yBits[i + 3]!) >>> 31;
          }
          a0 += g0; a1 += g1; a2 += g2; a3 += g3;
          q0 += g0 * (x[i]! - m0); q1 += g1 * (x[i + 1]! - m1); q2 += g2 * (x[i + 2]! - m2); q3 += g3 * (x[i + 3]! - m3);
        }
        sumG[c] = a0; sumG[c + 1] = a1; sumG[c + 2] = a2; sumG[c + 3] = a3;
        sumGX[c] = q0; sumGX[c + 1] = q1; sumGX[c + 2] = q2; sumGX[c + 3] = q3;
      }
    }
    return;
  }
  for (let i = 0; i < size; i += channels) {
    for (let c = 0; c < channels; c++) {
      const g = yBits ? dy[i + c]! * ((-yBits[i + c]!) >>> 31) : dy[i + c]!;
      sumG[c] = sumG[c]! + g;
      sumGX[c] = sumGX[c]! + g * (x[i + c]! - mean[c]!);
    }
  }
}

/** dx = k1·g + k2·(x − μ) + k3 per channel. */
function inputGradient(dy: Float32Array, x: Float32Array, yBits: Int32Array | undefined, channels: number, mean: Float32Array, k1: Float64Array, k2: Float64Array, k3: Float64Array, dx: Float32Array): void {
  const size = x.length;
  if (channels % 4 === 0) {
    const block = blockOf(channels);
    for (let s = 0; s < size; s += block) {
      const e = Math.min(size, s + block);
      for (let c = 0; c < channels; c += 4) {
        const m0 = mean[c]!, m1 = mean[c + 1]!, m2 = mean[c + 2]!, m3 = mean[c + 3]!;
        const a0 = k1[c]!, a1 = k1[c + 1]!, a2 = k1[c + 2]!, a3 = k1[c + 3]!;
        const b0 = k2[c]!, b1 = k2[c + 1]!, b2 = k2[c + 2]!, b3 = k2[c + 3]!;
        const c0 = k3[c]!, c1 = k3[c + 1]!, c2 = k3[c + 2]!, c3 = k3[c + 3]!;
        for (let i = s + c; i < e; i += channels) {
          let g0 = dy[i]!, g1 = dy[i + 1]!, g2 = dy[i + 2]!, g3 = dy[i + 3]!;
          if (yBits) {
            g0 *= (-yBits[i]!) >>> 31; g1 *= (-yBits[i + 1]!) >>> 31; g2 *= (-yBits[i + 2]!) >>> 31; g3 *= (-yBits[i + 3]!) >>> 31;
          }
          dx[i] = a0 * g0 + b0 * (x[i]! - m0) + c0;
          dx[i + 1] = a1 * g1 + b1 * (x[i + 1]! - m1) + c1;
          dx[i + 2] = a2 * g2 + b2 * (x[i + 2]! - m2) + c2;
          dx[i + 3] = a3 * g3 + b3 * (x[i + 3]! - m3) + c3;
        }
      }
    }
    return;
  }
  for (let i = 0; i < size; i += channels) {
    for (let c = 0; c < channels; c++) {
      const g = yBits ? dy[i + c]! * ((-yBits[i + c]!) >>> 31) : dy[i + c]!;
      dx[i + c] = k1[c]! * g + k2[c]! * (x[i + c]! - mean[c]!) + k3[c]!;
    }
  }
}

const bitsOf = (a: Float32Array): Int32Array => new Int32Array(a.buffer, a.byteOffset, a.length);

/**
 * x [..., C] → y = γ·(x − μ)/√(σ² + ε) + β (then max(0, ·) with relu), μ and the biased σ² over
 * every axis but the last.
 */
const forwardKernel: tf.KernelFunc = ({ inputs, backend, attrs }) => {
  const { x, gamma, beta } = inputs as Record<'x' | 'gamma' | 'beta', TensorInfo>;
  checkFloat(FORWARD, [x, gamma, beta]);
  const eps = attrs!['eps'] as number;
  const relu = attrs!['relu'] as boolean;
  const channels = x.shape[x.shape.length - 1]!;
  const s = storeOf(backend);
  const yT = s.alloc([...x.shape]);
  const meanT = s.alloc([channels]);
  const varT = s.alloc([channels]);
  const [xs, g, bt, y, mean, variance] = [x, gamma, beta, yT, meanT, varT].map((t) => s.view(t)) as [Float32Array, Float32Array, Float32Array, Float32Array, Float32Array, Float32Array];
  moments(xs, channels, mean, variance);
  const scale = new Float64Array(channels);
  for (let c = 0; c < channels; c++) scale[c] = g[c]! / Math.sqrt(variance[c]! + eps);
  normalise(xs, channels, mean, scale, bt, relu, y);
  return [s.finish(yT), s.finish(meanT), s.finish(varT)];
};

/**
 * The gradients of the forward kernel's three outputs (y, μ, σ²) with respect to x, γ, β. With
 * g = dy (masked by y > 0 with relu), x̂ = (x − μ)/√(σ² + ε) and n rows:
 * dβ = Σg, dγ = Σ g·x̂, dx = γ/√(σ² + ε)·(g − dβ/n − x̂·dγ/n) + dμ/n + dσ²·2(x − μ)/n.
 */
const backwardKernel: tf.KernelFunc = ({ inputs, backend, attrs }) => {
  const { dy, x, gamma, y, mean, variance, dmean, dvariance } = inputs as Record<string, TensorInfo>;
  checkFloat(BACKWARD, [dy!, x!, gamma!, y!, mean!, variance!, dmean!, dvariance!]);
  const eps = attrs!['eps'] as number;
  const relu = attrs!['relu'] as boolean;
  const channels = x!.shape[x!.shape.length - 1]!;
  const s = storeOf(backend);
  const dxT = s.alloc([...x!.shape]);
  const dgT = s.alloc([channels]);
  const dbT = s.alloc([channels]);
  const [g0, xs, ys, gm, mu, vr, dm, dv, dx, dg, db] = [dy!, x!, y!, gamma!, mean!, variance!, dmean!, dvariance!, dxT, dgT, dbT].map((t) => s.view(t)) as Float32Array[];
  const rows = xs!.length / channels;
  const yBits = relu ? bitsOf(ys!) : undefined;
  const sumG = new Float64Array(channels);
  const sumGX = new Float64Array(channels);
  gradientSums(g0!, xs!, yBits, channels, mu!, sumG, sumGX);
  const k1 = new Float64Array(channels);
  const k2 = new Float64Array(channels);
  const k3 = new Float64Array(channels);
  for (let c = 0; c < channels; c++) {
    const invStd = 1 / Math.sqrt(vr![c]! + eps);
    const dGamma = sumGX[c]! * invStd;
    dg![c] = dGamma;
    db![c] = sumG[c]!;
    k1[c] = gm![c]! * invStd;
    k2[c] = -k1[c]! * invStd * dGamma / rows + 2 * dv![c]! / rows;
    k3[c] = -k1[c]! * sumG[c]! / rows + dm![c]! / rows;
  }
  inputGradient(g0!, xs!, yBits, channels, mu!, k1, k2, k3, dx!);
  return [s.finish(dxT), s.finish(dgT), s.finish(dbT)];
};

let registered = false;

function register(): void {
  if (registered) return;
  registered = true;
  for (const backendName of ['cpu', 'wasm']) {
    tf.registerKernel({ kernelName: FORWARD, backendName, kernelFunc: forwardKernel });
    tf.registerKernel({ kernelName: BACKWARD, backendName, kernelFunc: backwardKernel });
  }
  tf.registerGradient({
    kernelName: FORWARD,
    inputsToSave: ['x', 'gamma'],
    outputsToSave: [true, true, true],
    gradFunc: (dys, saved, attrs) => {
      const [dy, dmean, dvariance] = dys as tf.Tensor[];
      const [x, gamma, y, mean, variance] = saved;
      const [dx, dgamma, dbeta] = tf.engine().runKernel(BACKWARD, { dy: dy!, x: x!, gamma: gamma!, y: y!, mean: mean!, variance: variance!, dmean: dmean!, dvariance: dvariance! }, attrs) as tf.Tensor[];
      return { x: () => dx!, gamma: () => dgamma!, beta: () => dbeta! };
    },
  });
}

/** Whether batchNormTrain runs as the fused kernels on the current backend (cpu, wasm; not switched off by setFusedKernels). */
export function fusedBatchNormActive(): boolean {
  return fusedActive();
}

/**
 * Training-mode batch normalisation of x [..., C] over every axis but the last, with γ, β [C], as
 * one fused kernel (call only where fusedBatchNormActive()); relu applies max(0, ·) to y. Returns y
 * and the batch mean and biased variance [C] (for the running statistics).
 */
export function batchNormTrain(x: tf.Tensor, gamma: tf.Tensor, beta: tf.Tensor, eps: number, relu: boolean): { y: tf.Tensor; mean: tf.Tensor; variance: tf.Tensor } {
  register();
  const [y, mean, variance] = tf.engine().runKernel(FORWARD, { x, gamma, beta }, { eps, relu } as unknown as tf.NamedAttrMap) as tf.Tensor[];
  return { y: y!, mean: mean!, variance: variance! };
}
