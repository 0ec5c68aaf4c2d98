/**
 * The config's cross-field rules (changesets' parse → normalise → small named rules): once every
 * spec has resolved, the dataset is described from its options (and file headers, never the data)
 * and each rule checks one fact against another, pushing every problem it finds. They run in
 * `loadExperiment`, so `validate`, `run`, `sweep --dry-run` and a sweep's check of every trial
 * reject the same configs, before anything loads or is written.
 */
import { ConfigError, RunnerError } from '../core/errors.js';
import type { Spec } from '../core/registry.js';
import type { DataSpec, DatasetDeps, Task } from '../core/types.js';
import { defaultDataRoot } from '../data/data-root.js';
import type { DataDescription, DatasetEntry } from '../data/define-dataset.js';
import { transformIssues, type TransformOptions } from '../data/transforms.js';
import type { LossEntry } from '../losses/common.js';
import { baseConflicts, effectiveNeeds, headConflicts, teacherNeedsEmaMessage } from '../losses/needs.js';
import { scheduleMetricMessage } from '../optim/schedules.js';
import { cycledMomentumPath, noMomentumMessage, unschedulable, type FactsOf } from '../optim/hyper-schedules.js';
import type { ModelEntry } from '../models/define-model.js';
import type { Catalog, PathIssue } from '../core/resolve-spec.js';
import type { TrainConfig } from './schema.js';
import { samplerEntry } from '../data/samplers/index.js';
import { classSplitSets } from '../data/transforms.js';

type Path = readonly (string | number)[];

/** A problem found by a rule: reported at `path`; `also` names the other parts it involves. */
export interface RuleIssue extends PathIssue {
  readonly also?: readonly Path[];
}

/** What the rules read: the resolved specs (absent when one failed to resolve) and the described data. */
export interface RuleInput {
  readonly catalog: Catalog;
  readonly dataset?: Spec | undefined;
  readonly model?: Spec | undefined;
  readonly loss?: Spec | undefined;
  readonly data?: DataDescription | undefined;
  /** The `train` block, when it parsed. */
  readonly train?: TrainConfig | undefined;
  readonly diagnostics?: readonly (Spec | undefined)[] | undefined;
  readonly schedule?: Spec | undefined;
  readonly optimizer?: Spec | undefined;
  /** `schedules:` path → resolved schedule spec (undefined where it failed to resolve). */
  readonly schedules?: Readonly<Record<string, Spec | undefined>> | undefined;
}

export type Rule = (input: RuleInput, issues: RuleIssue[]) => void;

/** Where data files are looked for while describing: as `buildExperiment` will look. */
export interface DescribeContext {
  readonly cwd: string;
  readonly configDir: string;
  readonly dataSeed: number;
}

/** The dataset's name: the other side of every data rule. */
const NAME: Path = ['dataset', 'name'];

function optionsOf(spec: Spec): Record<string, unknown> {
  const { name: _name, ...rest } = spec;
  return rest;
}

/* ------------------------------------------------------------- loss facts */

/** What the rules need to know about a loss entry. */
export interface LossFacts {
  /** The task the loss is for; 'any' fits both. */
  readonly task: Task | 'any';
  /** 'embeddings': the loss owns the classifier, so the model emits its embedding. */
  readonly input: 'logits' | 'embeddings';
  /** Reads only the penultimate features (OPL), so it fits either kind of model output. */
  readonly readsEmbedding: boolean;
  /** Reads the batch's group ids (needs.groups), so the dataset must carry them. */
  readonly groups: boolean;
  /** Re-runs the model on perturbed inputs (needs.inputs): float inputs only. */
  readonly inputs: boolean;
  /** Trains on unlabeled rows, y = −1 (needs.unlabeled). */
  readonly unlabeled: boolean;
  /** Reads the batch's soft targets (needs.softTargets), so it may train on mixed batches (train.mix). */
  readonly softTargets: boolean;
  /** Distils from the EMA of the weights (needs.teacher), so train.ema must be set. */
  readonly teacher: boolean;
}

