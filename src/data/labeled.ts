/**
 * The semi-supervised label mask (`dataset.labeled: N`): N train rows keep their labels, chosen
 * class-balanced like the VAT paper's 100- and 1000-label MNIST setups (N/K per class, the
 * remainder to the lowest class ids, capped by what a class has), each class's rows drawn with the
 * data seed; every other train row gets y = −1 (unlabeled). Only losses that declare
 * needs.unlabeled (vat) train on such rows (config rule); metrics skip them.
 */
import type { Rng } from '../core/random.js';
import { allocate, indicesByClass } from './stratified-split.js';

/** The label that marks an unlabeled row. */
export const UNLABELED = -1;

/** Row indices (sorted) of the `count` labelled rows, and how many of each class. */
export function labeledRows(labels: Int32Array, numClasses: number, count: number, rng: Rng): { rows: Int32Array; perClass: number[] } {
  const byClass = indicesByClass(labels, numClasses);
  const available = byClass.map((c) => c.length);
  const perClass = allocate(count, available.map(() => 1), available);
  const rows: number[] = [];
  byClass.forEach((members, k) => {
    const order = rng.permutation(members.length);
    for (let i = 0; i < perClass[k]!; i++) rows.push(members[order[i]!]!);
  });
  return { rows: Int32Array.from(rows).sort(), perClass };
}

/** `labels` with every row outside `keep` set to UNLABELED. */
export function maskLabels(labels: Int32Array, keep: Int32Array): Int32Array {
  const out = new Int32Array(labels.length).fill(UNLABELED);
  for (const r of keep) out[r] = labels[r]!;
  return out;
}

/** Examples per class, unlabeled rows left out. */
export function countLabeled(labels: ArrayLike<number>, numClasses: number): number[] {
  const counts = new Array<number>(numClasses).fill(0);
  for (let i = 0; i < labels.length; i++) {
    const y = labels[i]!;
    if (y >= 0) counts[y]! += 1;
  }
  return counts;
}
