/** Reading a run folder (docs/run-folder.md) and writing small files atomically. */
import { closeSync, existsSync, openSync, readFileSync, readSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { RunnerError, ExitCode } from '../core/errors.js';
import type { SummaryLike } from '../expect/evaluate-expectations.js';

export type RunStatus = 'running' | 'completed' | 'failed' | 'diverged' | 'interrupted';

export interface MetricRowLike {
  readonly step: number;
  readonly split: string;
  readonly [key: string]: unknown;
}

export function assertRunDir(dir: string): void {
  if (!existsSync(dir) || !statSync(dir).isDirectory()) {
    throw new RunnerError('RUN_NOT_FOUND', `no run folder at ${dir}`, ExitCode.usage);
  }
}

/** The one word in `status`, or undefined when the run never started writing. */
export function readRunStatus(dir: string): RunStatus | undefined {
  const p = join(dir, 'status');
  if (!existsSync(p)) return undefined;
  return readFileSync(p, 'utf8').trim() as RunStatus;
}

export function readSummary(dir: string): SummaryLike | undefined {
  const p = join(dir, 'summary.json');
  if (!existsSync(p)) return undefined;
  try {
    return JSON.parse(readFileSync(p, 'utf8')) as SummaryLike;
  } catch (err) {
    throw new RunnerError('RUN_NOT_FOUND', `${p} is not valid JSON: ${(err as Error).message}`, ExitCode.usage);
  }
}

/** summary.json, or a RunnerError saying why the folder has none. */
export function requireSummary(dir: string): SummaryLike {
  assertRunDir(dir);
  const s = readSummary(dir);
  if (s) return s;
  const status = readRunStatus(dir);
  throw new RunnerError('RUN_NOT_FOUND', `${dir} has no summary.json${status ? ` (status: ${status}; resume it with \`minima resume ${dir}\`)` : ''}`, ExitCode.usage);
}

/**
 * metrics.jsonl rows. A killed run may end in a torn line, which is skipped. A resumed run re-logs
 * the steps between its checkpoint and the kill; `latestPerStep` keeps the last row of each (split, step).
 */
export function readMetrics(dir: string): MetricRowLike[] {
  const p = join(dir, 'metrics.jsonl');
  if (!existsSync(p)) return [];
  const rows: MetricRowLike[] = [];
  for (const line of readFileSync(p, 'utf8').split('\n')) {
    if (line.trim() === '') continue;
    try {
      const row = JSON.parse(line) as MetricRowLike;
      if (typeof row.step === 'number' && typeof row.split === 'string') rows.push(row);
    } catch {
      // torn final line of a killed run
    }
  }
  return rows;
}

export function latestPerStep(rows: readonly MetricRowLike[]): MetricRowLike[] {
  const byKey = new Map<string, MetricRowLike>();
  for (const r of rows) {
    const k = `${r.split}\u0000${r.step}`;
    byKey.delete(k); // re-insert so map order follows the last occurrence
    byKey.set(k, r);
  }
  return [...byKey.values()].sort((a, b) => a.step - b.step || splitRank(a.split) - splitRank(b.split) || a.split.localeCompare(b.split));
}

function splitRank(split: string): number {
  return split === 'train' ? 0 : split === 'test' ? 1 : 2;
}

let tmpCounter = 0;
/** Write-then-rename: readers see the old file or the new one, never a partial one. */
export function writeFileAtomic(path: string, text: string): void {
  const tmp = `${path}.tmp-${process.pid}-${tmpCounter++}`;
  writeFileSync(tmp, text);
  renameSync(tmp, path);
}

/**
 * Incremental reader of a growing metrics.jsonl: each `read()` parses only the bytes appended since
 * the last call and keeps a torn last line for the next one.
 */
export class MetricsTail {
  private offset = 0;
  private partial = '';
  readonly rows: MetricRowLike[] = [];
  constructor(readonly path: string) {}

  read(): MetricRowLike[] {
    if (!existsSync(this.path)) return this.rows;
    const size = statSync(this.path).size;
    if (size < this.offset) { this.offset = 0; this.partial = ''; this.rows.length = 0; }
    if (size === this.offset) return this.rows;
    const fd = openSync(this.path, 'r');
    try {
      const buf = Buffer.alloc(size - this.offset);
      readSync(fd, buf, 0, buf.length, this.offset);
      this.offset = size;
      const lines = (this.partial + buf.toString('utf8')).split('\n');
      this.partial = lines.pop() ?? '';
      for (const line of lines) {
        if (line.trim() === '') continue;
        try {
          const row = JSON.parse(line) as MetricRowLike;
          if (typeof row.step === 'number' && typeof row.split === 'string') this.rows.push(row);
        } catch {
          // a corrupt line never stops the monitor
        }
      }
    } finally {
      closeSync(fd);
    }
    return this.rows;
  }
}
