/**
 * The transforms every dataset entry accepts, implemented once: subset → long-tail subsampling →
 * label noise (train only) → normalisation stats (from train) → augmentation (train, in gather).
 * Loaders produce RawData; `finalizeDataset` applies these options and returns the Dataset.
 */
import { z } from 'zod';
import { Rng } from '../core/random.js';
import type { BatchArrays, DataSpec, Dataset, SplitName } from '../core/types.js';
import { ConfigError } from '../core/errors.js';
import type { DataDescription } from './define-dataset.js';
import { optionError } from './data-errors.js';
import { longTailRows } from './imbalance.js';
import { countLabeled, labeledRows, maskLabels } from './labeled.js';
import { applyLabelNoise, resolveClassMap } from './label-noise.js';
import { countClasses, type RawData, type RawSplit } from './raw-data.js';
import { subsetRows } from './stratified-split.js';
import { degradeSchema, degradeSplit, type DegradedSplit } from './degrade.js';

export const transformShape = {
  subset: z
    .strictObject({
      train: z.int().min(1).optional().describe('Train examples to keep (seeded; stratified by class for classification).'),
      test: z.int().min(1).optional().describe('Test examples to keep (seeded; stratified by class for classification).'),
    })
    .nullable()
    .default(null)
    .describe('Smaller train/test splits, drawn with the data seed before any other transform.'),
  imbalance_ratio: z
    .number()
    .min(1)
    .default(1)
    .describe('Long-tail ratio ρ ≥ 1 on the train split: n_k = ⌊n_max·ρ^(−k/(K−1))⌋, n_max = smallest class; 1 = unchanged.'),
  label_noise: z
    .strictObject({
      type: z
        .enum(['symmetric', 'asymmetric', 'pairflip'])
        .default('symmetric')
        .describe('symmetric: to one of the OTHER K−1 classes uniformly; asymmetric: via class_map (or the dataset\'s standard map); pairflip: y → (y+1) mod K.'),
      rate: z.number().min(0).max(1).describe('Probability that a train label is replaced.'),
      class_map: z
        .record(z.string(), z.union([z.int().min(0), z.string()]))
        .optional()
        .describe('asymmetric only: {from: to} by class id or class name, e.g. {truck: automobile, "3": 5}.'),
    })
    .nullable()
    .default(null)
    .describe('Synthetic label noise on the train split; clean labels are kept as cleanY and the realised rate goes to meta.'),
  normalize: z
    .boolean()
    .default(false)
    .describe('Standardise inputs per channel (per feature for vectors) with mean/std of the train split, recorded in meta.'),
  random_crop: z
    .int()
    .min(0)
    .default(0)
    .describe('Images: zero-pad by this many pixels and crop back at a random offset (train split only); 0 = off.'),
  horizontal_flip: z.boolean().default(false).describe('Images: mirror left-right with probability 1/2 (train split only).'),
  class_split: z
    .strictObject({
      train: z.array(z.int().min(0)).min(1).describe('Class ids the train split keeps.'),
      test: z.array(z.int().min(0)).min(1).optional().describe('Class ids the test split keeps (default: every class not in train).'),
    })
    .nullable()
    .default(null)
    .describe('Class-disjoint splits for retrieval: train keeps only these classes, test (from the test split) only the held-out ones; labels keep their original ids. Applied first, before subset.'),
  target_outliers: z
    .strictObject({
      rate: z.number().min(0).max(1).describe('Fraction of train rows whose targets are corrupted (exactly round(rate·n) rows, drawn with the data seed).'),
      scale: z.number().positive().default(10).describe('Each target of a corrupted row gets + scale·std_d·N(0, 1), std_d the train std of target dimension d (10: gross outliers).'),
    })
    .nullable()
    .default(null)
    .describe('Regression: gross outliers in the train targets (test targets stay clean); the corrupted row ids go to meta.'),
  degrade: degradeSchema,
  labeled: z
    .int()
    .min(1)
    .nullable()
    .default(null)
    .describe('Semi-supervised: keep the labels of this many train rows (class-balanced, drawn with the data seed) and mark the rest unlabeled (y = −1); only losses that train on unlabeled rows (vat) accept it. null = all labelled.'),
};

