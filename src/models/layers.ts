/**
 * Functional layers: each call creates its variables through a ParamBuilder and returns the
 * forward function. State changes (BN running statistics) are returned through the context, never
 * assigned, because SAM-type optimizers run several forward passes per step.
 */
import * as tf from '../backends/tf.js';
import { batchNormTrain, fusedBatchNormActive } from '../backends/kernels/batch-norm.js';
import { hashSeed } from '../core/random.js';
import { type Init, type ParamBuilder, ones, torchDefault, zeros } from './param-builder.js';

export interface ForwardContext {
  readonly training: boolean;
  /** Seed of the dropout mask of the layer called `label` in this forward pass. */
  dropoutSeed(label: string): number;
  /** BN running-statistics updates collected in training mode: [buffer, new value]. */
  readonly updates: [tf.Variable, tf.Tensor][];
  /** BatchNorm momentum of this pass (absent: BN_MOMENTUM); SWA's bn_update averages with b/(n + b). */
  readonly bnMomentum?: number;
}

export type Forward = (x: tf.Tensor, ctx: ForwardContext) => tf.Tensor;

export const activationNames = ['relu', 'gelu', 'tanh', 'silu'] as const;
export type ActivationName = (typeof activationNames)[number];

/** GELU is torch's default exact form 0.5·x·(1 + erf(x/√2)), not the tanh approximation. */
export function activation(name: ActivationName): (x: tf.Tensor) => tf.Tensor {
  switch (name) {
    case 'relu':
      return (x) => tf.relu(x);
    case 'gelu':
      return (x) => tf.mul(tf.mul(x, 0.5), tf.add(1, tf.erf(tf.mul(x, Math.SQRT1_2))));
    case 'tanh':
      return (x) => tf.tanh(x);
    case 'silu':
      return (x) => tf.mul(x, tf.sigmoid(x));
  }
}

export interface DenseOptions {
  readonly bias?: boolean;
  /** Default: torch nn.Linear, U(±1/√in) for kernel and bias. */
  readonly kernelInit?: Init;
  readonly biasInit?: Init;
}

/** y = x·W + b with W of shape [in, out]; inputs of rank > 2 are applied on the last axis. */
export function dense(b: ParamBuilder, name: string, inDim: number, outDim: number, opts: DenseOptions = {}): Forward {
  const w = b.param(`${name}/kernel`, [inDim, outDim], 'kernel', opts.kernelInit ?? torchDefault(inDim));
  const bias = opts.bias === false ? undefined : b.param(`${name}/bias`, [outDim], 'bias', opts.biasInit ?? torchDefault(inDim));
  return (x) => {
    const flat = x.rank === 2 ? (x as tf.Tensor2D) : tf.reshape(x, [-1, inDim]) as tf.Tensor2D;
    let y: tf.Tensor = tf.matMul(flat, w as tf.Tensor2D);
    if (bias) y = tf.add(y, bias);
    return x.rank === 2 ? y : tf.reshape(y, [...x.shape.slice(0, -1), outDim]);
  };
}

export interface Conv2dOptions {
  readonly kernelSize: number;
  readonly inChannels: number;
  readonly outChannels: number;
  readonly stride?: number;
  /** Symmetric zero padding on H and W; default kernelSize/2 rounded down (torch `padding=k//2`). */
  readonly padding?: number;
  readonly bias?: boolean;
  /** Default: torch nn.Conv2d, U(±1/√(k·k·in)) for kernel and bias. */
  readonly kernelInit?: Init;
  readonly biasInit?: Init;
}