/** The one place the rules read a loss entry's capability facts (today strings in its `info`). */
export function lossFacts(entry: object): LossFacts {
  const needs = (entry as Partial<Pick<LossEntry, 'needs'>>).needs;
  return {
    task: needs?.task ?? 'any',
    input: needs?.input === 'embeddings' ? 'embeddings' : 'logits',
    readsEmbedding: needs?.input === 'logits+embedding',
    groups: needs?.groups === true,
    inputs: needs?.inputs === true,
    unlabeled: needs?.unlabeled === true,
    softTargets: needs?.softTargets === true,
    teacher: needs?.teacher === true,
  };
}

/** A loss spec, a wrapper's `base` and the `extra` terms, depth first, each with its path. */
function lossTerms(spec: Spec, at: Path): { spec: Spec; at: Path }[] {
  const extra = Array.isArray(spec.extra) ? (spec.extra as (Spec | undefined)[]) : [];
  const base = isSpecLike(spec.base) ? lossTerms(spec.base, [...at, 'base']) : [];
  return [{ spec, at }, ...base, ...extra.flatMap((s, i) => (s ? lossTerms(s, [...at, 'extra', i]) : []))];
}

function isSpecLike(v: unknown): v is Spec {
  return typeof v === 'object' && v !== null && typeof (v as { name?: unknown }).name === 'string';
}

/* ------------------------------------------------------------------ data */

/**
 * The dataset's description from its entry, or undefined (with the entry's issues pushed) when
 * its options cannot work or a header is bad. Entries without `describe` are not described.
 */
export function describeDataset(spec: Spec, catalog: Catalog, ctx: DescribeContext, issues: RuleIssue[]): DataDescription | undefined {
  const entry = catalog.dataset?.get(spec.name) as Partial<DatasetEntry> | undefined;
  if (typeof entry?.describe !== 'function') return undefined;
  const deps: DatasetDeps = { seed: ctx.dataSeed, root: defaultDataRoot(ctx.cwd), configDir: ctx.configDir };
  try {
    return entry.describe(optionsOf(spec), deps);
  } catch (err) {
    if (err instanceof ConfigError) issues.push(...err.issues.map((i) => ({ path: i.path.split('.'), message: i.message, also: [NAME] })));
    else if (err instanceof RunnerError) issues.push({ path: ['dataset'], message: err.message });
    else if (typeof (err as NodeJS.ErrnoException)?.code === 'string') issues.push({ path: ['dataset'], message: `cannot read ${(err as NodeJS.ErrnoException).path ?? 'a data file'}: ${(err as Error).message}` });
    else throw err;
    return undefined;
  }
}

/**
 * The description as a DataSpec, for `supports`, when it knows the input. An unknown class count
 * (a CSV's classes are its label values) is taken at its floor of 2: what a model accepts depends
 * on the input, and every loader rejects fewer classes.
 */
function dataSpecOf(d: DataDescription): DataSpec | undefined {
  const s = d.spec;
  if (!s.inputShape || !s.inputKind) return undefined;
  if (s.inputKind === 'tokens' && s.vocabSize === undefined) return undefined;
  const classes = s.task === 'classification' ? (s.numClasses ?? 2) : 0;
  const outputDim = s.outputDim ?? (s.task === 'classification' ? classes : undefined);
  if (outputDim === undefined) return undefined;
  return { ...s, inputShape: s.inputShape, inputKind: s.inputKind, numClasses: classes, outputDim };
}

/* ----------------------------------------------------------------- rules */

/** Subset, long tail, label noise, normalisation and augmentation fit the dataset. */
export const transformsFitData: Rule = ({ dataset, data }, issues) => {
  if (!dataset || !data) return;
  for (const i of transformIssues(optionsOf(dataset) as unknown as TransformOptions, data)) {
    issues.push({ path: ['dataset', ...i.path.split('.')], message: i.message, also: [NAME] });
  }
};

/** Every loss term is for the dataset's task (a loss for 'any' task fits both). */
export const lossFitsTask: Rule = ({ catalog, dataset, loss, data }, issues) => {
  if (!dataset || !loss || !data || !catalog.loss) return;
  for (const term of lossTerms(loss, ['loss'])) {
    if (!catalog.loss.has(term.spec.name)) continue;
    const task = lossFacts(catalog.loss.get(term.spec.name)).task;
    if (task !== 'any' && task !== data.spec.task) {
      issues.push({
        path: [...term.at, 'name'],
        message: `loss "${term.spec.name}" is for ${task}, but dataset "${dataset.name}" is a ${data.spec.task} task`,
        also: [NAME],
      });
    }
  }
};

