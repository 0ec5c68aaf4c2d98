/**
 * Backend selection. `auto` tries, in order: the native TensorFlow binding (tfjs-node-gpu, then
 * tfjs-node) when installed and loadable, WebGPU on a hardware adapter (software adapters only
 * when `webgpu` is asked for by name), wasm with minima's kernel pack (native BLAS when one loads:
 * the default CPU path), then the pure-JS cpu backend (the correctness oracle). The choice and its
 * device are recorded in meta.json; `notes` are hints to print at start. See docs/backends.md.
 */
import { createRequire } from 'node:module';
import { readdirSync } from 'node:fs';
import * as tf from './tf.js';
import { RunnerError } from '../core/errors.js';
import type { BlasChoice } from './blas.js';
import { installWasmKernelPack } from './wasm-kernel-pack.js';
import { installReductionGradients } from './kernels/reduction-gradients.js';
import { installWebgpuUpload } from './webgpu-upload.js';
import { installWebgpuConvGradient } from './webgpu-conv-gradient.js';

export { installWasmKernelPack, uninstallWasmKernelPack, packKernelActive, type WasmKernelPack, type WasmKernelPackOptions } from './wasm-kernel-pack.js';
export { loadBlas, blasInstallHint, type Blas, type BlasChoice } from './blas.js';

export const backendNames = ['auto', 'tensorflow', 'webgpu', 'wasm', 'cpu'] as const;
export type BackendName = (typeof backendNames)[number];
export type ConcreteBackend = Exclude<BackendName, 'auto'>;

export interface BackendInfo {
  readonly name: ConcreteBackend;
  /** What actually runs the kernels, in words (e.g. "wasm SIMD + OpenBLAS 0.3.21 (2 threads)"). */
  readonly device: string;
  /** The tfjs backend name registered with tf.setBackend. */
  readonly tfBackend: string;
  readonly versions: Readonly<Record<string, string>>;
  /** Why earlier candidates of `auto` were skipped. */
  readonly skipped: readonly string[];
  /** One-line hints to print at start (e.g. how to install a BLAS the wasm backend would use). */
  readonly notes: readonly string[];
}

export interface BackendOptions {
  /** wasm only: which BLAS the kernel pack loads (`auto`, `off`, or a library path); default env MINIMA_BLAS or `auto`. */
  readonly blas?: BlasChoice;
  /** wasm only: BLAS threads (default: the library's choice). */
  readonly blasThreads?: number;
}

/**
 * Whether creating a tensor on this tfjs backend copies the values at once, so the source array may
 * be reused for the next batch. wasm copies into its heap in `write`; cpu keeps the array itself, and
 * webgpu and tensorflow keep it until the first upload.
 */
export function copiesOnUpload(tfBackend: string): boolean {
  return tfBackend === 'wasm';
}

const require = createRequire(import.meta.url);

function packageVersion(pkg: string): string | undefined {
  try {
    return (require(`${pkg}/package.json`) as { version: string }).version;
  } catch {
    return undefined;
  }
}

type Attempt = { ok: true; info: Omit<BackendInfo, 'skipped' | 'notes'>; notes?: readonly string[] } | { ok: false; why: string };

async function tryTensorflow(): Promise<Attempt> {
  for (const pkg of ['@tensorflow/tfjs-node-gpu', '@tensorflow/tfjs-node']) {
    if (!packageVersion(pkg)) continue;
    try {
      await import(pkg);
      if (!(await tf.setBackend('tensorflow'))) return { ok: false, why: `${pkg} loaded but its backend did not initialise` };
      // NodeJSKernelBackend asks libtensorflow whether a GPU device is in use.
      const usingGpu = (tf.backend() as unknown as { isUsingGpuDevice?: boolean }).isUsingGpuDevice === true;
      return {
        ok: true,
        info: {
          name: 'tensorflow',
          tfBackend: 'tensorflow',
          device: usingGpu ? `${pkg}: libtensorflow on GPU (CUDA)` : `${pkg}: libtensorflow on CPU${pkg.endsWith('-gpu') ? ' (no GPU device found)' : ''}`,
          versions: { [pkg]: packageVersion(pkg) ?? '?' },
        },
      };
    } catch (err) {
      return { ok: false, why: `${pkg} is installed but does not load: ${(err as Error).message.split('\n')[0]}` };
    }
  }
  return { ok: false, why: 'neither @tensorflow/tfjs-node-gpu nor @tensorflow/tfjs-node is installed' };
}

