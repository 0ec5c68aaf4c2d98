/**
 * Names for a run's values in `--where`, `--sort` and `--columns`:
 *   `name`, `status`, `started`, `steps`, `wall_time_s`, `backend`, `device`, `commit`, `host`, `sweep`, `trial.status`
 *   `best.test.accuracy`  → the best eval value (summary.json `best`)
 *   `final.test.accuracy` → the final value; a bare `test.accuracy` means the same unless it is a config key
 *   `optimizer.lr`        → config.yaml
 * and the `--where KEY OP VALUE` filters over them (OP: == != >= > <= < and ~ for "contains").
 */
import { ExitCode, RunnerError } from '../core/errors.js';
import type { RunEntry } from './discover.js';

export const FIELDS: readonly string[] = ['name', 'rel', 'status', 'started', 'steps', 'wall_time_s', 'backend', 'device', 'commit', 'host', 'sweep', 'trial.status'];

/** The value `key` names on a run, or undefined when it has none. */
export function runValue(run: RunEntry, key: string): unknown {
  switch (key) {
    case 'name': return run.name;
    case 'rel': return run.rel;
    case 'status': return run.status;
    case 'started': return run.started;
    case 'steps': return run.steps;
    case 'wall_time_s': return run.wallTimeS;
    case 'backend': return run.backend;
    case 'device': return run.device;
    case 'commit': return run.commit;
    case 'host': return run.host;
    case 'sweep': return run.trial?.sweepName;
    case 'trial.status': return run.trial?.status;
  }
  if (key.startsWith('best.') && key.slice(5) in run.best) return run.best[key.slice(5)];
  if (key.startsWith('final.') && key.slice(6) in run.final) return run.final[key.slice(6)];
  if (key.startsWith('config.') && key.slice(7) in run.config) return run.config[key.slice(7)];
  if (key in run.config) return run.config[key];
  if (key in run.final) return run.final[key];
  return undefined;
}

export type WhereOp = '==' | '!=' | '>=' | '>' | '<=' | '<' | '~';
export interface Where {
  readonly expr: string;
  readonly key: string;
  readonly op: WhereOp;
  readonly value: string;
}

const WHERE = /^\s*([A-Za-z_][\w.\-/@]*)\s*(==|!=|>=|<=|>|<|~|=)\s*(.*?)\s*$/;

export function parseWhere(expr: string): Where {
  const m = WHERE.exec(expr);
  if (!m) throw new RunnerError('USAGE', `invalid --where "${expr}" (form: KEY OP VALUE, e.g. "optimizer.name==sam", "test.accuracy>0.9"; OP is one of == != >= > <= < ~)`, ExitCode.usage);
  const op = (m[2] === '=' ? '==' : m[2]) as WhereOp;
  return { expr, key: m[1]!, op, value: m[3]!.replace(/^(['"])(.*)\1$/, '$2') };
}

function asNumber(v: unknown): number | undefined {
  if (typeof v === 'number') return v;
  if (typeof v === 'string' && v.trim() !== '' && Number.isFinite(Number(v))) return Number(v);
  return undefined;
}

function asText(v: unknown): string {
  return typeof v === 'string' ? v : JSON.stringify(v);
}

/** Whether a run passes one filter; a run without the key passes only `!=`. */
export function matches(run: RunEntry, w: Where): boolean {
  const v = runValue(run, w.key);
  if (v === undefined || v === null) return w.op === '!=' && w.value !== 'null';
  if (w.op === '~') return asText(v).toLowerCase().includes(w.value.toLowerCase());
  const a = asNumber(v), b = asNumber(w.value);
  if (a !== undefined && b !== undefined && typeof v !== 'string') {
    switch (w.op) {
      case '==': return a === b;
      case '!=': return a !== b;
      case '>=': return a >= b;
      case '>': return a > b;
      case '<=': return a <= b;
      case '<': return a < b;
    }
  }
  const s = asText(v);
  switch (w.op) {
    case '==': return s === w.value;
    case '!=': return s !== w.value;
    case '>=': return s >= w.value;
    case '>': return s > w.value;
    case '<=': return s <= w.value;
    case '<': return s < w.value;
  }
}

export function filterRuns(runs: readonly RunEntry[], where: readonly string[]): RunEntry[] {
  const ws = where.map(parseWhere);
  return runs.filter((r) => ws.every((w) => matches(r, w)));
}

/** `--sort KEY` (ascending) or `-KEY` (descending); runs without the key last. Default: start time, then path. */
export function sortRuns(runs: readonly RunEntry[], sort: string | undefined): RunEntry[] {
  const desc = sort?.startsWith('-') ?? false;
  const key = sort?.replace(/^[-+]/, '');
  const cmp = (x: unknown, y: unknown): number => {
    const a = asNumber(x), b = asNumber(y);
    if (typeof x === 'number' && typeof y === 'number' && a !== undefined && b !== undefined) return a - b;
    return asText(x).localeCompare(asText(y));
  };
  return [...runs].sort((r, s) => {
    if (!key) return (r.started ?? '').localeCompare(s.started ?? '') || r.rel.localeCompare(s.rel);
    const x = runValue(r, key), y = runValue(s, key);
    const missX = x === undefined || x === null, missY = y === undefined || y === null;
    if (missX || missY) return missX === missY ? r.rel.localeCompare(s.rel) : missX ? 1 : -1;
    return (desc ? -cmp(x, y) : cmp(x, y)) || r.rel.localeCompare(s.rel);
  });
}
