/**
 * Linear interpolation θ(α) = (1 − α)·θ_A + α·θ_B (Goodfellow, Vinyals, Saxe 2015; the 1-D plots of
 * tomgoldstein/loss-landscape `plot_surface.py --model_file2`): between the run's initialisation
 * (its seed's init) and its checkpoint, or between two runs' checkpoints. Each point is evaluated
 * with the first run's dataset and loss; the endpoints are also checked against each run's own eval
 * rows in metrics.jsonl, which they must reproduce.
 */
import { z } from 'zod';
import { ExitCode, RunnerError } from '../core/errors.js';
import type { SplitName } from '../core/types.js';
import { readMetrics } from '../run/run-folder.js';
import { assignWeights, evaluateRun, sampleRows, type OpenedRun } from './open-run.js';
import { linesChart } from './plots.js';
import type { AnalysisEntry } from './types.js';

const schema = z.strictObject({
  other: z.string().min(1).nullable().default(null).describe('Second run folder (θ_B = its checkpoint); null: θ_A = this run\'s initialisation, θ_B = its checkpoint.'),
  other_checkpoint: z.number().int().nonnegative().nullable().default(null).describe('Step of the second run\'s checkpoint (null: its newest).'),
  points: z.number().int().min(2).max(401).default(21).describe('Points in the α range, ends included.'),
  range: z.tuple([z.number(), z.number()]).default([0, 1]).describe('α range; [−0.5, 1.5] also shows the loss beyond both ends.'),
  splits: z.array(z.enum(['train', 'test'])).min(1).default(['train', 'test']),
  examples: z.number().int().positive().nullable().default(null).describe('Rows per split drawn by the seed (null: the whole split; the endpoint check needs null).'),
  seed: z.number().int().default(0),
});
type Options = z.infer<typeof schema>;

/** The last eval row's metric of `split` at `step` in the run's metrics.jsonl, if logged. */
function logged(run: OpenedRun, split: SplitName, step: number, key: string): number | null {
  const rows = readMetrics(run.dir).filter((r) => r.eval === true && r.split === split && r.step === step);
  const v = rows.at(-1)?.[key];
  return typeof v === 'number' ? v : null;
}