/** On Linux a hardware GPU has a DRM render node or an NVIDIA device file; elsewhere, assume one may exist. */
function gpuDeviceNodePresent(): boolean {
  if (process.platform !== 'linux') return true;
  try {
    if (readdirSync('/dev/dri').some((n) => n.startsWith('renderD'))) return true;
  } catch {
    // no /dev/dri
  }
  try {
    return readdirSync('/dev').some((n) => /^nvidia\d+$/.test(n));
  } catch {
    return false;
  }
}

/** Dawn reaches GPUs on Linux through Vulkan; without the loader it only prints a warning and finds nothing. */
function vulkanLoaderPresent(): boolean {
  if (process.platform !== 'linux') return true;
  try {
    (require('koffi') as { load(path: string): unknown }).load('libvulkan.so.1');
    return true;
  } catch {
    return false;
  }
}

async function tryWebgpu(allowSoftware: boolean): Promise<Attempt> {
  if (!packageVersion('@tensorflow/tfjs-backend-webgpu') || !packageVersion('webgpu')) {
    return { ok: false, why: 'webgpu: @tensorflow/tfjs-backend-webgpu or the `webgpu` (Dawn) package is not installed' };
  }
  if (!vulkanLoaderPresent()) return { ok: false, why: 'webgpu: no Vulkan loader (libvulkan.so.1), so no GPU adapter' };
  // `auto` takes hardware adapters only; on Linux a GPU shows up as a device node. Without one,
  // skip Dawn's start-up (about 1.5 s, and warnings on stderr when only a software driver exists).
  if (!allowSoftware && !gpuDeviceNodePresent()) return { ok: false, why: 'webgpu: no GPU device (/dev/dri/renderD*, /dev/nvidia*); ask for backend: webgpu to try a software adapter' };
  try {
    const dawn = (await import('webgpu' as string)) as { create: (flags: string[]) => { requestAdapter(o?: object): Promise<unknown> }; globals: Record<string, unknown> };
    Object.assign(globalThis, dawn.globals);
    const gpu = dawn.create([]);
    const g = globalThis as unknown as { navigator?: object };
    if (!g.navigator) g.navigator = {};
    Object.defineProperty(g.navigator, 'gpu', { value: gpu, configurable: true });
    const adapter = (await gpu.requestAdapter({ powerPreference: 'high-performance' })) as object | null;
    if (!adapter) return { ok: false, why: 'webgpu: no adapter' };
    const info = (adapter as unknown as { info?: { vendor?: string; architecture?: string; device?: string; description?: string } }).info ?? {};
    const isFallback = (adapter as unknown as { isFallbackAdapter?: boolean }).isFallbackAdapter === true ||
      /swiftshader|llvmpipe|lavapipe/i.test(`${info.description ?? ''} ${info.device ?? ''} ${info.architecture ?? ''}`);
    if (isFallback && !allowSoftware) return { ok: false, why: `webgpu: only a software adapter (${info.description ?? 'unknown'}); ask for backend: webgpu to use it` };
    await import('@tensorflow/tfjs-backend-webgpu' as string);
    if (!(await tf.setBackend('webgpu'))) return { ok: false, why: 'webgpu: backend did not initialise' };
    installWebgpuUpload();
    installWebgpuConvGradient();
    return {
      ok: true,
      info: {
        name: 'webgpu',
        tfBackend: 'webgpu',
        device: `WebGPU (Dawn): ${[info.vendor, info.architecture, info.description].filter(Boolean).join(' ') || 'adapter'}${isFallback ? ' [software]' : ''}`,
        versions: { '@tensorflow/tfjs-backend-webgpu': packageVersion('@tensorflow/tfjs-backend-webgpu') ?? '?', webgpu: packageVersion('webgpu') ?? '?' },
      },
    };
  } catch (err) {
    return { ok: false, why: `webgpu: ${(err as Error).message.split('\n')[0]}` };
  }
}