/** A loss that makes the model emit embeddings takes no `extra` term that needs logits. */
export const extraTermsGetTheirInput: Rule = ({ catalog, loss }, issues) => {
  const losses = catalog.loss;
  if (!loss || !losses) return;
  // a wrapper's facts are its base's (effectiveNeeds)
  const facts = (s: Spec) => (losses.has(s.name) ? lossFacts({ needs: effectiveNeeds(losses, s) }) : undefined);
  // a term with its own extras reads only embeddings when every part of it does
  const onlyEmbedding = (s: Spec): boolean => lossTerms(s, []).every((t) => facts(t.spec)?.readsEmbedding === true);
  for (const term of lossTerms(loss, ['loss'])) {
    if (facts(term.spec)?.input !== 'embeddings') continue;
    const extra = Array.isArray(term.spec.extra) ? (term.spec.extra as (Spec | undefined)[]) : [];
    extra.forEach((e, i) => {
      if (e && facts(e)?.input === 'logits' && !onlyEmbedding(e)) {
        issues.push({ path: [...term.at, 'extra', i, 'name'], message: `this term needs logits, but "${term.spec.name}" makes the model emit embeddings`, also: [[...term.at, 'name']] });
      }
    });
  }
};

/** The model can consume the dataset's inputs (`supports`). */
export const modelFitsData: Rule = ({ catalog, dataset, model, data }, issues) => {
  if (!dataset || !model || !data || !catalog.model?.has(model.name)) return;
  const entry = catalog.model.get(model.name) as Partial<ModelEntry>;
  const spec = dataSpecOf(data);
  if (typeof entry.supports !== 'function' || !spec) return;
  const why = entry.supports(optionsOf(model), spec);
  if (why !== null) issues.push({ path: ['model', 'name'], message: `model "${model.name}" does not fit dataset "${dataset.name}": ${why}`, also: [NAME] });
};

/**
 * `train.sampler` fits the data: domains reads group ids (a dataset with groups); pk and
 * class-balanced read class labels (no regression); pk's
 * P × K is the batch size, and P classes exist in the train split (after `class_split`). K larger
 * than a class is allowed: like the official RandomIdentitySampler, such a class is padded by
 * drawing its own rows with replacement.
 */
export const samplerFitsData: Rule = ({ train, dataset, data }, issues) => {
  const sampler = train?.sampler;
  if (!sampler || sampler.name === 'shuffle') return;
  const at: Path = ['train', 'sampler'];
  if (data && samplerEntry(sampler.name).needsLabels && data.spec.task !== 'classification') {
    issues.push({ path: [...at, 'name'], message: `sampler "${sampler.name}" draws by class, but dataset "${dataset?.name}" is a ${data.spec.task} task`, also: [NAME] });
    return;
  }
  if (samplerEntry(sampler.name).needsGroups) {
    if (data && !(data.spec.numGroups !== undefined && data.spec.numGroups >= 1)) {
      issues.push({ path: [...at, 'name'], message: `sampler "${sampler.name}" draws by domain (group id), but dataset "${dataset?.name}" has no groups (use a dataset with groups, e.g. colored-mnist)`, also: [NAME] });
    }
    return;
  }
  if (dataset && typeof dataset.labeled === 'number') {
    // unlabeled rows (y = −1) belong to no class: class-drawn batches are not defined for them
    issues.push({ path: [...at, 'name'], message: `sampler "${sampler.name}" draws by class, but dataset.labeled marks rows unlabeled (y = -1); use the shuffle sampler`, also: [['dataset', 'labeled']] });
    return;
  }
  if (sampler.name !== 'pk') return;
  const { classes: P, per_class: K } = sampler;
  if (P * K !== train.batch_size) {
    issues.push({ path: [...at, 'classes'], message: `pk draws classes × per_class = ${P} × ${K} = ${P * K} examples per batch, but train.batch_size is ${train.batch_size}: make them equal`, also: [['train', 'batch_size']] });
  }
  if (P < 2) issues.push({ path: [...at, 'classes'], message: 'pk needs at least 2 classes per batch (a batch of one class has no negative pairs)' });
  const numClasses = data?.spec.numClasses;
  const split = dataset ? (optionsOf(dataset) as Partial<TransformOptions>).class_split : undefined;
  const available = split && numClasses !== undefined ? classSplitSets(split, numClasses).train.size : split ? split.train.length : numClasses;
  if (available !== undefined && P > available) {
    issues.push({ path: [...at, 'classes'], message: `pk draws ${P} classes per batch, but the train split has ${available} classes${split ? ' (dataset.class_split.train)' : ''}`, also: [NAME] });
  }
};

