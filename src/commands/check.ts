/**
 * `minima check RUN_DIR --expect EXPR ...`: evaluates expectations on a finished run's summary.json
 * (the same ones `minima run --expect` takes). Exit 0 when all hold, 4 when any fails.
 * Without --expect it checks `status==completed`.
 */
import { resolve } from 'node:path';
import { z } from 'zod';
import { ExitCode, type ExitCodeValue } from '../core/errors.js';
import { evaluateExpectations, formatExpectationReport, parseExpectation } from '../expect/index.js';
import { requireSummary } from '../run/run-folder.js';
import type { CommandContext } from './context.js';

export const checkOptions = z.object({
  runDir: z.string().min(1).describe('run folder to check'),
  expect: z.array(z.string()).default([]).describe('expectation, e.g. "test.accuracy>=0.95" (repeatable)'),
  json: z.boolean().default(false).describe('print the results as one JSON line on stdout'),
}).strict();
export type CheckOptions = z.input<typeof checkOptions>;

export async function check(options: CheckOptions, ctx: CommandContext): Promise<ExitCodeValue> {
  const o = checkOptions.parse(options);
  const exprs = (o.expect.length > 0 ? o.expect : ['status==completed']).map(parseExpectation); // syntax errors first (exit 2)
  const dir = resolve(ctx.cwd, o.runDir);
  const summary = requireSummary(dir);
  const report = evaluateExpectations(summary, exprs);
  if (o.json) {
    ctx.stdout.write(`${JSON.stringify({ run_dir: dir, ok: report.ok, results: report.results })}\n`);
  } else {
    ctx.stdout.write(formatExpectationReport(report));
    if (!report.ok) {
      const n = report.results.filter((r) => !r.ok).length;
      ctx.stderr.write(`${n} of ${report.results.length} expectation${report.results.length === 1 ? '' : 's'} failed for ${o.runDir}\n`);
    }
  }
  return report.ok ? ExitCode.ok : ExitCode.expectation;
}
