/**
 * A configurable convolutional stack for small images:
 * [Conv k×k (stride 1, padding k//2) → (BatchNorm) → activation → 2×2 pool] per entry of `channels`,
 * then flatten → hidden dense layers (with dropout) → head.
 */
import { z } from 'zod';
import * as tf from '../backends/tf.js';
import { functionalModel } from './functional-model.js';
import { defineModel } from './define-model.js';
import { outputHead } from './heads.js';
import { imageSupport } from './inputs.js';
import { type Forward, activation, batchNorm, conv2d } from './layers.js';
import { activationSchema, dropoutSchema, hiddenSchema, mlpTrunk } from './mlp.js';
import { ParamBuilder } from './param-builder.js';

const schema = z.strictObject({
  channels: z.array(z.number().int().positive()).min(1).default([32, 64]).describe('Output channels of each conv block'),
  kernel_size: z.number().int().positive().refine((k) => k % 2 === 1, 'must be odd (padding k//2 keeps the size)').default(3).describe('Square kernel size of every conv'),
  pooling: z.enum(['max', 'avg', 'none']).default('max').describe('2×2 stride-2 pooling after each conv block'),
  hidden: hiddenSchema([128]),
  activation: activationSchema,
  dropout: dropoutSchema,
  batch_norm: z.boolean().default(false).describe('BatchNorm after every conv and hidden dense layer'),
});
type Options = z.output<typeof schema>;

/** Spatial size after the blocks (2×2 pools floor, as torch MaxPool2d(2)). */
function finalSize(o: Options, h: number, w: number): [number, number] {
  const n = o.pooling === 'none' ? 0 : o.channels.length;
  return [Math.floor(h / 2 ** n), Math.floor(w / 2 ** n)];
}

export const cnn = defineModel({
  name: 'cnn',
  summary: 'Conv blocks (conv → [bn] → act → 2×2 pool) then a dense head; for MNIST/CIFAR-sized images',
  schema,
  info: { input: 'image [H, W, C]', init: 'torch nn.Conv2d / nn.Linear: U(±1/√fan_in)' },
  supports(o, data) {
    const problem = imageSupport(data);
    if (problem) return problem;
    const [h, w] = finalSize(o, data.inputShape[0]!, data.inputShape[1]!);
    if (h < 1 || w < 1) return `${o.channels.length} pooling stages shrink the ${data.inputShape[0]}×${data.inputShape[1]} input to nothing; use fewer channels entries or pooling: none`;
    return null;
  },
  build(o, deps) {
    const [height, width, inChannels] = deps.data.inputShape as [number, number, number];
    const b = new ParamBuilder('cnn', deps.seed);
    const act = activation(o.activation);
    const blocks: Forward[] = [];
    let cin = inChannels;
    o.channels.forEach((cout, i) => {
      const conv = conv2d(b, `block_${i}/conv`, { kernelSize: o.kernel_size, inChannels: cin, outChannels: cout });
      const bn = o.batch_norm ? batchNorm(b, `block_${i}/bn`, cout) : undefined;
      blocks.push((x, ctx) => {
        const y = act(bn ? bn(conv(x, ctx), ctx) : conv(x, ctx)) as tf.Tensor4D;
        if (o.pooling === 'max') return tf.maxPool(y, 2, 2, 'valid');
        if (o.pooling === 'avg') return tf.avgPool(y, 2, 2, 'valid');
        return y;
      });
      cin = cout;
    });
    const [h, w] = finalSize(o, height, width);
    const flat = h * w * cin;
    const trunk = mlpTrunk(b, flat, o.hidden, { activation: o.activation, dropout: o.dropout, batchNorm: o.batch_norm });
    const head = outputHead(b, deps, trunk.outDim);
    return functionalModel(b, trunk.outDim, deps.seed, (x, ctx) => {
      const image = x.dtype === 'float32' ? x : tf.cast(x, 'float32');
      const features = blocks.reduce((t, f) => f(t, ctx), image);
      return head(trunk.forward(tf.reshape(features, [-1, flat]), ctx));
    });
  },
});
