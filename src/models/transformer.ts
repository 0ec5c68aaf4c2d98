/**
 * A small decoder-only transformer for token-sequence tasks (modular arithmetic): learned token
 * and position embeddings, n_layers pre-LN blocks (causal multi-head self-attention, then an MLP),
 * a final LayerNorm, and the head reads the LAST position. `layer_norm: false` drops every
 * LayerNorm (the grokking transformer of Nanda et al. has none).
 * Init (karpathy/nanoGPT): Linear weights and embeddings N(0, 0.02), the residual output
 * projections N(0, 0.02/√(2·n_layers)), biases 0, LayerNorm γ = 1, β = 0.
 * Dropout (nanoGPT's placement minus attention-probability dropout): on the embeddings and on each
 * residual branch output.
 */
import { z } from 'zod';
import * as tf from '../backends/tf.js';
import { functionalModel } from './functional-model.js';
import { defineModel } from './define-model.js';
import { outputHead } from './heads.js';
import { tokenSupport } from './inputs.js';
import { type Forward, activation, activationNames, dense, dropout, embeddingLookup, layerNorm } from './layers.js';
import { type Init, ParamBuilder, zeros } from './param-builder.js';

const schema = z
  .strictObject({
    n_layers: z.number().int().positive().default(1).describe('Number of transformer blocks'),
    d_model: z.number().int().positive().default(128).describe('Residual stream width'),
    n_heads: z.number().int().positive().default(4).describe('Attention heads (must divide d_model)'),
    d_mlp: z.number().int().positive().default(512).describe('Hidden width of each block MLP'),
    activation: z.enum(activationNames).default('relu').describe('MLP activation'),
    layer_norm: z.boolean().default(true).describe('Pre-LN blocks and a final LayerNorm; false: no normalisation at all'),
    dropout: z.number().min(0).lt(1).default(0).describe('Dropout on embeddings and residual branch outputs'),
  })
  .refine((o) => o.d_model % o.n_heads === 0, { message: 'n_heads must divide d_model', path: ['n_heads'] });

export const transformer = defineModel({
  name: 'transformer',
  summary: 'Small decoder-only transformer (causal attention, learned positions, pre-LN); output from the last position',
  schema,
  info: { input: 'tokens [seqLen]', reference: 'karpathy/nanoGPT (init, block layout)', init: 'N(0, 0.02); residual projections N(0, 0.02/√(2L))' },
  supports: (_o, data) => tokenSupport(data),
  build(o, deps) {
    const seqLen = deps.data.inputShape[0]!;
    const vocab = deps.data.vocabSize!;
    const d = o.d_model;
    const headDim = d / o.n_heads;
    const b = new ParamBuilder('transformer', deps.seed);
    const normal = (std: number): Init => ({ kind: 'normal', std });
    const std = 0.02;
    const residualStd = std / Math.sqrt(2 * o.n_layers);
    const tokens = b.param('token_embedding', [vocab, d], 'kernel', normal(std));
    const positions = b.param('position_embedding', [seqLen, d], 'kernel', normal(std));
    const embedDrop = dropout(o.dropout, 'embedding/dropout');
    const act = activation(o.activation);
    const identity: Forward = (x) => x;
    // additive causal mask: position i attends to j ≤ i
    const maskValues = new Float32Array(seqLen * seqLen);
    for (let i = 0; i < seqLen; i++) for (let j = i + 1; j < seqLen; j++) maskValues[i * seqLen + j] = -1e9;
    const mask = (): tf.Tensor => tf.tensor2d(maskValues, [seqLen, seqLen]);

    const blocks: Forward[] = [];
    for (let l = 0; l < o.n_layers; l++) {
      const at = `block_${l}`;
      const ln1 = o.layer_norm ? layerNorm(b, `${at}/ln1`, d) : identity;
      const qkv = dense(b, `${at}/attn/qkv`, d, 3 * d, { kernelInit: normal(std), biasInit: zeros });
      const proj = dense(b, `${at}/attn/proj`, d, d, { kernelInit: normal(residualStd), biasInit: zeros });
      const ln2 = o.layer_norm ? layerNorm(b, `${at}/ln2`, d) : identity;
      const fc = dense(b, `${at}/mlp/fc`, d, o.d_mlp, { kernelInit: normal(std), biasInit: zeros });
      const out = dense(b, `${at}/mlp/proj`, o.d_mlp, d, { kernelInit: normal(residualStd), biasInit: zeros });
      const drop1 = dropout(o.dropout, `${at}/attn/dropout`);
      const drop2 = dropout(o.dropout, `${at}/mlp/dropout`);
      blocks.push((h, ctx) => {
        const [q, k, v] = tf.split(qkv(ln1(h, ctx), ctx), 3, 2).map(heads) as [tf.Tensor4D, tf.Tensor4D, tf.Tensor4D];
        const scores = tf.add(tf.mul(tf.matMul(q, k, false, true), 1 / Math.sqrt(headDim)), mask());
        const attended = tf.reshape(tf.transpose(tf.matMul(tf.softmax(scores), v), [0, 2, 1, 3]), [-1, seqLen, d]);
        const h1 = tf.add(h, drop1(proj(attended, ctx), ctx));
        return tf.add(h1, drop2(out(act(fc(ln2(h1, ctx), ctx)), ctx), ctx));
      });
    }
    /** [b, T, d] → [b, heads, T, headDim] */
    function heads(t: tf.Tensor): tf.Tensor {
      return tf.transpose(tf.reshape(t, [-1, seqLen, o.n_heads, headDim]), [0, 2, 1, 3]);
    }
    const finalLn = o.layer_norm ? layerNorm(b, 'ln_f', d) : identity;
    const head = outputHead(b, deps, d, { kernelInit: normal(std), biasInit: zeros });
    return functionalModel(b, d, deps.seed, (x, ctx) => {
      const embedded = tf.add(embeddingLookup(tokens, tf.cast(x, 'int32')), positions);
      const h = blocks.reduce((t, f) => f(t, ctx), embedDrop(embedded, ctx));
      const last = tf.reshape(tf.slice(h, [0, seqLen - 1, 0], [-1, 1, d]), [-1, d]);
      return head(finalLn(last, ctx));
    });
  },
});
