/**
 * Gradients of Sum and Mean without a full-size tensor of ones built on the host. tfjs-core's own
 * (Sum_grad.js, Mean_grad.js) multiply the reshaped dy by `ones(x.shape)`, a Float32Array filled in
 * JavaScript and uploaded to the backend on every backward pass. On WebGPU that fill and upload were
 * 55–77 % of a ResNet step on an H200 (BatchNorm's moments are means over N·H·W; see
 * docs/backends.md). These are the same ops with the ones made by the backend's Fill kernel (a GPU
 * fill on WebGPU, the same typed-array fill on the CPU backends), so the bits are tfjs' own.
 */
import * as tf from '../tf.js';

/** dy reshaped to x's rank with 1 on the reduced axes, and the number of elements reduced. */
function expanded(dy: tf.Tensor, x: tf.Tensor, axis: unknown): { dy: tf.Tensor; size: number } {
  const axes = tf.util.parseAxisParam(axis as number | number[], x.shape);
  const shape = x.shape.slice();
  let size = 1;
  for (const a of axes) { size *= shape[a]!; shape[a] = 1; }
  return { dy: tf.reshape(dy, shape), size };
}

let installed = false;

/** Registers both gradients in tfjs' global registry (idempotent). */
export function installReductionGradients(): void {
  if (installed) return;
  installed = true;
  tf.registerGradient({
    kernelName: tf.Sum,
    inputsToSave: ['x'],
    gradFunc: (dy, saved, attrs) => {
      const x = saved[0]!;
      return { x: () => tf.mul(expanded(dy as tf.Tensor, x, attrs['axis']).dy, tf.fill(x.shape, 1, 'float32')) };
    },
  });
  tf.registerGradient({
    kernelName: tf.Mean,
    inputsToSave: ['x'],
    gradFunc: (dy, saved, attrs) => {
      const x = saved[0]!;
      const e = expanded(dy as tf.Tensor, x, attrs['axis']);
      return { x: () => tf.div(tf.mul(e.dy, tf.fill(x.shape, 1, 'float32')), e.size) };
    },
  });
}
