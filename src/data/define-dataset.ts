import { z } from 'zod';
import type { Entry } from '../core/registry.js';
import type { Dataset, DatasetDeps } from '../core/types.js';
import type { RawData } from './raw-data.js';
import { finalizeDataset, transformShape, type TransformOptions } from './transforms.js';

type Shape = z.ZodRawShape;
export type DatasetOptions<S extends Shape> = z.output<z.ZodObject<S & typeof transformShape>>;
export type DatasetEntry = Entry<any, Promise<Dataset>, DatasetDeps>;

/**
 * A dataset entry: its own options plus the shared transform options (one strict schema), a
 * loader that produces RawData, and the shared pipeline that turns it into a Dataset.
 */
export function defineDataset<S extends Shape>(def: {
  readonly name: string;
  readonly summary: string;
  readonly info?: Readonly<Record<string, string | number | boolean>>;
  readonly options: S;
  load(options: DatasetOptions<S>, deps: DatasetDeps): RawData | Promise<RawData>;
}): DatasetEntry {
  const schema = z.strictObject({ ...def.options, ...transformShape });
  return {
    name: def.name,
    summary: def.summary,
    schema,
    ...(def.info ? { info: def.info } : {}),
    async create(options: DatasetOptions<S>, deps: DatasetDeps): Promise<Dataset> {
      const raw = await def.load(options, deps);
      // the schema merges transformShape, so the transform keys are always there
      return finalizeDataset(raw, options as unknown as TransformOptions, deps.seed);
    },
  };
}