export type TransformOptions = z.output<z.ZodObject<typeof transformShape>>;

/** A problem with the transform options, `path` under `dataset.`. */
export interface OptionIssue {
  readonly path: string;
  readonly message: string;
}

/**
 * Everything wrong with the transform options for a dataset so described, in the order
 * `finalizeDataset` meets them. Facts the description lacks are not checked (loading does).
 */
export function transformIssues(o: TransformOptions, d: DataDescription): OptionIssue[] {
  const issues: OptionIssue[] = [];
  const spec = d.spec;
  const classification = spec.task === 'classification';
  const augments = o.random_crop > 0 || o.horizontal_flip;
  const noisy = o.label_noise !== null && o.label_noise.rate > 0;
  if (!classification && noisy) issues.push({ path: 'label_noise', message: 'label noise needs a classification dataset' });
  if (!classification && o.imbalance_ratio > 1) issues.push({ path: 'imbalance_ratio', message: 'long-tail subsampling needs a classification dataset' });
  if (spec.task !== undefined && spec.task !== 'regression' && o.target_outliers !== null && o.target_outliers.rate > 0) {
    issues.push({ path: 'target_outliers', message: 'target outliers need a regression dataset (classification takes label_noise)' });
  }
  const shape = spec.inputShape;
  if (shape) {
    const isImage = shape.length === 3;
    if (augments && !isImage) {
      issues.push({ path: o.random_crop > 0 ? 'random_crop' : 'horizontal_flip', message: `needs image inputs [H, W, C]; this dataset's inputShape is [${shape.join(', ')}]` });
    }
    if (o.random_crop > 0 && isImage && o.random_crop >= Math.min(shape[0]!, shape[1]!)) {
      issues.push({ path: 'random_crop', message: `padding ${o.random_crop} must be smaller than the image side` });
    }
  }
  const degrade = o.degrade ?? null;
  if (degrade && shape && shape.length !== 3) issues.push({ path: 'degrade', message: `needs image inputs [H, W, C]; this dataset's inputShape is [${shape.join(', ')}]` });
  if (degrade && spec.inputKind === 'tokens') issues.push({ path: 'degrade', message: 'token inputs cannot be degraded' });
  if (spec.inputKind === 'tokens' && (o.normalize || augments)) issues.push({ path: 'normalize', message: 'token inputs cannot be normalised or augmented' });
  for (const split of ['train', 'test'] as const) {
    const size = o.subset?.[split];
    const n = d.sizes[split];
    if (size !== undefined && n !== undefined && size > n) issues.push({ path: `subset.${split}`, message: `${size} is more than the ${n} ${split} examples available` });
  }
  if ((o.labeled ?? null) !== null) issues.push(...labeledIssues(o, d));
  const K = spec.numClasses;
  issues.push(...classSplitIssues(o, classification, K));
  if (o.label_noise && noisy && classification) {
    if (K !== undefined && K < 2) issues.push({ path: 'label_noise', message: 'label noise needs at least 2 classes' });
    else if (o.label_noise.type === 'asymmetric' && o.label_noise.class_map) {
      // class ids need the class count; names are checked when the description knows them (or that there are none)
      if (K !== undefined && (d.complete || spec.classNames)) {
        try {
          resolveClassMap(o.label_noise.class_map, K, spec.classNames);
        } catch (err) {
          if (!(err instanceof ConfigError)) throw err;
          issues.push(...err.issues.map((i) => ({ path: i.path.replace(/^dataset\./, ''), message: i.message })));
        }
      }
    } else if (o.label_noise.type === 'asymmetric' && d.asymmetricMap === false) {
      issues.push({ path: 'label_noise.class_map', message: 'type asymmetric needs a class_map (this dataset has no standard one)' });
    }
  }
  return issues;
}

