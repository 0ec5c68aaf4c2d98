import { sign } from '../../backends/tree.js';
import { stateless, type GradientTransformation } from '../transform.js';

/** sign(u) per element (−1, 0, 1; torch.sign's values on every backend, see tree.ts `sign`). */
export function scaleBySign(): GradientTransformation<Record<string, never>> {
  return stateless('sign', (u) => u.map(sign));
}
