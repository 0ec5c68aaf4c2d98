/** Run folder names: `<yyyymmdd-hhmmss>-<name>[-n]`, created atomically so two runs never share one. */
import { mkdirSync, existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { RunnerError } from '../core/errors.js';
import { makeDir, onDisk } from './atomic.js';

export function timestamp(d = new Date()): string {
  const p = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}${p(d.getMonth() + 1)}${p(d.getDate())}-${p(d.getHours())}${p(d.getMinutes())}${p(d.getSeconds())}`;
}

/** Creates a fresh run folder under `runsDir`, suffixing -2, -3 … on collision. */
export function createRunDir(runsDir: string, name: string, now = new Date()): string {
  makeDir(runsDir);
  const base = `${timestamp(now)}-${name}`;
  for (let n = 1; n < 10_000; n++) {
    const dir = join(runsDir, n === 1 ? base : `${base}-${n}`);
    try {
      onDisk(dir, () => mkdirSync(dir));
      return resolve(dir);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
  }
  throw new RunnerError('RUN_EXISTS', `cannot find a free run folder name for ${base} in ${runsDir}`);
}

/** Creates exactly `dir` (sweeps name their trials' folders); refuses an existing one. */
export function createExactRunDir(dir: string): string {
  const abs = resolve(dir);
  if (existsSync(abs)) throw new RunnerError('RUN_EXISTS', `run folder ${dir} already exists; use \`minima resume ${dir}\` to continue it`);
  makeDir(abs);
  return abs;
}
