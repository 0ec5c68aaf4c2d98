/**
 * Slurm executor: one sbatch job array per submission, one array task per trial (task id = trial
 * index). Each task runs `minima sweep SWEEP_DIR --task $SLURM_ARRAY_TASK_ID`, which goes through
 * the same runTrial as a local worker: it takes the trial's lock, writes only trials/<id>.json and
 * its run folder, skips a completed trial and resumes an interrupted one. Re-submitting therefore
 * resumes; trials still queued or running in an earlier job are left out.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { RunnerError, ExitCode } from '../core/errors.js';
import { writeFileAtomic } from '../run/atomic.js';
import { readStatus } from '../run/run-folder.js';
import { slurmJobActive } from './processes.js';
import type { SlurmSpec } from './spec.js';
import type { PlannedTrial, SweepDir } from './sweep-dir.js';

export interface SbatchOptions {
  readonly name: string;
  readonly sweepDir: string;
  readonly cwd: string;
  readonly indices: readonly number[];
  readonly slurm: SlurmSpec;
  readonly retryFailed: boolean;
  readonly nodePath: string;
  readonly binPath: string;
}

const q = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;

/** "0-3,5,7-8" from sorted indices. */
export function compressRanges(indices: readonly number[]): string {
  const s = [...new Set(indices)].sort((a, b) => a - b);
  const parts: string[] = [];
  for (let i = 0; i < s.length;) {
    let j = i;
    while (j + 1 < s.length && s[j + 1] === s[j]! + 1) j++;
    parts.push(i === j ? `${s[i]}` : `${s[i]}-${s[j]}`);
    i = j + 1;
  }
  return parts.join(',');
}

export function sbatchScript(o: SbatchOptions): string {
  const s = o.slurm;
  const array = `${compressRanges(o.indices)}${s.array_concurrency ? `%${s.array_concurrency}` : ''}`;
  const directives = [
    `--job-name=minima-${o.name}`,
    `--array=${array}`,
    `--output=${join(o.sweepDir, 'slurm', '%A_%a.out')}`,
    `--ntasks=1`,
    `--cpus-per-task=${s.cpus_per_task}`,
    ...(s.partition ? [`--partition=${s.partition}`] : []),
    ...(s.time ? [`--time=${s.time}`] : []),
    ...(s.mem ? [`--mem=${s.mem}`] : []),
    ...(s.gpus > 0 ? [`--gres=gpu:${s.gpus}`] : []),
    ...(s.account ? [`--account=${s.account}`] : []),
    ...(s.qos ? [`--qos=${s.qos}`] : []),
    ...s.sbatch_args,
  ];
  return [
    '#!/bin/bash',
    ...directives.map((d) => `#SBATCH ${d}`),
    '# written by `minima sweep --executor slurm`; one array task per trial (task id = trial index)',
    'set -eo pipefail',
    `cd ${q(o.cwd)}`,
    ...s.setup,
    `exec ${q(s.node ?? o.nodePath)} ${q(o.binPath)} sweep ${q(o.sweepDir)} --task "$SLURM_ARRAY_TASK_ID"${o.retryFailed ? ' --retry-failed' : ''}`,
    '',
  ].join('\n');
}

/** Trials a new submission should include: not done, not in flight in an earlier job. */
export function trialsToSubmit(sweep: SweepDir, trials: readonly PlannedTrial[], retryFailed: boolean): { submit: PlannedTrial[]; inFlight: PlannedTrial[]; done: PlannedTrial[] } {
  const submit: PlannedTrial[] = [], inFlight: PlannedTrial[] = [], done: PlannedTrial[] = [];
  for (const t of trials) {
    const rec = sweep.readRecord(t.id);
    const run = readStatus(sweep.runDir(t));
    if (rec?.slurm && (rec.status === 'queued' || rec.status === 'running') && slurmJobActive(`${rec.slurm.job_id}_${rec.slurm.task_id}`)) {
      inFlight.push(t);
    } else if (run === 'completed' || (rec?.status === 'pruned' && !retryFailed)) {
      done.push(t);
    } else if (!retryFailed && (run === 'failed' || run === 'diverged' || rec?.status === 'failed' || rec?.status === 'diverged')) {
      done.push(t);
    } else {
      submit.push(t);
    }
  }
  return { submit, inFlight, done };
}

export function submitSlurm(sweep: SweepDir, o: SbatchOptions): { jobId: string; script: string } {
  const dir = join(sweep.dir, 'slurm');
  mkdirSync(dir, { recursive: true });
  const n = existsSync(dir) ? readdirSync(dir).filter((f) => f.endsWith('.sbatch')).length : 0;
  const script = join(dir, `submit-${n + 1}.sbatch`);
  writeFileAtomic(script, sbatchScript(o));
  const r = spawnSync('sbatch', ['--parsable', script], { encoding: 'utf8', cwd: o.cwd });
  if (r.error) throw new RunnerError('SLURM_FAILED', `cannot run sbatch: ${r.error.message} (is Slurm installed and SLURM_CONF set?)`, ExitCode.internal);
  if (r.status !== 0) throw new RunnerError('SLURM_FAILED', `sbatch failed (exit ${r.status}): ${r.stderr.trim() || r.stdout.trim()}\nscript: ${script}`, ExitCode.internal);
  const jobId = r.stdout.trim().split(';')[0]!;
  if (!/^\d+$/.test(jobId)) throw new RunnerError('SLURM_FAILED', `unexpected sbatch output: ${r.stdout.trim()}`, ExitCode.internal);
  return { jobId, script };
}
