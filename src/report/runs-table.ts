/**
 * The table of `minima runs` and of the dashboard: one row per run with its status, start, steps,
 * wall time, backend, the config keys that differ between the listed runs and the headline final
 * and best metrics; written as an aligned table, CSV, JSON or Markdown.
 */
import { isTimingKey } from '../run/run-folder.js';
import { changedKeys, formatValue } from './config-diff.js';
import type { RunEntry } from './discover.js';
import { runValue } from './query.js';

export interface RunsTable {
  readonly columns: readonly string[];
  /** The config keys among the columns (the ones that differ). */
  readonly changed: readonly string[];
  readonly runs: readonly RunEntry[];
}

const HEADLINE = ['test.accuracy', 'best.test.accuracy', 'test.loss', 'train.loss'];
const BASE = ['name', 'status', 'started', 'steps', 'wall_time_s', 'backend'];

/** The metric columns shown by default: the headline ones the runs have, else their first two. */
export function headlineMetrics(runs: readonly RunEntry[]): string[] {
  const has = (k: string) => runs.some((r) => runValue(r, k) !== undefined);
  const found = HEADLINE.filter(has);
  if (found.length > 0) return found;
  const keys = [...new Set(runs.flatMap((r) => Object.keys(r.final)))].filter((k) => !isTimingKey(k));
  return keys.slice(0, 2);
}

/**
 * `columns`: exactly these (any name `runValue` knows), or, when every one starts with `+`, these
 * added to the default set.
 */
export function buildRunsTable(runs: readonly RunEntry[], columns: readonly string[] = []): RunsTable {
  const changed = changedKeys(runs).filter((k) => k !== 'name');
  const defaults = [...BASE, ...changed, ...headlineMetrics(runs)];
  const extra = columns.length > 0 && columns.every((c) => c.startsWith('+'));
  const cols = columns.length === 0 ? defaults : extra ? [...defaults, ...columns.map((c) => c.slice(1))] : [...columns];
  return { columns: cols, changed, runs };
}

/** A cell as text: numbers to 4 significant digits, times to seconds, absent values as `–`. */
export function cellText(run: RunEntry, col: string): string {
  const v = col === 'name' ? run.rel : runValue(run, col);
  if (v === undefined || v === null) return '–';
  if (col === 'started' && typeof v === 'string') return v.replace('T', ' ').replace(/\.\d+Z$/, '');
  if (col === 'steps' && run.totalSteps !== undefined && run.status === 'running') return `${String(v)}/${run.totalSteps}`;
  if (col === 'commit' && typeof v === 'string') return v.slice(0, 8) + (run.dirty ? '+' : '');
  return formatValue(v);
}

export type TableFormat = 'table' | 'csv' | 'json' | 'markdown';

export function formatRunsTable(t: RunsTable, format: TableFormat): string {
  if (format === 'json') {
    const rows = t.runs.map((r) => {
      const o: Record<string, unknown> = { path: r.dir };
      for (const c of t.columns) o[c] = c === 'name' ? r.rel : runValue(r, c) ?? null;
      return o;
    });
    return `${JSON.stringify({ columns: t.columns, changed: t.changed, runs: rows }, (_k, v: unknown) => (typeof v === 'number' && !Number.isFinite(v) ? String(v) : v))}\n`;
  }
  const rows = t.runs.map((r) => t.columns.map((c) => cellText(r, c)));
  if (format === 'csv') {
    const esc = (v: string) => (/[",\n]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v);
    const raw = t.runs.map((r) => t.columns.map((c) => {
      const v = c === 'name' ? r.rel : runValue(r, c);
      return v === undefined || v === null ? '' : typeof v === 'string' ? v : typeof v === 'number' ? String(v) : JSON.stringify(v);
    }));
    return `${[t.columns as string[], ...raw].map((r) => r.map(esc).join(',')).join('\n')}\n`;
  }
  if (format === 'markdown') {
    const line = (r: readonly string[]) => `| ${r.map((c) => c.replace(/\|/g, '\\|')).join(' | ')} |`;
    return `${[line(t.columns), line(t.columns.map(() => '---')), ...rows.map(line)].join('\n')}\n`;
  }
  const widths = t.columns.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  return `${[t.columns as string[], ...rows].map((r) => r.map((c, i) => c.padEnd(widths[i]!)).join('  ').trimEnd()).join('\n')}\n`;
}
