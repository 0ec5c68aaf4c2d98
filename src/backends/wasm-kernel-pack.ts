/**
 * minima's kernel pack for the tfjs wasm backend: kernels stock wasm lacks (Conv2DBackpropFilter,
 * the depthwise backprops, UnsortedSegmentSum for embedding gradients) and replacements for the
 * ones it runs slowly (transposed/batched matmuls, Conv2DBackpropInput, MaxPoolGrad, Sum over
 * leading axes, copying Identity and same-dtype Cast) or wrongly (MaxPoolGrad, float32 OneHot),
 * with products through one GEMM that uses a native BLAS when one loads, stock XNNPACK otherwise.
 * Install after `tf.setBackend('wasm')`: kernels registered later get no setup call, so the pack
 * keeps the stock kernels' already-initialised configs and delegates to them.
 */
import * as tf from './tf.js';
import type { KernelConfig } from './tf.js';
import { blasInstallHint, loadBlas, type Blas, type BlasChoice } from './blas.js';
import { createGemm } from './wasm/gemm.js';
import { matMulKernels } from './wasm/mat-mul.js';
import { conv2dKernels } from './wasm/conv2d.js';
import { depthwiseKernels } from './wasm/depthwise.js';
import { unsortedSegmentSumKernel } from './wasm/unsorted-segment-sum.js';
import { maxPoolGradKernel } from './wasm/max-pool-grad.js';
import { gatherKernel } from './wasm/gather.js';
import { oneHotKernel } from './wasm/one-hot.js';
import { meanKernel, sumKernel } from './wasm/sum.js';
import { identityKernels } from './wasm/identity.js';

export interface WasmKernelPackOptions {
  /** `auto` (default: env MINIMA_BLAS, else the platform's usual libraries), `off`, or a library path. */
  readonly blas?: BlasChoice;
  /** BLAS threads; default: the library's own choice (all cores for OpenBLAS, or OPENBLAS_NUM_THREADS). */
  readonly threads?: number;
}

export interface WasmKernelPack {
  readonly blas: Blas | undefined;
  /** Kernel names the pack registered for 'wasm'. */
  readonly kernels: readonly string[];
  /** What multiplies matrices, e.g. "OpenBLAS 0.3.21 (2 threads)" or "minima kernels, no BLAS". */
  readonly gemm: string;
  /** Lines to show at start (how to get a BLAS when none loaded). */
  readonly notes: readonly string[];
}

/** Stock configs of the kernels the pack replaced, saved on first install. */
const stockKernels = new Map<string, KernelConfig | undefined>();

function stock(name: string): KernelConfig {
  const config = stockKernels.has(name) ? stockKernels.get(name) : tf.getKernel(name, 'wasm');
  if (!config) throw new Error(`wasm backend has no stock ${name} kernel`);
  return config;
}

/** The pack's configs as last installed (uninstall clears it). */
const packKernels = new Map<string, KernelConfig>();

function register(config: KernelConfig): void {
  if (!stockKernels.has(config.kernelName)) stockKernels.set(config.kernelName, tf.getKernel(config.kernelName, 'wasm'));
  if (tf.getKernel(config.kernelName, 'wasm')) tf.unregisterKernel(config.kernelName, 'wasm');
  tf.registerKernel(config);
  packKernels.set(config.kernelName, config);
}

/** Whether wasm's `kernelName` is currently the pack's (not the stock kernel, not a user's). */
export function packKernelActive(kernelName: string): boolean {
  const ours = packKernels.get(kernelName);
  return ours !== undefined && tf.getKernel(kernelName, 'wasm')?.kernelFunc === ours.kernelFunc;
}

/** (Re)installs the pack; calling it again with other options swaps the GEMM. */
export function installWasmKernelPack(options: WasmKernelPackOptions = {}): WasmKernelPack {
  if (tf.getBackend() !== 'wasm') throw new Error('installWasmKernelPack: call tf.setBackend("wasm") first');
  const choice = options.blas ?? (process.env['MINIMA_BLAS'] as BlasChoice | undefined) ?? 'auto';
  const { blas, tried } = loadBlas(choice, options.threads);
  const gemm = createGemm(blas, { batchMatMul: stock('BatchMatMul'), transpose: stock('Transpose') });
  const configs = [
    ...matMulKernels(gemm, stock),
    ...conv2dKernels(gemm, stock),
    ...depthwiseKernels(),
    unsortedSegmentSumKernel(),
    maxPoolGradKernel(),
    oneHotKernel(),
    gatherKernel(stock),
    sumKernel(gemm, stock),
    meanKernel(gemm, stock),
    ...identityKernels(stock),
  ];
  uninstallWasmKernelPack();
  for (const config of configs) register(config);
  const notes = blas || choice === 'off' ? [] : [
    `no BLAS found (${tried.join('; ')}): matmuls and convolutions run on minima's wasm kernels, several times slower; ` +
    `for full speed install OpenBLAS: ${blasInstallHint()}`,
  ];
  return { blas, kernels: configs.map((c) => c.kernelName), gemm: blas ? blas.description : 'minima kernels, no BLAS', notes };
}

/** Restores the stock wasm kernels (benchmarks compare against them). */
export function uninstallWasmKernelPack(): void {
  packKernels.clear();
  for (const [name, config] of stockKernels) {
    if (tf.getKernel(name, 'wasm')) tf.unregisterKernel(name, 'wasm');
    if (config) tf.registerKernel(config);
  }
}
