/** Shared bits of the data tests: default deps, options every registry entry builds from, reading a whole split back. */
import { join } from 'node:path';
import type { z } from 'zod';
import type { Dataset, DatasetDeps, SplitName } from '../../src/core/types.js';
import { datasetRegistry } from '../../src/data/index.js';
import type { Spec } from '../../src/core/registry.js';
import { npyBytes, writeCifar10, writeCifar100, writeFile, writeIdxFolder, zipBytes } from './make-fixtures.js';

export function deps(seed = 0, root = '/nonexistent-minima-root', configDir = root): DatasetDeps {
  return { seed, root, configDir };
}

/** async, so that an invalid spec (thrown while resolving, before loading) arrives as a rejection. */
export async function build(spec: Spec, seed = 0, root?: string, configDir?: string): Promise<Dataset> {
  return datasetRegistry.build(spec, ['dataset'], deps(seed, root, configDir ?? root));
}

export function all(ds: Dataset, split: SplitName) {
  return ds.gather(split, Int32Array.from({ length: ds.sizes[split] }, (_, i) => i));
}

/** A short fingerprint of one example's features, to compare examples across splits. */
export function rowKey(x: ArrayLike<number>, row: number, width: number): string {
  let h = 0x811c9dc5;
  for (let j = 0; j < width; j++) {
    h ^= Math.round((x[row * width + j] as number) * 1000);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h.toString(16);
}

/** Entries that read files get a fixture here; every other entry must build from (small) defaults. */
export const fixtures: Record<string, (dir: string) => Record<string, unknown>> = {
  idx: (dir) => { writeIdxFolder(join(dir, 'mnist'), 40, 20, true); return {}; },
  cifar10: (dir) => { writeCifar10(join(dir, 'cifar10'), 8, 10); return {}; },
  cifar100: (dir) => { writeCifar100(join(dir, 'cifar100'), 120, 30); return {}; },
  csv: (dir) => {
    writeFile(join(dir, 't.csv'), `u,v,label\n${Array.from({ length: 30 }, (_, i) => `${i},${i * i},${i % 3}`).join('\n')}\n`);
    return { path: 't.csv' };
  },
  npy: (dir) => {
    writeFile(join(dir, 'x.npy'), npyBytes('<f4', [20, 4], Array.from({ length: 80 }, (_, i) => i)));
    writeFile(join(dir, 'y.npy'), npyBytes('<i8', [20], Array.from({ length: 20 }, (_, i) => i % 2)));
    return { x: 'x.npy', y: 'y.npy' };
  },
  npz: (dir) => {
    writeFile(join(dir, 'd.npz'), zipBytes({
      'x_train.npy': npyBytes('|u1', [12, 3, 3], Array.from({ length: 108 }, (_, i) => i)),
      'y_train.npy': npyBytes('<i8', [12], Array.from({ length: 12 }, (_, i) => i % 4)),
    }, true));
    return { path: 'd.npz' };
  },
};

/** Size knobs, applied where an entry has them, so the contract stays fast. */
const small: Record<string, unknown> = { n_train: 48, n_test: 24, train_size: 300, test_size: 100, p: 13 };

/** Small options for entry `name`, with its fixture files written into `dir` (the root and config folder). */
export function optionsFor(name: string, dir: string): Record<string, unknown> {
  const shape = (datasetRegistry.get(name).schema as unknown as z.ZodObject).shape;
  const sized = Object.fromEntries(Object.entries(small).filter(([k]) => k in shape));
  return { ...sized, ...(fixtures[name]?.(dir) ?? {}) };
}
