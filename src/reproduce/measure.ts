/**
 * The numbers a claim is judged on: one value per completed trial for each measurement, and the
 * groups of trials that differ only by seed (mean ± sample std, as `sweep summary`).
 */
import { resolve } from 'node:path';
import { latestPerStep, metricDirection, readMetrics } from '../run/run-folder.js';
import { canonicalJson } from '../sweep/resolve-trials.js';
import { metricValues, stat, type Stat } from '../sweep/summarize.js';
import type { TrialRecord } from '../sweep/sweep-dir.js';
import type { Measure } from './claim.js';

export interface Trial {
  readonly id: string;
  readonly index: number;
  readonly runDir: string;
  readonly params: Readonly<Record<string, unknown>>;
  readonly seed: unknown;
  readonly status: TrialRecord['status'];
}

/** A value of a measurement: a number, or +∞/−∞ for "never reached" (steps_to), NaN when missing. */
export type Value = number;

export function trialsOf(records: readonly TrialRecord[], sweepDir: string): Trial[] {
  return [...records].sort((a, b) => a.index - b.index).map((r) => {
    const { seed, ...params } = r.params;
    return { id: r.id, index: r.index, runDir: resolve(sweepDir, r.run_dir), params, seed, status: r.status };
  });
}

/** Reads each measurement of each trial once (steps_to reads metrics.jsonl; the rest read the record). */
export class Measurements {
  private readonly cache = new Map<string, Value>();
  constructor(
    private readonly records: ReadonlyMap<string, TrialRecord>,
    private readonly named: Readonly<Record<string, Measure>>,
  ) {}

  /** The measurement's name as shown (a summary path names itself). */
  label(ref: string): string {
    const m = this.named[ref];
    if (m === undefined || typeof m === 'string') return typeof m === 'string' ? `${ref} (${m})` : ref;
    if ('steps_to' in m) return `${ref} (first step ${m.steps_to.metric} ${modeOf(m.steps_to) === 'min' ? '≤' : '≥'} ${m.steps_to.target})`;
    return `${ref} (${m.gap[0]} − ${m.gap[1]})`;
  }

  /** Which way the measurement improves (steps_to: fewer is better). */
  direction(ref: string): 'min' | 'max' {
    const m = this.named[ref];
    if (m === undefined) return metricDirection(ref);
    if (typeof m === 'string') return metricDirection(m);
    if ('steps_to' in m) return 'min';
    return metricDirection(m.gap[0]);
  }

  /** A diverged trial counts as the worst possible value (it never reached anything). */
  value(t: Trial, ref: string): Value {
    if (t.status === 'diverged') return this.direction(ref) === 'min' ? Number.POSITIVE_INFINITY : Number.NEGATIVE_INFINITY;
    const key = `${t.id}\u0000${ref}`;
    let v = this.cache.get(key);
    if (v === undefined) this.cache.set(key, (v = this.compute(t, this.named[ref] ?? ref)));
    return v;
  }

  private compute(t: Trial, m: Measure): Value {
    if (typeof m === 'string') return summaryValue(this.records.get(t.id), m);
    if ('gap' in m) return summaryValue(this.records.get(t.id), m.gap[0]) - summaryValue(this.records.get(t.id), m.gap[1]);
    const { metric, target } = m.steps_to;
    const dot = metric.indexOf('.');
    const split = metric.slice(0, dot);
    const key = metric.slice(dot + 1);
    const below = modeOf(m.steps_to) === 'min';
    for (const row of latestPerStep(readMetrics(t.runDir))) {
      if (row.split !== split) continue;
      const x = row[key];
      if (typeof x === 'number' && (below ? x <= target : x >= target)) return row.step;
    }
    return Number.POSITIVE_INFINITY;
  }
}

function modeOf(s: { metric: string; mode?: 'min' | 'max' | undefined }): 'min' | 'max' {
  return s.mode ?? metricDirection(s.metric);
}

/** `best.test.accuracy`, `final.test.accuracy`, `test.accuracy` (final), `steps`. NaN when absent. */
function summaryValue(r: TrialRecord | undefined, path: string): Value {
  if (!r) return Number.NaN;
  if (path === 'steps') return r.steps ?? Number.NaN;
  const values = metricValues(r);
  const key = path.startsWith('final.') ? path.slice('final.'.length) : path;
  return values[key] ?? Number.NaN;
}

/**
 * A param's value by dotted path: the swept key itself (`optimizer.lr`), or a path inside a swept
 * mapping (`optimizer.name` when whole `optimizer` specs are swept).
 */
export function paramValue(params: Readonly<Record<string, unknown>>, key: string): unknown {
  if (Object.hasOwn(params, key)) return params[key];
  for (const [p, v] of Object.entries(params)) {
    if (!key.startsWith(`${p}.`)) continue;
    let at: unknown = v;
    for (const part of key.slice(p.length + 1).split('.')) {
      if (at === null || typeof at !== 'object' || !Object.hasOwn(at, part)) return undefined;
      at = (at as Record<string, unknown>)[part];
    }
    return at;
  }
  return undefined;
}

export function matches(params: Readonly<Record<string, unknown>>, where: Readonly<Record<string, unknown>>): boolean {
  for (const [k, want] of Object.entries(where)) {
    const have = paramValue(params, k);
    const ok = Array.isArray(want) ? want.some((w) => sameValue(have, w)) : sameValue(have, want);
    if (!ok) return false;
  }
  return true;
}

function sameValue(a: unknown, b: unknown): boolean {
  return canonicalJson(a) === canonicalJson(b);
}

export interface Group {
  readonly params: Readonly<Record<string, unknown>>;
  readonly trials: readonly Trial[];
}

/** Trials with the same params but the seed, in first-trial order. */
export function groupBySeed(trials: readonly Trial[]): Group[] {
  const groups = new Map<string, { params: Readonly<Record<string, unknown>>; trials: Trial[] }>();
  for (const t of trials) {
    const key = canonicalJson(t.params);
    let g = groups.get(key);
    if (!g) groups.set(key, (g = { params: t.params, trials: [] }));
    g.trials.push(t);
  }
  return [...groups.values()];
}

/** Trials that count: completed ones, and diverged ones (at their worst value). */
export function counted(t: Trial): boolean {
  return t.status === 'completed' || t.status === 'diverged';
}

/** Mean ± std of a measurement over a group's counted trials; infinite values make the mean infinite. */
export function groupStat(m: Measurements, g: Group, ref: string): Stat & { values: Value[] } {
  return valuesStat(g.trials.filter(counted).map((t) => m.value(t, ref)));
}

export function valuesStat(all: readonly Value[]): Stat & { values: Value[] } {
  const values = all.filter((v) => !Number.isNaN(v));
  if (values.length === 0) return { mean: Number.NaN, std: null, n: 0, values };
  if (values.some((v) => !Number.isFinite(v))) return { mean: values.reduce((s, v) => s + v, 0), std: null, n: values.length, values };
  return { ...stat(values), values };
}
