/**
 * `minima compare RUN_A RUN_B [--rtol R] [--atol A]`: exit 0 when the two runs' metrics.jsonl agree
 * within tolerance at every (split, step), 4 otherwise, naming the first differing step.
 * Defaults (rtol = atol = 0) demand a bit-for-bit reproduction.
 */
import { resolve } from 'node:path';
import { z } from 'zod';
import { ExitCode, RunnerError, type ExitCodeValue } from '../core/errors.js';
import { compareMetrics, type CompareReport, type Difference } from '../expect/compare-runs.js';
import { formatValue } from '../expect/evaluate-expectations.js';
import { assertRunDir, readMetrics, readStatus } from '../run/run-folder.js';
import type { CommandContext } from './context.js';

const tol = z.coerce.number().nonnegative();
export const compareOptions = z.object({
  runA: z.string().min(1).describe('first run folder (the reference)'),
  runB: z.string().min(1).describe('second run folder'),
  rtol: tol.default(0).describe('relative tolerance: |a-b| <= atol + rtol*|b|'),
  atol: tol.default(0).describe('absolute tolerance'),
  metrics: z.array(z.string()).default([]).describe('compare only these metric keys (repeatable; default: all but timing keys, *_s and *_ms)'),
  ignore: z.array(z.string()).default([]).describe('skip these metric keys too (repeatable)'),
  json: z.boolean().default(false).describe('print the report as one JSON line on stdout'),
}).strict();
export type CompareCommandOptions = z.input<typeof compareOptions>;

export async function compare(options: CompareCommandOptions, ctx: CommandContext): Promise<ExitCodeValue> {
  const o = compareOptions.parse(options);
  const dirA = resolve(ctx.cwd, o.runA), dirB = resolve(ctx.cwd, o.runB);
  assertRunDir(dirA);
  assertRunDir(dirB);
  const rowsA = readMetrics(dirA), rowsB = readMetrics(dirB);
  for (const [dir, rows] of [[o.runA, rowsA], [o.runB, rowsB]] as const) {
    if (rows.length === 0) throw new RunnerError('RUN_NOT_FOUND', `${dir} has no metrics.jsonl rows`, ExitCode.usage);
  }
  const report = compareMetrics(rowsA, rowsB, o);
  const statusA = readStatus(dirA), statusB = readStatus(dirB);
  const statusDiffers = statusA !== statusB;
  const ok = report.ok && !statusDiffers;
  if (o.json) {
    ctx.stdout.write(`${JSON.stringify({ ...report, ok, run_a: dirA, run_b: dirB, rtol: o.rtol, atol: o.atol, status: { a: statusA ?? null, b: statusB ?? null } })}\n`);
  } else {
    ctx.stdout.write(formatCompareReport(report, o.runA, o.runB, o.rtol, o.atol));
    if (statusDiffers) ctx.stdout.write(`status differs: ${statusA ?? 'none'} vs ${statusB ?? 'none'}\n`);
  }
  return ok ? ExitCode.ok : ExitCode.expectation;
}

export function formatCompareReport(r: CompareReport, nameA: string, nameB: string, rtol: number, atol: number): string {
  const tolText = `rtol ${short(rtol)}, atol ${short(atol)}`;
  if (r.ok) return `runs match: ${r.rows} rows, ${r.keys.length} metrics (${r.keys.join(', ')}), max |diff| ${formatValue(r.maxAbsDiff)} (${tolText})\n`;
  const first = r.first!;
  const lines = [
    `runs differ beyond ${tolText}: first differing step ${first.step} (${first.split}); ${r.differingRows} of ${r.rows} rows differ`,
    `  A = ${nameA}`,
    `  B = ${nameB}`,
    ...r.firstRow.map((d) => `  step ${d.step} ${d.split} ${describe(d)}`),
  ];
  return `${lines.join('\n')}\n`;
}

function short(n: number): string {
  return n !== 0 && Math.abs(n) < 1e-3 ? n.toExponential() : String(n);
}

function describe(d: Difference): string {
  if (d.key === '(row)') return `row: A ${String(d.a)}, B ${String(d.b)}`;
  const show = (v: unknown) => v === undefined ? 'missing' : typeof v === 'number' ? formatValue(v) : JSON.stringify(v);
  const diff = d.absDiff !== undefined ? ` (|diff| ${d.absDiff.toExponential(3)} > tol ${d.tol!.toExponential(3)})` : '';
  return `${d.key}: A ${show(d.a)}, B ${show(d.b)}${diff}`;
}
