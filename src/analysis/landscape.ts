/**
 * Loss landscape along filter-normalised random directions (Li et al. 2018, tomgoldstein/loss-landscape
 * `net_plotter.py` create_random_direction / normalize_directions_for_weights): L(θ + αδ) in 1-D,
 * L(θ + αδ + βη) in 2-D, on the train and test splits (loss and accuracy at every grid point).
 */
import { z } from 'zod';
import { Rng } from '../core/random.js';
import type { ParamSpec, SplitName } from '../core/types.js';
import { assignWeights, evaluateRun, sampleRows } from './open-run.js';
import { contourChart, linesChart, surfaceChart } from './plots.js';
import type { AnalysisEntry } from './types.js';

const split = z.enum(['train', 'test']);
const schema = z.strictObject({
  dims: z.union([z.literal(1), z.literal(2)]).default(1).describe('1: L(θ + αδ); 2: L(θ + αδ + βη).'),
  points: z.number().int().min(3).max(201).default(21).describe('Grid points per axis, range ends included (upstream xnum 51).'),
  range: z.tuple([z.number(), z.number()]).default([-1, 1]).describe('Coordinate range of every axis (upstream xmin −1, xmax 1).'),
  norm: z.enum(['filter', 'layer', 'weight']).default('filter').describe('filter: each filter of δ rescaled to its filter of θ; layer: each tensor; weight: δ ⊙ θ (upstream dir_norm).'),
  ignore: z.enum(['biasbn', 'none']).default('biasbn').describe('biasbn: directions of rank ≤ 1 tensors (biases, BatchNorm) are zero; none: they copy θ, the upstream default without --xignore.'),
  splits: z.array(split).min(1).default(['train', 'test']).describe('Splits evaluated at every point.'),
  examples: z.number().int().positive().nullable().default(null).describe('Rows per split drawn by the seed (null: the whole split).'),
  seed: z.number().int().default(0).describe('Seed of the random directions and the row draw.'),
});
type Options = z.infer<typeof schema>;

/**
 * A random Gaussian direction normalised per filter. A filter is one output unit: the slice at
 * one index of a kernel's LAST axis (tfjs dense [in, out], conv [kh, kw, in, out]), which is
 * torch's first axis (Linear [out, in], Conv2d [out, in, kh, kw]) that upstream normalises over.
 */
export function filterNormalizedDirection(params: readonly ParamSpec[], weights: readonly Float32Array[], rng: Rng, norm: Options['norm'], ignore: Options['ignore']): Float32Array[] {
  return params.map((p, k) => {
    const w = weights[k]!;
    const d = rng.fillNormal(new Float32Array(w.length));
    if (p.owner !== 'model') return d.fill(0); // loss-owned variables (harmonic centres …) stay put
    if (p.variable.shape.length <= 1) return ignore === 'biasbn' ? d.fill(0) : Float32Array.from(w);
    if (norm === 'weight') return d.map((x, i) => x * w[i]!);
    if (norm === 'layer') return scaleTo(d, w, 0, 1, d.length);
    const units = p.variable.shape.at(-1)!;
    for (let j = 0; j < units; j++) scaleTo(d, w, j, units, d.length / units);
    return d;
  });
}

/** d's strided slice {offset + i·stride} rescaled to the norm of w's: upstream d.mul_(w.norm()/(d.norm() + 1e-10)). */
function scaleTo(d: Float32Array, w: Float32Array, offset: number, stride: number, count: number): Float32Array {
  let dn = 0;
  let wn = 0;
  for (let i = 0; i < count; i++) {
    const at = offset + i * stride;
    dn += d[at]! ** 2;
    wn += w[at]! ** 2;
  }
  const c = Math.sqrt(wn) / (Math.sqrt(dn) + 1e-10);
  for (let i = 0; i < count; i++) d[offset + i * stride] = d[offset + i * stride]! * c;
  return d;
}

function linspace(lo: number, hi: number, n: number): number[] {
  return Array.from({ length: n }, (_, i) => (i === n - 1 ? hi : lo + ((hi - lo) * i) / (n - 1)));
}

type Point = Record<string, number>;

