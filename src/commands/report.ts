/**
 * `minima report PATH… [--out report.html]`: one self-contained HTML file (charting library
 * inlined, no network when viewed) over runs, sweeps or a mix; see docs/reports.md.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { z } from 'zod';
import { ExitCode, RunnerError, type ExitCodeValue } from '../core/errors.js';
import { discover } from '../report/discover.js';
import { filterRuns } from '../report/query.js';
import { reportHtml } from '../report/report-html.js';
import type { CommandContext } from './context.js';

export const reportOptions = z.object({
  paths: z.array(z.string().min(1)).default([]).describe('run folders, sweep folders or folders above them (default: runs)'),
  out: z.string().min(1).default('report.html').describe('the HTML file to write'),
  title: z.string().optional(),
  metric: z.array(z.string()).default([]).describe('draw only these curves (repeatable; default: every logged metric)'),
  where: z.array(z.string()).default([]).describe('keep runs where KEY OP VALUE holds (as in `minima runs`)'),
  sweepMetric: z.string().optional().describe('the metric of the sweep figures (default: best.test.accuracy, test.accuracy, … whichever exists)'),
  profile: z.string().optional().describe('draw steps-to-target and a performance profile of this metric (needs --target)'),
  target: z.coerce.number().optional().describe('the target value of --profile'),
  by: z.string().optional().describe('the solver key of the performance profile (default: optimizer.name or loss.name when it differs)'),
  maxPoints: z.coerce.number().int().min(16).default(1500).describe('points kept per curve (min/max downsampling keeps real rows)'),
}).strict();
export type ReportOptions = z.input<typeof reportOptions>;

export async function report(options: ReportOptions, ctx: CommandContext): Promise<ExitCodeValue> {
  const o = reportOptions.parse(options);
  if ((o.profile === undefined) !== (o.target === undefined)) throw new RunnerError('USAGE', '--profile METRIC and --target X go together', ExitCode.usage);
  const found = discover(o.paths.length > 0 ? o.paths : ['runs'], { cwd: ctx.cwd });
  const runs = filterRuns(found.runs, o.where);
  if (runs.length === 0) throw new RunnerError('RUN_NOT_FOUND', `no runs under ${(o.paths.length ? o.paths : ['runs']).join(', ')}${o.where.length ? ' match the filters' : ''}`, ExitCode.usage);
  const keep = new Set(runs.map((r) => r.rel));
  const sweeps = found.sweeps.map((s) => ({ ...s, runs: s.runs.filter((r) => keep.has(r)) })).filter((s) => s.runs.length > 0);
  const out = resolve(ctx.cwd, o.out);
  const html = reportHtml({ runs, sweeps }, {
    outDir: dirname(out), maxPoints: o.maxPoints,
    ...(o.title ? { title: o.title } : {}),
    ...(o.metric.length ? { metrics: o.metric } : {}),
    ...(o.sweepMetric ? { sweepMetric: o.sweepMetric } : {}),
    ...(o.profile !== undefined && o.target !== undefined ? { profile: { metric: o.profile, target: o.target, ...(o.by ? { by: o.by } : {}) } } : {}),
  });
  mkdirSync(dirname(out), { recursive: true });
  writeFileSync(out, html);
  ctx.stderr.write(`wrote ${o.out} (${runs.length} runs, ${sweeps.length} sweeps, ${(html.length / 1024).toFixed(0)} KiB)\n`);
  return ExitCode.ok;
}
