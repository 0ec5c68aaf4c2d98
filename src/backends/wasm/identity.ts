/**
 * Identity, and Cast to the same dtype, for wasm without a copy. The stock kernels copy the whole
 * tensor; autodiff emits an Identity for every gradient that passes through unchanged (an add's
 * dy, a reshape's input), about 30 per training step of a small CNN, and every ReLU gradient casts
 * its float32 input to float32. Like the cpu backend, these share the input's memory and count one
 * more reference to it (kernels never write into their inputs).
 */
import type { KernelConfig, TensorInfo } from '../tf.js';
import { wasmKernel, type KernelArgs } from './heap.js';

export function identityKernels(stock: (name: string) => KernelConfig): KernelConfig[] {
  const share = (name: string, same: (args: KernelArgs) => boolean): KernelConfig =>
    wasmKernel(name, (args: KernelArgs): TensorInfo => {
      const x = args.inputs['x']!;
      if (x.dtype === 'string' || !same(args)) return stock(name).kernelFunc(args as never) as TensorInfo;
      args.backend.incRef(x.dataId);
      return { dataId: x.dataId, shape: x.shape, dtype: x.dtype };
    });
  return [
    share('Identity', () => true),
    share('Cast', ({ inputs, attrs }) => attrs['dtype'] === inputs['x']!.dtype),
  ];
}