/** NHWC convolution with a [k, k, in, out] kernel and torch-style symmetric zero padding. */
export function conv2d(b: ParamBuilder, name: string, o: Conv2dOptions): Forward {
  const k = o.kernelSize;
  const fanIn = k * k * o.inChannels;
  const w = b.param(`${name}/kernel`, [k, k, o.inChannels, o.outChannels], 'kernel', o.kernelInit ?? torchDefault(fanIn));
  const bias = o.bias === false ? undefined : b.param(`${name}/bias`, [o.outChannels], 'bias', o.biasInit ?? torchDefault(fanIn));
  const stride = o.stride ?? 1;
  const pad = o.padding ?? Math.floor(k / 2);
  return (x) => {
    const x4 = x as tf.Tensor4D;
    const y = tf.getBackend() === 'cpu' ? shiftConv(x4, w, k, stride, pad) : tf.conv2d(x4, w as tf.Tensor4D, stride, pad === 0 ? 'valid' : pad);
    return bias ? tf.add(y, bias) : y;
  };
}

/**
 * The same convolution as a sum of k² shifted matrix products, for the cpu backend: there
 * Conv2DBackpropFilter reads every element through TensorBuffer.get (minutes per batch), and
 * non-contiguous slices and pads are slow too. The padded input is flattened to rows
 * [n·Hp·Wp, c]; the window offset (dy, dx) is then the contiguous row range starting at
 * dy·Wp + dx, so output row r = b·Hp·Wp + i·Wp + j collects Σ x[r + dy·Wp + dx]·W[dy, dx]. Rows
 * with j ≥ outW (or beyond the last example) are computed and cropped. Strides subsample the
 * stride-1 result.
 */
export function shiftConv(x: tf.Tensor4D, w: tf.Tensor, k: number, stride: number, pad: number): tf.Tensor4D {
  const [n, h, wd, c] = x.shape;
  const cout = w.shape[3]!;
  const hp = h + 2 * pad;
  const wp = wd + 2 * pad;
  const full1H = hp - k + 1; // stride-1 output size
  const full1W = wp - k + 1;
  const xp = pad > 0 ? padSpatial(x, pad) : x;
  const rows = tf.reshape(xp, [n * hp * wp, c]) as tf.Tensor2D;
  const reach = (k - 1) * wp + (k - 1);
  const length = n * hp * wp - reach;
  const kernels = tf.reshape(w, [k * k, c, cout]);
  const terms: tf.Tensor2D[] = [];
  for (let dy = 0; dy < k; dy++) {
    for (let dx = 0; dx < k; dx++) {
      terms.push(tf.matMul(rowRange(rows, dy * wp + dx, length), tf.reshape(tf.slice(kernels, [dy * k + dx, 0, 0], [1, c, cout]), [c, cout]) as tf.Tensor2D));
    }
  }
  const acc = terms.length === 1 ? terms[0]! : tf.addN(terms);
  const padded = reach > 0 ? tf.concat([acc, tf.zeros([reach, cout])], 0) : acc;
  const grid = tf.reshape(padded, [n, hp, wp, cout]) as tf.Tensor4D;
  const out = crop(grid, full1H, full1W);
  if (stride === 1) return out;
  const outH = Math.floor((hp - k) / stride) + 1;
  const outW = Math.floor((wp - k) / stride) + 1;
  const span = tf.pad(out, [[0, 0], [0, outH * stride - full1H], [0, outW * stride - full1W], [0, 0]]);
  return subsample(span, stride);
}

/** Rows [start, start + length) of a matrix: a zero-copy slice whose gradient is a concat (cpu Pad works per element). */
function rowRange(x: tf.Tensor2D, start: number, length: number): tf.Tensor2D {
  const [total, c] = x.shape;
  const op = tf.customGrad((input) => ({
    value: tf.slice(input as tf.Tensor2D, [start, 0], [length, c]) as tf.Tensor,
    gradFunc: (dy: tf.Tensor) => {
      const parts: tf.Tensor[] = [];
      if (start > 0) parts.push(tf.zeros([start, c]));
      parts.push(dy);
      if (total - start - length > 0) parts.push(tf.zeros([total - start - length, c]));
      return parts.length === 1 ? dy : tf.concat(parts, 0);
    },
  }));
  return op(x) as tf.Tensor2D;
}

/**
 * Symmetric zero padding of H and W. On cpu the gradient of tf.pad is a non-contiguous slice that
 * copies element by element through TensorBuffer.get; the gather-based crop is several times faster.
 */
