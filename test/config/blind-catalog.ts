/**
 * The catalog without the facts the config rules read (dataset `describe`, model `supports`,
 * loss `needs`): loading with it is the config stage as it was before the rules, so what
 * `buildExperiment` then rejects is what `run` rejects without them.
 */
import type { Catalog } from '../../src/core/resolve-spec.js';
import type { Entry, Registry } from '../../src/core/registry.js';
import { catalog } from '../../src/registries.js';

/** The registry with `strip` removed from every entry it hands out. */
function without(registry: Registry, strip: string): Registry {
  return { ...registry, get: (name: string) => { const { [strip]: _gone, ...rest } = registry.get(name) as unknown as Record<string, unknown>; return rest as unknown as Entry; } };
}

export const blindCatalog: Catalog = {
  ...catalog,
  dataset: without(catalog.dataset, 'describe'),
  model: without(catalog.model, 'supports'),
  loss: without(catalog.loss, 'needs'),
};
