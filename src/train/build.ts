/**
 * From a resolved config to live components: dataset, model, objective, optimizer, schedule and
 * diagnostics. Everything that can fail because of the config fails here, before a run folder exists.
 */
import { defaultDataRoot } from '../data/data-root.js';
import type { ExperimentConfig } from '../config/schema.js';
import type { Dataset, Model, Objective, ParamSpec } from '../core/types.js';
import type { Optimizer, Schedule } from '../optim/types.js';
import { ConfigError } from '../core/errors.js';
import { hashSeed } from '../core/random.js';
import { catalog } from '../registries.js';
import { createOptimizer } from '../optim/index.js';
import type { Diagnostic } from '../diagnostics/index.js';
import { baseConflicts, effectiveNeeds, headConflicts, lossTermsOf, modelHeadOf, teacherNeedsEmaMessage } from '../losses/needs.js';
import { scheduleMetricMessage } from '../optim/schedules.js';
import { cycledMomentumPath, noMomentumMessage } from '../optim/hyper-schedules.js';

export interface Experiment {
  readonly config: ExperimentConfig;
  readonly dataset: Dataset;
  readonly model: Model;
  readonly objective: Objective;
  readonly params: readonly ParamSpec[];
  readonly optimizer: Optimizer;
  readonly schedule: Schedule;
  /** Hyperparameters other than lr driven step by step (`schedules:`, one-cycle's momentum): path in the optimizer spec → value at a step. */
  readonly hyperSchedules: readonly { readonly path: string; readonly at: (step: number) => number }[];
  readonly diagnostics: readonly { readonly name: string; readonly diagnostic: Diagnostic }[];
  readonly stepsPerEpoch: number;
  readonly totalSteps: number;
  /** Epochs the run spans (fractional when train.steps is not a multiple of an epoch). */
  readonly epochs: number;
  dispose(): void;
}

export interface BuildOptions {
  readonly cwd: string;
  readonly configDir: string;
  readonly dataRoot?: string;
}

/** Loads the dataset (the slow part, kept separate so `minima data info` can reuse it). */
export async function buildDataset(config: ExperimentConfig, opts: BuildOptions): Promise<Dataset> {
  const root = opts.dataRoot ?? defaultDataRoot(opts.cwd);
  return catalog.dataset.build(config.dataset, ['dataset'], { seed: config.data_seed, root, configDir: opts.configDir });
}

