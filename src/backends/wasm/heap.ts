/**
 * The parts of @tensorflow/tfjs-backend-wasm's BackendWasm that minima's kernels use. Tensor data
 * lives in the WASM heap at `memoryOffset`; the heap views are replaced when the heap grows, so
 * kernels read `backend.wasm.HEAPF32` again after every allocation.
 */
import type { DataId, KernelConfig, KernelFunc, NamedAttrMap, TensorInfo } from '../tf.js';
import type { WasmMemory } from './assembler.js';

export interface WasmModule {
  readonly HEAPF32: Float32Array;
  readonly HEAP32: Int32Array;
  /** The heap itself, for minima's generated WebAssembly to import. */
  readonly asm: { readonly memory: WasmMemory };
  _malloc(bytes: number): number;
  _free(ptr: number): void;
  readonly tfjs: { disposeData(id: number): void };
}

export interface WasmBackend {
  readonly wasm: WasmModule;
  readonly dataIdMap: { get(dataId: DataId): { id: number; memoryOffset: number } | undefined; delete(dataId: DataId): void };
  makeOutput(shape: number[], dtype: 'float32' | 'int32', memoryOffset?: number): TensorInfo;
  disposeData(dataId: DataId, force?: boolean): boolean;
  incRef(dataId: DataId): void;
}

export interface KernelArgs {
  readonly inputs: Readonly<Record<string, TensorInfo>>;
  readonly backend: WasmBackend;
  readonly attrs: NamedAttrMap;
}

/** Index (in float32 elements) of a tensor's first element in the heap. */
export function offsetOf(backend: WasmBackend, t: TensorInfo): number {
  const data = backend.dataIdMap.get(t.dataId);
  if (!data) throw new Error('wasm kernel pack: tensor is not on the wasm backend');
  return data.memoryOffset >>> 2;
}

/** A float32 tensor allocated on the heap; returns it and its element offset. */
export function allocate(backend: WasmBackend, shape: number[], dtype: 'float32' | 'int32' = 'float32'): [TensorInfo, number] {
  const t = backend.makeOutput(shape, dtype);
  return [t, offsetOf(backend, t)];
}

/** Scratch memory outside tfjs's bookkeeping, freed by `release`. Returns an element offset. */
export function scratch(backend: WasmBackend, elements: number): number {
  return (backend.wasm._malloc(Math.max(elements, 1) * 4) >>> 0) >>> 2;
}

export function release(backend: WasmBackend, offset: number): void {
  backend.wasm._free(offset * 4);
}

/**
 * A tensor registered over memory minima owns (no copy), so a stock wasm kernel can read or write
 * it. `dispose` unregisters it without freeing the memory (BackendWasm.disposeData would free it).
 */
export function viewTensor(backend: WasmBackend, shape: number[], offset: number): TensorInfo & { dispose(): void } {
  const t = backend.makeOutput(shape, 'float32', offset * 4);
  return {
    ...t,
    dispose() {
      const data = backend.dataIdMap.get(t.dataId);
      if (!data) return;
      backend.wasm.tfjs.disposeData(data.id);
      backend.dataIdMap.delete(t.dataId);
    },
  };
}

/** Casts a kernel written against `KernelArgs` to tfjs's KernelConfig for the wasm backend. */
export function wasmKernel(kernelName: string, kernelFunc: (args: KernelArgs) => TensorInfo | TensorInfo[]): KernelConfig {
  return { kernelName, backendName: 'wasm', kernelFunc: kernelFunc as unknown as KernelFunc };
}
