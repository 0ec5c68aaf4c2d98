/**
 * The option-A ResNet shortcut, x[:, ::s, ::s, :] zero-padded on the channels, as one copy kernel
 * forward and one backward on the CPU-memory backends (`cpu`, `wasm`). The composite form (pad to
 * a multiple of s, reshape, two Slices, a channel Pad; their gradients pad and slice back) copies
 * the full-resolution tensor several times; this reads only the kept pixels. Exact: a copy.
 */
import * as tf from '../tf.js';
import type { TensorInfo } from '../tf.js';
import { type Store, storeOf } from './store.js';
import { fusedActive } from './kernel.js';

const FORWARD = 'MinimaSubsamplePad';
const BACKWARD = 'MinimaSubsamplePadGrad';

interface Geometry { n: number; h: number; w: number; c: number; oh: number; ow: number; stride: number; before: number; out: number }

function geometry(shape: readonly number[], attrs: tf.NamedAttrMap): Geometry {
  const [n, h, w, c] = shape as [number, number, number, number];
  const stride = attrs['stride'] as number;
  return { n, h, w, c, oh: Math.ceil(h / stride), ow: Math.ceil(w / stride), stride, before: attrs['before'] as number, out: attrs['channels'] as number };
}

/** For every kept pixel: the element offsets of its first channel in x and in y. */
function eachPixel(g: Geometry, f: (xAt: number, yAt: number) => void): void {
  for (let b = 0; b < g.n; b++) {
    for (let i = 0; i < g.oh; i++) {
      for (let j = 0; j < g.ow; j++) f(((b * g.h + i * g.stride) * g.w + j * g.stride) * g.c, ((b * g.oh + i) * g.ow + j) * g.out + g.before);
    }
  }
}

function run(name: string, s: Store, input: TensorInfo, outShape: number[], g: Geometry, forward: boolean): TensorInfo {
  if (input.dtype !== 'float32') throw new Error(`${name}: a ${input.dtype} input, expected float32`);
  const outT = s.alloc(outShape);
  const src = s.view(input);
  const dst = s.view(outT);
  dst.fill(0);
  if (forward) eachPixel(g, (xAt, yAt) => dst.set(src.subarray(xAt, xAt + g.c), yAt));
  else eachPixel(g, (xAt, yAt) => dst.set(src.subarray(yAt, yAt + g.c), xAt));
  return s.finish(outT);
}

const forwardKernel: tf.KernelFunc = ({ inputs, backend, attrs }) => {
  const x = inputs['x']!;
  const g = geometry(x.shape, attrs!);
  return run(FORWARD, storeOf(backend), x, [g.n, g.oh, g.ow, g.out], g, true);
};

const backwardKernel: tf.KernelFunc = ({ inputs, backend, attrs }) => {
  const dy = inputs['dy']!;
  const g = geometry(attrs!['xShape'] as number[], attrs!);
  return run(BACKWARD, storeOf(backend), dy, [g.n, g.h, g.w, g.c], g, false);
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
    gradFunc: (dy, _saved, attrs) => ({ x: () => tf.engine().runKernel(BACKWARD, { dy: dy as tf.Tensor }, attrs) as tf.Tensor }),
  });
}

/**
 * x [n, h, w, c] → [n, ⌈h/s⌉, ⌈w/s⌉, channels]: x[:, ::s, ::s, :] placed at channels
 * [before, before + c), zeros elsewhere. Undefined where the backend has no such kernel (callers
 * then compose it from tf ops).
 */
export function subsamplePad(x: tf.Tensor4D, stride: number, before: number, channels: number): tf.Tensor4D | undefined {
  if (!fusedActive() || x.dtype !== 'float32') return undefined;
  register();
  return tf.engine().runKernel(FORWARD, { x }, { stride, before, channels, xShape: [...x.shape] } as unknown as tf.NamedAttrMap) as tf.Tensor4D;
}