/** What is wrong with `class_split` for a dataset of K classes (K undefined: ids unchecked). */
function classSplitIssues(o: TransformOptions, classification: boolean, K: number | undefined): OptionIssue[] {
  const cs = o.class_split;
  if (!cs) return [];
  if (!classification) return [{ path: 'class_split', message: 'a class split needs a classification dataset' }];
  const issues: OptionIssue[] = [];
  for (const side of ['train', 'test'] as const) {
    const ids = cs[side];
    if (!ids) continue;
    const bad = K === undefined ? [] : ids.filter((c) => c >= K);
    if (bad.length > 0) issues.push({ path: `class_split.${side}`, message: `class ${bad[0]} is not a class id of this dataset (0..${K! - 1})` });
    const dup = ids.find((c, i) => ids.indexOf(c) !== i);
    if (dup !== undefined) issues.push({ path: `class_split.${side}`, message: `class ${dup} is listed twice` });
  }
  const overlap = cs.test?.find((c) => cs.train.includes(c));
  if (overlap !== undefined) issues.push({ path: 'class_split.test', message: `class ${overlap} is in both train and test: the split must be class-disjoint` });
  if (!cs.test && K !== undefined && cs.train.filter((c) => c < K).length >= K) {
    issues.push({ path: 'class_split.train', message: `every one of the ${K} classes is a train class: no class is left for test` });
  }
  if (o.imbalance_ratio > 1) issues.push({ path: 'class_split', message: 'a class split cannot be combined with imbalance_ratio (the held-out classes would be empty train classes)' });
  if (o.label_noise !== null && o.label_noise.rate > 0) issues.push({ path: 'class_split', message: 'a class split cannot be combined with label noise (noise would flip train labels into held-out classes)' });
  return issues;
}

/** The class ids each split keeps under `class_split` (test: the listed ones, or every class not in train). */
export function classSplitSets(cs: NonNullable<TransformOptions['class_split']>, K: number): { train: Set<number>; test: Set<number> } {
  const train = new Set(cs.train);
  const test = new Set(cs.test ?? Array.from({ length: K }, (_, c) => c).filter((c) => !train.has(c)));
  return { train, test };
}

/** Rows of `split` whose label is in `keep`, ascending. */
function rowsOfClasses(split: RawSplit, keep: Set<number>): Int32Array {
  const out: number[] = [];
  for (let i = 0; i < split.n; i++) if (keep.has(split.y[i]!)) out.push(i);
  return Int32Array.from(out);
}

/** `labeled` needs class labels and at most as many rows as the train split keeps (after `subset`; the long tail is checked on load). */
function labeledIssues(o: TransformOptions, d: DataDescription): OptionIssue[] {
  if (d.spec.task !== 'classification') return [{ path: 'labeled', message: 'a semi-supervised label mask needs a classification dataset' }];
  const n = d.sizes.train;
  const kept = o.subset?.train !== undefined && n !== undefined ? Math.min(o.subset.train, n) : (o.subset?.train ?? n);
  if (kept !== undefined && o.labeled! > kept) return [{ path: 'labeled', message: `${o.labeled} labelled rows is more than the ${kept} train examples` }];
  return [];
}

interface SplitView {
  readonly n: number;
  /** Row indices into the raw split (null: all rows in order). */
  readonly rows: Int32Array | null;
  readonly y: Int32Array | Float32Array;
  readonly cleanY?: Int32Array;
  readonly group?: Int32Array;
}

function pick<T extends Int32Array | Float32Array>(source: T, rows: Int32Array | null, width: number): T {
  if (!rows) return source.slice() as T;
  const out = new (source.constructor as new (n: number) => T)(rows.length * width);
  for (let i = 0; i < rows.length; i++) out.set(source.subarray(rows[i]! * width, (rows[i]! + 1) * width), i * width);
  return out;
}

