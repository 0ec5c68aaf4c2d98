import { z } from 'zod';
import type { Entry } from '../core/registry.js';
import type { DataSpec, Dataset, DatasetDeps, SplitName, Task } from '../core/types.js';
import type { RawData } from './raw-data.js';
import { finalizeDataset, transformShape, type TransformOptions } from './transforms.js';
import { invalidFile } from './data-errors.js';

type Shape = z.ZodRawShape;
export type DatasetOptions<S extends Shape> = z.output<z.ZodObject<S & typeof transformShape>>;

/**
 * What a dataset's options say about it before its data is read: the config rules check models,
 * losses and transforms against it. Synthetic datasets know everything; file datasets read only
 * headers. A fact left out is known only once the data loads.
 */
export interface DataDescription {
  readonly spec: { readonly task: Task } & Partial<Omit<DataSpec, 'task' | 'classCounts' | 'groupCounts'>>;
  /** True when `spec` holds every fact load() reports (so an absent `classNames` means none). */
  readonly complete: boolean;
  /** Split sizes before the transforms (subset, long tail), where known. */
  readonly sizes: Partial<Record<SplitName, number>>;
  /** Whether the data has a standard asymmetric-noise map; absent when unknown. */
  readonly asymmetricMap?: boolean;
}

export interface DatasetEntry extends Entry<any, Promise<Dataset>, DatasetDeps> {
  /**
   * The dataset's description without loading it (headers at most). Throws ConfigError for
   * options that cannot work together and DATASET_INVALID for a header the loader would reject.
   * A missing file is not an error here: its facts stay unknown and loading reports it
   * (DATASET_MISSING), so a config validates before `minima data fetch` and on resume.
   */
  describe(options: any, deps: DatasetDeps): DataDescription;
}

/** A description with every fact, from a spec and split sizes that are known up front. */
export function knownData(spec: Omit<DataSpec, 'classCounts'>, sizes: Record<SplitName, number>, asymmetricMap = false): DataDescription {
  return { spec, complete: true, sizes, asymmetricMap };
}

/**
 * A dataset entry: its own options plus the shared transform options (one strict schema), a
 * `describe` that says what the options determine, a loader that produces RawData, and the shared
 * pipeline that turns it into a Dataset. `create` describes first, so the option checks that
 * `describe` makes (and the config rules repeat before any data loads) are written once.
 */
export function defineDataset<S extends Shape>(def: {
  readonly name: string;
  readonly summary: string;
  readonly info?: Readonly<Record<string, string | number | boolean>>;
  readonly options: S;
  describe(options: DatasetOptions<S>, deps: DatasetDeps): DataDescription;
  load(options: DatasetOptions<S>, deps: DatasetDeps): RawData | Promise<RawData>;
}): DatasetEntry {
  const schema = z.strictObject({ ...def.options, ...transformShape });
  return {
    name: def.name,
    summary: def.summary,
    schema,
    ...(def.info ? { info: def.info } : {}),
    describe: (options, deps) => readingFiles(() => def.describe(options, deps)),
    async create(options: DatasetOptions<S>, deps: DatasetDeps): Promise<Dataset> {
      readingFiles(() => def.describe(options, deps));
      const raw = await readingFiles(() => def.load(options, deps));
      // the schema merges transformShape, so the transform keys are always there
      return finalizeDataset(raw, options as unknown as TransformOptions, deps.seed);
    },
  };
}

/**
 * Runs a loader step; a file the system cannot read (a folder where a file belongs, no permission,
 * a name too long …) becomes DATASET_INVALID naming it, not an internal error.
 */
function readingFiles<T>(step: () => T): T {
  const fail = (err: unknown): never => {
    const e = err as NodeJS.ErrnoException;
    if (typeof e?.code === 'string' && typeof e.syscall === 'string') throw invalidFile(e.path ?? '(a data file)', `cannot ${e.syscall} it (${e.code})`);
    throw err;
  };
  try {
    const out = step();
    return (out instanceof Promise ? out.catch(fail) : out) as T;
  } catch (err) {
    return fail(err);
  }
}
