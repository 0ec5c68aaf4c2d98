/**
 * `minima runs [DIR…] [--where EXPR]… [--sort KEY] [--columns A,B] [--format table|csv|json|markdown]`:
 * the runs under the folders (default runs/), through sweeps, one row each: status, start, steps,
 * wall time, backend, the config keys that differ between the listed runs, final and best metrics.
 * Reads summary.json, meta.json and config.yaml, never the metrics.
 */
import { z } from 'zod';
import { ExitCode, type ExitCodeValue } from '../core/errors.js';
import { discover } from '../report/discover.js';
import { filterRuns, sortRuns } from '../report/query.js';
import { buildRunsTable, formatRunsTable } from '../report/runs-table.js';
import type { CommandContext } from './context.js';

export const runsOptions = z.object({
  dirs: z.array(z.string().min(1)).default([]).describe('run folders, sweep folders or folders above them (default: runs)'),
  where: z.array(z.string()).default([]).describe('keep runs where KEY OP VALUE holds, e.g. "optimizer.name==sam", "test.accuracy>0.9" (repeatable; all must hold)'),
  sort: z.string().optional().describe('sort by this key (prefix - for descending); default: start time'),
  columns: z.array(z.string()).default([]).describe('exactly these columns (comma list, repeatable); +KEY adds to the default ones'),
  format: z.enum(['table', 'csv', 'json', 'markdown']).default('table'),
}).strict();
export type RunsOptions = z.input<typeof runsOptions>;

export async function runs(options: RunsOptions, ctx: CommandContext): Promise<ExitCodeValue> {
  const o = runsOptions.parse(options);
  const dirs = o.dirs.length > 0 ? o.dirs : ['runs'];
  const found = discover(dirs, { cwd: ctx.cwd });
  const shown = sortRuns(filterRuns(found.runs, o.where), o.sort);
  const columns = o.columns.flatMap((c) => c.split(',')).map((c) => c.trim()).filter((c) => c !== '');
  ctx.stdout.write(formatRunsTable(buildRunsTable(shown, columns), o.format));
  if (shown.length === 0 && o.format === 'table') ctx.stderr.write(`no runs${o.where.length ? ' match' : ''} under ${dirs.join(', ')}\n`);
  return ExitCode.ok;
}
