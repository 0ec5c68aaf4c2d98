/**
 * `minima sweep status SWEEP_DIR [--json]`: progress of every trial from the trial files and run
 * folders (works while a local sweep or a Slurm job is running, from any process).
 */
import { join, resolve } from 'node:path';
import { hostname } from 'node:os';
import { z } from 'zod';
import { ExitCode, type ExitCodeValue } from '../core/errors.js';
import { formatValue } from '../expect/evaluate-expectations.js';
import { isAlive } from '../core/process.js';
import { isTimingKey, readMetrics } from '../run/run-folder.js';
import { isSuccess, SweepDir, type TrialRecord } from '../sweep/sweep-dir.js';
import type { CommandContext } from './context.js';

export const sweepStatusOptions = z.object({
  sweepDir: z.string().min(1).describe('sweep folder (runs/<sweep-name>)'),
  json: z.boolean().default(false).describe('one JSON line per trial on stdout'),
}).strict();
export type SweepStatusOptions = z.input<typeof sweepStatusOptions>;

export async function sweepStatus(options: SweepStatusOptions, ctx: CommandContext): Promise<ExitCodeValue> {
  const o = sweepStatusOptions.parse(options);
  const sweep = new SweepDir(resolve(ctx.cwd, o.sweepDir));
  const plan = sweep.readPlan();
  const records = sweep.writeTrialsJsonl(plan).map(effective);
  const rows = records.map((r) => {
    const metrics = readMetrics(join(sweep.dir, r.run_dir));
    const step = r.steps ?? metrics[metrics.length - 1]?.step;
    return { ...r, step: step ?? null };
  });
  if (o.json) {
    ctx.stdout.write(rows.map((r) => JSON.stringify(r)).join('\n') + '\n');
    return ExitCode.ok;
  }
  const counts: Record<string, number> = {};
  for (const r of records) counts[r.status] = (counts[r.status] ?? 0) + 1;
  const done = records.filter((r) => isSuccess(r.status) || r.status === 'failed' || r.status === 'diverged').length;
  const table = [['#', 'id', 'folder', 'status', 'step', 'tries', 'result'], ...rows.map((r) => [
    String(r.index), r.id, r.run_dir, r.status, r.step === null ? '–' : String(r.step), String(r.attempts),
    r.status === 'failed' && r.error ? r.error.message.split('\n')[0]!.slice(0, 80)
      : Object.entries(r.final ?? {}).filter(([k]) => !isTimingKey(k)).slice(0, 3).map(([k, v]) => `${k}=${v === null ? 'NaN' : formatValue(v)}`).join(' '),
  ])];
  const widths = table[0]!.map((_, i) => Math.max(...table.map((row) => row[i]!.length)));
  ctx.stdout.write(`sweep ${plan.name}: ${done}/${records.length} finished (${Object.entries(counts).map(([k, v]) => `${v} ${k}`).join(', ')})\n`);
  ctx.stdout.write(table.map((row) => row.map((c, i) => c.padEnd(widths[i]!)).join('  ').trimEnd()).join('\n') + '\n');
  return ExitCode.ok;
}

/** A record that says running although its process on this host is gone was killed: it will resume. */
function effective(r: TrialRecord): TrialRecord {
  if (r.status === 'running' && r.host === hostname() && r.pid !== undefined && !isAlive(r.pid)) return { ...r, status: 'interrupted' };
  return r;
}
