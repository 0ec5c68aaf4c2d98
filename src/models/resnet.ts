/**
 * CIFAR ResNet of He et al. (2016, §4.2) as in akamaster/pytorch_resnet_cifar10: a 3×3 stem,
 * three stages of n basic blocks (width w, 2w, 4w; the 2nd and 3rd stages halve the resolution),
 * global average pooling and a linear head; depth = 6n + 2.
 * Shortcuts when the shape changes: option A (the paper's CIFAR choice and the reference default)
 * subsamples x[:, ::2, ::2] and zero-pads the channels, adding no parameters; option B uses a 1×1
 * strided conv + BatchNorm.
 * Init (reference `_weights_init`): kaiming_normal_ (fan_in, ReLU gain, N(0, 2/fan_in)) for every
 * conv and linear weight; linear bias torch default U(±1/√fan_in); BN γ = 1, β = 0.
 */
import { z } from 'zod';
import * as tf from '../backends/tf.js';
import { subsamplePad } from '../backends/kernels/shortcut.js';
import { functionalModel } from './functional-model.js';
import { defineModel } from './define-model.js';
import { outputHead } from './heads.js';
import { imageSupport } from './inputs.js';
import { type Forward, batchNorm, batchNormRelu, conv2d, subsample } from './layers.js';
import { ParamBuilder, kaimingNormal, torchDefault } from './param-builder.js';

const depths = [8, 20, 32, 44, 56] as const;

const schema = z.strictObject({
  depth: z.literal(depths).default(20).describe('Total depth 6n+2: 8, 20, 32, 44 or 56'),
  width: z.number().int().positive().default(16).describe('Channels of the first stage (then 2×, 4×)'),
  shortcut: z.enum(['A', 'B']).default('A').describe('A: subsample + zero-pad channels (no params); B: 1×1 conv + BN'),
});

export const resnet = defineModel({
  name: 'resnet',
  summary: 'CIFAR ResNet-8/20/32/44/56 (basic blocks, BatchNorm, option A/B shortcuts)',
  schema,
  info: { input: 'image [H, W, C]', reference: 'akamaster/pytorch_resnet_cifar10', init: 'kaiming_normal fan_in (conv, linear); BN 1/0' },
  supports: (_o, data) => imageSupport(data),
  build(o, deps) {
    const inChannels = deps.data.inputShape[2]!;
    const b = new ParamBuilder('resnet', deps.seed);
    const n = (o.depth - 2) / 6;
    const conv3 = (name: string, cin: number, cout: number, stride: number): Forward =>
      conv2d(b, name, { kernelSize: 3, inChannels: cin, outChannels: cout, stride, bias: false, kernelInit: kaimingNormal(9 * cin) });
    const stemConv = conv3('conv1', inChannels, o.width, 1);
    const stemBn = batchNormRelu(b, 'bn1', o.width);
    const blocks: Forward[] = [];
    let cin = o.width;
    [o.width, 2 * o.width, 4 * o.width].forEach((planes, s) => {
      for (let i = 0; i < n; i++) {
        const stride = s > 0 && i === 0 ? 2 : 1;
        const at = `layer${s + 1}_${i}`;
        const c1 = conv3(`${at}/conv1`, cin, planes, stride);
        const b1 = batchNormRelu(b, `${at}/bn1`, planes);
        const c2 = conv3(`${at}/conv2`, planes, planes, 1);
        const b2 = batchNorm(b, `${at}/bn2`, planes);
        const shortcut = stride !== 1 || cin !== planes ? projection(b, at, o.shortcut, cin, planes, stride) : (x: tf.Tensor) => x;
        blocks.push((x, ctx) => {
          const y = b2(c2(b1(c1(x, ctx), ctx), ctx), ctx);
          return tf.relu(tf.add(y, shortcut(x, ctx)));
        });
        cin = planes;
      }
    });
    const head = outputHead(b, deps, cin, { kernelInit: kaimingNormal(cin), biasInit: torchDefault(cin) });
    return functionalModel(b, cin, deps.seed, (x, ctx) => {
      const stem = stemBn(stemConv(x.dtype === 'float32' ? x : tf.cast(x, 'float32'), ctx), ctx);
      const features = blocks.reduce((h, f) => f(h, ctx), stem);
      return head(tf.mean(features, [1, 2]));
    });
  },
});

function projection(b: ParamBuilder, at: string, kind: 'A' | 'B', cin: number, planes: number, stride: number): Forward {
  if (kind === 'A') {
    const before = Math.floor((planes - cin) / 2);
    return (x) => subsamplePad(x as tf.Tensor4D, stride, before, planes)
      ?? tf.pad(stride === 1 ? x : subsample(x as tf.Tensor4D, stride), [[0, 0], [0, 0], [0, 0], [before, planes - cin - before]]);
  }
  const conv = conv2d(b, `${at}/shortcut/conv`, { kernelSize: 1, inChannels: cin, outChannels: planes, stride, padding: 0, bias: false, kernelInit: kaimingNormal(cin) });
  const bn = batchNorm(b, `${at}/shortcut/bn`, planes);
  return (x, ctx) => bn(conv(x, ctx), ctx);
}