function padSpatial(x: tf.Tensor4D, pad: number): tf.Tensor4D {
  const [, h, w] = x.shape;
  const op = tf.customGrad((input) => ({
    value: tf.pad(input as tf.Tensor4D, [[0, 0], [pad, pad], [pad, pad], [0, 0]]),
    gradFunc: (dy: tf.Tensor) => cropAt(dy as tf.Tensor4D, pad, h, w),
  }));
  return op(x) as tf.Tensor4D;
}

/** x[:, :h, :w, :], with a zero-padding gradient. */
function crop(x: tf.Tensor4D, h: number, w: number): tf.Tensor4D {
  const [, h0, w0] = x.shape;
  const op = tf.customGrad((input) => ({
    value: cropAt(input as tf.Tensor4D, 0, h, w),
    gradFunc: (dy: tf.Tensor) => tf.pad(dy, [[0, 0], [0, h0 - h], [0, w0 - w], [0, 0]]),
  }));
  return op(x) as tf.Tensor4D;
}

/** x[:, o:o+h, o:o+w, :] as one row gather (no gradient of its own: callers wrap it). */
function cropAt(x: tf.Tensor4D, o: number, h: number, w: number): tf.Tensor4D {
  const [n, h0, w0, c] = x.shape;
  const rows = new Int32Array(n * h * w);
  let r = 0;
  for (let b = 0; b < n; b++) for (let i = 0; i < h; i++) for (let j = 0; j < w; j++) rows[r++] = (b * h0 + i + o) * w0 + j + o;
  return tf.reshape(tf.gather(tf.reshape(x, [n * h0 * w0, c]), tf.tensor1d(rows, 'int32')), [n, h, w, c]);
}

/** x[:, ::s, ::s, :] (torch slicing; output ceil(H/s) × ceil(W/s)) through pad, reshape and slice: StridedSlice has no gradient in tfjs. */
export function subsample(x: tf.Tensor4D, s: number): tf.Tensor4D {
  const [n, h0, w0, c] = x.shape;
  const h = Math.ceil(h0 / s) * s;
  const w = Math.ceil(w0 / s) * s;
  const even = h === h0 && w === w0 ? x : tf.pad(x, [[0, 0], [0, h - h0], [0, w - w0], [0, 0]]);
  const rows = tf.reshape(tf.slice(tf.reshape(even, [n, h / s, s, w * c]), [0, 0, 0, 0], [n, h / s, 1, w * c]), [n, h / s, w / s, s * c]) as tf.Tensor4D;
  return tf.slice(rows, [0, 0, 0, 0], [n, h / s, w / s, c]);
}

/** torch defaults: the running statistics move by 10 % of the batch statistics per step. */
export const BN_MOMENTUM = 0.1;
export const NORM_EPS = 1e-5;

/**
 * Batch normalisation over every axis but the last (BatchNorm1d on [b, c], BatchNorm2d on NHWC).
 * Training: normalise with the biased batch variance; the running variance moves towards the
 * unbiased one (n/(n−1)), as torch does. Eval: normalise with the running statistics.
 */
export function batchNorm(b: ParamBuilder, name: string, channels: number, affine = true): Forward {
  return normalisation(b, name, channels, affine, false);
}

/**
 * relu(batchNorm(x)) in one layer: on cpu and wasm a training pass runs as one fused kernel
 * forward and one backward (src/backends/kernels/batch-norm.ts) instead of ~20 composite ones.
 */
export function batchNormRelu(b: ParamBuilder, name: string, channels: number): Forward {
  return normalisation(b, name, channels, true, true);
}