/**
 * A loss that reads group ids (needs.groups: group-dro) needs a dataset whose examples carry them:
 * one whose description reports `numGroups` (a dataset that can carry groups says so in describe()).
 */
export const groupLossNeedsGroups: Rule = ({ catalog, dataset, loss, data }, issues) => {
  if (!dataset || !loss || !data || !catalog.loss) return;
  if (data.spec.numGroups !== undefined && data.spec.numGroups >= 1) return;
  for (const term of lossTerms(loss, ['loss'])) {
    if (!catalog.loss.has(term.spec.name) || !lossFacts(catalog.loss.get(term.spec.name)).groups) continue;
    issues.push({
      path: [...term.at, 'name'],
      message: `loss "${term.spec.name}" needs group ids per example, but dataset "${dataset.name}" has no groups (use a dataset with groups, e.g. spurious-gaussian)`,
      also: [NAME],
    });
  }
};

/** With `dataset.labeled`, every loss term must train on unlabeled rows (y = −1): only those that declare needs.unlabeled do. */
export const lossesHandleUnlabeled: Rule = ({ catalog, dataset, loss }, issues) => {
  const losses = catalog.loss;
  if (!dataset || !loss || !losses || typeof dataset.labeled !== 'number') return;
  for (const term of lossTerms(loss, ['loss'])) {
    if (!losses.has(term.spec.name) || lossFacts(losses.get(term.spec.name)).unlabeled) continue;
    issues.push({
      path: [...term.at, 'name'],
      message: `loss "${term.spec.name}" cannot train on unlabeled rows, but dataset.labeled ${dataset.labeled} marks the other train rows unlabeled (y = -1); use a loss that can (vat)`,
      also: [['dataset', 'labeled']],
    });
  }
};

/**
 * A binary-head loss (needs.head 'binary': one logit, ±1 margins) needs a 2-class dataset, and
 * every term of the loss must read the same kind of model output: all binary or none.
 */
export const binaryHeadFitsData: Rule = ({ catalog, dataset, loss, data }, issues) => {
  const losses = catalog.loss;
  if (!loss || !losses) return;
  const binary = effectiveNeeds(losses, loss)?.head === 'binary';
  for (const c of headConflicts(losses, loss)) issues.push({ path: c.at, message: c.message, also: [['loss', 'name']] });
  const k = data?.spec.numClasses;
  if (binary && dataset && data && (data.spec.task === 'regression' || (k !== undefined && k !== 2))) {
    const at = lossTerms(loss, ['loss']).find((t) => effectiveNeeds(losses, t.spec)?.head === 'binary' && !isSpecLike(t.spec.base))?.at ?? ['loss'];
    issues.push({
      path: [...at, 'name'],
      message: `loss uses a binary head (one logit, ±1 margins), which needs a 2-class dataset, but dataset "${dataset.name}" has ${data.spec.task === 'regression' ? 'a regression task' : `${k} classes`}`,
      also: [NAME],
    });
  }
};

/** A wrapper that reweights per-example values (needs.baseReduction) wraps a per-example base. */
export const wrapperBaseFits: Rule = ({ catalog, loss }, issues) => {
  if (!loss || !catalog.loss) return;
  for (const c of baseConflicts(catalog.loss, loss)) issues.push({ path: c.at, message: c.message, also: [['loss', 'name']] });
};

/** A loss that perturbs the inputs (needs.inputs) needs float inputs, not token ids. */
export const inputGradientsNeedFloatInputs: Rule = ({ catalog, dataset, loss, data }, issues) => {
  const losses = catalog.loss;
  if (!dataset || !loss || !losses || data?.spec.inputKind !== 'tokens') return;
  for (const term of lossTerms(loss, ['loss'])) {
    if (!losses.has(term.spec.name) || !lossFacts(losses.get(term.spec.name)).inputs) continue;
    issues.push({ path: [...term.at, 'name'], message: `loss "${term.spec.name}" perturbs the inputs, but dataset "${dataset.name}" has token inputs`, also: [NAME] });
  }
};

