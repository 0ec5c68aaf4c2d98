/** A single affine map of the flattened input (logistic / softmax regression, linear regression). */
import { z } from 'zod';
import { functionalModel } from './functional-model.js';
import { defineModel } from './define-model.js';
import { outputHead } from './heads.js';
import { denseInputSize, denseSupport, toDenseFeatures } from './inputs.js';
import { ParamBuilder } from './param-builder.js';

const schema = z.strictObject({
  bias: z.boolean().default(true).describe('Learn an output bias'),
});

export const linear = defineModel({
  name: 'linear',
  summary: 'Affine map of the flattened input (token ids one-hot encoded); no hidden layer',
  schema,
  info: { input: 'any (flattened; tokens one-hot)', init: 'torch nn.Linear: U(±1/√fan_in)' },
  supports: (_o, data) => denseSupport(data),
  build(o, deps) {
    const b = new ParamBuilder('linear', deps.seed);
    const inDim = denseInputSize(deps.data);
    const head = outputHead(b, deps, inDim, { bias: o.bias });
    return functionalModel(b, inDim, deps.seed, (x) => head(toDenseFeatures(x, deps.data)));
  },
});
