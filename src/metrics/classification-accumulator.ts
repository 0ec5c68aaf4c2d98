/**
 * Classification metrics over a whole split, accumulated batch by batch in plain JS from
 * downloaded arrays (row-major probabilities n×K, int32 labels). Exact definitions: docs/losses.md.
 * Keys are flat numbers for metrics.jsonl: accuracy, top_<k>, class_acc_<k>, nll, brier, ece,
 * adaptive_ece, macro_f1, balanced_accuracy (mean of the per-class accuracies over classes with
 * examples), worst_class_accuracy (their minimum), auc (2-class problems with both classes
 * present: exact ROC AUC of p(class 1), ties by midranks), head/medium/tail_accuracy (given the
 * train class counts of a long-tailed split), and with per-example losses, loss and zero_loss_fraction.
 */
import { binaryAuc } from './binary-auc.js';
export interface ClassificationAccumulatorOptions {
  /** Top-k accuracies to report (default [5] when K > 5, else none). */
  readonly topK?: readonly number[];
  /** Equal-width bins of ECE and equal-mass bins of adaptive ECE (default 15). */
  readonly bins?: number;
  /** Report class_acc_<k> for every class with examples (default true). */
  readonly perClass?: boolean;
  /**
   * Train examples per class (DataSpec.classCounts): classes with more than shotThresholds[0] are
   * head, fewer than shotThresholds[1] tail, the rest medium; head/medium/tail_accuracy are the
   * mean recalls of each group's classes present in the split, reported when two groups or more
   * are non-empty (a long-tailed train split).
   */
  readonly trainCounts?: readonly number[];
  /** [many, few] of the long-tail groups (default [100, 20], the many/medium/few-shot split of Liu et al. 2019, OLTR). */
  readonly shotThresholds?: readonly [number, number];
}

/** The long-tail group of a class with `n` train examples. */
export function shotGroup(n: number, thresholds: readonly [number, number] = [100, 20]): 'head' | 'medium' | 'tail' {
  return n > thresholds[0] ? 'head' : n < thresholds[1] ? 'tail' : 'medium';
}

export interface ClassificationAccumulator {
  /** probs: n×K row-major (the loss's own probability map); labels: n class ids (−1: unlabeled, skipped); perExampleLoss: n values. */
  add(probs: Float32Array, labels: Int32Array, perExampleLoss?: Float32Array): void;
  result(): Record<string, number>;
  readonly count: number;
}

/** The label of an unlabeled train row (dataset.labeled): skipped by every metric. */
const UNLABELED = -1;

/** Floor of p_y inside the log of the NLL (sparsemax can put exactly 0 on the label). */
export const NLL_FLOOR = 1e-12;

/** The predicted class of row `row` (its first largest probability) in a flat [m, k] array. */
export function argmaxRow(probs: ArrayLike<number>, row: number, k: number): number {
  let arg = 0;
  let best = probs[row]!;
  for (let j = 1; j < k; j++) {
    const v = probs[row + j]!;
    if (v > best) { best = v; arg = j; }
  }
  return arg;
}

