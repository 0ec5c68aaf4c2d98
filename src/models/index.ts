/**
 * The model registry: the one list to edit when adding a model. Every entry also answers
 * `supports(options, data)`, used by `modelSupports` (config rules) and by `create`.
 */
import { createRegistry, type Spec } from '../core/registry.js';
import { specOptions } from '../core/spec.js';
import type { DataSpec, Model, ModelDeps } from '../core/types.js';
import { cnn } from './cnn.js';
import { headWidth } from './heads.js';
import type { ModelEntry } from './define-model.js';
import { withoutInitialisation } from './param-builder.js';
import { embeddingMlp } from './embedding-mlp.js';
import { linear } from './linear.js';
import { diagonalLinear } from './diagonal-linear.js';
import { mlp } from './mlp.js';
import { resnet } from './resnet.js';
import { transformer } from './transformer.js';
import { wideResnet } from './wide-resnet.js';

export const modelEntries: readonly ModelEntry[] = [linear, mlp, cnn, resnet, wideResnet, embeddingMlp, transformer, diagonalLinear];

export const modelRegistry = createRegistry<Model, ModelDeps, ModelEntry>('model', modelEntries);

export type { ModelEntry } from './define-model.js';

/** null when `spec` can be built for `data`, else why not (for the config rules, before training). */
export function modelSupports(spec: Spec, data: DataSpec): string | null {
  const resolved = modelRegistry.resolve(spec, ['model']);
  return modelRegistry.get(resolved.name).supports(specOptions(resolved), data);
}

/** Resolves the spec (unless it already is) and builds the model (ConfigError for bad options or an impossible dataset). */
export function buildModel(spec: Spec, deps: ModelDeps): Model {
  return modelRegistry.build(spec, ['model'], deps);
}

export interface LayerSummary {
  /** Parameter path without the last segment, e.g. `mlp/dense_0`. */
  readonly layer: string;
  /** Shape of each tensor of the layer, by last name segment (kernel, bias, gamma …). */
  readonly shapes: Readonly<Record<string, readonly number[]>>;
  readonly params: number;
}

export interface ModelDescription {
  readonly name: string;
  readonly paramCount: number;
  readonly embeddingDim: number;
  readonly outputDim: number;
  readonly bufferCount: number;
  readonly layers: readonly LayerSummary[];
}

/** Builds the model once with zero-filled variables to report its size, e.g. for `minima list models`. */
export function describeModel(spec: Spec, data: DataSpec, head: ModelDeps['head'] = 'logits'): ModelDescription {
  const model = withoutInitialisation(() => buildModel(spec, { data, seed: 0, head }));
  try {
    const layers: { layer: string; shapes: Record<string, readonly number[]>; params: number }[] = [];
    for (const p of model.params) {
      const cut = p.name.lastIndexOf('/');
      const layer = p.name.slice(0, cut);
      let row = layers.at(-1);
      if (!row || row.layer !== layer) layers.push((row = { layer, shapes: {}, params: 0 }));
      row.shapes[p.name.slice(cut + 1)] = p.variable.shape;
      row.params += p.variable.size;
    }
    return {
      name: spec.name,
      paramCount: model.paramCount,
      embeddingDim: model.embeddingDim,
      outputDim: head === 'embeddings' ? model.embeddingDim : headWidth({ data, head }),
      bufferCount: model.buffers.reduce((n, b) => n + b.variable.size, 0),
      layers,
    };
  } finally {
    model.dispose();
  }
}
