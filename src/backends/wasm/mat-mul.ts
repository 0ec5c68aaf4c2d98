/**
 * BatchMatMul and _FusedMatMul for wasm through minima's GEMM: every transpose form (the backward
 * pass of a dense layer is A·Bᵀ and Aᵀ·B) and batched products (attention) at the forward speed.
 */
import * as tf from '../tf.js';
import type { KernelConfig, TensorInfo } from '../tf.js';
import type { Gemm } from './gemm.js';
import { wasmKernel, type KernelArgs, type WasmBackend } from './heap.js';

type Stock = (name: string) => KernelConfig;

const reshaped = (t: TensorInfo, shape: number[]): TensorInfo => ({ dataId: t.dataId, shape, dtype: t.dtype });

function matMul(gemm: Gemm, stock: Stock, backend: WasmBackend, a: TensorInfo, b: TensorInfo, transA: boolean, transB: boolean): TensorInfo {
  tf.util.assert(a.dtype === 'float32' && b.dtype === 'float32', () => 'matMul on wasm needs float32 operands');
  const outerA = a.shape.slice(0, -2), outerB = b.shape.slice(0, -2);
  const outer = tf.broadcast_util.assertAndGetBroadcastShape(outerA, outerB);
  const batch = tf.util.sizeFromShape(outer);
  const [a1, a2] = a.shape.slice(-2) as [number, number];
  const [b1, b2] = b.shape.slice(-2) as [number, number];
  const batchA = tf.util.sizeFromShape(outerA), batchB = tf.util.sizeFromShape(outerB);
  // Batches that are neither equal nor 1 (e.g. [2,1] against [1,3]) are tiled to the full shape first.
  const expand = (t: TensorInfo, own: number[], size: number): [TensorInfo, boolean] => {
    if (size === batch || size === 1) return [t, false];
    const padded = [...Array<number>(outer.length - own.length).fill(1), ...own];
    const x = reshaped(t, [...padded, ...t.shape.slice(-2)]);
    const reps = [...outer.map((d, i) => d / padded[i]!), 1, 1];
    return [stock('Tile').kernelFunc({ inputs: { x }, backend: backend as never, attrs: { reps } }) as TensorInfo, true];
  };
  const [ae, ownA] = expand(a, outerA, batchA);
  const [be, ownB] = expand(b, outerB, batchB);
  try {
    const a3 = reshaped(ae, [ownA ? batch : batchA, a1, a2]);
    const b3 = reshaped(be, [ownB ? batch : batchB, b1, b2]);
    const out = gemm.batchMatMul(backend, a3, b3, transA, transB);
    return { ...out, shape: [...outer, transA ? a2 : a1, transB ? b1 : b2] };
  } finally {
    if (ownA) backend.disposeData(ae.dataId);
    if (ownB) backend.disposeData(be.dataId);
  }
}

const activationKernels: Readonly<Record<string, string>> = {
  relu: 'Relu', relu6: 'Relu6', elu: 'Elu', sigmoid: 'Sigmoid', leakyrelu: 'LeakyRelu', prelu: 'Prelu',
};

export function matMulKernels(gemm: Gemm, stock: Stock): KernelConfig[] {
  const run = (backend: WasmBackend, name: string, inputs: Record<string, TensorInfo>, attrs: Record<string, unknown> = {}): TensorInfo =>
    stock(name).kernelFunc({ inputs, backend: backend as never, attrs: attrs as never }) as TensorInfo;

  const batchMatMul = ({ inputs, backend, attrs }: KernelArgs): TensorInfo =>
    matMul(gemm, stock, backend, inputs['a']!, inputs['b']!, attrs['transposeA'] === true, attrs['transposeB'] === true);

  const fusedMatMul = ({ inputs, backend, attrs }: KernelArgs): TensorInfo => {
    const { bias, preluActivationWeights } = inputs;
    let y = matMul(gemm, stock, backend, inputs['a']!, inputs['b']!, attrs['transposeA'] === true, attrs['transposeB'] === true);
    const step = (next: TensorInfo): void => {
      backend.disposeData(y.dataId);
      y = next;
    };
    if (bias) step(run(backend, 'Add', { a: y, b: bias }));
    const activation = String(attrs['activation'] ?? 'linear');
    if (activation !== 'linear') {
      const kernel = activationKernels[activation];
      if (!kernel) throw new Error(`_FusedMatMul: unsupported activation ${activation}`);
      if (activation === 'prelu') step(run(backend, kernel, { x: y, alpha: preluActivationWeights! }));
      else step(run(backend, kernel, { x: y }, activation === 'leakyrelu' ? { alpha: attrs['leakyreluAlpha'] ?? 0.2 } : {}));
    }
    return y;
  };

  return [wasmKernel('BatchMatMul', batchMatMul), wasmKernel('_FusedMatMul', fusedMatMul)];
}
