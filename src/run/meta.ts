/** Provenance recorded in meta.json: versions, git state, host, command line. */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { hostname, cpus, totalmem, platform, arch } from 'node:os';

export function minimaVersion(): string {
  const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
  return pkg.version;
}

export interface GitInfo {
  readonly commit: string;
  readonly dirty: boolean;
  readonly branch?: string;
}

/** Git state of the folder the experiment lives in (or undefined outside a repository). */
export function gitInfo(cwd: string): GitInfo | undefined {
  try {
    const run = (args: string[]) => execFileSync('git', args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'], timeout: 5000 }).trim();
    const commit = run(['rev-parse', 'HEAD']);
    const dirty = run(['status', '--porcelain', '--untracked-files=no']).length > 0;
    const branch = run(['rev-parse', '--abbrev-ref', 'HEAD']);
    return { commit, dirty, ...(branch && branch !== 'HEAD' ? { branch } : {}) };
  } catch {
    return undefined;
  }
}

export function hostInfo(): Record<string, unknown> {
  const c = cpus();
  return {
    hostname: hostname(),
    platform: `${platform()}-${arch()}`,
    cpus: c.length,
    cpu_model: c[0]?.model ?? 'unknown',
    memory_gb: Math.round((totalmem() / 2 ** 30) * 10) / 10,
    ...(process.env.SLURM_JOB_ID ? { slurm_job_id: process.env.SLURM_JOB_ID, slurm_array_task_id: process.env.SLURM_ARRAY_TASK_ID ?? null } : {}),
  };
}
