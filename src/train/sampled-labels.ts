/**
 * Labels drawn from a model's own predictive distribution (Sophia's Gauss–Newton–Bartlett
 * estimator; train_sophiag.py draws them with torch.distributions.Categorical(logits).sample()).
 * minima draws by inverse CDF: row r takes the first class whose running sum of probabilities
 * exceeds the r-th uniform of Rng(seed), so a step's draw is a pure function of its seed and the
 * probabilities, on every backend (torch's own sampler cannot be matched bit for bit).
 */
import { Rng } from '../core/random.js';

/** One class per row of the row-major [rows, classes] probabilities (float32, each row sums to ~1). */
export function drawLabels(probs: ArrayLike<number>, rows: number, classes: number, seed: number): Int32Array {
  const rng = new Rng(seed);
  const out = new Int32Array(rows);
  for (let r = 0; r < rows; r++) {
    const u = rng.uniform();
    let cum = 0;
    let c = 0;
    // a row that sums to slightly under 1 leaves u past the end: the last class takes it
    for (; c < classes - 1; c++) {
      cum += probs[r * classes + c]!;
      if (u < cum) break;
    }
    out[r] = c;
  }
  return out;
}