export const interpolate: AnalysisEntry<Options> = {
  name: 'interpolate',
  summary: 'Loss and accuracy along the straight line between initialisation and the checkpoint, or between two runs ("Qualitatively characterizing neural network optimization problems", Goodfellow et al. 2015).',
  schema,
  info: {
    source: 'tomgoldstein/loss-landscape (plot_surface.py with --model_file2: 1-D linear interpolation)',
    cost: 'points × splits full evaluations (+ endpoint checks); MNIST MLP [256], 8k+2k rows, 21 points ≈ 30 s on 2 cores',
    paper: 'Qualitatively characterizing neural network optimization problems (Goodfellow, Vinyals, Saxe ICLR 2015)',
  },
  create(o) {
    return {
      folder: o.other === null ? 'interpolate-init' : `interpolate-${o.other.replace(/[\\/]+$/, '').split(/[\\/]/).at(-1)!.replace(/[^A-Za-z0-9._-]/g, '_')}`,
      async run(ctx) {
        const { run } = ctx;
        const other = o.other === null ? undefined : await ctx.openOther(o.other, o.other_checkpoint ?? undefined);
        if (other) {
          const a = run.exp.params;
          const b = other.exp.params;
          const same = a.length === b.length && a.every((p, i) => p.name === b[i]!.name && p.variable.shape.join(',') === b[i]!.variable.shape.join(','));
          if (!same) throw new RunnerError('ANALYSIS_UNSUPPORTED', `interpolate: ${other.name} has other parameters than ${run.name} (names or shapes differ); both runs need the same model`, ExitCode.usage);
        }
        const from = other ? run.weights : run.initial;
        const to = other ? other.weights : run.weights;
        const rows = new Map<SplitName, Int32Array>(o.splits.map((s) => [s, sampleRows(run.exp.dataset.sizes[s], o.examples, o.seed, s)]));
        const alphas = Array.from({ length: o.points }, (_, i) => (i === o.points - 1 ? o.range[1] : o.range[0] + ((o.range[1] - o.range[0]) * i) / (o.points - 1)));
        const bar = ctx.progress(alphas.length, 'interpolate');
        const points: Record<string, number>[] = [];
        try {
          for (let i = 0; i < alphas.length; i++) {
            const a = alphas[i]!;
            points.push(await ctx.unit(`a${i}`, async () => {
              assignWeights(run, from.map((w, k) => w.map((x, j) => (1 - a) * x + a * to[k]![j]!)));
              const p: Record<string, number> = { alpha: a };
              for (const s of o.splits) {
                const m = await evaluateRun(run, s, rows.get(s));
                p[`${s}_loss`] = m.loss!;
                if (m.accuracy !== undefined) p[`${s}_accuracy`] = m.accuracy;
              }
              return p;
            }));
            bar.tick();
          }
        } finally {
          bar.stop();
          assignWeights(run, run.weights);
        }
        ctx.writeCsv('interpolate.csv', points);
        // endpoints: each run's checkpoint evaluated as that run evaluates itself, beside its logged eval row
        const endpoints: Record<string, unknown>[] = [];
        for (const [r, alpha] of [...(other ? [[run, 0] as const, [other, 1] as const] : [[run, 1] as const])]) {
          for (const s of o.splits) {
            const own = await evaluateRun(r, s);
            const row = points.find((p) => Math.abs(p.alpha! - alpha) < 1e-12);
            endpoints.push({ run: r.name, step: r.step, alpha, split: s, loss_on_line: row ? row[`${s}_loss`] ?? null : null, loss_own: own.loss, loss_logged: logged(r, s, r.step, 'loss'), accuracy_own: own.accuracy ?? null, accuracy_logged: logged(r, s, r.step, 'accuracy') });
          }
        }
        ctx.writeJson('endpoints.json', endpoints);
        const label = other ? `${run.name} (α=0) → ${other.name} (α=1)` : `${run.name}: init (α=0) → step ${run.step} (α=1)`;
        const long = points.flatMap((p) => o.splits.flatMap((s) => [{ alpha: p.alpha!, value: p[`${s}_loss`]!, curve: `${s} loss`, kind: 'loss' }, ...(p[`${s}_accuracy`] !== undefined ? [{ alpha: p.alpha!, value: p[`${s}_accuracy`]!, curve: `${s} accuracy`, kind: 'accuracy' }] : [])]));
        await ctx.writeFigure('interpolate-loss', linesChart({ title: label, x: 'alpha', y: 'value', xTitle: 'α', yTitle: 'loss', rows: long.filter((r) => r.kind === 'loss'), series: 'curve', logY: true }));
        if (long.some((r) => r.kind === 'accuracy')) await ctx.writeFigure('interpolate-accuracy', linesChart({ title: label, x: 'alpha', y: 'value', xTitle: 'α', yTitle: 'accuracy', rows: long.filter((r) => r.kind === 'accuracy'), series: 'curve' }));
        const result: Record<string, unknown> = { from: other ? run.name : 'initialisation', to: other ? other.name : `step ${run.step}`, endpoints };
        for (const s of o.splits) {
          const losses = points.map((p) => p[`${s}_loss`]!);
          const ends = [points[0]![`${s}_loss`]!, points.at(-1)![`${s}_loss`]!];
          // the barrier: how far the path rises above the straight line between its end values
          result[`${s}_barrier`] = Math.max(...points.map((p, i) => losses[i]! - (ends[0]! + ((p.alpha! - alphas[0]!) / ((alphas.at(-1)! - alphas[0]!) || 1)) * (ends[1]! - ends[0]!))));
          result[`${s}_max_loss`] = Math.max(...losses);
        }
        return result;
      },
    };
  },
};
