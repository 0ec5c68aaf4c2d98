/** The catalog: one registry per kind, the one place that lists them all. */
import type { Registry, RegistryKind } from './core/registry.js';
import { datasetRegistry } from './data/index.js';
import { modelRegistry } from './models/index.js';
import { lossRegistry } from './losses/index.js';
import { optimizerRegistry, scheduleRegistry } from './optim/index.js';
import { diagnosticRegistry } from './diagnostics/index.js';

export const catalog: Readonly<Record<Exclude<RegistryKind, 'transform'>, Registry>> = {
  dataset: datasetRegistry as Registry,
  model: modelRegistry as Registry,
  loss: lossRegistry as Registry,
  optimizer: optimizerRegistry as Registry,
  schedule: scheduleRegistry as Registry,
  diagnostic: diagnosticRegistry as Registry,
};

/** Plural names used on the command line (`minima list optimizers`). */
export const kindNames: Readonly<Record<string, keyof typeof catalog>> = {
  datasets: 'dataset', dataset: 'dataset',
  models: 'model', model: 'model',
  losses: 'loss', loss: 'loss',
  optimizers: 'optimizer', optimizer: 'optimizer',
  schedules: 'schedule', schedule: 'schedule',
  diagnostics: 'diagnostic', diagnostic: 'diagnostic',
};
