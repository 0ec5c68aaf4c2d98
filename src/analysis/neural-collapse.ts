/**
 * Neural collapse of the penultimate features (Papyan, Han, Donoho 2020, whose released notebook
 * these follow): NC1 = tr(Σ_W Σ_B†)/C (within-class variability against between-class spread,
 * Σ_B† on its top C − 1 directions as their svds(k = C − 1)); NC2 equinorm (coefficient of variation
 * of the centred class-mean norms and of the classifier rows) and equiangularity (std of the
 * off-diagonal cosines; mean |cos + 1/(C − 1)|, the distance to a simplex ETF); NC3 self-duality
 * ‖W/‖W‖_F − Mᵀ/‖M‖_F‖²_F; NC4 the share of rows where the nearest class mean disagrees with the
 * network's prediction.
 */
import { z } from 'zod';
import { ExitCode, RunnerError } from '../core/errors.js';
import { symmetricEigen } from '../measure/spectrum.js';
import { sampleRows, splitOutputs } from './open-run.js';
import { matrixChart } from './plots.js';
import type { AnalysisEntry } from './types.js';

const schema = z.strictObject({
  split: z.enum(['train', 'test']).default('train').describe('Split whose embeddings are measured (Papyan et al.: train).'),
  examples: z.number().int().positive().nullable().default(null).describe('Rows drawn by the seed (null: the whole split).'),
  seed: z.number().int().default(0),
});
type Options = z.infer<typeof schema>;

export interface CollapseMetrics {
  readonly nc1: number;
  readonly nc2_equinorm_means: number;
  readonly nc2_equiangular_means: number;
  readonly nc2_max_angle_means: number;
  readonly nc2_equinorm_classifier: number | null;
  readonly nc2_equiangular_classifier: number | null;
  readonly nc2_max_angle_classifier: number | null;
  readonly nc3: number | null;
  readonly nc4: number;
  /** Cosines between the centred class means, row-major C × C. */
  readonly cosines: number[];
}

const mean = (a: readonly number[]) => a.reduce((s, x) => s + x, 0) / a.length;
const std = (a: readonly number[]) => { const m = mean(a); return Math.sqrt(a.reduce((s, x) => s + (x - m) ** 2, 0) / a.length); };

/** Norm CV, std of off-diagonal cosines and mean |cos + 1/(C − 1)| of C vectors (rows of `v`, width d). */
function geometry(v: readonly Float64Array[]): { equinorm: number; equiangular: number; maxAngle: number; cosines: number[] } {
  const c = v.length;
  const norms = v.map((x) => Math.sqrt(x.reduce((s, t) => s + t * t, 0)));
  const cosines: number[] = [];
  const off: number[] = [];
  for (let a = 0; a < c; a++) {
    for (let b = 0; b < c; b++) {
      let d = 0;
      for (let k = 0; k < v[a]!.length; k++) d += v[a]![k]! * v[b]![k]!;
      const cos = d / (norms[a]! * norms[b]! || 1);
      cosines.push(cos);
      if (a !== b) off.push(cos);
    }
  }
  return { equinorm: std(norms) / mean(norms), equiangular: std(off), maxAngle: mean(off.map((x) => Math.abs(x + 1 / (c - 1)))), cosines };
}

/**
 * The NC metrics of embeddings h [n, d] with labels y in [0, C); `classifier` is W as C rows of
 * width d (null: no linear head, NC2-W and NC3 are null); `predicted` the network's class per row.
 * Classes without rows are left out.
 */