/** train.eval_attack and train.eval_attacks perturb float inputs of a classification dataset. */
export const attackFitsData: Rule = ({ dataset, data, train }, issues) => {
  if (!dataset || !data || !train) return;
  const at: (string | number)[][] = [];
  if (train.eval_attack) at.push(['train', 'eval_attack']);
  (train.eval_attacks ?? []).forEach((_, i) => at.push(['train', 'eval_attacks', i]));
  for (const path of at) {
    if (data.spec.task !== 'classification') issues.push({ path, message: `robust accuracy needs a classification dataset; "${dataset.name}" is a ${data.spec.task} task`, also: [NAME] });
    else if (data.spec.inputKind === 'tokens') issues.push({ path, message: `an input attack needs float inputs, but dataset "${dataset.name}" has token inputs`, also: [NAME] });
  }
};

/** Longest file name (one path component) and whole path, in bytes, on Linux and macOS. */
const MAX_NAME_BYTES = 255;
const MAX_PATH_BYTES = 4095;

/** Dataset file and folder options (`path`, `test_path`, `x`, `y_test` …) fit the filesystem's limits. */
export const dataPathsFit: Rule = ({ dataset }, issues) => {
  if (!dataset) return;
  for (const [key, value] of Object.entries(optionsOf(dataset))) {
    if (typeof value !== 'string' || !/(^|_)path$|^[xy](_test)?$/.test(key)) continue;
    const long = value.split(/[/\\]/).find((part) => Buffer.byteLength(part) > MAX_NAME_BYTES);
    if (Buffer.byteLength(value) > MAX_PATH_BYTES) issues.push({ path: ['dataset', key], message: `the path is ${Buffer.byteLength(value)} bytes long; at most ${MAX_PATH_BYTES}` });
    else if (long !== undefined) issues.push({ path: ['dataset', key], message: `"${long.slice(0, 40)}…" is ${Buffer.byteLength(long)} bytes long; a file or folder name holds at most ${MAX_NAME_BYTES}` });
  }
};

/**
 * train.mix mixes float inputs of a classification dataset (CutMix: images [H, W, C]) into soft
 * targets, which every loss term must read (needs.softTargets): a hard-label loss would train on
 * mixed inputs against the unmixed labels.
 */
export const mixFitsLossAndData: Rule = ({ catalog, dataset, loss, data, train }, issues) => {
  const mix = train?.mix;
  if (mix === undefined || mix === null) return;
  const at: Path = ['train', 'mix'];
  const shape = data?.spec.inputShape ?? [];
  if (dataset && data) {
    if (data.spec.task !== 'classification') issues.push({ path: at, message: `mixup/CutMix mix class labels; "${dataset.name}" is a ${data.spec.task} task`, also: [NAME] });
    else if (data.spec.inputKind === 'tokens') issues.push({ path: at, message: `mixup/CutMix mix float inputs, but dataset "${dataset.name}" has token inputs`, also: [NAME] });
    else if (mix.cutmix_alpha > 0 && shape.length !== 3) {
      issues.push({ path: [...at, 'cutmix_alpha'], message: `CutMix pastes boxes of images [H, W, C], but dataset "${dataset.name}" has inputs [${shape.join(', ')}]${shape.length === 1 ? ' (unset dataset.flatten)' : ''}`, also: [NAME] });
    }
  }
  const losses = catalog.loss;
  if (!loss || !losses) return;
  for (const term of lossTerms(loss, ['loss'])) {
    if (!losses.has(term.spec.name)) continue;
    const entry = losses.get(term.spec.name);
    // a wrapper hands the input to its base, which is checked as its own term
    if (lossFacts(entry).softTargets || (entry as Partial<Pick<LossEntry, 'needs'>>).needs?.wraps === 'base') continue;
    issues.push({ path: [...term.at, 'name'], message: `train.mix gives soft targets, but loss "${term.spec.name}" reads hard labels (use soft-target-ce, kl-div or bi-tempered)`, also: [at] });
  }
};

