/**
 * `minima plot PATH… --metric KEY --out fig.svg|fig.png|fig.pdf`: the report's charts as files for
 * papers, drawn without a browser (src/report/figure.ts), `--style paper` for a journal column.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, extname, resolve } from 'node:path';
import { z } from 'zod';
import { ExitCode, RunnerError, type ExitCodeValue } from '../core/errors.js';
import type { ChartSpec, XField } from '../report/charts.js';
import { curveFigure, curveSource } from '../report/curve-figure.js';
import { resolveCurveId, sortCurveIds, type CurveId } from '../report/curves.js';
import { discover } from '../report/discover.js';
import { renderFigure } from '../report/figure.js';
import { profileFigures } from '../report/profile.js';
import { filterRuns } from '../report/query.js';
import { sweepFigures } from '../report/sweep-figures.js';
import { readMetrics } from '../run/run-folder.js';
import type { CommandContext } from './context.js';

export const plotOptions = z.object({
  paths: z.array(z.string().min(1)).min(1).describe('run folders, sweep folders or folders above them'),
  metric: z.string().min(1).describe('test.accuracy (eval rows), train.loss (eval rows, else per-step rows), step:train.loss; for --kind sweep/heatmap a summary key such as best.test.accuracy'),
  out: z.string().min(1).describe('fig.svg, fig.png or fig.pdf (the extension picks the format)'),
  kind: z.enum(['curve', 'sweep', 'heatmap', 'target', 'profile']).default('curve'),
  x: z.enum(['step', 'epoch', 'time']).default('step'),
  logY: z.boolean().default(false),
  style: z.enum(['default', 'paper']).default('default'),
  dpi: z.coerce.number().int().min(36).max(1200).default(300).describe('PNG resolution'),
  width: z.coerce.number().int().min(50).optional().describe('plot area width in points (default 460, paper 220)'),
  height: z.coerce.number().int().min(50).optional(),
  title: z.string().optional(),
  where: z.array(z.string()).default([]),
  param: z.string().optional().describe('--kind sweep: the swept key on the x axis (default: the first)'),
  target: z.coerce.number().optional().describe('--kind target/profile: the value to reach'),
  by: z.string().optional().describe('--kind profile: the solver key (default: optimizer.name or loss.name)'),
  seedGroups: z.boolean().default(true).describe('mean ± std over runs that differ only by seed'),
}).strict();
export type PlotOptions = z.input<typeof plotOptions>;

export async function plot(options: PlotOptions, ctx: CommandContext): Promise<ExitCodeValue> {
  const o = plotOptions.parse(options);
  const ext = extname(o.out).slice(1).toLowerCase();
  if (ext !== 'svg' && ext !== 'png' && ext !== 'pdf') throw new RunnerError('USAGE', `--out ${o.out}: the file must end in .svg, .png or .pdf`, ExitCode.usage);
  if ((o.kind === 'target' || o.kind === 'profile') && o.target === undefined) throw new RunnerError('USAGE', `--kind ${o.kind} needs --target X`, ExitCode.usage);
  const found = discover(o.paths, { cwd: ctx.cwd });
  const runs = filterRuns(found.runs, o.where);
  if (runs.length === 0) throw new RunnerError('RUN_NOT_FOUND', `no runs under ${o.paths.join(', ')}${o.where.length ? ' match the filters' : ''}`, ExitCode.usage);
  const style = { style: o.style, ...(o.width ? { width: o.width } : {}), ...(o.height ? { height: o.height } : {}) };
  const curves = curveSource((r) => readMetrics(r.dir));
  const curveId = (): CurveId => {
    const available = new Set<CurveId>();
    for (const r of runs) for (const id of curves(r).keys()) available.add(id);
    const id = resolveCurveId(o.metric, available);
    if (!id) throw new RunnerError('USAGE', `no run logged "${o.metric}"; logged: ${sortCurveIds(available).join(', ') || '(nothing)'}`, ExitCode.usage);
    return id;
  };
  let spec: ChartSpec;
  if (o.kind === 'curve') {
    const x: XField = o.x === 'time' ? 'time_s' : o.x;
    const id = curveId();
    spec = curveFigure(runs.filter((r) => curves(r).has(id)), id, { curves, x, logY: o.logY, groupSeeds: o.seedGroups, ...style, ...(o.title ? { title: o.title } : {}) });
  } else if (o.kind === 'sweep' || o.kind === 'heatmap') {
    const sweep = found.sweeps[0];
    if (!sweep) throw new RunnerError('USAGE', `--kind ${o.kind} needs a sweep folder among ${o.paths.join(', ')}`, ExitCode.usage);
    const keep = new Set(runs.map((r) => r.rel));
    const figs = sweepFigures(sweep, runs.filter((r) => r.trial?.sweep === sweep.rel && keep.has(r.rel)), { metric: o.metric, style: o.style });
    const param = o.param ?? sweep.params[0];
    const fig = o.kind === 'heatmap' ? figs.find((f) => f.kind === 'heatmap') : figs.find((f) => f.kind === 'sweep' && f.title.endsWith(` vs ${param}`));
    if (!fig) throw new RunnerError('USAGE', o.kind === 'heatmap' ? `a heatmap needs a sweep with exactly two varied keys (${sweep.name} varies ${sweep.params.join(', ') || 'only the seed'})` : `${sweep.name} does not vary ${param ?? 'any key'} (varied: ${sweep.params.join(', ')})`, ExitCode.usage);
    spec = fig.spec;
  } else {
    const figs = profileFigures(runs, curveId(), o.target!, { curves, style: o.style, ...(o.by ? { by: o.by } : {}) });
    const fig = figs.find((f) => f.kind === o.kind);
    if (!fig) throw new RunnerError('USAGE', 'a performance profile needs runs that differ in a solver key (--by)', ExitCode.usage);
    spec = fig.spec;
  }
  if (o.title && o.kind !== 'curve') spec = { ...spec, title: o.title };
  const out = resolve(ctx.cwd, o.out);
  const bytes = await renderFigure(spec, { format: ext, dpi: o.dpi });
  mkdirSync(dirname(out), { recursive: true });
  writeFileSync(out, bytes);
  ctx.stderr.write(`wrote ${o.out} (${runs.length} runs)\n`);
  return ExitCode.ok;
}
