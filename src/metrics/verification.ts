/**
 * Verification metrics on embeddings (face-recognition style): genuine pairs (same class) and
 * impostor pairs (different classes) drawn deterministically from the split, scored by the cosine
 * of the two embeddings; a pair is accepted when its score is ≥ the threshold.
 *
 * - eer: the equal error rate. Over the thresholds t ∈ {every pair score} ∪ {+∞},
 *   FAR(t) = #impostor ≥ t / #impostor and FRR(t) = #genuine < t / #genuine; at the t where
 *   |FAR − FRR| is smallest (the lowest such t), EER = (FAR + FRR)/2.
 * - tar@far<f> (f written as 1e-3, 5e-2 …): TAR = #genuine ≥ t / #genuine at the smallest
 *   threshold t of that set with FAR(t) ≤ f (the best TAR that keeps FAR within f).
 * - opis: Operating-Point Inconsistency Score (Zhang et al., "Threshold-Consistent Margin Loss for
 *   Open-World Deep Metric Learning", ICLR 2024, eq. 1 with uniform w): over `opisSteps` thresholds
 *   evenly spaced across the calibration range — from the threshold of overall FAR opisFar[1] to
 *   that of opisFar[0] — the mean over classes i and thresholds d of (U_i(d) − Ū(d))², U the F1
 *   score 2TP/(2TP + FP + FN) of the pairs whose first (anchor) example is of class i, Ū that of
 *   all pairs. Classes without a genuine pair are left out.
 *
 * Pairs (drawPairs): `count` genuine pairs — an anchor uniform over the rows whose class has another
 * row, its partner uniform over the other rows of that class — and `count` impostor pairs — an
 * anchor uniform over all rows, its partner uniform over the rows of other classes — from
 * Rng.derive(seed, 'verification-pairs'), so the same split and seed give the same pairs.
 */
import { z } from 'zod';
import { Rng } from '../core/random.js';

export interface Pairs {
  readonly a: Int32Array;
  readonly b: Int32Array;
  /** 1: genuine (same class), 0: impostor. */
  readonly genuine: Uint8Array;
}

export const verificationShape = {
  far: z.array(z.number().gt(0).lt(1)).default([1e-3, 1e-2]).describe('False-accept rates f of the tar@far<f> metrics (keys written as tar@far1e-3); [] = none.'),
  pairs: z.int().min(10).default(20000).describe('Genuine pairs and impostor pairs each drawn (deterministically) for eer, tar@far and opis.'),
  opis: z.boolean().default(true).describe('Report opis (threshold inconsistency across classes) with the verification metrics.'),
  opis_far: z.tuple([z.number().gt(0).lt(1), z.number().gt(0).lt(1)]).default([1e-3, 1e-1]).describe('Calibration range of opis as overall FARs [low, high].'),
  opis_steps: z.int().min(2).default(50).describe('Thresholds evenly spaced across the opis calibration range.'),
};

/** The metric key of a FAR: tar@far1e-3, tar@far5e-2 (exponent form, which --expect accepts). */
export function tarKey(far: number): string {
  return `tar@far${far.toExponential()}`;
}

/** Genuine and impostor pairs of a labelled split (see the module comment). */
export function drawPairs(labels: ArrayLike<number>, n: number, count: number, seed: number): Pairs {
  const rng = Rng.derive(seed, 'verification-pairs');
  const byClass = new Map<number, number[]>();
  for (let i = 0; i < n; i++) {
    const list = byClass.get(labels[i]!) ?? [];
    list.push(i);
    byClass.set(labels[i]!, list);
  }
  const anchors: number[] = [];
  for (let i = 0; i < n; i++) if (byClass.get(labels[i]!)!.length > 1) anchors.push(i);
  const a: number[] = [];
  const b: number[] = [];
  const g: number[] = [];
  if (anchors.length > 0) {
    for (let t = 0; t < count; t++) {
      const i = anchors[rng.int(anchors.length)]!;
      const same = byClass.get(labels[i]!)!;
      let j = same[rng.int(same.length - 1)]!;
      if (j === i) j = same[same.length - 1]!; // uniform over the other rows of the class
      a.push(i);
      b.push(j);
      g.push(1);
    }
  }
  if (byClass.size > 1) {
    for (let t = 0; t < count; t++) {
      const i = rng.int(n);
      let j = rng.int(n);
      while (labels[j] === labels[i]) j = rng.int(n);
      a.push(i);
      b.push(j);
      g.push(0);
    }
  }
  return { a: Int32Array.from(a), b: Int32Array.from(b), genuine: Uint8Array.from(g) };
}

