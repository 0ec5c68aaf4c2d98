/** Fused pieces the wrappers (SAM, ASAM, GSAM, GAM) share. */
import * as tf from '../../backends/tf.js';
import type { Params, Updates } from '../transform.js';
import { recordApplied } from './applied.js';
import { fusedActive, runProgram } from './kernel.js';
import { rebaseProgram } from './rules.js';

/** (r + u) − w per tensor: the base's step from `restored` expressed relative to w (fused with the facade's add). */
export function rebase(restored: Params, u: Updates, w: Params): tf.Tensor[] {
  if (!fusedActive()) return restored.map((r, i) => tf.sub(tf.add(r, u[i]!), w[i]!));
  return restored.map((r, i) => {
    const [ui, next] = runProgram(rebaseProgram, [r, u[i]!, w[i]!]) as [tf.Tensor, tf.Tensor];
    recordApplied(ui, w[i]!, next);
    return ui;
  });
}
