import type { GradientTransformation } from '../transform.js';

export interface ProportionOptions {
  readonly rho: number; readonly rho_min: number | null; readonly lr_min: number;
}

/**
 * GSAM's radius following the base lr like the official ProportionScheduler:
 *   (rho_t − rho_min)/(rho − rho_min) = (lr_t − lr_min)/(lr_max − lr_min), lr_max = the configured base lr.
 */
export function proportionRho(o: ProportionOptions, base: GradientTransformation): () => number {
  const lrMax = base.learningRate?.value ?? 0;
  const rhoMin = o.rho_min ?? o.rho;
  return () => {
    const lr = base.learningRate?.value ?? lrMax;
    if (lrMax === o.lr_min) return o.rho;
    return rhoMin + ((o.rho - rhoMin) * (lr - o.lr_min)) / (lrMax - o.lr_min);
  };
}
