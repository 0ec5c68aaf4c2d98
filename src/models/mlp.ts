/** Multi-layer perceptron: [Linear → (BatchNorm) → activation → (Dropout)] × hidden, (a linear embedding), then the head. */
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

/** Linear (torch default init) → optional BatchNorm1d(affine=False), no activation: the `embedding` option. */
function linearEmbedding(b: ParamBuilder, inDim: number, o: { readonly dim: number; readonly batch_norm: boolean }): Forward {
  const fc = dense(b, 'embedding', inDim, o.dim);
  const bn = o.batch_norm ? batchNorm(b, 'embedding_bn', o.dim, false) : undefined;
  return (x, ctx) => (bn ? bn(fc(x, ctx), ctx) : fc(x, ctx));
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
  embedding: z
    .strictObject({
      dim: z.number().int().positive().describe('Width of the embedding'),
      batch_norm: z.boolean().default(true).describe('BatchNorm1d(dim, affine=False) on the linear output, as AdaFace net.py\'s output_layer ends (insightface iresnet\'s `features` BN likewise)'),
    })
    .nullable()
    .default(null)
    .describe('A linear embedding layer after the hidden layers, with no activation: the embedding of the face and metric-learning models (AdaFace and insightface Linear → BatchNorm1d; research-ms-loss and Proxy-Anchor a Linear), so cosines span [−1, 1]. The head, or an embedding loss, reads it. null = the last hidden activation is the embedding'),
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
    const embed = o.embedding ? linearEmbedding(b, trunk.outDim, o.embedding) : undefined;
    const width = o.embedding?.dim ?? trunk.outDim;
    const head = outputHead(b, deps, width, {}, o.multi_sample_dropout);
    return functionalModel(b, width, deps.seed, (x, ctx) => {
      const h = trunk.forward(toDenseFeatures(x, deps.data), ctx);
      return head(embed ? embed(h, ctx) : h, ctx);
    });
  },
});