export function createClassificationAccumulator(numClasses: number, options: ClassificationAccumulatorOptions = {}): ClassificationAccumulator {
  const k = numClasses;
  if (!(Number.isInteger(k) && k >= 2)) throw new RangeError(`numClasses must be an integer ≥ 2 (got ${k})`);
  const topK = [...(options.topK ?? (k > 5 ? [5] : []))].filter((t) => t >= 1 && t < k);
  const bins = options.bins ?? 15;
  const perClass = options.perClass ?? true;

  let n = 0;
  let correct = 0;
  const topCorrect = new Float64Array(topK.length);
  let nllSum = 0;
  let brierSum = 0;
  let lossSum = 0;
  let lossCount = 0;
  let zeroLoss = 0;
  const classCount = new Float64Array(k);
  const classCorrect = new Float64Array(k);
  const predicted = new Float64Array(k);
  const binCount = new Float64Array(bins);
  const binConf = new Float64Array(bins);
  const binCorrect = new Float64Array(bins);
  const confidences: number[] = [];
  const hits: number[] = [];
  // 2-class problems: p(class 1) and the label of every example, for the AUC
  const positiveScores: number[] = [];
  const binaryLabels: number[] = [];

  return {
    get count() {
      return n;
    },
    add(probs, labels, perExampleLoss) {
      const m = labels.length;
      if (probs.length !== m * k) throw new RangeError(`probs has ${probs.length} values, expected ${m}×${k}`);
      for (let i = 0; i < m; i++) {
        const y = labels[i]!;
        if (y === UNLABELED) continue; // an unlabeled row (dataset.labeled) has no label to score
        if (!(y >= 0 && y < k)) throw new RangeError(`label ${y} outside [0, ${k})`);
        const row = i * k;
        const arg = argmaxRow(probs, row, k);
        const best = probs[row + arg]!;
        const py = probs[row + y]!;
        const hit = arg === y ? 1 : 0;
        correct += hit;
        classCount[y]! += 1;
        classCorrect[y]! += hit;
        predicted[arg]! += 1;
        // top-k: the label counts as found when fewer than k classes have strictly larger probability
        if (topK.length > 0) {
          let above = 0;
          for (let j = 0; j < k; j++) if (probs[row + j]! > py) above++;
          topK.forEach((t, ti) => { if (above < t) topCorrect[ti]! += 1; });
        }
        nllSum += -Math.log(Math.max(py, NLL_FLOOR));
        let b = 0;
        for (let j = 0; j < k; j++) {
          const d = probs[row + j]! - (j === y ? 1 : 0);
          b += d * d;
        }
        brierSum += b;
        // bin (lo, hi]: confidence c goes to ceil(c·M) − 1, clamped to [0, M − 1]
        const bin = Math.min(bins - 1, Math.max(0, Math.ceil(best * bins) - 1));
        binCount[bin]! += 1;
        binConf[bin]! += best;
        binCorrect[bin]! += hit;
        confidences.push(best);
        hits.push(hit);
        if (k === 2) {
          positiveScores.push(probs[row + 1]!);
          binaryLabels.push(y);
        }
        if (perExampleLoss) {
          const l = perExampleLoss[i]!;
          lossSum += l;
          lossCount++;
          if (l === 0) zeroLoss++;
        }
      }
      for (let i = 0; i < m; i++) if (labels[i] !== UNLABELED) n++;
    },
    result() {
      if (n === 0) return {};
      const out: Record<string, number> = { accuracy: correct / n };
      topK.forEach((t, ti) => { out[`top_${t}`] = topCorrect[ti]! / n; });
      out.nll = nllSum / n;
      out.brier = brierSum / n;
      let ece = 0;
      for (let b = 0; b < bins; b++) {
        const c = binCount[b]!;
        if (c > 0) ece += (c / n) * Math.abs(binCorrect[b]! / c - binConf[b]! / c);
      }
      out.ece = ece;
      out.adaptive_ece = adaptiveEce(confidences, hits, bins);
      let f1Sum = 0;
      let f1Classes = 0;
      for (let j = 0; j < k; j++) {
        const tp = classCorrect[j]!;
        const fn = classCount[j]! - tp;
        const fp = predicted[j]! - tp;
        const denom = 2 * tp + fp + fn;
        if (denom > 0) { f1Sum += (2 * tp) / denom; f1Classes++; }
      }
      out.macro_f1 = f1Classes > 0 ? f1Sum / f1Classes : 0;
      if (perClass) for (let j = 0; j < k; j++) if (classCount[j]! > 0) out[`class_acc_${j}`] = classCorrect[j]! / classCount[j]!;
      let accSum = 0;
      let present = 0;
      let worst = 1;
      for (let j = 0; j < k; j++) {
        if (classCount[j]! === 0) continue;
        const a = classCorrect[j]! / classCount[j]!;
        accSum += a;
        present++;
        worst = Math.min(worst, a);
      }
      out.balanced_accuracy = accSum / present;
      out.worst_class_accuracy = worst;
      if (options.trainCounts) Object.assign(out, shotAccuracies(options.trainCounts, options.shotThresholds, classCount, classCorrect));
      if (k === 2) {
        const auc = binaryAuc(positiveScores, binaryLabels);
        if (Number.isFinite(auc)) out.auc = auc;
      }
      if (lossCount > 0) {
        out.loss = lossSum / lossCount;
        out.zero_loss_fraction = zeroLoss / lossCount;
      }
      return out;
    },
  };
}

/** head/medium/tail_accuracy: mean recall over each group's classes present in the split. */
function shotAccuracies(counts: readonly number[], thresholds: readonly [number, number] | undefined, classCount: Float64Array, classCorrect: Float64Array): Record<string, number> {
  const sum: Record<string, number> = {};
  const num: Record<string, number> = {};
  const groups = new Set<string>();
  counts.forEach((n, j) => {
    const g = shotGroup(n, thresholds);
    groups.add(g);
    if (!(classCount[j]! > 0)) return;
    sum[g] = (sum[g] ?? 0) + classCorrect[j]! / classCount[j]!;
    num[g] = (num[g] ?? 0) + 1;
  });
  if (groups.size < 2) return {};
  const out: Record<string, number> = {};
  for (const g of ['head', 'medium', 'tail']) if (num[g]) out[`${g}_accuracy`] = sum[g]! / num[g]!;
  return out;
}

/**
 * Adaptive ECE: examples sorted by confidence and cut into M groups of equal size (sizes differ by
 * at most one, the larger ones first, like numpy.array_split); ECE over those groups.
 */
export function adaptiveEce(confidences: readonly number[], hits: readonly number[], bins: number): number {
  const n = confidences.length;
  if (n === 0) return 0;
  const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => confidences[a]! - confidences[b]!);
  const groups = Math.min(bins, n);
  const base = Math.floor(n / groups);
  const extra = n % groups;
  let start = 0;
  let ece = 0;
  for (let g = 0; g < groups; g++) {
    const size = base + (g < extra ? 1 : 0);
    let conf = 0;
    let acc = 0;
    for (let i = start; i < start + size; i++) {
      conf += confidences[order[i]!]!;
      acc += hits[order[i]!]!;
    }
    ece += (size / n) * Math.abs(acc / size - conf / size);
    start += size;
  }
  return ece;
}
