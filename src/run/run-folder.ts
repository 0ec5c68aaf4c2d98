/**
 * The run folder's vocabulary (docs/run-folder.md): its status word, metric rows and summary.json,
 * which keys measure time, which direction of a metric is better, and the readers that `resume`,
 * `check`, `compare`, sweeps and expectations share. JSON has no NaN: a NaN is read back as null.
 */
import { closeSync, existsSync, openSync, readdirSync, readFileSync, readSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { RunnerError, ExitCode } from '../core/errors.js';

export type RunStatus = 'running' | 'completed' | 'failed' | 'diverged' | 'interrupted';

/** One line of metrics.jsonl. */
export interface MetricRow {
  readonly step: number;
  readonly epoch: number;
  readonly split: 'train' | 'test';
  readonly [metric: string]: number | string | boolean | null;
}

/** What identifies a row: the last row of each (split, step) counts (a resumed run re-logs steps). */
export interface RowKey {
  readonly step: number;
  readonly split: string;
}

export interface Best {
  readonly value: number | null;
  readonly step: number;
}

/** summary.json, written by train/session.ts when a session ends. */
export interface Summary {
  readonly status: RunStatus;
  readonly name: string;
  readonly run_dir: string;
  readonly steps: number;
  readonly total_steps: number;
  readonly epochs: number;
  readonly wall_time_s: number;
  readonly train_time_s: number;
  readonly samples_per_s: number;
  /** The last value of each `split.metric` (eval rows win over train-step rows). */
  readonly final: Readonly<Record<string, number | null>>;
  /** The best eval value of each `split.metric`, in its `metricDirection`. */
  readonly best: Readonly<Record<string, Best>>;
  readonly backend: string;
  readonly error?: { readonly code: string; readonly message: string };
  /** Files diagnostics wrote under `artifacts/` (paths relative to the run folder, sorted); absent when none. */
  readonly artifacts?: readonly string[];
}

/**
 * Every file under `<dir>/artifacts/` as a sorted list of paths relative to `dir` (`artifacts/<diagnostic>/<name>`),
 * hidden temp files left out. Read from the folder, so a resumed run lists the files of all its sessions.
 */
export function listArtifacts(dir: string): string[] {
  const out: string[] = [];
  const walk = (rel: string) => {
    const abs = join(dir, rel);
    if (!existsSync(abs)) return;
    for (const e of readdirSync(abs, { withFileTypes: true })) {
      if (e.name.startsWith('.')) continue;
      const child = `${rel}/${e.name}`;
      if (e.isDirectory()) walk(child);
      else if (e.isFile()) out.push(child);
    }
  };
  walk('artifacts');
  return out.sort();
}

/** Keys that measure time, not the trajectory, in metric rows and summaries: they never reproduce. */
export const TIMING_KEYS: readonly string[] = ['time_s', 'samples_per_s', 'wall_time_s', 'train_time_s', 'step_time_ms'];

/** `time_s`, `test.samples_per_s`, `best.x_ms`: seconds or milliseconds, whatever the prefix. */
export function isTimingKey(key: string): boolean {
  return /_m?s$/.test(key);
}

const LOWER_IS_BETTER = /loss|error|perplexity|nll|ece|brier|mse|mae|sharpness|norm|collapse/i;

/** Which way a metric improves: `loss`, `test.ece`, `best.train.grad_norm` go down; accuracy and the rest go up. */
export function metricDirection(key: string): 'min' | 'max' {
  return LOWER_IS_BETTER.test(key) ? 'min' : 'max';
}

const ROW_FIELDS = new Set(['step', 'epoch', 'split', 'eval', 'diagnostics']);

/** summary.json's `final` and `best` from the metric rows: best over eval rows only; timing keys and non-finite values left out. */
export function summarizeMetrics(rows: readonly MetricRow[]): { final: Record<string, number>; best: Record<string, { value: number; step: number }> } {
  const final: Record<string, number> = {};
  const finalFromEval = new Set<string>();
  const best: Record<string, { value: number; step: number }> = {};
  for (const r of rows) {
    for (const [k, v] of Object.entries(r)) {
      if (ROW_FIELDS.has(k) || isTimingKey(k) || typeof v !== 'number' || !Number.isFinite(v)) continue;
      const key = `${r.split}.${k}`;
      if (r.eval === true) {
        final[key] = v;
        finalFromEval.add(key);
        const b = best[key];
        if (b === undefined || (metricDirection(k) === 'min' ? v < b.value : v > b.value)) best[key] = { value: v, step: r.step };
      } else if (!finalFromEval.has(key)) {
        final[key] = v;
      }
    }
  }
  return { final, best };
}

export function assertRunDir(dir: string): void {
  if (!existsSync(dir) || !statSync(dir).isDirectory()) {
    throw new RunnerError('RUN_NOT_FOUND', `no run folder at ${dir}`, ExitCode.usage);
  }
}

/** The one word in `status`, or undefined when the run never started writing. */
export function readStatus(dir: string): RunStatus | undefined {
  const p = join(dir, 'status');
  if (!existsSync(p)) return undefined;
  return readFileSync(p, 'utf8').trim() as RunStatus;
}

export function readSummary(dir: string): Summary | undefined {
  const p = join(dir, 'summary.json');
  if (!existsSync(p)) return undefined;
  try {
    return JSON.parse(readFileSync(p, 'utf8')) as Summary;
  } catch (err) {
    throw new RunnerError('RUN_NOT_FOUND', `${p} is not valid JSON: ${(err as Error).message}`, ExitCode.usage);
  }
}

/** summary.json, or a RunnerError saying why the folder has none. */
export function requireSummary(dir: string): Summary {
  assertRunDir(dir);
  const s = readSummary(dir);
  if (s) return s;
  const status = readStatus(dir);
  throw new RunnerError('RUN_NOT_FOUND', `${dir} has no summary.json${status ? ` (status: ${status}; resume it with \`minima resume ${dir}\`)` : ''}`, ExitCode.usage);
}

function parseRow(line: string): MetricRow | undefined {
  if (line.trim() === '') return undefined;
  try {
    const row = JSON.parse(line) as MetricRow;
    return typeof row.step === 'number' && typeof row.split === 'string' ? row : undefined;
  } catch {
    return undefined; // the torn last line of a killed run
  }
}

/** metrics.jsonl rows in file order; a torn last line is skipped. */
export function readMetrics(dir: string): MetricRow[] {
  const p = join(dir, 'metrics.jsonl');
  if (!existsSync(p)) return [];
  const rows: MetricRow[] = [];
  for (const line of readFileSync(p, 'utf8').split('\n')) {
    const row = parseRow(line);
    if (row) rows.push(row);
  }
  return rows;
}

/** The last row of each (split, step), ordered by step, then train before test. */
export function latestPerStep<R extends RowKey>(rows: readonly R[]): R[] {
  const byKey = new Map<string, R>();
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

/**
 * Incremental reader of a growing metrics.jsonl: each `read()` parses only the bytes appended since
 * the last call and keeps a torn last line for the next one.
 */
export class MetricsTail {
  private offset = 0;
  private partial = '';
  readonly rows: MetricRow[] = [];
  constructor(readonly path: string) {}

  read(): MetricRow[] {
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
        const row = parseRow(line);
        if (row) this.rows.push(row);
      }
    } finally {
      closeSync(fd);
    }
    return this.rows;
  }
}

/** meta.json as an object; `damaged` when it exists but is torn, edited or not an object. */
export function readMetaJson(path: string): { value?: Record<string, unknown>; damaged: boolean } {
  if (!existsSync(path)) return { damaged: false };
  try {
    const v: unknown = JSON.parse(readFileSync(path, 'utf8'));
    if (v !== null && typeof v === 'object' && !Array.isArray(v)) return { value: v as Record<string, unknown>, damaged: false };
  } catch {
    // a torn or edited file: reported as damaged below
  }
  return { damaged: true };
}
