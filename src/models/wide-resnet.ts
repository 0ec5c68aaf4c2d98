/**
 * Wide ResNet WRN-d-k (Zagoruyko & Komodakis 2016) as in xternalz/WideResNet-pytorch, the model of
 * the SAM reference recipe (WRN-16-8): pre-activation basic blocks (BN → ReLU → conv3×3 → BN →
 * ReLU → dropout → conv3×3), widths 16k, 32k, 64k with (d−4)/6 blocks per stage, 1×1 conv
 * shortcuts where the width or stride changes, then BN → ReLU → global average pool → linear.
 * Init (reference): conv N(0, 2/(k·k·out)) (kaiming_normal fan_out), BN γ = 1, β = 0, linear bias 0,
 * linear weight torch default U(±1/√fan_in).
 */
import { z } from 'zod';
import * as tf from '../backends/tf.js';
import { functionalModel } from './functional-model.js';
import { defineModel } from './define-model.js';
import { outputHead } from './heads.js';
import { imageSupport } from './inputs.js';
import { type Forward, batchNormRelu, conv2d, dropout } from './layers.js';
import { ParamBuilder, kaimingNormal, zeros } from './param-builder.js';

const schema = z.strictObject({
  depth: z.number().int().refine((d) => d >= 10 && (d - 4) % 6 === 0, 'must be 6n + 4 with n ≥ 1 (10, 16, 22, 28, 40 …)').default(16).describe('Total depth 6n+4'),
  widen_factor: z.number().int().positive().default(8).describe('Width multiplier k (stages 16k, 32k, 64k)'),
  dropout: z.number().min(0).lt(1).default(0).describe('Dropout between the two convs of each block (dropRate)'),
});

export const wideResnet = defineModel({
  name: 'wide-resnet',
  summary: 'Wide ResNet WRN-d-k (default WRN-16-8, the SAM recipe), pre-activation blocks, dropout option',
  schema,
  info: { input: 'image [H, W, C]', reference: 'xternalz/WideResNet-pytorch', init: 'kaiming_normal fan_out (conv); BN 1/0; linear bias 0' },
  supports: (_o, data) => imageSupport(data),
  build(o, deps) {
    const inChannels = deps.data.inputShape[2]!;
    const b = new ParamBuilder('wide-resnet', deps.seed);
    const n = (o.depth - 4) / 6;
    const conv = (name: string, k: number, cin: number, cout: number, stride: number): Forward =>
      conv2d(b, name, { kernelSize: k, inChannels: cin, outChannels: cout, stride, padding: Math.floor(k / 2), bias: false, kernelInit: kaimingNormal(k * k * cout) });
    const stem = conv('conv1', 3, inChannels, 16, 1);
    const blocks: Forward[] = [];
    let cin = 16;
    [16 * o.widen_factor, 32 * o.widen_factor, 64 * o.widen_factor].forEach((cout, s) => {
      for (let i = 0; i < n; i++) {
        const stride = s > 0 && i === 0 ? 2 : 1;
        const at = `block${s + 1}_${i}`;
        const bn1 = batchNormRelu(b, `${at}/bn1`, cin);
        const conv1 = conv(`${at}/conv1`, 3, cin, cout, stride);
        const bn2 = batchNormRelu(b, `${at}/bn2`, cout);
        const drop = dropout(o.dropout, `${at}/dropout`);
        const conv2 = conv(`${at}/conv2`, 3, cout, cout, 1);
        const equalInOut = cin === cout && stride === 1;
        const shortcut = equalInOut ? undefined : conv(`${at}/shortcut`, 1, cin, cout, stride);
        blocks.push((x, ctx) => {
          // as the reference: when the shape changes, the shortcut sees the pre-activated input
          const act = bn1(x, ctx);
          const y = conv2(drop(bn2(conv1(act, ctx), ctx), ctx), ctx);
          return tf.add(shortcut ? shortcut(act, ctx) : x, y);
        });
        cin = cout;
      }
    });
    const finalBn = batchNormRelu(b, 'bn', cin);
    const head = outputHead(b, deps, cin, { biasInit: zeros });
    return functionalModel(b, cin, deps.seed, (x, ctx) => {
      const h = blocks.reduce((t, f) => f(t, ctx), stem(x.dtype === 'float32' ? x : tf.cast(x, 'float32'), ctx));
      return head(tf.mean(finalBn(h, ctx), [1, 2]));
    });
  },
});
