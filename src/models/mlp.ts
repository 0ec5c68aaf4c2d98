/** Multi-layer perceptron: [Linear → (BatchNorm) → activation → (Dropout)] × hidden, then the head. */
import { z } from 'zod';
import { functionalModel } from './functional-model.js';
import { defineModel } from './define-model.js';
import { outputHead } from './heads.js';
import { denseInputSize, denseSupport, toDenseFeatures } from './inputs.js';
import { type ActivationName, type Forward, activation, activationNames, batchNorm, dense, dropout } from './layers.js';
import { ParamBuilder } from './param-builder.js';

export interface TrunkOptions {
  readonly activation: ActivationName;
  readonly dropout: number;
  readonly batchNorm: boolean;
}

/** Hidden layers named dense_i / bn_i; returns the forward and the width of its output. */
export function mlpTrunk(b: ParamBuilder, inDim: number, hidden: readonly number[], o: TrunkOptions, offset = 0): { forward: Forward; outDim: number } {
  const act = activation(o.activation);
  const layers: Forward[] = [];
  let width = inDim;
  hidden.forEach((h, j) => {
    const i = j + offset;
    const fc = dense(b, `dense_${i}`, width, h);
    const bn = o.batchNorm ? batchNorm(b, `bn_${i}`, h) : undefined;
    const drop = dropout(o.dropout, `dropout_${i}`);
    layers.push((x, ctx) => drop(act(bn ? bn(fc(x, ctx), ctx) : fc(x, ctx)), ctx));
    width = h;
  });
  return { forward: (x, ctx) => layers.reduce((h, f) => f(h, ctx), x), outDim: width };
}

export const hiddenSchema = (fallback: number[]) =>
  z.array(z.number().int().positive()).default(fallback).describe('Widths of the hidden layers, in order');
export const activationSchema = z.enum(activationNames).default('relu').describe('Hidden activation (gelu is the exact erf form)');
export const dropoutSchema = z.number().min(0).lt(1).default(0).describe('Dropout probability after each hidden activation (inverted, as torch)');

const schema = z.strictObject({
  hidden: hiddenSchema([256]),
  activation: activationSchema,
  dropout: dropoutSchema,
  batch_norm: z.boolean().default(false).describe('BatchNorm1d after each hidden Linear (torch momentum 0.1, eps 1e-5)'),
  multi_sample_dropout: z
    .strictObject({
      samples: z.number().int().min(2).default(8).describe('K: dropout masks on the features the head reads (Inoue 2019 uses 8)'),
      rate: z.number().gt(0).lt(1).default(0.5).describe('dropout probability of each mask'),
    })
    .nullable()
    .default(null)
    .describe('Multi-sample dropout (Inoue 2019): in training, the head on K dropout masks of the last hidden features and the loss averaged over the K outputs; null = off'),
});

export const mlp = defineModel({
  name: 'mlp',
  summary: 'Multi-layer perceptron on the flattened input (token ids one-hot encoded)',
  schema,
  info: { input: 'any (flattened; tokens one-hot)', init: 'torch nn.Linear: U(±1/√fan_in)' },
  supports: (_o, data) => denseSupport(data),
  build(o, deps) {
    const b = new ParamBuilder('mlp', deps.seed);
    const trunk = mlpTrunk(b, denseInputSize(deps.data), o.hidden, { activation: o.activation, dropout: o.dropout, batchNorm: o.batch_norm });
    const head = outputHead(b, deps, trunk.outDim, {}, o.multi_sample_dropout);
    return functionalModel(b, trunk.outDim, deps.seed, (x, ctx) => head(trunk.forward(toDenseFeatures(x, deps.data), ctx), ctx));
  },
});
