/**
 * Uploads to the WebGPU backend through `queue.writeBuffer` instead of tfjs' per-tensor staging
 * buffer. tfjs-backend-webgpu 4.22 creates a fresh mapped-at-creation buffer for every tensor made
 * on the host (every JS number an op receives becomes one) and ends the open compute pass to copy
 * it: about 280 µs a scalar through Dawn on an H200, five times a dispatch's cost. writeBuffer
 * copies the bytes at once into a pooled buffer. It is ordered before the next submit, which is
 * safe for the same reason tfjs' own uniform uploads are: the pool hands out only buffers whose
 * last use was submitted already. The bytes are the same, so results are unchanged.
 */
import * as tf from './tf.js';

interface TensorData { values: ArrayLike<number> | null; resource: unknown; dtype: tf.DataType; shape: number[] }
interface WebgpuBackendLike {
  tensorMap: { get(dataId: unknown): TensorData };
  bufferManager: { acquireBuffer(size: number, usage: number): unknown };
  queue: { writeBuffer(buffer: unknown, offset: number, data: ArrayBuffer, dataOffset: number, size: number): void };
  uploadToGPU(dataId: unknown): void;
  [patched]?: true;
}
const patched = Symbol.for('minima.webgpuUpload');

/** Patches the current tfjs backend when it is WebGPU; returns whether it did (idempotent). */
export function installWebgpuUpload(): boolean {
  if (tf.getBackend() !== 'webgpu') return false;
  const backend = tf.backend() as unknown as WebgpuBackendLike;
  if (backend[patched]) return true;
  const usageOf = (globalThis as { GPUBufferUsage?: { STORAGE: number; COPY_SRC: number; COPY_DST: number } }).GPUBufferUsage;
  if (!usageOf || typeof backend.queue?.writeBuffer !== 'function' || typeof backend.bufferManager?.acquireBuffer !== 'function') return false;
  const usage = usageOf.STORAGE | usageOf.COPY_SRC | usageOf.COPY_DST;
  const stock = backend.uploadToGPU.bind(backend);
  backend.uploadToGPU = (dataId: unknown): void => {
    const data = backend.tensorMap.get(dataId);
    const { values, dtype } = data;
    // already on the GPU, or nothing to copy, or a dtype tfjs stores otherwise (complex64, string)
    if (data.resource != null || values == null || values.length === 0 || !(dtype === 'float32' || dtype === 'int32' || dtype === 'bool')) {
      stock(dataId);
      return;
    }
    // int32 and bool live on the GPU as 32-bit integers, float32 as itself (the stock path's conversions)
    const bytes = dtype === 'float32'
      ? (values instanceof Float32Array ? values : new Float32Array(values))
      : (values instanceof Int32Array ? values : new Int32Array(values));
    const size = bytes.byteLength;
    const buffer = backend.bufferManager.acquireBuffer(size, usage);
    backend.queue.writeBuffer(buffer, 0, bytes.buffer as ArrayBuffer, bytes.byteOffset, size);
    data.values = null;
    data.resource = buffer;
  };
  backend[patched] = true;
  return true;
}
