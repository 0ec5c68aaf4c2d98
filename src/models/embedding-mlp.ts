/**
 * Token embeddings concatenated over the sequence, then an MLP: the embedding MLP of the grokking
 * literature (modular arithmetic on (a, b) token pairs). One table is shared by all positions
 * unless `shared_embedding` is false.
 * Init: embedding tables N(0, 1) (torch nn.Embedding); Linear layers torch default U(±1/√fan_in).
 */
import { z } from 'zod';
import * as tf from '../backends/tf.js';
import { functionalModel } from './functional-model.js';
import { defineModel } from './define-model.js';
import { outputHead } from './heads.js';
import { tokenSupport } from './inputs.js';
import { embeddingLookup } from './layers.js';
import { activationSchema, dropoutSchema, hiddenSchema, mlpTrunk } from './mlp.js';
import { ParamBuilder } from './param-builder.js';

const schema = z.strictObject({
  embed_dim: z.number().int().positive().default(128).describe('Width of each token embedding'),
  shared_embedding: z.boolean().default(true).describe('One embedding table for every position (false: one table per position)'),
  hidden: hiddenSchema([200, 200]),
  activation: activationSchema,
  dropout: dropoutSchema,
});

export const embeddingMlp = defineModel({
  name: 'embedding-mlp',
  summary: 'Token embeddings concatenated over positions → MLP (grokking / modular arithmetic)',
  schema,
  info: { input: 'tokens [seqLen]', init: 'embeddings N(0,1); torch nn.Linear U(±1/√fan_in)' },
  supports: (_o, data) => tokenSupport(data),
  build(o, deps) {
    const seqLen = deps.data.inputShape[0]!;
    const vocab = deps.data.vocabSize!;
    const b = new ParamBuilder('embedding-mlp', deps.seed);
    const tables = o.shared_embedding
      ? [b.param('embedding/table', [vocab, o.embed_dim], 'kernel', { kind: 'normal', std: 1 })]
      : Array.from({ length: seqLen }, (_, i) => b.param(`embedding_${i}/table`, [vocab, o.embed_dim], 'kernel', { kind: 'normal', std: 1 }));
    const inDim = seqLen * o.embed_dim;
    const trunk = mlpTrunk(b, inDim, o.hidden, { activation: o.activation, dropout: o.dropout, batchNorm: false });
    const head = outputHead(b, deps, trunk.outDim);
    return functionalModel(b, trunk.outDim, deps.seed, (x, ctx) => {
      const ids = tf.cast(x, 'int32');
      const embedded = o.shared_embedding
        ? tf.reshape(embeddingLookup(tables[0]!, ids), [-1, inDim])
        : tf.concat(tables.map((t, i) => embeddingLookup(t, tf.reshape(tf.slice(ids, [0, i], [-1, 1]), [-1]))), 1);
      return head(trunk.forward(embedded, ctx));
    });
  },
});
