/**
 * The sweep folder `runs/<sweep-name>/`:
 *   sweep.yaml          the resolved sweep (absolute base, seeds as a list, command-line overrides)
 *   plan.json           every trial ever expanded: index, id, folder, overrides (indices never change)
 *   trials/<id>.json    one record per trial, written atomically by whoever runs that trial
 *   trials.jsonl        the merged view, one line per trial in index order (rewritten atomically)
 *   logs/<dir>.log      the trial process's stdout and stderr
 *   <index>-<slug>/     one run folder per trial
 * Each trial file has exactly one writer at a time (the trial lock), so parallel workers and Slurm
 * array tasks never write the same file; trials.jsonl is derived and may be rebuilt by anyone.
 */
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, readdirSync, rmSync, writeSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { stringify as stringifyYaml } from 'yaml';
import { RunnerError, ExitCode } from '../core/errors.js';
import { writeFileAtomic } from '../run/atomic.js';
import type { Summary } from '../run/run-folder.js';
import type { Assignment } from './expand.js';
import type { ResolvedTrial } from './resolve-trials.js';

export type TrialStatus = 'pending' | 'queued' | 'running' | 'completed' | 'failed' | 'diverged' | 'interrupted' | 'pruned';

export interface PlannedTrial {
  readonly index: number;
  readonly id: string;
  readonly slug: string;
  readonly dir: string;
  readonly assignments: readonly Assignment[];
  readonly overrides: readonly string[];
}

export interface Plan {
  readonly version: 1;
  readonly name: string;
  readonly base: string;
  readonly trials: readonly PlannedTrial[];
}

export interface TrialRecord {
  readonly index: number;
  readonly id: string;
  readonly run_dir: string;
  readonly params: Readonly<Record<string, unknown>>;
  readonly status: TrialStatus;
  readonly attempts: number;
  readonly exit_code?: number | null;
  readonly pid?: number;
  readonly host?: string;
  readonly slurm?: { readonly job_id: string; readonly task_id: number };
  readonly steps?: number;
  /** Copied from the run's summary.json. */
  readonly final?: Summary['final'];
  readonly best?: Summary['best'];
  readonly error?: { readonly code?: string; readonly message: string };
  readonly pruned?: { readonly step: number; readonly reason: string };
  readonly updated_at: string;
}

export class SweepDir {
  constructor(readonly dir: string) {}

  get planPath(): string { return join(this.dir, 'plan.json'); }
  trialFile(id: string): string { return join(this.dir, 'trials', `${id}.json`); }
  lockFile(id: string): string { return join(this.dir, 'trials', `${id}.lock`); }
  runDir(t: Pick<PlannedTrial, 'dir'>): string { return join(this.dir, t.dir); }
  logFile(t: Pick<PlannedTrial, 'dir'>): string { return join(this.dir, 'logs', `${t.dir}.log`); }

  exists(): boolean {
    return existsSync(this.planPath);
  }

  ensure(): void {
    for (const d of [this.dir, join(this.dir, 'trials'), join(this.dir, 'logs')]) mkdirSync(d, { recursive: true });
  }

  readPlan(): Plan {
    if (!this.exists()) throw new RunnerError('RUN_NOT_FOUND', `${this.dir} is not a sweep folder (no plan.json)`, ExitCode.usage);
    return JSON.parse(readFileSync(this.planPath, 'utf8')) as Plan;
  }

  /**
   * Merges a fresh expansion into the stored plan by trial id: known trials keep their index and
   * folder, new ones are appended after the largest index. Returns the plan and the current trials
   * (in expansion order) as stored.
   */
  mergePlan(name: string, base: string, trials: readonly ResolvedTrial[]): { plan: Plan; current: PlannedTrial[]; stale: PlannedTrial[] } {
    const old = this.exists() ? this.readPlan().trials : [];
    const byId = new Map(old.map((t) => [t.id, t]));
    let next = old.reduce((m, t) => Math.max(m, t.index + 1), 0);
    const fresh = old.length === 0;
    const current: PlannedTrial[] = [];
    const added: PlannedTrial[] = [];
    for (const t of trials) {
      const known = byId.get(t.id);
      if (known) {
        current.push(known);
        continue;
      }
      const index = fresh ? t.index : next++;
      const p: PlannedTrial = { index, id: t.id, slug: t.slug, dir: fresh ? t.dir : `${index}-${t.slug}`, assignments: t.assignments, overrides: t.overrides };
      current.push(p);
      added.push(p);
    }
    const currentIds = new Set(current.map((t) => t.id));
    const plan: Plan = { version: 1, name, base, trials: [...old, ...added].sort((a, b) => a.index - b.index) };
    if (added.length > 0 || old.length === 0) {
      this.ensure();
      writeFileAtomic(this.planPath, `${JSON.stringify(plan, null, 1)}\n`);
    }
    return { plan, current, stale: old.filter((t) => !currentIds.has(t.id)) };
  }

