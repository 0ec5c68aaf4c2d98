/**
 * The raw ops minima's models train with, each with its gradients: the kernels a backend must run
 * correctly. Shapes are odd-sized (no lucky tiling) and most tensors exceed 1000 elements
 * (small tensors take different code paths on GPU backends).
 */
import { tf } from '../support/tf.js';
import type { OpCase } from './compare.js';

const mm = (ta: boolean, tb: boolean): OpCase => ({
  name: `matMul ${ta ? 'Aᵀ' : 'A'}·${tb ? 'Bᵀ' : 'B'}`,
  inputs: { a: { shape: ta ? [53, 37] : [37, 53] }, b: { shape: tb ? [29, 53] : [53, 29] } },
  fn: ({ a, b }) => tf.matMul(a as tf.Tensor2D, b as tf.Tensor2D, ta, tb),
});

export const opCases: readonly OpCase[] = [
  mm(false, false), mm(false, true), mm(true, false), mm(true, true),
  {
    name: 'batched matMul (attention scores Q·Kᵀ)',
    inputs: { q: { shape: [2, 3, 17, 24] }, k: { shape: [2, 3, 19, 24] } },
    fn: ({ q, k }) => tf.matMul(q!, k!, false, true),
  },
  {
    name: 'batched matMul broadcasting batch 1 (forward: tfjs-core\'s gradient does not reduce broadcast batches)',
    inputs: { a: { shape: [1, 23, 31] }, b: { shape: [4, 31, 19] } },
    fn: ({ a, b }) => tf.matMul(a!, b!),
    grads: false,
  },
  {
    name: 'fused matMul + bias + relu, B transposed',
    inputs: { a: { shape: [33, 41] }, b: { shape: [27, 41] }, bias: { shape: [27] } },
    fn: ({ a, b, bias }) => tf.fused.matMul({ a: a as tf.Tensor2D, b: b as tf.Tensor2D, transposeB: true, bias: bias!, activation: 'relu' }),
  },
  {
    name: 'dense layer 2-D x·W + b',
    inputs: { x: { shape: [64, 100] }, w: { shape: [100, 30] }, b: { shape: [30] } },
    fn: ({ x, w, b }) => tf.add(tf.matMul(x as tf.Tensor2D, w as tf.Tensor2D), b!),
  },
  {
    name: 'conv2d 3×3 stride 1 same',
    inputs: { x: { shape: [3, 11, 13, 5] }, f: { shape: [3, 3, 5, 7] } },
    fn: ({ x, f }) => tf.conv2d(x as tf.Tensor4D, f as tf.Tensor4D, 1, 'same'),
  },
  {
    name: 'conv2d 5×3 stride 2 valid',
    inputs: { x: { shape: [2, 15, 12, 4] }, f: { shape: [5, 3, 4, 6] } },
    fn: ({ x, f }) => tf.conv2d(x as tf.Tensor4D, f as tf.Tensor4D, [2, 2], 'valid'),
  },
  {
    name: 'conv2d 3×3 stride 2 explicit pad 1 (ResNet downsample)',
    inputs: { x: { shape: [2, 12, 12, 6] }, f: { shape: [3, 3, 6, 8] } },
    fn: ({ x, f }) => tf.conv2d(x as tf.Tensor4D, f as tf.Tensor4D, 2, 1),
  },
  {
    name: 'conv2d 1×1 pointwise',
    inputs: { x: { shape: [2, 9, 10, 12] }, f: { shape: [1, 1, 12, 8] } },
    fn: ({ x, f }) => tf.conv2d(x as tf.Tensor4D, f as tf.Tensor4D, 1, 'valid'),
  },
  {
    name: 'conv2d 3×3 dilation 2 (forward only: tfjs has no dilated gradient)',
    inputs: { x: { shape: [2, 13, 13, 3] }, f: { shape: [3, 3, 3, 4] } },
    fn: ({ x, f }) => tf.conv2d(x as tf.Tensor4D, f as tf.Tensor4D, 1, 'same', 'NHWC', 2),
    grads: false,
  },
  {
    name: 'depthwise conv2d 3×3 multiplier 2 stride 2 same',
    inputs: { x: { shape: [2, 13, 11, 6] }, f: { shape: [3, 3, 6, 2] } },
    fn: ({ x, f }) => tf.depthwiseConv2d(x as tf.Tensor4D, f as tf.Tensor4D, 2, 'same'),
  },
  {
    name: 'depthwise conv2d 3×3 multiplier 1 stride 1 valid',
    inputs: { x: { shape: [2, 12, 12, 8] }, f: { shape: [3, 3, 8, 1] } },
    fn: ({ x, f }) => tf.depthwiseConv2d(x as tf.Tensor4D, f as tf.Tensor4D, 1, 'valid'),
  },
  {
    name: 'maxPool 2×2 stride 2',
    inputs: { x: { shape: [3, 14, 14, 8] } },
    fn: ({ x }) => tf.maxPool(x as tf.Tensor4D, 2, 2, 'valid'),
  },
  {
    // Stock wasm MaxPoolGrad starts its running maximum at 0 and drops all-negative windows.
    name: 'maxPool 3×3 stride 2 same on all-negative inputs',
    inputs: { x: { shape: [2, 11, 11, 6] } },
    fn: ({ x }) => tf.maxPool(tf.sub(x!, 10) as tf.Tensor4D, 3, 2, 'same'),
  },
  {
    // 15 is odd: 'valid' leaves the last row and column out of every window (their gradient is 0).
    name: 'maxPool 2×2 stride 2 valid on an odd size',
    inputs: { x: { shape: [2, 15, 15, 5] } },
    fn: ({ x }) => tf.maxPool(x as tf.Tensor4D, 2, 2, 'valid'),
  },
  {
    // 'same' on 15: the last windows hold 2 or 1 in-bounds pixels.
    name: 'maxPool 2×2 stride 2 same on an odd size',
    inputs: { x: { shape: [2, 15, 15, 5] } },
    fn: ({ x }) => tf.maxPool(x as tf.Tensor4D, 2, 2, 'same'),
  },
  {
    // The bias gradient is a Sum over the leading axes [0, 1, 2] (above the pack's size threshold).
    name: 'conv bias add (bias gradient sums over leading axes)',
    inputs: { x: { shape: [5, 13, 11, 17] }, b: { shape: [17] } },
    fn: ({ x, b }) => tf.add(x!, b!),
  },
  {
    name: 'sum over leading axes, keepDims',
    inputs: { x: { shape: [6, 31, 29] } },
    fn: ({ x }) => tf.sum(x!, [1, 0], true),
  },
  {
    // Trailing axes: the pack's 4-lane row sums (rows of 1003: SIMD part and a 3-element tail).
    name: 'sum over trailing axes, keepDims (row sums)',
    inputs: { x: { shape: [7, 17, 59] } },
    fn: ({ x }) => tf.sum(x!, [2, 1], true),
  },
  {
    name: 'full sum of 12,345 elements',
    inputs: { x: { shape: [15, 823] } },
    fn: ({ x }) => tf.sum(tf.square(x!)),
  },
  {
    // Stride 1 with uneven 'same' padding (even kernel sizes): the input gradient as a transposed convolution.
    name: 'conv2d 4×2 stride 1 same (uneven padding)',
    inputs: { x: { shape: [2, 10, 9, 6] }, f: { shape: [4, 2, 6, 5] } },
    fn: ({ x, f }) => tf.conv2d(x as tf.Tensor4D, f as tf.Tensor4D, 1, 'same'),
  },
  {
    // One input channel (a first layer on grey images): the patches are built transposed.
    name: 'conv2d 3×3 stride 1 same, one input channel',
    inputs: { x: { shape: [3, 12, 11, 1] }, f: { shape: [3, 3, 1, 6] } },
    fn: ({ x, f }) => tf.conv2d(x as tf.Tensor4D, f as tf.Tensor4D, 1, 'same'),
  },
  {
    name: 'conv2d 5×4 strides [2, 1] explicit pad [[1, 2], [3, 0]], one input channel',
    inputs: { x: { shape: [2, 13, 10, 1] }, f: { shape: [5, 4, 1, 7] } },
    fn: ({ x, f }) => tf.conv2d(x as tf.Tensor4D, f as tf.Tensor4D, [2, 1], [[0, 0], [1, 2], [3, 0], [0, 0]]),
  },
  {
    name: 'conv2d 3×3 dilation 2, one input channel (forward only: tfjs has no dilated gradient)',
    inputs: { x: { shape: [2, 13, 12, 1] }, f: { shape: [3, 3, 1, 5] } },
    fn: ({ x, f }) => tf.conv2d(x as tf.Tensor4D, f as tf.Tensor4D, 1, 'same', 'NHWC', 2),
    grads: false,
  },
  {
    name: 'conv2d 5×3 stride 1 valid',
    inputs: { x: { shape: [2, 12, 10, 7] }, f: { shape: [5, 3, 7, 9] } },
    fn: ({ x, f }) => tf.conv2d(x as tf.Tensor4D, f as tf.Tensor4D, 1, 'valid'),
  },
  {
    name: 'avgPool 3×3 stride 2 same',
    inputs: { x: { shape: [3, 13, 13, 8] } },
    fn: ({ x }) => tf.avgPool(x as tf.Tensor4D, 3, 2, 'same'),
  },
  {
    name: 'embedding gather (gradient is unsortedSegmentSum)',
    inputs: { table: { shape: [50, 24] }, ids: { shape: [16, 9], intMax: 50 } },
    fn: ({ table, ids }) => tf.gather(table!, ids!),
  },
  {
    name: 'gather rows of an image batch (the trainer\'s on-device batches), repeated ids',
    inputs: { x: { shape: [40, 7, 6, 3] }, ids: { shape: [64], intMax: 40 } },
    fn: ({ x, ids }) => tf.gather(x!, ids!),
  },
  {
    name: 'gather int32 rows and single elements (labels)',
    inputs: { labels: { shape: [300], intMax: 10 }, table: { shape: [30, 40], intMax: 1000 }, ids: { shape: [37], intMax: 30 } },
    fn: ({ labels, table, ids }) => tf.concat([tf.cast(tf.gather(labels!, ids!), 'float32'), tf.cast(tf.reshape(tf.gather(table!, ids!), [-1]), 'float32')]),
    grads: false,
  },
  {
    name: 'gather on axis 1 (the stock kernel)',
    inputs: { x: { shape: [9, 30, 5] }, ids: { shape: [12], intMax: 30 } },
    fn: ({ x, ids }) => tf.gather(x!, ids!, 1),
  },
  {
    // Stock wasm OneHot writes int32 bit patterns into float32 outputs (1 reads as 1.4e-45).
    name: 'oneHot float32 (an embedding gradient as oneHot(ids)ᵀ·dy)',
    inputs: { ids: { shape: [40], intMax: 30 }, dy: { shape: [40, 27] } },
    fn: ({ ids, dy }) => tf.matMul(tf.oneHot(ids as tf.Tensor1D, 30, 1, 0, 'float32'), dy!, true, false),
  },
  {
    name: 'oneHot int32 with on/off values, out-of-range ids',
    inputs: { ids: { shape: [50], intMax: 40 } },
    fn: ({ ids }) => tf.cast(tf.oneHot(ids as tf.Tensor1D, 35, 5, -2), 'float32'),
  },
  {
    name: 'unsortedSegmentSum',
    inputs: { x: { shape: [120, 11] }, ids: { shape: [120], intMax: 17 } },
    fn: ({ x, ids }) => tf.unsortedSegmentSum(x!, ids as tf.Tensor1D, 17),
  },
  {
    name: 'batch norm (training statistics)',
    inputs: { x: { shape: [16, 6, 6, 10] }, gamma: { shape: [10] }, beta: { shape: [10] } },
    fn: ({ x, gamma, beta }) => {
      const { mean, variance } = tf.moments(x!, [0, 1, 2]);
      return tf.batchNorm(x!, mean, variance, beta!, gamma!, 1e-5);
    },
  },
  {
    name: 'mean over leading axes, keepDims (the pack routes it through its leading-axis Sum)',
    inputs: { x: { shape: [8, 9, 9, 7] } },
    fn: ({ x }) => tf.add(tf.mean(x!, [0, 1], true), tf.mean(x!, [0, 1, 2])),
  },
  {
    name: 'layer norm',
    inputs: { x: { shape: [12, 7, 32] }, gamma: { shape: [32] }, beta: { shape: [32] } },
    fn: ({ x, gamma, beta }) => {
      const { mean, variance } = tf.moments(x!, -1, true);
      return tf.add(tf.mul(tf.div(tf.sub(x!, mean), tf.sqrt(tf.add(variance, 1e-5))), gamma!), beta!);
    },
  },
  {
    name: 'softmax attention: softmax(Q·Kᵀ/√d)·V',
    inputs: { q: { shape: [2, 4, 13, 16] }, k: { shape: [2, 4, 13, 16] }, v: { shape: [2, 4, 13, 16] } },
    fn: ({ q, k, v }) => tf.matMul(tf.softmax(tf.mul(tf.matMul(q!, k!, false, true), 0.25)), v!),
  },
  {
    name: 'log-softmax cross-entropy terms',
    inputs: { logits: { shape: [64, 37] } },
    fn: ({ logits }) => tf.logSoftmax(logits!),
  },
  {
    name: 'gelu (erf) and tanh, sigmoid, relu',
    inputs: { x: { shape: [40, 50] } },
    fn: ({ x }) => tf.addN([
      tf.mul(tf.mul(x!, 0.5), tf.add(1, tf.erf(tf.mul(x!, Math.SQRT1_2)))),
      tf.tanh(x!), tf.sigmoid(x!), tf.relu(x!),
    ]),
  },
];
