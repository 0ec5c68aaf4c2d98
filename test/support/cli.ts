/** Spawning the real CLI (bin/minima.js → dist/) in a temp folder. */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { readdirSync, existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

export const repoRoot = resolve(new URL('../..', import.meta.url).pathname);
export const bin = join(repoRoot, 'bin', 'minima.js');
export const distBuilt = existsSync(join(repoRoot, 'dist', 'cli', 'main.js'));

export interface CliResult { readonly code: number | null; readonly stdout: string; readonly stderr: string }

export function minima(args: readonly string[], cwd: string, env: NodeJS.ProcessEnv = {}): CliResult {
  const r = spawnSync(process.execPath, [bin, ...args], { cwd, encoding: 'utf8', env: { ...process.env, ...env }, timeout: 300_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

export function minimaAsync(args: readonly string[], cwd: string): ChildProcess {
  return spawn(process.execPath, [bin, ...args], { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
}

export function runDirs(runsDir: string): string[] {
  return existsSync(runsDir) ? readdirSync(runsDir).filter((n) => !n.startsWith('.')).map((n) => join(runsDir, n)) : [];
}

/** metrics.jsonl rows without the keys that measure time. */
export function trajectory(runDir: string): Record<string, unknown>[] {
  return readFileSync(join(runDir, 'metrics.jsonl'), 'utf8').trim().split('\n').map((l) => {
    const row = JSON.parse(l) as Record<string, unknown>;
    delete row.time_s;
    delete row.samples_per_s;
    return row;
  });
}