function normalisation(b: ParamBuilder, name: string, channels: number, affine: boolean, relu: boolean): Forward {
  // affine false: torch BatchNorm1d(affine=False), no γ/β (AdaFace's embedding BN)
  const gamma = affine ? b.param(`${name}/gamma`, [channels], 'kernel', ones) : undefined;
  const beta = affine ? b.param(`${name}/beta`, [channels], 'bias', zeros) : undefined;
  const runningMean = b.buffer(`${name}/running_mean`, [channels], 0);
  const runningVar = b.buffer(`${name}/running_var`, [channels], 1);
  const act = (y: tf.Tensor): tf.Tensor => (relu ? tf.relu(y) : y);
  return (x, ctx) => {
    if (!ctx.training) {
      return act(tf.batchNorm(x, runningMean, runningVar, beta, gamma, NORM_EPS));
    }
    const n = x.size / channels;
    let y: tf.Tensor, mean: tf.Tensor, variance: tf.Tensor;
    if (gamma && beta && fusedBatchNormActive()) {
      ({ y, mean, variance } = batchNormTrain(x, gamma, beta, NORM_EPS, relu));
    } else {
      const axes = x.shape.slice(0, -1).map((_, i) => i);
      ({ mean, variance } = tf.moments(x, axes));
      const normalised = tf.div(tf.sub(x, mean), tf.sqrt(tf.add(variance, NORM_EPS)));
      y = act(gamma && beta ? tf.add(tf.mul(normalised, gamma), beta) : normalised);
    }
    const unbiased = tf.mul(variance, n / Math.max(n - 1, 1));
    const m = ctx.bnMomentum ?? BN_MOMENTUM;
    ctx.updates.push(
      [runningMean, tf.add(tf.mul(runningMean, 1 - m), tf.mul(mean, m))],
      [runningVar, tf.add(tf.mul(runningVar, 1 - m), tf.mul(unbiased, m))],
    );
    return y;
  };
}

/** LayerNorm over the last axis (torch nn.LayerNorm: eps 1e-5, weight 1, bias 0). */
export function layerNorm(b: ParamBuilder, name: string, dim: number): Forward {
  const gamma = b.param(`${name}/gamma`, [dim], 'kernel', ones);
  const beta = b.param(`${name}/beta`, [dim], 'bias', zeros);
  return (x) => {
    const { mean, variance } = tf.moments(x, -1, true);
    const normalised = tf.div(tf.sub(x, mean), tf.sqrt(tf.add(variance, NORM_EPS)));
    return tf.add(tf.mul(normalised, gamma), beta);
  };
}

/**
 * Inverted dropout (torch): zero with probability `rate` and scale survivors by 1/(1−rate), only in
 * training. The mask depends only on the pass's dropout seed and the layer label.
 */
export function dropout(rate: number, label: string): Forward {
  return (x, ctx) => {
    if (!ctx.training || rate === 0) return x;
    const u = tf.randomUniform(x.shape, 0, 1, 'float32', ctx.dropoutSeed(label));
    const keep = tf.cast(tf.greaterEqual(u, rate), 'float32');
    return tf.mul(x, tf.mul(keep, 1 / (1 - rate)));
  };
}

/** Derives a layer's dropout seed from the pass seed. */
export function layerSeed(passSeed: number, label: string): number {
  return hashSeed(passSeed, 'dropout', label);
}

/** Chains forwards left to right. */
export function sequential(...layers: readonly Forward[]): Forward {
  return (x, ctx) => layers.reduce((h, f) => f(h, ctx), x);
}

/**
 * table[ids] for ids of any shape → [...ids.shape, E]. The gradient is oneHot(ids)ᵀ·dy, one matMul,
 * instead of tfjs' UnsortedSegmentSum, which on cpu makes vocab-many full passes over dy.
 */
export function embeddingLookup(table: tf.Tensor, ids: tf.Tensor): tf.Tensor {
  const [vocab, width] = table.shape as [number, number];
  // ids go through the op's inputs and `save`, so the tape keeps them alive for the backward pass
  const op = tf.customGrad((t, i, save) => {
    (save as tf.GradSaveFunc)([i as tf.Tensor]);
    return {
      value: tf.gather(t as tf.Tensor, i as tf.Tensor),
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
        const [indices] = saved as [tf.Tensor];
        const oneHot = tf.oneHot(tf.reshape(indices, [-1]), vocab, 1, 0, 'float32');
        return [tf.matMul(oneHot, tf.reshape(dy, [-1, width]), true, false), tf.zerosLike(indices)];
      },
    };
  });
  return op(table, ids);
}