/** Cosine scores of the pairs, from row-major embeddings (n × d), in float64. */
export function pairScores(embeddings: ArrayLike<number>, d: number, pairs: Pairs): Float64Array {
  const norm = (i: number) => {
    let s = 0;
    for (let t = 0; t < d; t++) s += embeddings[i * d + t]! ** 2;
    return Math.sqrt(s);
  };
  return Float64Array.from(pairs.a, (i, p) => {
    const j = pairs.b[p]!;
    let dot = 0;
    for (let t = 0; t < d; t++) dot += embeddings[i * d + t]! * embeddings[j * d + t]!;
    const den = norm(i) * norm(j);
    return den > 0 ? dot / den : 0;
  });
}

/** The rates of every candidate threshold: distinct scores ascending, then +∞ (accept nothing). */
function sweep(scores: Float64Array, genuine: Uint8Array): { t: number[]; far: number[]; frr: number[]; tar: number[] } {
  const order = Array.from(scores.keys()).sort((p, q) => scores[p]! - scores[q]!);
  const nG = genuine.reduce((s, v) => s + v, 0);
  const nI = genuine.length - nG;
  const t: number[] = [], far: number[] = [], frr: number[] = [], tar: number[] = [];
  let belowG = 0, belowI = 0; // pairs strictly below the current threshold
  for (let k = 0; k <= order.length; k++) {
    const value = k < order.length ? scores[order[k]!]! : Infinity;
    if (k === 0 || value !== t[t.length - 1]) {
      t.push(value);
      far.push(nI > 0 ? (nI - belowI) / nI : 0);
      frr.push(nG > 0 ? belowG / nG : 0);
      tar.push(nG > 0 ? (nG - belowG) / nG : 0);
    }
    if (k < order.length) {
      if (genuine[order[k]!]) belowG++;
      else belowI++;
    }
  }
  return { t, far, frr, tar };
}

function f1(tp: number, fp: number, fn: number): number {
  const den = 2 * tp + fp + fn;
  return den > 0 ? (2 * tp) / den : 0;
}

export interface VerificationOptions {
  readonly far: readonly number[];
  readonly pairs: number;
  readonly opis: boolean;
  readonly opis_far: readonly [number, number];
  readonly opis_steps: number;
}

/** eer, tar@far<f> for each f, opis (see the module comment) from scored pairs. */
export function verificationFromScores(scores: Float64Array, pairs: Pairs, labels: ArrayLike<number>, o: VerificationOptions): Record<string, number> {
  const nG = pairs.genuine.reduce((s, v) => s + v, 0);
  if (nG === 0 || nG === pairs.genuine.length) return {};
  const s = sweep(scores, pairs.genuine);
  let best = 0;
  for (let k = 1; k < s.t.length; k++) if (Math.abs(s.far[k]! - s.frr[k]!) < Math.abs(s.far[best]! - s.frr[best]!)) best = k;
  const out: Record<string, number> = { eer: (s.far[best]! + s.frr[best]!) / 2 };
  /** The smallest threshold with FAR ≤ f (FAR falls as t rises; +∞ always qualifies). */
  const thresholdAt = (f: number) => s.far.findIndex((v) => v <= f);
  for (const f of o.far) out[tarKey(f)] = s.tar[thresholdAt(f)]!;
  if (o.opis) {
    const lo = s.t[thresholdAt(o.opis_far[1])]!;
    const hi = s.t[thresholdAt(o.opis_far[0])]!;
    const top = Number.isFinite(hi) ? hi : s.t[s.t.length - 2]!;
    const classes = [...new Set(Array.from(pairs.a, (i, p) => (pairs.genuine[p] ? labels[i]! : -1)))].filter((c) => c >= 0).sort((x, y) => x - y);
    let total = 0;
    for (let step = 0; step < o.opis_steps; step++) {
      const d = lo + ((top - lo) * step) / (o.opis_steps - 1);
      type Counts = { tp: number; fp: number; fn: number };
      const all: Counts = { tp: 0, fp: 0, fn: 0 };
      const per = new Map<number, Counts>(classes.map((c) => [c, { tp: 0, fp: 0, fn: 0 }]));
      for (let p = 0; p < scores.length; p++) {
        const accept = scores[p]! >= d;
        const c = per.get(labels[pairs.a[p]!]!);
        const key: keyof Counts | null = pairs.genuine[p] ? (accept ? 'tp' : 'fn') : accept ? 'fp' : null;
        if (!key) continue;
        all[key]++;
        if (c) c[key]++;
      }
      const u = f1(all.tp, all.fp, all.fn);
      for (const c of per.values()) total += (f1(c.tp, c.fp, c.fn) - u) ** 2;
    }
    out.opis = classes.length > 0 ? total / (classes.length * o.opis_steps) : 0;
  }
  out.verification_pairs = scores.length;
  return out;
}

/** Draws the pairs of a split and returns its verification metrics. */
export function verificationMetrics(embeddings: ArrayLike<number>, labels: ArrayLike<number>, n: number, d: number, o: VerificationOptions, seed: number): Record<string, number> {
  const pairs = drawPairs(labels, n, o.pairs, seed);
  return verificationFromScores(pairScores(embeddings, d, pairs), pairs, labels, o);
}
