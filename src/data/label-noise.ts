/**
 * Synthetic label noise, applied once at dataset build with its own seed (references/losses.md §7).
 *
 * Every type is a transition matrix T applied per example: with probability `rate` the label y
 * is replaced, otherwise kept.
 * - symmetric: replaced by one of the K − 1 OTHER classes, uniformly. (The "any class"
 *   convention, used by some papers, equals this one at rate·(K − 1)/K.)
 * - asymmetric: replaced by class_map[y]; classes missing from the map are never flipped.
 * - pairflip: replaced by (y + 1) mod K (Han et al., Co-teaching).
 */
import { optionError } from './data-errors.js';
import type { Rng } from '../core/random.js';

export type LabelNoiseType = 'symmetric' | 'asymmetric' | 'pairflip';

export interface LabelNoiseResult {
  readonly noisy: Int32Array;
  /** Fraction of labels that differ from the clean ones. */
  readonly realisedRate: number;
  readonly flipped: number;
}

export function applyLabelNoise(
  clean: Int32Array,
  numClasses: number,
  type: LabelNoiseType,
  rate: number,
  rng: Rng,
  classMap?: ReadonlyMap<number, number>,
): LabelNoiseResult {
  if (numClasses < 2) throw optionError('label_noise', 'label noise needs at least 2 classes');
  if (type === 'asymmetric' && !classMap) {
    throw optionError('label_noise.class_map', 'type asymmetric needs a class_map (this dataset has no standard one)');
  }
  const noisy = Int32Array.from(clean);
  let flipped = 0;
  for (let i = 0; i < clean.length; i++) {
    // one draw per example whatever the outcome, so the stream stays aligned across types
    const u = rng.uniform();
    const y = clean[i]!;
    let target = y;
    if (type === 'symmetric') {
      const offset = 1 + rng.int(numClasses - 1);
      if (u < rate) target = (y + offset) % numClasses;
    } else if (u < rate) {
      target = type === 'pairflip' ? (y + 1) % numClasses : classMap!.get(y) ?? y;
    }
    noisy[i] = target;
    if (target !== y) flipped += 1;
  }
  return { noisy, realisedRate: clean.length === 0 ? 0 : flipped / clean.length, flipped };
}

/**
 * Resolves a YAML class map (`{ "3": 5, cat: dog }`: keys and values are class ids or class
 * names) into ids, checking every entry.
 */
export function resolveClassMap(
  map: Readonly<Record<string, number | string>>,
  numClasses: number,
  classNames?: readonly string[],
): Map<number, number> {
  const id = (v: number | string, where: string): number => {
    if (typeof v === 'number' || /^\d+$/.test(v)) {
      const k = Number(v);
      if (Number.isInteger(k) && k >= 0 && k < numClasses) return k;
      throw optionError('label_noise.class_map', `${where} ${v} is not a class id in [0, ${numClasses})`);
    }
    const k = classNames?.indexOf(v) ?? -1;
    if (k < 0) {
      const known = classNames ? `; classes: ${classNames.join(', ')}` : ' (this dataset has no class names; use ids)';
      throw optionError('label_noise.class_map', `${where} "${v}" is not a class name${known}`);
    }
    return k;
  };
  const out = new Map<number, number>();
  for (const [from, to] of Object.entries(map)) out.set(id(from, 'key'), id(to, `value of "${from}":`));
  return out;
}
