/**
 * Identity for wasm without a copy. The stock kernel copies the whole tensor; autodiff emits an
 * Identity for every gradient that passes through unchanged (an add's dy, a reshape's input), about
 * 30 per training step of a small CNN. Like the cpu backend, this one shares the input's memory
 * and counts one more reference to it (kernels never write into their inputs).
 */
import type { KernelConfig, TensorInfo } from '../tf.js';
import { wasmKernel, type KernelArgs } from './heap.js';

export function identityKernel(stock: (name: string) => KernelConfig): KernelConfig {
  return wasmKernel('Identity', (args: KernelArgs): TensorInfo => {
    const { inputs, backend } = args;
    const x = inputs['x']!;
    if (x.dtype === 'string') return stock('Identity').kernelFunc(args as never) as TensorInfo;
    backend.incRef(x.dataId);
    return { dataId: x.dataId, shape: x.shape, dtype: x.dtype };
  });
}
