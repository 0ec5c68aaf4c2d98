import { ConfigError } from '../core/errors.js';
import type { Spec } from '../core/registry.js';
import type { Dataset, DatasetDeps } from '../core/types.js';
import { datasetRegistry } from './dataset-registry.js';

/**
 * Validates `{name, ...options}` against the entry's schema (issues under `dataset.`) and builds
 * the dataset. For callers without the config resolver (data info, tests, scripts).
 */
export async function buildDataset(spec: Spec, deps: DatasetDeps): Promise<Dataset> {
  const entry = datasetRegistry.get(spec.name);
  const { name: _name, ...options } = spec;
  const parsed = entry.schema.safeParse(options);
  if (!parsed.success) {
    throw new ConfigError(
      parsed.error.issues.map((i) => ({ path: ['dataset', ...i.path.map(String)].join('.'), message: i.message })),
      `invalid options for dataset "${spec.name}"`,
    );
  }
  return entry.create(parsed.data, deps);
}