async function tryWasm(options: BackendOptions): Promise<Attempt> {
  try {
    const wasm = await import('@tensorflow/tfjs-backend-wasm');
    const dir = require.resolve('@tensorflow/tfjs-backend-wasm').replace(/[^/\\]+$/, '');
    wasm.setWasmPaths(dir.endsWith('/') ? dir : `${dir}/`);
    if (!(await tf.setBackend('wasm'))) return { ok: false, why: 'wasm: backend did not initialise' };
    const simd = await tf.env().getAsync('WASM_HAS_SIMD_SUPPORT');
    const threads = await tf.env().getAsync('WASM_HAS_MULTITHREAD_SUPPORT');
    const pack = installWasmKernelPack({
      ...(options.blas !== undefined ? { blas: options.blas } : {}),
      ...(options.blasThreads !== undefined ? { threads: options.blasThreads } : {}),
    });
    return {
      ok: true,
      info: {
        name: 'wasm',
        tfBackend: 'wasm',
        device: `wasm${simd ? ' SIMD' : ''}${threads ? ' multithreaded' : ''} + ${pack.blas ? pack.blas.description : "minima's kernels (no BLAS)"}`,
        versions: {
          '@tensorflow/tfjs-backend-wasm': packageVersion('@tensorflow/tfjs-backend-wasm') ?? '?',
          ...(pack.blas ? { blas: pack.blas.description, koffi: packageVersion('koffi') ?? '?' } : {}),
        },
      },
      notes: pack.notes,
    };
  } catch (err) {
    return { ok: false, why: `wasm: ${(err as Error).message.split('\n')[0]}` };
  }
}

async function tryCpu(): Promise<Attempt> {
  await import('@tensorflow/tfjs-backend-cpu');
  if (!(await tf.setBackend('cpu'))) return { ok: false, why: 'cpu: backend did not initialise' };
  return {
    ok: true,
    info: { name: 'cpu', tfBackend: 'cpu', device: 'pure JavaScript (tfjs cpu backend)', versions: { '@tensorflow/tfjs-backend-cpu': packageVersion('@tensorflow/tfjs-backend-cpu') ?? '?' } },
  };
}

/** Candidates of `auto`, best first. */
const autoOrder: readonly ConcreteBackend[] = ['tensorflow', 'webgpu', 'wasm', 'cpu'];

async function attempt(name: ConcreteBackend, explicit: boolean, options: BackendOptions): Promise<Attempt> {
  switch (name) {
    case 'tensorflow': return tryTensorflow();
    case 'webgpu': return tryWebgpu(explicit);
    case 'wasm': return tryWasm(options);
    case 'cpu': return tryCpu();
  }
}

let current: BackendInfo | undefined;

/**
 * Selects and initialises a backend. Once one is chosen, `auto` and the same name return it again
 * (re-activating it if something switched tf's backend meanwhile); another name switches.
 */
export async function initBackend(requested: BackendName, options: BackendOptions = {}): Promise<BackendInfo> {
  if (current && (requested === 'auto' || (requested === current.name && options.blas === undefined))) {
    if (tf.getBackend() !== current.tfBackend) await tf.setBackend(current.tfBackend);
    return current;
  }
  installReductionGradients();
  const skipped: string[] = [];
  const order = requested === 'auto' ? autoOrder : [requested];
  for (const name of order) {
    const r = await attempt(name, requested !== 'auto', options);
    if (r.ok) {
      current = { ...r.info, versions: { '@tensorflow/tfjs-core': tf.version_core, ...r.info.versions }, skipped, notes: r.notes ?? [] };
      return current;
    }
    skipped.push(r.why);
  }
  throw new RunnerError('BACKEND_UNAVAILABLE', `backend "${requested}" is not available: ${skipped.join('; ')}`);
}

export function currentBackend(): BackendInfo | undefined {
  return current;
}
