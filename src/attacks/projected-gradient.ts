/**
 * Projected gradient ascent on the inputs, the one loop behind `pgd` and `fgsm`:
 *   ℓ∞ (MadryLab mnist_challenge pgd_attack.py): x ← clip(x + a·sign(∇ₓ), x₀ − ε, x₀ + ε), then the range;
 *   ℓ2 (csdongxian/AWP attack_pgd, norm "l_2"): δ ← renorm_ε(δ + a·g/(‖g‖ + 1e-10)), then δ clipped so
 *      that x₀ + δ stays in the range; torch renorm scales a row of norm > ε by ε/(‖δ‖ + 1e-7).
 * Random starts: ℓ∞ x₀ + U(−ε, ε) (both upstreams); ℓ2 δ = N(0, I)·r/‖N‖·ε with r ~ U(0, 1) per row (AWP).
 * Every random number comes from the seed, so the same seed gives the same x_adv.
 */
import * as tf from '../backends/tf.js';
import { Rng } from '../core/random.js';
import type { AttackNorm, PerturbOptions } from './types.js';

export interface AscentOptions {
  readonly norm: AttackNorm;
  readonly eps: number;
  readonly steps: number;
  readonly step_size: number;
  readonly random_start: boolean;
  readonly range: readonly [number, number] | null;
}

/** Per-row ℓ2 norm, kept as [batch, 1, …, 1] for broadcasting. */
function rowNorm(t: tf.Tensor): tf.Tensor {
  const axes = Array.from({ length: t.rank - 1 }, (_, i) => i + 1);
  return tf.sqrt(tf.sum(tf.square(t), axes, true));
}

/** Rows of δ with norm above ε scaled back onto the sphere (torch Tensor.renorm(p=2, dim=0, maxnorm=ε)). */
function renorm(delta: tf.Tensor, eps: number): tf.Tensor {
  const n = rowNorm(delta);
  return tf.mul(delta, tf.where(tf.greater(n, eps), tf.div(eps, tf.add(n, 1e-7)), tf.onesLike(n)));
}

function clipRange(x: tf.Tensor, range: AscentOptions['range']): tf.Tensor {
  return range ? tf.clipByValue(x, range[0], range[1]) : x;
}

/** The projection onto {x: ‖x − x₀‖ ≤ ε} ∩ range (ℓ∞: box then range; ℓ2: renorm then range, as upstream). */
export function project(x: tf.Tensor, x0: tf.Tensor, o: Pick<AscentOptions, 'norm' | 'eps' | 'range'>): tf.Tensor {
  return tf.tidy(() => {
    if (o.norm === 'linf') return clipRange(tf.clipByValue(tf.sub(x, x0), -o.eps, o.eps).add(x0), o.range);
    return clipRange(tf.add(x0, renorm(tf.sub(x, x0), o.eps)), o.range);
  });
}

/** The random start around x₀, clipped to the range (upstream clamps δ to [lo − x, hi − x]). */
export function randomStart(x0: tf.Tensor, o: AscentOptions, seed: number): tf.Tensor {
  return tf.tidy(() => {
    const rng = Rng.derive(seed, 'attack-start');
    if (o.norm === 'linf') {
      const u = rng.fillUniform(new Float32Array(x0.size), -o.eps, o.eps);
      return clipRange(tf.add(x0, tf.tensor(u, x0.shape, 'float32')), o.range);
    }
    const d = tf.tensor(rng.fillNormal(new Float32Array(x0.size)), x0.shape, 'float32');
    const rows = x0.shape[0] ?? 1;
    const r = tf.tensor(rng.fillUniform(new Float32Array(rows)), [rows, ...x0.shape.slice(1).map(() => 1)], 'float32');
    return clipRange(tf.add(x0, tf.mul(tf.div(d, rowNorm(d)), tf.mul(r, o.eps))), o.range);
  });
}

/** A tensor with x's values and no gradient history (the upstreams' `.detach()`). */
function detached(x: tf.Tensor): tf.Tensor {
  // Inside a training step the ascent runs on the outer gradient tape; a copy of the values cuts it.
  return tf.tensor(x.dataSync() as Float32Array, x.shape, 'float32');
}

/** `steps` ascent steps from the start; returns x_adv (no gradient history; the caller disposes it). */
export function ascend(lossOf: (x: tf.Tensor) => tf.Scalar, x0: tf.Tensor, o: AscentOptions, seed: number, options?: PerturbOptions): tf.Tensor {
  let x = options?.start ? tf.clone(options.start) : o.random_start && o.eps > 0 ? randomStart(x0, o, seed) : tf.clone(x0);
  for (let s = 0; s < o.steps; s++) {
    const next = tf.tidy(() => {
      const g = tf.grad(lossOf)(x);
      const direction = o.norm === 'linf' ? tf.sign(g) : tf.div(g, tf.add(rowNorm(g), 1e-10));
      return project(tf.add(x, tf.mul(direction, o.step_size)), x0, o);
    });
    x.dispose();
    x = next;
  }
  try {
    return detached(x);
  } finally {
    x.dispose();
  }
}
