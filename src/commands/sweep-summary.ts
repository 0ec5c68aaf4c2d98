/**
 * `minima sweep summary SWEEP_DIR [--metric M] [--mode min|max] [--format table|csv|json|markdown]`:
 * trials grouped over seeds, mean ± std and n of each final/best metric, best group first, showing
 * only the columns that differ between groups.
 * `--fit power-law --x PATH [--metric M]` instead fits M(x) = E + A·x^(−α) over the swept PATH
 * (sweep/learning-curve.ts) and writes SWEEP_DIR/fits/power-law-<x>-<metric>[-upto-<fit-max>].{json,svg,png}.
 */
import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { z } from 'zod';
import { ConfigError, ExitCode, type ExitCodeValue } from '../core/errors.js';
import { powerLawChart } from '../report/power-law-chart.js';
import { renderFigure } from '../report/figure.js';
import { writeFileAtomic } from '../run/atomic.js';
import { FitInputError, fitLearningCurves, formatLearningCurves } from '../sweep/learning-curve.js';
import { readSummary } from '../run/run-folder.js';
import { formatSummary, summarizeSweep } from '../sweep/summarize.js';
import { SweepDir } from '../sweep/sweep-dir.js';
import type { CommandContext } from './context.js';

export const sweepSummaryOptions = z.object({
  sweepDir: z.string().min(1).describe('sweep folder (runs/<sweep-name>)'),
  metric: z.string().optional().describe('sort by this metric: test.accuracy (final) or best.test.accuracy (default: best.test.accuracy, test.accuracy, test.loss, train.loss, whichever exists)'),
  mode: z.enum(['min', 'max']).optional().describe('sort direction (default: min for loss, error, nll, ece, brier, mse, mae, norm … metrics, else max)'),
  format: z.enum(['table', 'csv', 'json', 'markdown']).default('table'),
  allColumns: z.boolean().default(false).describe('every param and metric column (default: the params that differ, the sort metric and the headline metrics best.test.accuracy, test.accuracy, test.loss, best.test.loss, train.loss)'),
  fit: z.enum(['power-law']).optional().describe('fit the metric (default test.loss) against --x: power-law M(x) = E + A·x^(−α); accuracy-like metrics as 1 − M'),
  x: z.string().min(1).optional().describe('the swept key the fit runs over (e.g. dataset.train_size)'),
  fitMax: z.coerce.number().positive().optional().describe('fit on x ≤ this value only and report the prediction at the larger x'),
  bootstrap: z.coerce.number().int().min(10).default(1000).describe('bootstrap resamples for the 95% intervals'),
  seed: z.coerce.number().int().default(0).describe('seed of the bootstrap'),
}).strict();
export type SweepSummaryOptions = z.input<typeof sweepSummaryOptions>;

export async function sweepSummary(options: SweepSummaryOptions, ctx: CommandContext): Promise<ExitCodeValue> {
  const o = sweepSummaryOptions.parse(options);
  const sweep = new SweepDir(resolve(ctx.cwd, o.sweepDir));
  const plan = sweep.readPlan();
  const records = sweep.writeTrialsJsonl(plan);
  if (o.fit) return fitSummary(o, sweep, records, ctx);
  const summaries = new Map(plan.trials.map((t) => [t.id, readSummary(sweep.runDir(t))]));
  const s = summarizeSweep(records, summaries, { metric: o.metric, mode: o.mode, allColumns: o.allColumns });
  if (o.metric && !s.groups.some((g) => g.metrics[o.metric!])) {
    const known = [...new Set(s.groups.flatMap((g) => Object.keys(g.metrics)))];
    ctx.stderr.write(`warning: no completed trial has ${o.metric}; known: ${known.join(', ') || '(none yet)'}\n`);
  }
  ctx.stdout.write(formatSummary(s, o.format));
  return ExitCode.ok;
}

const slug = (v: string) => v.replace(/[^A-Za-z0-9._-]+/g, '_');

async function fitSummary(o: z.output<typeof sweepSummaryOptions>, sweep: SweepDir, records: Parameters<typeof fitLearningCurves>[0], ctx: CommandContext): Promise<ExitCodeValue> {
  if (!o.x) throw new ConfigError([{ path: '--x', message: '--fit power-law needs --x PATH, the swept key to fit over' }]);
  const metric = o.metric ?? 'test.loss';
  let report: ReturnType<typeof fitLearningCurves>;
  try {
    report = fitLearningCurves(records, { x: o.x, metric, resamples: o.bootstrap, seed: o.seed, fitMax: o.fitMax });
  } catch (err) {
    if (err instanceof FitInputError || (err instanceof Error && err.message.startsWith('fitPowerLaw:'))) throw new ConfigError([{ path: '--fit', message: err.message }]);
    throw err;
  }
  const dir = join(sweep.dir, 'fits');
  mkdirSync(dir, { recursive: true });
  const base = join(dir, `power-law-${slug(o.x)}-${slug(metric)}${o.fitMax === undefined ? '' : `-upto-${o.fitMax}`}`);
  writeFileAtomic(`${base}.json`, `${JSON.stringify(report, null, 2)}\n`);
  const spec = powerLawChart({ title: `${report.fitted} = E + A·x^(−α)`, x: o.x, y: report.fitted, curves: report.curves });
  writeFileAtomic(`${base}.svg`, await renderFigure(spec, { format: 'svg' }));
  writeFileAtomic(`${base}.png`, await renderFigure(spec, { format: 'png', dpi: 150 }));
  ctx.stdout.write(o.format === 'json' ? `${JSON.stringify(report)}\n` : formatLearningCurves(report));
  ctx.stderr.write(`wrote ${base}.{json,svg,png}\n`);
  return ExitCode.ok;
}
