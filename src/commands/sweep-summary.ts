/**
 * `minima sweep summary SWEEP_DIR [--metric M] [--mode min|max] [--format table|csv|json|markdown]`:
 * trials grouped over seeds, mean ± std and n of each final/best metric, best group first, showing
 * only the columns that differ between groups.
 */
import { resolve } from 'node:path';
import { z } from 'zod';
import { ExitCode, type ExitCodeValue } from '../core/errors.js';
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
}).strict();
export type SweepSummaryOptions = z.input<typeof sweepSummaryOptions>;

export async function sweepSummary(options: SweepSummaryOptions, ctx: CommandContext): Promise<ExitCodeValue> {
  const o = sweepSummaryOptions.parse(options);
  const sweep = new SweepDir(resolve(ctx.cwd, o.sweepDir));
  const plan = sweep.readPlan();
  const records = sweep.writeTrialsJsonl(plan);
  const summaries = new Map(plan.trials.map((t) => [t.id, readSummary(sweep.runDir(t))]));
  const s = summarizeSweep(records, summaries, { metric: o.metric, mode: o.mode, allColumns: o.allColumns });
  if (o.metric && !s.groups.some((g) => g.metrics[o.metric!])) {
    const known = [...new Set(s.groups.flatMap((g) => Object.keys(g.metrics)))];
    ctx.stderr.write(`warning: no completed trial has ${o.metric}; known: ${known.join(', ') || '(none yet)'}\n`);
  }
  ctx.stdout.write(formatSummary(s, o.format));
  return ExitCode.ok;
}