export async function buildExperiment(config: ExperimentConfig, opts: BuildOptions): Promise<Experiment> {
  const dataset = await buildDataset(config, opts);
  const data = dataset.spec;
  const needs = effectiveNeeds(catalog.loss, config.loss) ?? catalog.loss.get(config.loss.name).needs;
  const head = modelHeadOf(needs);
  const issues: { path: string; message: string }[] = [];
  if (needs.task !== 'any' && needs.task !== data.task) {
    issues.push({ path: 'loss.name', message: `loss "${config.loss.name}" is for ${needs.task}, but dataset "${config.dataset.name}" is a ${data.task} task` });
  }
  for (const c of [...headConflicts(catalog.loss, config.loss), ...baseConflicts(catalog.loss, config.loss)]) issues.push({ path: c.at.join('.'), message: c.message });
  if (head === 'binary' && data.numClasses !== 2) {
    issues.push({ path: 'loss.name', message: `loss "${config.loss.name}" uses a binary head (one logit), but dataset "${config.dataset.name}" has ${data.numClasses} classes (it needs 2)` });
  }
  if (typeof config.dataset.labeled === 'number' && needs.unlabeled !== true) {
    issues.push({ path: 'loss.name', message: `loss "${config.loss.name}" cannot train on unlabeled rows (dataset.labeled)` });
  }
  if ((config.train.eval_attack || config.train.eval_attacks.length > 0) && (data.task !== 'classification' || data.inputKind !== 'dense')) {
    issues.push({ path: 'train.eval_attack', message: 'an input attack needs a classification dataset with float inputs' });
  }
  for (const term of config.train.ema ? [] : lossTermsOf(config.loss, ['loss'])) {
    if (catalog.loss.has(term.spec.name) && catalog.loss.get(term.spec.name).needs.teacher) issues.push({ path: [...term.at, 'name'].join('.'), message: teacherNeedsEmaMessage(term.spec.name) });
  }
  if (issues.length > 0) throw new ConfigError(issues, 'config does not fit together');

  // The config holds resolved specs: each registry creates them without validating again.
  const model = catalog.model.build(config.model, ['model'], { data, seed: hashSeed(config.seed, 'init'), head });
  let objective: Objective;
  try {
    objective = catalog.loss.build(config.loss, ['loss'], { data, sizes: dataset.sizes, seed: hashSeed(config.seed, 'loss-init'), embeddingDim: model.embeddingDim });
  } catch (err) {
    model.dispose();
    throw err;
  }
  const params = [...model.params, ...objective.variables];
  const n = dataset.sizes.train;
  const stepsPerEpoch = Math.ceil(n / config.train.batch_size);
  const totalSteps = config.train.steps ?? stepsPerEpoch * config.train.epochs!;
  // one-cycle's momentum and `schedules:` drive hyperparameters built as scheduled (the config rule checked them)
  const facts = (name: string) => (catalog.optimizer.has(name) ? catalog.optimizer.get(name) : undefined);
  const cycled = config.schedule.name === 'one-cycle' && config.schedule.cycle_momentum === true ? cycledMomentumPath(config.optimizer, facts) : undefined;
  if (config.schedule.name === 'one-cycle' && config.schedule.cycle_momentum === true && cycled === undefined) {
    objective.dispose();
    model.dispose();
    throw new ConfigError([{ path: 'schedule.cycle_momentum', message: noMomentumMessage(config.optimizer.name) }], 'config does not fit together');
  }
  const driven = Object.entries(config.schedules ?? {});
  const scheduled = [...driven.map(([path]) => path), ...(cycled !== undefined ? [cycled] : [])];
  let optimizer: Optimizer;
  try {
    optimizer = createOptimizer(config.optimizer, params, { skipNonFinite: config.train.on_nonfinite === 'skip', scheduled });
  } catch (err) {
    objective.dispose();
    model.dispose();
    throw err;
  }
  const schedule = catalog.schedule.build(config.schedule, ['schedule'], { baseLr: optimizer.learningRate, totalSteps, stepsPerEpoch });
  const hyperSchedules = driven.map(([path, spec]) => ({
    path,
    at: catalog.schedule.build(spec, ['schedules', path], { baseLr: optimizer.getHyperparameter(path), totalSteps, stepsPerEpoch }) as (step: number) => number,
  }));
  if (cycled !== undefined && schedule.momentum) hyperSchedules.push({ path: cycled, at: schedule.momentum });
  const watched = schedule.observer?.metric.split('.')[0];
  if (watched !== undefined && !config.train.eval_splits.includes(watched as 'train' | 'test')) {
    optimizer.dispose();
    objective.dispose();
    model.dispose();
    throw new ConfigError([{ path: 'schedule.metric', message: scheduleMetricMessage(schedule.observer!.metric, watched) }], 'config does not fit together');
  }
  const diagnostics = config.diagnostics.map((spec, i) => ({
    name: spec.name,
    diagnostic: catalog.diagnostic.build(spec, ['diagnostics', i], {}),
  }));
  return {
    config,
    dataset,
    model,
    objective,
    params,
    optimizer,
    schedule,
    hyperSchedules,
    diagnostics,
    stepsPerEpoch,
    totalSteps,
    epochs: totalSteps / stepsPerEpoch,
    dispose() {
      optimizer.dispose();
      objective.dispose();
      model.dispose();
    },
  };
}
