/** Liveness of the processes a sweep left behind (a parent killed with SIGKILL leaves its children running). */
import { readdirSync, readFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { spawnSync } from 'node:child_process';
import { isAlive } from '../core/process.js';
import type { LockHolder } from './sweep-dir.js';

/** The command line of a live process (Linux /proc), or undefined. */
export function commandLine(pid: number): string | undefined {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').join(' ');
  } catch {
    return undefined;
  }
}

/** Whether a Slurm job (or array task `123_4`) is still queued or running; undefined without squeue. */
export function slurmJobActive(jobId: string): boolean | undefined {
  const r = spawnSync('squeue', ['-h', '-j', jobId, '-o', '%T'], { encoding: 'utf8' });
  if (r.error || r.status !== 0) return r.error ? undefined : false; // squeue exits 1 for a job it no longer knows
  return r.stdout.trim() !== '';
}

export function lockIsStale(holder: LockHolder): boolean {
  if (holder.host === hostname()) return !isAlive(holder.pid);
  if (holder.slurm_job_id) return slurmJobActive(holder.slurm_job_id) === false;
  return false;
}

/** SIGTERM (the run checkpoints and exits), then SIGKILL after `graceMs`; resolves when the process is gone. */
export async function terminate(pid: number, graceMs = 60_000): Promise<void> {
  try { process.kill(pid, 'SIGTERM'); } catch { return; }
  const start = Date.now();
  while (isAlive(pid)) {
    if (Date.now() - start > graceMs) {
      try { process.kill(pid, 'SIGKILL'); } catch { return; }
    }
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Live processes on this host whose command line contains `text` (Linux /proc; empty elsewhere). */
export function processesMentioning(text: string): number[] {
  let entries: string[];
  try {
    entries = readdirSync('/proc');
  } catch {
    return [];
  }
  return entries.filter((e) => /^\d+$/.test(e)).map(Number)
    .filter((pid) => pid !== process.pid && commandLine(pid)?.includes(text));
}
