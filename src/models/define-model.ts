/**
 * A model registry entry plus `supports(options, data)`: the check, run before any variable is
 * created, of whether the model can consume the dataset. `create` runs it too, so an impossible
 * combination fails with CONFIG_INVALID even if the config rules did not ask first.
 */
import type { z } from 'zod';
import { ConfigError } from '../core/errors.js';
import type { Entry } from '../core/registry.js';
import type { DataSpec, Model, ModelDeps } from '../core/types.js';

export interface ModelEntry<O = any> extends Entry<O, Model, ModelDeps> {
  /** null when the model can be built for `data`, else the reason it cannot (one sentence). */
  supports(options: O, data: DataSpec): string | null;
}

export interface ModelDefinition<O> {
  readonly name: string;
  readonly summary: string;
  readonly schema: z.ZodType<O>;
  readonly info?: Readonly<Record<string, string | number | boolean>>;
  supports(options: O, data: DataSpec): string | null;
  build(options: O, deps: ModelDeps): Model;
}

export function defineModel<O>(def: ModelDefinition<O>): ModelEntry<O> {
  return {
    name: def.name,
    summary: def.summary,
    schema: def.schema,
    ...(def.info ? { info: def.info } : {}),
    supports: def.supports,
    create(options, deps) {
      const why = def.supports(options, deps.data);
      if (why !== null) throw new ConfigError([{ path: 'model', message: `${def.name}: ${why}` }], 'model does not fit the dataset');
      return def.build(options, deps);
    },
  };
}