function compose(outer: Int32Array, inner: Int32Array | null): Int32Array {
  return inner ? Int32Array.from(outer, (i) => inner[i]!) : outer;
}

function labelsOf(split: RawSplit, rows: Int32Array | null): Int32Array {
  return pick(split.y as Int32Array, rows, 1);
}

/** A dataset with groups gives every row of both splits a group id in [0, spec.numGroups); one without gives none. */
function checkGroups(raw: RawData): void {
  const G = raw.spec.numGroups;
  for (const [name, split] of [['train', raw.train], ['test', raw.test]] as const) {
    if (G === undefined) {
      if (split.group) throw new Error(`dataset ${name} split has group ids but the spec has no numGroups`);
      continue;
    }
    if (!(Number.isInteger(G) && G >= 1)) throw new Error(`dataset spec numGroups must be a positive integer (got ${G})`);
    if (!split.group || split.group.length !== split.n) throw new Error(`dataset ${name} split needs one group id per row (numGroups ${G})`);
    for (const g of split.group) if (!(g >= 0 && g < G)) throw new Error(`dataset ${name} split has group id ${g} outside [0, ${G})`);
  }
}

export function finalizeDataset(raw: RawData, o: TransformOptions, seed: number): Dataset {
  const spec = raw.spec;
  const classification = spec.task === 'classification';
  const K = spec.numClasses;
  const D = spec.inputShape.reduce((a, b) => a * b, 1);
  const yWidth = classification ? 1 : spec.outputDim;
  for (const [name, split] of [['train', raw.train], ['test', raw.test]] as const) {
    if (split.x.length !== split.n * D || split.y.length !== split.n * yWidth) {
      throw new Error(`dataset ${name} split arrays do not match n=${split.n}, inputShape [${spec.inputShape.join(', ')}]`);
    }
  }
  const isImage = spec.inputShape.length === 3;
  const tokens = spec.inputKind === 'tokens';
  /** Train batches drawn with an rng are cropped and/or flipped. */
  const augments = o.random_crop > 0 || o.horizontal_flip;
  const notes: Record<string, unknown> = {};

  checkGroups(raw);
  const problem = transformIssues(o, { spec, complete: true, sizes: { train: raw.train.n, test: raw.test.n }, asymmetricMap: raw.asymmetricMap !== undefined })[0];
  if (problem) throw optionError(problem.path, problem.message);

  // 0. class split: each split keeps its classes (rows in order), labels unchanged
  let trainRows: Int32Array | null = null;
  let testRows: Int32Array | null = null;
  if (o.class_split) {
    const sets = classSplitSets(o.class_split, K);
    trainRows = rowsOfClasses(raw.train, sets.train);
    testRows = rowsOfClasses(raw.test, sets.test);
    if (trainRows.length === 0 || testRows.length === 0) throw optionError('class_split', `the ${trainRows.length === 0 ? 'train' : 'test'} split has no example of its classes`);
    notes.class_split = { train: [...sets.train], test: [...sets.test] };
  }

  // 1. subset
  const subsetOf = (split: RawSplit, rows: Int32Array | null, size: number | undefined, label: string): Int32Array | null => {
    if (size === undefined) return rows;
    const n = rows ? rows.length : split.n;
    if (size > n) throw optionError(`subset.${label}`, `${size} is more than the ${n} ${label} examples available`);
    const labels = classification ? (rows ? labelsOf(split, rows) : split.y) : undefined;
    return compose(subsetRows(n, size, Rng.derive(seed, 'subset', label), labels, K), rows);
  };
  if (o.subset) {
    trainRows = subsetOf(raw.train, trainRows, o.subset.train, 'train');
    testRows = subsetOf(raw.test, testRows, o.subset.test, 'test');
    notes.subset = { train: o.subset.train ?? null, test: o.subset.test ?? null };
  }

  // 2. long tail (train)
  if (o.imbalance_ratio > 1) {
    const labels = labelsOf(raw.train, trainRows);
    const available = countClasses(labels, K);
    const empty = available.indexOf(0);
    if (empty >= 0) throw optionError('imbalance_ratio', `class ${empty} has no train examples`);
    const { rows, counts } = longTailRows(labels, K, o.imbalance_ratio, Rng.derive(seed, 'imbalance'));
    trainRows = compose(rows, trainRows);
    notes.imbalance = { ratio: o.imbalance_ratio, counts };
  }

  const view = (split: RawSplit, rows: Int32Array | null): SplitView => {
    const y = pick(split.y, rows, yWidth);
    const cleanY = split.cleanY ? pick(split.cleanY, rows, 1) : undefined;
    const group = split.group ? pick(split.group, rows, 1) : undefined;
    return { n: rows ? rows.length : split.n, rows, y, ...(cleanY ? { cleanY } : {}), ...(group ? { group } : {}) };
  };
  let train = view(raw.train, trainRows);
  const test = view(raw.test, testRows);

  // 3. label noise (train)
  if (o.label_noise && o.label_noise.rate > 0) {
    const ln = o.label_noise;
    const map = ln.type !== 'asymmetric' ? undefined : ln.class_map ? resolveClassMap(ln.class_map, K, spec.classNames) : raw.asymmetricMap;
    const clean = train.cleanY ?? (train.y as Int32Array);
    const result = applyLabelNoise(train.y as Int32Array, K, ln.type, ln.rate, Rng.derive(seed, 'label-noise'), map);
    let differ = 0;
    for (let i = 0; i < clean.length; i++) if (clean[i] !== result.noisy[i]) differ += 1;
    train = { ...train, y: result.noisy, cleanY: clean };
    notes.label_noise = {
      type: ln.type,
      rate: ln.rate,
      ...(ln.type === 'symmetric' ? { convention: 'flip to one of the other K-1 classes uniformly' } : {}),
      ...(map ? { class_map: Object.fromEntries(map) } : {}),
      flipped: result.flipped,
      realised_rate: train.n === 0 ? 0 : differ / train.n,
    };
  }

  // 3a. gross outliers in the regression targets (train)
  if (o.target_outliers && o.target_outliers.rate > 0 && !classification) {
    const { y, rows } = corruptTargets(train.y as Float32Array, train.n, yWidth, o.target_outliers.rate, o.target_outliers.scale, Rng.derive(seed, 'target-outliers'));
    train = { ...train, y };
    notes.target_outliers = { rate: o.target_outliers.rate, scale: o.target_outliers.scale, rows: rows.length, corrupted: Array.from(rows) };
  }

  // 3b. semi-supervised label mask (train): unlabeled rows get y = −1
  const labeled = o.labeled ?? null;
  if (labeled !== null) {
    if (labeled > train.n) throw optionError('labeled', `${labeled} labelled rows is more than the ${train.n} train examples`);
    const { rows, perClass } = labeledRows(train.y as Int32Array, K, labeled, Rng.derive(seed, 'labeled'));
    if (rows.length < labeled) throw optionError('labeled', `${labeled} labelled rows is more than the train split's classes hold`);
    train = { ...train, y: maskLabels(train.y as Int32Array, rows) };
    notes.labeled = { count: rows.length, per_class: perClass, unlabeled: train.n - rows.length, selection: 'class-balanced, seeded by data_seed; unlabeled rows have y = -1' };
  }

  // 4. normalisation statistics from the train split
  const C = isImage ? spec.inputShape[2]! : D;
  const scale = raw.xScale ?? 1;
  let mean: Float32Array | null = null;
  let invStd: Float32Array | null = null;
  if (o.normalize) {
    const sum = new Float64Array(C);
    const sq = new Float64Array(C);
    const x = raw.train.x;
    for (let i = 0; i < train.n; i++) {
      const base = (train.rows ? train.rows[i]! : i) * D;
      for (let j = 0; j < D; j++) {
        const v = x[base + j]! * scale;
        const c = j % C;
        sum[c]! += v;
        sq[c]! += v * v;
      }
    }
    const per = (train.n * D) / C;
    const m = Array.from(sum, (s) => s / per);
    const sd = Array.from(sq, (s, c) => Math.sqrt(Math.max(s / per - m[c]! ** 2, 0)));
    mean = Float32Array.from(m);
    // a constant feature keeps its scale rather than dividing by ~0
    invStd = Float32Array.from(sd, (s) => (s > 1e-8 ? 1 / s : 1));
    notes.normalize = { mean: m, std: sd.map((s) => (s > 1e-8 ? s : 1)) };
  }
  if (augments) notes.augment = { random_crop: o.random_crop, horizontal_flip: o.horizontal_flip };

  // 5. degradation: a seeded fraction of each split's images replaced by degraded copies
  const degraded: Partial<Record<SplitName, DegradedSplit>> = {};
  const dg = o.degrade ?? null;
  if (dg) {
    const fractions = { train: dg.fraction, test: dg.test_fraction ?? dg.fraction };
    for (const [name, v, src] of [['train', train, raw.train], ['test', test, raw.test]] as const) {
      const image = (i: number) => {
        const from = (v.rows ? v.rows[i]! : i) * D;
        return Float32Array.from(src.x.subarray(from, from + D), (value) => Math.fround(value * scale));
      };
      degraded[name] = degradeSplit(v.n, fractions[name], spec.inputShape, dg, seed, name, image);
    }
    notes.degrade = { ...dg, test_fraction: fractions.test, degraded: { train: degraded.train!.rows.length, test: degraded.test!.rows.length } };
  }

  const classCounts = classification ? (labeled !== null ? countLabeled(train.y, K) : countClasses(train.y, K)) : undefined;
  const G = spec.numGroups;
  const groupCounts = G !== undefined && train.group ? countClasses(train.group, G) : undefined;
  const fullSpec: DataSpec = { ...spec, ...(classCounts ? { classCounts } : {}), ...(groupCounts ? { groupCounts } : {}) };
  const views: Record<SplitName, SplitView> = { train, test };
  const rawSplits: Record<SplitName, RawSplit> = { train: raw.train, test: raw.test };
  const [H, W] = isImage ? [spec.inputShape[0]!, spec.inputShape[1]!] : [0, 0];
  const pad = o.random_crop;

  const meta = {
    ...raw.meta,
    task: spec.task,
    input_shape: spec.inputShape,
    sizes: { train: train.n, test: test.n },
    ...(classification ? { class_counts: { train: classCounts, test: countClasses(test.y, K) } } : {}),
    ...(groupCounts && test.group ? { group_counts: { train: groupCounts, test: countClasses(test.group, G!) } } : {}),
    ...(Object.keys(notes).length > 0 ? { transforms: notes } : {}),
  };

  return {
    spec: fullSpec,
    sizes: { train: train.n, test: test.n },
    meta,
    augmented: augments,
    gather(split: SplitName, indices: Int32Array, rng?: Rng, into?: Float32Array | Int32Array): BatchArrays {
      const v = views[split];
      const rawSrc = rawSplits[split].x;
      const rawScale = scale;
      const m = indices.length;
      const fits = into !== undefined && into.length === m * D && (tokens ? into instanceof Int32Array : into instanceof Float32Array);
      const x = fits ? into : tokens ? new Int32Array(m * D) : new Float32Array(m * D);
      const augment = split === 'train' && rng !== undefined && augments;
      for (let b = 0; b < m; b++) {
        const i = indices[b]!;
        if (!(i >= 0 && i < v.n)) throw new RangeError(`gather: index ${i} outside the ${split} split (n=${v.n})`);
        // a degraded row reads its degraded copy (already in input units: scale 1)
        const k = degraded[split]?.slot.get(i);
        const src = k === undefined ? rawSrc : degraded[split]!.data;
        const scale = k === undefined ? rawScale : 1;
        const from = k === undefined ? (v.rows ? v.rows[i]! : i) * D : k * D;
        const to = b * D;
        if (augment) {
          const dy = pad > 0 ? rng.int(2 * pad + 1) - pad : 0;
          const dx = pad > 0 ? rng.int(2 * pad + 1) - pad : 0;
          const flip = o.horizontal_flip && rng.uniform() < 0.5;
          for (let h = 0; h < H; h++) {
            const sh = h + dy;
            for (let w = 0; w < W; w++) {
              const sw = (flip ? W - 1 - w : w) + dx;
              const inside = sh >= 0 && sh < H && sw >= 0 && sw < W;
              const o2 = to + (h * W + w) * C;
              const s2 = from + (sh * W + sw) * C;
              for (let c = 0; c < C; c++) {
                // zero padding comes before normalisation (torchvision's RandomCrop → ToTensor → Normalize)
                const value = inside ? Math.fround(src[s2 + c]! * scale) : 0;
                x[o2 + c] = mean && invStd ? (value - mean[c]!) * invStd[c]! : value;
              }
            }
          }
        } else if (mean && invStd) {
          // Scale and normalise in one pass. Like every normalised path here, the scaled value is
          // rounded to float32 first, as the two-pass form (store, then normalise) does; one channel
          // needs no channel index. (Token inputs are never normalised: finalizeDataset rejects it.)
          if (C === 1) {
            const m0 = mean[0]!, s0 = invStd[0]!;
            for (let j = 0; j < D; j++) x[to + j] = (Math.fround(src[from + j]! * scale) - m0) * s0;
          } else {
            for (let j = 0; j < D; j++) x[to + j] = (Math.fround(src[from + j]! * scale) - mean[j % C]!) * invStd[j % C]!;
          }
        } else if (scale === 1) {
          x.set(src.subarray(from, from + D), to);
        } else {
          for (let j = 0; j < D; j++) x[to + j] = src[from + j]! * scale;
        }
      }
      const y = classification ? new Int32Array(m) : new Float32Array(m * yWidth);
      for (let b = 0; b < m; b++) {
        const i = indices[b]!;
        if (classification) y[b] = v.y[i]!;
        else y.set(v.y.subarray(i * yWidth, (i + 1) * yWidth), b * yWidth);
      }
      const groups = v.group ? { group: Int32Array.from(indices, (i) => v.group![i]!) } : {};
      if (!v.cleanY) return { x, y, ...groups };
      const cleanY = Int32Array.from(indices, (i) => v.cleanY![i]!);
      return { x, y, cleanY, ...groups };
    },
  };
}

/**
 * A copy of float targets [n, width] with round(rate·n) rows (a seeded choice) shifted by
 * scale·std_d·N(0, 1) in every dimension d (std_d: the population std of the clean targets).
 */
export function corruptTargets(y: Float32Array, n: number, width: number, rate: number, scale: number, rng: Rng): { y: Float32Array; rows: Int32Array } {
  const out = Float32Array.from(y);
  const std = Array.from({ length: width }, (_, d) => {
    let m = 0;
    let sq = 0;
    for (let i = 0; i < n; i++) {
      m += y[i * width + d]! / n;
      sq += y[i * width + d]! ** 2 / n;
    }
    return Math.sqrt(Math.max(sq - m * m, 0));
  });
  const count = Math.round(rate * n);
  const rows = Int32Array.from(rng.permutation(n).slice(0, count)).sort();
  for (const i of rows) for (let d = 0; d < width; d++) out[i * width + d]! += scale * std[d]! * rng.normal();
  return { y: out, rows };
}
