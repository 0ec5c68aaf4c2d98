/** The catalog: one registry per kind, the one place that lists them all. */
import type { Registry, RegistryKind } from './core/registry.js';
import { datasetRegistry } from './data/index.js';
import { modelRegistry } from './models/index.js';
import { lossRegistry } from './losses/index.js';
import { optimizerRegistry, scheduleRegistry } from './optim/index.js';
import { diagnosticRegistry } from './diagnostics/index.js';
import { attackRegistry } from './attacks/index.js';

/** Each registry keeps its own types, so `catalog.loss.get(name).needs` and `catalog.model.build(...)` are typed. */
export const catalog = {
  dataset: datasetRegistry,
  model: modelRegistry,
  loss: lossRegistry,
  optimizer: optimizerRegistry,
  schedule: scheduleRegistry,
  diagnostic: diagnosticRegistry,
  attack: attackRegistry,
} as const satisfies Readonly<Record<Exclude<RegistryKind, 'transform' | 'analysis'>, Registry>>;

/** Plural names used on the command line (`minima list optimizers`). */
export const kindNames: Readonly<Record<string, keyof typeof catalog>> = {
  datasets: 'dataset', dataset: 'dataset',
  models: 'model', model: 'model',
  losses: 'loss', loss: 'loss',
  optimizers: 'optimizer', optimizer: 'optimizer',
  schedules: 'schedule', schedule: 'schedule',
  diagnostics: 'diagnostic', diagnostic: 'diagnostic',
  attacks: 'attack', attack: 'attack',
};
