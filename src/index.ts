/** minima as a library: the registries and factories behind the CLI, for users with their own TF.js models. */
export { createOptimizer, createSchedule, optimizerRegistry, scheduleRegistry } from './optim/index.js';
export type { Optimizer, Closure, StepResult, Schedule, ScheduleDeps } from './optim/types.js';
export { createLoss, lossRegistry } from './losses/index.js';
export { datasetRegistry } from './data/index.js';
export { modelRegistry } from './models/index.js';
export { diagnosticRegistry } from './diagnostics/index.js';
export { catalog } from './registries.js';
export { loadExperiment } from './config/load.js';
export type { ExperimentConfig } from './config/schema.js';
export { initBackend, type BackendInfo, type BackendName } from './backends/index.js';
export { Rng } from './core/random.js';
export { RunnerError, ConfigError, UnknownNameError, ExitCode } from './core/errors.js';
export type { ParamSpec, DataSpec, Dataset, Model, Objective, LossNeeds } from './core/types.js';
export type { Entry, Registry, Spec } from './core/registry.js';