export function collapseMetrics(h: Float32Array, y: Int32Array, d: number, classes: number, classifier: readonly Float64Array[] | null, predicted: Int32Array): CollapseMetrics {
  const n = y.length;
  const counts = new Float64Array(classes);
  const sums = Array.from({ length: classes }, () => new Float64Array(d));
  const global = new Float64Array(d);
  for (let i = 0; i < n; i++) {
    const c = y[i]!;
    counts[c] = counts[c]! + 1;
    const s = sums[c]!;
    for (let k = 0; k < d; k++) { s[k] = s[k]! + h[i * d + k]!; global[k] = global[k]! + h[i * d + k]!; }
  }
  for (let k = 0; k < d; k++) global[k] = global[k]! / n;
  const present = Array.from({ length: classes }, (_, c) => c).filter((c) => counts[c]! > 0);
  const means = sums.map((s, c) => s.map((x) => x / Math.max(1, counts[c]!)));
  const centred = present.map((c) => means[c]!.map((x, k) => x - global[k]!));
  const C = present.length;
  if (C < 2) throw new RunnerError('ANALYSIS_UNSUPPORTED', 'neural-collapse: the rows hold fewer than two classes', ExitCode.usage);
  // Σ_B = MMᵀ/C through the C × C Gram matrix: eigenpairs (s², v) give u = Mv/s
  const gram = new Float64Array(C * C);
  for (let a = 0; a < C; a++) for (let b = 0; b < C; b++) gram[a * C + b] = centred[a]!.reduce((s, x, k) => s + x * centred[b]![k]!, 0);
  const eig = symmetricEigen(gram, C);
  const keep = eig.values.slice(0, C - 1).map((s2, k) => ({ s2, v: eig.vectors[k]! })).filter((e) => e.s2 > 1e-12 * eig.values[0]!);
  const dirs = keep.map(({ s2, v }) => {
    const u = new Float64Array(d);
    for (let a = 0; a < C; a++) for (let k = 0; k < d; k++) u[k] = u[k]! + (centred[a]![k]! * v[a]!) / Math.sqrt(s2);
    return u;
  });
  // tr(Σ_W Σ_B†)/C = Σ_k mean_i (u_k·(h_i − μ_{y_i}))² / s_k²  (Σ_B† = Σ_k C/s_k² u_k u_kᵀ)
  const q = new Float64Array(dirs.length);
  for (let i = 0; i < n; i++) {
    const mu = means[y[i]!]!;
    dirs.forEach((u, k) => {
      let p = 0;
      for (let t = 0; t < d; t++) p += u[t]! * (h[i * d + t]! - mu[t]!);
      q[k] = q[k]! + (p * p) / n;
    });
  }
  const nc1 = keep.reduce((s, e, k) => s + q[k]! / e.s2, 0);
  const m = geometry(centred);
  let w: ReturnType<typeof geometry> | null = null;
  let nc3: number | null = null;
  if (classifier) {
    const rows = present.map((c) => classifier[c]!);
    w = geometry(rows);
    const fro = (vs: readonly Float64Array[]) => Math.sqrt(vs.reduce((s, x) => s + x.reduce((t, z) => t + z * z, 0), 0));
    const wn = fro(rows);
    const mn = fro(centred);
    nc3 = rows.reduce((s, r, a) => s + r.reduce((t, x, k) => t + (x / wn - centred[a]![k]! / mn) ** 2, 0), 0);
  }
  // NC4: nearest class mean (Euclidean) against the network's prediction
  let mismatch = 0;
  for (let i = 0; i < n; i++) {
    let best = -1;
    let bestD = Infinity;
    for (const c of present) {
      let dist = 0;
      for (let k = 0; k < d; k++) dist += (h[i * d + k]! - means[c]![k]!) ** 2;
      if (dist < bestD) { bestD = dist; best = c; }
    }
    if (best !== predicted[i]) mismatch++;
  }
  return {
    nc1,
    nc2_equinorm_means: m.equinorm,
    nc2_equiangular_means: m.equiangular,
    nc2_max_angle_means: m.maxAngle,
    nc2_equinorm_classifier: w?.equinorm ?? null,
    nc2_equiangular_classifier: w?.equiangular ?? null,
    nc2_max_angle_classifier: w?.maxAngle ?? null,
    nc3,
    nc4: mismatch / n,
    cosines: m.cosines,
  };
}

export const neuralCollapse: AnalysisEntry<Options> = {
  name: 'neural-collapse',
  summary: 'NC1–NC4 of the penultimate features and the linear classifier ("Prevalence of neural collapse during the terminal phase of deep learning training", Papyan, Han, Donoho 2020).',
  schema,
  info: {
    source: 'Papyan, Han, Donoho 2020, released notebook (NC1 with svds(Σ_B, k = C − 1), NC2 std cos / max-angle, NC3 ‖W/‖W‖ − Mᵀ/‖M‖‖²)',
    cost: 'one forward pass over the split; MNIST MLP [256], 8k rows ≈ 5 s on 2 cores',
    paper: 'Prevalence of neural collapse during the terminal phase of deep learning training (Papyan, Han, Donoho PNAS 2020)',
  },
  create(o) {
    return {
      folder: 'neural-collapse',
      async run(ctx) {
        const { run } = ctx;
        const spec = run.exp.dataset.spec;
        if (spec.task !== 'classification') throw new RunnerError('ANALYSIS_UNSUPPORTED', `neural-collapse needs a classification dataset (${run.exp.config.dataset.name} is ${spec.task})`, ExitCode.usage);
        const rows = sampleRows(run.exp.dataset.sizes[o.split], o.examples, o.seed, 'neural-collapse');
        const out = await ctx.unit('outputs', async () => {
          const s = await splitOutputs(run, o.split, rows);
          const predicted = new Int32Array(s.n);
          for (let i = 0; i < s.n; i++) {
            let best = 0;
            for (let c = 1; c < s.classes; c++) if (s.probabilities[i * s.classes + c]! > s.probabilities[i * s.classes + best]!) best = c;
            predicted[i] = best;
          }
          // the linear head: the model's kernel [E, K] named …/head/kernel (models/heads.ts); its columns are W's rows
          const head = run.exp.params.find((p) => p.owner === 'model' && /(^|\/)head\/kernel$/.test(p.name) && p.variable.shape.length === 2 && p.variable.shape[0] === s.width && p.variable.shape[1] === s.classes);
          let classifier: number[][] | null = null;
          if (head) {
            const k = head.variable.dataSync();
            classifier = Array.from({ length: s.classes }, (_, c) => Array.from({ length: s.width }, (__, e) => k[e * s.classes + c]!));
          }
          const m = collapseMetrics(s.embeddings, s.labels, s.width, s.classes, classifier?.map((r) => Float64Array.from(r)) ?? null, predicted);
          return { ...m, classes: s.classes, rows: s.n, width: s.width, linear_head: head?.name ?? null };
        });
        const c = out.classes;
        await ctx.writeFigure('class-mean-cosines', matrixChart({ title: `${run.exp.config.name} @ ${run.step}: cosines of centred class means (${o.split})`, rows: out.cosines.map((v, i) => ({ a: Math.floor(i / Math.sqrt(out.cosines.length)), b: i % Math.sqrt(out.cosines.length), value: v })), valueTitle: 'cos' }));
        ctx.writeCsv('class-mean-cosines.csv', out.cosines.map((v, i) => ({ a: Math.floor(i / Math.sqrt(out.cosines.length)), b: i % Math.sqrt(out.cosines.length), cos: v })));
        const { cosines: _cosines, ...result } = out;
        return { split: o.split, etf_cosine: -1 / (c - 1), ...result };
      },
    };
  },
};
