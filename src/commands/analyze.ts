/**
 * `minima analyze RUN_DIR [--checkpoint STEP] ANALYSIS…`: post-hoc analyses of a saved checkpoint
 * (src/analysis: landscape, interpolate, hessian, neural-collapse, reliability), each written to
 * `RUN_DIR/analysis/<name>/`. Exit 0; 2 for a run without checkpoints, an unknown analysis or a
 * model an analysis cannot handle; 130 when stopped (rerun to resume).
 */
import { existsSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { z } from 'zod';
import { analysisRegistry, parseAnalysisArgs, runAnalyses } from '../analysis/index.js';
import { loadExperiment } from '../config/load.js';
import { ExitCode, RunnerError, type ExitCodeValue } from '../core/errors.js';
import type { CommandContext } from './context.js';
import { initCliBackend } from './shared.js';

export const analyzeOptions = z.object({
  runDir: z.string().min(1).describe('run folder with checkpoints'),
  analyses: z.array(z.string().min(1)).default([]).describe('name or name:key=value,… (e.g. hessian:class=9,top_k=5; interpolate RUN_B)'),
  checkpoint: z.coerce.number().int().nonnegative().optional().describe('checkpoint step (default: the newest)'),
  fresh: z.boolean().default(false).describe('recompute every unit instead of resuming from cache.json'),
  json: z.boolean().default(false).describe('print the results as one JSON line on stdout'),
  quiet: z.boolean().default(false),
}).strict();
export type AnalyzeOptions = z.input<typeof analyzeOptions>;

const shown = (v: unknown): string => (typeof v === 'number' ? (Number.isInteger(v) ? String(v) : Math.abs(v) >= 1e-3 || v === 0 ? v.toFixed(4) : v.toExponential(3)) : JSON.stringify(v));

export async function analyze(input: AnalyzeOptions, ctx: CommandContext): Promise<ExitCodeValue> {
  const o = analyzeOptions.parse(input);
  const runDir = resolve(ctx.cwd, o.runDir);
  const isRun = (p: string) => existsSync(join(p, 'config.yaml'));
  if (!isRun(runDir)) throw new RunnerError('RUN_NOT_FOUND', `${o.runDir} is not a run folder (no config.yaml)`, ExitCode.usage);
  const requests = parseAnalysisArgs(o.analyses, ctx.cwd, isRun);
  const loaded = await loadExperiment(join(runDir, 'config.yaml'), [], { cwd: ctx.cwd });
  await initCliBackend(loaded.config.backend);
  const outcomes = await runAnalyses({
    runDir, cwd: ctx.cwd, requests, registry: analysisRegistry, stderr: ctx.stderr, isTTY: ctx.isTTY, quiet: o.quiet, fresh: o.fresh,
    argv: ctx.argv ?? ['minima', 'analyze', o.runDir, ...o.analyses], signal: ctx.signal,
    ...(o.checkpoint !== undefined ? { checkpoint: o.checkpoint } : {}),
  });
  if (o.json) ctx.stdout.write(`${JSON.stringify(outcomes.map((r) => ({ name: r.name, folder: r.folder, dir: r.dir, result: r.result })))}\n`);
  else {
    for (const r of outcomes) {
      ctx.stdout.write(`${r.name} → ${relative(ctx.cwd, r.dir) || r.dir}\n`);
      for (const [k, v] of Object.entries(r.result)) {
        if (['analysis', 'run', 'options', 'minima', 'rise', 'endpoints', 'class_ece'].includes(k)) continue;
        ctx.stdout.write(`  ${k}: ${shown(v)}\n`);
      }
    }
  }
  return ExitCode.ok;
}
