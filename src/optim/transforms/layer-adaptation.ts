import type { ParamSpec } from '../../core/types.js';

/**
 * Whether a parameter is left out of LAMB/LARS layer adaptation and weight decay: biases (role
 * `bias`, which includes normalisation shifts) and normalisation scales (role `kernel` of rank 1).
 * BERT's LAMB excludes "bias" and "LayerNorm" by name; timm excludes every tensor of rank ≤ 1 from
 * decay (and so from adaptation); by role and rank here, the same tensors in minima's models.
 */
export function excludedFromAdaptation(spec: ParamSpec | undefined, rank: number): boolean {
  return spec?.role === 'bias' || rank <= 1;
}
