/**
 * Tensor memory for minima's JS kernels on the CPU-memory backends: `cpu` (JS typed arrays) and
 * `wasm` (views of the heap, no copy). Allocate every output before taking views: allocating can
 * grow the wasm heap and detach earlier views.
 */
import * as tf from '../tf.js';
import type { TensorInfo } from '../tf.js';
import type { WasmBackend } from '../wasm/heap.js';

interface CpuBackend {
  readonly data: { get(dataId: object): { values: unknown } };
  makeTensorInfo(shape: number[], dtype: 'float32', values: Float32Array): TensorInfo;
}

/** Reads inputs and allocates outputs on either backend; take views after the last allocation. */
export interface Store {
  alloc(shape: number[]): TensorInfo;
  /** The float32 data of an input or of an output allocated here. */
  view(t: TensorInfo): Float32Array;
  /** The tensor info to return from the kernel for an output allocated here. */
  finish(t: TensorInfo): TensorInfo;
}

function cpuStore(b: CpuBackend): Store {
  const fresh = new Map<TensorInfo, Float32Array>();
  return {
    alloc(shape) {
      const values = new Float32Array(tf.util.sizeFromShape(shape));
      const t: TensorInfo = { dataId: {}, shape, dtype: 'float32' };
      fresh.set(t, values);
      return t;
    },
    view: (t) => fresh.get(t) ?? (b.data.get(t.dataId).values as Float32Array),
    finish: (t) => b.makeTensorInfo(t.shape, 'float32', fresh.get(t)!),
  };
}

function wasmStore(b: WasmBackend): Store {
  return {
    alloc: (shape) => b.makeOutput(shape, 'float32'),
    view(t) {
      const at = b.dataIdMap.get(t.dataId)!.memoryOffset >>> 2;
      return b.wasm.HEAPF32.subarray(at, at + tf.util.sizeFromShape(t.shape));
    },
    finish: (t) => t,
  };
}

export function storeOf(backend: unknown): Store {
  return 'wasm' in (backend as object) ? wasmStore(backend as WasmBackend) : cpuStore(backend as CpuBackend);
}