  writeSweepYaml(resolved: unknown): void {
    this.ensure();
    writeFileAtomic(join(this.dir, 'sweep.yaml'), stringifyYaml(resolved, { lineWidth: 0 }));
  }

  readRecord(id: string): TrialRecord | undefined {
    const p = this.trialFile(id);
    if (!existsSync(p)) return undefined;
    try {
      return JSON.parse(readFileSync(p, 'utf8')) as TrialRecord;
    } catch {
      return undefined;
    }
  }

  writeRecord(r: TrialRecord): void {
    writeFileAtomic(this.trialFile(r.id), `${JSON.stringify(r)}\n`);
  }

  /** Every planned trial with its record (pending when none), in index order. */
  records(plan: Plan = this.readPlan()): TrialRecord[] {
    return plan.trials.map((t) => this.readRecord(t.id) ?? pendingRecord(t));
  }

  /** Rebuilds trials.jsonl from the trial files; atomic, so a reader never sees half of it. */
  writeTrialsJsonl(plan: Plan = this.readPlan()): TrialRecord[] {
    const records = this.records(plan);
    writeFileAtomic(join(this.dir, 'trials.jsonl'), records.map((r) => JSON.stringify(r)).join('\n') + (records.length ? '\n' : ''));
    return records;
  }

  /**
   * Exclusive right to run one trial: a lock file created with O_EXCL holding host and pid.
   * A lock left by a dead process on this host is taken over; returns false when a live holder has it.
   */
  tryLock(id: string, isStale: (holder: LockHolder) => boolean): boolean {
    mkdirSync(join(this.dir, 'trials'), { recursive: true });
    const path = this.lockFile(id);
    const me: LockHolder = { host: hostname(), pid: process.pid, ...(process.env.SLURM_JOB_ID ? { slurm_job_id: process.env.SLURM_JOB_ID } : {}) };
    for (let attempt = 0; attempt < 2; attempt++) {
      try {
        const fd = openSync(path, 'wx');
        writeSync(fd, JSON.stringify(me));
        closeSync(fd);
        return true;
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
        let holder: LockHolder | undefined;
        try {
          holder = JSON.parse(readFileSync(path, 'utf8')) as LockHolder;
        } catch {
          holder = undefined; // torn by a crash between open and write
        }
        if (holder && !isStale(holder)) return false;
        rmSync(path, { force: true });
      }
    }
    return false;
  }

  /** Whether the lock on `id` is held by a holder that `isStale` declares gone (or is unreadable). */
  lockIsStale(id: string, isStale: (holder: LockHolder) => boolean): boolean {
    try {
      return isStale(JSON.parse(readFileSync(this.lockFile(id), 'utf8')) as LockHolder);
    } catch {
      return true; // gone, or torn by a crash between open and write (tryLock takes those over)
    }
  }

  unlock(id: string): void {
    rmSync(this.lockFile(id), { force: true });
  }

  listLocks(): string[] {
    const d = join(this.dir, 'trials');
    return existsSync(d) ? readdirSync(d).filter((f) => f.endsWith('.lock')).map((f) => f.slice(0, -5)) : [];
  }
}

export interface LockHolder {
  readonly host: string;
  readonly pid: number;
  readonly slurm_job_id?: string;
}

export function paramsOf(assignments: readonly Assignment[]): Record<string, unknown> {
  return Object.fromEntries(assignments.map((a) => [a.path, a.value]));
}

export function pendingRecord(t: PlannedTrial): TrialRecord {
  return { index: t.index, id: t.id, run_dir: t.dir, params: paramsOf(t.assignments), status: 'pending', attempts: 0, updated_at: new Date(0).toISOString() };
}

/** Success for the sweep's exit code. */
export function isSuccess(s: TrialStatus): boolean {
  return s === 'completed' || s === 'pruned';
}
