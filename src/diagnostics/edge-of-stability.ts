/**
 * Edge of stability (Cohen, Kaur, Li, Kolter, Talwalkar, "Gradient Descent on Neural Networks
 * Typically Occurs at the Edge of Stability", ICLR 2021; code github.com/locuslab/edge-of-stability,
 * src/gd.py + src/utilities.py get_hessian_eigenvalues): every `every` steps, the top eigenvalue
 * λ_max ("sharpness") of the Hessian of the training loss at the current iterate, next to the
 * stability threshold 2/η of gradient descent with step size η. Under full-batch GD λ_max first
 * rises (progressive sharpening) until it reaches 2/η, then hovers just above it.
 *
 * Differences from the official code, each with an option:
 * - λ_max by power iteration on finite-difference HVPs (hessian.ts), not scipy eigsh (Lanczos) on
 *   double-backward HVPs; `iterations` and `tolerance` bound the work. Power iteration converges
 *   to the eigenvalue of largest |λ| (at the edge of stability that is λ_max, far above |λ_min|).
 * - The official code measures on the first `abridged_size` (5000) training examples; here the
 *   Hessian is that of the mean loss on the step's batch (under full-batch GD: the training set),
 *   or on its first `abridged_size` rows when set. Only the top eigenvalue (`neigs` = 1).
 * - The official code measures before the step at `step % eig_freq == 0`; here after step
 *   `step` (1-based) when `step % every == 0`, with the learning rate the schedule set for it.
 */
import { z } from 'zod';
import { Rng } from '../core/random.js';
import { everyOption } from './common.js';
import { powerIteration } from './hessian.js';
import type { DiagnosticContext, DiagnosticEntry } from './types.js';

const schema = z.strictObject({
  every: everyOption(100),
  iterations: z.number().int().positive().default(20).describe('Most power-iteration steps (each one HVP: 2 forward + 2 backward passes); the official code runs Lanczos (scipy eigsh) to convergence.'),
  tolerance: z
    .number()
    .min(0)
    .default(1e-3)
    .describe('Stop once successive Rayleigh quotients agree to |λ_k − λ_{k−1}| ≤ tolerance·|λ_k| (0: always run `iterations`).'),
  eps: z.number().positive().optional().describe('Finite-difference step ε of the HVP for unit v; default cbrt(1.2e-7)·(1 + ‖θ‖) as the hessian diagnostic.'),
  abridged_size: z
    .number()
    .int()
    .positive()
    .nullable()
    .default(null)
    .describe('Measure on the first N rows of the diagnostic batch (the official --abridged_size, 5000 there); null = the whole batch.'),
  seed: z.number().int().default(0).describe('Seed of the random start vector (drawn per step from Rng.derive(seed, "edge-of-stability", step)).'),
  csv: z
    .boolean()
    .default(true)
    .describe('Keep artifacts/<name>/eos.csv (step, lr, λ_max, 2/η, ratio) and report eos_ratio_first / eos_ratio_max over it.'),
});

export type EdgeOfStabilityOptions = z.infer<typeof schema>;

export const CSV_NAME = 'eos.csv';
const CSV_HEADER = 'step,lr,sharpness,threshold,ratio';

/** Top Hessian eigenvalue on `ctx`'s batch (or rows [0, abridged)) by power iteration; also the iterations used. */
export async function topEigenvalue(ctx: DiagnosticContext, o: EdgeOfStabilityOptions): Promise<{ lambda: number; iterations: number; eps: number }> {
  const rows = o.abridged_size !== null && o.abridged_size < ctx.batchSize ? { start: 0, end: o.abridged_size } : undefined;
  const view: DiagnosticContext = rows ? { ...ctx, evaluate: (at) => ctx.evaluate(at, rows) } : ctx;
  return powerIteration(view, { iterations: o.iterations, eps: o.eps, tolerance: o.tolerance, seed: Rng.derive(o.seed, 'edge-of-stability', ctx.step) });
}

interface CsvRow {
  readonly step: number;
  readonly line: string;
  readonly ratio: number;
}

function parseCsv(text: string | undefined): CsvRow[] {
  if (!text) return [];
  const rows: CsvRow[] = [];
  for (const line of text.split('\n').slice(1)) {
    const cells = line.split(',');
    const step = Number(cells[0]);
    if (line.trim() === '' || !Number.isInteger(step)) continue;
    rows.push({ step, line, ratio: cells[4] === '' || cells[4] === undefined ? Number.NaN : Number(cells[4]) });
  }
  return rows;
}

const cell = (v: number) => (Number.isFinite(v) ? String(v) : '');

export const edgeOfStability: DiagnosticEntry<EdgeOfStabilityOptions> = {
  name: 'edge-of-stability',
  summary: 'λ_max of the loss Hessian next to GD\'s stability threshold 2/η, ratio λ_max·η/2 ("Gradient Descent on Neural Networks Typically Occurs at the Edge of Stability", Cohen et al. 2021).',
  schema,
  info: {
    cost: '≤ iterations HVPs (2 forward + 2 backward each), on abridged_size rows when set',
    paper: 'Gradient Descent on Neural Networks Typically Occurs at the Edge of Stability (Cohen et al. ICLR 2021)',
    source: 'github.com/locuslab/edge-of-stability src/utilities.py get_hessian_eigenvalues, src/gd.py (eig_freq, abridged_size)',
  },
  create(o) {
    return {
      every: o.every,
      async run(ctx) {
        const { lambda, iterations } = await topEigenvalue(ctx, o);
        const lr = ctx.lr;
        const threshold = lr > 0 ? 2 / lr : Number.NaN;
        const ratio = (lambda * lr) / 2;
        const out: Record<string, number> = { eos_sharpness: lambda, eos_iterations: iterations };
        if (Number.isFinite(threshold)) out.eos_threshold = threshold;
        if (Number.isFinite(ratio)) out.eos_ratio = ratio;
        if (o.csv) {
          // rows a resumed run measures again (steps ≥ this one) are replaced, not repeated
          const kept = parseCsv(ctx.readArtifact(CSV_NAME)).filter((r) => r.step < ctx.step);
          const line = [ctx.step, lr, lambda, threshold, ratio].map(cell).join(',');
          ctx.artifact(CSV_NAME, `${[CSV_HEADER, ...kept.map((r) => r.line), line].join('\n')}\n`);
          const ratios = [...kept.map((r) => r.ratio), ratio].filter(Number.isFinite);
          if (ratios.length > 0) {
            out.eos_ratio_first = ratios[0]!;
            out.eos_ratio_max = Math.max(...ratios);
          }
        }
        return out;
      },
    };
  },
};