export const landscape: AnalysisEntry<Options> = {
  name: 'landscape',
  summary: 'Loss and accuracy along filter-normalised random directions, 1-D or 2-D ("Visualizing the Loss Landscape of Neural Nets", Li et al. 2018).',
  schema,
  info: {
    source: 'tomgoldstein/loss-landscape (net_plotter.py, plot_surface.py)',
    cost: '(points or points²) × splits full evaluations; MNIST MLP [256], 8k+2k rows: 1-D 21 points ≈ 30 s, 2-D 21×21 ≈ 8 min on 2 cores (examples: 2000 ≈ 2 min)',
    paper: 'Visualizing the Loss Landscape of Neural Nets (Li, Xu, Taylor, Studer, Goldstein NeurIPS 2018)',
  },
  create(o) {
    return {
      folder: o.dims === 1 ? 'landscape' : 'landscape-2d',
      async run(ctx) {
        const { run } = ctx;
        const { params } = run.exp;
        const rng = Rng.derive(o.seed, 'landscape');
        const dx = filterNormalizedDirection(params, run.weights, rng, o.norm, o.ignore);
        const dy = o.dims === 2 ? filterNormalizedDirection(params, run.weights, rng, o.norm, o.ignore) : undefined;
        const xs = linspace(o.range[0], o.range[1], o.points);
        const ys = o.dims === 2 ? xs : [0];
        const rows = new Map<SplitName, Int32Array>(o.splits.map((s) => [s, sampleRows(run.exp.dataset.sizes[s], o.examples, o.seed, s)]));
        const at = async (a: number, b: number): Promise<Point> => {
          assignWeights(run, run.weights.map((w, k) => w.map((x, i) => x + a * dx[k]![i]! + (dy ? b * dy[k]![i]! : 0))));
          const point: Point = {};
          for (const s of o.splits) {
            const m = await evaluateRun(run, s, rows.get(s));
            point[`${s}_loss`] = m.loss!;
            if (m.accuracy !== undefined) point[`${s}_accuracy`] = m.accuracy;
          }
          return point;
        };
        const bar = ctx.progress(xs.length * ys.length + 1, 'landscape');
        const grid: Point[] = [];
        let center: Point;
        try {
          center = await ctx.unit('center', () => at(0, 0));
          bar.tick();
          for (let j = 0; j < ys.length; j++) {
            for (let i = 0; i < xs.length; i++) {
              const v = await ctx.unit(o.dims === 1 ? `x${i}` : `x${i}y${j}`, () => at(xs[i]!, ys[j]!));
              grid.push(o.dims === 1 ? { alpha: xs[i]!, ...v } : { alpha: xs[i]!, beta: ys[j]!, ...v });
              bar.tick();
            }
          }
        } finally {
          bar.stop();
          assignWeights(run, run.weights);
        }
        ctx.writeCsv(o.dims === 1 ? 'landscape.csv' : 'landscape-2d.csv', grid);
        const result: Record<string, unknown> = { dims: o.dims, points: o.points, range: o.range, norm: o.norm, ignore: o.ignore, examples: o.examples };
        for (const [k, v] of Object.entries(center)) result[`center_${k}`] = v;
        if (o.dims === 1) {
          // flatness at equal filter-normalised radius r: the mean rise L(±r) − L(0) of the two sides
          const rise = xs.filter((x) => x > 0 && xs.some((y) => Math.abs(y + x) < 1e-9)).map((r) => {
            const plus = grid.find((g) => Math.abs(g.alpha! - r) < 1e-9)!;
            const minus = grid.find((g) => Math.abs(g.alpha! + r) < 1e-9)!;
            const out: Record<string, number> = { radius: r };
            for (const s of o.splits) out[`${s}_loss_rise`] = (plus[`${s}_loss`]! + minus[`${s}_loss`]!) / 2 - center[`${s}_loss`]!;
            return out;
          });
          result.rise = rise;
          for (const r of rise) for (const s of o.splits) result[`${s}_loss_rise@${round(r.radius!)}`] = r[`${s}_loss_rise`];
          const long = grid.flatMap((g) => o.splits.flatMap((s) => [
            { alpha: g.alpha!, value: g[`${s}_loss`]!, curve: `${s} loss`, kind: 'loss' },
            ...(g[`${s}_accuracy`] !== undefined ? [{ alpha: g.alpha!, value: g[`${s}_accuracy`]!, curve: `${s} accuracy`, kind: 'accuracy' }] : []),
          ]));
          await ctx.writeFigure('landscape-loss', linesChart({ title: `${run.exp.config.name} @ ${run.step}: loss along a ${o.norm}-normalised direction`, x: 'alpha', y: 'value', xTitle: 'α', yTitle: 'loss', rows: long.filter((r) => r.kind === 'loss'), series: 'curve', logY: true }));
          if (long.some((r) => r.kind === 'accuracy')) await ctx.writeFigure('landscape-accuracy', linesChart({ title: `${run.exp.config.name} @ ${run.step}: accuracy along the same direction`, x: 'alpha', y: 'value', xTitle: 'α', yTitle: 'accuracy', rows: long.filter((r) => r.kind === 'accuracy'), series: 'curve' }));
        } else {
          for (const s of o.splits) {
            const zs = ys.map((_, j) => xs.map((__, i) => grid[j * xs.length + i]![`${s}_loss`]!));
            await ctx.writeFigure(`${s}-loss-contour`, contourChart({ title: `${run.exp.config.name} @ ${run.step}: ${s} loss`, xs, ys, z: zs, zTitle: `${s} loss` }));
            await ctx.writeFigure(`${s}-loss-surface`, surfaceChart({ title: `${run.exp.config.name} @ ${run.step}: ${s} loss surface (clipped at 5× the centre + 1)`, xs, ys, z: zs, clip: 5 * center[`${s}_loss`]! + 1 }));
            if (grid[0]![`${s}_accuracy`] !== undefined) {
              const acc = ys.map((_, j) => xs.map((__, i) => grid[j * xs.length + i]![`${s}_accuracy`]!));
              await ctx.writeFigure(`${s}-accuracy-contour`, contourChart({ title: `${run.exp.config.name} @ ${run.step}: ${s} error (1 − accuracy)`, xs, ys, z: acc.map((r) => r.map((a) => Math.max(1e-4, 1 - a))), zTitle: `${s} error` }));
            }
          }
        }
        return result;
      },
    };
  },
};

function round(x: number): number {
  return Math.round(x * 1e6) / 1e6;
}
