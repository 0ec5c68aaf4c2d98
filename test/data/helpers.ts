/** Shared bits of the data tests: default deps and reading a whole split back. */
import type { Dataset, DatasetDeps, SplitName } from '../../src/core/types.js';
import { datasetRegistry } from '../../src/data/index.js';
import type { Spec } from '../../src/core/registry.js';

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