/** A diagnostic that reads one kind of model (`needs.model`, e.g. diagonal-weights) gets that model. */
export const diagnosticsFitModel: Rule = ({ catalog, model, diagnostics }, issues) => {
  if (!model || !diagnostics || !catalog.diagnostic) return;
  for (const [i, d] of diagnostics.entries()) {
    if (!d || !catalog.diagnostic.has(d.name)) continue;
    const wants = (catalog.diagnostic.get(d.name) as { needs?: { model?: readonly string[] } }).needs?.model;
    if (wants && !wants.includes(model.name)) issues.push({ path: ['diagnostics', i, 'name'], message: `diagnostic "${d.name}" reads a ${wants.join(' or ')} model, not "${model.name}"`, also: [['model', 'name']] });
  }
};

/** A loss that distils from the EMA of the weights (needs.teacher: mesa) needs train.ema, its teacher. */
export const teacherNeedsEma: Rule = ({ catalog, loss, train }, issues) => {
  const losses = catalog.loss;
  if (!loss || !losses || (train?.ema !== undefined && train.ema !== null)) return;
  for (const term of lossTerms(loss, ['loss'])) {
    if (!losses.has(term.spec.name) || !lossFacts(losses.get(term.spec.name)).teacher) continue;
    issues.push({ path: [...term.at, 'name'], message: teacherNeedsEmaMessage(term.spec.name) });
  }
};

/** A metric-driven schedule (reduce-on-plateau) reads a split that the run evaluates (buildExperiment checks the same). */
export const scheduleMetricEvaluated: Rule = ({ schedule, train }, issues) => {
  // the spec is resolved: a schedule's `metric` default (reduce-on-plateau's test.loss) is already filled in
  const metric = schedule?.metric;
  if (typeof metric !== 'string' || !train) return;
  const split = metric.split('.')[0]!;
  if (!(train.eval_splits as readonly string[]).includes(split)) {
    issues.push({ path: ['schedule', 'metric'], message: scheduleMetricMessage(metric, split) });
  }
};

/**
 * Every `schedules:` key names a hyperparameter its optimizer can schedule; one-cycle's momentum
 * cycling finds a momentum or β1 and does not meet a `schedules:` entry for the same one; a
 * metric-driven schedule drives lr only (its state is checkpointed as the lr schedule's).
 */
export const hyperSchedulesFit: Rule = ({ catalog, optimizer, schedule, schedules }, issues) => {
  const registry = catalog.optimizer;
  if (!optimizer || !registry) return;
  const facts: FactsOf = (name) => (registry.has(name) ? (registry.get(name) as unknown as ReturnType<FactsOf>) : undefined);
  for (const [path, spec] of Object.entries(schedules ?? {})) {
    const why = unschedulable(optimizer, path, facts);
    if (why) issues.push({ path: ['schedules', path], message: why, also: [['optimizer', 'name']] });
    else if (spec && typeof spec.metric === 'string') issues.push({ path: ['schedules', path, 'name'], message: `${spec.name} reads an evaluation metric and drives lr only (under schedule:)` });
  }
  if (schedule?.name !== 'one-cycle' || schedule.cycle_momentum !== true) return;
  const cycled = cycledMomentumPath(optimizer, facts);
  if (cycled === undefined) issues.push({ path: ['schedule', 'cycle_momentum'], message: noMomentumMessage(optimizer.name), also: [['optimizer', 'name']] });
  else if (schedules && cycled in schedules) issues.push({ path: ['schedules', cycled], message: `one-cycle already cycles ${cycled} (cycle_momentum); set cycle_momentum: false to schedule it here` });
};

export const rules: readonly Rule[] = [
  dataPathsFit, transformsFitData, lossFitsTask, extraTermsGetTheirInput, modelFitsData, samplerFitsData, groupLossNeedsGroups,
  binaryHeadFitsData, wrapperBaseFits, lossesHandleUnlabeled, inputGradientsNeedFloatInputs, attackFitsData,
  mixFitsLossAndData, diagnosticsFitModel, teacherNeedsEma, scheduleMetricEvaluated, hyperSchedulesFit,
];

/** Describes the dataset and runs every rule; returns every problem found. */
export function checkRules(parts: Omit<RuleInput, 'data'>, ctx: DescribeContext): RuleIssue[] {
  const issues: RuleIssue[] = [];
  const data = parts.dataset ? describeDataset(parts.dataset, parts.catalog, ctx, issues) : undefined;
  const input: RuleInput = { ...parts, data };
  for (const rule of rules) rule(input, issues);
  return issues;
}
