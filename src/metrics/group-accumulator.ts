/**
 * Per-group accuracy over a whole split, for datasets whose examples carry a group id
 * (DataSpec.numGroups): `group_acc_<g>` for every group with examples in the split and
 * `worst_group_accuracy`, their minimum (the metric of Group DRO, Sagawa et al. 2020). The
 * prediction is the arg-max of the probabilities, first index on ties, as in `accuracy`.
 */
import { argmaxRow } from './classification-accumulator.js';

export interface GroupAccumulator {
  /** probs: n×K row-major; labels: n class ids; groups: n group ids in [0, numGroups). */
  add(probs: Float32Array, labels: Int32Array, groups: Int32Array): void;
  /** group_acc_<g> for the groups seen, and worst_group_accuracy (absent when no example was added). */
  result(): Record<string, number>;
  readonly count: number;
}

export function createGroupAccumulator(numClasses: number, numGroups: number): GroupAccumulator {
  const k = numClasses;
  if (!(Number.isInteger(k) && k >= 2)) throw new RangeError(`numClasses must be an integer ≥ 2 (got ${k})`);
  if (!(Number.isInteger(numGroups) && numGroups >= 1)) throw new RangeError(`numGroups must be a positive integer (got ${numGroups})`);
  const seen = new Float64Array(numGroups);
  const correct = new Float64Array(numGroups);
  let n = 0;
  return {
    get count() {
      return n;
    },
    add(probs, labels, groups) {
      const m = labels.length;
      if (probs.length !== m * k) throw new RangeError(`probs has ${probs.length} values, expected ${m}×${k}`);
      if (groups.length !== m) throw new RangeError(`groups has ${groups.length} ids, expected ${m}`);
      for (let i = 0; i < m; i++) {
        const g = groups[i]!;
        if (!(g >= 0 && g < numGroups)) throw new RangeError(`group ${g} outside [0, ${numGroups})`);
        const row = i * k;
        const arg = argmaxRow(probs, row, k);
        seen[g]! += 1;
        if (arg === labels[i]) correct[g]! += 1;
      }
      n += m;
    },
    result() {
      const out: Record<string, number> = {};
      let worst = Infinity;
      for (let g = 0; g < numGroups; g++) {
        if (seen[g] === 0) continue;
        const acc = correct[g]! / seen[g]!;
        out[`group_acc_${g}`] = acc;
        worst = Math.min(worst, acc);
      }
      if (Number.isFinite(worst)) out.worst_group_accuracy = worst;
      return out;
    },
  };
}
